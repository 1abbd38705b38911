package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"go.uber.org/goleak"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// logFake serves log streams that stay open and never produce lines on their
// own: tests hand the page chunks themselves, with the stream's ID.
type logFake struct {
	mu      sync.Mutex
	reqs    []kube.LogRequest
	streams []*kube.LogStream
	err     error
}

func (f *logFake) stream(ctx context.Context, req kube.LogRequest) (*kube.LogStream, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	if f.err != nil {
		return nil, f.err
	}
	pr, _ := io.Pipe()
	s, err := kube.OpenLogStream(ctx, req, func(context.Context, kube.LogRequest) (io.ReadCloser, error) { return pr, nil })
	if err == nil {
		f.streams = append(f.streams, s)
	}
	return s, err
}

func (f *logFake) last() kube.LogRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reqs[len(f.reqs)-1]
}

func (f *logFake) stopAll() {
	for _, s := range f.streams {
		s.Stop()
	}
}

func newTestLogPage(t *testing.T, pod *corev1.Pod, open LogOpen, w, h int) (*LogPage, *logFake) {
	t.Helper()
	lf := &logFake{}
	t.Cleanup(lf.stopAll)
	env := PageEnv{
		Cluster: &fakeCluster{logs: lf.stream},
		Keys:    keymap.Default(),
		Styles:  DefaultStyles(true),
		Now:     func() time.Time { return clock },
	}
	p := NewLogPage(env, pod, open)
	p.SetSize(w, h)
	runStart(t, p, p.start())
	return p, lf
}

// runStart runs the Cmd that opens a stream and hands its result to the page.
func runStart(t *testing.T, p *LogPage, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		t.Fatal("no stream started")
	}
	p.Update(cmd())
}

func send(p *LogPage, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		var m tea.KeyPressMsg
		switch k {
		case "tab":
			m = tea.KeyPressMsg{Code: tea.KeyTab}
		case "end":
			m = tea.KeyPressMsg{Code: tea.KeyEnd}
		case "ctrl+s":
			m = tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
		default:
			m = keyMsg(k)
		}
		_, cmd = p.Update(m)
	}
	return cmd
}

func lines(from, to int, format string) []kube.LogLine {
	var out []kube.LogLine
	for i := from; i <= to; i++ {
		out = append(out, kube.LogLine{Time: clock.Add(time.Duration(i) * time.Second), Text: fmt.Sprintf(format, i)})
	}
	return out
}

func feed(p *LogPage, ls []kube.LogLine) {
	p.Update(logChunkMsg{Ticket: p.starts.last(), chunk: kube.LogChunk{StreamID: streamID(p), Lines: ls}})
}

// streamID is the ID of the page's only stream.
func streamID(p *LogPage) uint64 {
	for id := range p.streams {
		return id
	}
	return 0
}

func plain(p *LogPage) string { return ansi.Strip(p.View()) }

func multiPod() *corev1.Pod {
	return pod("shop", "api-7d9f8-abcde", "worker-1", time.Hour, func(p *corev1.Pod) {
		always := corev1.ContainerRestartPolicyAlways
		p.Spec.InitContainers = []corev1.Container{{Name: "migrate"}, {Name: "proxy", RestartPolicy: &always}}
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "metrics"})
		p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger"}}}
		p.Status.InitContainerStatuses = []corev1.ContainerStatus{
			{Name: "migrate", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}},
			{Name: "proxy", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
		}
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{
			Name: "metrics", RestartCount: 2, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 1}},
		})
	})
}

func TestLogPageGolden(t *testing.T) {
	long := strings.Repeat("0123456789", 20)
	tests := []struct {
		name string
		keys []string
	}{
		{name: "follow"},
		{name: "numbers_timestamps", keys: []string{"#", "t"}},
		{name: "wrap", keys: []string{"w"}},
		{name: "search", keys: []string{"/", "e", "r", "r", "o", "r", "enter"}},
		{name: "filter", keys: []string{"/", "e", "r", "r", "o", "r", "enter", "f"}},
		{name: "picker", keys: []string{"C", "down"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := newTestLogPage(t, multiPod(), LogOpen{}, 80, 10)
			ls := lines(1, 20, "GET /api/orders/%d 200")
			ls[12].Text = "ERROR db timeout after 5s"
			ls[15].Text = "error: retrying " + long
			ls[17].Text = "WARN slow\tquery"
			feed(p, ls)
			send(p, tt.keys...)
			out := plain(p)
			if got := strings.Count(out, "\n") + 1; got != 10 {
				t.Errorf("view has %d lines, want 10", got)
			}
			golden.RequireEqual(t, out)
		})
	}
}

func TestLogPageFollowReleasesAndReengages(t *testing.T) {
	p, _ := newTestLogPage(t, pod("shop", "api", "n", time.Hour, nil), LogOpen{}, 60, 6)
	feed(p, lines(1, 100, "line %d"))
	if out := plain(p); !strings.Contains(out, "line 100") || !strings.Contains(out, "FOLLOW") || !strings.Contains(out, "● live") {
		t.Fatalf("follow view lacks the last line or the markers:\n%s", out)
	}
	send(p, "up")
	out := plain(p)
	if !strings.Contains(out, "paused") || strings.Contains(out, "line 100") || !strings.Contains(out, "line 99") {
		t.Fatalf("scrolling up did not release follow:\n%s", out)
	}
	feed(p, lines(101, 110, "line %d"))
	if out := plain(p); strings.Contains(out, "line 110") || !strings.Contains(out, "line 99") {
		t.Fatalf("new lines moved a paused view:\n%s", out)
	}
	send(p, "G")
	if out := plain(p); !strings.Contains(out, "line 110") || !strings.Contains(out, "FOLLOW") {
		t.Fatalf("G did not re-engage follow:\n%s", out)
	}
	send(p, "g", "end")
	if !p.follow {
		t.Error("End did not re-engage follow")
	}
	p.env.Now = func() time.Time { return clock.Add(time.Minute) }
	if out := plain(p); !strings.Contains(out, "○ quiet") {
		t.Errorf("no quiet marker a minute after the last line:\n%s", out)
	}
}

func TestLogPageDropsChunksOfStreamsItLeft(t *testing.T) {
	p, lf := newTestLogPage(t, multiPod(), LogOpen{}, 80, 8)
	oldID := streamID(p)
	feed(p, lines(1, 3, "app says %d"))
	started := send(p, "tab") // next container: a new stream
	if c, _ := p.container(); c.name != "metrics" {
		t.Fatalf("tab switched to %q", c.name)
	}
	// A chunk of the old stream arrives before the new stream is open…
	p.Update(logChunkMsg{Ticket: p.starts.last(), chunk: kube.LogChunk{StreamID: oldID, Lines: lines(4, 5, "app says %d")}})
	runStart(t, p, started)
	// …and after.
	p.Update(logChunkMsg{Ticket: p.starts.last(), chunk: kube.LogChunk{StreamID: oldID, Lines: lines(6, 7, "app says %d")}})
	feed(p, lines(1, 2, "metrics says %d"))
	out := plain(p)
	if strings.Contains(out, "app says") || !strings.Contains(out, "metrics says 2") {
		t.Fatalf("another stream's lines are shown:\n%s", out)
	}
	if r := lf.last(); r.Container != "metrics" || r.Previous || !r.Follow {
		t.Errorf("request after switch: %+v", r)
	}
	// A late start of a stream the page left is stopped, not shown.
	old := p.starts.last()
	old.Seq--
	stale := logStartedMsg{Ticket: old, stream: lf.streams[0]}
	if _, cmd := p.Update(stale); cmd == nil {
		t.Error("a stale stream is not stopped")
	} else {
		cmd()
	}
}

func TestLogPageCloseCancelsStream(t *testing.T) {
	before := goleak.IgnoreCurrent()
	p, lf := newTestLogPage(t, multiPod(), LogOpen{}, 80, 8)
	send(p, "C", "down", "down", "down")
	for _, c := range send(p, "enter")().(tea.BatchMsg) { // all containers: 5 streams
		p.Update(c())
	}
	// A Cmd waiting for the next chunk, as the app would run it.
	waiting := make(chan tea.Msg)
	for _, s := range p.streams {
		go func() { waiting <- waitChunk(p.starts.last(), s)() }()
	}
	p.Close()
	for range 5 {
		select {
		case <-waiting:
		case <-time.After(2 * time.Second):
			t.Fatal("a chunk wait still blocks after Close")
		}
	}
	for _, s := range lf.streams {
		s.Stop() // returns once the stream's goroutines have ended
	}
	goleak.VerifyNone(t, before)
}

func TestLogPageCrashLoopOpensOnPrevious(t *testing.T) {
	p, lf := newTestLogPage(t, pod("shop", "api", "n", time.Hour, crashLoop), LogOpen{}, 80, 8)
	if r := lf.last(); !r.Previous || r.Follow {
		t.Fatalf("request: %+v, want previous without follow", r)
	}
	if got := p.Title(); !strings.Contains(got, "(previous: crash-looping)") {
		t.Errorf("title %q does not say why", got)
	}
	// p goes back to the current instance.
	runStart(t, p, send(p, "p"))
	if r := lf.last(); r.Previous || !r.Follow {
		t.Errorf("after p: %+v", r)
	}
}

func TestLogPagePreviousKeyNeedsARestart(t *testing.T) {
	p, lf := newTestLogPage(t, pod("shop", "api", "n", time.Hour, nil), LogOpen{}, 80, 8)
	if p.keys.Previous.Enabled() {
		t.Error("p enabled for a container that never restarted")
	}
	if send(p, "p"); len(lf.reqs) != 1 {
		t.Error("p restarted the stream of a container without a previous instance")
	}
}

func TestLogPageShowsAPIErrorInline(t *testing.T) {
	lf := &logFake{err: errors.New(`previous terminated container "app" in pod "api" not found`)}
	env := PageEnv{Cluster: &fakeCluster{logs: lf.stream}, Keys: keymap.Default(), Styles: DefaultStyles(true), Now: func() time.Time { return clock }}
	p := NewLogPage(env, pod("shop", "api", "n", time.Hour, nil), LogOpen{Previous: true})
	p.SetSize(100, 6)
	runStart(t, p, p.start())
	if out := plain(p); !strings.Contains(out, `previous terminated container "app" in pod "api" not found`) {
		t.Fatalf("API answer not shown:\n%s", out)
	}
}

func TestLogPageBufferIsBounded(t *testing.T) {
	p, _ := newTestLogPage(t, pod("shop", "api", "n", time.Hour, nil), LogOpen{MaxLines: 100}, 80, 6)
	feed(p, lines(1, 12_445, "line %d"))
	if p.buf.len() != 100 {
		t.Errorf("buffer holds %d lines, want 100", p.buf.len())
	}
	if out := plain(p); !strings.Contains(out, "12,345 older lines dropped") || !strings.Contains(out, "line 12445") {
		t.Fatalf("no count of dropped lines:\n%s", out)
	}
	p.Update(logChunkMsg{Ticket: p.starts.last(), chunk: kube.LogChunk{StreamID: streamID(p), Skipped: 42}})
	if out := plain(p); !strings.Contains(out, "42 lines skipped") {
		t.Fatalf("skipped lines not said:\n%s", out)
	}
	// The header keeps the total after the markers have scrolled away.
	p.Update(logChunkMsg{Ticket: p.starts.last(), chunk: kube.LogChunk{StreamID: streamID(p), Skipped: 8}})
	feed(p, lines(1, 500, "more %d"))
	if out := plain(p); !strings.Contains(strings.Split(out, "\n")[0], "50 lines skipped") {
		t.Fatalf("the header lacks the total of skipped lines:\n%s", out)
	}
}

func TestLogPageNeutralisesEscapes(t *testing.T) {
	p, _ := newTestLogPage(t, pod("shop", "api", "n", time.Hour, nil), LogOpen{}, 80, 6)
	feed(p, []kube.LogLine{{Text: "\x1b]52;c;cm0gLXJmIC8=\x07\x1b]2;pwned\x07\x1b[2J\x1b[Hhello\x9b31m\xff"}})
	raw := p.View()
	if strings.Contains(raw, "\x1b]") || strings.Contains(raw, "\x1b[2J") || strings.Contains(raw, "\x1b[H") {
		t.Fatalf("escape sequence reached the view: %q", raw)
	}
	if out := plain(p); !strings.Contains(out, "hello") {
		t.Fatalf("text lost:\n%s", out)
	}
}

func TestLogPageMarksRestarts(t *testing.T) {
	pd := pod("shop", "api", "n", time.Hour, nil)
	p, _ := newTestLogPage(t, pd, LogOpen{}, 100, 6)
	feed(p, lines(1, 2, "first instance %d"))
	restarted := pd.DeepCopy()
	restarted.ResourceVersion = "2"
	restarted.Status.ContainerStatuses[0].RestartCount = 1
	// The cache's summary moves; the page reads the pod again.
	p.env.Cluster.(*fakeCluster).pods = []*corev1.Pod{restarted}
	_, read := p.Update(PodsChangedMsg{Snapshot: kube.PodSnapshot{Synced: true, Pods: summaries([]*corev1.Pod{restarted})}})
	if read == nil {
		t.Fatal("a moved summary did not read the pod again")
	}
	p.Update(read())
	feed(p, lines(3, 3, "second instance %d"))
	out := plain(p)
	if !strings.Contains(out, "container app restarted (restart #1)") || !strings.Contains(out, "second instance 3") {
		t.Fatalf("restart not marked:\n%s", out)
	}
	if !p.keys.Previous.Enabled() {
		t.Error("p still disabled after a restart")
	}
}

func TestLogPagePickerSwitchesContainer(t *testing.T) {
	p, lf := newTestLogPage(t, multiPod(), LogOpen{}, 100, 10)
	send(p, "C")
	out := plain(p)
	for _, want := range []string{"migrate", "init", "proxy", "sidecar", "metrics", "debugger", "ephemeral"} {
		if !strings.Contains(out, want) {
			t.Errorf("picker lacks %q:\n%s", want, out)
		}
	}
	send(p, "up")
	runStart(t, p, send(p, "enter"))
	if r := lf.last(); r.Container != "proxy" {
		t.Errorf("picked %q, want proxy", r.Container)
	}
}

func TestLogPageSearchJumpsAndFilters(t *testing.T) {
	p, _ := newTestLogPage(t, pod("shop", "api", "n", time.Hour, nil), LogOpen{}, 80, 6)
	ls := lines(1, 1000, "ok %d")
	for _, i := range []int{99, 499, 899} {
		ls[i].Text = fmt.Sprintf("Timeout at %d", i+1)
	}
	feed(p, ls)
	send(p, "/", "t", "i", "m", "e", "o", "u", "t", "enter")
	if out := plain(p); !strings.Contains(out, "Timeout at 900") || !strings.Contains(out, "3/3") {
		t.Fatalf("search did not land on the newest match:\n%s", out)
	}
	send(p, "N")
	if out := plain(p); !strings.Contains(out, "Timeout at 500") || !strings.Contains(out, "2/3") {
		t.Fatalf("N did not go to the previous match:\n%s", out)
	}
	send(p, "n", "n")
	if out := plain(p); !strings.Contains(out, "Timeout at 100") {
		t.Fatalf("n did not wrap around:\n%s", out)
	}
	send(p, "f")
	out := plain(p)
	if strings.Contains(out, "ok ") || strings.Count(out, "Timeout at") != 3 {
		t.Fatalf("filter shows other lines:\n%s", out)
	}
	feed(p, []kube.LogLine{{Text: "timeout again"}, {Text: "ok 1001"}})
	if out := plain(p); !strings.Contains(out, "timeout again") || strings.Contains(out, "ok 1001") {
		t.Fatalf("filter does not apply to new lines:\n%s", out)
	}
	send(p, "esc")
	if p.search.query != "" || p.filter {
		t.Error("esc did not clear the search")
	}
}

func TestAppOpensLogs(t *testing.T) {
	lf := &logFake{}
	t.Cleanup(lf.stopAll)
	c := &fakeCluster{pods: fixturePods(), logs: lf.stream}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 140, 12)
	listKey(a, "l")
	if _, ok := a.top().(*LogPage); !ok {
		t.Fatalf("l opened %T", a.top())
	}
	press(a, "esc")
	crashing := fixturePods()[1]
	a.Update(ActionMsg{Pod: crashing, Container: "app", Action: diagnose.ActionPreviousLogs})
	lp, ok := a.top().(*LogPage)
	if !ok || !lp.previous {
		t.Fatalf("previous-logs action opened %T", a.top())
	}
	if out := screen(a); !strings.Contains(out, "logs shop/api-7d9f8-fghij app (previous") {
		t.Errorf("header lacks the page title:\n%s", out)
	}
}

func TestLogPageCopiesVisibleLines(t *testing.T) {
	p, _ := newTestLogPage(t, pod("shop", "api", "n", time.Hour, nil), LogOpen{}, 60, 4)
	feed(p, lines(1, 10, "line %d"))
	cmd := send(p, "c")
	if cmd == nil {
		t.Fatal("c did nothing")
	}
	var got string
	for _, c := range cmd().(tea.BatchMsg) {
		if m := c(); strings.Contains(fmt.Sprintf("%T", m), "Clipboard") {
			got = fmt.Sprint(m)
		}
	}
	if got != "line 8\nline 9\nline 10" {
		t.Errorf("copied %q, want the 3 visible lines", got)
	}
}

func TestLogPageSavesToANewFile(t *testing.T) {
	p, _ := newTestLogPage(t, pod("shop", "api", "n", time.Hour, nil), LogOpen{}, 60, 6)
	feed(p, lines(1, 3, "line %d"))
	path := t.TempDir() + "/api.log"
	send(p, "s")
	if !p.Capturing() || !strings.Contains(plain(p), "save loaded lines to: shop_api_app.log") {
		t.Fatalf("no save prompt:\n%s", plain(p))
	}
	p.save.input.SetValue(path)
	cmd := send(p, "enter")
	msg := cmd().(logSavedMsg)
	if msg.err != nil || msg.lines != 3 {
		t.Fatalf("save: %+v", msg)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "line 1\nline 2\nline 3\n" {
		t.Fatalf("file holds %q, %v", b, err)
	}
	send(p, "s")
	p.save.input.SetValue(path)
	if msg := send(p, "enter")().(logSavedMsg); msg.err == nil || !strings.Contains(msg.err.Error(), "not overwritten") {
		t.Errorf("an existing file was overwritten: %+v", msg)
	}
}

func TestLogPageKeepsColoursOnlyWhenAsked(t *testing.T) {
	p, _ := newTestLogPage(t, pod("shop", "api", "n", time.Hour, nil), LogOpen{}, 60, 4)
	feed(p, []kube.LogLine{{Text: "\x1b[38;5;123mcoloured\x1b[0m \x1b]52;c;eA==\x07text"}})
	if strings.Contains(p.View(), "\x1b[38;5;123m") {
		t.Fatal("colours kept without K")
	}
	send(p, "K")
	raw := p.View()
	if !strings.Contains(raw, "\x1b[38;5;123mcoloured") || strings.Contains(raw, "\x1b]52") {
		t.Fatalf("K: %q", raw)
	}
	if out := plain(p); !strings.Contains(out, "coloured text") {
		t.Fatalf("text lost:\n%s", out)
	}
}

func TestLogPageInterleavesAllContainers(t *testing.T) {
	p, lf := newTestLogPage(t, multiPod(), LogOpen{}, 100, 10)
	send(p, "C", "down", "down", "down")
	cmd := send(p, "enter")
	for _, c := range cmd().(tea.BatchMsg) {
		p.Update(c())
	}
	if len(p.streams) != 5 || len(lf.reqs) != 6 {
		t.Fatalf("%d streams open after %d requests, want one per container", len(p.streams), len(lf.reqs))
	}
	ids := map[string]uint64{}
	for id, name := range p.names {
		ids[name] = id
	}
	chunk := func(name string, ls []kube.LogLine) {
		p.Update(logChunkMsg{Ticket: p.starts.last(), chunk: kube.LogChunk{StreamID: ids[name], Lines: ls}})
	}
	// Each stream's tail arrives on its own: app's (1, 3) before proxy's (2).
	chunk("app", append(lines(1, 1, "app %d"), lines(3, 3, "app %d")...))
	chunk("proxy", lines(2, 2, "proxy %d"))
	if out := plain(p); strings.Contains(out, "app 1") {
		t.Fatalf("lines shown before every stream answered:\n%s", out)
	}
	// The other three stay silent: the tick lets the tails out after a while.
	p.Update(logTickMsg{})
	if out := plain(p); strings.Contains(out, "app 1") {
		t.Fatalf("lines let out before the wait:\n%s", out)
	}
	p.env.Now = func() time.Time { return clock.Add(backlogWait) }
	p.Update(logTickMsg{})
	chunk("app", lines(4, 4, "app %d")) // live lines pass straight through
	out := plain(p)
	if !strings.Contains(out, "[app] app 1\n[proxy] proxy 2\n[app] app 3\n[app] app 4") {
		t.Fatalf("lines not merged by time with prefixes:\n%s", out)
	}
	if !strings.Contains(p.Title(), "(all containers)") || !strings.Contains(out, "all containers (5 streams)") {
		t.Errorf("title %q or status does not say all containers:\n%s", p.Title(), out)
	}
	// One stream ending leaves the others open.
	p.Update(logChunkMsg{Ticket: p.starts.last(), chunk: kube.LogChunk{StreamID: ids["migrate"], Done: true}})
	if p.state != streamOpen {
		t.Error("one finished container ended the interleaved view")
	}
	runStart(t, p, send(p, "tab")) // wraps around to the first container
	if r := lf.last(); r.Container != "migrate" || len(p.streams) != 1 {
		t.Errorf("after tab: %+v, %d streams", r, len(p.streams))
	}
}

func TestLogPageSinceAndWholeLog(t *testing.T) {
	p, lf := newTestLogPage(t, pod("shop", "api", "n", time.Hour, nil), LogOpen{}, 100, 6)
	if r := lf.last(); r.TailLines != 0 || !r.SinceTime.IsZero() {
		t.Fatalf("first request: %+v, want the default tail", r)
	}
	runStart(t, p, send(p, "S"))
	if r := lf.last(); !r.SinceTime.Equal(clock.Add(-5*time.Minute)) || r.TailLines >= 0 {
		t.Errorf("S: %+v, want since 5m and no tail", r)
	}
	if out := plain(p); !strings.Contains(out, "since 5m") {
		t.Errorf("status lacks the window:\n%s", out)
	}
	runStart(t, p, send(p, "S"))
	if out := plain(p); !strings.Contains(out, "since 1h") {
		t.Errorf("status lacks the window:\n%s", out)
	}
	runStart(t, p, send(p, "A"))
	if r := lf.last(); r.TailLines >= 0 || !r.SinceTime.IsZero() {
		t.Errorf("A: %+v, want the whole log", r)
	}
}

func TestLogPageFallsBackToPreviousWhenNotStarted(t *testing.T) {
	lf := &logFake{}
	t.Cleanup(lf.stopAll)
	streams := func(ctx context.Context, req kube.LogRequest) (*kube.LogStream, error) {
		if !req.Previous {
			return nil, errors.New(`container "app" in pod "api" is waiting to start: ContainerCreating`)
		}
		return lf.stream(ctx, req)
	}
	env := PageEnv{Cluster: &fakeCluster{logs: streams}, Keys: keymap.Default(), Styles: DefaultStyles(true), Now: func() time.Time { return clock }}
	restarted := pod("shop", "api", "n", time.Hour, func(p *corev1.Pod) { p.Status.ContainerStatuses[0].RestartCount = 1 })
	p := NewLogPage(env, restarted, LogOpen{})
	p.SetSize(100, 6)
	_, cmd := p.Update(p.start()())
	if cmd == nil {
		t.Fatal("no retry on the previous log")
	}
	p.Update(cmd())
	if len(lf.reqs) != 1 || !lf.reqs[0].Previous || !strings.Contains(p.Title(), "(previous: no output yet)") {
		t.Fatalf("requests %+v, title %q", lf.reqs, p.Title())
	}
}

func TestLogPageSavesTheFullLog(t *testing.T) {
	var got kube.LogRequest
	full := "2026-11-25T11:00:00Z old line\n2026-11-25T11:00:01Z \x1b]52;c;eA==\x07evil\n2026-11-25T11:59:00Z new line\n"
	streams := func(ctx context.Context, req kube.LogRequest) (*kube.LogStream, error) {
		if req.Follow { // the view's own stream
			return (&logFake{}).stream(ctx, req)
		}
		got = req
		return kube.OpenLogStream(ctx, req, func(context.Context, kube.LogRequest) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader(full)), nil
		})
	}
	env := PageEnv{Cluster: &fakeCluster{logs: streams}, Keys: keymap.Default(), Styles: DefaultStyles(true), Now: func() time.Time { return clock }}
	p := NewLogPage(env, pod("shop", "api", "n", time.Hour, nil), LogOpen{})
	p.SetSize(100, 6)
	p.Update(p.start()())
	defer p.Close()
	send(p, "ctrl+s")
	if !strings.Contains(plain(p), "save the full log to:") {
		t.Fatalf("no prompt:\n%s", plain(p))
	}
	path := t.TempDir() + "/full.log"
	p.save.input.SetValue(path)
	msg := send(p, "enter")().(logSavedMsg)
	if msg.err != nil || msg.lines != 3 {
		t.Fatalf("save: %+v", msg)
	}
	if got.TailLines >= 0 || got.Follow || got.Container != "app" {
		t.Errorf("request %+v, want the whole log without follow", got)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "old line\nevil\nnew line\n" {
		t.Errorf("file holds %q", b)
	}
}

// A save's result is for the user, not the log page, which may have closed
// by the time a long save of the full log ends: the app's status line says it.
func TestSaveResultReachesStatusLine(t *testing.T) {
	a := harnessApp(t, &fakeCluster{pods: fixturePods()}, kube.Scope{Namespace: "shop"}, 120, 12)
	a.Update(logSavedMsg{path: "/tmp/api.log", lines: 1234, skipped: 2})
	if out := screen(a); !strings.Contains(out, "saved 1,234 lines to /tmp/api.log (2 lines skipped)") {
		t.Fatalf("the save is not said:\n%s", out)
	}
}

// Once every container's stream has answered (lines, its end, or a failure
// to start), the tails are let out at once, merged by time.
func TestLogPageAllContainersLetsTailsOutWhenAllAnswered(t *testing.T) {
	p, _ := newTestLogPage(t, multiPod(), LogOpen{}, 100, 12)
	send(p, "C", "down", "down", "down")
	for _, c := range send(p, "enter")().(tea.BatchMsg) {
		p.Update(c())
	}
	ids := map[string]uint64{}
	for id, name := range p.names {
		ids[name] = id
	}
	n := 0
	for name, id := range ids {
		n++
		if name == "migrate" {
			p.Update(logChunkMsg{Ticket: p.starts.last(), chunk: kube.LogChunk{StreamID: id, Done: true}})
			continue
		}
		// Later containers wrote earlier lines: arrival order is not time order.
		p.Update(logChunkMsg{Ticket: p.starts.last(), chunk: kube.LogChunk{StreamID: id, Lines: lines(10-n, 10-n, name+" %d")}})
	}
	out := plain(p)
	var last time.Time
	seen := 0
	for _, l := range strings.Split(out, "\n") {
		for name := range ids {
			if strings.HasPrefix(l, "["+name+"] ") {
				var i int
				fmt.Sscanf(strings.TrimPrefix(l, "["+name+"] "+name+" "), "%d", &i)
				at := clock.Add(time.Duration(i) * time.Second)
				if at.Before(last) {
					t.Errorf("line %q out of time order:\n%s", l, out)
				}
				last, seen = at, seen+1
			}
		}
	}
	if seen != len(ids)-1 {
		t.Fatalf("%d lines shown, want %d, with no tick:\n%s", seen, len(ids)-1, out)
	}
}
