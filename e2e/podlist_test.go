package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/internal/harness"
)

// seen is how long a change may take to reach the screen before the test
// fails. The product aims at well under 2 s; the measured time is logged.
const seen = 10 * time.Second

func TestStatusColumnMatchesKubectl(t *testing.T) {
	ns := cluster.NewNamespace(t, "states")
	for _, s := range harness.States {
		name := "p-" + strings.ToLower(strings.NewReplacer(":", "-", "/", "-").Replace(string(s)))
		pod := harness.PodFor(ns, name, s)
		if s == harness.StateRunning {
			pod = harness.Pod(ns, name) // a real kwok-managed pod
		}
		var err error
		if s == harness.StateRunning {
			_, err = cluster.CreatePod(ctx(t), pod)
		} else {
			_, err = cluster.CreatePodInState(ctx(t), pod, s)
		}
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	for _, s := range harness.States {
		name := "p-" + strings.ToLower(strings.NewReplacer(":", "-", "/", "-").Replace(string(s)))
		ok(t)(term.WaitMatch(rowRE(name, string(s)), seen))
	}
	screen := term.Screen()
	if !strings.Contains(screen, "namespace: "+ns) || !strings.Contains(screen, fmt.Sprintf("pods: %d/%d", len(harness.States), len(harness.States))) {
		t.Errorf("header lacks namespace or counts:\n%s", screen)
	}
	term.Send("q")
	if code, err := term.Wait(10 * time.Second); err != nil || code != 0 {
		t.Fatalf("quit: code %d, err %v", code, err)
	}
	if term.AltScreen() {
		t.Error("terminal left in the alternate screen after quit")
	}
}

func TestLiveCreateUpdateDelete(t *testing.T) {
	ns := cluster.NewNamespace(t, "live")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "first", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("first", "Running"), seen))

	start := time.Now()
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "second", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitMatch(rowRE("second", "Running"), seen))
	t.Logf("created pod on screen after %s", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	pod, err := cluster.Client().CoreV1().Pods(ns).Get(ctx(t), "second", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.PatchStatus(ctx(t), ns, "second", harness.CrashLoopBackOffStatus(pod, time.Now(), 4, "Error", 1)); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitMatch(rowRE("second", "CrashLoopBackOff"), seen))
	t.Logf("status patch on screen after %s", time.Since(start).Round(time.Millisecond))
	if row := rowOf(term.Screen(), "second"); !strings.Contains(row, "4 (") || !strings.Contains(row, "ago)") {
		t.Errorf("RESTARTS should read like kubectl's `4 (Xs ago)`: %q", row)
	}

	start = time.Now()
	if err := cluster.Client().CoreV1().Pods(ns).Delete(ctx(t), "first", metav1.DeleteOptions{GracePeriodSeconds: new(int64(0))}); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitScreen(func(s string) bool { return rowOf(s, "first") == "" }, "pod first gone", seen))
	t.Logf("deleted pod gone after %s", time.Since(start).Round(time.Millisecond))
}

func TestFilterSortAndNamespaceSwitch(t *testing.T) {
	nsA := cluster.NewNamespace(t, "alpha")
	nsB := cluster.NewNamespace(t, "beta")
	for _, p := range []struct {
		ns, name string
		state    harness.State
	}{
		{nsA, "web-1", harness.StateRunning},
		{nsA, "web-2", harness.StateCrashLoopBackOff},
		{nsA, "db-0", harness.StateImagePullBackOff},
		{nsB, "batch-0", harness.StateCompleted},
	} {
		pod := harness.PodFor(p.ns, p.name, p.state)
		pod.Labels["filtertest"] = nsA // the -A view below shows only this test's pods
		if _, err := cluster.CreatePodInState(ctx(t), pod, p.state); err != nil {
			t.Fatal(err)
		}
	}
	term := startPodtui(t, cluster.Kubeconfig, "-n", nsA, "-l", "filtertest="+nsA)
	ok(t)(term.WaitMatch(rowRE("web-2", "CrashLoopBackOff"), seen))

	// Filter: fuzzy over name, namespace, status and node.
	term.Send("/")
	term.Type("crash")
	ok(t)(term.WaitFor("pods: 1/3", seen))
	if s := term.Screen(); rowOf(s, "web-2") == "" || rowOf(s, "web-1") != "" {
		t.Fatalf("filter 'crash' should leave only web-2:\n%s", s)
	}
	term.Send("esc")
	ok(t)(term.WaitFor("pods: 3/3", seen))

	// Sort by status: the failing pods come first, the healthy one last.
	term.Send("o")
	ok(t)(term.WaitFor("sort: status", seen))
	s := term.Screen()
	if !(strings.Index(s, "web-2") < strings.Index(s, "web-1") && strings.Index(s, "db-0") < strings.Index(s, "web-1")) {
		t.Fatalf("sort by status should put failing pods first:\n%s", s)
	}
	term.Send("O")
	ok(t)(term.WaitFor("sort: status↑", seen))
	s = term.Screen()
	if strings.Index(s, "web-1") > strings.Index(s, "web-2") {
		t.Fatalf("reversed sort should put the healthy pod first:\n%s", s)
	}

	// Namespace picker: type the other namespace and switch.
	term.Send(":")
	ok(t)(term.WaitFor("namespace: ", seen))
	ok(t)(term.WaitFor(nsB, seen))
	term.Type(nsB)
	term.Send("enter")
	ok(t)(term.WaitMatch(rowRE("batch-0", "Completed"), seen))
	if s := term.Screen(); rowOf(s, "web-1") != "" || !strings.Contains(s, "namespace: "+nsB) {
		t.Fatalf("still showing the old namespace:\n%s", s)
	}
	// All namespaces: both show, with a NAMESPACE column.
	term.Send("a")
	ok(t)(term.WaitMatch(rowRE("web-2", "CrashLoopBackOff"), seen))
	ok(t)(term.WaitMatch(rowRE("batch-0", "Completed"), seen))
	if s := term.Screen(); !strings.Contains(s, "NAMESPACE") || !strings.Contains(s, "namespace: all") {
		t.Fatalf("all-namespaces view lacks the NAMESPACE column:\n%s", s)
	}
}

func TestAllNamespacesFallsBackUnderRBAC(t *testing.T) {
	ns := cluster.NewNamespace(t, "rbac")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "mine", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	other := cluster.NewNamespace(t, "other")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(other, "not-mine", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	user := "dev-" + ns
	podReader(t, ns, user)
	kc, err := cluster.KubeconfigFor(user, nil)
	if err != nil {
		t.Fatal(err)
	}
	term := startPodtui(t, kc, "-n", ns, "-A")
	ok(t)(term.WaitFor(fmt.Sprintf("not allowed to list pods in all namespaces; showing namespace %q instead", ns), seen))
	ok(t)(term.WaitMatch(rowRE("mine", "Running"), seen))
	if s := term.Screen(); rowOf(s, "not-mine") != "" || !strings.Contains(s, "namespace: "+ns) {
		t.Fatalf("fallback should show only namespace %s:\n%s", ns, s)
	}
}
