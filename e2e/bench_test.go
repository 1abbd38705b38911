package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/podtui/podtui/internal/harness"
)

// BenchmarkStartup measures, on the real control plane with 1,000 pods, the
// time from podtui's start to the first complete list on screen, and the
// process's resident memory once the list is loaded.
//
//	go test ./e2e -run '^$' -bench Startup -benchtime 3x
func BenchmarkStartup(b *testing.B) {
	const pods = 1000
	ns := cluster.NewNamespace(b, "startup")
	var wg sync.WaitGroup
	errs := make(chan error, pods)
	sem := make(chan struct{}, 16)
	for i := range pods {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := cluster.CreatePod(b.Context(), harness.Pod(ns, fmt.Sprintf("pod-%04d", i)))
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	want := fmt.Sprintf("pods: %d/%d", pods, pods)
	var rss float64
	b.ResetTimer()
	for range b.N {
		term := startPodtuiSized(b, cluster.Kubeconfig, 160, 50, "-n", ns)
		if _, err := term.WaitFor(want, time.Minute); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		rss = max(rss, rssMB(term.Pid()))
		term.Send("q")
		if _, err := term.Wait(10 * time.Second); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(rss, "RSS-MB")
}
