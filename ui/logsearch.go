package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// searched acts on what a key did to the search.
func (v *logView) searched(ev searchEvent) tea.Cmd {
	switch ev {
	case searchEntered:
		v.setQuery(v.search.query)
		if v.search.query == "" {
			return nil
		}
		if v.search.bad != "" {
			return SetStatus(fmt.Sprintf("%q is not a regexp: %s", v.search.query, v.search.bad), true)
		}
		if len(v.matches) == 0 {
			return SetStatus(fmt.Sprintf("no line matches %q", v.search.query), false)
		}
		// Start at the newest match: logs are read from the end.
		v.match = v.matches[len(v.matches)-1]
		v.showMatch()
	case searchNext:
		v.jump(1)
	case searchPrev:
		v.jump(-1)
	case searchCleared:
		v.setQuery("")
	}
	return nil
}

// setQuery sets the search and rebuilds the match list (a linear scan:
// about 10 ms for 100k lines, see BenchmarkLogPipeline).
func (v *logView) setQuery(q string) {
	v.search.parseQuery(q)
	v.matches, v.match = nil, -1
	if q == "" {
		v.filter = false
		return
	}
	for seq := v.buf.firstSeq(); seq < v.buf.nextSeq; seq++ {
		if e := v.buf.at(seq); !e.marker && v.search.matches(e.text) && !v.isHidden(e) {
			v.matches = append(v.matches, seq)
		}
	}
}

// jump moves to the next (dir 1) or previous (dir -1) match.
func (v *logView) jump(dir int) {
	if len(v.matches) == 0 {
		return
	}
	i := v.matchIndex()
	switch {
	case v.match < 0 && dir > 0:
		i = 0
	case v.match < 0:
		i = len(v.matches) - 1
	default:
		i = (i + dir + len(v.matches)) % len(v.matches)
	}
	v.match = v.matches[i]
	v.showMatch()
}

// matchIndex is the index of the current match in matches.
func (v *logView) matchIndex() int {
	lo, hi := 0, len(v.matches)
	for lo < hi {
		m := (lo + hi) / 2
		if v.matches[m] < v.match {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// showMatch scrolls so the current match is a third down the screen.
func (v *logView) showMatch() {
	v.follow = false
	i := v.indexOf(v.match) - v.bodyRows()/3
	v.top = v.seqAt(max(0, min(i, v.count()-v.bodyRows())))
}
