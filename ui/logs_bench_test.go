package ui

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// benchLog is n lines as the API sends them (timestamps on), ~100 bytes each,
// some with colours and a tab, like a real service log.
func benchLog(n int) string {
	var b strings.Builder
	for i := range n {
		ts := clock.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339Nano)
		switch i % 10 {
		case 7:
			fmt.Fprintf(&b, "%s \x1b[33mWARN\x1b[0m slow query\ttook=%dms table=orders\n", ts, i%900)
		case 9:
			fmt.Fprintf(&b, "%s ERROR upstream timeout after 5s request_id=%08x\n", ts, i)
		default:
			fmt.Fprintf(&b, "%s INFO GET /api/v1/orders/%d 200 took=%dms user_agent=\"kube-probe/1.37\"\n", ts, i, i%97)
		}
	}
	return b.String()
}

func benchPage(maxLines int) *LogPage {
	env := PageEnv{Cluster: &fakeCluster{}, Keys: keymap.Default(), Styles: DefaultStyles(true), Now: func() time.Time { return clock }}
	p := NewLogPage(env, pod("shop", "api", "n", time.Hour, nil), LogOpen{MaxLines: maxLines})
	p.SetSize(160, 48)
	p.state = streamOpen
	p.streams = map[uint64]*kube.LogStream{0: {}}
	return p
}

// BenchmarkLogPipeline measures the log path end to end: raw API bytes
// through the kube stream (parse, batch), sanitising into the bounded
// buffer, and a frame rendered per chunk with follow on.
func BenchmarkLogPipeline(b *testing.B) {
	b.Run("ingest_follow", func(b *testing.B) {
		const n = 200_000
		text := benchLog(n)
		b.SetBytes(int64(len(text)))
		var lines, skipped, frames int
		start := time.Now()
		for b.Loop() {
			p := benchPage(DefaultLogLines)
			s, err := kube.OpenLogStream(context.Background(), kube.LogRequest{}, func(context.Context, kube.LogRequest) (io.ReadCloser, error) {
				return io.NopCloser(strings.NewReader(text)), nil
			})
			if err != nil {
				b.Fatal(err)
			}
			p.streams = map[uint64]*kube.LogStream{s.ID: s}
			for c := range s.C {
				p.Update(logChunkMsg{Ticket: p.starts.last(), chunk: c})
				_ = p.View()
				frames++
				lines += len(c.Lines)
				skipped += c.Skipped
			}
		}
		el := time.Since(start)
		b.ReportMetric(float64(lines)/el.Seconds(), "lines/s")
		b.ReportMetric(float64(skipped), "skipped")
		b.ReportMetric(float64(lines)/float64(frames), "lines/chunk")
	})
	b.Run("memory_at_cap", func(b *testing.B) {
		// Heap held by a full buffer after 1x, 2x and 4x its line cap: flat.
		line := []kube.LogLine{}
		for i := range 1000 {
			line = append(line, kube.LogLine{Time: clock, Text: fmt.Sprintf("INFO GET /api/v1/orders/%d 200 took=12ms user_agent=\"kube-probe/1.37\" padding=%s", i, strings.Repeat("x", 20))})
		}
		for b.Loop() {
			for _, mult := range []int{1, 2, 4} {
				p := benchPage(DefaultLogLines)
				before := heap()
				for range DefaultLogLines * mult / len(line) {
					// fresh strings each time, as the stream makes them
					chunk := make([]kube.LogLine, len(line))
					for i, l := range line {
						chunk[i] = kube.LogLine{Time: l.Time, Text: strings.Clone(l.Text)}
					}
					p.Update(logChunkMsg{Ticket: p.starts.last(), chunk: kube.LogChunk{StreamID: 0, Lines: chunk}})
				}
				b.ReportMetric(float64(heap()-before)/(1<<20), fmt.Sprintf("MiB@%dx", mult))
				runtime.KeepAlive(p)
			}
		}
	})
	b.Run("search_100k", func(b *testing.B) {
		p := benchPage(DefaultLogLines)
		s, _ := kube.OpenLogStream(context.Background(), kube.LogRequest{}, func(context.Context, kube.LogRequest) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader(benchLog(DefaultLogLines))), nil
		})
		p.streams = map[uint64]*kube.LogStream{s.ID: s}
		for c := range s.C {
			p.Update(logChunkMsg{Ticket: p.starts.last(), chunk: c})
		}
		if p.buf.len() != DefaultLogLines {
			b.Fatalf("buffer holds %d lines", p.buf.len())
		}
		b.ResetTimer()
		for b.Loop() {
			p.setQuery("timeout")
			p.setQuery("")
		}
	})
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
