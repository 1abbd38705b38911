package e2e

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/internal/harness"
)

// The tests that restart the shared API server run last (Go runs a
// package's tests in file-name order): after a restart kwok may take tens of
// seconds to watch its log settings again, which would slow the tests after.

func TestLogsResumeAfterTheAPIServerRestarts(t *testing.T) {
	ns := cluster.NewNamespace(t, "logs-resume")
	if _, err := cluster.CreatePod(ctx(t), harness.Pod(ns, "steady")); err != nil {
		t.Fatal(err)
	}
	setLogs(t, ns, "steady", "app", "line one\nline two\n", "")
	term := openLogs(t, ns, "steady", "Running")
	ok(t)(term.WaitFor("line two", seen))

	if err := cluster.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	if err := cluster.AppendLog(ns, "steady", "app", "written during the outage\n"); err != nil {
		t.Fatal(err)
	}
	if err := cluster.StartAPIServer(ctx(t)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ok(t)(term.WaitFor("written during the outage", 40*time.Second))
	t.Logf("resumed %s after the API server was ready", time.Since(start).Round(time.Millisecond))
	if err := cluster.AppendLog(ns, "steady", "app", "written after the outage\n"); err != nil {
		t.Fatal(err)
	}
	screen, err := term.WaitFor("written after the outage", seen)
	ok(t)(screen, err)
	for _, l := range []string{"line one", "line two", "written during the outage", "written after the outage"} {
		if n := strings.Count(screen, l); n != 1 {
			t.Errorf("%q shown %d times after the reconnect, want once:\n%s", l, n, screen)
		}
	}
	if !strings.Contains(screen, "stream reconnected") {
		t.Errorf("the reconnect is not marked:\n%s", screen)
	}
}

// TestAPIServerRestart runs last: it stops the shared API server.
func TestAPIServerRestart(t *testing.T) {
	ns := cluster.NewNamespace(t, "outage")
	for _, name := range []string{"stays", "goes"} {
		if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, name, harness.StateRunning), harness.StateRunning); err != nil {
			t.Fatal(err)
		}
	}
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("goes", "Running"), seen))

	if err := cluster.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ok(t)(term.WaitFor("STALE", seen))
	ok(t)(term.WaitFor("reconnecting", seen))
	t.Logf("stale shown after %s", time.Since(start).Round(time.Millisecond))
	// The last known pods stay on screen.
	if s := term.Screen(); rowOf(s, "stays") == "" {
		t.Fatalf("the list should stay while the server is away:\n%s", s)
	}
	term.Send("j")                                      // the UI answers keys while reconnecting
	time.Sleep(time.Until(start.Add(10 * time.Second))) // the outage: 10 s
	if err := cluster.StartAPIServer(ctx(t)); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	// Changed while podtui is still disconnected (it retries every second):
	// the relist must show them as they are.
	if err := cluster.Client().CoreV1().Pods(ns).Delete(ctx(t), "goes", metav1.DeleteOptions{GracePeriodSeconds: new(int64(0))}); err != nil {
		t.Fatal(err)
	}
	pod := harness.PodFor(ns, "new", harness.StateCrashLoopBackOff)
	if _, err := cluster.CreatePodInState(ctx(t), pod, harness.StateCrashLoopBackOff); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitGone("STALE", 30*time.Second))
	t.Logf("recovered %s after the API server was ready", time.Since(start).Round(time.Millisecond))
	ok(t)(term.WaitMatch(rowRE("new", "CrashLoopBackOff"), seen))
	ok(t)(term.WaitScreen(func(s string) bool { return rowOf(s, "goes") == "" }, "deleted pod gone", seen))
}
