package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/internal/termsafe"
	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// LogOpen says what a log page opens on.
type LogOpen struct {
	Container string // "" picks the default container
	Previous  bool   // ask for the previous instance's log
	MaxLines  int    // buffer bounds; 0 means the defaults
	MaxBytes  int
}

// Messages of the log page. Each carries the page's stream generation or
// the stream's ID, so results of a stream the page has left are dropped.
type (
	logStartedMsg struct {
		gen       int
		container string
		stream    *kube.LogStream
		err       error
	}
	logChunkMsg struct{ chunk kube.LogChunk }
	// logClosedMsg: the stream's channel closed without a final chunk (it was stopped).
	logClosedMsg struct{ id uint64 }
	logTickMsg   struct{ Ticket }
)

type streamState int

const (
	streamConnecting streamState = iota
	streamOpen
	streamEnded
	streamFailed
)

// liveWindow is how recent the last line must be for the view to say that
// lines are arriving.
const liveWindow = 2 * time.Second

// LogPage shows one container's log: followed, searchable, bounded.
type LogPage struct {
	env     PageEnv
	keys    keymap.Logs
	pod     *corev1.Pod
	reader  podReader
	ticks   asks // the redraw tick, paused while the page is covered
	covered bool

	containers []logContainer
	cur        int // index into containers; len(containers) means all of them
	previous   bool
	whyPrev    string           // why the view opened on the previous log by itself
	tail       int64            // 0: the default tail; -1: the whole log
	since      time.Duration    // only lines this recent (0: no limit)
	restarts   map[string]int32 // last known restart counts, to mark restarts
	deleted    bool

	gen      int // stream generation, for logStartedMsg
	streams  map[uint64]*kube.LogStream
	names    map[uint64]string // container of each stream
	cancel   context.CancelFunc
	state    streamState
	errText  string
	lastLine time.Time // when the last line arrived

	maxLines, maxBytes int
	buf                logBuffer
	skipped            int // lines the stream skipped because the view lagged, for the header
	follow             bool
	top                int // seq of the first entry shown when not following

	timestamps, wrap, numbers, colors bool

	searching bool
	input     textinput.Model
	query     string
	matches   []int // seqs of entries matching query, ascending
	filter    bool  // show only matches
	match     int   // seq of the current match, -1 for none

	picking bool
	pickAt  int

	saving   bool // the save prompt is open
	saveFull bool // it saves the full log from the API, not what is loaded
	save     textinput.Model

	width, height int
}

// NewLogPage builds the log page of a pod.
func NewLogPage(env PageEnv, pod *corev1.Pod, open LogOpen) *LogPage {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "search"
	sv := textinput.New()
	sv.Prompt = "save to: "
	p := &LogPage{
		env: env, keys: env.Keys.Logs, pod: pod, reader: newPodReader(env.ID), ticks: newAsks(env.ID),
		input: in, save: sv, match: -1,
		maxLines: open.MaxLines, maxBytes: open.MaxBytes,
	}
	// Bounds and toggles from the config file unless the caller set them.
	if p.maxLines <= 0 {
		p.maxLines = env.Logs.BufferLines
	}
	if p.maxBytes <= 0 {
		p.maxBytes = int(env.Logs.BufferBytes)
	}
	if p.maxLines <= 0 {
		p.maxLines = DefaultLogLines
	}
	if p.maxBytes <= 0 {
		p.maxBytes = DefaultLogBytes
	}
	p.tail = int64(env.Logs.Tail) // 0: kube's default
	p.wrap, p.timestamps = env.Logs.Wrap, env.Logs.Timestamps
	p.buf = newLogBuffer(p.maxLines, p.maxBytes)
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

// Init starts the stream and the tick that keeps the arrival marker honest.
func (p *LogPage) Init() tea.Cmd {
	return tea.Batch(p.start(), p.tick())
}

func (p *LogPage) tick() tea.Cmd {
	t := p.ticks.next()
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return logTickMsg{t} })
}

// SetCovered pauses the redraw tick while another page covers this one and
// starts it again when it is shown; the streams keep filling the buffer.
func (p *LogPage) SetCovered(covered bool) tea.Cmd {
	p.covered = covered
	if covered {
		return nil
	}
	return p.tick()
}

// start (re)starts the stream for the current container and mode, on a
// fresh buffer.
func (p *LogPage) start() tea.Cmd {
	p.stop()
	p.gen++
	p.buf, p.skipped = newLogBuffer(p.maxLines, p.maxBytes), 0
	p.state, p.errText, p.lastLine = streamConnecting, "", time.Time{}
	p.follow, p.top = true, 0
	p.matches, p.match = nil, -1
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
	cl, gen := p.env.Cluster, p.gen
	var cmds []tea.Cmd
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
			return logStartedMsg{gen: gen, container: name, stream: s, err: err}
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

// Capturing reports whether keys go to the search input.
func (p *LogPage) Capturing() bool { return p.searching || p.saving }

func waitChunk(s *kube.LogStream) tea.Cmd {
	return func() tea.Msg {
		c, ok := <-s.C
		if !ok {
			return logClosedMsg{id: s.ID}
		}
		return logChunkMsg{chunk: c}
	}
}

// Update handles stream results, pod changes and keys.
func (p *LogPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case logStartedMsg:
		if msg.gen != p.gen {
			if s := msg.stream; s != nil {
				return p, func() tea.Msg { s.Stop(); return nil }
			}
			return p, nil
		}
		if msg.err != nil {
			if p.all() {
				p.addMarker("── " + msg.container + ": " + termsafe.Sanitize(msg.err.Error(), termsafe.Options{}) + " ──")
				return p, nil
			}
			return p, p.failed(msg.err)
		}
		p.streams[msg.stream.ID], p.names[msg.stream.ID] = msg.stream, msg.container
		p.state = streamOpen
		return p, waitChunk(msg.stream)
	case logChunkMsg:
		s, ok := p.streams[msg.chunk.StreamID]
		if !ok {
			return p, nil // a stream the page has left
		}
		p.ingest(msg.chunk)
		if msg.chunk.Done {
			p.ended(s.ID)
			return p, nil
		}
		return p, waitChunk(s)
	case logClosedMsg:
		if _, ok := p.streams[msg.id]; ok {
			p.ended(msg.id)
		}
		return p, nil
	case logTickMsg:
		if !p.ticks.current(msg.Ticket) || p.covered {
			return p, nil
		}
		return p, p.tick()
	case PodsChangedMsg:
		return p, p.podChanged(msg)
	case podReadMsg:
		if !p.reader.answers(msg) {
			return p, nil
		}
		pod, read := p.reader.done(p.env.Cluster, p.pod, msg)
		p.setPod(pod)
		return p, read
	case logSavedMsg:
		if msg.err != nil {
			return p, SetStatus("save: "+msg.err.Error(), true)
		}
		text := fmt.Sprintf("saved %s lines to %s", thousands(msg.lines), msg.path)
		if msg.skipped > 0 {
			return p, SetStatus(text+fmt.Sprintf(" (%s lines skipped)", thousands(msg.skipped)), true)
		}
		return p, SetStatus(text, false)
	case tea.KeyPressMsg:
		return p.handleKey(msg)
	}
	if p.searching {
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return p, cmd
	}
	if p.saving {
		var cmd tea.Cmd
		p.save, cmd = p.save.Update(msg)
		return p, cmd
	}
	return p, nil
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

// ingest adds a chunk's lines to the buffer, sanitised.
func (p *LogPage) ingest(c kube.LogChunk) {
	if c.Skipped > 0 {
		p.skipped += c.Skipped
		p.addMarker(fmt.Sprintf("── %s lines skipped: the view could not keep up ──", thousands(c.Skipped)))
	}
	if c.Reconnected {
		p.addMarker("── stream reconnected, resumed after the last line shown ──")
	}
	prefix := ""
	if p.all() {
		prefix = "[" + p.names[c.StreamID] + "] " // like stern
	}
	for _, l := range c.Lines {
		text := prefix + termsafe.Sanitize(l.Text, termsafe.Options{})
		sgr := ""
		if strings.Contains(l.Text, "\x1b[") || strings.Contains(l.Text, "\u009b") {
			// Keep a coloured copy for K, only of lines that have colours.
			if s := prefix + termsafe.Sanitize(l.Text, termsafe.Options{KeepSGR: true}); s != text {
				sgr = s
			}
		}
		if l.Cut > 0 {
			cut := fmt.Sprintf(" … [%s bytes cut]", thousands(l.Cut))
			text += cut
			if sgr != "" {
				sgr += cut
			}
		}
		p.addEntry(text, sgr, l.Time, false)
	}
	if len(c.Lines) > 0 {
		p.lastLine = p.env.Now()
	}
	if c.Done && c.Err != nil {
		p.addMarker("── " + prefix + "stream ended: " + termsafe.Sanitize(c.Err.Error(), termsafe.Options{}) + " ──")
	}
}

func (p *LogPage) addMarker(text string) { p.addEntry(text, "", time.Time{}, true) }

func (p *LogPage) addEntry(text, sgr string, t time.Time, marker bool) {
	seq := p.buf.add(text, sgr, t, marker)
	if p.query != "" && !marker && contains(text, p.query) {
		p.matches = append(p.matches, seq)
	}
	// Forget matches and positions the buffer has dropped.
	first := p.buf.firstSeq()
	n := 0
	for n < len(p.matches) && p.matches[n] < first {
		n++
	}
	if n > 0 {
		p.matches = p.matches[n:]
	}
	if p.match >= 0 && p.match < first {
		p.match = -1
	}
	if p.top < first {
		p.top = first
	}
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
	if p.searching {
		return p.searchKey(msg)
	}
	if p.saving {
		return p.saveKey(msg)
	}
	if p.picking {
		return p.pickKey(msg)
	}
	k := p.keys
	switch {
	case key.Matches(msg, k.Back):
		if msg.String() == "esc" && (p.query != "" || p.filter) {
			p.setQuery("")
			return p, nil
		}
		return p, ClosePage
	case key.Matches(msg, k.Up):
		p.scroll(-1)
	case key.Matches(msg, k.Down):
		p.scroll(1)
	case key.Matches(msg, k.PageUp):
		p.scroll(-p.bodyRows())
	case key.Matches(msg, k.PageDown):
		p.scroll(p.bodyRows())
	case key.Matches(msg, k.Top):
		p.follow = false
		p.top = p.seqAt(0)
	case key.Matches(msg, k.Bottom):
		p.follow = true
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
	case key.Matches(msg, k.Timestamps):
		p.timestamps = !p.timestamps
	case key.Matches(msg, k.Wrap):
		p.wrap = !p.wrap
	case key.Matches(msg, k.LineNumbers):
		p.numbers = !p.numbers
	case key.Matches(msg, k.Colors):
		p.colors = !p.colors
	case key.Matches(msg, k.Copy):
		text := p.visibleText()
		if text == "" {
			return p, SetStatus("nothing to copy", false)
		}
		// OSC 52: works over SSH too, where no local clipboard is reachable.
		return p, tea.Batch(tea.SetClipboard(text), SetStatus(fmt.Sprintf("copied %d visible lines", strings.Count(text, "\n")+1), false))
	case key.Matches(msg, k.Save), key.Matches(msg, k.SaveFull):
		p.saveFull = key.Matches(msg, k.SaveFull)
		if _, ok := p.container(); !ok && p.saveFull {
			return p, SetStatus("the full log is saved per container: pick one with "+k.Containers.Help().Key, false)
		}
		p.save.Prompt = "save loaded lines to: "
		if p.saveFull {
			p.save.Prompt = "save the full log to: "
		}
		p.saving = true
		p.save.SetValue(p.defaultSavePath())
		p.save.CursorEnd()
		return p, p.save.Focus()
	case key.Matches(msg, k.Search):
		p.searching = true
		p.input.SetValue(p.query)
		p.input.CursorEnd()
		return p, p.input.Focus()
	case key.Matches(msg, k.Next):
		p.jump(1)
	case key.Matches(msg, k.Prev):
		p.jump(-1)
	case key.Matches(msg, k.Filter):
		if p.query == "" {
			return p, SetStatus("search with / first; f then shows only the matching lines", false)
		}
		p.filter = !p.filter
		p.follow = true
	case key.Matches(msg, k.All):
		p.tail, p.since = -1, 0
		return p, p.start()
	case key.Matches(msg, k.Since):
		p.since = nextSince(p.since)
		return p, p.start()
	}
	return p, nil
}

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

// The entries shown are the whole buffer or, in filter mode, the matches.
// view indices run 0..count()-1.

func (p *LogPage) count() int {
	if p.filter {
		return len(p.matches)
	}
	return p.buf.len()
}

func (p *LogPage) seqAt(i int) int {
	if p.filter {
		if i < len(p.matches) {
			return p.matches[i]
		}
		return p.buf.nextSeq
	}
	return p.buf.firstSeq() + i
}

// indexOf is the view index of the first entry at or after seq.
func (p *LogPage) indexOf(seq int) int {
	if !p.filter {
		return max(0, seq-p.buf.firstSeq())
	}
	lo, hi := 0, len(p.matches)
	for lo < hi {
		m := (lo + hi) / 2
		if p.matches[m] < seq {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// scroll moves by n entries; moving up releases follow, reaching the end
// engages it again.
func (p *LogPage) scroll(n int) {
	rows := p.bodyRows()
	last := max(0, p.count()-rows) // top index of the last page
	i := last
	if !p.follow {
		i = min(p.indexOf(p.top), last)
	}
	i = max(0, min(last, i+n))
	if n > 0 && i >= last {
		p.follow = true
		return
	}
	p.follow = false
	p.top = p.seqAt(i)
}

// SetSize sets the page's size.
func (p *LogPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.input.SetWidth(max(10, w-4))
	p.save.SetWidth(max(10, w-26))
}

// bodyRows is the number of rows left for log lines.
func (p *LogPage) bodyRows() int {
	rows := p.height - 1 // the page's own status line
	if p.searching || p.saving {
		rows--
	}
	return max(1, rows)
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

// View renders the status line and the visible lines only.
func (p *LogPage) View() string {
	if p.width <= 0 || p.height <= 0 {
		return ""
	}
	lines := []string{pad(p.statusLine(), p.width)}
	rows := p.bodyRows()
	if p.picking {
		lines = append(lines, p.pickerLines(rows)...)
	} else {
		lines = append(lines, p.bodyLines(rows)...)
	}
	for len(lines) < 1+rows {
		lines = append(lines, "")
	}
	if p.searching {
		lines = append(lines, pad(p.input.View(), p.width))
	}
	if p.saving {
		lines = append(lines, pad(p.save.View(), p.width))
	}
	return strings.Join(lines, "\n")
}

func (p *LogPage) statusLine() string {
	s := p.env.Styles
	c, _ := p.container()
	parts := []string{s.Header.Render(c.name) + s.Muted.Render(" ("+c.kind+", "+c.state()+")")}
	if p.all() {
		parts = []string{s.Header.Render("all containers") + s.Muted.Render(fmt.Sprintf(" (%d streams)", len(p.streams)))}
	}
	if p.previous {
		parts = append(parts, s.Notice.Render("previous instance"))
	}
	switch p.state {
	case streamConnecting:
		parts = append(parts, s.Muted.Render("connecting…"))
	case streamFailed:
		parts = append(parts, s.Error.Render("no log"))
	case streamEnded:
		parts = append(parts, s.Muted.Render("end of log"))
	case streamOpen:
		if !p.lastLine.IsZero() && p.env.Now().Sub(p.lastLine) < liveWindow {
			parts = append(parts, s.Healthy.Render("● live"))
		} else {
			parts = append(parts, s.Muted.Render("○ quiet"))
		}
	}
	if p.follow {
		parts = append(parts, s.Notice.Render("FOLLOW"))
	} else {
		parts = append(parts, s.Muted.Render("paused (G follows)"))
	}
	parts = append(parts, s.Muted.Render(thousands(p.buf.nextNum-1)+" lines"))
	if p.skipped > 0 {
		// Markers say where; this count stays after they scroll away.
		parts = append(parts, s.Notice.Render(thousands(p.skipped)+" lines skipped"))
	}
	switch {
	case p.since > 0:
		parts = append(parts, s.Notice.Render("since "+strings.TrimSuffix(strings.TrimSuffix(p.since.String(), "0s"), "0m")))
	case p.tail < 0:
		parts = append(parts, s.Muted.Render("whole log"))
	}
	if p.buf.dropped > 0 {
		parts = append(parts, s.Notice.Render(thousands(p.buf.dropped)+" older lines dropped"))
	}
	if p.query != "" {
		m := fmt.Sprintf("/%s: %d matches", p.query, len(p.matches))
		if p.match >= 0 {
			m = fmt.Sprintf("/%s: %d/%d", p.query, p.matchIndex()+1, len(p.matches))
		}
		if p.filter {
			m += " (filtered)"
		}
		parts = append(parts, s.Notice.Render(m))
	}
	if p.deleted {
		parts = append(parts, s.Error.Render("pod deleted"))
	}
	return strings.Join(parts, s.Muted.Render(" · "))
}

func (p *LogPage) pickerLines(rows int) []string {
	s := p.env.Styles
	out := []string{s.Title.Render("Container")}
	for i, c := range p.containers {
		line := fmt.Sprintf("  %-24s %-9s %s", c.name, c.kind, c.state())
		if c.hasPrevious() {
			line += "  (previous log)"
		}
		line = pad(line, p.width)
		if i == p.pickAt {
			line = s.Selected.Reverse(true).Render(line)
		}
		out = append(out, line)
		if len(out) >= rows {
			return out
		}
	}
	if len(p.containers) > 1 {
		line := pad(fmt.Sprintf("  %-24s %-9s %s", "all containers", "", "interleaved, each line prefixed with its container"), p.width)
		if p.pickAt == len(p.containers) {
			line = s.Selected.Reverse(true).Render(line)
		}
		out = append(out, line)
	}
	return out
}

// bodyLines renders the visible entries, wrapping only those.
func (p *LogPage) bodyLines(rows int) []string {
	if p.state == streamFailed {
		return []string{p.env.Styles.Error.Render(pad("cannot read the log: "+termsafe.Sanitize(p.errText, termsafe.Options{}), p.width))}
	}
	if p.count() == 0 {
		msg := "no log lines yet"
		switch {
		case p.filter:
			msg = fmt.Sprintf("no line matches %q", p.query)
		case p.state == streamConnecting:
			msg = "loading log…"
		case p.state == streamEnded:
			msg = "the log is empty"
		}
		return []string{p.env.Styles.Muted.Render(pad(msg, p.width))}
	}
	entries := p.visible(rows)
	var out []string
	for _, e := range entries {
		out = append(out, p.renderEntry(e)...)
	}
	if len(out) > rows {
		if p.follow {
			out = out[len(out)-rows:] // the newest rows
		} else {
			out = out[:rows]
		}
	}
	return out
}

// visible returns the entries on screen: from the end backwards when
// following, else from the top entry on, until rows are filled. Only these
// are ever rendered or wrapped.
func (p *LogPage) visible(rows int) []*logEntry {
	n := p.count()
	var out []*logEntry
	used := 0
	if p.follow {
		for i := n - 1; i >= 0 && used < rows; i-- {
			e := p.buf.at(p.seqAt(i))
			out = append(out, e)
			used += p.rowsOf(e)
		}
		slices.Reverse(out)
		return out
	}
	for i := p.indexOf(p.top); i < n && used < rows; i++ {
		e := p.buf.at(p.seqAt(i))
		out = append(out, e)
		used += p.rowsOf(e)
	}
	return out
}

// rowsOf is the number of rows an entry takes.
func (p *LogPage) rowsOf(e *logEntry) int {
	if !p.wrap || e.marker {
		return 1
	}
	return len(p.renderEntry(e))
}

// renderEntry renders one entry as one row, or several when wrapping.
func (p *LogPage) renderEntry(e *logEntry) []string {
	s := p.env.Styles
	if e.marker {
		return []string{s.Notice.Render(pad(e.text, p.width))}
	}
	prefix := ""
	if p.numbers {
		prefix += fmt.Sprintf("%6d ", e.num)
	}
	if p.timestamps {
		if e.time.IsZero() {
			prefix += strings.Repeat(" ", 31)
		} else {
			prefix += e.time.UTC().Format("2006-01-02T15:04:05.000000000Z") + " "
		}
	}
	pw := ansi.StringWidth(prefix)
	textW := max(1, p.width-pw)
	text, coloured := e.text, p.colors && e.sgr != ""
	if coloured {
		text = e.sgr
	}
	var parts []string
	if p.wrap {
		parts = strings.Split(ansi.Hardwrap(text, textW, true), "\n")
	} else {
		parts = []string{ansi.Truncate(text, textW, "…")}
	}
	out := make([]string, len(parts))
	for i, part := range parts {
		pre := prefix
		if i > 0 {
			pre = strings.Repeat(" ", pw)
		}
		if coloured {
			// A cut may have dropped the line's closing reset.
			out[i] = s.Muted.Render(pre) + part + "\x1b[m"
		} else {
			out[i] = s.Muted.Render(pre) + p.highlight(part, e.seq == p.match)
		}
	}
	return out
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

// thousands formats n with thousands separators: 12,345.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
