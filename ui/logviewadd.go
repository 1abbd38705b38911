package ui

import "time"

func (v *logView) addMarker(text string) { v.addEntry(text, "", time.Time{}, true) }

func (v *logView) addEntry(text, sgr string, t time.Time, marker bool) {
	v.addFrom(0, 0, text, sgr, t, marker)
}

// addFrom adds an entry of a source (a workload page's pod and container)
// whose text starts with a prefix of pre bytes naming it.
func (v *logView) addFrom(src int32, pre int, text, sgr string, t time.Time, marker bool) {
	seq := v.buf.add(src, text, sgr, t, marker)
	e := v.buf.at(seq)
	e.pre = uint16(min(pre, len(text), 1<<16-1))
	hidden := v.isHidden(e)
	if !marker && !hidden && v.search.matches(text) {
		v.matches = append(v.matches, seq)
	}
	if v.hidden != nil && !hidden {
		v.shown = append(v.shown, seq)
	}
	// Forget matches and positions the buffer has dropped.
	first := v.buf.firstSeq()
	v.matches = dropBelow(v.matches, first)
	v.shown = dropBelow(v.shown, first)
	if v.match >= 0 && v.match < first {
		v.match = -1
	}
	if v.top < first {
		v.top = first
	}
}

// dropBelow drops the seqs before first from an ascending list.
func dropBelow(seqs []int, first int) []int {
	n := 0
	for n < len(seqs) && seqs[n] < first {
		n++
	}
	return seqs[n:]
}

func (v *logView) isHidden(e *logEntry) bool { return v.hidden != nil && v.hidden(e) }

// setHidden changes which entries are left out, and rebuilds the lists.
func (v *logView) setHidden(hidden func(*logEntry) bool) {
	v.hidden, v.shown = hidden, nil
	if hidden != nil {
		for seq := v.buf.firstSeq(); seq < v.buf.nextSeq; seq++ {
			if !hidden(v.buf.at(seq)) {
				v.shown = append(v.shown, seq)
			}
		}
	}
	v.setQuery(v.search.query)
	if v.match < 0 {
		v.follow = true
	}
}
