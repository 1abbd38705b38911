package kube

import (
	"container/heap"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/internal/defaults"
)

// Defaults of a workload log tail.
const (
	// DefaultMaxStreams caps the log streams open at once (stern's
	// --max-log-requests is 50): each is a connection through the API
	// server to a kubelet.
	DefaultMaxStreams = defaults.TailMaxStreams
	// DefaultTailWindow is how long a line waits for lines of other streams
	// with earlier timestamps before it is released: the interleaving is in
	// timestamp order for lines that arrive within it of each other.
	DefaultTailWindow = 300 * time.Millisecond
	// DefaultPreviousLines is how many last lines of a crashed container's
	// previous instance are shown.
	DefaultPreviousLines = 50
	// tailStartWait bounds how long the first lines wait for every stream
	// to open, so that the first screen is interleaved too.
	tailStartWait = 3 * time.Second
	// tailBatchLines bounds the lines of one batch to the consumer.
	// 1,000 sanitised and drawn lines cost the UI about 4 ms.
	tailBatchLines = 1000
)

// TailOptions says how to tail a source.
type TailOptions struct {
	// TailLines of each container at start: 0 means DefaultTailLines,
	// negative the whole log. Since, when set, bounds by time instead.
	TailLines int64
	Since     time.Duration
	// Previous also shows the last lines of the previous instance of
	// containers that restarted, marked as such.
	Previous      bool
	PreviousLines int64 // 0: DefaultPreviousLines
	// Follow keeps the streams open and the pods watched; without it the
	// tail ends once every log read so far is delivered.
	Follow bool
	// MaxStreams caps the open streams (0: DefaultMaxStreams).
	MaxStreams int
	// MaxPending and MaxPendingBytes bound the lines held for a lagging
	// consumer; beyond them the oldest are dropped and counted.
	MaxPending      int
	MaxPendingBytes int
	// Window: see DefaultTailWindow.
	Window time.Duration
	// Excluded pods or containers (StreamKey with Container "") at start.
	Excluded []StreamKey
}

// StreamKey names a container of a pod, or a whole pod with Container "".
type StreamKey struct {
	Namespace, Pod, Container string
}

func (k StreamKey) pod() StreamKey { return StreamKey{Namespace: k.Namespace, Pod: k.Pod} }

// String is "pod/container" (or "pod").
func (k StreamKey) String() string {
	if k.Container == "" {
		return k.Pod
	}
	return k.Pod + "/" + k.Container
}

// TailLine is a line of one container. Text is raw and untrusted.
type TailLine struct {
	StreamKey
	Previous bool // from the previous instance (it crashed)
	LogLine
}

// TailNoteKind says what happened to a pod or a stream.
type TailNoteKind int

// The notes of a tail.
const (
	PodJoined TailNoteKind = iota
	PodGone
	ContainerRestarted
	StreamFailed
	StreamsCapped
)

// TailNote is something the view marks between lines.
type TailNote struct {
	Kind TailNoteKind
	StreamKey
	Text string
}

// TailBatch is what the consumer gets: lines in timestamp order (a line
// arriving later than the window after lines with later timestamps comes
// after them: a pod joining with its tail), notes, drops.
type TailBatch struct {
	Lines []TailLine
	Notes []TailNote
	// Dropped counts lines dropped because the consumer lagged.
	Dropped int
	// State is set when pods or streams changed.
	State *TailState
	// Done is set on the last batch; Err says why the tail ended.
	Done bool
	Err  error
}

// TailState is the tail's pods and streams, for the header and the picker.
type TailState struct {
	Pods    []TailPod // by namespace and name
	Open    int       // streams open
	Max     int       // the cap
	Left    []StreamKey
	Synced  bool   // the pod watch has listed
	Problem string // the pod watch's trouble, if any
}

// TailPod is a pod of the tail.
type TailPod struct {
	Namespace, Name string
	Gone            bool
	Excluded        bool
	Containers      []TailContainer
}

// TailContainer is a container of a tail's pod.
type TailContainer struct {
	Name      string
	State     string // running, waiting: CrashLoopBackOff, ...
	Restarts  int32
	Streaming bool
	Excluded  bool
	Capped    bool   // waits for a stream under the cap
	Failed    string // why its stream could not open
	Lines     int
}

// PodEvent is a change of a pod a tail watches; Synced marks the end of the
// first list, Err a watch problem.
type PodEvent struct {
	Pod     *corev1.Pod
	Deleted bool
	Synced  bool
	Err     error
}

// Tail is a running tail. Read batches from C until it is closed.
type Tail struct {
	C      <-chan TailBatch
	ctl    chan func(*tailRun)
	cancel context.CancelFunc
	done   chan struct{}
}

// SetExcluded stops (or resumes) the streams of a pod (Container "") or one
// container, leaving the others alone.
func (t *Tail) SetExcluded(k StreamKey, excluded bool) {
	select {
	case t.ctl <- func(r *tailRun) { r.setExcluded(k, excluded) }:
	case <-t.done:
	}
}

// Stop ends the tail and waits for its goroutines.
func (t *Tail) Stop() {
	t.cancel()
	<-t.done
}

// StartTail tails the containers of the pods the events name: one stream
// per container, at most MaxStreams at once, merged by timestamp. pods must
// close when ctx ends; open opens one stream (OpenLogStream's opener).
func StartTail(ctx context.Context, src LogSource, opts TailOptions, pods <-chan PodEvent, open LogOpener) *Tail {
	ctx, cancel := context.WithCancel(ctx)
	opts = opts.withDefaults()
	out := make(chan TailBatch) // unbuffered: what waits for the consumer is all in ready, under the bounds
	t := &Tail{C: out, ctl: make(chan func(*tailRun)), cancel: cancel, done: make(chan struct{})}
	r := &tailRun{
		ctx: ctx, src: src, opts: opts, open: open, out: out,
		pods: map[StreamKey]*tailPod{}, excluded: map[StreamKey]bool{},
		streamEv: make(chan streamEvent, 64), started: time.Now(), stateDirty: true,
	}
	for _, k := range opts.Excluded {
		r.excluded[k] = true
	}
	go func() {
		defer close(t.done)
		r.run(pods, t.ctl)
	}()
	return t
}

func (o TailOptions) withDefaults() TailOptions {
	if o.MaxStreams <= 0 {
		o.MaxStreams = DefaultMaxStreams
	}
	if o.PreviousLines <= 0 {
		o.PreviousLines = DefaultPreviousLines
	}
	if o.MaxPending <= 0 {
		o.MaxPending = maxPending
	}
	if o.MaxPendingBytes <= 0 {
		o.MaxPendingBytes = maxPendingBytes
	}
	if o.Window <= 0 {
		o.Window = DefaultTailWindow
	}
	return o
}

// tailRun is the state of a tail, owned by its goroutine.
type tailRun struct {
	ctx  context.Context
	src  LogSource
	opts TailOptions
	open LogOpener
	out  chan<- TailBatch

	pods     map[StreamKey]*tailPod // by StreamKey.pod()
	excluded map[StreamKey]bool
	streamEv chan streamEvent
	nextGen  uint64
	opening  int // streams asked for and not yet answered
	live     int // streams open or opening

	synced     bool
	problem    string
	watchEnded bool
	started    time.Time
	startedAll bool // the first streams have all answered (or tailStartWait passed)

	held    lineHeap    // lines waiting out the window, by time
	arrived []*heldLine // the same, by arrival
	seq     uint64
	ready   []TailLine // released, for the consumer
	bytes   int        // of held and ready
	notes   []TailNote
	dropped int
	// stateDirty: pods or streams changed since the last batch.
	stateDirty bool
	capText    string // the last cap note, so it is said once per change
}

// tailPod is a pod of the tail and its containers.
type tailPod struct {
	pod        *corev1.Pod
	gone       bool
	containers map[string]*tailContainer
	order      []string
}

// tailContainer is one container's stream state.
type tailContainer struct {
	key      StreamKey
	gen      uint64 // of the current stream; 0 when none
	cancel   context.CancelFunc
	previous bool // the current stream reads the previous instance
	prevRead bool // the previous instance's lines were asked for
	restarts int32
	lastTime time.Time // of the last line delivered, to resume after
	state    string
	waiting  bool // wants a stream, waits under the cap
	failed   string
	lines    int
	// done: its log was read to the end at restart count doneAt (a
	// terminated container, or a tail without follow).
	done   bool
	doneAt int32
	// blocked: its stream failed; it is tried again when the pod changes.
	blocked bool
	// follow: the current stream follows (the container runs).
	follow bool
}

// streamEvent is what a stream's goroutine tells the tail.
type streamEvent struct {
	key    StreamKey
	gen    uint64
	stream *LogStream // set once when it opened
	err    error      // it could not open
	chunk  *LogChunk
	closed bool // its channel closed
}

func (r *tailRun) run(pods <-chan PodEvent, ctl <-chan func(*tailRun)) {
	defer close(r.out)
	defer r.stopAll()
	tick := time.NewTicker(r.opts.Window / 4)
	defer tick.Stop()
	for {
		r.release(time.Now())
		var tickC <-chan time.Time
		if len(r.held) > 0 || !r.startedAll {
			tickC = tick.C // only lines waiting out the window need the clock
		}
		var out chan<- TailBatch
		var batch TailBatch
		done := r.finished()
		if done || len(r.ready) > 0 || len(r.notes) > 0 || r.dropped > 0 || r.stateDirty {
			out, batch = r.out, r.batch(done)
		}
		select {
		case <-r.ctx.Done():
			return
		case out <- batch:
			r.sent(batch)
			if done {
				return
			}
		case ev, ok := <-pods:
			if !ok {
				pods, r.watchEnded = nil, true
				r.stateDirty = true
				continue
			}
			r.podEvent(ev)
		case ev := <-r.streamEv:
			r.streamEvent(ev)
		case f := <-ctl:
			f(r)
		case <-tickC:
		}
	}
}

// finished reports whether a tail without follow has delivered everything.
func (r *tailRun) finished() bool {
	if r.opts.Follow && !r.watchEnded {
		return false
	}
	if !r.synced && !r.watchEnded {
		return false
	}
	if r.live > 0 || len(r.held) > 0 || len(r.ready) > 0 {
		return false
	}
	for _, p := range r.pods {
		for _, c := range p.containers {
			if c.waiting && !r.isExcluded(c.key) {
				return false
			}
		}
	}
	return true
}

// batch takes what is ready for the consumer.
func (r *tailRun) batch(done bool) TailBatch {
	n := min(len(r.ready), tailBatchLines)
	b := TailBatch{Lines: r.ready[:n:n], Notes: r.notes, Dropped: r.dropped, Done: done}
	if r.stateDirty || done {
		s := r.state()
		b.State = &s
	}
	if done && r.watchEnded && r.problem != "" {
		b.Err = fmt.Errorf("%s", r.problem)
	}
	return b
}

// sent forgets what a batch carried.
func (r *tailRun) sent(b TailBatch) {
	for _, l := range b.Lines {
		r.bytes -= len(l.Text)
	}
	r.ready = r.ready[len(b.Lines):]
	if len(r.ready) == 0 {
		r.ready = nil
	}
	r.notes, r.dropped = nil, 0
	if b.State != nil {
		r.stateDirty = false
	}
}

func (r *tailRun) note(kind TailNoteKind, k StreamKey, text string) {
	r.notes = append(r.notes, TailNote{Kind: kind, StreamKey: k, Text: text})
}

// podEvent takes a pod in, updates it or lets it go.
func (r *tailRun) podEvent(ev PodEvent) {
	switch {
	case ev.Err != nil:
		r.problem, r.stateDirty = Explain(ev.Err), true
		return
	case ev.Synced:
		r.synced, r.problem, r.stateDirty = true, "", true
		return
	}
	if r.problem != "" {
		// Events flow again (a recovered watch relists every pod).
		r.problem, r.stateDirty = "", true
	}
	pod := ev.Pod
	k := StreamKey{Namespace: pod.Namespace, Pod: pod.Name}
	p, known := r.pods[k]
	if ev.Deleted || !r.src.Matches(pod) {
		if known && !p.gone {
			p.gone = true
			for _, c := range p.containers {
				r.stopStream(c)
				c.waiting = false
				c.state = "gone"
			}
			why := "no longer matches " + r.src.Name
			if ev.Deleted {
				why = "deleted"
			}
			r.note(PodGone, k, why)
			if !ev.Deleted {
				p.containers, p.order = map[string]*tailContainer{}, nil
			}
			r.stateDirty = true
			r.schedule()
		}
		return
	}
	if !known || p.gone {
		p = &tailPod{containers: map[string]*tailContainer{}}
		r.pods[k] = p
		if r.synced {
			r.note(PodJoined, k, "")
		}
	}
	p.pod = pod
	r.stateDirty = true
	for _, c := range p.containers {
		c.blocked = false // the pod changed: worth another try
	}
	for _, st := range containerStatuses(pod) {
		c, ok := p.containers[st.Name]
		if !ok {
			c = &tailContainer{key: StreamKey{Namespace: pod.Namespace, Pod: pod.Name, Container: st.Name}, restarts: st.RestartCount}
			p.containers[st.Name] = c
			p.order = append(p.order, st.Name)
		} else if st.RestartCount > c.restarts {
			if c.gen != 0 {
				r.note(ContainerRestarted, c.key, fmt.Sprintf("restart #%d", st.RestartCount))
			}
			c.restarts = st.RestartCount
		}
		c.state = containerState(st)
		r.want(c, st)
	}
	r.schedule()
}

// containerStatuses lists the statuses of a pod's containers: init (and
// sidecars), app, ephemeral; a container without a status yet has none.
func containerStatuses(p *corev1.Pod) []corev1.ContainerStatus {
	var out []corev1.ContainerStatus
	out = append(out, p.Status.InitContainerStatuses...)
	out = append(out, p.Status.ContainerStatuses...)
	out = append(out, p.Status.EphemeralContainerStatuses...)
	return out
}

func containerState(st corev1.ContainerStatus) string {
	switch s := st.State; {
	case s.Running != nil:
		return "running"
	case s.Waiting != nil && s.Waiting.Reason != "":
		return "waiting: " + s.Waiting.Reason
	case s.Waiting != nil:
		return "waiting"
	case s.Terminated != nil:
		return fmt.Sprintf("terminated: %s (exit %d)", orUnknown(s.Terminated.Reason), s.Terminated.ExitCode)
	}
	return "no status yet"
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// want marks a container as wanting a stream: the previous instance's
// lines first (once, when it crashed before the tail saw it), then the
// current log while it has one.
func (r *tailRun) want(c *tailContainer, st corev1.ContainerStatus) {
	if r.isExcluded(c.key) || c.gen != 0 {
		return
	}
	if r.opts.Previous && !c.prevRead && st.LastTerminationState.Terminated != nil {
		c.waiting, c.previous = true, true
		return
	}
	c.previous = false
	running := st.State.Running != nil
	switch {
	case !running && st.State.Terminated == nil:
		c.waiting = false // no log until it runs
	case c.blocked:
		c.waiting = false
	case c.done && (!r.opts.Follow || !running && c.doneAt == st.RestartCount):
		c.waiting = false // read to its end already
	default:
		c.waiting = true
	}
	// A terminated container's log is read, not followed: a follow stream
	// of it would hold a slot for nothing.
	c.follow = r.opts.Follow && running
}

func (r *tailRun) isExcluded(k StreamKey) bool {
	return r.excluded[k] || r.excluded[k.pod()]
}

// schedule opens streams for waiting containers while under the cap, in a
// stable order (namespace, pod, container), and notes who is left out.
func (r *tailRun) schedule() {
	waiting := r.waitingKeys()
	for _, k := range waiting {
		if r.live >= r.opts.MaxStreams {
			break
		}
		r.startStream(r.pods[k.pod()].containers[k.Container])
	}
	if left := r.waitingKeys(); len(left) > 0 {
		names := make([]string, 0, min(len(left), 5))
		for _, k := range left[:min(len(left), 5)] {
			names = append(names, k.String())
		}
		more := ""
		if len(left) > 5 {
			more = fmt.Sprintf(" and %d more", len(left)-5)
		}
		text := fmt.Sprintf("%d streams open, the cap: %d containers left out (%s%s)", r.live, len(left), strings.Join(names, ", "), more)
		if text != r.capText { // said once per change, not on every pod event
			r.capText = text
			r.note(StreamsCapped, StreamKey{}, text)
		}
	} else {
		r.capText = ""
	}
}

func (r *tailRun) waitingKeys() []StreamKey {
	var out []StreamKey
	for _, p := range r.pods {
		for _, c := range p.containers {
			if c.waiting && c.gen == 0 {
				out = append(out, c.key)
			}
		}
	}
	slices.SortFunc(out, func(a, b StreamKey) int {
		return strings.Compare(a.Namespace+"/"+a.Pod+"/"+a.Container, b.Namespace+"/"+b.Pod+"/"+b.Container)
	})
	return out
}

// startStream opens one container's stream in the background.
func (r *tailRun) startStream(c *tailContainer) {
	r.nextGen++
	gen := r.nextGen
	ctx, cancel := context.WithCancel(r.ctx)
	c.gen, c.cancel, c.waiting, c.failed = gen, cancel, false, ""
	r.live++
	r.opening++
	r.stateDirty = true
	req := LogRequest{Namespace: c.key.Namespace, Pod: c.key.Pod, Container: c.key.Container, Follow: c.follow, TailLines: r.opts.TailLines}
	switch {
	case c.previous:
		req.Previous, req.Follow, req.TailLines = true, false, r.opts.PreviousLines
		c.prevRead = true
	case !c.lastTime.IsZero():
		req.SinceTime, req.TailLines = c.lastTime, -1 // resume; lines up to lastTime are dropped
	case r.opts.Since > 0:
		req.SinceTime, req.TailLines = time.Now().Add(-r.opts.Since), -1
	}
	key, open, events, tailCtx := c.key, r.open, r.streamEv, r.ctx
	go func() {
		s, err := OpenLogStream(ctx, req, open)
		// The answer is sent even when this stream was stopped meanwhile:
		// it is what takes the stream off the opening count.
		if !sendEvent(tailCtx, events, streamEvent{key: key, gen: gen, stream: s, err: err}) || err != nil {
			if s != nil {
				s.Stop()
			}
			return
		}
		for chunk := range s.C {
			if !sendEvent(ctx, events, streamEvent{key: key, gen: gen, chunk: &chunk}) {
				break
			}
		}
		s.Stop()
		sendEvent(ctx, events, streamEvent{key: key, gen: gen, closed: true})
	}()
}

func sendEvent(ctx context.Context, ch chan<- streamEvent, ev streamEvent) bool {
	select {
	case ch <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

// stopStream cancels a container's stream; its goroutine ends by itself.
func (r *tailRun) stopStream(c *tailContainer) {
	if c.gen == 0 {
		return
	}
	c.cancel()
	c.gen, c.cancel = 0, nil
	r.live--
	r.stateDirty = true
}

func (r *tailRun) stopAll() {
	for _, p := range r.pods {
		for _, c := range p.containers {
			r.stopStream(c)
		}
	}
}

func (r *tailRun) container(k StreamKey) *tailContainer {
	if p := r.pods[k.pod()]; p != nil {
		return p.containers[k.Container]
	}
	return nil
}

// streamEvent takes in what a stream said.
func (r *tailRun) streamEvent(ev streamEvent) {
	c := r.container(ev.key)
	if ev.stream != nil || ev.err != nil {
		r.opening--
	}
	if c == nil || c.gen != ev.gen {
		return // a stream the tail has left
	}
	switch {
	case ev.err != nil:
		wasPrevious := c.previous
		r.stopStream(c)
		if !wasPrevious { // no previous log is no news: the current one is next
			c.failed, c.blocked = oneLine(Explain(ev.err)), true
			if !waitingToStart(ev.err) {
				r.note(StreamFailed, c.key, c.failed)
			}
		}
		c.previous = false
		r.rewant(c)
	case ev.chunk != nil:
		r.take(c, *ev.chunk)
		if ev.chunk.Done {
			r.streamEnded(c, ev.chunk.Err)
		}
	case ev.closed:
		r.streamEnded(c, nil)
	}
}

// waitingToStart is the API's answer for a container with no log yet.
func waitingToStart(err error) bool {
	s := err.Error()
	return strings.Contains(s, "waiting to start") || strings.Contains(s, "ContainerCreating")
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// streamEnded frees the slot of a stream that is over and decides what the
// container wants next.
func (r *tailRun) streamEnded(c *tailContainer, err error) {
	if c.gen == 0 {
		return
	}
	wasPrevious, followed := c.previous, c.follow
	r.stopStream(c)
	c.previous = false
	switch {
	case wasPrevious:
	case err != nil:
		c.failed, c.blocked = oneLine(Explain(err)), true
		r.note(StreamFailed, c.key, "stream ended: "+c.failed)
	case !followed:
		c.done, c.doneAt = true, c.restarts
	}
	r.rewant(c)
}

// rewant decides again from the pod's last status and fills free slots.
func (r *tailRun) rewant(c *tailContainer) {
	if p := r.pods[c.key.pod()]; p != nil && !p.gone {
		for _, st := range containerStatuses(p.pod) {
			if st.Name == c.key.Container {
				r.want(c, st)
			}
		}
	}
	r.schedule()
}

// take holds a chunk's lines for the window.
func (r *tailRun) take(c *tailContainer, chunk LogChunk) {
	r.dropped += chunk.Skipped
	now := time.Now()
	for _, l := range chunk.Lines {
		if !c.previous && !c.lastTime.IsZero() && !l.Time.IsZero() && !l.Time.After(c.lastTime) {
			continue // delivered before the stream was resumed
		}
		if l.Time.IsZero() {
			l.Time = c.lastTime // keep its place after the line before it
		}
		if !c.previous && l.Time.After(c.lastTime) {
			c.lastTime = l.Time
		}
		c.lines++
		r.seq++
		h := &heldLine{line: TailLine{StreamKey: c.key, Previous: c.previous, LogLine: l}, arrived: now, seq: r.seq}
		heap.Push(&r.held, h)
		r.arrived = append(r.arrived, h)
		r.bytes += len(l.Text)
	}
	r.stateDirty = true
	r.bound()
}

// bound drops the oldest lines when held and ready lines are over the
// bounds: first from what waits for the consumer, then the window's.
func (r *tailRun) bound() {
	over := func() bool {
		n := len(r.held) + len(r.ready)
		return n > r.opts.MaxPending || r.bytes > r.opts.MaxPendingBytes && n > 1
	}
	for over() && len(r.ready) > 0 {
		r.bytes -= len(r.ready[0].Text)
		r.ready[0] = TailLine{}
		r.ready = r.ready[1:]
		r.dropped++
	}
	if over() {
		r.releaseAll() // the window is too full to wait
		r.bound()
	}
}

// release moves lines whose window has passed to ready, in timestamp
// order, with every held line no later than them.
func (r *tailRun) release(now time.Time) {
	if !r.startedAll {
		if now.Sub(r.started) < tailStartWait && !(r.synced && r.opening == 0) {
			return
		}
		r.startedAll = true
		r.started = now
	}
	if !r.opts.Follow {
		// Everything is sorted at the end (bound releases early if it is
		// too much to hold).
		if r.live == 0 && (r.synced || r.watchEnded) {
			r.releaseAll()
		}
		return
	}
	if now.Sub(r.started) < r.opts.Window {
		return // the first tails are still arriving
	}
	var cutoff time.Time
	found := false
	i := 0
	for ; i < len(r.arrived); i++ {
		h := r.arrived[i]
		if h.released {
			continue
		}
		if now.Sub(h.arrived) < r.opts.Window {
			break
		}
		if !found || h.line.Time.After(cutoff) {
			cutoff = h.line.Time
		}
		found = true
	}
	if !found {
		r.compactArrived()
		return
	}
	for len(r.held) > 0 && !r.held[0].line.Time.After(cutoff) {
		h := heap.Pop(&r.held).(*heldLine)
		h.released = true
		r.ready = append(r.ready, h.line)
	}
	r.compactArrived()
}

func (r *tailRun) releaseAll() {
	for len(r.held) > 0 {
		h := heap.Pop(&r.held).(*heldLine)
		h.released = true
		r.ready = append(r.ready, h.line)
	}
	r.arrived = nil
}

// compactArrived drops released lines from the front of the arrival queue.
func (r *tailRun) compactArrived() {
	i := 0
	for i < len(r.arrived) && r.arrived[i].released {
		r.arrived[i] = nil
		i++
	}
	r.arrived = r.arrived[i:]
	if len(r.arrived) == 0 {
		r.arrived = nil
	}
}

// setExcluded stops or resumes streams of a pod or a container.
func (r *tailRun) setExcluded(k StreamKey, excluded bool) {
	if excluded {
		r.excluded[k] = true
	} else {
		delete(r.excluded, k)
	}
	r.stateDirty = true
	for pk, p := range r.pods {
		if pk != k.pod() || p.gone {
			continue
		}
		for _, c := range p.containers {
			if k.Container != "" && c.key.Container != k.Container {
				continue
			}
			if r.isExcluded(c.key) {
				r.stopStream(c)
				c.waiting = false
			} else {
				r.rewant(c)
			}
		}
	}
	r.schedule()
}

// state copies the pods and streams out.
func (r *tailRun) state() TailState {
	s := TailState{Open: r.live, Max: r.opts.MaxStreams, Synced: r.synced, Problem: r.problem, Left: r.waitingKeys()}
	for k, p := range r.pods {
		tp := TailPod{Namespace: k.Namespace, Name: k.Pod, Gone: p.gone, Excluded: r.excluded[k]}
		for _, name := range p.order {
			c := p.containers[name]
			tp.Containers = append(tp.Containers, TailContainer{
				Name: name, State: c.state, Restarts: c.restarts, Streaming: c.gen != 0,
				Excluded: r.isExcluded(c.key), Capped: c.waiting && c.gen == 0, Failed: c.failed, Lines: c.lines,
			})
		}
		s.Pods = append(s.Pods, tp)
	}
	slices.SortFunc(s.Pods, func(a, b TailPod) int {
		if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return s
}

// heldLine is a line waiting out the window.
type heldLine struct {
	line     TailLine
	arrived  time.Time
	seq      uint64 // arrival order, for equal timestamps
	released bool
}

// lineHeap orders held lines by timestamp, then arrival.
type lineHeap []*heldLine

func (h lineHeap) Len() int { return len(h) }
func (h lineHeap) Less(i, j int) bool {
	if !h[i].line.Time.Equal(h[j].line.Time) {
		return h[i].line.Time.Before(h[j].line.Time)
	}
	return h[i].seq < h[j].seq
}
func (h lineHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *lineHeap) Push(x any)   { *h = append(*h, x.(*heldLine)) }
func (h *lineHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return x
}
