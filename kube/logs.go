package kube

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/internal/defaults"
)

// Log stream defaults.
const (
	// DefaultTailLines is what a log view loads first, like kubectl --tail.
	DefaultTailLines = defaults.LogTail
	// MaxLineBytes cuts a single line for display; a megabyte line must not
	// hang the renderer or the reader.
	MaxLineBytes = 64 << 10
	// batchLines, batchBytes and batchWait bound a chunk: whichever comes first.
	batchLines = 2000
	batchBytes = 1 << 20
	batchWait  = 50 * time.Millisecond
	// maxPending and maxPendingBytes bound what waits for a lagging consumer
	// before the oldest lines are dropped (and counted): long lines must not
	// grow the pipeline either.
	maxPending      = 50000
	maxPendingBytes = 16 << 20
)

// reconnectWait is the first pause before reopening a dropped follow stream;
// tests shorten it.
var reconnectWait = time.Second

// LogRequest says which log to stream.
type LogRequest struct {
	Namespace string
	Pod       string
	Container string
	Previous  bool
	Follow    bool
	// TailLines: 0 means DefaultTailLines, negative means the whole log.
	TailLines int64
	// SinceTime, when set, starts the log there (second precision, as the API).
	SinceTime time.Time
}

// LogLine is one line of a container's log. Text is raw and untrusted: the
// UI must sanitise it before it reaches a terminal.
type LogLine struct {
	Time time.Time // from the API's timestamp; zero when the line had none
	Text string
	Cut  int // bytes cut from the end of an over-long line
}

// LogChunk is a batch of lines of one stream.
type LogChunk struct {
	StreamID uint64
	Lines    []LogLine
	// Skipped counts lines dropped before this chunk because the consumer lagged.
	Skipped int
	// Reconnected is set on the first chunk after the stream dropped and was
	// resumed.
	Reconnected bool
	// Done is set on the last chunk; Err says why the stream ended (nil: end of log).
	Done bool
	Err  error
}

// LogOpener opens the raw stream of a request; the API in production, an
// io.Reader in tests. The stream must carry RFC3339 timestamps at line start.
type LogOpener func(ctx context.Context, req LogRequest) (io.ReadCloser, error)

// LogStream is a running log stream. Read chunks from C until it is closed;
// Stop cancels it.
type LogStream struct {
	ID     uint64
	C      <-chan LogChunk
	cancel context.CancelFunc
	done   chan struct{}
}

// Stop cancels the stream and waits until its goroutines have ended.
func (s *LogStream) Stop() {
	s.cancel()
	<-s.done
}

var lastStreamID atomic.Uint64

// StreamLogs opens the log of a container through the API.
func (c *Client) StreamLogs(ctx context.Context, req LogRequest) (*LogStream, error) {
	return OpenLogStream(ctx, req, c.openLogs)
}

func (c *Client) openLogs(ctx context.Context, req LogRequest) (io.ReadCloser, error) {
	return c.Clientset.CoreV1().Pods(req.Namespace).GetLogs(req.Pod, podLogOptions(req)).Stream(ctx)
}

// podLogOptions turns a request into the API's options.
func podLogOptions(req LogRequest) *corev1.PodLogOptions {
	opts := &corev1.PodLogOptions{
		Container: req.Container,
		Previous:  req.Previous,
		Follow:    req.Follow,
		// Always ask for timestamps: a reconnect resumes from the last one,
		// and the view shows them on demand.
		Timestamps: true,
	}
	if req.TailLines >= 0 {
		n := req.TailLines
		if n == 0 {
			n = DefaultTailLines
		}
		opts.TailLines = &n
	}
	if !req.SinceTime.IsZero() {
		t := metav1.NewTime(req.SinceTime)
		opts.SinceTime = &t
	}
	return opts
}

// OpenLogStream opens the first stream synchronously, so that an answer like
// "previous terminated container not found" comes back as the error, then
// reads it in the background. ctx bounds the whole stream.
func OpenLogStream(ctx context.Context, req LogRequest, open LogOpener) (*LogStream, error) {
	ctx, cancel := context.WithCancel(ctx)
	body, err := open(ctx, req)
	if err != nil {
		cancel()
		return nil, err
	}
	out := make(chan LogChunk, 4)
	s := &LogStream{ID: lastStreamID.Add(1), C: out, cancel: cancel, done: make(chan struct{})}
	r := &logRun{id: s.ID, req: req, open: open, lines: make(chan readResult, 256), out: out, backoff: reconnectWait}
	go func() {
		defer close(s.done)
		r.run(ctx, body)
	}()
	return s, nil
}

// readResult is a line from the reader goroutine, or a note about the stream.
type readResult struct {
	line        LogLine
	reconnected bool  // the stream dropped and was resumed
	end         bool  // the last message: the stream is over
	err         error // why it is over (nil: end of log)
}

// logRun is the state of one stream's goroutines.
type logRun struct {
	id      uint64
	req     LogRequest
	open    LogOpener
	lines   chan readResult
	out     chan<- LogChunk
	backoff time.Duration

	// Owned by the reader goroutine. The resume point is the last timestamp
	// seen and how many lines carried it, so that a reconnect (the API takes
	// sinceTime at second precision) skips what was delivered.
	lastTime time.Time
	atLast   int
	skipTo   time.Time // lines before this are duplicates after a reconnect
	skipAt   int       // lines at skipTo still to skip
	resumed  bool      // a reconnect happened; say so with the next line
}

// run batches lines from the reader and hands batches to the consumer
// without ever blocking on it: while the consumer lags, lines wait in a
// bounded pending list, and the oldest are dropped and counted.
func (r *logRun) run(ctx context.Context, body io.ReadCloser) {
	defer close(r.out)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		r.read(ctx, body)
	}()
	defer func() { <-readerDone }()
	var (
		pending      []LogLine
		pendingBytes int
		skipped      int
		reconnected  bool
		ended        bool
		endErr       error
		due          bool // the oldest pending line has waited batchWait
	)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	arm := func() {
		if !due && len(pending) == 0 && skipped == 0 && !reconnected {
			timer.Reset(batchWait)
		}
	}
	for {
		var out chan<- LogChunk
		var chunk LogChunk
		if ended || due || len(pending) >= batchLines || pendingBytes >= batchBytes {
			out = r.out
			chunk = LogChunk{StreamID: r.id, Lines: pending, Skipped: skipped, Reconnected: reconnected, Done: ended, Err: endErr}
		}
		var in <-chan readResult
		if !ended {
			in = r.lines
		}
		select {
		case <-ctx.Done():
			return
		case out <- chunk:
			if ended {
				return
			}
			pending, pendingBytes, skipped, reconnected, due = nil, 0, 0, false, false
			timer.Stop()
		case <-timer.C:
			due = true
		case res := <-in:
			switch {
			case res.end:
				ended, endErr = true, res.err
			case res.reconnected:
				arm()
				reconnected = true
			default:
				arm()
				pending = append(pending, res.line)
				pendingBytes += len(res.line.Text)
				for len(pending) > maxPending || pendingBytes > maxPendingBytes && len(pending) > 1 {
					pendingBytes -= len(pending[0].Text)
					pending[0] = LogLine{} // let the dropped text be collected
					pending = pending[1:]
					skipped++
				}
			}
		}
	}
}

// send hands a result to the batcher; false when the stream is cancelled.
func (r *logRun) send(ctx context.Context, res readResult) bool {
	select {
	case r.lines <- res:
		return true
	case <-ctx.Done():
		return false
	}
}

// read reads lines until the log ends, reconnecting a dropped follow stream.
func (r *logRun) read(ctx context.Context, body io.ReadCloser) {
	wait := r.backoff
	for {
		n, err := r.readBody(ctx, body)
		if ctx.Err() != nil {
			return
		}
		if !r.req.Follow || r.req.Previous {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			r.send(ctx, readResult{end: true, err: err})
			return
		}
		// A follow stream ends when the connection drops or the container
		// stops; either way resume from the last timestamp. A container that
		// stays stopped gives nothing new: ask less and less often.
		if n > 0 {
			wait = r.backoff
		} else {
			wait = min(wait*2, 10*time.Second)
		}
		r.resumed = true // said before the first new line, not on every retry
		body, err = r.reconnect(ctx, wait)
		if err != nil {
			if ctx.Err() == nil {
				r.send(ctx, readResult{end: true, err: err})
			}
			return
		}
	}
}

// readBody reads one connection to its end, closes it, and says how many
// lines it delivered.
func (r *logRun) readBody(ctx context.Context, body io.ReadCloser) (int, error) {
	// Closing unblocks a pending Read on cancel; a close error of a stream
	// being dropped tells nothing more.
	stop := context.AfterFunc(ctx, func() { _ = body.Close() })
	defer stop()
	defer func() { _ = body.Close() }()
	br := bufio.NewReaderSize(body, MaxLineBytes)
	n := 0
	for {
		raw, cut, err := readLine(br)
		if raw != nil {
			if l := parseLine(raw, cut); r.keep(l) {
				if r.resumed {
					r.resumed = false
					if !r.send(ctx, readResult{reconnected: true}) {
						return n, ctx.Err()
					}
				}
				if !r.send(ctx, readResult{line: l}) {
					return n, ctx.Err()
				}
				n++
			}
		}
		if err != nil {
			return n, err
		}
	}
}

// keep drops lines a reconnect delivered twice and tracks the resume point.
func (r *logRun) keep(l LogLine) bool {
	if !r.skipTo.IsZero() && !l.Time.IsZero() {
		if l.Time.Before(r.skipTo) {
			return false
		}
		if l.Time.Equal(r.skipTo) && r.skipAt > 0 {
			r.skipAt--
			return false
		}
		r.skipTo = time.Time{}
	}
	if l.Time.IsZero() {
		return true
	}
	if l.Time.Equal(r.lastTime) {
		r.atLast++
	} else {
		r.lastTime, r.atLast = l.Time, 1
	}
	return true
}

// reconnect reopens a follow stream from the last timestamp, retrying with a
// growing pause while the API refuses.
func (r *logRun) reconnect(ctx context.Context, wait time.Duration) (io.ReadCloser, error) {
	req := r.req
	req.TailLines = -1
	if !r.lastTime.IsZero() {
		req.SinceTime = r.lastTime
		r.skipTo, r.skipAt = r.lastTime, r.atLast
	}
	for attempt := 0; ; attempt++ {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		body, err := r.open(ctx, req)
		if err == nil {
			return body, nil
		}
		if attempt >= 20 {
			return nil, err
		}
		wait = min(wait*2, 10*time.Second)
	}
}

// readLine returns the next line without its newline, cut to MaxLineBytes,
// and how many bytes were cut.
func readLine(br *bufio.Reader) ([]byte, int, error) {
	b, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		line, cut := bytes.Clone(b), 0
		for err == bufio.ErrBufferFull { // discard the rest of the line, counting it
			b, err = br.ReadSlice('\n')
			cut += len(bytes.TrimSuffix(b, []byte{'\n'}))
		}
		return line, cut, err
	}
	if len(b) == 0 {
		return nil, 0, err
	}
	return bytes.Clone(bytes.TrimSuffix(b, []byte{'\n'})), 0, err
}

// parseLine splits the API's "<RFC3339Nano> text" prefix off a line.
func parseLine(raw []byte, cut int) LogLine {
	text := bytes.TrimSuffix(raw, []byte{'\r'})
	out := LogLine{Cut: cut}
	if i := bytes.IndexByte(text, ' '); i > 0 && i <= 40 {
		if t, err := time.Parse(time.RFC3339Nano, string(text[:i])); err == nil {
			out.Time = t
			text = text[i+1:]
		}
	} else if i < 0 && len(text) <= 40 {
		if t, err := time.Parse(time.RFC3339Nano, string(text)); err == nil {
			out.Time, text = t, nil // an empty line with only its timestamp
		}
	}
	out.Text = string(text)
	return out
}
