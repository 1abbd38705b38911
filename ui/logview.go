package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/podtui/podtui/internal/termsafe"
)

// liveWindow is how recent the last line must be for the view to say that
// lines are arriving.
const liveWindow = 2 * time.Second

// The entries shown are the whole buffer or, in filter mode, the matches.
// view indices run 0..count()-1.

func (p *LogPage) count() int {
	if p.filter {
		return len(p.matches)
	}
	return p.buf.len()
}

func (p *LogPage) seqAt(i int) int {
	if p.filter {
		if i < len(p.matches) {
			return p.matches[i]
		}
		return p.buf.nextSeq
	}
	return p.buf.firstSeq() + i
}

// indexOf is the view index of the first entry at or after seq.
func (p *LogPage) indexOf(seq int) int {
	if !p.filter {
		return max(0, seq-p.buf.firstSeq())
	}
	lo, hi := 0, len(p.matches)
	for lo < hi {
		m := (lo + hi) / 2
		if p.matches[m] < seq {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// scroll moves by n entries; moving up releases follow, reaching the end
// engages it again.
func (p *LogPage) scroll(n int) {
	rows := p.bodyRows()
	last := max(0, p.count()-rows) // top index of the last page
	i := last
	if !p.follow {
		i = min(p.indexOf(p.top), last)
	}
	i = max(0, min(last, i+n))
	if n > 0 && i >= last {
		p.follow = true
		return
	}
	p.follow = false
	p.top = p.seqAt(i)
}

// SetSize sets the page's size.
func (p *LogPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.search.prompt.SetWidth(max(10, w-4))
	p.save.SetWidth(max(10, w-26))
}

// bodyRows is the number of rows left for log lines.
func (p *LogPage) bodyRows() int {
	rows := p.height - 1 // the page's own status line
	if p.Capturing() {
		rows--
	}
	return max(1, rows)
}

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
		lines = append(lines, p.bodyLines(rows)...)
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
	s := p.env.Styles
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
	s := p.env.Styles
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

// bodyLines renders the visible entries, wrapping only those.
func (p *LogPage) bodyLines(rows int) []string {
	if p.state == streamFailed {
		return []string{p.env.Styles.Error.Render(pad("cannot read the log: "+termsafe.Sanitize(p.errText, termsafe.Options{}), p.width))}
	}
	if p.count() == 0 {
		msg := "no log lines yet"
		switch {
		case p.filter:
			msg = fmt.Sprintf("no line matches %q", p.search.query)
		case p.state == streamConnecting:
			msg = "loading log…"
		case p.state == streamEnded:
			msg = "the log is empty"
		}
		return []string{p.env.Styles.Muted.Render(pad(msg, p.width))}
	}
	entries := p.visible(rows)
	var out []string
	for _, e := range entries {
		out = append(out, p.renderEntry(e)...)
	}
	if len(out) > rows {
		if p.follow {
			out = out[len(out)-rows:] // the newest rows
		} else {
			out = out[:rows]
		}
	}
	return out
}

// visible returns the entries on screen: from the end backwards when
// following, else from the top entry on, until rows are filled. Only these
// are ever rendered or wrapped.
func (p *LogPage) visible(rows int) []*logEntry {
	n := p.count()
	var out []*logEntry
	used := 0
	if p.follow {
		for i := n - 1; i >= 0 && used < rows; i-- {
			e := p.buf.at(p.seqAt(i))
			out = append(out, e)
			used += p.rowsOf(e)
		}
		slices.Reverse(out)
		return out
	}
	for i := p.indexOf(p.top); i < n && used < rows; i++ {
		e := p.buf.at(p.seqAt(i))
		out = append(out, e)
		used += p.rowsOf(e)
	}
	return out
}

// rowsOf is the number of rows an entry takes.
func (p *LogPage) rowsOf(e *logEntry) int {
	if !p.wrap || e.marker {
		return 1
	}
	return len(p.renderEntry(e))
}

// renderEntry renders one entry as one row, or several when wrapping.
func (p *LogPage) renderEntry(e *logEntry) []string {
	s := p.env.Styles
	if e.marker {
		return []string{s.Notice.Render(pad(e.text, p.width))}
	}
	prefix := ""
	if p.numbers {
		prefix += fmt.Sprintf("%6d ", e.num)
	}
	if p.timestamps {
		if e.time.IsZero() {
			prefix += strings.Repeat(" ", 31)
		} else {
			prefix += e.time.UTC().Format("2006-01-02T15:04:05.000000000Z") + " "
		}
	}
	pw := ansi.StringWidth(prefix)
	textW := max(1, p.width-pw)
	text, coloured := e.text, p.colors && e.sgr != ""
	if coloured {
		text = e.sgr
	}
	var parts []string
	if p.wrap {
		parts = strings.Split(ansi.Hardwrap(text, textW, true), "\n")
	} else {
		parts = []string{ansi.Truncate(text, textW, "…")}
	}
	out := make([]string, len(parts))
	for i, part := range parts {
		pre := prefix
		if i > 0 {
			pre = strings.Repeat(" ", pw)
		}
		if coloured {
			// A cut may have dropped the line's closing reset.
			out[i] = s.Muted.Render(pre) + part + "\x1b[m"
		} else {
			out[i] = s.Muted.Render(pre) + p.search.highlight(part, e.seq == p.match, s.Selected.Reverse(true))
		}
	}
	return out
}

// thousands formats n with thousands separators: 12,345.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
