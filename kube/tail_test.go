package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
)

// fakeLogs serves logs by "pod/container" (and "pod/container previous"):
// the lines given, then, for a follow request, whatever is written later
// until the stream is cancelled.
type fakeLogs struct {
	mu      sync.Mutex
	logs    map[string]string
	errs    map[string]error
	opens   map[string]int
	live    map[string][]*io.PipeWriter
	lastReq map[string]LogRequest
}

func newFakeLogs() *fakeLogs {
	return &fakeLogs{logs: map[string]string{}, errs: map[string]error{}, opens: map[string]int{}, live: map[string][]*io.PipeWriter{}, lastReq: map[string]LogRequest{}}
}

func logKey(pod, container string, previous bool) string {
	k := pod + "/" + container
	if previous {
		k += " previous"
	}
	return k
}

func (f *fakeLogs) open(ctx context.Context, req LogRequest) (io.ReadCloser, error) {
	k := logKey(req.Pod, req.Container, req.Previous)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opens[k]++
	f.lastReq[k] = req
	if err := f.errs[k]; err != nil {
		return nil, err
	}
	text := f.logs[k]
	if !req.Follow {
		return io.NopCloser(strings.NewReader(text)), nil
	}
	pr, pw := io.Pipe()
	f.live[k] = append(f.live[k], pw)
	go func() {
		_, _ = io.WriteString(pw, text)
		<-ctx.Done()
		pw.Close()
	}()
	return pr, nil
}

// write appends lines to the open follow streams of a container.
func (f *fakeLogs) write(pod, container, text string) {
	f.mu.Lock()
	ws := slices.Clone(f.live[logKey(pod, container, false)])
	f.mu.Unlock()
	for _, w := range ws {
		_, _ = io.WriteString(w, text)
	}
}

func (f *fakeLogs) opened(k string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.opens[k]
}

var tailT0 = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

// at is a log line at tailT0+ms.
func at(ms int, text string) string {
	return tailT0.Add(time.Duration(ms)*time.Millisecond).Format(time.RFC3339Nano) + " " + text + "\n"
}

func tailPodOf(name string, labels map[string]string, containers ...corev1.ContainerStatus) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, Labels: labels},
		Status:     corev1.PodStatus{ContainerStatuses: containers},
	}
}

func runningCS(name string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}

func crashLoopingCS(name string, restarts int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name: name, RestartCount: restarts,
		State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 40s restarting failed container"}},
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 2, Reason: "Error"}},
	}
}

var webSource = LogSource{Name: "deployment/web", Namespace: "shop", Selector: labels.SelectorFromSet(labels.Set{"app": "web"}), Prefix: "web-"}

var webLabels = map[string]string{"app": "web"}

// collect reads batches until done() says enough or the timeout passes.
func collectTail(t *testing.T, tail *Tail, timeout time.Duration, done func([]TailLine, []TailNote, *TailState) bool) ([]TailLine, []TailNote, *TailState, int) {
	t.Helper()
	var (
		lines   []TailLine
		notes   []TailNote
		state   *TailState
		dropped int
	)
	deadline := time.After(timeout)
	for {
		if done != nil && done(lines, notes, state) {
			return lines, notes, state, dropped
		}
		select {
		case b, ok := <-tail.C:
			if !ok {
				return lines, notes, state, dropped
			}
			lines = append(lines, b.Lines...)
			notes = append(notes, b.Notes...)
			dropped += b.Dropped
			if b.State != nil {
				state = b.State
			}
		case <-deadline:
			t.Fatalf("timed out; have %d lines %v, notes %v", len(lines), tailTexts(lines), notes)
		}
	}
}

func tailTexts(lines []TailLine) []string {
	var out []string
	for _, l := range lines {
		s := l.Pod + "/" + l.Container + " " + l.Text
		if l.Previous {
			s += " (previous)"
		}
		out = append(out, s)
	}
	return out
}

func tailEvents(events ...PodEvent) chan PodEvent {
	ch := make(chan PodEvent, 64)
	for _, e := range events {
		ch <- e
	}
	return ch
}

func TestTailInterleavesByTimestamp(t *testing.T) {
	f := newFakeLogs()
	f.logs["web-a/app"] = at(0, "a1") + at(20, "a2") + at(40, "a3")
	f.logs["web-b/app"] = at(10, "b1") + at(30, "b2") + at(50, "b3")
	f.logs["web-b/proxy"] = at(15, "p1")
	pods := tailEvents(
		PodEvent{Pod: tailPodOf("web-a", webLabels, runningCS("app"))},
		PodEvent{Pod: tailPodOf("web-b", webLabels, runningCS("app"), runningCS("proxy"))},
		PodEvent{Pod: tailPodOf("other", map[string]string{"app": "db"}, runningCS("app"))},
		PodEvent{Synced: true},
	)
	close(pods)
	tail := StartTail(context.Background(), webSource, TailOptions{}, pods, f.open)
	defer tail.Stop()
	lines, _, state, _ := collectTail(t, tail, 10*time.Second, nil)
	want := []string{"web-a/app a1", "web-b/app b1", "web-b/proxy p1", "web-a/app a2", "web-b/app b2", "web-a/app a3", "web-b/app b3"}
	if got := tailTexts(lines); !slices.Equal(got, want) {
		t.Fatalf("lines:\n got %q\nwant %q", got, want)
	}
	if f.opened("other/app") != 0 {
		t.Fatal("a pod the selector does not pick was read")
	}
	if state == nil || len(state.Pods) != 2 || state.Pods[1].Containers[0].Lines != 3 {
		t.Fatalf("state: %+v", state)
	}
}

func TestTailFollowsAndPodsJoin(t *testing.T) {
	f := newFakeLogs()
	f.logs["web-a/app"] = at(0, "a1")
	pods := tailEvents(PodEvent{Pod: tailPodOf("web-a", webLabels, runningCS("app"))}, PodEvent{Synced: true})
	tail := StartTail(context.Background(), webSource, TailOptions{Follow: true, Window: 40 * time.Millisecond}, pods, f.open)
	defer tail.Stop()
	collectTail(t, tail, 10*time.Second, func(l []TailLine, _ []TailNote, _ *TailState) bool { return len(l) == 1 })

	// A new replica joins; its first line and a later line of the first pod
	// come in timestamp order.
	f.logs["web-c/app"] = at(100, "c1")
	pods <- PodEvent{Pod: tailPodOf("web-c", webLabels, runningCS("app"))}
	lines, notes, _, _ := collectTail(t, tail, 10*time.Second, func(l []TailLine, _ []TailNote, _ *TailState) bool { return len(l) == 1 })
	if tailTexts(lines)[0] != "web-c/app c1" || len(notes) == 0 || notes[0].Kind != PodJoined || notes[0].Pod != "web-c" {
		t.Fatalf("join: lines %q notes %+v", tailTexts(lines), notes)
	}
	f.write("web-a", "app", at(200, "a2"))
	lines, _, _, _ = collectTail(t, tail, 10*time.Second, func(l []TailLine, _ []TailNote, _ *TailState) bool { return len(l) == 1 })
	if tailTexts(lines)[0] != "web-a/app a2" {
		t.Fatalf("follow: %q", tailTexts(lines))
	}

	// The pod goes: its stream stops, the tail says so.
	pods <- PodEvent{Pod: tailPodOf("web-c", webLabels, runningCS("app")), Deleted: true}
	_, notes, state, _ := collectTail(t, tail, 10*time.Second, func(_ []TailLine, n []TailNote, s *TailState) bool {
		return len(n) > 0 && s != nil && s.Open == 1
	})
	if notes[0].Kind != PodGone || notes[0].Pod != "web-c" || !state.Pods[1].Gone {
		t.Fatalf("gone: notes %+v state %+v", notes, state)
	}
}

func TestTailShowsPreviousOfCrashedContainers(t *testing.T) {
	f := newFakeLogs()
	f.logs["web-a/app"] = at(50, "serving")
	f.logs["web-b/app previous"] = at(0, "panic: nil map") + at(1, "goroutine 1 [running]:")
	f.errs["web-b/app"] = errors.New(`container "app" in pod "web-b" is waiting to start: CrashLoopBackOff`)
	pods := tailEvents(
		PodEvent{Pod: tailPodOf("web-a", webLabels, runningCS("app"))},
		PodEvent{Pod: tailPodOf("web-b", webLabels, crashLoopingCS("app", 4))},
		PodEvent{Synced: true},
	)
	tail := StartTail(context.Background(), webSource, TailOptions{Follow: true, Previous: true, Window: 40 * time.Millisecond}, pods, f.open)
	defer tail.Stop()
	lines, notes, _, _ := collectTail(t, tail, 10*time.Second, func(l []TailLine, _ []TailNote, _ *TailState) bool { return len(l) == 3 })
	want := []string{"web-b/app panic: nil map (previous)", "web-b/app goroutine 1 [running]: (previous)", "web-a/app serving"}
	if got := tailTexts(lines); !slices.Equal(got, want) {
		t.Fatalf("lines:\n got %q\nwant %q", got, want)
	}
	if r := f.lastReq["web-b/app previous"]; r.TailLines != DefaultPreviousLines || r.Follow {
		t.Fatalf("previous request: %+v", r)
	}
	for _, n := range notes {
		if n.Kind == StreamFailed {
			t.Fatalf("a container waiting to start is no failure: %+v", n)
		}
	}
	// It runs again: its current log is followed, the previous one is not
	// read twice.
	delete(f.errs, "web-b/app")
	f.logs["web-b/app"] = at(300, "started again")
	st := runningCS("app")
	st.RestartCount = 5
	st.LastTerminationState = crashLoopingCS("app", 5).LastTerminationState
	pods <- PodEvent{Pod: tailPodOf("web-b", webLabels, st)}
	lines, _, _, _ = collectTail(t, tail, 10*time.Second, func(l []TailLine, _ []TailNote, _ *TailState) bool { return len(l) == 1 })
	if tailTexts(lines)[0] != "web-b/app started again" || f.opened("web-b/app previous") != 1 {
		t.Fatalf("after restart: %q, previous read %d times", tailTexts(lines), f.opened("web-b/app previous"))
	}
}

func TestTailCapsStreamsAndSaysWho(t *testing.T) {
	f := newFakeLogs()
	var events []PodEvent
	for _, name := range []string{"web-a", "web-b", "web-c"} {
		f.logs[name+"/app"] = at(0, name)
		events = append(events, PodEvent{Pod: tailPodOf(name, webLabels, runningCS("app"))})
	}
	pods := tailEvents(append(events, PodEvent{Synced: true})...)
	tail := StartTail(context.Background(), webSource, TailOptions{Follow: true, MaxStreams: 2, Window: 40 * time.Millisecond}, pods, f.open)
	defer tail.Stop()
	_, notes, state, _ := collectTail(t, tail, 10*time.Second, func(l []TailLine, n []TailNote, s *TailState) bool {
		return len(l) == 2 && len(n) > 0 && s != nil && s.Open == 2
	})
	if notes[0].Kind != StreamsCapped || !strings.Contains(notes[0].Text, "1 containers left out (web-c/app)") {
		t.Fatalf("cap note: %+v", notes)
	}
	if len(state.Left) != 1 || state.Left[0].Pod != "web-c" || !state.Pods[2].Containers[0].Capped {
		t.Fatalf("state: %+v", state)
	}
	// Pod changes that leave the cap as it is are not said again.
	pods <- PodEvent{Pod: tailPodOf("web-b", webLabels, runningCS("app"))}
	pods <- PodEvent{Pod: tailPodOf("web-c", webLabels, runningCS("app"))}
	_, again, _, _ := collectTail(t, tail, 10*time.Second, func(_ []TailLine, _ []TailNote, s *TailState) bool { return s != nil })
	for _, n := range again {
		if n.Kind == StreamsCapped {
			t.Fatalf("the cap said again: %+v", n)
		}
	}
	// A pod leaves: the one left out gets its slot.
	pods <- PodEvent{Pod: tailPodOf("web-a", webLabels, runningCS("app")), Deleted: true}
	lines, _, _, _ := collectTail(t, tail, 10*time.Second, func(l []TailLine, _ []TailNote, _ *TailState) bool { return len(l) == 1 })
	if tailTexts(lines)[0] != "web-c/app web-c" {
		t.Fatalf("after a slot freed: %q", tailTexts(lines))
	}
}

func TestTailExcludeLeavesOtherStreamsAlone(t *testing.T) {
	f := newFakeLogs()
	pods := tailEvents(
		PodEvent{Pod: tailPodOf("web-a", webLabels, runningCS("app"), runningCS("proxy"))},
		PodEvent{Pod: tailPodOf("web-b", webLabels, runningCS("app"))},
		PodEvent{Synced: true},
	)
	tail := StartTail(context.Background(), webSource, TailOptions{Follow: true, Window: 40 * time.Millisecond}, pods, f.open)
	defer tail.Stop()
	collectTail(t, tail, 10*time.Second, func(_ []TailLine, _ []TailNote, s *TailState) bool { return s != nil && s.Open == 3 })
	tail.SetExcluded(StreamKey{Namespace: "shop", Pod: "web-a", Container: "proxy"}, true)
	tail.SetExcluded(StreamKey{Namespace: "shop", Pod: "web-b"}, true)
	_, _, state, _ := collectTail(t, tail, 10*time.Second, func(_ []TailLine, _ []TailNote, s *TailState) bool { return s != nil && s.Open == 1 })
	if !state.Pods[1].Excluded || !state.Pods[0].Containers[1].Excluded || !state.Pods[0].Containers[0].Streaming {
		t.Fatalf("state: %+v", state)
	}
	waitOpened(t, f, "web-a/app", 1) // the state says streaming before the stream opens
	f.write("web-a", "app", at(10, "still here"))
	f.write("web-b", "app", at(11, "excluded"))
	lines, _, _, _ := collectTail(t, tail, 10*time.Second, func(l []TailLine, _ []TailNote, _ *TailState) bool { return len(l) == 1 })
	if tailTexts(lines)[0] != "web-a/app still here" {
		t.Fatalf("lines: %q", tailTexts(lines))
	}
	for _, k := range []string{"web-a/app", "web-b/app"} {
		if f.opened(k) != 1 {
			t.Fatalf("%s opened %d times; excluding others must not restart it", k, f.opened(k))
		}
	}
	// Included again: it resumes, from after its last line.
	tail.SetExcluded(StreamKey{Namespace: "shop", Pod: "web-b"}, false)
	waitOpened(t, f, "web-b/app", 2)
}

// waitOpened waits until the stream k has been opened n times.
func waitOpened(t *testing.T, f *fakeLogs, k string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.opened(k) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%s opened %d times, want %d", k, f.opened(k), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTailDropsAndCountsWhenTheConsumerLags(t *testing.T) {
	f := newFakeLogs()
	var b strings.Builder
	for i := range 5000 {
		b.WriteString(at(i, fmt.Sprintf("line %d", i)))
	}
	f.logs["web-a/app"] = b.String()
	pods := tailEvents(PodEvent{Pod: tailPodOf("web-a", webLabels, runningCS("app"))}, PodEvent{Synced: true})
	close(pods)
	tail := StartTail(context.Background(), webSource, TailOptions{TailLines: -1, MaxPending: 1000}, pods, f.open)
	defer tail.Stop()
	time.Sleep(500 * time.Millisecond) // the consumer is away
	lines, _, _, dropped := collectTail(t, tail, 10*time.Second, nil)
	if len(lines) > 1000 || len(lines)+dropped != 5000 {
		t.Fatalf("%d lines shown, %d dropped: want at most 1000 shown and all 5000 counted", len(lines), dropped)
	}
	if lines[len(lines)-1].Text != "line 4999" {
		t.Fatalf("the newest lines are kept; last is %q", lines[len(lines)-1].Text)
	}
}

func TestLogSourceMatches(t *testing.T) {
	job := func(name string) *corev1.Pod {
		p := tailPodOf("x", nil)
		p.OwnerReferences = []metav1.OwnerReference{{Kind: "Job", Name: name, Controller: boolPtr(true)}}
		return p
	}
	cron := LogSource{Namespace: "shop", jobsOf: "report"}
	for _, tc := range []struct {
		pod  *corev1.Pod
		want bool
	}{
		{job("report-29431440"), true},
		{job("report-daily-29431440"), false},
		{job("report-manual"), false},
		{job("reporter-1"), false},
	} {
		if got := cron.Matches(tc.pod); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.pod.OwnerReferences[0].Name, got, tc.want)
		}
	}
	sel, err := SelectorLogSource("shop", "app in (web,api),tier!=cache")
	if err != nil || !sel.Matches(tailPodOf("a", map[string]string{"app": "api"})) || sel.Matches(tailPodOf("b", map[string]string{"app": "api", "tier": "cache"})) {
		t.Fatalf("selector source: %v", err)
	}
	if _, err := SelectorLogSource("shop", "app in ("); err == nil {
		t.Fatal("a broken selector must fail")
	}
	if _, _, err := ParseWorkload("widget/x"); err == nil || !strings.Contains(err.Error(), "deployment, statefulset") {
		t.Fatalf("unknown kind: %v", err)
	}
}

func boolPtr(b bool) *bool { return &b }

// A stream stopped while it is still opening (its pod went, or it was
// excluded) must not hold the first lines back until tailStartWait.
func TestTailStreamStoppedWhileOpeningDoesNotDelayTheStart(t *testing.T) {
	f := newFakeLogs()
	f.logs["web-a/app"] = at(0, "a1")
	slow := func(ctx context.Context, req LogRequest) (io.ReadCloser, error) {
		if strings.HasPrefix(req.Pod, "web-slow") {
			<-ctx.Done() // an API server that takes its time
			return nil, ctx.Err()
		}
		return f.open(ctx, req)
	}
	events := []PodEvent{{Pod: tailPodOf("web-a", webLabels, runningCS("app"))}}
	for i := range 10 {
		events = append(events, PodEvent{Pod: tailPodOf(fmt.Sprintf("web-slow-%d", i), webLabels, runningCS("app"))})
	}
	pods := tailEvents(append(events, PodEvent{Synced: true})...)
	start := time.Now()
	tail := StartTail(context.Background(), webSource, TailOptions{Follow: true, Window: 40 * time.Millisecond}, pods, slow)
	defer tail.Stop()
	collectTail(t, tail, 10*time.Second, func(_ []TailLine, _ []TailNote, s *TailState) bool { return s != nil && s.Open == 11 })
	for i := range 10 {
		pods <- PodEvent{Pod: tailPodOf(fmt.Sprintf("web-slow-%d", i), webLabels, runningCS("app")), Deleted: true}
	}
	collectTail(t, tail, 10*time.Second, func(l []TailLine, _ []TailNote, _ *TailState) bool { return len(l) == 1 })
	if took := time.Since(start); took >= tailStartWait {
		t.Fatalf("the first line came after %s: the stopped streams were still counted as opening", took.Round(time.Millisecond))
	}
}

func TestOwnerLogSourceFallsBackToLabels(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
		Namespace: "shop", Name: "web-7d9f8-aaaaa", Labels: map[string]string{"app": "web", "pod-template-hash": "7d9f8"},
		OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "web-7d9f8", Controller: boolPtr(true)}},
	}}
	c := &Client{Clientset: fake.NewClientset(pod)} // no ReplicaSet: not found
	src, err := c.OwnerLogSource(context.Background(), pod)
	if err != nil {
		t.Fatal(err)
	}
	if src.Name != "replicaset/web-7d9f8 (pods labelled app=web,pod-template-hash=7d9f8)" || !src.Matches(pod) || src.Prefix != "web-7d9f8-" {
		t.Fatalf("source %+v", src)
	}
	other := pod.DeepCopy()
	other.Labels = map[string]string{"app": "web", "pod-template-hash": "5c6d7"}
	if src.Matches(other) {
		t.Fatal("a pod of another ReplicaSet matched")
	}
}

func TestTailWatchesOnlyTheNamespacesOfAFixedSet(t *testing.T) {
	pod := func(ns, name string) *corev1.Pod {
		p := tailPodOf(name, nil, runningCS("app"))
		p.Namespace = ns
		return p
	}
	cs := fake.NewClientset(pod("a", "x"), pod("b", "y"), pod("c", "z"))
	c := &Client{Clientset: cs}
	src := PodsLogSource("2 pods", []types.NamespacedName{{Namespace: "a", Name: "x"}, {Namespace: "b", Name: "y"}})
	tail := c.TailLogs(context.Background(), src, TailOptions{Follow: true, Window: 40 * time.Millisecond})
	defer tail.Stop()
	_, _, state, _ := collectTail(t, tail, 10*time.Second, func(_ []TailLine, _ []TailNote, s *TailState) bool {
		return s != nil && s.Synced && len(s.Pods) == 2
	})
	if state.Pods[0].Name != "x" || state.Pods[1].Name != "y" {
		t.Fatalf("pods %+v", state.Pods)
	}
	for _, a := range cs.Actions() {
		if a.GetResource().Resource == "pods" && (a.GetVerb() == "list" || a.GetVerb() == "watch") && a.GetNamespace() != "a" && a.GetNamespace() != "b" {
			t.Errorf("%s pods in namespace %q: a fixed set in two namespaces watches those two", a.GetVerb(), a.GetNamespace())
		}
	}
}
