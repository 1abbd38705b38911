package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"go.uber.org/goleak"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/podtui/podtui/internal/harness"
	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
	"github.com/podtui/podtui/ui"
)

// TestSwitchContextLeavesNothingRunning runs the UI in this process with a
// kubeconfig of three contexts: the harness's, "two" (the same cluster,
// namespace ns) and "broken" (a port nothing answers on). It starts a
// port-forward, switches to "two" with ":ctx two", tries "broken", and
// quits: the header names each context, "broken" gets the message podtui
// gives at start and leaves "two" running, and afterwards no goroutine of
// podtui's is left. Quitting stops only what the current context runs, so
// anything of the first context the switch did not stop (its informers,
// the forward, their Cmds) shows up as a leak.
func TestSwitchContextLeavesNothingRunning(t *testing.T) {
	ns := cluster.NewNamespace(t, "ctx")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "steady", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.LoadFromFile(cluster.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	two := *cfg.Contexts[harness.ContextName]
	two.Namespace = ns
	cfg.Contexts["two"] = &two
	cfg.Clusters["nowhere"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1"}
	cfg.Contexts["broken"] = &clientcmdapi.Context{Cluster: "nowhere", AuthInfo: two.AuthInfo}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	before := goleak.IgnoreCurrent()

	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &path
	c, err := kube.NewClient(flags)
	if err != nil {
		t.Fatal(err)
	}
	app := ui.New(c, ui.Options{
		Scope: kube.Scope{Namespace: ns}, Keys: keymap.Default(), Dark: true, FixedTheme: true,
		Contexts: c.Contexts(), Connect: ui.Connector(c.ForContext),
	})
	p, shot, done := runWatched(t, app, 160, 30)
	typeIn := func(text string) {
		for _, r := range text {
			p.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
		p.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	}
	// Waits are generous: a loaded CI machine runs other e2e tests, and
	// one of them restarts its own API server, beside this one.
	const wait = 30 * time.Second
	shot.waitFor(t, "steady", wait) // the list loads
	p.Send(tea.KeyPressMsg{Code: 'f', Text: "f"})
	shot.waitFor(t, "port>", wait)
	typeIn(":8080") // a forward on any free local port, until stopped
	shot.waitFor(t, "forwarding ", wait)
	p.Send(tea.KeyPressMsg{Code: ':', Text: ":"})
	typeIn("ctx two")
	shot.waitFor(t, "context: two", wait)
	shot.waitFor(t, "steady", wait) // connected, the list loads
	p.Send(tea.KeyPressMsg{Code: ':', Text: ":"})
	typeIn("ctx broken")
	// Refused; the status line says why for 5 s.
	shot.waitFor(t, `cannot switch to context broken: cannot reach the API server of context "broken"`, wait)
	p.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	var final *ui.App
	select {
	case final = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the program did not quit")
	}
	screen := ansi.Strip(final.View().Content)
	for _, want := range []string{"context: two", "steady"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}

	verifyNoLeaks(t, before)
}
