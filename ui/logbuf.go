package ui

import (
	"time"

	"github.com/podtui/podtui/internal/defaults"
)

// Log buffer bounds when none are set (see the defaults package).
const (
	DefaultLogLines = defaults.LogBufferLines
	DefaultLogBytes = defaults.LogBufferBytes
)

// entryOverhead approximates what one entry costs beyond its text.
const entryOverhead = 64

// logEntry is one line of the log view: a log line or a marker podtui adds
// (restart, skipped lines, reconnect). Text is already sanitised.
type logEntry struct {
	seq    int    // position in the whole stream; consecutive in the buffer
	num    int    // line number of a log line; 0 for markers
	src    int32  // which stream it came from, for pages that hide some (0: none)
	pre    uint16 // bytes of text that are its source's prefix, drawn in the source's colour
	time   time.Time
	text   string // plain: no escape sequences at all
	sgr    string // the text with its colours kept, when it had any
	marker bool
}

// logBuffer is a bounded FIFO of entries: when it is over its line or byte
// bound, the oldest go, and are counted.
type logBuffer struct {
	maxLines, maxBytes int
	entries            []logEntry // live ones are entries[head:]
	head               int
	bytes              int
	dropped            int // log lines dropped from the front
	nextSeq            int
	nextNum            int
}

func newLogBuffer(maxLines, maxBytes int) logBuffer {
	return logBuffer{maxLines: maxLines, maxBytes: maxBytes, nextNum: 1}
}

// len is the number of entries held.
func (b *logBuffer) len() int { return len(b.entries) - b.head }

// firstSeq is the seq of the oldest entry held.
func (b *logBuffer) firstSeq() int { return b.nextSeq - b.len() }

// at returns the entry with the seq, which must be held.
func (b *logBuffer) at(seq int) *logEntry { return &b.entries[b.head+seq-b.firstSeq()] }

// add appends an entry and returns its seq.
func (b *logBuffer) add(src int32, text, sgr string, t time.Time, marker bool) int {
	e := logEntry{seq: b.nextSeq, src: src, time: t, text: text, sgr: sgr, marker: marker}
	if !marker {
		e.num = b.nextNum
		b.nextNum++
	}
	b.nextSeq++
	b.entries = append(b.entries, e)
	b.bytes += len(text) + len(sgr) + entryOverhead
	for b.len() > 1 && (b.len() > b.maxLines || b.bytes > b.maxBytes) {
		b.dropFront()
	}
	return e.seq
}

func (b *logBuffer) dropFront() {
	e := &b.entries[b.head]
	b.bytes -= len(e.text) + len(e.sgr) + entryOverhead
	if !e.marker {
		b.dropped++
	}
	*e = logEntry{} // let the text be collected
	b.head++
	// Compact once half the slice is dead: amortised O(1) per line.
	if b.head > 1024 && b.head > len(b.entries)/2 {
		n := copy(b.entries, b.entries[b.head:])
		clear(b.entries[n:])
		b.entries = b.entries[:n]
		b.head = 0
	}
}
