package kube

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func crashedPod(uid string, finished time.Time, restarts int32) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: uid, Namespace: "shop", UID: types.UID(uid)}}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{
		Name: "app", RestartCount: restarts,
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			Reason: "OOMKilled", ExitCode: 137, StartedAt: metav1.NewTime(finished.Add(-5 * time.Second)), FinishedAt: metav1.NewTime(finished),
		}},
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
	}}
	return p
}

// The transform keeps each termination once (it may run twice on one
// object), up to the bounds, and forgets deleted pods.
func TestRestartHistory(t *testing.T) {
	h := newRestartHistory()
	tr := summarizeWith(func() time.Time { return fixtureNow }, h)
	base := fixtureNow.Add(-time.Hour)
	for i := range restartsPerPod + 5 {
		p := crashedPod("u1", base.Add(time.Duration(i)*time.Minute), int32(i+1))
		for range 2 {
			if _, err := tr(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := h.of("u1")
	if len(got) != restartsPerPod {
		t.Fatalf("kept %d terminations, want the bound %d", len(got), restartsPerPod)
	}
	if !got[0].FinishedAt.Equal(base.Add(5*time.Minute)) || got[0].Reason != "OOMKilled" || got[0].ExitCode != 137 {
		t.Errorf("oldest kept = %+v, want the 6th", got[0])
	}
	if len(h.order) != restartsPerPod {
		t.Errorf("order holds %d entries", len(h.order))
	}
	h.forget("u1")
	if len(h.of("u1")) != 0 || len(h.order) != 0 {
		t.Error("a deleted pod's history stayed")
	}
	// The total bound drops the oldest terminations of any pod.
	for i := range restartsTotal/restartsPerPod + 10 {
		for j := range restartsPerPod {
			h.observe(crashedPod(fmt.Sprint("p", i), base.Add(time.Duration(j)*time.Second), 1))
		}
	}
	if len(h.order) != restartsTotal {
		t.Errorf("kept %d in all, want %d", len(h.order), restartsTotal)
	}
	if len(h.of("p0")) != 0 {
		t.Error("the oldest pod's history was not dropped first")
	}
	// A pod without terminations costs nothing.
	h2 := newRestartHistory()
	h2.observe(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: "x"}})
	if len(h2.pods) != 0 {
		t.Error("kept an entry for a pod that never terminated")
	}
}

// A termination after a metrics poll keeps the container's last memory
// sample when it is recent enough, so the diagnosis can say how high an
// OOM-killed container got; an old sample is not taken for it.
func TestRestartHistoryKeepsMemoryBeforeOOM(t *testing.T) {
	h := newRestartHistory()
	end := fixtureNow.Add(-time.Minute)
	sample := func(pod string, at time.Time) PodMetrics {
		return PodMetrics{Pods: map[string]PodUsage{Key("shop", pod): {
			Namespace: "shop", Name: pod, Time: at,
			Containers: map[string]corev1.ResourceList{"app": {corev1.ResourceMemory: resource.MustParse("250Mi")}},
		}}}
	}
	h.noteUsage(sample("u1", end.Add(-20*time.Second)))
	h.observe(crashedPod("u1", end, 1))
	got := h.of("u1")
	if len(got) != 1 || got[0].MemoryBefore != 250<<20 || !got[0].MemoryAt.Equal(end.Add(-20*time.Second)) {
		t.Fatalf("termination = %+v, want the 250Mi sample", got)
	}
	h.noteUsage(sample("u2", end.Add(-time.Hour)))
	h.observe(crashedPod("u2", end, 1))
	if got := h.of("u2"); len(got) != 1 || got[0].MemoryBefore != 0 {
		t.Fatalf("an hour-old sample was taken for the termination: %+v", got)
	}
}
