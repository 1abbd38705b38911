package ui

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/keymap"
)

// The diagnosis page judges its pod again when a wait its verdict depends
// on ends, without the pod changing: a deleted pod becomes stuck
// terminating when its grace period is over.
func TestDiagPageRejudgesAsTimePasses(t *testing.T) {
	now := clock
	env := PageEnv{Cluster: &fakeCluster{}, Keys: keymap.Default(), Styles: DefaultStyles(true), Now: func() time.Time { return now }}
	p := deletedPod()
	page := NewDiagPage(env, p)
	if cmd := page.rejudge(); cmd == nil {
		t.Fatal("no recheck asked for a pod inside its grace period")
	}
	for _, f := range page.findings {
		if f.Rule == "terminating/stuck" {
			t.Fatalf("stuck terminating within the grace period: %s", f.Summary)
		}
	}
	if page.recheck != clock.Add(20*time.Second) {
		t.Fatalf("recheck at %s, want the end of the grace period plus 30s", page.recheck)
	}
	// A stale wake-up (another moment) changes nothing; the right one judges again.
	now = clock.Add(25 * time.Second)
	stale := page.rechecks.last()
	stale.Seq--
	page.Update(diagRecheckMsg{stale})
	if len(page.findings) > 0 && page.findings[0].Rule == "terminating/stuck" {
		t.Fatal("a stale recheck judged the pod again")
	}
	page.Update(diagRecheckMsg{page.rechecks.last()})
	if len(page.findings) == 0 || page.findings[0].Rule != "terminating/stuck" {
		t.Fatalf("after the grace period the top finding is %v, want terminating/stuck", page.findings)
	}
}

// deletedPod was deleted 10 s before clock and holds a finalizer: within
// its grace period now, stuck terminating from 20 s on.
func deletedPod() *corev1.Pod {
	p := &corev1.Pod{}
	p.Name, p.Namespace, p.UID = "legacy-0", "shop", "u-legacy"
	p.CreationTimestamp = metav1.NewTime(clock.Add(-time.Hour))
	p.DeletionTimestamp = new(metav1.NewTime(clock.Add(-10 * time.Second)))
	p.Finalizers = []string{"example.com/cleanup"}
	p.Spec.NodeName = "n1"
	p.Spec.Containers = []corev1.Container{{Name: "app"}}
	p.Status.Phase = corev1.PodRunning
	return p
}
