package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/pager"

	"github.com/podtui/podtui/internal/harness"
	"github.com/podtui/podtui/internal/termtest"
)

// scalePods is the pod count of BenchmarkScale; PODTUI_BENCH_PODS overrides it
// (e.g. 5000 on a slow machine).
func scalePods() int {
	if n, err := strconv.Atoi(os.Getenv("PODTUI_BENCH_PODS")); err == nil && n > 0 {
		return n
	}
	return 10000
}

// scaleStates is the mix of BenchmarkScale's pods: many of them failing. It has
// no Evicted pod: the update burst makes some, and the filter "evicted" matches
// no other pod's name, namespace, status or node.
var scaleStates = []harness.State{
	harness.StateRunning, harness.StateRunning, harness.StateRunning, harness.StateRunning,
	harness.StateCrashLoopBackOff, harness.StateImagePullBackOff, harness.StateErrImagePull,
	harness.StateCreateContainerConfigError, harness.StateCompleted, harness.StatePending,
	harness.StateInit, harness.StateRunning,
}

// BenchmarkScale runs on a control plane of its own with 50 kwok nodes and
// 10,000 pods (PODTUI_BENCH_PODS) in one namespace per 100 pods (at least
// 200), and measures in one run: a bare paginated LIST (the floor), podtui -A
// from start to the first complete list frame, its peak RSS, its CPU time over
// 30 s idle, how long a burst of status updates (a tenth of the pods, at most
// 5,000) takes to show on screen, and key-to-screen times of the reverse-sort
// key, which re-sorts every pod.
//
//	go test ./e2e -run '^$' -bench Scale -benchtime 3x -timeout 30m
//	PODTUI_BENCH_PODS=100000 go test ./e2e -run '^$' -bench 'Scale$' -benchtime 1x -timeout 90m
func BenchmarkScale(b *testing.B) {
	ctx := context.Background()
	start := time.Now()
	c, err := harness.Start(ctx, harness.Options{Nodes: 50})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Stop()
	b.Logf("control plane with 50 nodes up in %s", time.Since(start).Round(time.Millisecond))

	n := scalePods()
	namespaces := max(200, n/100)
	start = time.Now()
	for i := range namespaces {
		if err := c.EnsureNamespace(ctx, fmt.Sprintf("bench-%03d", i)); err != nil {
			b.Fatal(err)
		}
	}
	cs := c.Client()
	running := make([]*corev1.Pod, n) // Running pods as stored, for the burst
	err = inParallel(n, func(i int) error {
		s := scaleStates[i%len(scaleStates)]
		ns := fmt.Sprintf("bench-%03d", i%namespaces)
		p := harness.PodFor(ns, fmt.Sprintf("app-%05d", i), s)
		if s != harness.StatePending {
			p.Spec.NodeName = c.Nodes[i%len(c.Nodes)]
		}
		created, err := c.CreatePod(ctx, p)
		if err == nil && s != harness.StatePending {
			created.Status = harness.StatusFor(created, s, time.Now())
			created, err = cs.CoreV1().Pods(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{})
		}
		if err != nil {
			return fmt.Errorf("pod %d: %w", i, err)
		}
		if s == harness.StateRunning {
			running[i] = created
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d pods in %d namespaces on %d nodes created in %s", n, namespaces, len(c.Nodes), time.Since(start).Round(time.Millisecond))

	// The floor: a bare paginated LIST of every pod, in protobuf (what podtui
	// asks for) and in JSON.
	listProto := bareList(b, c, "application/vnd.kubernetes.protobuf", n)
	listJSON := bareList(b, c, "application/json", n)

	want := fmt.Sprintf("pods: %d/%d", n, n)
	var firstFrame []time.Duration
	var term *termtest.Term
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		term = startPodtuiSized(b, c.Kubeconfig, 160, 50, "-A")
		if _, err := waitFast(term, want, 2*time.Minute); err != nil {
			b.Fatal(err)
		}
		firstFrame = append(firstFrame, time.Since(t0))
		if i == b.N-1 {
			break // the last one stays for the idle and burst measures
		}
		term.Send("q")
		if _, err := term.Wait(10 * time.Second); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	ff := median(firstFrame)
	b.ReportMetric(ms(listProto), "list-proto-ms")
	b.ReportMetric(ms(listJSON), "list-json-ms")
	b.ReportMetric(ms(ff), "first-frame-ms")
	b.ReportMetric(float64(ff)/float64(listProto), "first-frame/list")
	b.Logf("first frames: %v", firstFrame)

	// Idle: nothing changes for 30 s.
	pid := term.Pid()
	time.Sleep(2 * time.Second) // let the start settle (GC, first metrics poll)
	cpu0 := cpuTicks(pid)
	idle := 30 * time.Second
	if d, err := time.ParseDuration(os.Getenv("PODTUI_BENCH_IDLE")); err == nil {
		idle = d
	}
	// Pod changes during the idle window are work for podtui too: count
	// them with a watch of our own.
	var w watch.Interface
	list, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{Limit: 1})
	if err == nil {
		w, err = cs.CoreV1().Pods("").Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	}
	var idleEvents int
	if err == nil {
		stop := time.After(idle)
	count:
		for {
			select {
			case ev, ok := <-w.ResultChan():
				if !ok {
					break count
				}
				if ev.Type == watch.Modified || ev.Type == watch.Added || ev.Type == watch.Deleted {
					idleEvents++
				}
			case <-stop:
				break count
			}
		}
		w.Stop()
	} else {
		b.Logf("no watch of the idle window: %v", err)
		time.Sleep(idle)
	}
	cpu1 := cpuTicks(pid)
	b.ReportMetric(100*float64(cpu1-cpu0)/100/idle.Seconds(), "idle-cpu-%")
	b.ReportMetric(float64(idleEvents), "idle-pod-events")

	// Burst: a tenth of the pods (at most 5,000), all Running, become
	// Evicted, with 16 writers; the list is filtered to "evicted", so the
	// header counts them.
	term.Send("/")
	term.Type("evicted")
	term.Send("enter")
	if _, err := waitFast(term, fmt.Sprintf("pods: 0/%d", n), 10*time.Second); err != nil {
		b.Fatal(err)
	}
	var burst []*corev1.Pod
	for _, p := range running {
		if p != nil && len(burst) < min(5000, n/10) {
			burst = append(burst, p)
		}
	}
	wantBurst := fmt.Sprintf("pods: %d/%d", len(burst), n)
	seen := make(chan time.Time, 1)
	go func() {
		_, _ = waitFast(term, wantBurst, 2*time.Minute)
		seen <- time.Now()
	}()
	t0 := time.Now()
	burstUpdate(b, cs, burst)
	tLast := time.Now()
	tSeen := <-seen
	b.ReportMetric(ms(tLast.Sub(t0)), "burst-write-ms")
	b.ReportMetric(ms(tSeen.Sub(tLast)), "burst-shown-after-last-ms")
	b.ReportMetric(float64(len(burst)), "burst-updates")

	// Keys: the reverse-sort key re-sorts every pod in scope (the filter is
	// cleared first); each press is timed from its write to the header
	// showing the new direction. It includes up to one tick of bubbletea's
	// 60 fps renderer (16.7 ms), which alone puts a frame on the screen.
	term.Send("esc")
	if _, err := waitFast(term, fmt.Sprintf("pods: %d/%d", n, n), 10*time.Second); err != nil {
		b.Fatal(err)
	}
	keys := keyToScreen(b, term, 101)
	b.ReportMetric(ms(percentile(keys, 50)), "key-p50-ms")
	b.ReportMetric(ms(percentile(keys, 99)), "key-p99-ms")
	b.ReportMetric(rssPeakMB(pid), "peak-RSS-MB")
	b.ReportMetric(rssMB(pid), "RSS-MB")
	term.Send("q")
	_, _ = term.Wait(10 * time.Second)
}

// bareList times a client-go paginated LIST (500 a page, like the reflector)
// of every pod, best of three.
func bareList(b *testing.B, c *harness.Cluster, contentType string, want int) time.Duration {
	b.Helper()
	cfg := c.RESTConfig()
	cfg.ContentType = contentType
	cfg.AcceptContentTypes = contentType
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	best := time.Duration(1 << 62)
	for range 3 {
		t0 := time.Now()
		p := pager.New(func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return cs.CoreV1().Pods("").List(ctx, o)
		})
		got := 0
		err := p.EachListItem(context.Background(), metav1.ListOptions{}, func(runtime.Object) error { got++; return nil })
		if err != nil {
			b.Fatal(err)
		}
		if got != want {
			b.Fatalf("listed %d pods, want %d", got, want)
		}
		best = min(best, time.Since(t0))
	}
	return best
}

// keyToScreen presses the reverse-sort key n times and returns how long
// each but the first took to show: the header's sort label gains or loses
// its "↑".
func keyToScreen(b *testing.B, term *termtest.Term, n int) []time.Duration {
	b.Helper()
	var ds []time.Duration
	for i := range n {
		before := term.Screen()
		label := sortLabelOf(before)
		if label == "" {
			b.Fatalf("no sort label in the header:\n%s", before)
		}
		want := label + "↑"
		if strings.HasSuffix(label, "↑") {
			want = strings.TrimSuffix(label, "↑")
		}
		t0 := time.Now()
		term.Send("O")
		for sortLabelOf(term.Screen()) != want {
			if time.Since(t0) > 10*time.Second || !term.Alive() {
				b.Fatalf("key %d: the sort label did not become %q:\n%s", i, want, term.Screen())
			}
			time.Sleep(time.Millisecond)
		}
		if i > 0 { // the first press is a warm-up: the input reader may still hold the esc
			ds = append(ds, time.Since(t0))
		}
		// A user's pace, not a queue, and at a random phase of the
		// renderer's 60 Hz tick (a fixed 50 ms would always land just
		// after one: 50 ms is three ticks).
		time.Sleep(50*time.Millisecond + time.Duration(rand.Int64N(int64(17*time.Millisecond))))
	}
	return ds
}

// sortLabelOf finds the header's "sort: LABEL".
func sortLabelOf(screen string) string {
	_, after, ok := strings.Cut(screen, "sort: ")
	if !ok {
		return ""
	}
	label, _, _ := strings.Cut(after, " ")
	return strings.TrimSpace(strings.SplitN(label, "\n", 2)[0])
}

// burstUpdate makes the pods Evicted, 16 at a time.
func burstUpdate(b *testing.B, cs kubernetes.Interface, pods []*corev1.Pod) {
	err := inParallel(len(pods), func(i int) error {
		p := pods[i].DeepCopy()
		p.Status = harness.EvictedStatus(p, time.Now())
		_, err := cs.CoreV1().Pods(p.Namespace).UpdateStatus(context.Background(), p, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

// waitFast is WaitFor polling every 2 ms, for timings finer than
// termtest.PollInterval.
func waitFast(t *termtest.Term, substr string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		s := t.Screen()
		if strings.Contains(s, substr) {
			return s, nil
		}
		if time.Now().After(deadline) || !t.Alive() {
			return t.WaitFor(substr, 0)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percentile is the p-th percentile (nearest rank) of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
