package e2e

import (
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
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
	p, shot, done := runWatched(t, app, 140, 40)
	const wait = 30 * time.Second
	shot.waitFor(t, "steady", wait) // the list loads
	p.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	shot.waitFor(t, "Conditions", wait)
	p.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	shot.waitGone(t, "Conditions", wait)
	p.Send(tea.KeyPressMsg{Code: 'l', Text: "l"})
	shot.waitFor(t, "FOLLOW", wait)

	if err := cluster.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // down long enough for the watches to fail
	if err := cluster.StartAPIServer(ctx(t)); err != nil {
		t.Fatal(err)
	}
	p.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	shot.waitGone(t, "FOLLOW", wait)
	// After the restart the list is live again.
	shot.waitFor(t, "steady", wait)
	shot.waitGone(t, "STALE", wait)
	p.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the program did not quit")
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

// screenModel wraps an app so that a test can read its screen while the
// program runs: the view is taken on the program's goroutine after each
// Update and handed over under a lock, so the test waits for what it wants
// to see instead of sleeping a guessed time.
type screenModel struct {
	tea.Model
	shot *screenShot
}

type screenShot struct {
	mu     sync.Mutex
	screen string
}

func (m screenModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := m.Model.Update(msg)
	m.Model = next
	screen := ansi.Strip(next.View().Content)
	m.shot.mu.Lock()
	m.shot.screen = screen
	m.shot.mu.Unlock()
	return m, cmd
}

func (s *screenShot) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.screen
}

// waitFor waits until the screen shows want, failing t with the last
// screen after timeout.
func (s *screenShot) waitFor(t *testing.T, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(s.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("after %s the screen lacks %q:\n%s", timeout, want, s.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runWatched is runInProcess with the screen readable while it runs; the
// final app arrives on done.
func runWatched(t *testing.T, app *ui.App, w, h int) (p *tea.Program, shot *screenShot, done <-chan *ui.App) {
	shot = &screenShot{}
	p, models := runInProcess(t, screenModel{Model: app, shot: shot}, w, h)
	apps := make(chan *ui.App, 1)
	go func() { apps <- (<-models).(screenModel).Model.(*ui.App) }()
	return p, shot, apps
}

// waitGone waits until the screen no longer shows gone.
func (s *screenShot) waitGone(t *testing.T, gone string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for strings.Contains(s.String(), gone) {
		if time.Now().After(deadline) {
			t.Fatalf("after %s the screen still shows %q:\n%s", timeout, gone, s.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
