package ui

import (
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/internal/podgen"
	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// The in-process scale benchmarks run the pod list at 100,000 realistic pods
// (PODTUI_BENCH_PODS overrides the count), trimmed as the informer trims them:
//
//	go test ./ui -run '^$' -bench Scale -benchtime 200x
//
// Each key benchmark reports the p50 and p99 of key-to-frame latency: Update
// with the key, then the whole frame rendered (View).

var (
	scaleOnce sync.Once
	scaleSet  []*kube.PodSummary
)

// scalePods are the summaries the pod cache holds of podgen's pods; the pods
// themselves are garbage once summarized, as in the informer.
func scalePods(b *testing.B) []*kube.PodSummary {
	scaleOnce.Do(func() {
		scaleSet = make([]*kube.PodSummary, podgen.Count(100_000))
		for i := range scaleSet {
			scaleSet[i] = kube.Summarize(podgen.Pod(i, clock), clock)
		}
	})
	return scaleSet
}

// scaleApp is the app at 200x50, all namespaces, with every pod loaded.
func scaleApp(b *testing.B) *App {
	b.Helper()
	pods := scalePods(b)
	a := New(&fakeCluster{summaries: pods}, Options{Scope: kube.Scope{}, Keys: keymap.Default(), Now: func() time.Time { return clock }, Dark: true})
	a.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	msg := startFeed(a.cluster, a.scope, a.feeds.last())()
	_, cmd := a.Update(msg)
	a.Update(cmd())
	if a.list.Total() != len(pods) {
		b.Fatalf("loaded %d pods, want %d", a.list.Total(), len(pods))
	}
	_ = a.View()
	// The garbage of building it (and of the previous sub-benchmark's app)
	// is collected now, not during the key presses timed next.
	runtime.GC()
	return a
}

// latencies collects one duration per operation and reports p50 and p99.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	s := slices.Clone(l)
	slices.Sort(s)
	pct := func(p float64) float64 {
		return float64(s[min(len(s)-1, int(p*float64(len(s))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// keyFrame times Update(key) + View().
func keyFrame(a *App, k tea.KeyPressMsg, l *latencies) {
	t0 := time.Now()
	a.Update(k)
	_ = a.View()
	*l = append(*l, time.Since(t0))
}

func BenchmarkScale(b *testing.B) {
	pods := scalePods(b)
	b.Logf("%d pods", len(pods))

	b.Run("load", func(b *testing.B) {
		// The first snapshot: every row derived, sorted, measured, drawn.
		var l latencies
		var heap, rss float64
		for b.Loop() {
			t0 := time.Now()
			a := scaleApp(b)
			l = append(l, time.Since(t0))
			b.StopTimer()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap = max(heap, float64(ms.HeapInuse)/(1<<20))
			rss = max(rss, selfRSSMB())
			runtime.KeepAlive(a)
			b.StartTimer()
		}
		l.report(b)
		b.ReportMetric(heap, "heap-MB")
		b.ReportMetric(rss, "RSS-MB")
	})

	b.Run("frame", func(b *testing.B) {
		// A redraw with nothing changed (an age tick).
		a := scaleApp(b)
		b.ReportAllocs()
		for b.Loop() {
			_ = a.View()
		}
	})

	b.Run("update", func(b *testing.B) {
		// One pod changes: a new snapshot (a fresh slice, as PodFeed.Snapshot
		// returns) with one new pod object, then the next frame.
		a := scaleApp(b)
		snap := a.snap
		cur := slices.Clone(pods)
		var l latencies
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			// The informer's work (decode, summarize) is not the UI's:
			// it is done before the clock starts.
			k := (i * 7919) % len(cur)
			p := podgen.Pod(k, clock)
			if len(p.Status.ContainerStatuses) > 0 {
				p.Status.ContainerStatuses[0].RestartCount = int32(i + 1)
			}
			cur[k] = kube.Summarize(p, clock)
			snap.Pods = slices.Clone(cur)
			t0 := time.Now()
			a.Update(podsMsg{Ticket: a.feeds.last(), snap: snap})
			_ = a.View()
			l = append(l, time.Since(t0))
			i++
		}
		l.report(b)
	})

	keyBench := func(name string, keys ...tea.KeyPressMsg) {
		b.Run(name, func(b *testing.B) {
			a := scaleApp(b)
			var l latencies
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				keyFrame(a, keys[i%len(keys)], &l)
				i++
			}
			l.report(b)
		})
	}
	keyBench("scroll", tea.KeyPressMsg{Code: tea.KeyDown})
	keyBench("page", tea.KeyPressMsg{Code: tea.KeyPgDown})
	keyBench("sort", keyMsg("o"))
	keyBench("reverse", keyMsg("O")) // the key e2e's BenchmarkScale times on screen

	b.Run("filter", func(b *testing.B) {
		// Keystrokes of a query typed into the filter, one frame each; the
		// query is cleared (untimed) every time it is complete.
		a := scaleApp(b)
		press(a, "/")
		queries := []string{"crashloop", "team-042", "svc-1234", "node-07 pend"}
		var l latencies
		b.ReportAllocs()
		q, c := 0, 0
		for b.Loop() {
			query := queries[q%len(queries)]
			keyFrame(a, keyMsg(string(query[c])), &l)
			c++
			if c == len(query) {
				b.StopTimer()
				a.list.filter.input.SetValue("")
				a.list.applyFilter()
				b.StartTimer()
				c = 0
				q++
			}
		}
		l.report(b)
	})
}

// selfRSSMB reads this process's resident set size from /proc.
func selfRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
