package ui

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/internal/termsafe"
	"github.com/podtui/podtui/kube"
)

// LogOpen says what a log page opens on.
type LogOpen struct {
	Container string // "" picks the default container
	Previous  bool   // ask for the previous instance's log
	MaxLines  int    // buffer bounds; 0 means the defaults
	MaxBytes  int
}

// LogPage shows one container's log: followed, searchable, bounded.
type LogPage struct {
	logView
	env    PageEnv
	pod    *corev1.Pod
	reader podReader
	logTick

	containers []logContainer
	cur        int // index into containers; len(containers) means all of them
	previous   bool
	whyPrev    string           // why the view opened on the previous log by itself
	tail       int64            // 0: the default tail; -1: the whole log
	since      time.Duration    // only lines this recent (0: no limit)
	restarts   map[string]int32 // last known restart counts, to mark restarts
	deleted    bool

	starts   asks // one per start of the streams
	streams  map[uint64]*kube.LogStream
	names    map[uint64]string // container of each stream
	cancel   context.CancelFunc
	state    streamState
	errText  string
	lastLine time.Time // when the last line arrived

	skipped int         // lines the stream skipped because the view lagged, for the header
	backlog *logBacklog // all containers: first lines held to merge by time

	picking bool
	pickAt  int

	saveFull bool // the save prompt saves the full log from the API, not what is loaded
}

// NewLogPage builds the log page of a pod.
func NewLogPage(env PageEnv, pod *corev1.Pod, open LogOpen) *LogPage {
	p := &LogPage{
		logView: newLogView(env, open.MaxLines, open.MaxBytes),
		env:     env, pod: pod, reader: newPodReader(env.ID), logTick: newLogTick(env.ID),
	}
	p.tail = int64(env.Logs.Tail) // 0: kube's default
	p.containers = podContainers(pod)
	p.cur = defaultContainer(pod, p.containers)
	for i, c := range p.containers {
		if c.name == open.Container {
			p.cur = i
		}
	}
	p.previous = open.Previous
	p.choosePrevious()
	return p
}

// choosePrevious opens a crash-looping or not-yet-started container on its
// previous log, which is where the reason it died is.
func (p *LogPage) choosePrevious() {
	p.noteRestarts()
	c, ok := p.container()
	if !ok {
		p.previous = false // previous logs are per container
		p.keys.Previous.SetEnabled(false)
		return
	}
	p.keys.Previous.SetEnabled(c.hasPrevious() || p.previous)
	p.whyPrev = ""
	if p.previous || !c.hasPrevious() {
		return
	}
	switch {
	case c.crashLooping():
		p.previous, p.whyPrev = true, "crash-looping"
	case c.waiting():
		p.previous, p.whyPrev = true, "no output yet"
	}
}

// all reports whether the page interleaves every container.
func (p *LogPage) all() bool { return p.cur == len(p.containers) && len(p.containers) > 1 }

// noteRestarts remembers the restart counts, returning the containers whose
// count grew since last time.
func (p *LogPage) noteRestarts() []logContainer {
	var grew []logContainer
	if p.restarts == nil {
		p.restarts = map[string]int32{}
	} else {
		for _, c := range p.containers {
			if old, ok := p.restarts[c.name]; ok && c.restarts > old {
				grew = append(grew, c)
			}
		}
	}
	for _, c := range p.containers {
		p.restarts[c.name] = c.restarts
	}
	return grew
}

func (p *LogPage) container() (logContainer, bool) {
	if p.cur < 0 || p.cur >= len(p.containers) {
		return logContainer{}, false
	}
	return p.containers[p.cur], true
}

// Update handles stream results, pod changes and keys.
func (p *LogPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case logStartedMsg:
		if !p.starts.current(msg.Ticket) {
			if s := msg.stream; s != nil {
				return p, func() tea.Msg { s.Stop(); return nil }
			}
			return p, nil
		}
		if msg.err != nil {
			if p.all() {
				p.addMarker("── " + msg.container + ": " + termsafe.Sanitize(msg.err.Error(), termsafe.Options{}) + " ──")
				p.answered(msg.container)
				return p, nil
			}
			return p, p.failed(msg.err)
		}
		p.streams[msg.stream.ID], p.names[msg.stream.ID] = msg.stream, msg.container
		p.state = streamOpen
		return p, waitChunk(msg.Ticket, msg.stream)
	case logChunkMsg:
		s, ok := p.streams[msg.chunk.StreamID]
		if !ok || !p.starts.current(msg.Ticket) {
			return p, nil // a stream the page has left
		}
		if p.backlog != nil {
			p.backlog.chunks = append(p.backlog.chunks, msg.chunk)
			p.answered(p.names[s.ID])
		} else {
			p.ingest(msg.chunk)
		}
		if msg.chunk.Done {
			p.ended(s.ID)
			return p, nil
		}
		return p, waitChunk(msg.Ticket, s)
	case logClosedMsg:
		if _, ok := p.streams[msg.id]; ok && p.starts.current(msg.Ticket) {
			p.answered(p.names[msg.id])
			p.ended(msg.id)
		}
		return p, nil

	case logTickMsg:
		p.backlogDue()
		return p, p.ticked(msg)
	case PodsChangedMsg:
		return p, p.podChanged(msg)
	case podReadMsg:
		if !p.reader.answers(msg) {
			return p, nil
		}
		pod, read := p.reader.done(p.env.Cluster, p.pod, msg)
		p.setPod(pod)
		return p, read
	case tea.KeyPressMsg:
		return p.handleKey(msg)
	}
	return p, p.typing(msg)
}

// podChanged notes a deleted pod, or reads the pod again when it changed.
func (p *LogPage) podChanged(msg PodsChangedMsg) tea.Cmd {
	read, gone := p.reader.follow(p.env.Cluster, p.pod, msg)
	p.deleted = p.deleted || gone
	return read
}

// setPod picks up new container states and marks restarts in the text.
func (p *LogPage) setPod(pod *corev1.Pod) {
	if pod == p.pod {
		return
	}
	p.pod = pod
	all, name := p.all(), ""
	if c, ok := p.container(); ok {
		name = c.name
	}
	p.containers = podContainers(pod)
	if all {
		p.cur = len(p.containers)
	}
	for i, c := range p.containers {
		if c.name == name {
			p.cur = i
		}
	}
	for _, c := range p.noteRestarts() {
		if !p.previous && (all || c.name == name) {
			p.addMarker(fmt.Sprintf("── container %s restarted (restart #%d); the log goes on with the new instance ──", c.name, c.restarts))
		}
	}
	if c, ok := p.container(); ok {
		p.keys.Previous.SetEnabled(c.hasPrevious() || p.previous)
	}
}

func (p *LogPage) handleKey(msg tea.KeyPressMsg) (Page, tea.Cmd) {
	if p.save.open {
		return p.saveKey(msg)
	}
	if p.picking {
		return p.pickKey(msg)
	}
	if done, cmd := p.viewKey(msg); done {
		return p, cmd
	}
	k := p.keys
	switch {
	case key.Matches(msg, k.Back):
		return p, ClosePage
	case key.Matches(msg, k.Previous):
		c, ok := p.container()
		if !ok {
			return p, SetStatus("previous logs are per container: pick one with "+k.Containers.Help().Key, false)
		}
		if !c.hasPrevious() && !p.previous {
			return p, SetStatus("no previous log: "+c.name+" has not restarted", false)
		}
		p.previous, p.whyPrev = !p.previous, ""
		return p, p.start()
	case key.Matches(msg, k.Containers):
		p.picking, p.pickAt = true, p.cur
	case key.Matches(msg, k.NextContainer):
		if n := p.choices(); n > 1 {
			return p, p.switchTo((p.cur + 1) % n)
		}
	case key.Matches(msg, k.Save), key.Matches(msg, k.SaveFull):
		p.saveFull = key.Matches(msg, k.SaveFull)
		if _, ok := p.container(); !ok && p.saveFull {
			return p, SetStatus("the full log is saved per container: pick one with "+k.Containers.Help().Key, false)
		}
		p.save.SetPrompt("save loaded lines to: ")
		if p.saveFull {
			p.save.SetPrompt("save the full log to: ")
		}
		return p, p.save.Open(p.defaultSavePath())
	case key.Matches(msg, k.All):
		p.tail, p.since = -1, 0
		return p, p.start()
	case key.Matches(msg, k.Since):
		p.since = nextSince(p.since)
		return p, p.start()
	}
	return p, nil
}

func (p *LogPage) pickKey(msg tea.KeyPressMsg) (Page, tea.Cmd) {
	k := p.env.Keys.Picker
	switch {
	case key.Matches(msg, k.Cancel) || key.Matches(msg, p.keys.Back):
		p.picking = false
	case key.Matches(msg, k.Up) || key.Matches(msg, p.keys.Up):
		p.pickAt = max(0, p.pickAt-1)
	case key.Matches(msg, k.Down) || key.Matches(msg, p.keys.Down):
		p.pickAt = min(p.choices()-1, p.pickAt+1)
	case key.Matches(msg, k.Choose):
		p.picking = false
		if p.pickAt != p.cur {
			return p, p.switchTo(p.pickAt)
		}
	}
	return p, nil
}

// switchTo shows another container's log, deciding afresh between current
// and previous.
// choices is the number of picker entries: every container, and all of
// them interleaved when there are several.
func (p *LogPage) choices() int {
	if len(p.containers) > 1 {
		return len(p.containers) + 1
	}
	return len(p.containers)
}

func (p *LogPage) switchTo(i int) tea.Cmd {
	p.cur, p.previous = i, false
	p.choosePrevious()
	return p.start()
}

// Title names the page.
func (p *LogPage) Title() string {
	c, _ := p.container()
	t := "logs " + p.pod.Namespace + "/" + p.pod.Name + " " + c.name
	if p.all() {
		t += "(all containers)"
	}
	switch {
	case p.previous && p.whyPrev != "":
		t += " (previous: " + p.whyPrev + ")"
	case p.previous:
		t += " (previous)"
	}
	return t
}

// ShortHelp is the page's one-line help.
func (p *LogPage) ShortHelp() []key.Binding {
	k := p.keys
	return []key.Binding{k.Previous, k.Containers, k.Search, k.Filter, k.Bottom, k.Wrap, k.Timestamps, k.Back, p.env.Keys.Global.Help}
}

// FullHelp is the page's full help.
func (p *LogPage) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Previous, k.Containers, k.NextContainer, k.All, k.Since},
		{k.Search, k.Next, k.Prev, k.Filter, k.Copy, k.Save, k.SaveFull},
		{k.Timestamps, k.Wrap, k.LineNumbers, k.Colors, k.Back},
	}
}

// sinceSteps are the windows S cycles through; 0 is the whole (tailed) log.
var sinceSteps = []time.Duration{5 * time.Minute, time.Hour, 24 * time.Hour, 0}

func nextSince(d time.Duration) time.Duration {
	for i, s := range sinceSteps {
		if s == d {
			return sinceSteps[(i+1)%len(sinceSteps)]
		}
	}
	return sinceSteps[0]
}
