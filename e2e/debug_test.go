package e2e

import (
	"context"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/internal/harness"
	"github.com/podtui/podtui/internal/termtest"
	"github.com/podtui/podtui/kube"
)

// TestDebugContainerOnCrashLoop: x on a crash-looping pod offers a debug
// container, enter makes it (pods/ephemeralcontainers), waits until it runs
// and attaches to it (the harness serves the attach of an interactive
// container as an exec, see internal/harness/kubelet.go); leaving says it
// stays.
func TestDebugContainerOnCrashLoop(t *testing.T) {
	cluster := debugCluster(t)
	ns, term := onCrashLoop(t, "debug")
	term.Send("x")
	ok(t)(term.WaitFor("Start a debug container beside it?", seen))
	term.Send("enter")
	ok(t)(term.WaitGone("namespace: "+ns, seen)) // the TUI handed the terminal over
	term.Type("echo debug-$((6*7))\r")
	ok(t)(term.WaitFor("debug-42", seen))
	term.Type("exit\r")
	screen, err := term.WaitFor("ephemeral containers cannot be removed", seen)
	ok(t)(screen, err)
	if !regexp.MustCompile(`left debug container debugger-[a-z0-9]{5} in ` + ns + `/crash`).MatchString(screen) {
		t.Errorf("status line does not name the debug container:\n%s", screen)
	}
	p, err := cluster.Client().CoreV1().Pods(ns).Get(ctx(t), "crash", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Spec.EphemeralContainers) != 1 {
		t.Fatalf("ephemeral containers: %+v", p.Spec.EphemeralContainers)
	}
	ec := p.Spec.EphemeralContainers[0]
	caps := ec.SecurityContext.Capabilities
	if ec.TargetContainerName != "app" || ec.Image != "busybox:1.37" || !ec.TTY || caps == nil || caps.Add[0] != "SYS_PTRACE" {
		t.Errorf("debug container %+v", ec)
	}
	// It shows in the detail page, as the ephemeral container it is.
	term.Send("d")
	ok(t)(term.WaitFor("Related objects", seen))
	term.Send("G")
	ok(t)(term.WaitFor(ec.Name+" (ephemeral, target app)", seen))
	term.Send("esc", "q")
	if code, err := term.Wait(10 * time.Second); err != nil || code != 0 {
		t.Fatalf("quit: code %d, err %v", code, err)
	}
}

// TestDebugContainerImageCannotBePulled: an image that cannot be pulled
// gets its own message.
func TestDebugContainerImageCannotBePulled(t *testing.T) {
	ns, term := onCrashLoop(t, "debug-pull")
	term.Send("X")
	ok(t)(term.WaitFor("Debug container in "+ns+"/crash", seen))
	for range len("busybox:1.37") {
		term.Send("backspace")
	}
	term.Type("registry.invalid/none:1")
	term.Send("enter")
	ok(t)(term.WaitFor("image registry.invalid/none:1 cannot be pulled (ErrImagePull)", seen))
	term.Send("esc", "q")
	if code, err := term.Wait(10 * time.Second); err != nil || code != 0 {
		t.Fatalf("quit: code %d, err %v", code, err)
	}
}

// onCrashLoop makes a namespace with pod crash in CrashLoopBackOff and starts
// podtui on it.
func onCrashLoop(t *testing.T, prefix string) (string, *termtest.Term) {
	t.Helper()
	cluster := debugCluster(t)
	ns := cluster.NewNamespace(t, prefix)
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "crash", harness.StateCrashLoopBackOff), harness.StateCrashLoopBackOff); err != nil {
		t.Fatal(err)
	}
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("crash", "CrashLoopBackOff"), seen))
	return ns, term
}

// TestNodeShell: H asks, naming the pod it creates; yes makes a privileged
// pod on the node, attaches to it, and deletes it when the shell ends. A
// node-shell pod a crashed podtui left is removed at the next start.
func TestNodeShell(t *testing.T) {
	cluster := debugCluster(t)
	ns := cluster.NewNamespace(t, "nodeshell")
	if _, err := cluster.CreatePod(ctx(t), harness.Pod(ns, "web")); err != nil {
		t.Fatal(err)
	}
	shells := func() []corev1.Pod {
		l, err := cluster.Client().CoreV1().Pods(ns).List(ctx(t), metav1.ListOptions{LabelSelector: kube.NodeShellLabel + "=true"})
		if err != nil {
			t.Fatal(err)
		}
		return l.Items
	}
	// A left-over of a podtui that crashed on this machine.
	left := kube.NodeShellPod(kube.NodeShellRequest{Node: harness.DefaultNode, Namespace: ns, Image: "busybox:1.37", Name: "node-debugger-left"})
	left.Annotations["podtui.dev/pid"] = "4194304" // above Linux's pid_max: no such process
	if _, err := cluster.Client().CoreV1().Pods(ns).Create(ctx(t), left, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if left.Annotations["podtui.dev/host"] != host {
		t.Fatalf("left-over not marked as made here: %v", left.Annotations)
	}

	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitFor("removed node-shell pod(s) left by an earlier podtui: "+ns+"/node-debugger-left", seen))
	ok(t)(term.WaitMatch(rowRE("web", "Running"), seen))
	for deadline := time.Now().Add(seen); len(shells()) > 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("left-over still there: %d", len(shells()))
		}
	}
	term.Send("H")
	screen, err := term.WaitFor("Open a shell on node "+harness.DefaultNode+"?", seen)
	ok(t)(screen, err)
	if !strings.Contains(screen, "privileged, in the host's PID, network and IPC namespaces") || !regexp.MustCompile(`creates pod node-debugger-`+harness.DefaultNode+`-[a-z0-9]{5} in namespace `+ns).MatchString(screen) {
		t.Errorf("the confirmation does not name what it creates:\n%s", screen)
	}
	term.Send("y")
	ok(t)(term.WaitGone("namespace: "+ns, seen))
	term.Type("echo node-$((6*7))\r")
	ok(t)(term.WaitFor("node-42", seen))
	pods := shells()
	if len(pods) != 1 || !pods[0].Spec.HostPID || pods[0].Spec.NodeName != harness.DefaultNode || !*pods[0].Spec.Containers[0].SecurityContext.Privileged {
		t.Fatalf("node-shell pod during the session: %+v", pods)
	}
	term.Type("exit\r")
	ok(t)(term.WaitFor("node shell on "+harness.DefaultNode+" ended; deleted pod "+ns+"/"+pods[0].Name, seen))
	for deadline := time.Now().Add(seen); len(shells()) > 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("node-shell pod still there after the session")
		}
	}
	term.Send("q")
	if code, err := term.Wait(10 * time.Second); err != nil || code != 0 {
		t.Fatalf("quit: code %d, err %v", code, err)
	}
}

var debugOnce struct {
	sync.Once
	c   *harness.Cluster
	err error
}

// debugCluster is the control plane of the debug tests: one that plays the
// kubelet for ephemeral containers (harness.Options.Debug), started by the
// first test that asks and stopped with the rest at the end (StopAll). The
// other tests' cluster runs without that proxy in front of kwok.
func debugCluster(t *testing.T) *harness.Cluster {
	t.Helper()
	debugOnce.Do(func() {
		binDir, err := harness.BinDir()
		if err != nil {
			debugOnce.err = err
			return
		}
		c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		debugOnce.c, debugOnce.err = harness.Start(c, harness.Options{Nodes: 1, BinDir: binDir, Debug: true})
	})
	if debugOnce.err != nil {
		t.Fatal(debugOnce.err)
	}
	return debugOnce.c
}
