package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// BenchmarkWorkloadLogs drives the logs of many pods as a user would see
// them: 20 pods of 2 containers whose streams write 5,000 lines a second
// in all (PODTUI_BENCH_RATE) for a minute (PODTUI_BENCH_SECONDS), through
// the kube tail into the page, with a frame drawn every 16.7 ms as the
// renderer would. It reports the longest and p99 frame on the UI thread
// (the batches handled since the last frame plus the View), the heap over
// time (it must stay flat once the buffer is at its cap), and the lines
// written, shown and dropped: written = shown + dropped.
//
//	go test ./ui -run '^$' -bench WorkloadLogs -benchtime 1x
func BenchmarkWorkloadLogs(b *testing.B) {
	seconds, rate := 60, 5000
	if n, err := strconv.Atoi(os.Getenv("PODTUI_BENCH_SECONDS")); err == nil && n > 0 {
		seconds = n
	}
	if n, err := strconv.Atoi(os.Getenv("PODTUI_BENCH_RATE")); err == nil && n > 0 {
		rate = n
	}
	const pods, containers = 20, 2
	for b.Loop() {
		runWorkloadBench(b, pods, containers, rate, time.Duration(seconds)*time.Second)
	}
}

func runWorkloadBench(b *testing.B, pods, containers, rate int, d time.Duration) {
	var written atomic.Int64
	var wg sync.WaitGroup
	streams := pods * containers
	perStream := time.Second * time.Duration(streams) / time.Duration(rate) // gap between a stream's lines
	open := func(ctx context.Context, req kube.LogRequest) (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		wg.Go(func() {
			defer pw.Close()
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			next, i := time.Now(), 0
			for {
				select {
				case <-ctx.Done():
					return
				case now := <-tick.C:
					var buf []byte
					for ; !next.After(now); next = next.Add(perStream) {
						i++
						buf = fmt.Appendf(buf, "%s INFO %s/%s GET /api/v1/orders/%d 200 took=%dms user_agent=\"kube-probe/1.37\"\n",
							next.UTC().Format(time.RFC3339Nano), req.Pod, req.Container, i, i%97)
						written.Add(1)
					}
					if _, err := pw.Write(buf); err != nil {
						return
					}
				}
			}
		})
		return pr, nil
	}
	podEvents := make(chan kube.PodEvent, pods+1)
	for i := range pods {
		var st []corev1.ContainerStatus
		for c := range containers {
			st = append(st, runningStatus(fmt.Sprintf("c%d", c)))
		}
		podEvents <- kube.PodEvent{Pod: webPod(fmt.Sprintf("web-7d9f8-%05d", i), st...)}
	}
	podEvents <- kube.PodEvent{Synced: true}
	env := PageEnv{
		Cluster: &fakeCluster{tailPods: podEvents, tailOpen: open}, Keys: keymap.Default(),
		Styles: DefaultStyles(true), Now: time.Now, Logs: DefaultLogSettings(),
	}
	src, _ := kube.SelectorLogSource("shop", "app=web")
	src.Name, src.Prefix = "deployment/web", "web-"
	p := NewWorkloadLogPage(env, knownLogs(src))
	p.SetSize(160, 48)
	defer p.Close()
	p.Update(tailResolvedMsg{Ticket: p.resolves.next(), src: src})
	// The page's start, as Init would run it.
	var page Page = p
	msgs := make(chan tea.Msg, 64)
	run := func(cmd tea.Cmd) {
		if cmd != nil {
			go func() {
				if m := cmd(); m != nil {
					msgs <- m
				}
			}()
		}
	}
	run(p.start())

	var frames []time.Duration
	var heaps []uint64
	frame := time.NewTicker(time.Second / 60)
	defer frame.Stop()
	sample := time.NewTicker(time.Second)
	defer sample.Stop()
	end := time.After(d)
	var since time.Duration // UI-thread time since the last frame
	var maxUpdate, maxView time.Duration
	var capAt int        // the heap sample when the buffer first reached its cap
	var liveAtCap uint64 // the live heap then
loop:
	for {
		select {
		case m := <-msgs:
			t0 := time.Now()
			var cmd tea.Cmd
			page, cmd = page.Update(m)
			since += time.Since(t0)
			maxUpdate = max(maxUpdate, time.Since(t0))
			run(cmd)
		case <-frame.C:
			t0 := time.Now()
			_ = page.View()
			maxView = max(maxView, time.Since(t0))
			frames = append(frames, since+time.Since(t0))
			since = 0
		case <-sample.C:
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			heaps = append(heaps, m.HeapInuse)
			if capAt == 0 && p.buf.dropped > 0 {
				capAt = len(heaps)
				liveAtCap = heap() // a forced GC: not in any frame's time
			}
		case <-end:
			break loop
		}
	}
	p.Close()
	wg.Wait()

	slices.Sort(frames)
	shown := p.buf.nextNum - 1
	b.ReportMetric(ms(frames[len(frames)-1]), "max-frame-ms")
	b.ReportMetric(ms(frames[len(frames)*99/100]), "p99-frame-ms")
	b.ReportMetric(float64(written.Load()), "written")
	b.ReportMetric(float64(shown), "shown")
	b.ReportMetric(float64(p.dropped), "dropped")
	// Lines still in the pipes or the tail's window when it stopped.
	b.ReportMetric(float64(written.Load()-int64(shown)-int64(p.dropped)), "in-flight")
	b.ReportMetric(float64(p.buf.len()), "buffer-lines")
	b.ReportMetric(float64(p.buf.dropped), "evicted")
	b.ReportMetric(ms(maxUpdate), "max-update-ms")
	b.ReportMetric(ms(maxView), "max-view-ms")
	if liveAtCap > 0 {
		b.ReportMetric(float64(liveAtCap)/(1<<20), "live-heap-at-cap-MiB")
		b.ReportMetric(float64(heap())/(1<<20), "live-heap-end-MiB")
		runtime.KeepAlive(p)
	}
	if capAt > 0 && capAt < len(heaps) {
		// Flat at the cap: the heap when the buffer first dropped old lines
		// against the most it reached after.
		b.ReportMetric(float64(heaps[capAt-1])/(1<<20), "heap-at-cap-MiB")
		b.ReportMetric(float64(slices.Max(heaps[capAt:]))/(1<<20), "heap-max-after-MiB")
		b.ReportMetric(float64(heaps[len(heaps)-1])/(1<<20), "heap-end-MiB")
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
