package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// triageRefresh is how often events and related objects are fetched again;
// pod changes in between are filed at once from the informer.
const triageRefresh = 15 * time.Second

type triageInputsMsg struct {
	Ticket
	inputs []diagnose.Input
	err    error
}

type triageTickMsg struct{ Ticket }

// triageReadMsg carries pods read again because the cache says they changed.
type triageReadMsg struct {
	Ticket
	pods []*corev1.Pod
}

// triageReadMost is how many changed pods are read one by one; more than
// that wait for the next full load (every triageRefresh), so that a
// churning cluster does not keep triage loading the whole scope.
const triageReadMost = 20

// TriagePage answers "what is broken right now": every broken pod in scope,
// grouped by root cause and owner, most urgent first.
type TriagePage struct {
	stillPage
	env    PageEnv
	loads  asks // full loads of events and related objects
	ticks  asks // the refresh timer
	reads  asks // reads of changed pods
	scope  kube.Scope
	triage *diagnose.Triage
	seen   map[string]*corev1.Pod // uid -> the pod object last filed
	// latest is the list's newest snapshot; asked holds, per uid, the
	// resourceVersion a read was last started for.
	latest  []*kube.PodSummary
	live    map[string]bool // the UIDs of latest
	asked   map[string]string
	reading bool
	loading bool
	events  []diagnose.Event
	rel     diagnose.Related
	history *diagnose.History // the workloads' revisions, for what changed
	groups  []*diagnose.Group
	loaded  bool
	err     string
	cursor  int
	open    bool // the selected group is expanded to its pods
	podCur  int
	width   int
	height  int
}

// NewTriagePage builds the triage page for a scope.
func NewTriagePage(env PageEnv, scope kube.Scope) *TriagePage {
	return &TriagePage{
		env: env, loads: newAsks(env.ID), ticks: newAsks(env.ID), reads: newAsks(env.ID),
		scope: scope, triage: diagnose.NewTriage(), seen: map[string]*corev1.Pod{}, asked: map[string]string{},
	}
}

// Init loads events and related objects for the whole scope.
func (p *TriagePage) Init() tea.Cmd { return p.load() }

func (p *TriagePage) load() tea.Cmd {
	c, s, t := p.env.Cluster, p.scope, p.loads.next()
	p.loading = true
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		in, err := c.DiagnoseInputs(ctx, s.Namespace, s.AllNamespaces(), s.Selector, nil)
		return triageInputsMsg{Ticket: t, inputs: in, err: err}
	}
}

// Update handles keys, loads and pod changes.
func (p *TriagePage) Update(msg tea.Msg) (Page, tea.Cmd) {
	k := p.env.Keys.Triage
	switch msg := msg.(type) {
	case triageInputsMsg:
		if !p.loads.current(msg.Ticket) {
			return p, nil
		}
		p.loaded, p.loading = true, false
		t := p.ticks.next()
		next := tea.Tick(triageRefresh, func(time.Time) tea.Msg { return triageTickMsg{t} })
		if msg.err != nil {
			p.err = kube.Explain(msg.err)
			return p, next
		}
		p.err = ""
		p.events = nil
		p.rel = nil
		p.history = nil
		for _, in := range msg.inputs {
			if p.rel == nil {
				p.rel = in.Related
			}
			if p.history == nil {
				p.history = in.History // shared by the pods, like the related objects
			}
			if p.events == nil {
				p.events = in.Events // one list per namespace is shared by its pods
			}
		}
		p.triage = diagnose.NewTriage()
		p.seen = map[string]*corev1.Pod{}
		for _, in := range msg.inputs {
			if in.Pod != nil {
				p.file(in.Pod, in.Events, in.Related)
			}
		}
		p.regroup()
		return p, tea.Batch(next, p.readChanged())
	case triageTickMsg:
		if p.ticks.current(msg.Ticket) && !p.loading {
			return p, p.load()
		}
	case PodsChangedMsg:
		p.latest = msg.Snapshot.Pods
		p.live = make(map[string]bool, len(p.latest))
		for _, s := range p.latest {
			p.live[string(s.UID)] = true
		}
		if !p.loaded {
			return p, nil
		}
		for uid := range p.seen {
			if !p.live[uid] {
				p.triage.Delete(uid)
				delete(p.seen, uid)
			}
		}
		for uid := range p.asked {
			if !p.live[uid] {
				delete(p.asked, uid)
			}
		}
		p.regroup()
		return p, p.readChanged()
	case triageReadMsg:
		if !p.reads.current(msg.Ticket) {
			return p, nil
		}
		p.reading = false
		for _, pod := range msg.pods {
			if p.live[string(pod.UID)] {
				p.file(pod, p.events, p.rel)
			}
		}
		p.regroup()
		return p, p.readChanged()
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Back):
			if p.open {
				p.open = false
				return p, nil
			}
			return p, ClosePage
		case key.Matches(msg, k.Up):
			if p.open {
				p.podCur = max(0, p.podCur-1)
			} else {
				p.cursor = max(0, p.cursor-1)
			}
		case key.Matches(msg, k.Down):
			if p.open {
				if g := p.selected(); g != nil {
					p.podCur = min(len(g.Pods)-1, p.podCur+1)
				}
			} else {
				p.cursor = min(len(p.groups)-1, p.cursor+1)
			}
		case key.Matches(msg, k.Open):
			if !p.open {
				p.open, p.podCur = p.selected() != nil, 0
				return p, nil
			}
			if pod := p.selectedPod(); pod != nil {
				return p, func() tea.Msg { return OpenPodMsg{Pod: pod} }
			}
		case p.open && (key.Matches(msg, p.env.Keys.Pod.Detail) || key.Matches(msg, p.env.Keys.Logs.Open) || key.Matches(msg, p.env.Keys.Pod.Exec)):
			// The usual pod keys work on the selected pod of an open group.
			pod := p.selectedPod()
			if pod == nil {
				return p, nil
			}
			act := diagnose.ActionEvents // the detail page, with events
			switch {
			case key.Matches(msg, p.env.Keys.Logs.Open):
				act = diagnose.ActionLogs
			case key.Matches(msg, p.env.Keys.Pod.Exec):
				act = diagnose.ActionExec
			}
			return p, func() tea.Msg { return ActionMsg{Pod: pod, Action: act} }
		case key.Matches(msg, k.Copy):
			if g := p.selected(); g != nil && len(g.Next) > 0 {
				return p, tea.Batch(tea.SetClipboard(g.Next[0]), SetStatus("copied: "+g.Next[0], false))
			}
		case key.Matches(msg, k.Refresh):
			return p, p.load()
		}
	}
	return p, nil
}

// OpenPodMsg asks the app to show one pod (its diagnosis and detail).
type OpenPodMsg struct{ Pod *corev1.Pod }

// readChanged reads the pods whose summary moved past what was filed:
// incremental, so only pods that changed are diagnosed again.
func (p *TriagePage) readChanged() tea.Cmd {
	if p.reading || p.loading {
		return nil
	}
	var changed []*kube.PodSummary
	for _, s := range p.latest {
		uid := string(s.UID)
		if have, ok := p.seen[uid]; (ok && have.ResourceVersion == s.ResourceVersion) || p.asked[uid] == s.ResourceVersion {
			continue
		}
		changed = append(changed, s)
	}
	if len(changed) == 0 {
		return nil
	}
	if len(changed) > triageReadMost {
		return nil
	}
	p.reading = true
	type ref struct{ ns, name, uid string }
	refs := make([]ref, len(changed))
	for i, s := range changed {
		p.asked[string(s.UID)] = s.ResourceVersion
		refs[i] = ref{s.Namespace, s.Name, string(s.UID)}
	}
	c, t := p.env.Cluster, p.reads.next()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), podReadTimeout)
		defer cancel()
		var pods []*corev1.Pod
		for _, r := range refs {
			// A pod that is gone or failed to read is left as it was filed:
			// the next snapshot or the next full load settles it.
			if pod, err := getSamePod(ctx, c, r.ns, r.name, r.uid); err == nil {
				pods = append(pods, pod)
			}
		}
		return triageReadMsg{Ticket: t, pods: pods}
	}
}

func (p *TriagePage) file(pod *corev1.Pod, events []diagnose.Event, rel diagnose.Related) {
	p.seen[string(pod.UID)] = pod
	p.triage.Update(pod, diagnose.Diagnose(diagnose.Input{Pod: pod, Events: events, Related: rel, Now: p.env.Now(), History: p.history}))
}

func (p *TriagePage) regroup() {
	p.groups = p.triage.Groups()
	p.cursor = max(0, min(p.cursor, len(p.groups)-1))
	if g := p.selected(); g == nil {
		p.open = false
	} else {
		p.podCur = max(0, min(p.podCur, len(g.Pods)-1))
	}
}

func (p *TriagePage) selected() *diagnose.Group {
	if len(p.groups) == 0 {
		return nil
	}
	return p.groups[p.cursor]
}

func (p *TriagePage) selectedPod() *corev1.Pod {
	g := p.selected()
	if g == nil || len(g.Pods) == 0 {
		return nil
	}
	return p.seen[g.Pods[p.podCur].UID]
}

// SetSize sets the page's size.
func (p *TriagePage) SetSize(w, h int) { p.width, p.height = w, h }

// Title names the page.
func (p *TriagePage) Title() string { return "triage" }

// ShortHelp is the page's one-line help.
func (p *TriagePage) ShortHelp() []key.Binding {
	k := p.env.Keys.Triage
	if p.open {
		pk := p.env.Keys.Pod
		return []key.Binding{k.Down, k.Open, pk.Detail, p.env.Keys.Logs.Open, pk.Exec, k.Back}
	}
	return []key.Binding{k.Down, k.Open, k.Copy, k.Refresh, k.Back}
}

// FullHelp is the page's full help.
func (p *TriagePage) FullHelp() [][]key.Binding {
	k := p.env.Keys.Triage
	return [][]key.Binding{{k.Up, k.Down}, {k.Open, k.Copy}, {k.Refresh, k.Back}}
}

// View draws the groups, or the selected group's pods.
func (p *TriagePage) View() string {
	s := p.env.Styles
	now := p.env.Now()
	var lines []string
	add := func(l string) { lines = append(lines, l) }
	switch {
	case !p.loaded:
		add(s.Muted.Render("diagnosing every pod in scope…"))
		return strings.Join(lines, "\n")
	case p.err != "":
		add(s.Error.Render("events and related objects unavailable: " + oneLine(p.err)))
	}
	if len(p.groups) == 0 {
		add(s.Healthy.Render(fmt.Sprintf("✓ healthy: %d pods checked, none broken", p.triage.Checked())))
		return strings.Join(lines, "\n")
	}
	total := 0
	for _, g := range p.groups {
		total += len(g.Pods)
	}
	add(s.Title.Render(fmt.Sprintf("%d causes, %d broken pods of %d checked", len(p.groups), total, p.triage.Checked())))
	add("")
	selLine := 0
	for i, g := range p.groups {
		if i == p.cursor {
			selLine = len(lines)
		}
		add(p.groupLine(g, i == p.cursor && !p.open, now))
		add("    " + s.Muted.Render(oneLine(p.groupFacts(g, now))))
		if i == p.cursor && p.open {
			for j, pr := range g.Pods {
				line := fmt.Sprintf("      %s/%s  %s  %s", pr.Namespace, pr.Name, pr.Status, pr.Node)
				if j == p.podCur {
					selLine = len(lines)
					line = s.Selected.Render(pad("    ▸ "+strings.TrimSpace(line), p.width))
				}
				add(line)
			}
			for _, c := range g.Next {
				add("    " + s.Muted.Render("$ "+c))
			}
		}
	}
	// Keep the selection on screen.
	start := max(0, min(selLine-p.height/2, len(lines)-p.height))
	end := min(len(lines), start+p.height)
	return strings.Join(lines[start:end], "\n")
}

func (p *TriagePage) groupLine(g *diagnose.Group, selected bool, now time.Time) string {
	s := p.env.Styles
	who := g.Key.Owner.String() + " in " + g.Key.Namespace
	if g.Key.Node != "" {
		who = "node " + g.Key.Node
	}
	sev := severityStyle(s, g.Severity).Render(fmt.Sprintf("%-7s", strings.ToUpper(g.Severity.String())))
	text := fmt.Sprintf("%3d × %s: %s", len(g.Pods), who, oneLine(g.Summary))
	if selected {
		return sev + " " + s.Selected.Render(pad(text, max(10, p.width-8)))
	}
	return sev + " " + text
}

func (p *TriagePage) groupFacts(g *diagnose.Group, now time.Time) string {
	var facts []string
	if since := g.Since(); !since.IsZero() {
		facts = append(facts, "for "+diagnose.Age(since, now))
	}
	if n := g.NewSince(now.Add(-5 * time.Minute)); n > 0 {
		facts = append(facts, fmt.Sprintf("+%d in the last 5m", n))
	}
	if ns := g.Namespaces(); len(ns) > 1 {
		facts = append(facts, "namespaces "+strings.Join(ns, ", "))
	}
	if nodes := g.Nodes(); len(nodes) > 0 && g.Key.Node == "" {
		facts = append(facts, "nodes "+strings.Join(nodes, ", "))
	}
	facts = append(facts, g.Rule)
	if g.Changed != "" {
		facts = append(facts, oneLine(g.Changed))
	}
	return strings.Join(facts, " · ")
}
