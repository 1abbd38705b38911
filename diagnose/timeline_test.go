package diagnose_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// Terminations podtui saw add to the timeline (those the status no longer
// shows) and to the diagnosis, marked as seen by podtui.
func TestRestartHistoryInTimelineAndDiagnosis(t *testing.T) {
	b := loadFixture(t, filepath.Join("testdata", "fixtures", "oom-killed.yaml"))
	in := b.Inputs(fixtureNow)[0]
	last := in.Pod.Status.ContainerStatuses[0].LastTerminationState.Terminated
	for i := 3; i >= 0; i-- {
		end := last.FinishedAt.Add(-time.Duration(i) * 5 * time.Minute)
		in.Restarts = append(in.Restarts, diagnose.Termination{Container: "app", Reason: "OOMKilled", ExitCode: 137, StartedAt: end.Add(-40 * time.Second), FinishedAt: end})
	}
	var fromPodtui []string
	for _, m := range diagnose.Timeline(in) {
		if m.Source == "podtui" {
			fromPodtui = append(fromPodtui, m.Text)
		}
	}
	if len(fromPodtui) != 3 {
		t.Fatalf("timeline has %d moments from podtui, want 3 (the 4th is the status's lastState): %q", len(fromPodtui), fromPodtui)
	}
	if want := "app terminated: OOMKilled, exit code 137, ran 40s; restarted 4m20s after the crash before (seen by podtui)"; fromPodtui[1] != want {
		t.Errorf("moment = %q, want %q", fromPodtui[1], want)
	}
	fs := diagnose.Diagnose(in)
	var ev string
	for _, e := range fs[0].Evidence {
		if strings.HasPrefix(e, "seen by podtui") {
			ev = e
		}
	}
	if want := "seen by podtui: app ended OOMKilled 4 times (memory limit 256Mi) in 15m, the last 40s ago"; ev != want {
		t.Errorf("evidence = %q, want %q (finding %s)", ev, want, fs[0].Rule)
	}
	// With the memory samples podtui saw before each kill, it says how high
	// the container got.
	for i := range in.Restarts {
		in.Restarts[i].MemoryBefore = int64(250+i) << 20
		in.Restarts[i].MemoryAt = in.Restarts[i].FinishedAt.Add(-10 * time.Second)
	}
	for _, m := range diagnose.Timeline(in) {
		if m.Source == "podtui" && !strings.Contains(m.Text, "; memory last seen at 25") {
			t.Errorf("timeline moment without its memory sample: %q", m.Text)
		}
	}
	ev = ""
	for _, e := range diagnose.Diagnose(in)[0].Evidence {
		if strings.HasPrefix(e, "seen by podtui") {
			ev = e
		}
	}
	if want := "seen by podtui: app ended OOMKilled 4 times, each time last seen at ~250Mi-253Mi of a 256Mi limit in 15m, the last 40s ago"; ev != want {
		t.Errorf("evidence = %q, want %q", ev, want)
	}
}
