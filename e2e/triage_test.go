package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podtui/podtui/internal/harness"
)

// replicaOf makes p a pod of Deployment deploy, as a ReplicaSet would.
func replicaOf(p *corev1.Pod, deploy, hash string) *corev1.Pod {
	p.Labels["pod-template-hash"] = hash
	p.OwnerReferences = []metav1.OwnerReference{{
		APIVersion: "apps/v1", Kind: "ReplicaSet", Name: deploy + "-" + hash,
		UID: types.UID("00000000-0000-4000-8000-00000000000" + hash[:1]), Controller: new(true),
	}}
	return p
}

func pullStatus(p *corev1.Pod, reason, msg string) corev1.PodStatus {
	st := harness.ErrImagePullStatus(p, time.Now())
	st.ContainerStatuses[0].State.Waiting.Reason = reason
	st.ContainerStatuses[0].State.Waiting.Message = msg
	return st
}

func TestTriageGroupsOnTheCluster(t *testing.T) {
	ns := cluster.NewNamespace(t, "triage")
	label := func(p *corev1.Pod) *corev1.Pod { p.Labels["triage"] = ns; return p }
	create := func(p *corev1.Pod, st *corev1.PodStatus) {
		t.Helper()
		created, err := cluster.CreatePod(ctx(t), label(p))
		if err != nil {
			t.Fatal(err)
		}
		if st != nil {
			status := *st
			if status.Phase == "" {
				status = harness.RunningStatus(created, time.Now())
			}
			if _, err := cluster.PatchStatus(ctx(t), ns, created.Name, status); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Two owners failing to pull different images.
	for i := range 3 {
		p := replicaOf(harness.Pod(ns, fmt.Sprintf("api-7d9f8-%d", i), harness.ManualStatus(), harness.WithImage("registry.example/api:v2")), "api", "7d9f8")
		st := pullStatus(p, "ErrImagePull", `rpc error: code = NotFound desc = failed to pull and unpack image "registry.example/api:v2": failed to resolve reference "registry.example/api:v2": registry.example/api:v2: not found`)
		create(p, &st)
	}
	for i := range 2 {
		p := replicaOf(harness.Pod(ns, fmt.Sprintf("web-5c6d7-%d", i), harness.ManualStatus(), harness.WithImage("registry.example/web:v3")), "web", "5c6d7")
		st := pullStatus(p, "ErrImagePull", `failed to pull and unpack image "registry.example/web:v3": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://registry.example/token: 401 Unauthorized`)
		create(p, &st)
	}
	// A StatefulSet that cannot be scheduled.
	for i := range 2 {
		p := harness.Pod(ns, fmt.Sprintf("db-%d", i), harness.ManualStatus(), harness.WithNode(""))
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "db", UID: "00000000-0000-4000-8000-0000000000db", Controller: new(true)}}
		st := harness.PendingStatus()
		st.Conditions = []corev1.PodCondition{{
			Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
			Message: "0/2 nodes are available: 2 Insufficient memory. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
		}}
		create(p, &st)
		if _, err := cluster.CreateEvent(ctx(t), ns, p.Name, harness.Event{
			Reason: "FailedScheduling", Component: "default-scheduler",
			Message: "0/2 nodes are available: 2 Insufficient memory. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
		}); err != nil {
			t.Fatal(err)
		}
	}
	// A node that stopped reporting, with pods of two owners on it.
	node := "lost-" + ns
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: node}}
	if _, err := cluster.Client().CoreV1().Nodes().Create(ctx(t), n, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	n.Status.Conditions = []corev1.NodeCondition{{
		Type: corev1.NodeReady, Status: corev1.ConditionUnknown, Reason: "NodeStatusUnknown",
		Message: "Kubelet stopped posting node status.", LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.NewTime(time.Now().Add(-10 * time.Minute)),
	}}
	if _, err := cluster.Client().CoreV1().Nodes().UpdateStatus(ctx(t), n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cache-0", "queue-x1"} {
		create(harness.Pod(ns, name, harness.ManualStatus(), harness.WithNode(node)), &corev1.PodStatus{})
	}
	// And healthy pods, which make no group.
	create(harness.Pod(ns, "fine-1", harness.ManualStatus()), &corev1.PodStatus{})

	term := startPodtuiSized(t, cluster.Kubeconfig, 160, 40, "-A", "-l", "triage="+ns, "--triage")
	ok(t)(term.WaitFor("4 causes, 9 broken pods of 10 checked", seen))
	for _, want := range []string{
		"3 × deployment/api in " + ns + ": Image registry.example/api:v2 not found",
		"2 × deployment/web in " + ns,
		"2 × statefulset/db in " + ns,
		"2 × node " + node,
	} {
		ok(t)(term.WaitFor(want, seen))
	}
	// One api pod recovers: its group shrinks live.
	p, err := cluster.Client().CoreV1().Pods(ns).Get(ctx(t), "api-7d9f8-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.PatchStatus(ctx(t), ns, p.Name, harness.RunningStatus(p, time.Now())); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitFor("2 × deployment/api in "+ns, seen))
	ok(t)(term.WaitFor("8 broken pods of 10 checked", seen))
	if s := term.Screen(); strings.Contains(s, "fine-1") {
		t.Fatalf("a healthy pod is listed:\n%s", s)
	}
}

func TestTriageHealthyNamespace(t *testing.T) {
	ns := cluster.NewNamespace(t, "calm")
	for _, name := range []string{"a", "b"} {
		if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, name, harness.StateRunning), harness.StateRunning); err != nil {
			t.Fatal(err)
		}
	}
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns, "--triage")
	ok(t)(term.WaitFor("healthy: 2 pods checked, none broken", seen))
}
