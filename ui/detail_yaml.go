package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// yamlMsg carries the pod read fresh from the API server.
type yamlMsg struct {
	Ticket
	pod *corev1.Pod
	err error
}

// YAMLPage shows a pod as YAML, without managedFields: scrollable,
// searchable, and copyable through OSC 52.
type YAMLPage struct {
	stillPage
	env     PageEnv
	reads   asks
	pod     *corev1.Pod
	text    string
	lines   []string
	loadErr string

	search  textinput.Model
	typing  bool
	query   string
	matches []int // line numbers
	match   int   // index into matches

	offset int
	width  int
	height int
}

// NewYAMLPage builds the YAML view of a pod. It shows the cached pod at
// once and replaces it with a fresh read (the cache drops some fields).
func NewYAMLPage(env PageEnv, pod *corev1.Pod) *YAMLPage {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "search"
	p := &YAMLPage{env: env, reads: newAsks(env.ID), pod: pod, search: ti}
	p.setPod(pod)
	return p
}

// Init reads the pod fresh.
func (p *YAMLPage) Init() tea.Cmd {
	c, ns, name, uid, t := p.env.Cluster, p.pod.Namespace, p.pod.Name, string(p.pod.UID), p.reads.next()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), podReadTimeout)
		defer cancel()
		pod, err := getSamePod(ctx, c, ns, name, uid)
		return yamlMsg{Ticket: t, pod: pod, err: err}
	}
}

func (p *YAMLPage) setPod(pod *corev1.Pod) {
	p.text, p.loadErr = podYAML(pod), ""
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
func (p *YAMLPage) Capturing() bool { return p.typing }

// Update handles keys and the fresh read.
func (p *YAMLPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	k := p.env.Keys.Viewer
	switch msg := msg.(type) {
	case yamlMsg:
		if !p.reads.current(msg.Ticket) {
			return p, nil
		}
		if msg.err != nil {
			p.loadErr = oneLine(msg.err.Error())
			return p, nil
		}
		p.setPod(msg.pod)
	case tea.KeyPressMsg:
		if p.typing {
			switch msg.String() {
			case "enter":
				p.typing = false
				p.search.Blur()
				p.query = p.search.Value()
				p.findMatches()
				p.jump(0)
				if p.query != "" && len(p.matches) == 0 {
					return p, SetStatus(fmt.Sprintf("%q not found", p.query), true)
				}
				return p, nil
			case "esc":
				p.typing = false
				p.search.Blur()
				return p, nil
			}
			var cmd tea.Cmd
			p.search, cmd = p.search.Update(msg)
			return p, cmd
		}
		delta, scrolled := scrollDelta(msg, scrollKeys{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, p.height, len(p.lines))
		switch {
		case key.Matches(msg, k.Back):
			if p.query != "" { // esc first clears the search, as in less
				p.query, p.matches = "", nil
				return p, nil
			}
			return p, ClosePage
		case scrolled:
			p.scroll(delta)
		case key.Matches(msg, k.Search):
			p.typing = true
			p.search.SetValue("")
			return p, p.search.Focus()
		case key.Matches(msg, k.Next):
			p.jump(1)
		case key.Matches(msg, k.Prev):
			p.jump(-1)
		case key.Matches(msg, k.Copy):
			// OSC 52: the terminal sets the clipboard, over SSH too.
			return p, tea.Batch(tea.SetClipboard(p.text), SetStatus(fmt.Sprintf("copied %d lines of YAML", len(p.lines)), false))
		}
	}
	return p, nil
}

func (p *YAMLPage) findMatches() {
	p.matches = p.matches[:0]
	if p.query == "" {
		return
	}
	q := strings.ToLower(p.query)
	for i, l := range p.lines {
		if strings.Contains(strings.ToLower(l), q) {
			p.matches = append(p.matches, i)
		}
	}
	p.match = 0
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
		l := p.lines[i]
		switch {
		case i == cur:
			l = s.Selected.Render(pad(l, max(1, p.width)))
		case p.query != "" && strings.Contains(strings.ToLower(l), strings.ToLower(p.query)):
			l = s.Notice.Render(l)
		}
		b.WriteString(l + "\n")
	}
	for i := end - p.offset; i < h; i++ {
		b.WriteString("\n")
	}
	switch {
	case p.typing:
		b.WriteString(p.search.View())
	case p.loadErr != "":
		b.WriteString(s.Error.Render("showing the cached pod: the fresh read failed: " + p.loadErr))
	case p.query != "":
		b.WriteString(s.Muted.Render(fmt.Sprintf("/%s: match %d of %d (n/N; esc clears)", oneLine(p.query), min(p.match+1, len(p.matches)), len(p.matches))))
	default:
		b.WriteString(s.Muted.Render(fmt.Sprintf("lines %d-%d of %d", p.offset+1, end, len(p.lines))))
	}
	return b.String()
}

// SetSize sets the page's size.
func (p *YAMLPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.search.SetWidth(max(10, w-4))
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
