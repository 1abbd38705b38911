package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
)

func (p *LogPage) searchKey(msg tea.KeyPressMsg) (Page, tea.Cmd) {
	switch msg.String() {
	case "esc":
		p.searching = false
		p.input.Blur()
		return p, nil
	case "enter":
		p.searching = false
		p.input.Blur()
		p.setQuery(p.input.Value())
		if p.query != "" {
			if len(p.matches) == 0 {
				return p, SetStatus(fmt.Sprintf("no line matches %q", p.query), false)
			}
			// Start at the newest match: logs are read from the end.
			p.match = p.matches[len(p.matches)-1]
			p.showMatch()
		}
		return p, nil
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return p, cmd
}

// setQuery sets the search and rebuilds the match list (a linear scan:
// about 10 ms for 100k lines, see BenchmarkLogPipeline).
func (p *LogPage) setQuery(q string) {
	p.query, p.matches, p.match = q, nil, -1
	if q == "" {
		p.filter = false
		return
	}
	for seq := p.buf.firstSeq(); seq < p.buf.nextSeq; seq++ {
		if e := p.buf.at(seq); !e.marker && contains(e.text, q) {
			p.matches = append(p.matches, seq)
		}
	}
}

// jump moves to the next (dir 1) or previous (dir -1) match.
func (p *LogPage) jump(dir int) {
	if len(p.matches) == 0 {
		return
	}
	i := p.matchIndex()
	switch {
	case p.match < 0 && dir > 0:
		i = 0
	case p.match < 0:
		i = len(p.matches) - 1
	default:
		i = (i + dir + len(p.matches)) % len(p.matches)
	}
	p.match = p.matches[i]
	p.showMatch()
}

// matchIndex is the index of the current match in matches.
func (p *LogPage) matchIndex() int {
	lo, hi := 0, len(p.matches)
	for lo < hi {
		m := (lo + hi) / 2
		if p.matches[m] < p.match {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// showMatch scrolls so the current match is a third down the screen.
func (p *LogPage) showMatch() {
	p.follow = false
	i := p.indexOf(p.match) - p.bodyRows()/3
	p.top = p.seqAt(max(0, min(i, p.count()-p.bodyRows())))
}

// highlight marks the query's occurrences in a row of plain text.
func (p *LogPage) highlight(text string, current bool) string {
	if p.query == "" {
		return text
	}
	st := p.env.Styles.Selected.Reverse(true)
	if current {
		st = st.Bold(true).Underline(true)
	}
	var b strings.Builder
	rest := text
	for {
		i := index(rest, p.query)
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:i])
		b.WriteString(st.Render(rest[i : i+len(p.query)]))
		rest = rest[i+len(p.query):]
	}
}

// Search is smart-case: a query without capitals ignores (ASCII) case.
// Folding only ASCII keeps byte offsets, so highlights line up.

func contains(s, q string) bool { return index(s, q) >= 0 }

func index(s, q string) int {
	if hasUpper(q) {
		return strings.Index(s, q)
	}
	return indexFold(s, q)
}

// indexFold finds the lower-case q in s ignoring ASCII case, without
// allocating: a search runs over every line of the buffer.
func indexFold(s, q string) int {
	n := len(q)
	if n == 0 {
		return 0
	}
	lo, up := q[0], q[0]
	if lo >= 'a' && lo <= 'z' {
		up = lo - 'a' + 'A'
	}
	for i := 0; i+n <= len(s); i++ {
		if c := s[i]; c != lo && c != up {
			continue
		}
		j := 1
		for ; j < n; j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != q[j] {
				break
			}
		}
		if j == n {
			return i
		}
	}
	return -1
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}
