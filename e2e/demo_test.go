package e2e

import (
	"flag"
	"os"
	"testing"

	"github.com/podtui/podtui/internal/harness"
	"github.com/podtui/podtui/internal/termtest"
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

// TestNoColor: NO_COLOR turns colours off (bold and reverse may stay).
func TestNoColor(t *testing.T) {
	ns := cluster.NewNamespace(t, "nocolor")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "broken", harness.StateCrashLoopBackOff), harness.StateCrashLoopBackOff); err != nil {
		t.Fatal(err)
	}
	args := []string{"--kubeconfig", cluster.Kubeconfig, "-n", ns}
	term := termtest.Start(t, 120, 20, []string{"HOME=" + t.TempDir(), "NO_COLOR=1"}, podtui, args...)
	ok(t)(term.WaitMatch(rowRE("broken", "CrashLoopBackOff"), seen))
	for y := range 20 {
		for x := range 120 {
			if c, _ := term.Cell(x, y); c.Style.Fg != nil || c.Style.Bg != nil {
				t.Fatalf("cell %d,%d %q has a colour with NO_COLOR set", x, y, c.Content)
			}
		}
	}
}
