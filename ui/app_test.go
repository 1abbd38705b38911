package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

var clock = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// fakeCluster serves fixed pods per namespace.
type fakeCluster struct {
	pods []*corev1.Pod
	// summaries, when set, is what WatchPods serves instead of pods, for
	// benchmarks that must not hold full pods.
	summaries []*kube.PodSummary
	forbidAll bool // RBAC forbids the all-namespaces list
	events    []diagnose.Event
	started   []kube.Scope
	// logs serves StreamLogs; nil answers that there are no logs.
	logs func(ctx context.Context, req kube.LogRequest) (*kube.LogStream, error)
	// writes serves events, YAML, delete and exec (see detail_test.go).
	writes fakeWrites
	// metrics serves metrics.k8s.io (see usage_fake_test.go).
	metrics fakeMetrics
	// crashLogs is what CrashLogs answers for every pod.
	crashLogs map[string]diagnose.ContainerLogs
	// gets counts GetPod calls, lists the DiagnoseInputs calls that LIST
	// the pods of a scope (no names), inputs the pods PodInputs was given.
	gets, lists, inputs atomic.Int64
	// getPod, when set, serves GetPod (the benchmarks' generated pods).
	getPod func(ns, name string) *corev1.Pod
	// nodesReady is what ReadyNodes answers (nil: unknown).
	nodesReady map[string]bool
	// info, when set, is what Info answers (another context).
	info *kube.Info
	// sources are the pod feeds started, to see them stopped.
	sources []*fakeSource
	// tailPods and tailOpen serve TailLogs (see there).
	tailPods chan kube.PodEvent
	tailOpen kube.LogOpener
}

func (f *fakeCluster) CrashLogs(context.Context, *corev1.Pod) map[string]diagnose.ContainerLogs {
	return f.crashLogs
}

func (f *fakeCluster) StreamLogs(ctx context.Context, req kube.LogRequest) (*kube.LogStream, error) {
	if f.logs == nil {
		return nil, errors.New("no logs in the fake cluster")
	}
	return f.logs(ctx, req)
}

func (f *fakeCluster) Info() kube.Info {
	if f.info != nil {
		return *f.info
	}
	return kube.Info{Context: "kind-dev", Cluster: "kind-dev", Namespace: "shop"}
}

func (f *fakeCluster) WatchPods(_ context.Context, s kube.Scope) (kube.PodSource, error) {
	f.started = append(f.started, s)
	snap := kube.PodSnapshot{Synced: true, Scope: s}
	if s.AllNamespaces() && f.forbidAll {
		snap.Scope.Namespace = "shop"
		snap.Notice = `not allowed to list pods in all namespaces; showing namespace "shop" instead`
	}
	for _, p := range f.pods {
		if snap.Scope.AllNamespaces() || p.Namespace == snap.Scope.Namespace {
			snap.Pods = append(snap.Pods, kube.Summarize(p, clock))
		}
	}
	if f.summaries != nil {
		snap.Pods = f.summaries
	}
	src := &fakeSource{snap: snap, changed: make(chan struct{}, 1), done: make(chan struct{})}
	f.sources = append(f.sources, src)
	return src, nil
}

func (f *fakeCluster) DiagnoseInputs(_ context.Context, ns string, all bool, _ string, names []string) ([]diagnose.Input, error) {
	if len(names) == 0 {
		f.lists.Add(1)
	} else {
		f.gets.Add(int64(len(names)))
	}
	var out []diagnose.Input
	for _, p := range f.pods {
		if (all || p.Namespace == ns) && (len(names) == 0 || slices.Contains(names, p.Name)) {
			out = append(out, diagnose.Input{Pod: p, Events: f.events, Now: clock})
		}
	}
	return out, nil
}

func (f *fakeCluster) PodInputs(_ context.Context, pods []*corev1.Pod) []diagnose.Input {
	f.inputs.Add(int64(len(pods)))
	out := make([]diagnose.Input, len(pods))
	for i, p := range pods {
		out[i] = diagnose.Input{Pod: p, Events: f.events, Now: clock}
	}
	return out
}

func (f *fakeCluster) Namespaces(context.Context) ([]string, error) {
	return []string{"db", "shop"}, nil
}

type fakeSource struct {
	stopped bool
	snap    kube.PodSnapshot
	changed chan struct{}
	done    chan struct{}
}

func (s *fakeSource) Changed() <-chan struct{}   { return s.changed }
func (s *fakeSource) Done() <-chan struct{}      { return s.done }
func (s *fakeSource) Snapshot() kube.PodSnapshot { return s.snap }
func (s *fakeSource) Stop()                      { s.stopped = true }

// summaries is what the pod cache would hold of the pods.
func summaries(pods []*corev1.Pod) []*kube.PodSummary {
	out := make([]*kube.PodSummary, len(pods))
	for i, p := range pods {
		out[i] = kube.Summarize(p, clock)
	}
	return out
}

func pod(ns, name, node string, age time.Duration, mutate func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ns, Name: name, UID: types.UID(ns + "/" + name),
			CreationTimestamp: metav1.NewTime(clock.Add(-age)),
		},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "app", Image: "app:1"}}},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning, PodIP: "10.244.0.7",
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{{
				Name: "app", Ready: true, Started: new(true),
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
			}},
		},
	}
	if mutate != nil {
		mutate(p)
	}
	return p
}

func waiting(reason string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodPending
		p.Status.PodIP = ""
		p.Status.Conditions = nil
		p.Status.ContainerStatuses[0].Ready = false
		p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}
	}
}

func crashLoop(p *corev1.Pod) {
	p.Status.Conditions = nil
	cs := &p.Status.ContainerStatuses[0]
	cs.Ready, cs.RestartCount = false, 7
	cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: 137, Reason: "OOMKilled", FinishedAt: metav1.NewTime(clock.Add(-3 * time.Minute)),
	}}
}

func fixturePods() []*corev1.Pod {
	return []*corev1.Pod{
		pod("shop", "api-7d9f8-abcde", "worker-1", 3*time.Hour, nil),
		pod("shop", "api-7d9f8-fghij", "worker-2", 2*time.Hour, crashLoop),
		pod("shop", "web-5c6d-xk2p9", "worker-1", 40*time.Minute, waiting("ImagePullBackOff")),
		pod("shop", "worker-0", "worker-3", 26*time.Hour, waiting("CreateContainerConfigError")),
		pod("db", "postgres-0", "worker-2", 72*time.Hour, nil),
		pod("db", "migrate-xyz", "worker-3", 5*time.Hour, func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodSucceeded
			p.Status.Conditions = nil
			p.Status.ContainerStatuses[0].Ready = false
			p.Status.ContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}
		}),
	}
}

// harnessApp builds an app at a fixed size and clock and loads the first snapshot.
func harnessApp(t *testing.T, c *fakeCluster, scope kube.Scope, w, h int) *App {
	t.Helper()
	a := New(c, Options{Scope: scope, Keys: keymap.Default(), Now: func() time.Time { return clock }, Dark: true})
	a.Update(tea.WindowSizeMsg{Width: w, Height: h})
	load(t, a)
	return a
}

// load runs the feed start and the first snapshot, as the runtime would.
func load(t *testing.T, a *App) {
	t.Helper()
	msg := startFeed(a.cluster, a.scope, a.feeds.last())()
	_, cmd := a.Update(msg)
	if cmd == nil {
		t.Fatalf("feed did not start: %+v", msg)
	}
	a.Update(cmd())
}

// listKey presses a key on the pod list that acts on the selected pod. The
// list holds summaries, so the key first reads the pod (in the fake: at
// once); listKey hands the app that read and returns what the action
// started.
func listKey(a *App, k string) tea.Cmd {
	_, cmd := a.Update(keyMsg(k))
	if cmd == nil {
		return nil
	}
	_, next := a.Update(cmd())
	return next
}

func press(a *App, keys ...string) {
	for _, k := range keys {
		a.Update(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func screen(a *App) string {
	return ansi.Strip(a.View().Content)
}

func TestPodListGolden(t *testing.T) {
	tests := []struct {
		name  string
		scope kube.Scope
		w, h  int
		keys  []string
	}{
		{name: "namespace", scope: kube.Scope{Namespace: "shop"}, w: 110, h: 12},
		{name: "all_namespaces", scope: kube.Scope{}, w: 120, h: 12},
		{name: "narrow", scope: kube.Scope{}, w: 60, h: 8},
		{name: "sorted_by_status", scope: kube.Scope{}, w: 120, h: 12, keys: []string{"o"}},
		{name: "sorted_by_restarts_reversed", scope: kube.Scope{}, w: 120, h: 12, keys: []string{"o", "o", "O"}},
		{name: "filtered", scope: kube.Scope{}, w: 120, h: 12, keys: []string{"/", "i", "m", "a", "g", "e"}},
		{name: "help", scope: kube.Scope{Namespace: "shop"}, w: 100, h: 16, keys: []string{"?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := harnessApp(t, &fakeCluster{pods: fixturePods()}, tt.scope, tt.w, tt.h)
			press(a, tt.keys...)
			out := screen(a)
			if got := strings.Count(out, "\n") + 1; got != tt.h {
				t.Errorf("screen has %d lines, want %d", got, tt.h)
			}
			golden.RequireEqual(t, out)
		})
	}
}

func TestFilterMatchesFuzzilyAndClears(t *testing.T) {
	a := harnessApp(t, &fakeCluster{pods: fixturePods()}, kube.Scope{}, 120, 12)
	press(a, "/", "c", "r", "s", "h")
	if got := a.list.Len(); got != 1 || a.list.index.Shown(0).Name != "api-7d9f8-fghij" {
		t.Fatalf("filter 'crsh' should match only the crash-looping pod, got %d rows:\n%s", got, screen(a))
	}
	press(a, "enter") // leave the input, keep the filter
	if !strings.Contains(screen(a), "filter: crsh") {
		t.Fatalf("filter not shown in status line:\n%s", screen(a))
	}
	press(a, "esc")
	if got := a.list.Len(); got != 6 {
		t.Fatalf("esc should clear the filter, got %d rows", got)
	}
}

func TestSelectionFollowsPodAcrossUpdates(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{}, 120, 12)
	press(a, "down", "down")
	before, _ := a.list.SelectedPod()
	// A new pod sorted before the selection must not move the cursor off it.
	pods := append([]*corev1.Pod{pod("aaa", "aaa-first", "w", time.Minute, nil)}, c.pods...)
	a.Update(podsMsg{Ticket: a.feeds.last(), snap: kube.PodSnapshot{Pods: summaries(pods), Synced: true}})
	after, _ := a.list.SelectedPod()
	if before.UID != after.UID {
		t.Fatalf("selection moved from %s to %s", before.Name, after.Name)
	}
}

func TestStaleMessagesAreDropped(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 120, 12)
	old := a.feeds.last()
	press(a, "a") // all namespaces: a new feed
	// A late snapshot of the old feed, with a pod only it has, must not show.
	stale := pod("shop", "stale-from-the-old-feed", "n1", time.Hour, nil)
	a.Update(podsMsg{Ticket: old, snap: kube.PodSnapshot{Pods: summaries([]*corev1.Pod{stale}), Synced: true, Scope: kube.Scope{Namespace: "shop"}}})
	if a.loaded || a.list.Total() != 0 || strings.Contains(screen(a), "stale-from-the-old-feed") {
		t.Fatalf("a snapshot of the old feed was applied:\n%s", screen(a))
	}
	load(t, a)
	if got := a.list.Total(); got != 6 {
		t.Fatalf("all namespaces: got %d pods, want 6", got)
	}
}

func TestStaleConnectionIsShown(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 120, 12)
	snap := a.snap
	snap.Conn = kube.Conn{Stale: true, Problem: "API server unreachable: connection refused; reconnecting", Since: clock.Add(-12 * time.Second)}
	a.Update(podsMsg{Ticket: a.feeds.last(), snap: snap})
	out := screen(a)
	for _, want := range []string{"STALE", "API server unreachable: connection refused; reconnecting (for 12s)", "api-7d9f8-abcde"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	golden.RequireEqual(t, out)
}

func TestRBACFallbackNotice(t *testing.T) {
	c := &fakeCluster{pods: fixturePods(), forbidAll: true}
	a := harnessApp(t, c, kube.Scope{}, 120, 12)
	out := screen(a)
	if !strings.Contains(out, `not allowed to list pods in all namespaces; showing namespace "shop" instead`) || !strings.Contains(out, "namespace: shop") {
		t.Fatalf("fallback not explained:\n%s", out)
	}
}

func TestNamespacePicker(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 120, 12)
	press(a, ":")
	a.Update(loadNamespaces(c)())
	out := screen(a)
	if !strings.Contains(out, "(all namespaces)") || !strings.Contains(out, "shop (current)") {
		t.Fatalf("picker not shown:\n%s", out)
	}
	press(a, "d", "b", "enter")
	load(t, a)
	if got := c.started[len(c.started)-1]; got.Namespace != "db" {
		t.Fatalf("feed restarted for %q, want db", got.Namespace)
	}
	if out := screen(a); !strings.Contains(out, "postgres-0") || strings.Contains(out, "api-7d9f8") {
		t.Fatalf("namespace db not shown:\n%s", out)
	}
}

func TestFeedErrorIsShown(t *testing.T) {
	a := New(&errCluster{}, Options{Keys: keymap.Default(), Now: func() time.Time { return clock }})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 8})
	a.Update(startFeed(a.cluster, a.scope, a.feeds.last())())
	if out := screen(a); !strings.Contains(out, `cannot list pods: invalid label selector "a=="`) {
		t.Fatalf("error not shown:\n%s", out)
	}
}

type errCluster struct{ fakeCluster }

func (*errCluster) WatchPods(context.Context, kube.Scope) (kube.PodSource, error) {
	return nil, errors.New(`invalid label selector "a=="`)
}

func TestTinyTerminalDoesNotPanic(t *testing.T) {
	a := harnessApp(t, &fakeCluster{pods: fixturePods()}, kube.Scope{}, 120, 12)
	for _, sz := range [][2]int{{20, 5}, {1, 1}, {0, 0}, {5, 3}, {200, 60}} {
		a.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		press(a, "down", "G", "g", "?", "?")
		_ = screen(a)
	}
}

func TestDiagnosisPage(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	c.events = []diagnose.Event{{
		Object: corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: "api-7d9f8-fghij", UID: "shop/api-7d9f8-fghij"},
		Type:   "Warning", Reason: "BackOff", Message: "Back-off restarting failed container app in pod api-7d9f8-fghij_shop(1234)\x1b]52;c;ZXZpbA==\a",
		Count: 12, FirstTime: clock.Add(-time.Hour), LastTime: clock.Add(-time.Minute), Source: "kubelet",
	}}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 110, 30)
	press(a, "down") // the crash-looping pod
	cmd := listKey(a, "D")
	if a.top() == nil {
		t.Fatal("D did not open the diagnosis page")
	}
	a.Update(cmd()) // events and related objects arrive
	out := screen(a)
	for _, want := range []string{"diagnosis shop/api-7d9f8-fghij", "OOMKilled", "next:", "kubectl logs api-7d9f8-fghij -n shop -c app --previous"} {
		if !strings.Contains(out, want) {
			t.Errorf("diagnosis lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(a.View().Content, "\x1b]52") {
		t.Fatal("an escape sequence from an event reached the screen")
	}
	golden.RequireEqual(t, out)

	// c copies the selected command through OSC 52 and says so.
	_, cmd = a.Update(keyMsg("c"))
	if cmd == nil {
		t.Fatal("copy returned no command")
	}
	msgs := runBatch(cmd)
	var copied bool
	for _, m := range msgs {
		if st, ok := m.(statusMsg); ok && strings.HasPrefix(st.text, "copied: kubectl") {
			copied = true
		}
		a.Update(m)
	}
	if !copied || !strings.Contains(screen(a), "copied: kubectl") {
		t.Fatalf("copy not confirmed:\n%s", screen(a))
	}
	_, cmd = a.Update(keyMsg("esc"))
	for _, m := range runBatch(cmd) {
		a.Update(m)
	}
	if a.top() != nil {
		t.Fatal("esc did not close the page")
	}
}

func TestDiagnosisPageQuotesCrashLogs(t *testing.T) {
	c := &fakeCluster{pods: fixturePods(), crashLogs: map[string]diagnose.ContainerLogs{"app": {
		Previous: "loading 1.2M rows\nException in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n\tat com.example.Loader.load(Loader.java:57)\n\x1b]52;c;ZXZpbA==\a\n",
	}}}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 200, 40)
	press(a, "down") // the OOM-killed pod
	cmd := listKey(a, "D")
	if strings.Contains(screen(a), "Java heap space") {
		t.Fatal("logs shown before the load command ran")
	}
	a.Update(cmd())
	out := screen(a)
	for _, want := range []string{
		": Java OutOfMemoryError: Java heap space",
		`previous logs (line 2 of 4): Exception in thread "main" java.lang.OutOfMemoryError: Java heap space`,
		"previous logs (line 3 of 4): at com.example.Loader.load(Loader.java:57)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diagnosis lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(a.View().Content, "\x1b]52") {
		t.Fatal("an escape sequence from a log reached the screen")
	}
}

// runBatch runs a command, expanding batches, and returns the messages.
func runBatch(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runBatch(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// TailLogs tails f.pods (or the events of f.tailPods) with f.tailOpen
// serving the streams.
func (f *fakeCluster) TailLogs(ctx context.Context, src kube.LogSource, opts kube.TailOptions) *kube.Tail {
	pods := f.tailPods
	if pods == nil {
		ch := make(chan kube.PodEvent, len(f.pods)+1)
		for _, p := range f.pods {
			ch <- kube.PodEvent{Pod: p}
		}
		ch <- kube.PodEvent{Synced: true}
		pods = ch
	}
	open := f.tailOpen
	if open == nil {
		open = func(context.Context, kube.LogRequest) (io.ReadCloser, error) {
			return nil, errors.New("no logs in the fake cluster")
		}
	}
	return kube.StartTail(ctx, src, opts, pods, open)
}

func (f *fakeCluster) OwnerLogSource(_ context.Context, pod *corev1.Pod) (kube.LogSource, error) {
	ref := metav1.GetControllerOf(pod)
	if ref == nil {
		return kube.LogSource{}, fmt.Errorf("pod %s/%s has no owner", pod.Namespace, pod.Name)
	}
	return kube.SelectorLogSource(pod.Namespace, "app="+pod.Labels["app"])
}

// TestPickerFromAPage: ":" opens the namespace/context picker over any
// page; esc goes back to the page, a namespace chosen closes the pages
// (they follow pods of the old scope).
func TestPickerFromAPage(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 120, 12)
	a.open(func(env PageEnv) Page { return NewYAMLPage(env, fixturePods()[0]) })
	press(a, ":")
	a.Update(loadNamespaces(c)())
	if out := screen(a); !strings.Contains(out, "shop (current)") {
		t.Fatalf("picker not over the page:\n%s", out)
	}
	press(a, "esc")
	if _, ok := a.top().(*YAMLPage); !ok || a.picking {
		t.Fatalf("esc left the page: top %T, picking %v", a.top(), a.picking)
	}
	press(a, ":")
	a.Update(loadNamespaces(c)())
	press(a, "d", "b", "enter")
	load(t, a)
	if a.top() != nil || c.started[len(c.started)-1].Namespace != "db" {
		t.Fatalf("top %T, feed %v", a.top(), c.started)
	}
}
