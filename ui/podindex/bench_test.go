package podindex

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/podtui/podtui/internal/podgen"
	"github.com/podtui/podtui/kube"
)

// The index alone at 100,000 realistic pods (PODTUI_BENCH_PODS overrides
// the count); ui's BenchmarkScale times the same keys with a frame drawn:
//
//	go test ./ui/podindex -run '^$' -bench Index -benchtime 200x

var (
	benchOnce sync.Once
	benchSet  []*kube.PodSummary
	benchNow  = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
)

func benchPods() []*kube.PodSummary {
	benchOnce.Do(func() {
		benchSet = make([]*kube.PodSummary, podgen.Count(100_000))
		for i := range benchSet {
			benchSet[i] = kube.Summarize(podgen.Pod(i, benchNow), benchNow)
		}
	})
	return benchSet
}

// benchIndex is an index of every bench pod, its set-up garbage collected.
func benchIndex() *Index[cells] {
	var t Index[cells]
	t.Set(benchPods(), derive)
	runtime.GC()
	return &t
}

// report gives the p50 and p99 of the timed operations.
func report(b *testing.B, l []time.Duration) {
	slices.Sort(l)
	for _, p := range []struct {
		q    float64
		unit string
	}{{0.50, "p50-ms"}, {0.99, "p99-ms"}} {
		b.ReportMetric(float64(l[min(len(l)-1, int(p.q*float64(len(l))))])/float64(time.Millisecond), p.unit)
	}
}

func BenchmarkIndex(b *testing.B) {
	b.Logf("%d pods", len(benchPods()))

	b.Run("sort", func(b *testing.B) {
		// Every sort key in turn, each both ways.
		t := benchIndex()
		var l []time.Duration
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			t0 := time.Now()
			t.SetSort(SortKey(i/2%int(SortKeyCount)), i%2 == 1)
			l = append(l, time.Since(t0))
			i++
		}
		report(b, l)
	})

	b.Run("filter", func(b *testing.B) {
		// Queries typed a key at a time, cleared (untimed) when complete.
		t := benchIndex()
		queries := []string{"crashloop", "team-042", "svc-1234", "node-07 pend"}
		var l []time.Duration
		b.ReportAllocs()
		q, c := 0, 1
		for b.Loop() {
			query := queries[q%len(queries)]
			t0 := time.Now()
			t.SetFilter(query[:c])
			l = append(l, time.Since(t0))
			if c++; c > len(query) {
				b.StopTimer()
				t.SetFilter("")
				b.StartTimer()
				c = 1
				q++
			}
		}
		report(b, l)
	})
}
