package ui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/kube"
)

// nodeSummaryMsg carries a loaded node summary.
type nodeSummaryMsg struct {
	Ticket
	sum kube.NodeSummary
	err error
}

// NodePage is the summary of one node: allocatable, what the pods on it
// request, free capacity, pressure conditions and usage. Open it from a page
// with OpenNodeSummary(pod.Spec.NodeName).
type NodePage struct {
	stillPage
	env     PageEnv
	loads   asks
	node    string
	sum     kube.NodeSummary
	loaded  bool
	loadErr string
	offset  int
	width   int
	height  int
}

// NewNodePage builds the summary page of a node.
func NewNodePage(env PageEnv, node string) *NodePage {
	return &NodePage{env: env, loads: newAsks(env.ID), node: node}
}

// Init loads the summary.
func (p *NodePage) Init() tea.Cmd { return p.load() }

func (p *NodePage) load() tea.Cmd {
	c, node, t := p.env.Cluster, p.node, p.loads.next()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		sum, err := c.NodeSummary(ctx, node)
		return nodeSummaryMsg{Ticket: t, sum: sum, err: err}
	}
}

// Update handles keys and the loaded summary. Each new usage poll of the app
// reloads it, so the numbers move at the metrics interval, never faster.
func (p *NodePage) Update(msg tea.Msg) (Page, tea.Cmd) {
	k := p.env.Keys.Detail
	switch msg := msg.(type) {
	case nodeSummaryMsg:
		if !p.loads.current(msg.Ticket) {
			return p, nil
		}
		p.loaded = true
		p.loadErr = ""
		if msg.err != nil {
			p.loadErr = msg.err.Error()
			return p, nil
		}
		p.sum = msg.sum
	case UsageChangedMsg:
		return p, p.load()
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Back):
			return p, ClosePage
		case key.Matches(msg, k.Up):
			p.offset--
		case key.Matches(msg, k.Down):
			p.offset++
		case key.Matches(msg, k.PageUp):
			p.offset -= p.height
		case key.Matches(msg, k.PageDown):
			p.offset += p.height
		case key.Matches(msg, k.Top):
			p.offset = 0
		case key.Matches(msg, p.env.Keys.Pod.NodeShell):
			node := p.node
			return p, func() tea.Msg { return openNodeShellMsg{node: node} }
		}
	}
	return p, nil
}

// View renders the summary.
func (p *NodePage) View() string {
	var text string
	switch {
	case p.loadErr != "":
		text = p.env.Styles.Error.Render("node " + oneLine(p.node) + ": " + oneLine(p.loadErr))
	case !p.loaded:
		text = p.env.Styles.Muted.Render("loading node " + oneLine(p.node) + "…")
	default:
		text = RenderNodeSummary(p.env.Styles, p.sum, p.env.Now())
	}
	lines := strings.Split(text, "\n")
	p.offset = max(0, min(p.offset, len(lines)-p.height))
	return strings.Join(lines[p.offset:min(len(lines), p.offset+max(1, p.height))], "\n")
}

// SetSize sets the page's size.
func (p *NodePage) SetSize(w, h int) { p.width, p.height = w, h }

// Title names the page.
func (p *NodePage) Title() string { return "node " + p.node }

// ShortHelp is the page's one-line help.
func (p *NodePage) ShortHelp() []key.Binding {
	k := p.env.Keys.Detail
	return []key.Binding{k.Down, k.Up, p.env.Keys.Pod.NodeShell, k.Back}
}

// FullHelp is the page's full help.
func (p *NodePage) FullHelp() [][]key.Binding {
	k := p.env.Keys.Detail
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top}, {p.env.Keys.Pod.NodeShell, k.Back}}
}

// openNodeMsg asks the app to open the node summary.
type openNodeMsg struct{ node string }

// OpenNodeSummary is the Cmd a page returns to open the summary of a node
// over itself.
func OpenNodeSummary(node string) tea.Cmd {
	return func() tea.Msg { return openNodeMsg{node: node} }
}
