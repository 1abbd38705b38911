package e2e

import (
	"flag"
	"os"
	"testing"

	"github.com/podtui/podtui/internal/harness"
)

var screenshot = flag.String("screenshot", "", "write an SVG screenshot of the demo to this file (e.g. ../docs/screenshot.svg)")

// TestDemoSeed checks that what `podtui demo` shows holds every broken state,
// as the user sees it, and optionally writes the README's screenshot from it.
func TestDemoSeed(t *testing.T) {
	ns := "demo-" + cluster.NewNamespace(t, "seed")
	if err := harness.SeedDemo(ctx(t), cluster, ns); err != nil {
		t.Fatal(err)
	}
	term := startPodtuiSized(t, cluster.Kubeconfig, 150, 24, "-n", ns)
	for _, s := range harness.States {
		ok(t)(term.WaitFor(" "+string(s)+" ", seen))
	}
	ok(t)(term.WaitFor("crash-loop", seen))
	if *screenshot != "" {
		if err := os.WriteFile(*screenshot, []byte(term.SVG("podtui -n demo")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
