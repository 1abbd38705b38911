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

// logBlock is how many entries a block of the buffer holds: the buffer
// grows and shrinks by whole blocks, so neither adding nor dropping ever
// copies the entries held (a copy of 100k entries took the UI 5-20 ms).
const logBlock = 4096

// logBuffer is a bounded FIFO of entries: when it is over its line or byte
// bound, the oldest go, and are counted.
type logBuffer struct {
	maxLines, maxBytes int
	blocks             [][]logEntry // each of capacity logBlock; the oldest entry is blocks[0][head]
	head               int
	n                  int // entries held
	bytes              int
	dropped            int // log lines dropped from the front
	nextSeq            int
	nextNum            int
}

func newLogBuffer(maxLines, maxBytes int) logBuffer {
	return logBuffer{maxLines: maxLines, maxBytes: maxBytes, nextNum: 1}
}

// len is the number of entries held.
func (b *logBuffer) len() int { return b.n }

// firstSeq is the seq of the oldest entry held.
func (b *logBuffer) firstSeq() int { return b.nextSeq - b.n }

// at returns the entry with the seq, which must be held.
func (b *logBuffer) at(seq int) *logEntry {
	i := b.head + seq - b.firstSeq()
	return &b.blocks[i/logBlock][i%logBlock]
}

// add appends an entry and returns its seq.
func (b *logBuffer) add(src int32, text, sgr string, t time.Time, marker bool) int {
	e := logEntry{seq: b.nextSeq, src: src, time: t, text: text, sgr: sgr, marker: marker}
	if !marker {
		e.num = b.nextNum
		b.nextNum++
	}
	b.nextSeq++
	if k := len(b.blocks); k == 0 || len(b.blocks[k-1]) == logBlock {
		b.blocks = append(b.blocks, make([]logEntry, 0, logBlock))
	}
	last := len(b.blocks) - 1
	b.blocks[last] = append(b.blocks[last], e)
	b.n++
	b.bytes += len(text) + len(sgr) + entryOverhead
	for b.n > 1 && (b.n > b.maxLines || b.bytes > b.maxBytes) {
		b.dropFront()
	}
	return e.seq
}

func (b *logBuffer) dropFront() {
	e := &b.blocks[0][b.head]
	b.bytes -= len(e.text) + len(e.sgr) + entryOverhead
	if !e.marker {
		b.dropped++
	}
	*e = logEntry{} // let the text be collected
	b.head++
	b.n--
	if b.head == logBlock { // the block is spent: let it go
		b.blocks[0] = nil
		b.blocks = b.blocks[1:]
		b.head = 0
	}
}
