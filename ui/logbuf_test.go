package ui

import (
	"strings"
	"testing"
	"time"
)

func TestLogBufferBoundsLinesAndBytes(t *testing.T) {
	b := newLogBuffer(10, 1<<20)
	for i := range 25 {
		b.add(0, "x", "", time.Time{}, false)
		if i == 4 {
			b.add(0, "marker", "", time.Time{}, true)
		}
	}
	if b.len() != 10 || b.dropped != 15 || b.firstSeq() != 16 || b.at(25).num != 25 {
		t.Errorf("line bound: len %d dropped %d first %d", b.len(), b.dropped, b.firstSeq())
	}

	b = newLogBuffer(1_000_000, 10*(1000+entryOverhead))
	long := strings.Repeat("y", 1000)
	for range 5000 {
		b.add(0, long, "", time.Time{}, false)
	}
	if b.len() != 10 || b.bytes > b.maxBytes || b.dropped != 4990 {
		t.Errorf("byte bound: len %d bytes %d dropped %d", b.len(), b.bytes, b.dropped)
	}
	if held := len(b.blocks) * logBlock; held > b.len()+2*logBlock {
		t.Errorf("spent blocks are kept: room for %d entries for %d live", held, b.len())
	}
}
