package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/podtui/podtui/internal/termsafe"
	"github.com/podtui/podtui/kube"
)

// workloadTail is how many lines of each container a workload log page
// loads first: with 20 pods of 2 containers that is 4,000 lines.
const workloadTail = 100

// maxPrefix bounds the width of a line's pod/container prefix.
const maxPrefix = 32

// WorkloadLogOpen says whose logs a workload log page follows: Name while
// Resolve reads the source (a workload, a selector, the pods of a filter).
type WorkloadLogOpen struct {
	Name    string
	Resolve func(ctx context.Context, c Cluster) (kube.LogSource, error)
}

// Messages of the workload log page, on the ticket of the start they
// belong to.
type (
	tailResolvedMsg struct {
		Ticket
		src kube.LogSource
		err error
	}
	tailStartedMsg struct {
		Ticket
		tail *kube.Tail
	}
	tailBatchMsg struct {
		Ticket
		batch kube.TailBatch
		// clean is each line sanitised (text, and with colours kept),
		// done in the Cmd so the UI goroutine only appends.
		clean  [][2]string
		closed bool
	}
)

// logSource is what an entry's src id stands for.
type logSource struct {
	key      kube.StreamKey
	previous bool
}

// srcInfo is a source as the page draws it: its name in line prefixes,
// made once (the state, which says whether the pod has several
// containers, comes with a source's first lines).
type srcInfo struct {
	logSource
	name string
}

// WorkloadLogPage interleaves the logs of every container of many pods, by
// timestamp, each line prefixed with its pod (and container) in the pod's
// colour; pods that come join, pods that go are marked and their lines stay.
type WorkloadLogPage struct {
	logView
	env  PageEnv
	open WorkloadLogOpen
	src  kube.LogSource
	logTick

	resolves, starts asks
	tail             *kube.Tail
	cancel           context.CancelFunc
	state            kube.TailState
	started          bool
	ended            bool
	errText          string
	lastLine         time.Time
	dropped          int // lines the tail dropped because the view lagged

	tailLines int64
	since     time.Duration

	srcs      []srcInfo // src id i+1 is srcs[i]
	srcIDs    map[logSource]int32
	podColour map[kube.StreamKey]int
	prefixW   int

	excluded     map[kube.StreamKey]bool // what the user left out in the picker
	hidePrevious bool

	picking bool
	pick    cursorList
}

// NewWorkloadLogPage builds the page; it resolves the source when it opens.
func NewWorkloadLogPage(env PageEnv, open WorkloadLogOpen) *WorkloadLogPage {
	p := &WorkloadLogPage{
		logView: newLogView(env, 0, 0),
		env:     env, open: open, logTick: newLogTick(env.ID),
		resolves: newAsks(env.ID), starts: newAsks(env.ID),
		tailLines: workloadTail,
		srcIDs:    map[logSource]int32{}, podColour: map[kube.StreamKey]int{},
		excluded: map[kube.StreamKey]bool{},
	}
	p.srcStyle = p.sourceStyle
	p.keys.Previous.SetHelp("p", "show/hide previous instances")
	p.keys.Containers.SetHelp("C", "pick pods and containers")
	return p
}

// Init resolves the source, then starts the tail.
func (p *WorkloadLogPage) Init() tea.Cmd {
	t, cl, resolve := p.resolves.next(), p.env.Cluster, p.open.Resolve
	return tea.Batch(func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		src, err := resolve(ctx, cl)
		return tailResolvedMsg{Ticket: t, src: src, err: err}
	}, p.tick())
}

// start (re)starts the tail on an empty view; the search, filter and
// toggles stay.
func (p *WorkloadLogPage) start() tea.Cmd {
	p.stop()
	p.reset()
	p.setHidden(p.hiddenFunc())
	p.started, p.ended, p.errText, p.dropped = false, false, "", 0
	t := p.starts.next()
	opts := kube.TailOptions{Follow: true, Previous: true, TailLines: p.tailLines, Since: p.since, MaxStreams: p.env.Logs.MaxStreams}
	for k, ex := range p.excluded {
		if ex {
			opts.Excluded = append(opts.Excluded, k)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	cl, src := p.env.Cluster, p.src
	return func() tea.Msg {
		return tailStartedMsg{Ticket: t, tail: cl.TailLogs(ctx, src, opts)}
	}
}

// stop ends the tail; its goroutines end on their own.
func (p *WorkloadLogPage) stop() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	p.tail = nil
}

// Close stops the tail.
func (p *WorkloadLogPage) Close() { p.stop() }

func waitTail(t Ticket, tail *kube.Tail) tea.Cmd {
	return func() tea.Msg {
		b, ok := <-tail.C
		clean := make([][2]string, len(b.Lines))
		for i, l := range b.Lines {
			clean[i][0], clean[i][1] = lineText(l.LogLine, "")
		}
		return tailBatchMsg{Ticket: t, batch: b, clean: clean, closed: !ok}
	}
}

// Update handles the tail's batches and the keys.
func (p *WorkloadLogPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case tailResolvedMsg:
		if !p.resolves.current(msg.Ticket) {
			return p, nil
		}
		if msg.err != nil {
			p.ended, p.errText = true, msg.err.Error()
			return p, nil
		}
		p.src = msg.src
		return p, p.start()
	case tailStartedMsg:
		if !p.starts.current(msg.Ticket) {
			tail := msg.tail
			return p, func() tea.Msg { tail.Stop(); return nil }
		}
		p.tail, p.started = msg.tail, true
		return p, waitTail(msg.Ticket, msg.tail)
	case tailBatchMsg:
		if !p.starts.current(msg.Ticket) || p.tail == nil {
			return p, nil
		}
		if msg.closed {
			p.ended = true
			return p, nil
		}
		p.ingest(msg.batch, msg.clean)
		if msg.batch.Done {
			p.ended = true
			return p, nil
		}
		return p, waitTail(msg.Ticket, p.tail)
	case logTickMsg:
		return p, p.ticked(msg)
	case tea.KeyPressMsg:
		return p.handleKey(msg)
	}
	return p, p.typing(msg)
}

// ingest adds a batch's notes and lines to the view.
func (p *WorkloadLogPage) ingest(b kube.TailBatch, clean [][2]string) {
	if b.State != nil {
		p.state = *b.State
		p.pick.setLen(p.pickCount())
	}
	for _, n := range b.Notes {
		p.note(n)
	}
	if b.Dropped > 0 {
		p.dropped += b.Dropped
		p.addMarker(fmt.Sprintf("── %s lines dropped: the view could not keep up ──", thousands(b.Dropped)))
	}
	for i, l := range b.Lines {
		id := p.sourceID(logSource{key: l.StreamKey, previous: l.Previous})
		prefix := p.prefix(id)
		text, sgr := prefix+clean[i][0], ""
		if clean[i][1] != "" {
			sgr = prefix + clean[i][1]
		}
		p.addFrom(id, len(prefix), text, sgr, l.Time, false)
	}
	if len(b.Lines) > 0 {
		p.lastLine = p.env.Now()
	}
	if b.Done && b.Err != nil {
		p.addMarker("── the pod watch ended: " + termsafe.Sanitize(b.Err.Error(), termsafe.Options{}) + " ──")
	}
}

// note marks what happened to a pod or stream between the lines.
func (p *WorkloadLogPage) note(n kube.TailNote) {
	name := termsafe.Sanitize(n.String(), termsafe.Options{})
	text := termsafe.Sanitize(n.Text, termsafe.Options{})
	switch n.Kind {
	case kube.PodJoined:
		p.addMarker("── pod " + name + " joined ──")
	case kube.PodGone:
		p.addMarker("── pod " + name + " is gone (" + text + "); its lines stay ──")
	case kube.ContainerRestarted:
		p.addMarker("── " + name + " restarted (" + text + "); the log goes on with the new instance ──")
	case kube.StreamFailed:
		p.addMarker("── " + name + ": " + text + " ──")
	case kube.StreamsCapped:
		p.addMarker("── " + text + " ──")
	}
}

// sourceID is the src id of a pod's container (current or previous).
func (p *WorkloadLogPage) sourceID(s logSource) int32 {
	if id, ok := p.srcIDs[s]; ok {
		return id
	}
	p.srcs = append(p.srcs, srcInfo{logSource: s, name: p.sourceName(s)})
	id := int32(len(p.srcs))
	p.srcIDs[s] = id
	pod := kube.StreamKey{Namespace: s.key.Namespace, Pod: s.key.Pod}
	if _, ok := p.podColour[pod]; !ok {
		p.podColour[pod] = len(p.podColour)
	}
	return id
}

// sourceStyle is the colour of a source's pod.
func (p *WorkloadLogPage) sourceStyle(id int32) lipgloss.Style {
	pal := p.styles.Sources
	if id <= 0 || int(id) > len(p.srcs) || len(pal) == 0 {
		return p.styles.Muted
	}
	k := p.srcs[id-1].key
	return pal[p.podColour[kube.StreamKey{Namespace: k.Namespace, Pod: k.Pod}]%len(pal)]
}

// sourceName names a source's pod (without the workload's common prefix)
// and, when the pod has several, its container; previous instances say so.
func (p *WorkloadLogPage) sourceName(s logSource) string {
	k := s.key
	name := p.src.ShortName(k.Namespace, k.Pod)
	if p.containerCount(k) > 1 {
		name += "/" + k.Container
	}
	name = shorten(termsafe.Sanitize(name, termsafe.Options{}), maxPrefix)
	if s.previous {
		name += " (previous)" // never cut: it says what the line is
	}
	return name
}

// prefix is a line's source name padded to the widest so far, so that the
// text lines up.
func (p *WorkloadLogPage) prefix(id int32) string {
	name := p.srcs[id-1].name
	w := ansi.StringWidth(name)
	p.prefixW = max(p.prefixW, w)
	return name + strings.Repeat(" ", p.prefixW-w) + " │ "
}

func (p *WorkloadLogPage) containerCount(k kube.StreamKey) int {
	for _, pod := range p.state.Pods {
		if pod.Namespace == k.Namespace && pod.Name == k.Pod {
			return len(pod.Containers)
		}
	}
	return 1
}

// hiddenFunc leaves out the lines of excluded pods and containers and,
// when asked, of previous instances.
func (p *WorkloadLogPage) hiddenFunc() func(*logEntry) bool {
	if !p.hidePrevious && !p.anyExcluded() {
		return nil
	}
	return func(e *logEntry) bool {
		if e.src <= 0 || int(e.src) > len(p.srcs) {
			return false
		}
		s := p.srcs[e.src-1]
		pod := kube.StreamKey{Namespace: s.key.Namespace, Pod: s.key.Pod}
		return p.hidePrevious && s.previous || p.excluded[pod] || p.excluded[s.key]
	}
}

func (p *WorkloadLogPage) anyExcluded() bool {
	for _, ex := range p.excluded {
		if ex {
			return true
		}
	}
	return false
}

func (p *WorkloadLogPage) handleKey(msg tea.KeyPressMsg) (Page, tea.Cmd) {
	if p.save.open {
		res, cmd := p.save.Update(msg)
		if res == promptSubmitted {
			if path := strings.TrimSpace(p.save.Value()); path != "" {
				return p, saveLines(path, p.loadedLines())
			}
			return p, nil
		}
		return p, cmd
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
		p.hidePrevious = !p.hidePrevious
		p.setHidden(p.hiddenFunc())
		if p.hidePrevious {
			return p, SetStatus("previous instances' lines hidden", false)
		}
		return p, SetStatus("previous instances' lines shown", false)
	case key.Matches(msg, k.Containers):
		p.picking = true
		p.pick.setLen(p.pickCount())
	case key.Matches(msg, k.Save):
		p.save.SetPrompt("save loaded lines to: ")
		return p, p.save.Open(p.defaultSavePath())
	case key.Matches(msg, k.SaveFull):
		return p, SetStatus("the full log is saved per container: open one pod's logs with "+k.Open.Help().Key, false)
	case key.Matches(msg, k.All):
		if p.src.Name == "" {
			return p, nil
		}
		p.tailLines, p.since = -1, 0
		return p, p.start()
	case key.Matches(msg, k.Since):
		if p.src.Name == "" {
			return p, nil
		}
		p.since = nextSince(p.since)
		p.tailLines = workloadTail
		return p, p.start()
	}
	return p, nil
}

func (p *WorkloadLogPage) defaultSavePath() string {
	name := strings.NewReplacer("/", "_", " ", "_", "=", "-", ",", "_").Replace(p.src.Name)
	return strings.Trim(name, "_-") + ".log"
}

// Title names the page.
func (p *WorkloadLogPage) Title() string {
	name := p.src.Name
	if name == "" {
		name = p.open.Name
	}
	if p.src.Namespace != "" {
		return "logs " + name + " (" + p.src.Namespace + ")"
	}
	return "logs " + name
}

// ShortHelp is the page's one-line help.
func (p *WorkloadLogPage) ShortHelp() []key.Binding {
	k := p.keys
	return []key.Binding{k.Containers, k.Previous, k.Search, k.Filter, k.Bottom, k.Wrap, k.Timestamps, k.Back, p.env.Keys.Global.Help}
}

// FullHelp is the page's full help.
func (p *WorkloadLogPage) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Containers, k.Previous, k.All, k.Since},
		{k.Search, k.Next, k.Prev, k.Filter, k.Copy, k.Save},
		{k.Timestamps, k.Wrap, k.LineNumbers, k.Colors, k.Back},
	}
}

// shorten keeps a long name's start and its end, where pods differ
// ("checkout-7b5d9…-q8w2z/app").
func shorten(name string, width int) string {
	if ansi.StringWidth(name) <= width {
		return name
	}
	head := width / 3
	return ansi.Truncate(name, head, "") + "…" + ansi.TruncateLeft(name, ansi.StringWidth(name)-(width-head-1), "")
}
