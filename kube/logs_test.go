package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"k8s.io/client-go/kubernetes/fake"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// criLines renders lines as the API sends them with timestamps=true.
func criLines(start time.Time, step time.Duration, lines ...string) string {
	var b strings.Builder
	for i, l := range lines {
		fmt.Fprintf(&b, "%s %s\n", start.Add(time.Duration(i)*step).Format(time.RFC3339Nano), l)
	}
	return b.String()
}

func numbered(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("line %d", i)
	}
	return out
}

func readerOpener(text string) LogOpener {
	return func(context.Context, LogRequest) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(text)), nil
	}
}

// collect reads chunks until the stream closes or the timeout.
func collect(t *testing.T, s *LogStream, timeout time.Duration) []LogChunk {
	t.Helper()
	var out []LogChunk
	deadline := time.After(timeout)
	for {
		select {
		case c, ok := <-s.C:
			if !ok {
				return out
			}
			if c.StreamID != s.ID {
				t.Fatalf("chunk of stream %d on stream %d", c.StreamID, s.ID)
			}
			out = append(out, c)
		case <-deadline:
			t.Fatalf("stream did not end in %s (%d chunks)", timeout, len(out))
		}
	}
}

func texts(chunks []LogChunk) []string {
	var out []string
	for _, c := range chunks {
		for _, l := range c.Lines {
			out = append(out, l.Text)
		}
	}
	return out
}

func TestLogStreamBatchesAndStripsTimestamps(t *testing.T) {
	defer goleak.VerifyNone(t)
	want := numbered(5000)
	s, err := OpenLogStream(context.Background(), LogRequest{}, readerOpener(criLines(t0, time.Millisecond, want...)))
	if err != nil {
		t.Fatal(err)
	}
	chunks := collect(t, s, 5*time.Second)
	got := texts(chunks)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %d lines, want %d in order", len(got), len(want))
	}
	if len(chunks) > 10 {
		t.Errorf("%d chunks for 5000 lines: not batched", len(chunks))
	}
	last := chunks[len(chunks)-1]
	if !last.Done || last.Err != nil {
		t.Errorf("last chunk: done %v err %v", last.Done, last.Err)
	}
	if l := chunks[0].Lines[1]; !l.Time.Equal(t0.Add(time.Millisecond)) {
		t.Errorf("timestamp of line 1 = %v", l.Time)
	}
}

func TestLogStreamBatchesByTime(t *testing.T) {
	defer goleak.VerifyNone(t)
	pr, pw := io.Pipe()
	s, err := OpenLogStream(context.Background(), LogRequest{Follow: true}, func(context.Context, LogRequest) (io.ReadCloser, error) { return pr, nil })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	go pw.Write([]byte(criLines(t0, time.Millisecond, "a", "b", "c")))
	select {
	case c := <-s.C:
		if got := texts([]LogChunk{c}); strings.Join(got, "") != "abc" {
			t.Errorf("first chunk %q, want the 3 lines in one batch", got)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no chunk 2 s after 3 lines were written")
	}
}

func TestLogStreamCutsLongLines(t *testing.T) {
	defer goleak.VerifyNone(t)
	long := strings.Repeat("x", 3<<20)
	s, err := OpenLogStream(context.Background(), LogRequest{}, readerOpener(criLines(t0, time.Second, "short", long, "after")))
	if err != nil {
		t.Fatal(err)
	}
	var lines []LogLine
	for _, c := range collect(t, s, 5*time.Second) {
		lines = append(lines, c.Lines...)
	}
	if len(lines) != 3 || lines[0].Text != "short" || lines[2].Text != "after" {
		t.Fatalf("lines around the long one are wrong: %d lines", len(lines))
	}
	if len(lines[1].Text) > MaxLineBytes || len(lines[1].Text)+lines[1].Cut != len(long) {
		t.Errorf("long line: kept %d + cut %d, want %d in all, at most %d kept", len(lines[1].Text), lines[1].Cut, len(long), MaxLineBytes)
	}
	if lines[2].Time.IsZero() {
		t.Error("the line after a cut one lost its timestamp")
	}
}

func TestLogStreamCountsLinesALaggingConsumerMissed(t *testing.T) {
	defer goleak.VerifyNone(t)
	const total = maxPending * 3
	s, err := OpenLogStream(context.Background(), LogRequest{}, readerOpener(criLines(t0, time.Microsecond, numbered(total)...)))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // the consumer lags: nothing is read
	lines, skipped := 0, 0
	for _, c := range collect(t, s, 10*time.Second) {
		lines += len(c.Lines)
		skipped += c.Skipped
	}
	if skipped == 0 {
		t.Errorf("nothing skipped although the consumer read nothing for 500 ms")
	}
	if lines+skipped != total {
		t.Errorf("delivered %d + skipped %d = %d, want %d: lines lost silently", lines, skipped, lines+skipped, total)
	}
}

func TestLogStreamReconnectsWithoutDuplicates(t *testing.T) {
	defer goleak.VerifyNone(t)
	old := reconnectWait
	reconnectWait = 10 * time.Millisecond
	defer func() { reconnectWait = old }()

	t1, t2, t3 := t0.Add(100*time.Millisecond), t0.Add(200*time.Millisecond), t0.Add(1200*time.Millisecond)
	first := criLines(t1, 0, "a") + criLines(t2, 0, "b", "c")
	// The API answers sinceTime at second precision: it sends a, b, c again.
	second := criLines(t1, 0, "a") + criLines(t2, 0, "b", "c") + criLines(t3, 0, "d")
	var mu sync.Mutex
	var reqs []LogRequest
	pr, pw := io.Pipe()
	defer pw.Close()
	open := func(_ context.Context, req LogRequest) (io.ReadCloser, error) {
		mu.Lock()
		defer mu.Unlock()
		reqs = append(reqs, req)
		switch len(reqs) {
		case 1:
			return io.NopCloser(strings.NewReader(first)), nil
		case 2:
			return nil, errors.New("connection refused") // the API is briefly away
		case 3:
			go pw.Write([]byte(second))
			return pr, nil // then stays open
		}
		return nil, errors.New("unexpected reopen")
	}
	s, err := OpenLogStream(context.Background(), LogRequest{Follow: true}, open)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	reconnected := false
	deadline := time.After(5 * time.Second)
	for len(got) < 4 {
		select {
		case c := <-s.C:
			reconnected = reconnected || c.Reconnected
			got = append(got, texts([]LogChunk{c})...)
		case <-deadline:
			t.Fatalf("got %q before the deadline", got)
		}
	}
	s.Stop()
	if strings.Join(got, "") != "abcd" {
		t.Errorf("lines %q, want abcd once each", got)
	}
	if !reconnected {
		t.Error("no chunk says the stream reconnected")
	}
	mu.Lock()
	defer mu.Unlock()
	if r := reqs[2]; !r.SinceTime.Equal(t2) || r.TailLines >= 0 {
		t.Errorf("resume request: since %v tail %d, want since %v and the whole log", r.SinceTime, r.TailLines, t2)
	}
}

func TestLogStreamStopEndsGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	s, err := OpenLogStream(context.Background(), LogRequest{Follow: true}, func(context.Context, LogRequest) (io.ReadCloser, error) { return pr, nil })
	if err != nil {
		t.Fatal(err)
	}
	go pw.Write([]byte(criLines(t0, time.Millisecond, numbered(100)...)))
	<-s.C
	s.Stop() // with a consumer that stopped reading and a Read pending
	for range s.C {
	}
}

func TestLogStreamOpenErrorComesBack(t *testing.T) {
	defer goleak.VerifyNone(t)
	want := errors.New(`previous terminated container "app" in pod "api" not found`)
	_, err := OpenLogStream(context.Background(), LogRequest{Previous: true}, func(context.Context, LogRequest) (io.ReadCloser, error) { return nil, want })
	if !errors.Is(err, want) {
		t.Fatalf("err = %v", err)
	}
}

func TestClientStreamLogs(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := &Client{Clientset: fake.NewClientset()}
	s, err := c.StreamLogs(context.Background(), LogRequest{Namespace: "shop", Pod: "api", Container: "app"})
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(collect(t, s, 5*time.Second)); strings.Join(got, "") != "fake logs" {
		t.Errorf("lines %q", got)
	}
}

func TestPodLogOptions(t *testing.T) {
	o := podLogOptions(LogRequest{Container: "app", Follow: true})
	if !o.Timestamps || o.TailLines == nil || *o.TailLines != DefaultTailLines || o.SinceTime != nil || !o.Follow || o.Container != "app" {
		t.Errorf("default request: %+v", o)
	}
	o = podLogOptions(LogRequest{Previous: true, TailLines: -1, SinceTime: t0})
	if !o.Timestamps || o.TailLines != nil || o.SinceTime == nil || !o.SinceTime.Time.Equal(t0) || !o.Previous {
		t.Errorf("whole previous log since t0: %+v", o)
	}
}

// longLines produces n lines of size bytes each, lazily.
type longLines struct {
	n, size, i int
	buf        []byte
}

func (r *longLines) Read(p []byte) (int, error) {
	if len(r.buf) == 0 {
		if r.i == r.n {
			return 0, io.EOF
		}
		r.i++
		r.buf = append([]byte(t0.Format(time.RFC3339Nano)+" "), strings.Repeat("z", r.size)...)
		r.buf = append(r.buf, '\n')
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func TestLogStreamBoundsBytesForALaggingConsumer(t *testing.T) {
	defer goleak.VerifyNone(t)
	const total, size = 2000, 60 << 10 // 120 MB in all
	s, err := OpenLogStream(context.Background(), LogRequest{}, func(context.Context, LogRequest) (io.ReadCloser, error) {
		return io.NopCloser(&longLines{n: total, size: size}), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // nothing is read meanwhile
	lines, skipped := 0, 0
	for _, c := range collect(t, s, 20*time.Second) {
		lines += len(c.Lines)
		skipped += c.Skipped
		// A lagging consumer gets what waited in one chunk, within the bound.
		if n := len(c.Lines) * size; n > maxPendingBytes+MaxLineBytes {
			t.Errorf("a chunk of %d bytes, over the pending bound", n)
		}
	}
	if skipped == 0 || lines+skipped != total {
		t.Errorf("delivered %d + skipped %d, want %d with some skipped", lines, skipped, total)
	}
	if held := (maxPendingBytes + 4*(batchBytes+MaxLineBytes)) / size; lines > held+batchLines {
		t.Errorf("%d lines delivered after the lag: more than the bounds hold (%d)", lines, held)
	}
}
