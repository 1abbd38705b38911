package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/internal/harness"
)

// BenchmarkFaultRecovery measures the outage timings on the real
// binary (the fault tests prove the behaviour; timings live here):
//
//	go test ./e2e -run '^$' -bench FaultRecovery -benchtime 3x
//
// Per iteration: the API server is killed and started again 10 s later, then
// etcd is stopped and started again. Reported, as medians: from the kill (or
// etcd stop: from when the process is gone) to "STALE" on screen, and from the server being ready again to
// the list being correct (a pod deleted and one created while podtui was
// still disconnected shown as they are, and STALE gone).
func BenchmarkFaultRecovery(b *testing.B) {
	ns := cluster.NewNamespace(b, "faultbench")
	for _, name := range []string{"stays", "goes-0"} {
		if _, err := cluster.CreatePodInState(context.Background(), harness.PodFor(ns, name, harness.StateRunning), harness.StateRunning); err != nil {
			b.Fatal(err)
		}
	}
	term := startPodtuiSized(b, cluster.Kubeconfig, 160, 40, "-n", ns)
	if _, err := waitFast(term, "goes-0", time.Minute); err != nil {
		b.Fatal(err)
	}
	var apiStale, apiBack, etcdStale, etcdBack []time.Duration
	// outage stops something, waits, starts it again, and changes the pods
	// right after; it returns stop-to-STALE and ready-to-correct.
	outage := func(i int, stop func() error, start func(context.Context) error, away time.Duration) (time.Duration, time.Duration) {
		if err := stop(); err != nil { // returns once the process is gone
			b.Fatal(err)
		}
		t0 := time.Now()
		if _, err := waitFast(term, "STALE", time.Minute); err != nil {
			b.Fatal(err)
		}
		stale := time.Since(t0)
		time.Sleep(time.Until(t0.Add(away)))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := start(ctx); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		gone, next := fmt.Sprint("goes-", i), fmt.Sprint("goes-", i+1)
		if err := cluster.Client().CoreV1().Pods(ns).Delete(ctx, gone, metav1.DeleteOptions{GracePeriodSeconds: new(int64(0))}); err != nil {
			b.Fatal(err)
		}
		if _, err := cluster.CreatePodInState(ctx, harness.PodFor(ns, next, harness.StateRunning), harness.StateRunning); err != nil {
			b.Fatal(err)
		}
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(2 * time.Millisecond) {
			s := term.Screen()
			if rowOf(s, next) != "" && rowOf(s, gone) == "" && !strings.Contains(s, "STALE") {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("the list never became correct:\n%s", s)
			}
		}
		return stale, time.Since(t1)
	}
	i := 0
	for b.Loop() {
		s, r := outage(i, cluster.StopAPIServer, cluster.StartAPIServer, 10*time.Second)
		apiStale, apiBack = append(apiStale, s), append(apiBack, r)
		i++
		s, r = outage(i, cluster.StopEtcd, cluster.StartEtcd, 5*time.Second)
		etcdStale, etcdBack = append(etcdStale, s), append(etcdBack, r)
		i++
	}
	b.ReportMetric(ms(median(apiStale)), "apiserver-stale-ms")
	b.ReportMetric(ms(median(apiBack)), "apiserver-correct-ms")
	b.ReportMetric(ms(median(etcdStale)), "etcd-stale-ms")
	b.ReportMetric(ms(median(etcdBack)), "etcd-correct-ms")
	b.ReportMetric(0, "ns/op")
}
