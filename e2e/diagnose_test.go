package e2e

import (
	"encoding/base64"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/podtui/podtui/internal/harness"
)

// seedConfigError creates a pod that cannot start because a Secret is missing
// while a similarly named one exists, with the kubelet's event.
func seedConfigError(t *testing.T, ns string) {
	t.Helper()
	pod := harness.PodFor(ns, "orders-1", harness.StateCreateContainerConfigError)
	pod.Spec.Containers[0].Env = append(pod.Spec.Containers[0].Env, envFromSecret("DB_PASSWORD", "db-creds", "password"))
	created, err := cluster.CreatePod(ctx(t), pod)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.PatchStatus(ctx(t), ns, "orders-1", harness.CreateContainerConfigErrorStatus(created, time.Now(), "db-creds")); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.CreateEvent(ctx(t), ns, "orders-1", harness.Event{
		Reason: "Failed", FieldPath: "spec.containers{app}", Count: 7,
		Message: `Error: secret "db-creds" not found`,
	}); err != nil {
		t.Fatal(err)
	}
	createSecret(t, ns, "db-credentials", "password")
}

func TestDiagnosisInTheUI(t *testing.T) {
	ns := cluster.NewNamespace(t, "diag")
	seedConfigError(t, ns)
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("orders-1", "CreateContainerConfigError"), seen))
	ok(t)(term.WaitFor("config-missing", seen)) // the DIAG column
	term.Send("D")
	ok(t)(term.WaitFor("diagnosis "+ns+"/orders-1", seen))
	// The engine followed the message to the Secret and found the near miss.
	ok(t)(term.WaitFor("db-credentials", seen))
	ok(t)(term.WaitFor("kubectl get secret db-creds -n "+ns, seen))
	term.Send("c")
	ok(t)(term.WaitFor("copied: kubectl", seen))
	clip := term.Clipboard()
	if len(clip) == 0 {
		t.Fatal("no OSC 52 clipboard write")
	}
	_, b64, _ := strings.Cut(clip[len(clip)-1], ";")
	if got, err := base64.StdEncoding.DecodeString(b64); err != nil || string(got) != "kubectl get secret db-creds -n "+ns {
		t.Fatalf("OSC 52 carried %q (%v), want the selected command", got, err)
	}
	term.Send("esc")
	ok(t)(term.WaitMatch(rowRE("orders-1", "CreateContainerConfigError"), seen))
}

func TestDiagnoseCommandAgainstTheCluster(t *testing.T) {
	ns := cluster.NewNamespace(t, "diagcli")
	seedConfigError(t, ns)
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "fine", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(podtui, "diagnose", "--kubeconfig", cluster.Kubeconfig, "-n", ns, "-o", "json").Output()
	var ee *exec.ExitError
	if err != nil && !(asExitError(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("diagnose: %v\n%s", err, out)
	}
	if err == nil {
		t.Fatalf("diagnose exited 0 although a pod has an error finding:\n%s", out)
	}
	var doc struct {
		Pods []struct {
			Name     string `json:"name"`
			Status   string `json:"status"`
			Findings []struct {
				Rule     string   `json:"rule"`
				Severity string   `json:"severity"`
				Summary  string   `json:"summary"`
				Evidence []string `json:"evidence"`
				Next     []string `json:"next"`
			} `json:"findings"`
		} `json:"pods"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	byName := map[string]int{}
	for i, p := range doc.Pods {
		byName[p.Name] = i
	}
	broken := doc.Pods[byName["orders-1"]]
	if broken.Status != "CreateContainerConfigError" || len(broken.Findings) == 0 {
		t.Fatalf("orders-1: %+v", broken)
	}
	top := broken.Findings[0]
	text := top.Summary + strings.Join(top.Evidence, " ") + strings.Join(top.Next, " ")
	for _, want := range []string{"db-creds", "db-credentials", `secret "db-creds" not found`, "kubectl get secret db-creds -n " + ns} {
		if !strings.Contains(text, want) {
			t.Errorf("top finding lacks %q: %+v", want, top)
		}
	}
	for _, f := range doc.Pods[byName["fine"]].Findings {
		if f.Severity != "info" {
			t.Errorf("healthy pod got a %s finding: %+v", f.Severity, f)
		}
	}
}
