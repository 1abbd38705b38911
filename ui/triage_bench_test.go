package ui

import (
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/internal/podgen"
	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// BenchmarkTriageScale opens triage over the pod cache's summaries of
// 100,000 pods (PODTUI_BENCH_PODS) and lets it read every broken pod, as
// it does a batch at a time; the fake cluster serves podgen's pods by name
// and counts the calls:
//
//	go test ./ui -run '^$' -bench TriageScale -benchtime 1x
//
// It reports the heap the open page adds once every read is done
// (triage-MB), the time to file the first snapshot (open-ms) and a later
// one with one pod changed (update-ms: the app, the list and the page;
// page-update-ms: the triage page alone), the pods read and the LISTs of
// pods (which must be 0). Each ends with a frame.
func BenchmarkTriageScale(b *testing.B) {
	pods := scalePods(b)
	for b.Loop() {
		c := &fakeCluster{summaries: pods, getPod: genPod}
		a := New(c, Options{Scope: kube.Scope{}, Keys: keymap.Default(), Now: func() time.Time { return clock }, Dark: true})
		a.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
		_, cmd := a.Update(startFeed(a.cluster, a.scope, a.feeds.last())())
		a.Update(cmd())
		_ = a.View()
		before := heapMB()

		t0 := time.Now()
		_, cmd = a.Update(keyMsg("T"))
		_ = a.View()
		open := time.Since(t0)
		tp := a.top().(*TriagePage)
		rounds := drive(a, cmd)
		_ = a.View()
		added := heapMB() - before
		if f := os.Getenv("PODTUI_BENCH_HEAP"); f != "" {
			writeHeap(b, f)
		}

		snap := a.snap
		snap.Pods = append([]*kube.PodSummary(nil), snap.Pods...)
		if tp.reading || len(tp.pending) > 0 {
			b.Fatalf("reads left: reading %v, %d pending", tp.reading, len(tp.pending))
		}
		p := genPod("", pods[7].Name)
		p.ResourceVersion = "2"
		snap.Pods[7] = kube.Summarize(p, clock)
		t0 = time.Now()
		_, cmd = a.Update(podsMsg{Ticket: a.feeds.last(), snap: snap})
		_ = a.View()
		update := time.Since(t0)
		drive(a, cmd)
		// The triage page's part alone: the next snapshot (one more pod
		// changed), then its frame.
		snap.Pods = append([]*kube.PodSummary(nil), snap.Pods...)
		p = genPod("", pods[8].Name)
		p.ResourceVersion = "2"
		snap.Pods[8] = kube.Summarize(p, clock)
		var prof *os.File
		if f := os.Getenv("PODTUI_BENCH_CPU"); f != "" {
			prof, _ = os.Create(f)
			_ = pprof.StartCPUProfile(prof)
		}
		t0 = time.Now()
		for i := range 20 {
			if i > 0 { // one more pod changed each time
				snap.Pods = append([]*kube.PodSummary(nil), snap.Pods...)
				p = genPod("", pods[8+i].Name)
				p.ResourceVersion = "2"
				snap.Pods[8+i] = kube.Summarize(p, clock)
			}
			_, cmd = tp.Update(PodsChangedMsg{Snapshot: snap})
			_ = tp.View()
		}
		page := time.Since(t0) / 20
		if prof != nil {
			pprof.StopCPUProfile()
			_ = prof.Close()
		}
		drive(a, cmd)
		b.ReportMetric(float64(page)/float64(time.Millisecond), "page-update-ms")

		broken := 0
		for _, g := range tp.groups {
			broken += len(g.Pods)
		}
		if c.lists.Load() != 0 {
			b.Fatalf("triage listed the pods %d times", c.lists.Load())
		}
		b.ReportMetric(added, "triage-MB")
		b.ReportMetric(float64(open)/float64(time.Millisecond), "open-ms")
		b.ReportMetric(float64(update)/float64(time.Millisecond), "update-ms")
		b.ReportMetric(float64(c.gets.Load()), "pods-read")
		b.ReportMetric(float64(rounds), "reads")
		b.ReportMetric(float64(broken), "broken")
		b.ReportMetric(float64(c.lists.Load()), "pod-LISTs")
		runtime.KeepAlive(a)
	}
}

// genPod serves podgen's pod by its name, whose last part is its number.
func genPod(_, name string) *corev1.Pod {
	i, err := strconv.ParseInt(name[strings.LastIndexByte(name, '-')+1:], 16, 64)
	if err != nil {
		return nil
	}
	return podgen.Pod(int(i), clock)
}

// drive runs cmd and what its messages lead to until nothing is left, but
// for timers and waits (which it drops after 3 s); it returns how many
// triage reads came back.
func drive(a *App, cmd tea.Cmd) (reads int) {
	for cmd != nil {
		var next []tea.Cmd
		for _, m := range runBatchWithin(cmd, 3*time.Second) {
			if _, ok := m.(triageReadMsg); ok {
				reads++
			}
			_, c := a.Update(m)
			next = append(next, c)
		}
		cmd = tea.Batch(next...)
	}
	return reads
}

// writeHeap writes a heap profile, for what an open page holds.
func writeHeap(b *testing.B, name string) {
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20)
}
