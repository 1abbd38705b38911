package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/kube"
)

// forwardPage asks which ports to forward, offering the pod's declared ones.
type forwardPage struct {
	stillPage
	env    PageEnv
	pod    *corev1.Pod
	input  textPrompt
	err    string
	width  int
	height int
}

func newForwardPage(env PageEnv, pod *corev1.Pod) *forwardPage {
	return &forwardPage{env: env, pod: pod, input: newTextPrompt(env.Keys.Prompt, "local:pod port> ", "8080, 9000:8080 or :8080")}
}

// declaredPorts are the TCP ports the pod's containers declare.
func declaredPorts(pod *corev1.Pod) []corev1.ContainerPort {
	var out []corev1.ContainerPort
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			if p.Protocol == "" || p.Protocol == corev1.ProtocolTCP {
				out = append(out, p)
			}
		}
	}
	return out
}

// Init opens the prompt on the first declared port.
func (f *forwardPage) Init() tea.Cmd {
	port := ""
	if ports := declaredPorts(f.pod); len(ports) > 0 {
		port = strconv.Itoa(int(ports[0].ContainerPort))
	}
	return f.input.Open(port)
}

// Capturing: the page is a text field.
func (f *forwardPage) Capturing() bool { return true }

func (f *forwardPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	res, cmd := f.input.Update(msg)
	switch res {
	case promptCancelled:
		return f, ClosePage
	case promptSubmitted:
		local, remote, err := parseForward(f.input.Value())
		if err != nil {
			f.err = err.Error()
			return f, f.input.Open(f.input.Value()) // let them fix it
		}
		pod := f.pod
		req := kube.ForwardRequest{Namespace: pod.Namespace, Pod: pod.Name, PodPort: remote, LocalPort: local}
		return f, tea.Batch(ClosePage, func() tea.Msg { return podActionMsg{action: actStartForward, pod: pod, forward: req} })
	}
	return f, cmd
}

func (f *forwardPage) View() string {
	s := f.env.Styles
	lines := []string{s.Title.Render("Port-forward to pod " + oneLine(f.pod.Namespace) + "/" + oneLine(f.pod.Name)), ""}
	if ports := declaredPorts(f.pod); len(ports) > 0 {
		lines = append(lines, s.Muted.Render("declared ports:"))
		for _, p := range ports {
			lines = append(lines, fmt.Sprintf("  %d %s", p.ContainerPort, oneLine(p.Name)))
		}
		lines = append(lines, "")
	}
	lines = append(lines, f.input.View(), "")
	if f.err != "" {
		lines = append(lines, s.Error.Render(f.err))
	}
	pk := f.env.Keys.Prompt
	lines = append(lines, s.Muted.Render("8080: local 8080 to pod 8080 · 9000:8080: local 9000 · :8080: any free local port · "+
		pk.Submit.Help().Key+" starts · "+pk.Cancel.Help().Key+" cancels"))
	return strings.Join(wrapLines(lines, max(20, f.width)), "\n")
}

func (f *forwardPage) SetSize(w, h int) {
	f.width, f.height = w, h
	f.input.SetWidth(max(10, w-20))
}

func (f *forwardPage) Title() string { return "port-forward " + f.pod.Namespace + "/" + f.pod.Name }

func (f *forwardPage) ShortHelp() []key.Binding {
	return f.input.help("start")
}

func (f *forwardPage) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }

// forwardsPage lists the active forwards; the selected one can be stopped.
type forwardsPage struct {
	stillPage
	env      PageEnv
	forwards []*kube.Forward
	list     cursorList
	width    int
	height   int
}

func newForwardsPage(env PageEnv, forwards []*kube.Forward) *forwardsPage {
	return &forwardsPage{env: env, forwards: append([]*kube.Forward(nil), forwards...), list: cursorList{n: len(forwards)}}
}

func (f *forwardsPage) Init() tea.Cmd { return nil }

func (f *forwardsPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return f, nil
	}
	d := f.env.Keys.Detail
	switch {
	case key.Matches(k, d.Back):
		return f, ClosePage
	case f.list.move(k, d.Scroll):
	case key.Matches(k, f.env.Keys.Forwards.Stop):
		if len(f.forwards) == 0 {
			return f, nil
		}
		fw := f.forwards[f.list.at]
		f.forwards = append(f.forwards[:f.list.at], f.forwards[f.list.at+1:]...)
		f.list.setLen(len(f.forwards))
		return f, func() tea.Msg { return forwardMsg{stop: fw} }
	}
	return f, nil
}

func (f *forwardsPage) View() string {
	s := f.env.Styles
	lines := []string{s.Title.Render("Active port-forwards"), ""}
	if len(f.forwards) == 0 {
		lines = append(lines, s.Muted.Render("none; f on a pod starts one"))
	}
	for i, fw := range f.forwards {
		l := "  " + oneLine(fw.String())
		if i == f.list.at {
			l = s.Selected.Render(pad("▸ "+oneLine(fw.String()), max(1, f.width)))
		}
		lines = append(lines, l)
	}
	lines = append(lines, "", s.Muted.Render(f.env.Keys.Forwards.Stop.Help().Key+" stops the selected forward · all stop when podtui quits"))
	return strings.Join(lines, "\n")
}

func (f *forwardsPage) SetSize(w, h int) { f.width, f.height = w, h }

func (f *forwardsPage) Title() string { return "port-forwards" }

func (f *forwardsPage) ShortHelp() []key.Binding {
	d := f.env.Keys.Detail
	return []key.Binding{d.Down, f.env.Keys.Forwards.Stop, d.Back}
}

func (f *forwardsPage) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }
