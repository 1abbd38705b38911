package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/internal/harness"
	"github.com/podtui/podtui/kube"
)

// runningPod creates a kwok-managed pod and waits for its Running row.
func runningPod(t *testing.T, ns, name string) {
	t.Helper()
	if _, err := cluster.CreatePod(ctx(t), harness.Pod(ns, name)); err != nil {
		t.Fatal(err)
	}
}

func TestDetailShowsLiveEvents(t *testing.T) {
	ns := cluster.NewNamespace(t, "detail")
	runningPod(t, ns, "web")
	if _, err := cluster.CreateEvent(ctx(t), ns, "web", harness.Event{Reason: "BackOff", Message: "Back-off pulling image \"registry.example/web:1.0\"", Count: 7, FirstSeen: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("web", "Running"), seen))
	term.Send("d")
	ok(t)(term.WaitFor("detail "+ns+"/web", seen))
	ok(t)(term.WaitMatch(regexp.MustCompile(`BackOff\s+kubelet\s+Back-off pulling image .* \(x7 over 60m\)`), seen))

	// An event written while the page is open appears without a key press.
	start := time.Now()
	if _, err := cluster.CreateEvent(ctx(t), ns, "web", harness.Event{Reason: "FailedMount", Message: "MountVolume.SetUp failed for volume \"cfg\": configmap \"cfg\" not found\x1b[2J"}); err != nil {
		t.Fatal(err)
	}
	screen, err := term.WaitFor(`MountVolume.SetUp failed for volume "cfg"`, seen)
	ok(t)(screen, err)
	t.Logf("new event on screen after %s", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(screen, "Events (2, 2 warnings)") {
		t.Errorf("events header not updated:\n%s", screen)
	}
	// Warnings only, then back.
	if _, err := cluster.CreateEvent(ctx(t), ns, "web", harness.Event{Type: "Normal", Reason: "Pulled", Message: "image pulled fine"}); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitFor("image pulled fine", seen))
	term.Send("W")
	ok(t)(term.WaitGone("image pulled fine", seen))
	term.Send("esc")
	ok(t)(term.WaitMatch(rowRE("web", "Running"), seen))
	term.Send("q")
	if code, err := term.Wait(10 * time.Second); err != nil || code != 0 {
		t.Fatalf("quit: code %d, err %v", code, err)
	}
}

func TestDeleteAsksFirstThenDeletes(t *testing.T) {
	ns := cluster.NewNamespace(t, "delete")
	runningPod(t, ns, "victim")
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("victim", "Running"), seen))

	term.Send("ctrl+d")
	ok(t)(term.WaitFor("Delete pod victim in namespace "+ns+"?", seen))
	term.Send("n")
	ok(t)(term.WaitFor("delete cancelled", seen))
	time.Sleep(500 * time.Millisecond)
	if p, err := cluster.Client().CoreV1().Pods(ns).Get(ctx(t), "victim", metav1.GetOptions{}); err != nil || p.DeletionTimestamp != nil {
		t.Fatalf("pod deleted although the answer was no: %v", err)
	}

	term.Send("ctrl+d")
	ok(t)(term.WaitFor("Delete pod victim in namespace "+ns+"?", seen))
	term.Send("y")
	ok(t)(term.WaitFor("deleted pod "+ns+"/victim", seen))
	deadline := time.Now().Add(seen)
	for {
		p, err := cluster.Client().CoreV1().Pods(ns).Get(ctx(t), "victim", metav1.GetOptions{})
		if apierrors.IsNotFound(err) || (err == nil && p.DeletionTimestamp != nil) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pod not deleted: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestReadOnlyCannotWrite(t *testing.T) {
	ns := cluster.NewNamespace(t, "readonly")
	runningPod(t, ns, "keep")
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns, "--readonly")
	screen, err := term.WaitMatch(rowRE("keep", "Running"), seen)
	ok(t)(screen, err)
	if !strings.Contains(screen, "READ-ONLY") {
		t.Fatalf("read-only mode not shown:\n%s", screen)
	}
	for _, k := range []string{"x", "s", "X", "H", "ctrl+d", "ctrl+k", "d", "x", "X", "H", "ctrl+d", "ctrl+k", "esc"} {
		term.Send(k)
		time.Sleep(150 * time.Millisecond)
		if s := term.Screen(); strings.Contains(s, "Delete pod") || strings.Contains(s, "Force delete") ||
			strings.Contains(s, "Debug container in") || strings.Contains(s, "Open a shell on node") {
			t.Fatalf("a write was offered in read-only mode:\n%s", s)
		}
	}
	term.Send("?")
	screen, err = term.WaitFor("YAML", seen)
	ok(t)(screen, err)
	if strings.Contains(screen, "delete") || strings.Contains(screen, "shell") || strings.Contains(screen, "debug") {
		t.Errorf("write keys shown in help in read-only mode:\n%s", screen)
	}
	term.Send("?")
	p, err := cluster.Client().CoreV1().Pods(ns).Get(ctx(t), "keep", metav1.GetOptions{})
	if err != nil || p.DeletionTimestamp != nil {
		t.Fatalf("pod changed in read-only mode: %v", err)
	}
	if !term.Alive() {
		t.Fatal("podtui exited: an exec may have taken over")
	}
}

func TestExecShellAndBack(t *testing.T) {
	ns := cluster.NewNamespace(t, "exec")
	runningPod(t, ns, "shell")
	// kwok serves exec by running the command on the host, per an Exec rule
	// named like the pod.
	rule := fmt.Sprintf("apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Exec\nmetadata: {name: shell, namespace: %s}\nspec:\n  execs:\n  - local:\n      workDir: /tmp\n", ns)
	if err := cluster.ApplyYAML(ctx(t), []byte(rule)); err != nil {
		t.Fatal(err)
	}
	waitExecRule(t, ns, "shell")
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("shell", "Running"), seen))
	term.Send("x")
	ok(t)(term.WaitGone("namespace: "+ns, seen)) // the TUI handed the terminal over
	// A command typed in the remote shell runs and its output comes back.
	term.Type("echo podtui-$((6*7))\r")
	ok(t)(term.WaitFor("podtui-42", seen))
	// The remote TTY has our size, and follows a resize.
	term.Type("stty size\r")
	ok(t)(term.WaitFor("40 160", seen))
	term.Resize(150, 35)
	time.Sleep(200 * time.Millisecond) // SIGWINCH -> size queue -> stream
	term.Type("stty size\r")
	ok(t)(term.WaitFor("35 150", seen))
	term.Type("exit 3\r")
	screen, err := term.WaitMatch(rowRE("shell", "Running"), seen)
	ok(t)(screen, err)
	if !strings.Contains(screen, "namespace: "+ns) {
		t.Errorf("TUI not restored:\n%s", screen)
	}
	ok(t)(term.WaitFor("shell in "+ns+"/shell (app) ended: exit status 3", seen))
	// Keys reach the TUI again: the first one is not eaten by the old session.
	term.Send("d")
	ok(t)(term.WaitFor("detail "+ns+"/shell", seen))
	term.Send("esc", "q")
	if code, err := term.Wait(10 * time.Second); err != nil || code != 0 {
		t.Fatalf("quit: code %d, err %v", code, err)
	}
}

func TestPortForwardCarriesBytes(t *testing.T) {
	ns := cluster.NewNamespace(t, "pf")
	runningPod(t, ns, "echo")
	// kwok forwards to the target of a PortForward rule named like the pod:
	// here a local server that answers each line in upper case, so bytes
	// are seen going both ways.
	srv, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	go func() {
		for {
			conn, err := srv.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				sc := bufio.NewScanner(conn)
				for sc.Scan() {
					fmt.Fprintln(conn, strings.ToUpper(sc.Text()))
				}
			}()
		}
	}()
	rule := fmt.Sprintf("apiVersion: kwok.x-k8s.io/v1alpha1\nkind: PortForward\nmetadata: {name: echo, namespace: %s}\nspec:\n  forwards:\n  - target: {address: 127.0.0.1, port: %d}\n", ns, srv.Addr().(*net.TCPAddr).Port)
	if err := cluster.ApplyYAML(ctx(t), []byte(rule)); err != nil {
		t.Fatal(err)
	}
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	local := free.Addr().(*net.TCPAddr).Port
	free.Close()

	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("echo", "Running"), seen))
	term.Send("f")
	ok(t)(term.WaitFor("Port-forward to pod "+ns+"/echo", seen))
	term.Type(fmt.Sprintf("%d:8080", local))
	term.Send("enter")
	ok(t)(term.WaitFor(fmt.Sprintf("forwarding 127.0.0.1:%d → %s/echo:8080", local, ns), seen))

	// kwok loads the rule asynchronously; a connection made before that
	// hangs, so try fresh ones until the echo comes back.
	var line string
	for deadline := time.Now().Add(seen); ; {
		line, err = echoOnce(local, "ping through podtui")
		if err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil || line != "PING THROUGH PODTUI\n" {
		t.Fatalf("echo through the forward: %q, %v", line, err)
	}

	// F lists it, x stops it, and the local port closes.
	term.Send("F")
	ok(t)(term.WaitFor(fmt.Sprintf("▸ 127.0.0.1:%d → %s/echo:8080", local, ns), seen))
	term.Send("x")
	ok(t)(term.WaitFor("stopped port-forward", seen))
	if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", local), time.Second); err == nil {
		c.Close()
		t.Fatal("the local port still accepts connections after stop")
	}
	term.Send("esc", "q")
	if code, err := term.Wait(10 * time.Second); err != nil || code != 0 {
		t.Fatalf("quit: code %d, err %v", code, err)
	}
}

// echoOnce sends a line through a new connection to the local port and
// reads the answer.
func echoOnce(port int, text string) (string, error) {
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := fmt.Fprintln(conn, text); err != nil {
		return "", err
	}
	return bufio.NewReader(conn).ReadString('\n')
}

// waitExecRule waits until kwok serves exec for the pod: it loads rules
// asynchronously.
func waitExecRule(t *testing.T, ns, pod string) {
	t.Helper()
	c, err := kube.NewClientFromConfig(cluster.RESTConfig(), kube.Info{})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(seen)
	for {
		r := c.Exec(kube.ExecRequest{Namespace: ns, Pod: pod, Container: "app", Commands: [][]string{{"true"}}})
		r.SetStdout(io.Discard)
		r.SetStderr(io.Discard)
		err := r.Run()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("kwok never served exec for %s/%s: %v", ns, pod, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
