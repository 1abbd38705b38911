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
)

// timelineInputsMsg carries the pod's events, node and workload revisions.
type timelineInputsMsg struct {
	Ticket
	input diagnose.Input
}

// TimelinePage shows what happened to one pod, oldest first, on one time
// axis: events (with counts and a bar from first to last seen), condition
// transitions, container states and restarts with their back-off, probe
// failures, node conditions and the rollout of its revision.
type TimelinePage struct {
	stillPage
	env     PageEnv
	pod     *corev1.Pod
	reader  podReader
	loads   asks
	input   diagnose.Input // events, related objects, history of the last load
	moments []diagnose.Moment
	loaded  bool
	deleted bool
	offset  int
	atEnd   bool // follow the newest moment until the user scrolls
	width   int
	height  int
}

// NewTimelinePage builds the timeline page of a pod.
func NewTimelinePage(env PageEnv, pod *corev1.Pod) *TimelinePage {
	p := &TimelinePage{env: env, pod: pod, reader: newPodReader(env.ID), loads: newAsks(env.ID), atEnd: true}
	p.assemble()
	return p
}

// Init loads the pod's events, its node and its workload's revisions.
func (p *TimelinePage) Init() tea.Cmd { return p.load() }

func (p *TimelinePage) load() tea.Cmd {
	c, pod, t := p.env.Cluster, p.pod, p.loads.next()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return timelineInputsMsg{Ticket: t, input: podInput(ctx, c, pod)}
	}
}

func (p *TimelinePage) assemble() {
	in := p.input
	in.Pod, in.Now = p.pod, p.env.Now()
	p.moments = diagnose.Timeline(in)
}

// Update handles keys and async results.
func (p *TimelinePage) Update(msg tea.Msg) (Page, tea.Cmd) {
	k := p.env.Keys.Timeline
	switch msg := msg.(type) {
	case timelineInputsMsg:
		if !p.loads.current(msg.Ticket) {
			return p, nil
		}
		p.loaded = true
		p.input = msg.input
		if msg.input.Pod != nil {
			p.pod = msg.input.Pod
		}
		p.assemble()
	case PodsChangedMsg:
		read, gone := p.reader.follow(p.env.Cluster, p.pod, msg)
		p.deleted = p.deleted || gone
		return p, read
	case podReadMsg:
		if p.reader.answers(msg) {
			var read tea.Cmd
			p.pod, read = p.reader.done(p.env.Cluster, p.pod, msg)
			p.assemble()
			return p, read
		}
	case tea.KeyPressMsg:
		delta, scrolled := scrollDelta(msg, k.Scroll, p.height, len(p.moments)+3)
		switch {
		case key.Matches(msg, k.Back):
			return p, ClosePage
		case scrolled:
			p.offset += delta
			p.atEnd = false
		case key.Matches(msg, k.Refresh):
			return p, p.load()
		}
	}
	return p, nil
}

// SetSize sets the page's size.
func (p *TimelinePage) SetSize(w, h int) { p.width, p.height = w, h }

// Title names the page.
func (p *TimelinePage) Title() string { return "timeline " + p.pod.Namespace + "/" + p.pod.Name }

// ShortHelp is the page's one-line help.
func (p *TimelinePage) ShortHelp() []key.Binding {
	k := p.env.Keys.Timeline
	return []key.Binding{k.Down, k.Up, k.Refresh, k.Back}
}

// FullHelp is the page's full help.
func (p *TimelinePage) FullHelp() [][]key.Binding {
	k := p.env.Keys.Timeline
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Refresh, k.Back}}
}

// View renders the header and the visible moments; it starts at the newest.
func (p *TimelinePage) View() string {
	head, body := p.render()
	h := max(1, p.height-len(head))
	if p.atEnd {
		p.offset = len(body) - h
	}
	p.offset = max(0, min(p.offset, len(body)-h))
	lines := append(head, body[p.offset:min(len(body), p.offset+h)]...)
	return strings.Join(lines, "\n")
}

// axisWidth is the width of the time axis drawn beside each moment.
const axisWidth = 16

// render returns the header lines and one line per moment.
func (p *TimelinePage) render() (head, body []string) {
	s := p.env.Styles
	now := p.env.Now()
	w := max(40, p.width)
	cut := func(l string) string { return ansi.Truncate(l, w, "…") }
	head = append(head, cut(s.Title.Render(p.pod.Namespace+"/"+p.pod.Name)+"  "+s.ForHealth(diagnose.PodHealth(p.pod)).Render(diagnose.Status(p.pod))))
	switch {
	case p.deleted:
		head = append(head, s.Error.Render("⚠ this pod was deleted; the timeline shows its last known state"))
	case !p.loaded:
		head = append(head, s.Muted.Render("loading events, node and revisions…"))
	}
	from, to := axisSpan(p.moments, now)
	head = append(head, cut(s.Muted.Render(fmt.Sprintf("times UTC · axis %s → now (%s) · ━ first→last seen · from the API, except what says “seen by podtui”",
		from.UTC().Format("15:04"), diagnose.HumanDuration(to.Sub(from))))))
	for _, m := range p.moments {
		when, ago := "        ", ""
		if !m.Time.IsZero() {
			when = m.Time.UTC().Format("15:04:05")
			if m.Time.After(now) {
				ago = "in " + diagnose.HumanDuration(m.Time.Sub(now))
			} else {
				ago = diagnose.HumanDuration(now.Sub(m.Time)) + " ago"
			}
		}
		text := m.Text
		if m.Count > 1 {
			text = fmt.Sprintf("×%d %s", m.Count, text)
		}
		kind := fmt.Sprintf("%-9s", m.Kind)
		if m.Warning {
			kind = severityStyle(s, diagnose.SeverityWarning).Render(kind)
		} else {
			kind = s.Muted.Render(kind)
		}
		line := fmt.Sprintf("%s %-10s %s %s %s", when, ago, s.Muted.Render(axisBar(m, from, to)), kind, oneLine(text))
		body = append(body, cut(line))
	}
	if len(p.moments) == 0 {
		body = append(body, s.Muted.Render("nothing recorded"))
	}
	return head, body
}

// axisSpan is the time axis: from the oldest moment to now (or the latest
// moment, when one is due later).
func axisSpan(ms []diagnose.Moment, now time.Time) (from, to time.Time) {
	from, to = now, now
	for _, m := range ms {
		for _, t := range []time.Time{m.First, m.Time} {
			if t.IsZero() {
				continue
			}
			if t.Before(from) {
				from = t
			}
			if t.After(to) {
				to = t
			}
		}
	}
	return from, to
}

// axisBar places a moment on the axis: a tick at its time, a bar from first
// to last seen for a repeated event, blank when its time is unknown.
func axisBar(m diagnose.Moment, from, to time.Time) string {
	cells := []rune(strings.Repeat("·", axisWidth))
	if m.Time.IsZero() {
		return strings.Repeat(" ", axisWidth)
	}
	span := to.Sub(from)
	pos := func(t time.Time) int {
		if span <= 0 {
			return axisWidth - 1
		}
		return min(axisWidth-1, max(0, int(float64(t.Sub(from))/float64(span)*float64(axisWidth-1)+0.5)))
	}
	end := pos(m.Time)
	start := end
	if !m.First.IsZero() {
		start = pos(m.First)
	}
	for i := start; i <= end; i++ {
		cells[i] = '━'
	}
	if start == end {
		cells[end] = '│'
	}
	return string(cells)
}
