package diagnose_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/diagnose/report"
)

// TestTimelineFixtures renders the timeline of fixtures that exercise each
// kind of moment: restarts with their back-off, probe failures, repeated
// events, node conditions, a rollout.
func TestTimelineFixtures(t *testing.T) {
	for _, name := range []string{"rollout-image-changed", "crash-running-restarting", "probe-liveness-killed", "oom-killed", "node-lost", "schedule-insufficient-cpu"} {
		t.Run(name, func(t *testing.T) {
			b := loadFixture(t, filepath.Join("testdata", "fixtures", name+".yaml"))
			reports := report.Diagnose(b.Inputs(fixtureNow))
			for _, r := range reports {
				r.Findings = nil // the fixture goldens hold them
				if len(r.Timeline) == 0 {
					t.Error("empty timeline")
				}
				for i := 1; i < len(r.Timeline); i++ {
					a, z := r.Timeline[i-1].Time, r.Timeline[i].Time
					if !z.IsZero() && z.Before(a) {
						t.Errorf("moment %d (%s) before moment %d (%s)", i, z, i-1, a)
					}
				}
				var buf bytes.Buffer
				_ = report.WriteText(&buf, []report.PodReport{r}, report.TextOptions{Timeline: true})
				golden := filepath.Join("testdata", "golden", "timeline", name+".txt")
				if *update {
					_ = os.MkdirAll(filepath.Dir(golden), 0o755)
					if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("missing golden (run with -update): %v", err)
				}
				if string(want) != buf.String() {
					t.Errorf("golden mismatch (run with -update to accept):\n--- want\n%s\n--- got\n%s", want, buf.String())
				}
			}
		})
	}
}

func TestCrashBackoff(t *testing.T) {
	want := []string{"10s", "10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s"}
	for n, w := range want {
		if got := diagnose.CrashBackoff(int32(n)).String(); got != w {
			t.Errorf("CrashBackoff(%d) = %s, want %s", n, got, w)
		}
	}
}
