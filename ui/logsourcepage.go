package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podtui/podtui/kube"
)

// maxFilterPods bounds the pods a filter's log view follows; the stream
// cap bounds what is read at once.
const maxFilterPods = 500

// openWorkloadLogsMsg asks the app to open a workload log page; replace
// closes the page that asked first (the chooser).
type openWorkloadLogsMsg struct {
	open    WorkloadLogOpen
	replace bool
}

// OpenWorkloadLogs is the Cmd that opens a workload log page.
func OpenWorkloadLogs(open WorkloadLogOpen) tea.Cmd {
	return func() tea.Msg { return openWorkloadLogsMsg{open: open} }
}

// ownerLogs is the source of the workload that owns a pod of the list.
func ownerLogs(pod *kube.PodSummary) WorkloadLogOpen {
	ns, name := pod.Namespace, pod.Name
	return WorkloadLogOpen{
		Name: "the workload of " + name,
		Resolve: func(ctx context.Context, c Cluster) (kube.LogSource, error) {
			full, err := c.GetPod(ctx, ns, name)
			if err != nil {
				return kube.LogSource{}, err
			}
			return c.OwnerLogSource(ctx, full)
		},
	}
}

// knownLogs opens a source that needs no reading.
func knownLogs(src kube.LogSource) WorkloadLogOpen {
	return WorkloadLogOpen{Name: src.Name, Resolve: func(context.Context, Cluster) (kube.LogSource, error) { return src, nil }}
}

// podsLogs is a fixed set of pods.
func podsLogs(name string, pods []types.NamespacedName) WorkloadLogOpen {
	return knownLogs(kube.PodsLogSource(name, pods))
}

// logChoice is one way to pick the pods of a workload log view.
type logChoice struct {
	label string
	open  WorkloadLogOpen
	typed bool // asks for a label selector first
}

// LogSourcePage asks whose logs to interleave: the selected pod's
// workload, the pods the list's filter shows, or a label selector.
type LogSourcePage struct {
	stillPage
	env       PageEnv
	namespace string // for a selector; "" when the list spans namespaces
	choices   []logChoice
	cur       cursorList
	selector  textPrompt
	width     int
	height    int
}

// NewLogSourcePage builds the chooser from the list's state.
func NewLogSourcePage(env PageEnv, pod *kube.PodSummary, filter string, shown []*kube.PodSummary, namespace string) *LogSourcePage {
	p := &LogSourcePage{env: env, namespace: namespace, selector: newTextPrompt(env.Keys.Prompt, "label selector: ", "app=web,tier!=cache")}
	if pod != nil {
		label := "the pods of the workload of " + pod.Name
		if pod.Controller != "" {
			label = "the pods of " + strings.ToLower(pod.Controller) + " (owner of " + pod.Name + ")"
		}
		p.choices = append(p.choices, logChoice{label: label, open: ownerLogs(pod)})
	}
	if filter != "" && len(shown) > 0 {
		names := make([]types.NamespacedName, 0, min(len(shown), maxFilterPods))
		for _, s := range shown[:min(len(shown), maxFilterPods)] {
			names = append(names, types.NamespacedName{Namespace: s.Namespace, Name: s.Name})
		}
		name := fmt.Sprintf("the %d pods of the filter %q", len(names), filter)
		label := name
		if len(shown) > maxFilterPods {
			label += fmt.Sprintf(" (the first %d of %d)", maxFilterPods, len(shown))
		}
		p.choices = append(p.choices, logChoice{label: label, open: podsLogs(name, names)})
	}
	where := "namespace " + namespace
	if namespace == "" {
		where = "every namespace"
	}
	p.choices = append(p.choices, logChoice{label: "the pods of a label selector (in " + where + ")…", typed: true})
	p.cur.setLen(len(p.choices))
	return p
}

// Init does nothing: the choices are known.
func (p *LogSourcePage) Init() tea.Cmd { return nil }

// Capturing reports whether keys go to the selector prompt.
func (p *LogSourcePage) Capturing() bool { return p.selector.open }

// Update handles the keys.
func (p *LogSourcePage) Update(msg tea.Msg) (Page, tea.Cmd) {
	if p.selector.open {
		res, cmd := p.selector.Update(msg)
		if res != promptSubmitted {
			return p, cmd
		}
		sel := strings.TrimSpace(p.selector.Value())
		src, err := kube.SelectorLogSource(p.namespace, sel)
		if err != nil {
			return p, SetStatus(err.Error(), true)
		}
		return p, p.choose(knownLogs(src))
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	if p.cur.move(k, p.env.Keys.Logs.Scroll) {
		return p, nil
	}
	switch {
	case key.Matches(k, p.env.Keys.Picker.Cancel), key.Matches(k, p.env.Keys.Logs.Back):
		return p, ClosePage
	case key.Matches(k, p.env.Keys.Picker.Choose):
		c := p.choices[p.cur.at]
		if c.typed {
			return p, p.selector.Open("")
		}
		return p, p.choose(c.open)
	}
	return p, nil
}

func (p *LogSourcePage) choose(open WorkloadLogOpen) tea.Cmd {
	return func() tea.Msg { return openWorkloadLogsMsg{open: open, replace: true} }
}

// View lists the choices.
func (p *LogSourcePage) View() string {
	s := p.env.Styles
	lines := []string{s.Title.Render("Logs of many pods: whose?"), ""}
	for i, c := range p.choices {
		line := pad("  "+c.label, p.width)
		if i == p.cur.at {
			line = s.Selected.Reverse(true).Render(line)
		}
		lines = append(lines, line)
	}
	lines = append(lines, "", s.Muted.Render("  Lines of every container interleaved by time; pods that come later join."))
	if p.selector.open {
		lines = append(lines, "", pad(p.selector.View(), p.width))
	}
	for len(lines) < p.height {
		lines = append(lines, "")
	}
	return strings.Join(lines[:min(len(lines), max(p.height, 1))], "\n")
}

// SetSize sets the page's size.
func (p *LogSourcePage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.selector.SetWidth(max(10, w-20))
}

// Title names the page.
func (p *LogSourcePage) Title() string { return "logs of many pods" }

// ShortHelp is the page's one-line help.
func (p *LogSourcePage) ShortHelp() []key.Binding {
	return []key.Binding{p.env.Keys.Logs.Up, p.env.Keys.Logs.Down, p.env.Keys.Picker.Choose, p.env.Keys.Logs.Back}
}

// FullHelp is the page's full help.
func (p *LogSourcePage) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
