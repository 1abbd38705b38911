package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/podtui/podtui/internal/harness"
)

// TestWorkloadLogsPage opens the logs of many pods from a pod of a
// Deployment (L, then its workload): the lines of all three pods on one
// screen, the crash-looping one's previous instance marked, and a replica
// created while it is open joining with its lines.
func TestWorkloadLogsPage(t *testing.T) {
	ns := cluster.NewNamespace(t, "wlogs")
	rs := seedLogsDeployment(t, ns)
	logsDeploymentPod(t, rs, "api-7d9c5-aaaaa", harness.StateRunning)
	setLogs(t, ns, "api-7d9c5-aaaaa", "app", "a: listening on :8080\n", "")
	logsDeploymentPod(t, rs, "api-7d9c5-bbbbb", harness.StateRunning)
	setLogs(t, ns, "api-7d9c5-bbbbb", "app", "b: ready to serve\n", "")
	logsDeploymentPod(t, rs, "api-7d9c5-ccccc", harness.StateCrashLoopBackOff)
	setLogs(t, ns, "api-7d9c5-ccccc", "app", "c: current instance waiting\n", "c: panic: connection refused\n")

	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("api-7d9c5-aaaaa", "Running"), seen))
	term.Send("L")
	ok(t)(term.WaitFor("the pods of deployment/api", seen))
	term.Send("enter")
	ok(t)(term.WaitFor("logs deployment/api ("+ns+")", seen))
	screen, err := term.WaitFor("c: panic: connection refused", seen)
	ok(t)(screen, err)
	for _, want := range []string{"7d9c5-aaaaa", "a: listening on :8080", "7d9c5-bbbbb", "b: ready to serve", "7d9c5-ccccc (previous)", "3 pods"} {
		if !strings.Contains(screen, want) {
			t.Errorf("%q not on screen:\n%s", want, screen)
		}
	}

	// A new replica joins the open view, with its lines.
	// kwok serves it a log of its own.
	logsDeploymentPod(t, rs, "api-7d9c5-ddddd", harness.StateRunning)
	ok(t)(term.WaitFor("pod api-7d9c5-ddddd joined", seen))
	ok(t)(term.WaitMatch(regexp.MustCompile(`7d9c5-ddddd +│ \S`), seen))
	ok(t)(term.WaitFor("4 pods", seen))

	// A line appended to a running pod is followed.
	if err := cluster.AppendLog(ns, "api-7d9c5-bbbbb", "app", "b: GET /orders 201\n"); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitFor("b: GET /orders 201", seen))
	term.Send("q")
	ok(t)(term.WaitFor("pods:", seen))
}
