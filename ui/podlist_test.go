package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/ansi"

	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// The pod list works on its own: snapshots in, keys through Update, the
// table out of View, the selected pod asked for.
func TestPodListComponent(t *testing.T) {
	l := NewPodList(NewPodListKeyMap(keymap.Default()), NewStyles(true, nil), func() time.Time { return clock })
	l.SetSize(160, 5) // titles and 4 rows
	if out := ansi.Strip(l.View()); !strings.Contains(out, "loading pods…") {
		t.Fatalf("before a snapshot:\n%s", out)
	}
	l.SetSnapshot(kube.PodSnapshot{Pods: summaries(fixturePods()), Synced: true, Scope: kube.Scope{}}, clock)
	view := func() []string { return strings.Split(ansi.Strip(l.View()), "\n") }
	lines := view()
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "NAMESPACE  NAME") {
		t.Fatalf("want titles and 4 rows:\n%s", strings.Join(lines, "\n"))
	}
	selected := func() string {
		p, ok := l.SelectedPod()
		if !ok {
			t.Fatal("no pod selected")
		}
		return p.Name
	}
	first := selected()
	var cmd tea.Cmd
	for range 5 {
		l, cmd = l.Update(keyMsg("j"))
		if cmd != nil {
			t.Fatal("moving returned a Cmd")
		}
	}
	if selected() == first || !strings.Contains(view()[4], selected()) {
		t.Errorf("down 5 times: %s selected, last row %q", selected(), view()[4])
	}
	l, _ = l.Update(keyMsg("g"))
	if selected() != first || !strings.Contains(view()[1], first) {
		t.Errorf("g: %s selected, first row %q", selected(), view()[1])
	}
	// The filter takes the keys until enter, and keeps the selection on a
	// matching pod.
	for _, k := range []string{"/", "c", "r", "s", "h", "enter"} {
		l, _ = l.Update(keyMsg(k))
	}
	if l.Filtering() || l.Len() != 1 || selected() != "api-7d9f8-fghij" || l.Total() != 6 {
		t.Errorf("filter crsh: filtering %v, %d/%d shown, %s selected", l.Filtering(), l.Len(), l.Total(), selected())
	}
	l, _ = l.Update(keyMsg("esc"))
	if l.Filter() != "" || l.Len() != 6 {
		t.Errorf("esc left filter %q, %d shown", l.Filter(), l.Len())
	}
	l, _ = l.Update(keyMsg("o"))
	l, _ = l.Update(keyMsg("O"))
	if got := l.SortLabel(); got != "status↑" {
		t.Errorf("sort %q, want status↑", got)
	}
	l, _ = l.Update(keyMsg("u"))
	if !l.UsageHidden() || strings.Contains(view()[0], "CPU") {
		t.Errorf("u did not hide the usage columns: %q", view()[0])
	}
}
