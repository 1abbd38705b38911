package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// searched acts on what a key did to the search.
func (p *LogPage) searched(ev searchEvent) tea.Cmd {
	switch ev {
	case searchEntered:
		p.setQuery(p.search.query)
		if p.search.query == "" {
			return nil
		}
		if len(p.matches) == 0 {
			return SetStatus(fmt.Sprintf("no line matches %q", p.search.query), false)
		}
		// Start at the newest match: logs are read from the end.
		p.match = p.matches[len(p.matches)-1]
		p.showMatch()
	case searchNext:
		p.jump(1)
	case searchPrev:
		p.jump(-1)
	case searchCleared:
		p.setQuery("")
	}
	return nil
}

// setQuery sets the search and rebuilds the match list (a linear scan:
// about 10 ms for 100k lines, see BenchmarkLogPipeline).
func (p *LogPage) setQuery(q string) {
	p.search.query, p.matches, p.match = q, nil, -1
	if q == "" {
		p.filter = false
		return
	}
	for seq := p.buf.firstSeq(); seq < p.buf.nextSeq; seq++ {
		if e := p.buf.at(seq); !e.marker && p.search.matches(e.text) {
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
