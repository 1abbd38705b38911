package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// eventsMsg carries a fresh copy of the pod's events from the live feed.
type eventsMsg struct {
	Ticket
	events  []diagnose.Event
	synced  bool
	problem string // why the events cannot be read, if so
}

// detailRelatedMsg carries the objects the pod refers to, for the findings.
type detailRelatedMsg struct {
	Ticket
	related diagnose.Related
}

// DetailPage is the describe view of one pod: findings, where it runs,
// its live events, then conditions, containers, volumes and scheduling.
type DetailPage struct {
	env     PageEnv
	pod     *corev1.Pod
	deleted bool

	src    kube.EventSource
	waits  asks // the events wait; one is armed at a time
	loads  asks // the related objects
	events []diagnose.Event
	synced bool
	// eventsProblem: why the events cannot be read (RBAC), if so.
	eventsProblem string
	pods          []*kube.PodSummary // the list's pods, shared: read only
	reader        podReader
	related       diagnose.Related // nil until loaded
	findings      []diagnose.Finding

	warningsOnly bool
	usage        *kube.PodUsage // latest metrics sample, nil when none
	usageHist    *UsageHistory
	lines        []string // rendered when data or size change, not per frame
	offset       int
	width        int
	height       int
}

// NewDetailPage builds the detail page of a pod.
func NewDetailPage(env PageEnv, pod *corev1.Pod) *DetailPage {
	p := &DetailPage{
		env: env, pod: pod, usageHist: NewUsageHistory(40),
		reader: newPodReader(env.ID), waits: newAsks(env.ID), loads: newAsks(env.ID),
	}
	if u, ok := env.Metrics.Pods[kube.Key(pod.Namespace, pod.Name)]; ok {
		p.usage = &u
		p.usageHist.Add(u)
	}
	p.rebuild()
	return p
}

// Init starts the events feed (WatchEvents does not block) and loads the
// related objects once.
func (p *DetailPage) Init() tea.Cmd {
	p.src = p.env.Cluster.WatchEvents(p.pod.Namespace)
	return tea.Batch(p.waitEvents(true), p.loadRelated())
}

// waitEvents waits for the feed to change (or not, the first time) and
// copies the pod's events; the answer re-arms it. Its results reach the
// page while it is covered too, so the chain never breaks.
func (p *DetailPage) waitEvents(first bool) tea.Cmd {
	src, uid, t := p.src, string(p.pod.UID), p.waits.next()
	return func() tea.Msg {
		if !first {
			select {
			case <-src.Changed():
			case <-src.Done():
				return nil
			}
			time.Sleep(frame) // let the rest of a burst arrive
			select {
			case <-src.Changed():
			default:
			}
		}
		return eventsMsg{Ticket: t, events: src.For(uid), synced: src.Synced(), problem: src.Problem()}
	}
}

func (p *DetailPage) loadRelated() tea.Cmd {
	c, pod, t := p.env.Cluster, p.pod, p.loads.next()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		in := podInput(ctx, c, pod)
		if in.Related == nil {
			in.Related = diagnose.NewStore() // nothing known: every object shows as unknown
		}
		return detailRelatedMsg{Ticket: t, related: in.Related}
	}
}

// Update handles keys and async results.
func (p *DetailPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	k := p.env.Keys.Detail
	switch msg := msg.(type) {
	case eventsMsg:
		if !p.waits.current(msg.Ticket) {
			return p, nil
		}
		p.events, p.synced, p.eventsProblem = msg.events, msg.synced, msg.problem
		p.rebuild()
		return p, p.waitEvents(false)
	case detailRelatedMsg:
		if p.loads.current(msg.Ticket) {
			p.related = msg.related
			p.rebuild()
		}
	case UsageChangedMsg:
		if u, ok := msg.For(p.pod.Namespace, p.pod.Name); ok {
			p.usage = &u
			p.usageHist.Add(u)
			p.rebuild()
		}
	case PodsChangedMsg:
		p.pods = msg.Snapshot.Pods // for the siblings
		read, gone := p.reader.follow(p.env.Cluster, p.pod, msg)
		p.deleted = p.deleted || gone
		p.rebuild()
		return p, read
	case podReadMsg:
		if p.reader.answers(msg) {
			var read tea.Cmd
			p.pod, read = p.reader.done(p.env.Cluster, p.pod, msg)
			p.rebuild()
			return p, read
		}
	case tea.KeyPressMsg:
		pk := p.env.Keys.Pod
		delta, scrolled := scrollDelta(msg, k.Scroll, p.height, len(p.lines))
		switch {
		case key.Matches(msg, k.Back):
			return p, ClosePage
		case scrolled:
			p.scroll(delta)
		case key.Matches(msg, k.Related):
			for i, l := range p.lines {
				if ansi.Strip(l) == relatedTitle {
					p.offset = i
					p.scroll(0)
				}
			}
		case key.Matches(msg, k.Node):
			if p.pod.Spec.NodeName != "" {
				return p, OpenNodeSummary(p.pod.Spec.NodeName)
			}
			return p, SetStatus("the pod is not scheduled on a node yet", false)
		case key.Matches(msg, k.WarningsOnly):
			p.warningsOnly = !p.warningsOnly
			p.rebuild()
		case key.Matches(msg, k.Diagnose):
			return p, p.action(actDiagnose)
		case key.Matches(msg, pk.YAML):
			return p, p.action(actYAML)
		case key.Matches(msg, pk.Timeline):
			return p, p.action(actTimeline)
		case key.Matches(msg, pk.Exec):
			return p, p.action(actExec)
		case key.Matches(msg, pk.Delete):
			return p, p.action(actDelete)
		case key.Matches(msg, pk.ForceDelete):
			return p, p.action(actForceDelete)
		case key.Matches(msg, pk.PortForward):
			return p, p.action(actPortForward)
		case key.Matches(msg, pk.Debug):
			return p, p.action(actDebug)
		case key.Matches(msg, pk.NodeShell):
			return p, p.action(actNodeShell)
		case key.Matches(msg, pk.Forwards):
			return p, p.action(actForwards)
		}
	}
	return p, nil
}

func (p *DetailPage) action(a podAction) tea.Cmd {
	pod := p.pod
	return func() tea.Msg { return podActionMsg{action: a, pod: pod} }
}

func (p *DetailPage) scroll(n int) {
	p.offset = max(0, min(p.offset+n, len(p.lines)-p.height))
}

// SetSize sets the page's size and re-wraps the text.
func (p *DetailPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.rebuild()
}

// Title names the page.
func (p *DetailPage) Title() string { return "detail " + p.pod.Namespace + "/" + p.pod.Name }

// ShortHelp is the page's one-line help.
func (p *DetailPage) ShortHelp() []key.Binding {
	k, pk := p.env.Keys.Detail, p.env.Keys.Pod
	return []key.Binding{k.Down, k.WarningsOnly, k.Diagnose, pk.Timeline, pk.YAML, pk.Exec, pk.Delete, k.Back}
}

// FullHelp is the page's full help.
func (p *DetailPage) FullHelp() [][]key.Binding {
	k, pk := p.env.Keys.Detail, p.env.Keys.Pod
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.WarningsOnly, k.Related, k.Node, k.Diagnose, pk.Timeline, k.Back},
		{pk.YAML, pk.Exec, pk.PortForward, pk.Forwards, pk.Delete, pk.ForceDelete},
	}
}

// SetCovered does nothing: the events keep arriving while covered (they
// are cheap), so the page is current when it is shown again.
func (p *DetailPage) SetCovered(bool) tea.Cmd { return nil }

// Close stops the events feed.
func (p *DetailPage) Close() {
	if p.src != nil {
		p.src.Stop()
	}
}

// View shows the visible part of the rendered lines.
func (p *DetailPage) View() string {
	p.offset = max(0, min(p.offset, len(p.lines)-p.height))
	end := min(len(p.lines), p.offset+p.height)
	return strings.Join(p.lines[p.offset:end], "\n")
}

// rebuild re-runs the diagnosis and re-renders all lines.
func (p *DetailPage) rebuild() {
	events := diagnose.EventsFor(p.pod, p.events)
	p.findings = diagnose.Diagnose(diagnose.Input{Pod: p.pod, Events: events, Related: p.related, Now: p.env.Now()})
	p.lines = wrapLines(renderDetail(p.env.Styles, p.pod, p.events, p.findings, detailState{
		deleted: p.deleted, synced: p.synced, eventsProblem: p.eventsProblem, warningsOnly: p.warningsOnly, related: p.related,
		pods: p.pods, usage: RenderContainerUsage(p.env.Styles, p.pod, p.usage, p.env.Metrics.Problem, p.usageHist),
	}, p.env.Now()), max(20, p.width))
}

// detailState is what the page knows beyond the pod and its events.
type detailState struct {
	deleted       bool
	synced        bool
	eventsProblem string
	warningsOnly  bool
	related       diagnose.Related   // nil: not loaded (yet)
	pods          []*kube.PodSummary // for the siblings
	usage         string             // rendered resources and usage block
}

// renderDetail is the whole detail text, unwrapped; pure.
func renderDetail(s *Styles, pod *corev1.Pod, events []diagnose.Event, findings []diagnose.Finding, st detailState, now time.Time) []string {
	var lines []string
	add := func(l ...string) { lines = append(lines, l...) }
	add(s.Title.Render(oneLine(pod.Namespace) + "/" + oneLine(pod.Name)))
	if st.deleted {
		add(s.Error.Render("⚠ this pod was deleted; showing its last known state"))
	}
	if len(findings) > 0 {
		add("", s.Title.Render("Diagnosis")+s.Muted.Render("  (D for evidence and explanations)"))
		for _, f := range findings {
			head := "  " + severityStyle(s, f.Severity).Render(fmt.Sprintf("● %-7s", strings.ToUpper(f.Severity.String()))) + " " + oneLine(f.Summary)
			add(head)
			for _, c := range f.Next {
				add("      $ " + oneLine(c))
			}
		}
	}
	add("")
	add(describeHead(s, pod, now)...)
	add("")
	add(describeEvents(s, pod, events, st, now)...)
	add("")
	if st.usage != "" {
		add(strings.Split(st.usage, "\n")...)
		add("")
	}
	add(describeRelated(s, pod, st.related)...)
	add("")
	if sib := describeSiblings(s, pod, st.pods, now); len(sib) > 0 {
		add(sib...)
		add("")
	}
	add(describeBody(s, pod, now)...)
	return lines
}
