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

// capturingPage is a page that can take keys as text.
type capturingPage interface {
	Page
	Capturing() bool
}

// searchPage is a page with the shared text search, seen from a test.
type searchPage struct {
	name string
	open func(t *testing.T, text []string) (capturingPage, func() []string) // the page, and the lines it matched
}

func searchPages() []searchPage {
	return []searchPage{
		{"logs", func(t *testing.T, text []string) (capturingPage, func() []string) {
			p, _ := newTestLogPage(t, pod("shop", "api", "n", time.Hour, nil), LogOpen{}, 80, 12)
			var ls []kube.LogLine
			for _, s := range text {
				ls = append(ls, kube.LogLine{Time: clock, Text: s})
			}
			feed(p, ls)
			return p, func() []string {
				var out []string
				for _, seq := range p.matches {
					out = append(out, p.buf.at(seq).text)
				}
				return out
			}
		}},
		{"yaml", func(t *testing.T, text []string) (capturingPage, func() []string) {
			env := PageEnv{Cluster: &fakeCluster{}, Keys: keymap.Default(), Styles: DefaultStyles(true), Now: func() time.Time { return clock }}
			p := NewYAMLPage(env, pod("shop", "api", "n", time.Hour, nil))
			p.SetSize(80, 12)
			p.lines = text
			return p, func() []string {
				var out []string
				for _, i := range p.matches {
					out = append(out, p.lines[i])
				}
				return out
			}
		}},
	}
}

// TestTextSearchIsTheSameOnEveryPage: the log view and the YAML page match
// smart-case, mark the same words, and take the same keys.
func TestTextSearchIsTheSameOnEveryPage(t *testing.T) {
	text := []string{"Error: disk full", "error: retrying", "all good", "ERROR again, error"}
	tests := []struct {
		query   string
		want    []string // lines matched
		marked  []string // words highlighted
		plainly []string // words left alone
	}{
		{query: "error", want: []string{text[0], text[1], text[3]}, marked: []string{"Error", "error", "ERROR"}},
		{query: "Error", want: []string{text[0]}, marked: []string{"Error"}, plainly: []string{"error", "ERROR"}},
		{query: "ERROR", want: []string{text[3]}, marked: []string{"ERROR"}},
		{query: "disk full", want: []string{text[0]}, marked: []string{"disk full"}},
		{query: "nothing", want: nil},
		{query: "re:r: (di|re)", want: []string{text[0], text[1]}, marked: []string{"r: di", "r: re"}},
		{query: "re:^E", want: []string{text[0], text[3]}, marked: []string{"E"}},
		{query: "re:^e", want: []string{text[0], text[1], text[3]}},
		{query: "!error", want: []string{text[2]}, plainly: []string{"all good"}},
		{query: "!re:good|full", want: []string{text[1], text[3]}},
		{query: "re:(", want: nil},
	}
	st := DefaultStyles(true).Selected.Reverse(true)
	isMarked := func(view, word string) bool {
		return strings.Contains(view, st.Render(word)) || strings.Contains(view, st.Bold(true).Underline(true).Render(word))
	}
	for _, sp := range searchPages() {
		for _, tt := range tests {
			t.Run(sp.name+"/"+tt.query, func(t *testing.T) {
				p, matched := sp.open(t, text)
				keys := []tea.Msg{keyMsg("/")}
				for _, r := range tt.query {
					keys = append(keys, keyMsg(string(r)))
				}
				for _, k := range append(keys, keyMsg("enter")) {
					p.Update(k)
				}
				if p.Capturing() {
					t.Fatal("enter left the prompt open")
				}
				if got := matched(); strings.Join(got, "|") != strings.Join(tt.want, "|") {
					t.Fatalf("matched %q, want %q", got, tt.want)
				}
				view := p.View()
				for _, w := range tt.marked {
					if !isMarked(view, w) {
						t.Errorf("%q not highlighted:\n%s", w, ansi.Strip(view))
					}
				}
				for _, w := range tt.plainly {
					if isMarked(view, w) {
						t.Errorf("%q highlighted, but the query has capitals", w)
					}
				}
				if len(tt.want) > 0 && !strings.Contains(ansi.Strip(view), "/"+tt.query+": ") {
					t.Errorf("no search summary:\n%s", ansi.Strip(view))
				}
				for _, k := range []string{"n", "N"} {
					if p.Update(keyMsg(k)); p.Capturing() {
						t.Fatalf("%s opened a prompt", k)
					}
				}
				// esc clears the search first and stays on the page.
				_, cmd := p.Update(keyMsg("esc"))
				if cmd != nil {
					if _, closed := cmd().(closePageMsg); closed {
						t.Fatal("the first esc closed the page")
					}
				}
				if got := matched(); len(got) != 0 {
					t.Fatalf("esc left matches %q", got)
				}
				if isMarked(p.View(), tt.query) {
					t.Error("esc left highlights")
				}
			})
		}
	}
}
