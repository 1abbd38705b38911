package ui

import (
	"testing"
	"time"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// A pod whose verdict changes with time alone shows the new DIAG once its
// time has come, without the pod changing: here a deleted pod becomes
// stuck terminating when its grace period is over.
func TestDiagFollowsTimeWithoutChange(t *testing.T) {
	p := deletedPod()
	l := NewPodList(NewPodListKeyMap(keymap.Default()), NewStyles(true, nil), func() time.Time { return clock })
	l.SetSize(200, 10)
	l.SetSnapshot(kube.PodSnapshot{Pods: []*kube.PodSummary{kube.Summarize(p, clock)}, Synced: true}, clock)
	diag := func(now time.Time) string {
		for _, c := range l.columns(now) {
			if c.title == "DIAG" {
				return c.cell(l.index.Shown(0), now)
			}
		}
		t.Fatal("no DIAG column")
		return ""
	}
	if got := diag(clock); got != "" {
		t.Errorf("DIAG within the grace period = %q, want none", got)
	}
	if got := diag(clock.Add(time.Minute)); got != string(diagnose.CatTerminatingStuck) {
		t.Errorf("DIAG a minute later = %q, want %s", got, diagnose.CatTerminatingStuck)
	}
}
