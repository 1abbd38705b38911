package diagnose_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/diagnose"
)

// verdict is what a caller keeps of a diagnosis: the rules and severities,
// not the summaries (their ages change every second).
func verdict(b diagnose.Input, now time.Time) []string {
	b.Now = now
	var out []string
	for _, f := range diagnose.Diagnose(b) {
		out = append(out, f.Rule+"/"+f.Severity.String())
	}
	return out
}

// TestNextChangeCoversEveryWait judges every fixture pod at many moments
// around the fixture's clock and checks that the verdict does not change
// before NextChange says it may: a wait a check uses that NextChange does
// not know would leave a kept verdict wrong.
func TestNextChangeCoversEveryWait(t *testing.T) {
	files, _ := filepath.Glob("testdata/fixtures/*.yaml")
	changes := 0
	for _, f := range files {
		b := loadFixture(t, f)
		for _, p := range b.Pods {
			in := diagnose.Input{Pod: p, Events: b.Events, Related: b.Store}
			for t0 := fixtureNow.Add(-3 * time.Hour); t0.Before(fixtureNow.Add(3 * time.Hour)); t0 = t0.Add(97 * time.Second) {
				next := diagnose.NextChange(p, t0)
				until := t0.Add(24 * time.Hour)
				if !next.IsZero() {
					if !next.After(t0) {
						t.Fatalf("%s: NextChange(%s) = %s, not after it", filepath.Base(f), t0, next)
					}
					until = next.Add(-time.Second)
				}
				a, z := verdict(in, t0), verdict(in, until)
				if !slices.Equal(a, z) {
					t.Errorf("%s: judged %v at %s but %v at %s, before NextChange %s",
						filepath.Base(f), a, t0.Format(time.RFC3339), z, until.Format(time.RFC3339), next.Format(time.RFC3339))
					break
				}
				if !next.IsZero() && !slices.Equal(z, verdict(in, next.Add(time.Second))) {
					changes++
				}
			}
		}
	}
	// The fixtures hold pods whose verdict does change with time (stuck
	// terminating, waiting for a scheduler, restarts leaving the window).
	if changes == 0 {
		t.Fatal("no fixture's verdict changed at a NextChange; the test checks nothing")
	}
}

func TestNextChange(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) metav1.Time { return metav1.NewTime(now.Add(d)) }
	tests := []struct {
		name string
		pod  corev1.Pod
		want time.Time
	}{
		{"healthy for a day", corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{CreationTimestamp: at(-24 * time.Hour)},
			Spec:       corev1.PodSpec{NodeName: "n1"},
			Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{
				Name: "app", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: at(-24 * time.Hour)}},
			}}},
		}, time.Time{}},
		{"deleted 10s ago", corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{CreationTimestamp: at(-time.Hour), DeletionTimestamp: new(at(-10 * time.Second))},
			Spec:       corev1.PodSpec{NodeName: "n1"},
		}, now.Add(20 * time.Second)},
		{"pending for 20s", corev1.Pod{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: at(-20 * time.Second)}}, now.Add(40 * time.Second)},
		{"pending for 2m: no wait left", corev1.Pod{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: at(-2 * time.Minute)}}, time.Time{}},
		{"on a node for 2m, nothing started", corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{CreationTimestamp: at(-2 * time.Minute)},
			Spec:       corev1.PodSpec{NodeName: "n1"},
			Status: corev1.PodStatus{
				Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: at(-90 * time.Second)}},
				ContainerStatuses: []corev1.ContainerStatus{{
					Name: "app", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}},
				}},
			},
		}, now.Add(210 * time.Second)},
		{"on a node for 6m, nothing started: no wait left", corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{CreationTimestamp: at(-6 * time.Minute)},
			Spec:       corev1.PodSpec{NodeName: "n1"},
		}, time.Time{}},
		{"started 30s ago", corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{CreationTimestamp: at(-time.Minute)},
			Spec:       corev1.PodSpec{NodeName: "n1"},
			Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{
				Name: "app", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: at(-30 * time.Second)}},
			}}},
		}, now.Add(30 * time.Second)},
		{"restarted 8m ago", corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{CreationTimestamp: at(-2 * time.Hour)},
			Spec:       corev1.PodSpec{NodeName: "n1"},
			Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{
				Name: "app", RestartCount: 3, Ready: true,
				State:                corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: at(-8 * time.Minute)}},
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, FinishedAt: at(-8 * time.Minute)}},
			}}},
		}, now.Add(2 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			if got := diagnose.NextChange(&tt.pod, now); !got.Equal(tt.want) {
				t.Errorf("NextChange = %s, want %s", got, tt.want)
			}
		})
	}
}
