package ui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/kube"
)

// Messages of the log page. Each carries the ticket of the streams it
// belongs to (one per start: all containers' streams of one start share
// it), so results of streams the page has left are dropped; a chunk names
// its stream among them.
type (
	logStartedMsg struct {
		Ticket
		container string
		stream    *kube.LogStream
		err       error
	}
	logChunkMsg struct {
		Ticket
		chunk kube.LogChunk
	}
	// logClosedMsg: the stream's channel closed without a final chunk (it was stopped).
	logClosedMsg struct {
		Ticket
		id uint64
	}
	logTickMsg struct{ Ticket }
)

type streamState int

const (
	streamConnecting streamState = iota
	streamOpen
	streamEnded
	streamFailed
)

// Init starts the stream and the tick that keeps the arrival marker honest.
func (p *LogPage) Init() tea.Cmd {
	return tea.Batch(p.start(), p.tick())
}

// start (re)starts the stream for the current container and mode, on a
// fresh buffer.
func (p *LogPage) start() tea.Cmd {
	p.stop()
	t := p.starts.next()
	p.reset()
	p.skipped = 0
	p.state, p.errText, p.lastLine = streamConnecting, "", time.Time{}
	var names []string
	if p.all() {
		for _, c := range p.containers {
			names = append(names, c.name)
		}
	} else if c, ok := p.container(); ok {
		names = []string{c.name}
	} else {
		p.state, p.errText = streamFailed, "this pod has no containers"
		return nil
	}
	// One context for every stream of this generation: one cancel ends them.
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	cl := p.env.Cluster
	var cmds []tea.Cmd
	p.backlog = nil
	if p.all() {
		p.holdBacklog(names)
	}
	for _, name := range names {
		req := kube.LogRequest{
			Namespace: p.pod.Namespace, Pod: p.pod.Name, Container: name,
			Previous: p.previous, Follow: !p.previous, TailLines: p.tail,
		}
		if p.since > 0 {
			// Like kubectl --since: the time bounds the log, not a line count.
			req.SinceTime, req.TailLines = p.env.Now().Add(-p.since), -1
		}
		cmds = append(cmds, func() tea.Msg {
			s, err := cl.StreamLogs(ctx, req)
			return logStartedMsg{Ticket: t, container: name, stream: s, err: err}
		})
	}
	return tea.Batch(cmds...)
}

// stop cancels the stream; its goroutines end on their own.
func (p *LogPage) stop() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	p.streams, p.names = map[uint64]*kube.LogStream{}, map[uint64]string{}
}

// Close stops the stream.
func (p *LogPage) Close() { p.stop() }

func waitChunk(t Ticket, s *kube.LogStream) tea.Cmd {
	return func() tea.Msg {
		c, ok := <-s.C
		if !ok {
			return logClosedMsg{Ticket: t, id: s.ID}
		}
		return logChunkMsg{Ticket: t, chunk: c}
	}
}

// ended forgets a finished stream; the log has ended when none is left.
func (p *LogPage) ended(id uint64) {
	delete(p.streams, id)
	if len(p.streams) == 0 && p.state == streamOpen {
		p.state = streamEnded
	}
}

// failed shows why the stream could not start. A container that has not
// started yet is shown its previous log instead, when there is one.
func (p *LogPage) failed(err error) tea.Cmd {
	c, _ := p.container()
	text := err.Error()
	if !p.previous && c.hasPrevious() && (strings.Contains(text, "waiting to start") || strings.Contains(text, "ContainerCreating")) {
		p.previous, p.whyPrev = true, "no output yet"
		return p.start()
	}
	p.state, p.errText = streamFailed, text
	return nil
}
