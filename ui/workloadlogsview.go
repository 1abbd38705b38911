package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/internal/termsafe"
	"github.com/podtui/podtui/kube"
)

// View renders the status line and the visible lines (or the picker).
func (p *WorkloadLogPage) View() string {
	return p.frame(p.statusLine(), func(rows int) []string {
		if p.picking {
			return p.pickerLines(rows)
		}
		return p.body(rows)
	})
}

func (p *WorkloadLogPage) body(rows int) []string {
	if p.errText != "" && p.count() == 0 {
		return []string{p.styles.Error.Render(pad("cannot read the logs: "+termsafe.Sanitize(p.errText, termsafe.Options{}), p.width))}
	}
	empty := "no log lines yet"
	switch {
	case p.src.Name == "":
		empty = "finding the pods of " + p.open.Name + "…"
	case !p.started || !p.state.Synced:
		empty = "loading logs…"
	case len(p.state.Pods) == 0:
		empty = "no pod matches " + p.src.Name + " yet; pods that come will join"
	}
	return p.bodyLines(rows, empty)
}

func (p *WorkloadLogPage) statusLine() string {
	s := p.styles
	pods, gone := 0, 0
	for _, pod := range p.state.Pods {
		if pod.Gone {
			gone++
		} else {
			pods++
		}
	}
	podText := fmt.Sprintf("%d pods", pods)
	if gone > 0 {
		podText += fmt.Sprintf(" (+%d gone)", gone)
	}
	parts := []string{s.Header.Render(podText), s.Muted.Render(fmt.Sprintf("%d/%d streams", p.state.Open, p.state.Max))}
	if n := len(p.state.Left); n > 0 {
		parts = append(parts, s.Notice.Render(fmt.Sprintf("cap: %d left out (C)", n)))
	}
	switch {
	case p.ended:
		parts = append(parts, s.Muted.Render("ended"))
	case p.state.Problem != "":
		parts = append(parts, s.Error.Render("pod watch: "+termsafe.Sanitize(p.state.Problem, termsafe.Options{})))
	case !p.lastLine.IsZero() && p.env.Now().Sub(p.lastLine) < liveWindow:
		parts = append(parts, s.Healthy.Render("● live"))
	case p.started:
		parts = append(parts, s.Muted.Render("○ quiet"))
	default:
		parts = append(parts, s.Muted.Render("connecting…"))
	}
	if p.hidePrevious {
		parts = append(parts, s.Notice.Render("previous hidden"))
	}
	parts = append(parts, p.tailParts(p.dropped, p.since, p.tailLines < 0)...)
	return strings.Join(parts, s.Muted.Render(" · "))
}

// pickRow is a pod (Container "") or one of its containers in the picker.
type pickRow struct {
	key   kube.StreamKey
	label string
	state string
}

// pickCount is the number of picker rows: a pod and its containers each.
func (p *WorkloadLogPage) pickCount() int {
	n := len(p.state.Pods)
	for _, pod := range p.state.Pods {
		n += len(pod.Containers)
	}
	return n
}

func (p *WorkloadLogPage) pickRows() []pickRow {
	var rows []pickRow
	for _, pod := range p.state.Pods {
		k := kube.StreamKey{Namespace: pod.Namespace, Pod: pod.Name}
		state := fmt.Sprintf("%d containers", len(pod.Containers))
		if pod.Gone {
			state = "gone"
		}
		rows = append(rows, pickRow{key: k, label: pod.Name, state: state})
		for _, c := range pod.Containers {
			state := c.State
			switch {
			case c.Streaming:
				state += ", streaming"
			case c.Capped:
				state += ", left out by the cap"
			case c.Failed != "":
				state += ", " + c.Failed
			}
			ck := k
			ck.Container = c.Name
			rows = append(rows, pickRow{key: ck, label: "  " + c.Name, state: fmt.Sprintf("%s · %s lines", state, thousands(c.Lines))})
		}
	}
	return rows
}

func (p *WorkloadLogPage) pickerLines(rows int) []string {
	s := p.styles
	out := []string{s.Title.Render("Pods and containers") + s.Muted.Render("  (enter/space: show or leave out · esc: back)")}
	all := p.pickRows()
	first := max(0, min(p.pick.at-(rows-2)/2, len(all)-(rows-1)))
	for i := first; i < len(all) && len(out) < rows; i++ {
		r := all[i]
		mark := "[x]"
		if p.excluded[r.key] || r.key.Container != "" && p.excluded[kube.StreamKey{Namespace: r.key.Namespace, Pod: r.key.Pod}] {
			mark = "[ ]"
		}
		line := pad(fmt.Sprintf(" %s %-40s %s", mark, termsafe.Sanitize(r.label, termsafe.Options{}), termsafe.Sanitize(r.state, termsafe.Options{})), p.width)
		if i == p.pick.at {
			line = s.Selected.Reverse(true).Render(line)
		}
		out = append(out, line)
	}
	return out
}

// pickKey moves in the picker and shows or leaves out a pod or container:
// only its stream starts or stops.
func (p *WorkloadLogPage) pickKey(msg tea.KeyPressMsg) (Page, tea.Cmd) {
	k := p.env.Keys.Picker
	if p.pick.move(msg, p.keys.Scroll) {
		return p, nil
	}
	switch {
	case key.Matches(msg, k.Cancel) || key.Matches(msg, p.keys.Back) || key.Matches(msg, p.keys.Containers):
		p.picking = false
	case key.Matches(msg, k.Choose) || msg.String() == "space":
		rows := p.pickRows()
		if p.pick.at >= len(rows) {
			return p, nil
		}
		r := rows[p.pick.at]
		ex := !p.excluded[r.key]
		if ex {
			p.excluded[r.key] = true
		} else {
			delete(p.excluded, r.key)
		}
		p.setHidden(p.hiddenFunc())
		if tail := p.tail; tail != nil {
			return p, func() tea.Msg { tail.SetExcluded(r.key, ex); return nil }
		}
	}
	return p, nil
}
