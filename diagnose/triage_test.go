package diagnose

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ktypes "k8s.io/apimachinery/pkg/types"
)

var triageNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// replica builds a pod of Deployment deploy (through its ReplicaSet).
func replica(ns, deploy, hash, suffix, node, image string) *corev1.Pod {
	name := deploy + "-" + hash + "-" + suffix
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ns, Name: name, UID: ktypes.UID(ns + "/" + name),
			Labels:            map[string]string{"pod-template-hash": hash},
			CreationTimestamp: metav1.NewTime(triageNow.Add(-time.Hour)),
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "apps/v1", Kind: "ReplicaSet", Name: deploy + "-" + hash,
				Controller: new(true),
			}},
		},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "app", Image: image}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{
			Name: "app", Image: image, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}, Ready: true,
		}}, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
}

func pullFails(p *corev1.Pod) *corev1.Pod {
	img := p.Spec.Containers[0].Image
	p.Status.Phase = corev1.PodPending
	p.Status.Conditions = []corev1.PodCondition{{
		Type: corev1.PodReady, Status: corev1.ConditionFalse,
		LastTransitionTime: metav1.NewTime(triageNow.Add(-20 * time.Minute)),
	}}
	p.Status.ContainerStatuses[0].Ready = false
	p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
		Reason:  "ErrImagePull",
		Message: fmt.Sprintf(`rpc error: code = NotFound desc = failed to pull and unpack image "%s": failed to resolve reference "%s": %s: not found`, img, img, img),
	}}
	return p
}

func crashes(restarts int32) func(*corev1.Pod) *corev1.Pod {
	return func(p *corev1.Pod) *corev1.Pod {
		cs := &p.Status.ContainerStatuses[0]
		cs.Ready, cs.RestartCount = false, restarts
		cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
			Reason:  "CrashLoopBackOff",
			Message: "back-off 5m0s restarting failed container=app pod=" + p.Name + "_" + p.Namespace + "(" + string(p.UID) + ")",
		}}
		cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: 1, Reason: "Error",
			FinishedAt: metav1.NewTime(triageNow.Add(-time.Minute)),
		}}
		p.Status.Conditions[0].Status = corev1.ConditionFalse
		return p
	}
}

func mountTimesOut(volumes string) func(*corev1.Pod) *corev1.Pod {
	return func(p *corev1.Pod) *corev1.Pod {
		p.Status.Phase = corev1.PodPending
		p.Status.ContainerStatuses[0].Ready = false
		p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
		p.Status.Conditions[0].Status = corev1.ConditionFalse
		for _, v := range strings.Split(volumes, " ") {
			p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: v, VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: v + "-" + p.Name},
			}})
		}
		return p
	}
}

func mountEvent(p *corev1.Pod, volumes string) Event {
	return Event{
		Type: "Warning", Reason: "FailedMount", Count: 4, Source: "kubelet",
		Message:   "(combined from similar events): Unable to attach or mount volumes: unmounted volumes=[" + volumes + "], unattached volumes=[], failed to process volumes=[]: timed out waiting for the condition",
		FirstTime: triageNow.Add(-10 * time.Minute), LastTime: triageNow.Add(-time.Minute),
		Object: corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID},
	}
}

func onNotReadyNode(p *corev1.Pod) *corev1.Pod { return p }

func notReadyNode(name string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{
		Type: corev1.NodeReady, Status: corev1.ConditionUnknown, Reason: "NodeStatusUnknown", Message: "Kubelet stopped posting node status.",
		LastTransitionTime: metav1.NewTime(triageNow.Add(-11 * time.Minute)),
	}}}}
}

type triagePod struct {
	pod    *corev1.Pod
	events []Event
}

func runTriage(pods []triagePod, related Related) *Triage {
	t := NewTriage()
	for _, tp := range pods {
		t.Update(tp.pod, Diagnose(Input{Pod: tp.pod, Events: tp.events, Related: related, Now: triageNow}))
	}
	return t
}

func describeGroups(t *Triage) []string {
	var out []string
	for _, g := range t.Groups() {
		owner := g.Key.Owner.String()
		if g.Key.Node != "" {
			owner = "node/" + g.Key.Node
		}
		out = append(out, fmt.Sprintf("%s %s x%d", g.Rule, owner, len(g.Pods)))
	}
	return out
}

func TestTriageGrouping(t *testing.T) {
	nodes := NewStore()
	nodes.AddNode(notReadyNode("worker-9"))
	tests := []struct {
		name    string
		pods    []triagePod
		related Related
		want    []string
	}{
		{
			name: "different tags of two deployments are two groups",
			pods: []triagePod{
				{pod: pullFails(replica("shop", "api", "7d9f8", "a", "w1", "registry.example/api:v2"))},
				{pod: pullFails(replica("shop", "api", "7d9f8", "b", "w2", "registry.example/api:v2"))},
				{pod: pullFails(replica("shop", "api", "7d9f8", "c", "w3", "registry.example/api:v2"))},
				{pod: pullFails(replica("shop", "web", "5c6d7", "a", "w1", "registry.example/web:v3"))},
			},
			want: []string{"image/not-found deployment/api x3", "image/not-found deployment/web x1"},
		},
		{
			name: "one owner with different causes is split",
			pods: []triagePod{
				{pod: pullFails(replica("shop", "api", "7d9f8", "a", "w1", "registry.example/api:v2"))},
				{pod: crashes(5)(replica("shop", "api", "6b5c4", "b", "w2", "registry.example/api:v1"))},
			},
			want: []string{"crash/exit-error deployment/api x1", "image/not-found deployment/api x1"},
		},
		{
			name: "restart counts do not split a crash loop",
			pods: []triagePod{
				{pod: crashes(3)(replica("shop", "api", "6b5c4", "a", "w1", "api:1"))},
				{pod: crashes(17)(replica("shop", "api", "6b5c4", "b", "w2", "api:1"))},
			},
			want: []string{"crash/exit-error deployment/api x2"},
		},
		{
			name: "volume lists in another order and combined events stay one group",
			pods: func() []triagePod {
				a := mountTimesOut("data logs")(replica("db", "pg", "11aa2", "a", "w1", "pg:16"))
				b := mountTimesOut("logs data")(replica("db", "pg", "11aa2", "b", "w2", "pg:16"))
				return []triagePod{{pod: a, events: []Event{mountEvent(a, "data logs")}}, {pod: b, events: []Event{mountEvent(b, "logs data")}}}
			}(),
			want: []string{"volume/mount-timeout deployment/pg x2"},
		},
		{
			name: "a NotReady node is one group whatever owns its pods",
			pods: []triagePod{
				{pod: onNotReadyNode(replica("shop", "api", "7d9f8", "a", "worker-9", "api:1"))},
				{pod: onNotReadyNode(replica("shop", "web", "5c6d7", "a", "worker-9", "web:1"))},
				{pod: onNotReadyNode(replica("db", "pg", "11aa2", "a", "worker-9", "pg:16"))},
			},
			related: nodes,
			want:    []string{"node/lost node/worker-9 x3"},
		},
		{
			name: "healthy pods make no group",
			pods: []triagePod{{pod: replica("shop", "api", "7d9f8", "a", "w1", "api:1")}},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := runTriage(tt.pods, tt.related)
			got := describeGroups(tr)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if tr.Checked() != len(tt.pods) {
				t.Errorf("checked %d pods, want %d", tr.Checked(), len(tt.pods))
			}
		})
	}
}

func TestTriageIsIncremental(t *testing.T) {
	tr := NewTriage()
	a := pullFails(replica("shop", "api", "7d9f8", "a", "w1", "registry.example/api:v2"))
	b := pullFails(replica("shop", "api", "7d9f8", "b", "w1", "registry.example/api:v2"))
	for _, p := range []*corev1.Pod{a, b} {
		tr.Update(p, Diagnose(Input{Pod: p, Now: triageNow}))
	}
	if got := describeGroups(tr); len(got) != 1 || !strings.HasSuffix(got[0], "x2") {
		t.Fatalf("groups = %v", got)
	}
	// One recovers: it leaves the group; the other starts crashing: it moves.
	healthy := replica("shop", "api", "7d9f8", "a", "w1", "registry.example/api:v2")
	tr.Update(healthy, Diagnose(Input{Pod: healthy, Now: triageNow}))
	crashing := crashes(2)(replica("shop", "api", "7d9f8", "b", "w1", "registry.example/api:v2"))
	tr.Update(crashing, Diagnose(Input{Pod: crashing, Now: triageNow}))
	if got := describeGroups(tr); strings.Join(got, ",") != "crash/exit-error deployment/api x1" {
		t.Fatalf("after changes: %v", got)
	}
	g := tr.Groups()[0]
	if g.NewSince(triageNow.Add(-2*time.Hour)) != 1 || g.NewSince(triageNow) != 0 {
		t.Errorf("NewSince wrong: %+v", g.Pods)
	}
	tr.Delete(string(crashing.UID))
	if len(tr.Groups()) != 0 || tr.Checked() != 1 {
		t.Fatalf("after delete: %v, checked %d", describeGroups(tr), tr.Checked())
	}
}

func TestTriageOwnerCommands(t *testing.T) {
	p := pullFails(replica("shop", "api", "7d9f8", "a", "w1", "registry.example/api:v2"))
	tr := runTriage([]triagePod{{pod: p}}, nil)
	g := tr.Groups()[0]
	want := []string{"kubectl rollout history deployment/api -n shop", "kubectl rollout undo deployment/api -n shop", "kubectl describe deployment/api -n shop"}
	if strings.Join(g.Next, "|") != strings.Join(want, "|") {
		t.Fatalf("next = %q", g.Next)
	}
	if s := g.Since(); !s.Equal(triageNow.Add(-20 * time.Minute)) {
		t.Errorf("since = %v", s)
	}
}

func TestTopOwner(t *testing.T) {
	job := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "report-28893140-x7k2p", OwnerReferences: []metav1.OwnerReference{{Kind: "Job", Name: "report-28893140", Controller: new(true)}}}}
	sts := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "db-0", OwnerReferences: []metav1.OwnerReference{{Kind: "StatefulSet", Name: "db", Controller: new(true)}}}}
	bare := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "debug"}}
	rs := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "x-1", OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "x", Controller: new(true)}}}}
	for pod, want := range map[*corev1.Pod]string{job: "cronjob/report", sts: "statefulset/db", bare: "pod/debug", rs: "replicaset/x"} {
		if got := TopOwner(pod).String(); got != want {
			t.Errorf("%s: owner %s, want %s", pod.Name, got, want)
		}
	}
}

func TestTriageAllReplicasDownComeFirst(t *testing.T) {
	var pods []triagePod
	// web: 3 of 5 replicas broken; api: 2 of 2 broken, so nothing of it serves.
	for i, broken := range []bool{true, true, true, false, false} {
		p := replica("shop", "web", "5c6d7", fmt.Sprint(i), "w1", "web:1")
		if broken {
			p = crashes(3)(p)
		}
		pods = append(pods, triagePod{pod: p})
	}
	for i := range 2 {
		pods = append(pods, triagePod{pod: crashes(3)(replica("shop", "api", "7d9f8", fmt.Sprint(i), "w1", "api:1"))})
	}
	tr := runTriage(pods, nil)
	got := describeGroups(tr)
	if strings.Join(got, ",") != "crash/exit-error deployment/api x2,crash/exit-error deployment/web x3" {
		t.Fatalf("order: %v", got)
	}
	if g := tr.Groups(); !g[0].AllDown || g[1].AllDown {
		t.Fatalf("AllDown: %v %v", g[0].AllDown, g[1].AllDown)
	}
}

// BenchmarkTriage: 10,000 pods, 20% failing, grouped from scratch (the
// initial load), and the cost of one informer update afterwards.
//
//	go test ./diagnose -run '^$' -bench Triage
func BenchmarkTriage(b *testing.B) {
	const n = 10_000
	pods := make([]*corev1.Pod, n)
	findings := make([][]Finding, n)
	for i := range n {
		deploy := fmt.Sprintf("svc%03d", i%200)
		p := replica(fmt.Sprintf("ns%02d", i%50), deploy, "7d9f8", fmt.Sprint(i), fmt.Sprintf("w%d", i%50), deploy+":1")
		switch i % 10 {
		case 0:
			p = pullFails(p)
		case 1:
			p = crashes(int32(i % 7))(p)
		}
		pods[i] = p
		findings[i] = Diagnose(Input{Pod: p, Now: triageNow})
	}
	b.Run("initial_10k", func(b *testing.B) {
		for range b.N {
			t := NewTriage()
			for i, p := range pods {
				t.Update(p, findings[i])
			}
			_ = t.Groups()
		}
	})
	b.Run("update_one", func(b *testing.B) {
		t := NewTriage()
		for i, p := range pods {
			t.Update(p, findings[i])
		}
		healthy := replica(pods[0].Namespace, "svc000", "7d9f8", "0", "w0", "svc000:1")
		healthyF := Diagnose(Input{Pod: healthy, Now: triageNow})
		b.ResetTimer()
		for i := range b.N {
			if i%2 == 0 {
				t.Update(healthy, healthyF) // recovers: leaves its group
			} else {
				t.Update(pods[0], findings[0]) // breaks again: back in
			}
		}
	})
	b.Run("diagnose_and_update_one", func(b *testing.B) {
		t := NewTriage()
		for i, p := range pods {
			t.Update(p, findings[i])
		}
		for range b.N {
			t.Update(pods[1], Diagnose(Input{Pod: pods[1], Now: triageNow}))
		}
	})
}

func TestTriageGroupShowsTheChange(t *testing.T) {
	yes := true
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
		Name: "api-7d9c5-x", Namespace: "shop", UID: "u1", Labels: map[string]string{"pod-template-hash": "7d9c5"},
		OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "api-7d9c5", Controller: &yes}},
	}}
	tr := NewTriage()
	tr.Update(pod, []Finding{
		{Rule: "crash/exit-error", Category: CatCrashLoop, Severity: SeverityError, Summary: "CrashLoopBackOff", Next: []string{"kubectl logs"}},
		{Rule: "rollout/changed", Category: CatRollout, Severity: SeverityWarning, Summary: "deployment/api changed 5m ago (revision 2 → 3): image api:1 → 2", Next: []string{"kubectl rollout undo deployment/api -n shop --to-revision=2"}},
	})
	g := tr.Groups()
	if len(g) != 1 || g[0].Rule != "crash/exit-error" || !strings.Contains(g[0].Changed, "image api:1 → 2") {
		t.Fatalf("groups: %+v", g)
	}
	if !slices.Contains(g[0].Next, "kubectl rollout undo deployment/api -n shop --to-revision=2") {
		t.Errorf("next = %q", g[0].Next)
	}
}
