package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/internal/termsafe"
)

// diagInputsMsg carries the events and related objects of a pod.
type diagInputsMsg struct {
	Ticket
	input diagnose.Input
}

// diagRecheckMsg asks a diagnosis page to judge its pod again: a wait the
// verdict depends on has ended (diagnose.NextChange).
type diagRecheckMsg struct{ Ticket }

// DiagPage shows every finding of one pod: what is wrong, the evidence, why,
// and the next commands, one of which is selected for copy or action.
type DiagPage struct {
	stillPage
	env      PageEnv
	pod      *corev1.Pod
	reader   podReader
	deleted  bool
	events   []diagnose.Event
	related  diagnose.Related
	input    diagnose.Input // usage, node requests and crash logs, as loaded
	loaded   bool
	findings []diagnose.Finding
	cmds     []cmdRef  // every next command, in order
	loads    asks      // the inputs
	rechecks asks      // the wake-up at recheck
	recheck  time.Time // when the verdict may change with time alone; zero if never
	cursor   int       // index into cmds
	offset   int       // first line shown
	width    int
	height   int
}

// cmdRef points at one next command of one finding.
type cmdRef struct {
	finding int
	text    string
}

// NewDiagPage builds the diagnosis page of a pod.
func NewDiagPage(env PageEnv, pod *corev1.Pod) *DiagPage {
	p := &DiagPage{env: env, pod: pod, reader: newPodReader(env.ID), loads: newAsks(env.ID), rechecks: newAsks(env.ID)}
	p.rediagnose()
	return p
}

// Init loads the pod's events, related objects and crashed containers' logs.
func (p *DiagPage) Init() tea.Cmd { return p.load() }

func (p *DiagPage) load() tea.Cmd {
	c, pod, t := p.env.Cluster, p.pod, p.loads.next()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		msg := diagInputsMsg{Ticket: t, input: podInput(ctx, c, pod)}
		msg.input.Logs = c.CrashLogs(ctx, pod)
		return msg
	}
}

func (p *DiagPage) rediagnose() {
	in := diagnose.Input{
		Pod: p.pod, Events: p.events, Related: p.related, Now: p.env.Now(),
		Usage: p.input.Usage, NodeRequested: p.input.NodeRequested, Logs: p.input.Logs, History: p.input.History,
		Restarts: p.input.Restarts,
	}
	p.findings = diagnose.Diagnose(in)
	p.cmds = p.cmds[:0]
	for i, f := range p.findings {
		for _, c := range f.Next {
			p.cmds = append(p.cmds, cmdRef{finding: i, text: c})
		}
	}
	p.cursor = max(0, min(p.cursor, len(p.cmds)-1))
}

// rejudge diagnoses again and, when the verdict may change with time alone,
// asks to be woken then (once per moment, however often it is called).
func (p *DiagPage) rejudge() tea.Cmd {
	p.rediagnose()
	next := diagnose.NextChange(p.pod, p.env.Now())
	if next.IsZero() || next.Equal(p.recheck) {
		return nil
	}
	p.recheck = next
	t := p.rechecks.next()
	return tea.Tick(next.Sub(p.env.Now()), func(time.Time) tea.Msg { return diagRecheckMsg{t} })
}

// Update handles keys and async results.
func (p *DiagPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	k := p.env.Keys.Diagnosis
	switch msg := msg.(type) {
	case diagInputsMsg:
		if !p.loads.current(msg.Ticket) {
			return p, nil
		}
		p.loaded = true
		p.events, p.related, p.input = msg.input.Events, msg.input.Related, msg.input
		if msg.input.Pod != nil {
			p.pod = msg.input.Pod // read with the events: as fresh as they are
		}
		return p, p.rejudge()
	case diagRecheckMsg:
		if p.rechecks.current(msg.Ticket) {
			p.recheck = time.Time{}
			return p, p.rejudge()
		}
	case PodsChangedMsg:
		read, gone := p.reader.follow(p.env.Cluster, p.pod, msg)
		p.deleted = p.deleted || gone
		return p, read
	case podReadMsg:
		if p.reader.answers(msg) {
			var read tea.Cmd
			p.pod, read = p.reader.done(p.env.Cluster, p.pod, msg)
			return p, tea.Batch(read, p.rejudge())
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Back):
			return p, ClosePage
		case key.Matches(msg, k.Up):
			p.cursor = max(0, p.cursor-1)
		case key.Matches(msg, k.Down):
			p.cursor = min(len(p.cmds)-1, p.cursor+1)
		case key.Matches(msg, k.Copy):
			if c, ok := p.selected(); ok {
				// OSC 52: works over SSH too, where no local clipboard is reachable.
				return p, tea.Batch(tea.SetClipboard(c.text), SetStatus("copied: "+c.text, false))
			}
		case key.Matches(msg, k.Action):
			if c, ok := p.selected(); ok {
				f := p.findings[c.finding]
				if f.Action == diagnose.ActionNone {
					return p, SetStatus("this finding has no in-app action; copy its command with c", false)
				}
				pod := p.pod
				return p, func() tea.Msg { return ActionMsg{Pod: pod, Container: f.Container, Action: f.Action} }
			}
		case key.Matches(msg, k.Refresh):
			p.loaded = false
			return p, p.load()
		case key.Matches(msg, p.env.Keys.Pod.Timeline):
			pod := p.pod
			return p, func() tea.Msg { return podActionMsg{action: actTimeline, pod: pod} }
		}
	}
	return p, nil
}

func (p *DiagPage) selected() (cmdRef, bool) {
	if len(p.cmds) == 0 {
		return cmdRef{}, false
	}
	return p.cmds[p.cursor], true
}

// SetSize sets the page's size.
func (p *DiagPage) SetSize(w, h int) { p.width, p.height = w, h }

// Title names the page.
func (p *DiagPage) Title() string { return "diagnosis " + p.pod.Namespace + "/" + p.pod.Name }

// ShortHelp is the page's one-line help.
func (p *DiagPage) ShortHelp() []key.Binding {
	k := p.env.Keys.Diagnosis
	return []key.Binding{k.Down, k.Copy, k.Action, p.env.Keys.Pod.Timeline, k.Refresh, k.Back}
}

// FullHelp is the page's full help.
func (p *DiagPage) FullHelp() [][]key.Binding {
	k := p.env.Keys.Diagnosis
	return [][]key.Binding{{k.Up, k.Down}, {k.Copy, k.Action, p.env.Keys.Pod.Timeline}, {k.Refresh, k.Back}}
}

// View renders the findings, scrolled so the selected command is visible.
func (p *DiagPage) View() string {
	lines, sel := p.render()
	if sel >= 0 {
		if sel < p.offset {
			p.offset = sel
		}
		if sel >= p.offset+p.height {
			p.offset = sel - p.height + 1
		}
	}
	p.offset = max(0, min(p.offset, len(lines)-p.height))
	end := min(len(lines), p.offset+p.height)
	return strings.Join(lines[p.offset:end], "\n")
}

// render returns all lines and the index of the selected command's line.
func (p *DiagPage) render() ([]string, int) {
	s := p.env.Styles
	w := max(20, p.width)
	var lines []string
	add := func(l string) { lines = append(lines, l) }
	wrap := func(text, indent string) {
		for _, l := range strings.Split(ansi.Wrap(text, w-len(indent), " "), "\n") {
			add(indent + l)
		}
	}
	status := diagnose.Status(p.pod)
	add(s.Title.Render(fmt.Sprintf("%s/%s", p.pod.Namespace, p.pod.Name)) + "  " + s.ForHealth(diagnose.PodHealth(p.pod)).Render(status))
	switch {
	case p.deleted:
		add(s.Error.Render("⚠ this pod was deleted; the diagnosis shows its last known state"))
	case !p.loaded:
		add(s.Muted.Render("loading events, related objects and logs…"))
	}
	if p.input.EventsProblem != "" {
		wrap(s.Notice.Render("⚠ "+termsafe.Sanitize(diagnose.EventsMissing(p.input.EventsProblem), termsafe.Options{})), "")
	}
	add("")
	if len(p.findings) == 0 {
		add(s.Healthy.Render("✓ nothing wrong found"))
		return lines, -1
	}
	sel, n := -1, 0
	for i, f := range p.findings {
		head := severityStyle(s, f.Severity).Render(fmt.Sprintf("● %-7s", strings.ToUpper(f.Severity.String()))) + " " +
			s.Muted.Render(string(f.Category))
		if f.Container != "" {
			head += s.Muted.Render("  container " + f.Container)
		}
		add(head)
		wrap(s.Title.Render(oneLine(f.Summary)), "  ")
		if f.Explanation != "" {
			wrap(oneLine(f.Explanation), "  ")
		}
		if len(f.Evidence) > 0 {
			add(s.Muted.Render("  evidence:"))
			for _, e := range f.Evidence {
				wrap("“"+oneLine(e)+"”", "    ")
			}
		}
		if len(f.Next) > 0 {
			add(s.Muted.Render("  next:"))
			for _, c := range f.Next {
				marker := "    "
				line := marker + "$ " + oneLine(c)
				if n == p.cursor {
					sel = len(lines)
					line = s.Selected.Render(pad("  ▸ $ "+oneLine(c), w))
				}
				add(line)
				n++
			}
		}
		if i < len(p.findings)-1 {
			add("")
		}
	}
	return lines, sel
}

func severityStyle(s *Styles, sev diagnose.Severity) lipgloss.Style {
	switch sev {
	case diagnose.SeverityError:
		return s.Failing
	case diagnose.SeverityWarning:
		return s.Progressing
	}
	return s.Notice
}

// oneLine makes untrusted text (event messages, names) safe to draw on one
// line: escape sequences and control characters are removed.
func oneLine(s string) string {
	// Line breaks become spaces first; termsafe drops the rest (CR included).
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\t", " ").Replace(s)
	return termsafe.Sanitize(s, termsafe.Options{})
}
