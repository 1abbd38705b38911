package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
)

// execPicker asks which container to open a shell in, when the pod has
// more than one. It lists them as the log view does, with their state.
type execPicker struct {
	stillPage
	env        PageEnv
	pod        *corev1.Pod
	containers []logContainer
	list       cursorList
	width      int
	height     int
}

func newExecPicker(env PageEnv, pod *corev1.Pod) *execPicker {
	cs := podContainers(pod)
	p := &execPicker{env: env, pod: pod, containers: cs, list: cursorList{at: defaultContainer(pod, cs), n: len(cs)}}
	// Prefer a running container: a shell needs one.
	if c := p.containers[p.list.at]; c.status == nil || c.status.State.Running == nil {
		for i, c := range cs {
			if c.status != nil && c.status.State.Running != nil && c.kind == "app" {
				p.list.at = i
				break
			}
		}
	}
	return p
}

func (p *execPicker) Init() tea.Cmd { return nil }

func (p *execPicker) Update(msg tea.Msg) (Page, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	d := p.env.Keys.Detail
	switch {
	case key.Matches(k, d.Back):
		return p, ClosePage
	case p.list.move(k, d.Scroll):
	case key.Matches(k, p.env.Keys.Picker.Choose):
		pod, name := p.pod, p.containers[p.list.at].name
		// Close first, so the TUI that comes back after the shell is the page below.
		return p, tea.Sequence(ClosePage, func() tea.Msg { return podActionMsg{action: actExec, pod: pod, container: name} })
	}
	return p, nil
}

func (p *execPicker) View() string {
	s := p.env.Styles
	lines := []string{s.Title.Render("Shell in which container of " + oneLine(p.pod.Namespace) + "/" + oneLine(p.pod.Name) + "?"), ""}
	for i, c := range p.containers {
		l := fmt.Sprintf("%-24s %-10s %s", oneLine(c.name), c.kind, oneLine(c.state()))
		if i == p.list.at {
			lines = append(lines, s.Selected.Render(pad("▸ "+l, max(1, p.width))))
		} else {
			lines = append(lines, "  "+l)
		}
	}
	return strings.Join(lines, "\n")
}

func (p *execPicker) SetSize(w, h int) { p.width, p.height = w, h }

func (p *execPicker) Title() string { return "shell " + p.pod.Namespace + "/" + p.pod.Name }

func (p *execPicker) ShortHelp() []key.Binding {
	d := p.env.Keys.Detail
	choose := p.env.Keys.Picker.Choose
	choose.SetHelp(choose.Help().Key, "open shell")
	return []key.Binding{d.Down, choose, d.Back}
}

func (p *execPicker) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
