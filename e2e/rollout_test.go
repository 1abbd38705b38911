package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/internal/harness"
)

// seedRollout plays the Deployment controller (the harness runs none):
// Deployment api rolled from api:1.4.2 (revision 1, two ready pods) to
// api:1.5.0 without DB_HOST (revision 2), whose pod crash-loops.
func seedRollout(t *testing.T, ns string) {
	t.Helper()
	apps := cluster.Client().AppsV1()
	labels := map[string]string{"app": "api"}
	template := func(image string, env ...corev1.EnvVar) corev1.PodTemplateSpec {
		return corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image, Env: env}}},
		}
	}
	dep, err := apps.Deployments(ns).Create(ctx(t), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: template("registry.example/api:1.5.0"),
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	replicaSet := func(hash, revision, image string, ready int32, env ...corev1.EnvVar) *appsv1.ReplicaSet {
		t.Helper()
		tpl := template(image, env...)
		tpl.Labels = map[string]string{"app": "api", "pod-template-hash": hash}
		rs, err := apps.ReplicaSets(ns).Create(ctx(t), &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{
				Name: "api-" + hash, Namespace: ns, Labels: tpl.Labels,
				Annotations:     map[string]string{"deployment.kubernetes.io/revision": revision},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "api", UID: dep.UID, Controller: new(true)}},
			},
			Spec: appsv1.ReplicaSetSpec{
				Replicas: new(int32(2)), Selector: &metav1.LabelSelector{MatchLabels: tpl.Labels}, Template: tpl,
			},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rs.Status = appsv1.ReplicaSetStatus{Replicas: 2, ReadyReplicas: ready, AvailableReplicas: ready}
		if rs, err = apps.ReplicaSets(ns).UpdateStatus(ctx(t), rs, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		return rs
	}
	replicaSet("5f6b8", "1", "registry.example/api:1.4.2", 2, corev1.EnvVar{Name: "DB_HOST", Value: "db"})
	bad := replicaSet("7d9c5", "2", "registry.example/api:1.5.0", 0)
	pod := harness.Pod(ns, "api-7d9c5-x2k4p", harness.ManualStatus(), harness.WithImage("registry.example/api:1.5.0"), harness.WithLabel("app", "api"), harness.WithLabel("pod-template-hash", "7d9c5"))
	pod.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: bad.Name, UID: bad.UID, Controller: new(true)}}
	created, err := cluster.CreatePod(ctx(t), pod)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.PatchStatus(ctx(t), ns, created.Name, harness.CrashLoopBackOffStatus(created, time.Now(), 6, "Error", 1)); err != nil {
		t.Fatal(err)
	}
}

// A Deployment rolled from a good image to a bad one: podtui diagnose and
// the diagnosis page show what changed and the undo command; the timeline
// shows the rollout.
func TestRolloutChangeOnTheCluster(t *testing.T) {
	ns := cluster.NewNamespace(t, "rollout")
	seedRollout(t, ns)
	undo := "kubectl rollout undo deployment/api -n " + ns + " --to-revision=1"

	out, err := exec.Command(podtui, "diagnose", "--kubeconfig", cluster.Kubeconfig, "-n", ns, "-o", "json").Output()
	var ee *exec.ExitError
	if err != nil && !(asExitError(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("diagnose: %v\n%s", err, out)
	}
	var doc struct {
		Pods []struct {
			Findings []struct {
				Rule    string   `json:"rule"`
				Summary string   `json:"summary"`
				Next    []string `json:"next"`
			} `json:"findings"`
			Changes *struct {
				Owner    string `json:"owner"`
				Previous string `json:"previous"`
				Undo     string `json:"undo"`
				Diff     []struct {
					Text string `json:"text"`
				} `json:"diff"`
			} `json:"changes"`
			Timeline []struct {
				Kind string `json:"kind"`
			} `json:"timeline"`
		} `json:"pods"`
	}
	if err := json.Unmarshal(out, &doc); err != nil || len(doc.Pods) != 1 {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	p := doc.Pods[0]
	if c := p.Changes; c == nil || c.Owner != "deployment/api" || c.Previous != "healthy" || c.Undo != undo || len(c.Diff) != 2 ||
		c.Diff[0].Text != "image registry.example/api:1.4.2 → 1.5.0" || c.Diff[1].Text != "env DB_HOST removed" {
		t.Fatalf("changes:\n%s", out)
	}
	found, rolled := false, false
	for _, f := range p.Findings {
		found = found || f.Rule == "rollout/changed" && len(f.Next) > 0 && f.Next[0] == undo &&
			strings.Contains(f.Summary, "image registry.example/api:1.4.2 → 1.5.0; env DB_HOST removed")
	}
	for _, m := range p.Timeline {
		rolled = rolled || m.Kind == "rollout"
	}
	if !found {
		t.Fatalf("no rollout/changed finding with the undo command:\n%s", out)
	}
	if !rolled {
		t.Errorf("the timeline lacks the rollout:\n%s", out)
	}

	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("api-7d9c5-x2k4p", "CrashLoopBackOff"), seen))
	term.Send("D")
	ok(t)(term.WaitFor("diagnosis "+ns+"/api-7d9c5-x2k4p", seen))
	ok(t)(term.WaitFor("deployment/api changed", seen))
	ok(t)(term.WaitFor("env DB_HOST removed", seen))
	ok(t)(term.WaitFor(undo, seen))
	term.Send("t")
	ok(t)(term.WaitFor("timeline "+ns+"/api-7d9c5-x2k4p", seen))
	ok(t)(term.WaitFor("deployment/api revision 2 rolled out", seen))
}
