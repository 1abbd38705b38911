package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// YAMLPage shows a pod as YAML, without managedFields: scrollable,
// searchable, and copyable through OSC 52.
type YAMLPage struct {
	stillPage
	env   PageEnv
	pod   *corev1.Pod
	text  string
	lines []string

	search  textSearch
	matches []int // line numbers
	match   int   // index into matches

	offset int
	width  int
	height int
}

// NewYAMLPage builds the YAML view of a pod, as read from the API server to
// open the page (the cache keeps only summaries): it reads nothing itself.
func NewYAMLPage(env PageEnv, pod *corev1.Pod) *YAMLPage {
	p := &YAMLPage{env: env, pod: pod, search: newTextSearch(env.Keys.Viewer.TextSearch, env.Keys.Prompt)}
	p.setPod(pod)
	return p
}

// Init does nothing: the pod was read to open the page.
func (p *YAMLPage) Init() tea.Cmd { return nil }

func (p *YAMLPage) setPod(pod *corev1.Pod) {
	p.text = podYAML(pod)
	p.lines = strings.Split(strings.TrimRight(p.text, "\n"), "\n")
	for i, l := range p.lines {
		p.lines[i] = oneLine(l) // values are untrusted text
	}
	p.findMatches()
}

// podYAML renders a pod as kubectl get -o yaml does, minus managedFields.
func podYAML(pod *corev1.Pod) string {
	c := pod.DeepCopy() // cached objects are shared: never change them
	c.ManagedFields = nil
	c.APIVersion, c.Kind = "v1", "Pod"
	out, err := yaml.Marshal(c)
	if err != nil {
		return "# cannot render the pod as YAML: " + err.Error()
	}
	return string(out)
}

// Capturing is true while the search is typed, so ? and q are text.
func (p *YAMLPage) Capturing() bool { return p.search.typing() }

// Update handles keys.
func (p *YAMLPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	k := p.env.Keys.Viewer
	if ev, cmd := p.search.update(msg); ev != searchIgnored {
		return p, tea.Batch(cmd, p.searched(ev))
	}
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		delta, scrolled := scrollDelta(msg, k.Scroll, p.height, len(p.lines))
		switch {
		case key.Matches(msg, k.Back):
			return p, ClosePage
		case scrolled:
			p.scroll(delta)
		case key.Matches(msg, k.Copy):
			// OSC 52: the terminal sets the clipboard, over SSH too.
			return p, tea.Batch(tea.SetClipboard(p.text), SetStatus(fmt.Sprintf("copied %d lines of YAML", len(p.lines)), false))
		}
	}
	return p, nil
}

// searched acts on what a key did to the search.
func (p *YAMLPage) searched(ev searchEvent) tea.Cmd {
	switch ev {
	case searchEntered:
		p.findMatches()
		p.jump(0)
		if p.search.query != "" && len(p.matches) == 0 {
			return SetStatus(fmt.Sprintf("%q not found", p.search.query), true)
		}
	case searchNext:
		p.jump(1)
	case searchPrev:
		p.jump(-1)
	case searchCleared:
		p.findMatches()
	}
	return nil
}

func (p *YAMLPage) findMatches() {
	p.matches, p.match = p.matches[:0], 0
	for i, l := range p.lines {
		if p.search.matches(l) {
			p.matches = append(p.matches, i)
		}
	}
}

// jump moves to the next (+1), previous (-1) or first match at or after
// the top line (0), wrapping around, and scrolls it into view.
func (p *YAMLPage) jump(dir int) {
	if len(p.matches) == 0 {
		return
	}
	if dir == 0 {
		p.match = 0
		for i, l := range p.matches {
			if l >= p.offset {
				p.match = i
				break
			}
		}
	} else {
		p.match = (p.match + dir + len(p.matches)) % len(p.matches)
	}
	line := p.matches[p.match]
	if line < p.offset || line >= p.offset+p.bodyHeight() {
		p.offset = max(0, line-p.bodyHeight()/3)
	}
	p.scroll(0)
}

func (p *YAMLPage) bodyHeight() int { return max(1, p.height-1) }

func (p *YAMLPage) scroll(n int) {
	p.offset = max(0, min(p.offset+n, len(p.lines)-p.bodyHeight()))
}

// View shows the visible lines and a status line for search.
func (p *YAMLPage) View() string {
	s := p.env.Styles
	h := p.bodyHeight()
	p.scroll(0)
	cur := -1
	if len(p.matches) > 0 {
		cur = p.matches[p.match]
	}
	var b strings.Builder
	end := min(len(p.lines), p.offset+h)
	for i := p.offset; i < end; i++ {
		b.WriteString(p.search.highlight(p.lines[i], i == cur, s.Selected.Reverse(true)) + "\n")
	}
	for i := end - p.offset; i < h; i++ {
		b.WriteString("\n")
	}
	switch {
	case p.search.typing():
		b.WriteString(p.search.prompt.View())
	case p.search.query != "":
		b.WriteString(s.Muted.Render(p.search.status(min(p.match, len(p.matches)-1), len(p.matches)) + " (n/N; esc clears)"))
	default:
		b.WriteString(s.Muted.Render(fmt.Sprintf("lines %d-%d of %d", p.offset+1, end, len(p.lines))))
	}
	return b.String()
}

// SetSize sets the page's size.
func (p *YAMLPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.search.prompt.SetWidth(max(10, w-4))
}

// Title names the page.
func (p *YAMLPage) Title() string { return "yaml " + p.pod.Namespace + "/" + p.pod.Name }

// ShortHelp is the page's one-line help.
func (p *YAMLPage) ShortHelp() []key.Binding {
	k := p.env.Keys.Viewer
	return []key.Binding{k.Down, k.Search, k.Next, k.Copy, k.Back}
}

// FullHelp is the page's full help.
func (p *YAMLPage) FullHelp() [][]key.Binding {
	k := p.env.Keys.Viewer
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Search, k.Next, k.Prev}, {k.Copy, k.Back}}
}
