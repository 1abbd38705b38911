package e2e

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"go.uber.org/goleak"

	"github.com/podtui/podtui/internal/harness"
	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
	"github.com/podtui/podtui/ui"
)

// TestInProcessFaultsLeaveNoGoroutines runs the UI in this process against
// the real API server, opens the detail page and a followed log, restarts
// the API server under it, and quits: afterwards no goroutine of podtui's
// is left running (informers, heartbeat and probe, log streams, Cmds).
// Its own control plane: kwok takes a while to serve set logs again after
// an API server restart, which would slow the tests after it.
func TestInProcessFaultsLeaveNoGoroutines(t *testing.T) {
	cluster := ownCluster(t)
	ns := cluster.NewNamespace(t, "inproc")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "steady", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	if err := cluster.SetLogs(ctx(t), ns, "steady", "app", "hello from steady\n", ""); err != nil {
		t.Fatal(err)
	}
	before := goleak.IgnoreCurrent()

	c, err := kube.NewClientFromConfig(cluster.RESTConfig(), kube.Info{Context: harness.ContextName, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	app := ui.New(c, ui.Options{Scope: kube.Scope{Namespace: ns}, Keys: keymap.Default(), Dark: true, FixedTheme: true})
	p, done := runInProcess(t, app, 140, 40)
	key := func(k tea.KeyPressMsg) {
		p.Send(k)
		time.Sleep(300 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // the list loads
	key(tea.KeyPressMsg{Code: tea.KeyEnter})
	key(tea.KeyPressMsg{Code: tea.KeyEscape})
	key(tea.KeyPressMsg{Code: 'l', Text: "l"})

	if err := cluster.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	if err := cluster.StartAPIServer(ctx(t)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // reconnected
	key(tea.KeyPressMsg{Code: tea.KeyEscape})
	key(tea.KeyPressMsg{Code: 'q', Text: "q"})
	var final tea.Model
	select {
	case final = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the program did not quit")
	}
	if v := final.(*ui.App).View(); !strings.Contains(v.Content, "steady") || strings.Contains(v.Content, "STALE") {
		t.Errorf("after the restart the list should be live again:\n%s", v.Content)
	}

	// The API server restarted by the harness (its process waiter).
	verifyNoLeaks(t, before, goleak.IgnoreAnyFunction("github.com/podtui/podtui/internal/harness.(*Cluster).startProc.func1"))
}

// runInProcess runs the app in this process with no terminal, at w×h; the
// final model arrives on done when the program ends.
func runInProcess(t *testing.T, app tea.Model, w, h int) (p *tea.Program, done <-chan tea.Model) {
	p = tea.NewProgram(app, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignalHandler(), tea.WithWindowSize(w, h))
	ch := make(chan tea.Model, 1)
	go func() {
		m, err := p.Run()
		if err != nil {
			t.Errorf("program: %v", err)
		}
		ch <- m
	}()
	return p, ch
}

// verifyNoLeaks fails t when a goroutine started since before is still
// running, but for client-go's idle connections and what more ignores.
func verifyNoLeaks(t *testing.T, before goleak.Option, more ...goleak.Option) {
	t.Helper()
	opts := append([]goleak.Option{
		before,
		// client-go keeps its transports (and their idle HTTP/2
		// connections) for the life of the process, by design.
		goleak.IgnoreAnyFunction("golang.org/x/net/http2.(*ClientConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
	}, more...)
	// Cmds still sleeping on a tick end within its period (at most the
	// 15 s metrics poll); anything alive after that is a leak.
	for deadline := time.Now().Add(20 * time.Second); goleak.Find(opts...) != nil && time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
	}
	goleak.VerifyNone(t, opts...)
}
