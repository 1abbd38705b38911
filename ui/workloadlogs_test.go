package ui

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// tailLogs serves follow streams: the text given, then what write adds,
// until the stream is cancelled.
type tailLogs struct {
	mu    sync.Mutex
	text  map[string]string // "pod/container" or "pod/container previous"
	live  map[string][]*io.PipeWriter
	opens map[string]int
}

func newTailLogs() *tailLogs {
	return &tailLogs{text: map[string]string{}, live: map[string][]*io.PipeWriter{}, opens: map[string]int{}}
}

func (f *tailLogs) open(ctx context.Context, req kube.LogRequest) (io.ReadCloser, error) {
	k := req.Pod + "/" + req.Container
	if req.Previous {
		k += " previous"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opens[k]++
	text, ok := f.text[k]
	if !ok && req.Previous {
		return nil, io.ErrUnexpectedEOF
	}
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

func (f *tailLogs) write(podContainer, text string) {
	f.mu.Lock()
	ws := append([]*io.PipeWriter(nil), f.live[podContainer]...)
	f.mu.Unlock()
	for _, w := range ws {
		_, _ = io.WriteString(w, text)
	}
}

func (f *tailLogs) opened(k string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.opens[k]
}

// logAt is a log line at clock+s seconds, as the API sends it.
func logAt(s int, text string) string {
	return clock.Add(time.Duration(s)*time.Second).Format(time.RFC3339Nano) + " " + text + "\n"
}

// pump runs Cmds in the background and hands their messages to the page
// until until() holds; a Cmd that blocks (a tick, a tail's next batch)
// only delays its own message.
type pump struct {
	t    *testing.T
	page Page
	msgs chan tea.Msg
}

func newPump(t *testing.T, p Page) *pump {
	return &pump{t: t, page: p, msgs: make(chan tea.Msg, 256)}
}

func (u *pump) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if m := cmd(); m != nil {
			u.msgs <- m
		}
	}()
}

func (u *pump) until(what string, cond func() bool) {
	u.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case m := <-u.msgs:
			if b, ok := m.(tea.BatchMsg); ok {
				for _, c := range b {
					u.run(c)
				}
				continue
			}
			var cmd tea.Cmd
			u.page, cmd = u.page.Update(m)
			u.run(cmd)
		case <-deadline:
			u.t.Fatalf("timed out waiting for %s; screen:\n%s", what, ansi.Strip(u.page.View()))
		}
	}
}

func (u *pump) key(k string) {
	var cmd tea.Cmd
	u.page, cmd = u.page.Update(keyMsg(k))
	u.run(cmd)
}

func webPod(name string, statuses ...corev1.ContainerStatus) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, Labels: map[string]string{"app": "web"}},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: statuses},
	}
}

func runningStatus(name string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}

func newWorkloadPage(t *testing.T, logs *tailLogs, pods chan kube.PodEvent, w, h int) (*WorkloadLogPage, *pump) {
	t.Helper()
	env := PageEnv{
		Cluster: &fakeCluster{tailPods: pods, tailOpen: logs.open},
		Keys:    keymap.Default(),
		Styles:  DefaultStyles(true),
		Now:     func() time.Time { return clock },
	}
	src, err := kube.SelectorLogSource("shop", "app=web")
	if err != nil {
		t.Fatal(err)
	}
	src.Name, src.Prefix = "deployment/web", "web-"
	p := NewWorkloadLogPage(env, knownLogs(src))
	p.SetSize(w, h)
	t.Cleanup(p.Close)
	u := newPump(t, p)
	u.run(p.Init())
	return p, u
}

func TestWorkloadLogPageInterleavesPodsAndPrevious(t *testing.T) {
	logs := newTailLogs()
	logs.text["web-7d9f8-aaaaa/app"] = logAt(1, "GET /health 200") + logAt(4, "GET /cart 200")
	logs.text["web-7d9f8-bbbbb/app"] = logAt(2, "GET /health 200") + logAt(5, "GET /cart 500")
	logs.text["web-7d9f8-ccccc/app previous"] = logAt(0, "panic: runtime error: invalid memory address or nil pointer dereference") + logAt(0, "goroutine 1 [running]:")
	crashed := corev1.ContainerStatus{
		Name: "app", RestartCount: 3,
		State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 2, Reason: "Error"}},
	}
	pods := make(chan kube.PodEvent, 16)
	pods <- kube.PodEvent{Pod: webPod("web-7d9f8-aaaaa", runningStatus("app"))}
	pods <- kube.PodEvent{Pod: webPod("web-7d9f8-bbbbb", runningStatus("app"))}
	pods <- kube.PodEvent{Pod: webPod("web-7d9f8-ccccc", crashed)}
	pods <- kube.PodEvent{Synced: true}
	p, u := newWorkloadPage(t, logs, pods, 100, 12)
	u.until("six lines", func() bool { return p.buf.nextNum-1 == 6 })
	golden.RequireEqual(t, ansi.Strip(p.View()))

	// A new replica joins the open view.
	logs.text["web-9c8b7-ddddd/app"] = logAt(10, "listening on :8080")
	pods <- kube.PodEvent{Pod: webPod("web-9c8b7-ddddd", runningStatus("app"))}
	u.until("the new pod's line", func() bool { return strings.Contains(ansi.Strip(p.View()), "9c8b7-ddddd") && p.buf.nextNum-1 == 7 })
	view := ansi.Strip(p.View())
	if !strings.Contains(view, "── pod web-9c8b7-ddddd joined ──") || !strings.Contains(view, "4 pods") {
		t.Fatalf("no join:\n%s", view)
	}

	// The filter stays when a setting changes; an exclude hides a pod's lines
	// without restarting the others' streams.
	for _, k := range []string{"/", "!", "h", "e", "a", "l", "t", "h", "enter", "f"} {
		u.key(k)
	}
	if got := ansi.Strip(p.View()); strings.Contains(got, "/health") || !strings.Contains(got, "GET /cart 500") {
		t.Fatalf("exclude filter:\n%s", got)
	}
	u.key("w")
	if !p.filter || p.search.query != "!health" {
		t.Fatal("a toggle dropped the filter")
	}
	u.key("C")
	u.key("down") // web-7d9f8-aaaaa/app
	u.key("down") // web-7d9f8-bbbbb
	u.key("enter")
	u.key("esc")
	got := ansi.Strip(p.View())
	if strings.Contains(got, "GET /cart 500") || !strings.Contains(got, "GET /cart 200") {
		t.Fatalf("excluded pod still shown:\n%s", got)
	}
	u.until("the stream of the excluded pod stopped", func() bool { return p.state.Open == 2 })
	if logs.opened("web-7d9f8-aaaaa/app") != 1 {
		t.Fatal("excluding a pod restarted the others")
	}
	logs.write("web-7d9f8-aaaaa/app", logAt(20, "GET /checkout 201"))
	u.until("a followed line", func() bool { return strings.Contains(ansi.Strip(p.View()), "GET /checkout 201") })
}

func TestWorkloadLogPageSaysWhoTheCapLeavesOut(t *testing.T) {
	logs := newTailLogs()
	pods := make(chan kube.PodEvent, 16)
	for _, n := range []string{"web-a", "web-b", "web-c"} {
		logs.text[n+"/app"] = logAt(1, n)
		pods <- kube.PodEvent{Pod: webPod(n, runningStatus("app"))}
	}
	pods <- kube.PodEvent{Synced: true}
	env := PageEnv{
		Cluster: &fakeCluster{tailPods: pods, tailOpen: logs.open}, Keys: keymap.Default(), Styles: DefaultStyles(true),
		Now: func() time.Time { return clock }, Logs: LogSettings{MaxStreams: 2},
	}
	src, _ := kube.SelectorLogSource("shop", "app=web")
	p := NewWorkloadLogPage(env, knownLogs(src))
	p.SetSize(120, 10)
	t.Cleanup(p.Close)
	u := newPump(t, p)
	u.run(p.Init())
	u.until("the cap", func() bool { return len(p.state.Left) == 1 })
	view := ansi.Strip(p.View())
	if !strings.Contains(view, "cap: 1 left out") || !strings.Contains(view, "left out (web-c/app)") {
		t.Fatalf("cap not said:\n%s", view)
	}
}

func TestLogSourcePageOffersWhatTheListHas(t *testing.T) {
	env := PageEnv{Cluster: &fakeCluster{}, Keys: keymap.Default(), Styles: DefaultStyles(true), Now: func() time.Time { return clock }}
	sel := kube.Summarize(webPod("web-7d9f8-aaaaa", runningStatus("app")), clock)
	sel.Controller = "Deployment/web"
	other := kube.Summarize(webPod("web-7d9f8-bbbbb", runningStatus("app")), clock)

	p := NewLogSourcePage(env, sel, "", nil, "shop")
	p.SetSize(100, 12)
	view := ansi.Strip(p.View())
	if !strings.Contains(view, "the pods of deployment/web (owner of web-7d9f8-aaaaa)") || strings.Contains(view, "filter") {
		t.Fatalf("without a filter:\n%s", view)
	}

	p = NewLogSourcePage(env, sel, "web-7d9f8", []*kube.PodSummary{sel, other}, "shop")
	p.SetSize(100, 12)
	view = ansi.Strip(p.View())
	if !strings.Contains(view, `the 2 pods of the filter "web-7d9f8"`) || !strings.Contains(view, "label selector (in namespace shop)") {
		t.Fatalf("with a filter:\n%s", view)
	}
	// The filter's pods: enter opens them, replacing the chooser.
	p.Update(keyMsg("down"))
	_, cmd := p.Update(keyMsg("enter"))
	msg, ok := cmd().(openWorkloadLogsMsg)
	if !ok || !msg.replace {
		t.Fatalf("enter gave %#v", msg)
	}
	src, err := msg.open.Resolve(context.Background(), env.Cluster)
	if err != nil || len(src.Pods) != 2 || src.Namespace != "shop" {
		t.Fatalf("source %+v, %v", src, err)
	}

	// A selector typed in; a broken one is refused with why.
	p.Update(keyMsg("down"))
	p.Update(keyMsg("enter"))
	if !p.Capturing() {
		t.Fatal("no selector prompt")
	}
	for _, r := range "app in (" {
		p.Update(keyMsg(string(r)))
	}
	_, cmd = p.Update(keyMsg("enter"))
	if st, ok := cmd().(statusMsg); !ok || !st.isErr || !strings.Contains(st.text, "label selector") {
		t.Fatalf("broken selector: %#v", cmd())
	}
}

func TestShortenKeepsBothEnds(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"web-7d9f8-aaaaa", "web-7d9f8-aaaaa"},
		{"checkout-7b5d9f8c6-q8w2z/envoy-sidecar", "checkout-7…q8w2z/envoy-sidecar"},
	} {
		if got := shorten(tc.in, 30); got != tc.want || ansi.StringWidth(got) > 30 {
			t.Errorf("shorten(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
