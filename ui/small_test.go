package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/podtui/podtui/kube"
)

// TestSmallTerminalLayouts opens each main view in very small terminals:
// nothing is wider or taller than the terminal, and the goldens show what
// remains readable (no garbled layout).
func TestSmallTerminalLayouts(t *testing.T) {
	views := []struct {
		name string
		keys []string
	}{
		{"list", nil},
		{"help", []string{"?"}},
		{"detail", []string{"down", "enter"}},
		{"diagnosis", []string{"down", "D"}},
		{"logs", []string{"down", "l"}},
		{"filter", []string{"/", "a", "p", "i"}},
	}
	for _, sz := range [][2]int{{20, 5}, {40, 10}} {
		for _, v := range views {
			t.Run(fmt.Sprintf("%s_%dx%d", v.name, sz[0], sz[1]), func(t *testing.T) {
				a := harnessApp(t, &fakeCluster{pods: fixturePods()}, kube.Scope{Namespace: "shop"}, sz[0], sz[1])
				for _, k := range v.keys {
					_, cmd := a.Update(keyMsg(k))
					for _, msg := range runBatchTimeout(cmd) {
						_, next := a.Update(msg)
						if _, read := msg.(podActionMsg); read {
							// The list read the pod; now what the page starts.
							for _, msg := range runBatchTimeout(next) {
								a.Update(msg)
							}
						}
					}
				}
				out := screen(a)
				lines := strings.Split(out, "\n")
				if len(lines) > sz[1] {
					t.Errorf("%d lines in a terminal of %d:\n%s", len(lines), sz[1], out)
				}
				for i, l := range lines {
					if w := ansi.StringWidth(l); w > sz[0] {
						t.Errorf("line %d is %d wide in a terminal of %d: %q", i, w, sz[0], l)
					}
				}
				golden.RequireEqual(t, out)
			})
		}
	}
}
