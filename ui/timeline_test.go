package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// t opens the timeline of the selected pod: its events on one axis with
// the restarts and conditions, newest at the bottom.
func TestTimelinePage(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	c.events = []diagnose.Event{{
		Object: corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: "api-7d9f8-fghij", UID: "shop/api-7d9f8-fghij", FieldPath: "spec.containers{app}"},
		Type:   "Warning", Reason: "BackOff", Message: "Back-off restarting failed container app\x1b]52;c;ZXZpbA==\a",
		Count: 12, FirstTime: clock.Add(-40 * time.Minute), LastTime: clock.Add(-time.Minute), Source: "kubelet",
	}}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 130, 24)
	press(a, "down") // the crash-looping pod
	cmd := listKey(a, "t")
	if a.top() == nil {
		t.Fatal("t did not open the timeline page")
	}
	a.Update(cmd())
	out := screen(a)
	for _, want := range []string{"timeline shop/api-7d9f8-fghij", "×12 BackOff", "pod created", "━"} {
		if !strings.Contains(out, want) {
			t.Errorf("timeline lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(a.View().Content, "\x1b]52") {
		t.Fatal("an escape sequence from an event reached the screen")
	}
	golden.RequireEqual(t, out)
	// From the diagnosis page too.
	_, cmd = a.Update(keyMsg("esc"))
	a.Update(cmd()) // ClosePage
	cmd = listKey(a, "D")
	a.Update(cmd())
	_, cmd = a.Update(keyMsg("t"))
	for _, m := range runBatch(cmd) {
		_, next := a.Update(m)
		for _, m := range runBatch(next) {
			a.Update(m)
		}
	}
	if !strings.Contains(screen(a), "timeline shop/api-7d9f8-fghij") {
		t.Fatalf("t on the diagnosis page did not open the timeline:\n%s", screen(a))
	}
}
