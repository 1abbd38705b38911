package ui

import (
	"slices"
	"time"

	"github.com/podtui/podtui/kube"
)

// backlogWait bounds how long the all-containers view holds the streams'
// first lines for a container that has written nothing yet; the page's
// once-a-second tick ends the hold.
const backlogWait = 2 * time.Second

// logBacklog holds the first chunks of the all-containers view until every
// container's stream has answered, then lets them out merged by time. Each
// stream's tail arrives on its own, so shown as they come one container's
// whole tail would precede the next one's; live lines that follow arrive in
// time order anyway and pass straight through.
type logBacklog struct {
	since   time.Time
	waiting map[string]bool // containers whose stream has not answered yet
	chunks  []kube.LogChunk // held, in arrival order
}

// holdBacklog starts holding for the containers of an all-containers start.
func (p *LogPage) holdBacklog(containers []string) {
	b := &logBacklog{since: p.env.Now(), waiting: map[string]bool{}}
	for _, c := range containers {
		b.waiting[c] = true
	}
	p.backlog = b
}

// backlogDue lets the backlog out on a tick once it has waited long enough
// for a silent stream.
func (p *LogPage) backlogDue() {
	if p.backlog != nil && p.env.Now().Sub(p.backlog.since) >= backlogWait {
		p.releaseBacklog()
	}
}

// answered notes that a container's stream answered (lines, its end, or a
// failure to start) and lets the backlog out once all have.
func (p *LogPage) answered(container string) {
	if p.backlog == nil {
		return
	}
	delete(p.backlog.waiting, container)
	if len(p.backlog.waiting) == 0 {
		p.releaseBacklog()
	}
}

// releaseBacklog ingests the held chunks: their notes in arrival order,
// then all their lines sorted by time (stable, so lines of one stream with
// equal times keep their order). Lines without a time keep arrival order.
func (p *LogPage) releaseBacklog() {
	b := p.backlog
	if b == nil {
		return
	}
	p.backlog = nil
	type held struct {
		id   uint64
		line kube.LogLine
	}
	var all []held
	timed := true
	for _, c := range b.chunks {
		for _, l := range c.Lines {
			all = append(all, held{c.StreamID, l})
			timed = timed && !l.Time.IsZero()
		}
		c.Lines = nil
		p.ingest(c)
	}
	if timed {
		slices.SortStableFunc(all, func(a, b held) int { return a.line.Time.Compare(b.line.Time) })
	}
	for _, h := range all {
		p.ingest(kube.LogChunk{StreamID: h.id, Lines: []kube.LogLine{h.line}})
	}
}
