package ui

import (
	"fmt"
	"strings"

	"github.com/podtui/podtui/internal/termsafe"
)

// View renders the status line and the visible lines only.
func (p *LogPage) View() string {
	return p.frame(p.statusLine(), func(rows int) []string {
		if p.picking {
			return p.pickerLines(rows)
		}
		return p.body(rows)
	})
}

func (p *LogPage) statusLine() string {
	s := p.styles
	c, _ := p.container()
	parts := []string{s.Header.Render(c.name) + s.Muted.Render(" ("+c.kind+", "+c.state()+")")}
	if p.all() {
		parts = []string{s.Header.Render("all containers") + s.Muted.Render(fmt.Sprintf(" (%d streams)", len(p.streams)))}
	}
	if p.previous {
		parts = append(parts, s.Notice.Render("previous instance"))
	}
	switch p.state {
	case streamConnecting:
		parts = append(parts, s.Muted.Render("connecting…"))
	case streamFailed:
		parts = append(parts, s.Error.Render("no log"))
	case streamEnded:
		parts = append(parts, s.Muted.Render("end of log"))
	case streamOpen:
		if !p.lastLine.IsZero() && p.env.Now().Sub(p.lastLine) < liveWindow {
			parts = append(parts, s.Healthy.Render("● live"))
		} else {
			parts = append(parts, s.Muted.Render("○ quiet"))
		}
	}
	parts = append(parts, p.tailParts(p.skipped, p.since, p.tail < 0)...)
	if p.deleted {
		parts = append(parts, s.Error.Render("pod deleted"))
	}
	return strings.Join(parts, s.Muted.Render(" · "))
}

func (p *LogPage) pickerLines(rows int) []string {
	s := p.styles
	out := []string{s.Title.Render("Container")}
	for i, c := range p.containers {
		line := fmt.Sprintf("  %-24s %-9s %s", c.name, c.kind, c.state())
		if c.hasPrevious() {
			line += "  (previous log)"
		}
		line = pad(line, p.width)
		if i == p.pickAt {
			line = s.Selected.Reverse(true).Render(line)
		}
		out = append(out, line)
		if len(out) >= rows {
			return out
		}
	}
	if len(p.containers) > 1 {
		line := pad(fmt.Sprintf("  %-24s %-9s %s", "all containers", "", "interleaved, each line prefixed with its container"), p.width)
		if p.pickAt == len(p.containers) {
			line = s.Selected.Reverse(true).Render(line)
		}
		out = append(out, line)
	}
	return out
}

// body is the log lines, or why there are none.
func (p *LogPage) body(rows int) []string {
	if p.state == streamFailed {
		return []string{p.styles.Error.Render(pad("cannot read the log: "+termsafe.Sanitize(p.errText, termsafe.Options{}), p.width))}
	}
	empty := "no log lines yet"
	switch p.state {
	case streamConnecting:
		empty = "loading log…"
	case streamEnded:
		empty = "the log is empty"
	}
	return p.bodyLines(rows, empty)
}
