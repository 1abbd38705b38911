package diagnose_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/diagnose/report"
)

// TestUsageFixtures covers the rules that read usage (PodMetrics in the
// fixture), node free capacity (the other pods in the fixture load the
// nodes) and the node's pressure conditions. The first pod of each file is the one diagnosed.
func TestUsageFixtures(t *testing.T) {
	tests := []struct {
		file string
		top  string   // rule of the top finding ("" = no warning or error)
		want []string // text the rendering must hold
		not  []string
	}{
		{file: "oom-last-seen", top: "oom/killed", want: []string{
			"Out of memory: killed at its memory limit of 256Mi; last memory seen 243Mi",
			"metrics.k8s.io: memory 243Mi = 95% of the 256Mi limit, sampled 15s ago",
		}},
		{file: "memory-near-limit", top: "oom/near-limit", want: []string{
			"Memory at 92% of its limit (470Mi of 512Mi): close to being OOMKilled",
			"metrics.k8s.io: memory 470Mi = 92% of the 512Mi limit, sampled 30s ago",
			"kubectl logs cache-0 -n shop -c app",
		}, not: []string{"proxy"}},
		{file: "memory-below-threshold", top: ""},
		{file: "evicted-pressure-now", top: "evicted/node-pressure", want: []string{
			"The node reported MemoryPressure. Node worker-1 still reports MemoryPressure for 22m: pods placed there may be evicted too.",
		}},
		{file: "schedule-insufficient-free", top: "schedule/insufficient-resources", want: []string{
			"Free cpu per node it may use, from the requests of the pods on it: worker-a 1000m free (4000m allocatable - 3000m requested); worker-b 500m free (4000m allocatable - 3500m requested). The pod needs 1500m.",
		}, not: []string{"cp-1 ", "largest allocatable"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := loadFixture(t, filepath.Join("testdata", "usage", tt.file+".yaml"))
			in := b.Inputs(fixtureNow)[0]
			in.NodeRequested = diagnose.NodeRequests(b.Pods)
			fs := diagnose.Diagnose(in)
			var buf bytes.Buffer
			_ = report.WriteText(&buf, []report.PodReport{report.NewPodReport(in.Pod, fs)}, report.TextOptions{})
			got := buf.String()
			switch {
			case tt.top == "":
				for _, f := range fs {
					if f.Severity >= diagnose.SeverityWarning {
						t.Errorf("unexpected %s finding %s: %s", f.Severity, f.Rule, f.Summary)
					}
				}
			case len(fs) == 0 || fs[0].Rule != tt.top:
				t.Errorf("top finding = %v, want %s\n%s", rulesOf(fs), tt.top, got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("rendering lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("rendering holds %q:\n%s", n, got)
				}
			}
			golden := filepath.Join("testdata", "golden", "usage-"+tt.file+".txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("missing golden (run go test ./diagnose -run TestUsageFixtures -update): %v", err)
			}
			if string(want) != got {
				t.Errorf("golden mismatch:\n--- want\n%s\n--- got\n%s", want, got)
			}
		})
	}
}
