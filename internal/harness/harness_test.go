package harness_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/podtui/podtui/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// start fails (never skips) when the binaries are missing: the error says which command builds them.
func start(t *testing.T, opts harness.Options) *harness.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	opts.Log = logWriter{t}
	t0 := time.Now()
	c, err := harness.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	t.Logf("Start took %s", time.Since(t0).Round(10*time.Millisecond))
	return c
}

// eventually polls cond every 100 ms until it returns nil or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %s: %v", what, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func clientFor(t *testing.T, kubeconfig string) kubernetes.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestCluster(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{Nodes: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cs := c.Client()
	var pids []int // every PID ever started, checked after Stop

	v, err := cs.Discovery().ServerVersion()
	if err != nil || v.GitVersion != harness.KubernetesVersion {
		t.Fatalf("server version %v, %v; want %s", v, err, harness.KubernetesVersion)
	}
	ns := c.NewNamespace(t, "harness")

	// A kwok-managed pod becomes Running by itself.
	if _, err := c.CreatePod(ctx, harness.Pod(ns, "web")); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	eventually(t, 10*time.Second, "web Running", func() error {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.Status.Phase != corev1.PodRunning || len(p.Status.ContainerStatuses) != 1 || !p.Status.ContainerStatuses[0].Ready {
			return errString("phase " + string(p.Status.Phase))
		}
		return nil
	})
	t.Logf("kwok made the pod Running in %s", time.Since(t0).Round(10*time.Millisecond))

	// Logs, previous logs, and a followed stream that grows.
	if err := c.SetLogs(ctx, ns, "web", "app", "hello\nworld\n", "panic: boom\n"); err != nil {
		t.Fatal(err)
	}
	logs := func(previous bool) (string, error) {
		b, err := cs.CoreV1().Pods(ns).GetLogs("web", &corev1.PodLogOptions{Container: "app", Previous: previous}).DoRaw(ctx)
		return string(b), err
	}
	eventually(t, 10*time.Second, "logs served by kwok", func() error {
		if got, err := logs(false); err != nil || got != "hello\nworld\n" {
			return errString("logs " + strconv.Quote(got) + ": " + errText(err))
		}
		return nil
	})
	if got, err := logs(true); err != nil || got != "panic: boom\n" {
		t.Fatalf("previous logs = %q, %v", got, err)
	}
	stream, err := cs.CoreV1().Pods(ns).GetLogs("web", &corev1.PodLogOptions{Container: "app", Follow: true}).Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(stream)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	if err := c.AppendLog(ns, "web", "app", "appended\n"); err != nil {
		t.Fatal(err)
	}
	for got := ""; got != "appended"; {
		select {
		case got = <-lines:
		case <-time.After(10 * time.Second):
			t.Fatal("appended line not seen in the followed stream")
		}
	}
	stream.Close()

	// Failure states on manual-status pods stay as written (kwok does not revert them).
	for _, s := range harness.States {
		name := strings.ToLower(strings.NewReplacer(":", "-", "/", "-").Replace(string(s)))
		if _, err := c.CreatePodInState(ctx, harness.PodFor(ns, name, s), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	time.Sleep(2 * time.Second)
	for _, s := range harness.States {
		name := strings.ToLower(strings.NewReplacer(":", "-", "/", "-").Replace(string(s)))
		p, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := kubectlStatus(p); got != string(s) {
			t.Errorf("pod %s: STATUS %q after 2s, want %q", name, got, s)
		}
	}
	crash, err := cs.CoreV1().Pods(ns).Get(ctx, "crashloopbackoff", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := crash.Status.ContainerStatuses
	if len(st) != 1 || st[0].State.Waiting == nil || st[0].State.Waiting.Reason != "CrashLoopBackOff" ||
		st[0].RestartCount != 7 || st[0].LastTerminationState.Terminated == nil ||
		st[0].LastTerminationState.Terminated.Reason != "OOMKilled" || st[0].LastTerminationState.Terminated.ExitCode != 137 {
		t.Fatalf("CrashLoopBackOff pod changed after 2s: %+v", st)
	}
	pull, err := cs.CoreV1().Pods(ns).Get(ctx, "errimagepull", metav1.GetOptions{})
	if err != nil || pull.Status.Phase != corev1.PodPending || pull.Status.ContainerStatuses[0].State.Waiting.Reason != "ErrImagePull" {
		t.Fatalf("ErrImagePull pod changed after 2s: %v %+v", err, pull.Status)
	}
	term, err := cs.CoreV1().Pods(ns).Get(ctx, "terminating", metav1.GetOptions{})
	if err != nil || term.DeletionTimestamp == nil {
		t.Fatalf("Terminating pod: %v, deletionTimestamp %v", err, term.DeletionTimestamp)
	}
	ev, err := c.CreateEvent(ctx, ns, "crashloopbackoff", harness.Event{Reason: "BackOff", Message: "Back-off restarting failed container", Count: 5})
	if err != nil || ev.InvolvedObject.UID != crash.UID {
		t.Fatalf("event: %v %+v", err, ev)
	}

	// The demo seed: one pod per state (plus healthy ones), events, crash logs.
	if err := harness.SeedDemo(ctx, c, "demo"); err != nil {
		t.Fatal(err)
	}
	demo, err := cs.CoreV1().Pods("demo").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range demo.Items {
		seen[kubectlStatus(&demo.Items[i])] = true
	}
	for _, s := range harness.States {
		if !seen[string(s)] {
			t.Errorf("demo: no pod in state %s (saw %v)", s, seen)
		}
	}
	prev, err := cs.CoreV1().Pods("demo").GetLogs("checkout-7b5d9f8c6-q8w2z", &corev1.PodLogOptions{Previous: true}).DoRaw(ctx)
	if err != nil || !strings.Contains(string(prev), "panic: runtime error") {
		t.Errorf("demo crash previous logs: %v\n%s", err, prev)
	}
	evs, err := cs.CoreV1().Events("demo").List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=checkout-7b5d9f8c6-q8w2z"})
	if err != nil || len(evs.Items) != 2 {
		t.Errorf("demo crash events: %v, %d", err, len(evs.Items))
	}

	// RBAC: a user who may list pods in ns only, by client cert and by service-account token.
	if _, err := cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "pod-lister"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list", "watch"}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "pod-lister"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "pod-lister"},
		Subjects: []rbacv1.Subject{
			{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: "alice"},
			{Kind: "ServiceAccount", Name: "viewer", Namespace: ns},
		},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	alice, err := c.KubeconfigFor("alice", []string{"devs"})
	if err != nil {
		t.Fatal(err)
	}
	viewer, err := c.TokenKubeconfig(ctx, ns, "viewer")
	if err != nil {
		t.Fatal(err)
	}
	for _, kc := range []string{alice, viewer} {
		lc := clientFor(t, kc)
		eventually(t, 10*time.Second, "namespaced list allowed", func() error {
			_, err := lc.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
			return err
		})
		if _, err := lc.CoreV1().Pods("").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
			t.Fatalf("%s: cluster-wide list: want Forbidden, got %v", filepath.Base(kc), err)
		}
	}

	// Stop and restart the API server, then etcd; data survives.
	for _, p := range c.PIDs() {
		pids = append(pids, p)
	}
	t0 = time.Now()
	if err := c.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	t.Logf("StopAPIServer took %s", time.Since(t0).Round(10*time.Millisecond))
	short, cancelShort := context.WithTimeout(ctx, 2*time.Second)
	if _, err := cs.CoreV1().Pods(ns).List(short, metav1.ListOptions{}); err == nil {
		t.Fatal("list succeeded with the API server stopped")
	}
	cancelShort()
	t0 = time.Now()
	if err := c.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("StartAPIServer took %s", time.Since(t0).Round(10*time.Millisecond))
	if _, err := cs.CoreV1().Pods(ns).Get(ctx, "web", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.RestartEtcd(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "API works after etcd restart", func() error {
		_, err := cs.CoreV1().Pods(ns).Get(ctx, "crashloopbackoff", metav1.GetOptions{})
		return err
	})

	// Stop: nothing from the pid files survives, the run folder is gone.
	files, _ := filepath.Glob(filepath.Join(c.Dir, "pids", "*.pid"))
	if len(files) != 3 {
		t.Errorf("pid files: %v, want etcd, kube-apiserver, kwok", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		pids = append(pids, p)
	}
	t0 = time.Now()
	c.Stop()
	t.Logf("Stop took %s", time.Since(t0).Round(10*time.Millisecond))
	for _, p := range pids {
		if harness.Alive(p) {
			t.Errorf("pid %d still alive after Stop", p)
		}
	}
	if _, err := os.Stat(c.Dir); !os.IsNotExist(err) {
		t.Errorf("run folder %s still there: %v", c.Dir, err)
	}
	c.Stop() // idempotent
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{Metrics: true})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := c.NewNamespace(t, "metrics")
	if _, err := c.CreatePod(ctx, harness.Pod(ns, "busy", harness.WithUsage("250m", "300Mi"))); err != nil {
		t.Fatal(err)
	}
	mc, err := metricsclient.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	eventually(t, 90*time.Second, "pod metrics", func() error {
		pm, err := mc.MetricsV1beta1().PodMetricses(ns).Get(ctx, "busy", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if len(pm.Containers) != 1 {
			return errString("no container metrics yet")
		}
		cpu, mem := pm.Containers[0].Usage.Cpu().MilliValue(), pm.Containers[0].Usage.Memory().Value()
		// CPU is derived from a cumulative counter, so allow a little rounding.
		if cpu < 240 || cpu > 260 || mem != 300<<20 {
			return errString("usage cpu=" + strconv.FormatInt(cpu, 10) + "m mem=" + strconv.FormatInt(mem, 10))
		}
		return nil
	})
	t.Logf("pod metrics available after %s", time.Since(t0).Round(time.Second))
}

// kubectlStatus is a reduced copy of kubectl's printPod STATUS logic, enough for harness.States.
func kubectlStatus(p *corev1.Pod) string {
	reason := string(p.Status.Phase)
	if p.Status.Reason != "" {
		reason = p.Status.Reason
	}
	initializing := false
	for i, c := range p.Status.InitContainerStatuses {
		switch {
		case c.State.Terminated != nil && c.State.Terminated.ExitCode == 0:
			continue
		case c.State.Terminated != nil:
			reason = "Init:" + c.State.Terminated.Reason
		case c.State.Waiting != nil && c.State.Waiting.Reason != "" && c.State.Waiting.Reason != "PodInitializing":
			reason = "Init:" + c.State.Waiting.Reason
		default:
			reason = "Init:" + strconv.Itoa(i) + "/" + strconv.Itoa(len(p.Spec.InitContainers))
		}
		initializing = true
		break
	}
	if !initializing {
		hasRunning := false
		for i := len(p.Status.ContainerStatuses) - 1; i >= 0; i-- {
			c := p.Status.ContainerStatuses[i]
			switch {
			case c.State.Waiting != nil && c.State.Waiting.Reason != "":
				reason = c.State.Waiting.Reason
			case c.State.Terminated != nil && c.State.Terminated.Reason != "":
				reason = c.State.Terminated.Reason
			case c.State.Running != nil && c.Ready:
				hasRunning = true
			}
		}
		if reason == "Completed" && hasRunning {
			reason = "Running"
		}
	}
	if p.DeletionTimestamp != nil {
		reason = "Terminating"
	}
	return reason
}

type errString string

func (e errString) Error() string { return string(e) }

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
