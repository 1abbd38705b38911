package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/charmbracelet/x/ansi"

	"github.com/podtui/podtui/internal/termsafe"
	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// liveWindow is how recent the last line must be for the view to say that
// lines are arriving.
const liveWindow = 2 * time.Second

// logView is the text part of a log page: the bounded buffer, scrolling,
// search and filter, wrap, timestamps, numbers, colours, copy and the save
// prompt. The one-pod page and the workload page embed it.
type logView struct {
	styles *Styles
	keys   keymap.Logs

	maxLines, maxBytes int
	buf                logBuffer
	follow             bool
	top                int // seq of the first entry shown when not following

	timestamps, wrap, numbers, colors bool

	search  textSearch
	matches []int // seqs of entries matching the query (and not hidden), ascending
	filter  bool  // show only matches
	match   int   // seq of the current match, -1 for none

	// hidden leaves entries out of the view (a workload page's excluded
	// pods); shown is then the seqs of the others, ascending.
	hidden func(*logEntry) bool
	shown  []int
	// srcStyle colours an entry's prefix by its source; nil: no prefixes.
	srcStyle func(src int32) lipgloss.Style

	save textPrompt

	width, height int
}

func newLogView(env PageEnv, maxLines, maxBytes int) logView {
	// Bounds and toggles from the config file unless the caller set them.
	if maxLines <= 0 {
		maxLines = env.Logs.BufferLines
	}
	if maxBytes <= 0 {
		maxBytes = int(env.Logs.BufferBytes)
	}
	if maxLines <= 0 {
		maxLines = DefaultLogLines
	}
	if maxBytes <= 0 {
		maxBytes = DefaultLogBytes
	}
	return logView{
		styles: env.Styles, keys: env.Keys.Logs, match: -1, follow: true,
		search:   newTextSearch(env.Keys.Logs.TextSearch, env.Keys.Prompt),
		save:     newTextPrompt(env.Keys.Prompt, "save to: ", ""),
		maxLines: maxLines, maxBytes: maxBytes,
		buf:  newLogBuffer(maxLines, maxBytes),
		wrap: env.Logs.Wrap, timestamps: env.Logs.Timestamps,
	}
}

// reset empties the view for a new start of its streams; the search, the
// filter and the toggles stay.
func (v *logView) reset() {
	v.buf = newLogBuffer(v.maxLines, v.maxBytes)
	v.follow, v.top = true, 0
	v.matches, v.match, v.shown = nil, -1, nil
}

// The entries shown are the whole buffer or, in filter mode, the matches
// (or, with entries hidden, the others). View indices run 0..count()-1.

// list is the seqs shown when not every entry is.
func (v *logView) list() ([]int, bool) {
	switch {
	case v.filter:
		return v.matches, true
	case v.hidden != nil:
		return v.shown, true
	}
	return nil, false
}

func (v *logView) count() int {
	if l, ok := v.list(); ok {
		return len(l)
	}
	return v.buf.len()
}

func (v *logView) seqAt(i int) int {
	if l, ok := v.list(); ok {
		if i < len(l) {
			return l[i]
		}
		return v.buf.nextSeq
	}
	return v.buf.firstSeq() + i
}

// indexOf is the view index of the first entry at or after seq.
func (v *logView) indexOf(seq int) int {
	l, ok := v.list()
	if !ok {
		return max(0, seq-v.buf.firstSeq())
	}
	i, _ := slices.BinarySearch(l, seq)
	return i
}

// scroll moves by n entries; moving up releases follow, reaching the end
// engages it again.
func (v *logView) scroll(n int) {
	rows := v.bodyRows()
	last := max(0, v.count()-rows) // top index of the last page
	i := last
	if !v.follow {
		i = min(v.indexOf(v.top), last)
	}
	i = max(0, min(last, i+n))
	if n > 0 && i >= last {
		v.follow = true
		return
	}
	v.follow = false
	v.top = v.seqAt(i)
}

// SetSize sets the page's size.
func (v *logView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.search.prompt.SetWidth(max(10, w-4))
	v.save.SetWidth(max(10, w-26))
}

// bodyRows is the number of rows left for log lines.
func (v *logView) bodyRows() int {
	rows := v.height - 1 // the page's own status line
	if v.Capturing() {
		rows--
	}
	return max(1, rows)
}

// Capturing reports whether keys go to the search or save prompt.
func (v *logView) Capturing() bool { return v.search.typing() || v.save.open }

// bodyLines renders the visible entries, wrapping only those; empty is
// what it says when there is none.
func (v *logView) bodyLines(rows int, empty string) []string {
	if v.count() == 0 {
		if v.filter {
			empty = fmt.Sprintf("no line matches %q", v.search.query)
		}
		return []string{v.styles.Muted.Render(pad(empty, v.width))}
	}
	entries := v.visible(rows)
	var out []string
	for _, e := range entries {
		out = append(out, v.renderEntry(e)...)
	}
	if len(out) > rows {
		if v.follow {
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
func (v *logView) visible(rows int) []*logEntry {
	n := v.count()
	var out []*logEntry
	used := 0
	if v.follow {
		for i := n - 1; i >= 0 && used < rows; i-- {
			e := v.buf.at(v.seqAt(i))
			out = append(out, e)
			used += v.rowsOf(e)
		}
		slices.Reverse(out)
		return out
	}
	for i := v.indexOf(v.top); i < n && used < rows; i++ {
		e := v.buf.at(v.seqAt(i))
		out = append(out, e)
		used += v.rowsOf(e)
	}
	return out
}

// rowsOf is the number of rows an entry takes.
func (v *logView) rowsOf(e *logEntry) int {
	if !v.wrap || e.marker {
		return 1
	}
	return len(v.renderEntry(e))
}

// renderEntry renders one entry as one row, or several when wrapping.
func (v *logView) renderEntry(e *logEntry) []string {
	s := v.styles
	if e.marker {
		return []string{s.Notice.Render(pad(e.text, v.width))}
	}
	prefix := ""
	if v.numbers {
		prefix += fmt.Sprintf("%6d ", e.num)
	}
	if v.timestamps {
		if e.time.IsZero() {
			prefix += strings.Repeat(" ", 31)
		} else {
			prefix += e.time.UTC().Format("2006-01-02T15:04:05.000000000Z") + " "
		}
	}
	pw := ansi.StringWidth(prefix)
	textW := max(1, v.width-pw)
	text, coloured := e.text, v.colors && e.sgr != ""
	if coloured {
		text = e.sgr
	}
	var parts []string
	if v.wrap {
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
		src := ""
		if i == 0 && e.pre > 0 && v.srcStyle != nil && len(part) >= int(e.pre) {
			src, part = v.srcStyle(e.src).Render(part[:e.pre]), part[e.pre:]
		}
		if coloured {
			// A cut may have dropped the line's closing reset.
			out[i] = s.Muted.Render(pre) + src + part + "\x1b[m"
		} else {
			out[i] = s.Muted.Render(pre) + src + v.search.highlight(part, e.seq == v.match, s.Selected.Reverse(true))
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

// frame lays a log page out: its status line, the body (log lines or a
// picker) filling the rows, and the open prompt.
func (v *logView) frame(status string, body func(rows int) []string) string {
	if v.width <= 0 || v.height <= 0 {
		return ""
	}
	rows := v.bodyRows()
	lines := append([]string{pad(status, v.width)}, body(rows)...)
	for len(lines) < 1+rows {
		lines = append(lines, "")
	}
	if v.search.typing() {
		lines = append(lines, pad(v.search.prompt.View(), v.width))
	}
	if v.save.open {
		lines = append(lines, pad(v.save.View(), v.width))
	}
	return strings.Join(lines, "\n")
}

// typing hands other messages (the cursor's blink) to the open prompt.
func (v *logView) typing(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case v.search.typing():
		_, cmd = v.search.update(msg)
	case v.save.open:
		_, cmd = v.save.Update(msg)
	}
	return cmd
}

// tailParts are the status line's parts both pages show after their own:
// follow, counts, drops, the window and the search.
func (v *logView) tailParts(skipped int, since time.Duration, whole bool) []string {
	s := v.styles
	var parts []string
	if v.follow {
		parts = append(parts, s.Notice.Render("FOLLOW"))
	} else {
		parts = append(parts, s.Muted.Render("paused (G follows)"))
	}
	parts = append(parts, s.Muted.Render(thousands(v.buf.nextNum-1)+" lines"))
	if skipped > 0 {
		// Markers say where; this count stays after they scroll away.
		parts = append(parts, s.Notice.Render(thousands(skipped)+" lines skipped"))
	}
	switch {
	case since > 0:
		parts = append(parts, s.Notice.Render("since "+strings.TrimSuffix(strings.TrimSuffix(since.String(), "0s"), "0m")))
	case whole:
		parts = append(parts, s.Muted.Render("whole log"))
	}
	if v.buf.dropped > 0 {
		parts = append(parts, s.Notice.Render(thousands(v.buf.dropped)+" older lines dropped"))
	}
	if v.search.query != "" {
		current := -1
		if v.match >= 0 {
			current = v.matchIndex()
		}
		m := v.search.status(current, len(v.matches))
		if v.filter {
			m += " (filtered)"
		}
		parts = append(parts, s.Notice.Render(m))
	}
	return parts
}

// lineText sanitises a log line for the view: its plain text and, when it
// had colours, a copy with them kept (for K); both start with prefix.
func lineText(l kube.LogLine, prefix string) (text, sgr string) {
	text = prefix + termsafe.Sanitize(l.Text, termsafe.Options{})
	if strings.Contains(l.Text, "\x1b[") || strings.Contains(l.Text, "\u009b") {
		// Keep a coloured copy for K, only of lines that have colours.
		if s := prefix + termsafe.Sanitize(l.Text, termsafe.Options{KeepSGR: true}); s != text {
			sgr = s
		}
	}
	if l.Cut > 0 {
		cut := fmt.Sprintf(" … [%s bytes cut]", thousands(l.Cut))
		text += cut
		if sgr != "" {
			sgr += cut
		}
	}
	return text, sgr
}

// viewKey handles the keys every log page shares: scrolling, search and
// filter, the display toggles and copy. done is false for the page's own.
func (v *logView) viewKey(msg tea.KeyPressMsg) (done bool, cmd tea.Cmd) {
	if ev, cmd := v.search.update(msg); ev != searchIgnored {
		return true, tea.Batch(cmd, v.searched(ev))
	}
	k := v.keys
	switch {
	case key.Matches(msg, k.Up):
		v.scroll(-1)
	case key.Matches(msg, k.Down):
		v.scroll(1)
	case key.Matches(msg, k.PageUp):
		v.scroll(-v.bodyRows())
	case key.Matches(msg, k.PageDown):
		v.scroll(v.bodyRows())
	case key.Matches(msg, k.Top):
		v.follow = false
		v.top = v.seqAt(0)
	case key.Matches(msg, k.Bottom):
		v.follow = true
	case key.Matches(msg, k.Timestamps):
		v.timestamps = !v.timestamps
	case key.Matches(msg, k.Wrap):
		v.wrap = !v.wrap
	case key.Matches(msg, k.LineNumbers):
		v.numbers = !v.numbers
	case key.Matches(msg, k.Colors):
		v.colors = !v.colors
	case key.Matches(msg, k.Copy):
		text := v.visibleText()
		if text == "" {
			return true, SetStatus("nothing to copy", false)
		}
		// OSC 52: works over SSH too, where no local clipboard is reachable.
		return true, tea.Batch(tea.SetClipboard(text), SetStatus(fmt.Sprintf("copied %d visible lines", strings.Count(text, "\n")+1), false))
	case key.Matches(msg, k.Filter):
		if v.search.query == "" {
			return true, SetStatus("search with / first (re:REGEXP for a regexp, !TEXT for lines without it); f then shows only the matching lines", false)
		}
		v.filter = !v.filter
		v.follow = true
	default:
		return false, nil
	}
	return true, nil
}
