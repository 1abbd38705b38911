package ui

import (
	"fmt"
	"strings"

	"github.com/podtui/podtui/internal/termsafe"
)

// View renders the status line and the visible lines only.
func (p *LogPage) View() string {
	if p.width <= 0 || p.height <= 0 {
		return ""
	}
	lines := []string{pad(p.statusLine(), p.width)}
	rows := p.bodyRows()
	if p.picking {
		lines = append(lines, p.pickerLines(rows)...)
	} else {
		lines = append(lines, p.body(rows)...)
	}
	for len(lines) < 1+rows {
		lines = append(lines, "")
	}
	if p.search.typing() {
		lines = append(lines, pad(p.search.prompt.View(), p.width))
	}
	if p.save.open {
		lines = append(lines, pad(p.save.View(), p.width))
	}
	return strings.Join(lines, "\n")
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
	if p.follow {
		parts = append(parts, s.Notice.Render("FOLLOW"))
	} else {
		parts = append(parts, s.Muted.Render("paused (G follows)"))
	}
	parts = append(parts, s.Muted.Render(thousands(p.buf.nextNum-1)+" lines"))
	if p.skipped > 0 {
		// Markers say where; this count stays after they scroll away.
		parts = append(parts, s.Notice.Render(thousands(p.skipped)+" lines skipped"))
	}
	switch {
	case p.since > 0:
		parts = append(parts, s.Notice.Render("since "+strings.TrimSuffix(strings.TrimSuffix(p.since.String(), "0s"), "0m")))
	case p.tail < 0:
		parts = append(parts, s.Muted.Render("whole log"))
	}
	if p.buf.dropped > 0 {
		parts = append(parts, s.Notice.Render(thousands(p.buf.dropped)+" older lines dropped"))
	}
	if p.search.query != "" {
		current := -1
		if p.match >= 0 {
			current = p.matchIndex()
		}
		m := p.search.status(current, len(p.matches))
		if p.filter {
			m += " (filtered)"
		}
		parts = append(parts, s.Notice.Render(m))
	}
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
