package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/internal/harness"
)

// seedLogsDeployment plays the Deployment controller (the harness runs
// none): Deployment api (app=api) and its ReplicaSet api-7d9c5, without
// pods; logsDeploymentPod makes them.
func seedLogsDeployment(t *testing.T, ns string) *appsv1.ReplicaSet {
	t.Helper()
	apps := cluster.Client().AppsV1()
	labels := map[string]string{"app": "api"}
	tpl := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/api:1.5.0"}}},
	}
	dep, err := apps.Deployments(ns).Create(ctx(t), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: ns},
		Spec:       appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tpl},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tpl.Labels = map[string]string{"app": "api", "pod-template-hash": "7d9c5"}
	rs, err := apps.ReplicaSets(ns).Create(ctx(t), &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{
			Name: "api-7d9c5", Namespace: ns, Labels: tpl.Labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "api", UID: dep.UID, Controller: new(true)}},
		},
		Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: tpl.Labels}, Template: tpl},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// logsDeploymentPod creates a pod of the ReplicaSet in state s.
func logsDeploymentPod(t *testing.T, rs *appsv1.ReplicaSet, name string, s harness.State) {
	t.Helper()
	pod := harness.Pod(rs.Namespace, name, harness.ManualStatus(), harness.WithLabel("app", "api"), harness.WithLabel("pod-template-hash", "7d9c5"))
	pod.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: new(true)}}
	if _, err := cluster.CreatePodInState(ctx(t), pod, s); err != nil {
		t.Fatal(err)
	}
}

// podtuiCommand is the built podtui with a kubeconfig, race reports
// written to files that fail the test.
func podtuiCommand(t *testing.T, kubeconfig string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(podtui, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if raceBuild {
		raceLog := filepath.Join(t.TempDir(), "race")
		cmd.Env = append(cmd.Env, "GORACE=log_path="+raceLog+" exitcode=0")
		t.Cleanup(func() { failOnRaceReports(t, raceLog) })
	}
	return cmd
}

// logRecord is an object of podtui logs -o json (docs/logs-json.md).
type logRecord struct {
	Time      time.Time `json:"time"`
	Note      string    `json:"note"`
	Pod       string    `json:"pod"`
	Container string    `json:"container"`
	Previous  bool      `json:"previous"`
	Message   string    `json:"message"`
}

func TestLogsCmdDeploymentNoFollowJSON(t *testing.T) {
	ns := cluster.NewNamespace(t, "logscmd")
	rs := seedLogsDeployment(t, ns)
	logsDeploymentPod(t, rs, "api-7d9c5-aaaaa", harness.StateRunning)
	setLogs(t, ns, "api-7d9c5-aaaaa", "app", "a: starting\na: listening on :8080\n", "")
	logsDeploymentPod(t, rs, "api-7d9c5-bbbbb", harness.StateRunning)
	setLogs(t, ns, "api-7d9c5-bbbbb", "app", "b: starting\nb: ready\n", "")
	logsDeploymentPod(t, rs, "api-7d9c5-ccccc", harness.StateCrashLoopBackOff)
	setLogs(t, ns, "api-7d9c5-ccccc", "app", "c: current instance waiting\n", "c: connecting to db\nc: panic: connection refused\n")
	// Not of the Deployment: never read.
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "other", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	setLogs(t, ns, "other", "app", "other: not of the deployment\n", "")

	cmd := podtuiCommand(t, cluster.Kubeconfig, "logs", "deployment/api", "-n", ns, "--no-follow", "--previous", "-o", "json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("podtui logs: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	var lines []logRecord
	for _, row := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		var r logRecord
		if err := json.Unmarshal([]byte(row), &r); err != nil {
			t.Fatalf("%v: %q\n%s", err, row, out)
		}
		if r.Note != "" {
			t.Errorf("a note in a plain read: %s", row)
			continue
		}
		lines = append(lines, r)
	}
	var got []string
	for i, l := range lines {
		if i > 0 && l.Time.Before(lines[i-1].Time) {
			t.Errorf("line %d (%s) is older than the line before it (%s)", i, l.Time, lines[i-1].Time)
		}
		if l.Container != "app" || l.Previous != (l.Pod == "api-7d9c5-ccccc") {
			t.Errorf("line %d: %+v (only the crashed pod's lines are of the previous instance)", i, l)
		}
		got = append(got, l.Pod+" "+l.Message)
	}
	// The previous instance crashed ten minutes ago, the others log from a
	// minute ago in the order their logs were set.
	want := []string{
		"api-7d9c5-ccccc c: connecting to db", "api-7d9c5-ccccc c: panic: connection refused",
		"api-7d9c5-aaaaa a: starting", "api-7d9c5-aaaaa a: listening on :8080",
		"api-7d9c5-bbbbb b: starting", "api-7d9c5-bbbbb b: ready",
	}
	if !slices.Equal(got, want) {
		t.Errorf("lines:\n got %q\nwant %q\nstderr:\n%s", got, want, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
}

func TestLogsCmdFollowsNewPodsUntilInterrupted(t *testing.T) {
	ns := cluster.NewNamespace(t, "logscmd-follow")
	rs := seedLogsDeployment(t, ns)
	logsDeploymentPod(t, rs, "api-7d9c5-aaaaa", harness.StateRunning)
	setLogs(t, ns, "api-7d9c5-aaaaa", "app", "a: starting\na: listening on :8080\n", "")

	cmd := podtuiCommand(t, cluster.Kubeconfig, "logs", "deployment/api", "-n", ns, "-o", "raw")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	waitLine := func(want string) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("podtui logs ended before %q; stderr:\n%s", want, stderr.String())
				}
				if l == want {
					return
				}
			case <-deadline:
				t.Fatalf("no line %q within 30s", want)
			}
		}
	}
	waitLine("a: listening on :8080")
	if err := cluster.AppendLog(ns, "api-7d9c5-aaaaa", "app", "a: GET /orders 201\n"); err != nil {
		t.Fatal(err)
	}
	waitLine("a: GET /orders 201")

	// A new replica: created without a status (no log to read yet), given
	// its log, then running.
	logsDeploymentPod(t, rs, "api-7d9c5-ddddd", harness.StatePending)
	setLogs(t, ns, "api-7d9c5-ddddd", "app", "d: a new replica\n", "")
	pod, err := cluster.Client().CoreV1().Pods(ns).Get(ctx(t), "api-7d9c5-ddddd", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.PatchStatus(ctx(t), ns, pod.Name, harness.RunningStatus(pod, time.Now())); err != nil {
		t.Fatal(err)
	}
	waitLine("d: a new replica")

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// stdout closes when podtui exits; only then is Wait allowed.
	drained := make(chan struct{})
	go func() {
		for range lines {
		}
		close(drained)
	}()
	select {
	case <-drained:
	case <-time.After(10 * time.Second):
		t.Fatal("podtui logs did not end on Ctrl-C")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after Ctrl-C: %v (want exit 0); stderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "podtui: pod 7d9c5-ddddd joined") {
		t.Errorf("stderr does not say the new pod joined:\n%s", stderr.String())
	}
}

func TestLogsCmdRBACRefusal(t *testing.T) {
	ns := cluster.NewNamespace(t, "logscmd-rbac")
	seedLogsDeployment(t, ns)
	// A service account without any role: it may not read deployments or
	// list pods.
	kubeconfig, err := cluster.TokenKubeconfig(ctx(t), ns, "nobody")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"deployment/api", "--no-follow"}, "podtui: not allowed to read deployment " + ns + "/api: forbidden (403)"},
		{[]string{"-l", "app=api", "--no-follow"}, "podtui: listing the pods of -l app=api: forbidden (403)"},
		{[]string{"-l", "app=api"}, "podtui: listing the pods of -l app=api: forbidden (403)"}, // following
	} {
		cmd := podtuiCommand(t, kubeconfig, append([]string{"logs", "-n", ns}, tc.args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		out, err := cmd.Output()
		var ee *exec.ExitError
		if !asExitError(err, &ee) || ee.ExitCode() != 1 || len(out) != 0 {
			t.Errorf("%q: %v (want exit 1), stdout %q", tc.args, err, out)
		}
		t.Logf("%q: %s", tc.args, strings.TrimSpace(stderr.String()))
		if msg := stderr.String(); !strings.HasPrefix(msg, tc.want) || strings.Count(msg, "\n") != 1 {
			t.Errorf("%q: stderr %q, want one line starting %q", tc.args, msg, tc.want)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("%q: took %s", tc.args, took)
		}
	}
}
