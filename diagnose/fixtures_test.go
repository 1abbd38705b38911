package diagnose_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/diagnose/report"
)

var update = flag.Bool("update", false, "rewrite golden files and docs/diagnoses.md")

// fixtureNow is the clock every fixture is written against.
var fixtureNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

var (
	completeRe = regexp.MustCompile(`(?m)^#.*podtui-test: complete=(\S+)`)
	// "# podtui-test: facts=a|b" lists what the top finding must say (in its
	// summary, explanation or evidence); "next=a|b" what its next commands
	// must hold, each as a substring of one command.
	factsRe = regexp.MustCompile(`(?m)^#.*podtui-test: facts=(.+)$`)
	nextRe  = regexp.MustCompile(`(?m)^#.*podtui-test: next=(.+)$`)
)

// checkStated fails for each wanted fact or command the top finding lacks.
func checkStated(t *testing.T, data []byte, fs []diagnose.Finding) {
	t.Helper()
	var top diagnose.Finding
	if len(fs) > 0 {
		top = fs[0]
	}
	text := top.Summary + "\n" + top.Explanation + "\n" + strings.Join(top.Evidence, "\n")
	for _, m := range factsRe.FindAllSubmatch(data, -1) {
		for _, f := range strings.Split(strings.TrimSpace(string(m[1])), "|") {
			if !strings.Contains(text, f) {
				t.Errorf("top finding %s does not say %q", top.Rule, f)
			}
		}
	}
	for _, m := range nextRe.FindAllSubmatch(data, -1) {
		for _, want := range strings.Split(strings.TrimSpace(string(m[1])), "|") {
			found := false
			for _, n := range top.Next {
				found = found || strings.Contains(n, want)
			}
			if !found {
				t.Errorf("top finding %s offers no command with %q; it offers %q", top.Rule, want, top.Next)
			}
		}
	}
}

// loadFixture reads a fixture. A "podtui-test: complete=Kind/ns,..." comment
// says the file lists every object of that kind there, so absent means missing
// (the CLI never assumes that).
func loadFixture(t *testing.T, path string) *report.Bundle {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b := report.NewBundle()
	if err := b.Load(filepath.Base(path), bytes.NewReader(data)); err != nil {
		t.Fatalf("load: %v", err)
	}
	if m := completeRe.FindSubmatch(data); m != nil {
		for _, kn := range strings.Split(string(m[1]), ",") {
			kind, ns, _ := strings.Cut(kn, "/")
			b.Store.SetComplete(kind, ns)
		}
	}
	return b
}

func render(b *report.Bundle) (string, []report.PodReport) {
	var reports []report.PodReport
	for _, p := range b.Pods {
		in := diagnose.Input{Pod: p, Events: b.Events, Related: b.Store, Now: fixtureNow, History: b.History}
		reports = append(reports, report.NewPodReport(p, diagnose.Diagnose(in)))
	}
	var buf bytes.Buffer
	_ = report.WriteText(&buf, reports, report.TextOptions{})
	return buf.String(), reports
}

// expect names, per fixture, the rule the top finding must have ("" for no
// error or warning finding at all). Goldens hold the full rendering.
var expect = map[string]string{
	"healthy-running":                       "",
	"completed-job":                         "",
	"config-secret-missing":                 "config/secret-missing",
	"config-configmap-missing":              "config/configmap-missing",
	"config-secret-key-missing":             "config/secret-key-missing",
	"config-configmap-key-missing":          "config/configmap-key-missing",
	"config-run-as-non-root":                "config/run-as-non-root",
	"image-not-found":                       "image/not-found",
	"image-unauthorized":                    "image/unauthorized",
	"image-tls":                             "image/tls",
	"image-dns":                             "image/network",
	"image-rate-limit":                      "image/rate-limit",
	"image-platform":                        "image/platform",
	"image-never-pull":                      "image/never-pull",
	"image-invalid-name":                    "image/invalid-name",
	"image-signature":                       "image/signature",
	"image-registry-unavailable":            "image/registry-unavailable",
	"crash-exit-1":                          "crash/exit-error",
	"crash-exit-0":                          "crash/exit-zero",
	"crash-exit-127":                        "crash/command-not-found",
	"crash-segfault":                        "crash/segfault",
	"crash-recent-restart":                  "crash/recent-restarts",
	"oom-killed":                            "oom/killed",
	"sidecar-crash-loop":                    "crash/exit-error",
	"probe-liveness-killed":                 "probe/liveness-killing",
	"probe-startup-killed":                  "probe/startup-failing",
	"probe-readiness-failing":               "probe/readiness-failing",
	"start-no-such-file":                    "start/no-such-file",
	"start-executable-not-found":            "start/executable-not-found",
	"start-permission-denied":               "start/permission-denied",
	"create-no-command":                     "create/no-command",
	"init-stuck":                            "init/stuck",
	"init-crash-loop":                       "init/crash-loop",
	"init-error":                            "init/failed",
	"schedule-insufficient-cpu":             "schedule/insufficient-resources",
	"schedule-taint-older":                  "schedule/taints",
	"schedule-node-selector":                "schedule/node-selector",
	"schedule-unbound-pvc":                  "schedule/volume",
	"schedule-ports-and-pods":               "schedule/too-many-pods",
	"schedule-gated":                        "schedule/gated",
	"schedule-waiting":                      "schedule/waiting",
	"events-v1-no-nodes":                    "schedule/no-nodes",
	"volume-secret-missing":                 "config/secret-missing",
	"volume-nfs":                            "volume/nfs",
	"volume-multi-attach":                   "volume/multi-attach",
	"volume-csi-driver-missing":             "volume/csi-driver-missing",
	"sandbox-cni-failed":                    "sandbox/cni-failed",
	"sandbox-network-not-ready":             "sandbox/network-not-ready",
	"sandbox-ip-exhausted":                  "sandbox/ip-exhausted",
	"evicted-memory":                        "evicted/node-pressure",
	"evicted-ephemeral-storage":             "evicted/ephemeral-storage-limit",
	"deadline-exceeded":                     "deadline/exceeded",
	"preempted":                             "preempted/scheduler",
	"admission-out-of-cpu":                  "admission/out-of-resources",
	"admission-node-affinity":               "admission/node-affinity",
	"node-lost":                             "node/lost",
	"terminating-stuck":                     "terminating/stuck",
	"container-status-unknown":              "node/container-status-unknown",
	"hook-post-start":                       "hook/post-start",
	"hook-pre-stop":                         "hook/pre-stop",
	"admission-unexpected":                  "admission/rejected",
	"schedule-affinity-spread-cordoned":     "schedule/pod-affinity",
	"serviceaccount-missing":                "config/serviceaccount-missing",
	"volume-attach-failed":                  "volume/attach-failed",
	"volume-csi-timeout":                    "volume/csi-failed",
	"volume-mount-timeout":                  "volume/mount-timeout",
	"sandbox-runtime-handler":               "sandbox/failed",
	"image-no-space":                        "image/pull-failed",
	"image-inspect-error":                   "image/inspect-error",
	"start-exec-format":                     "start/exec-format",
	"create-name-reserved":                  "create/name-reserved",
	"create-failed":                         "create/failed",
	"start-failed":                          "start/failed",
	"config-other":                          "config/other",
	"crash-exit-126":                        "crash/not-executable",
	"crash-sigkill":                         "crash/sigkill",
	"crash-sigterm":                         "crash/sigterm",
	"crash-sigabrt":                         "crash/signal",
	"probe-liveness-failing":                "probe/liveness-failing",
	"probe-not-ready":                       "probe/not-ready",
	"evicted-other":                         "evicted/other",
	"oom-restarted-healthy":                 "oom/restarted",
	"oom-running-restarting":                "oom/killed",
	"crash-running-restarting":              "crash/exit-error",
	"crash-restarted-days-ago":              "crash/recent-restarts",
	"probe-liveness-no-kill-event":          "probe/liveness-killing",
	"probe-startup-not-started":             "probe/startup-failing",
	"probe-liveness-exec":                   "probe/liveness-killing",
	"restart-node-reboot":                   "crash/node-restart",
	"volume-configmap-missing-combined":     "config/configmap-missing",
	"config-configmap-key-event-only":       "config/configmap-key-missing",
	"volume-configmap-key-missing":          "config/configmap-key-missing",
	"volume-secret-missing-init":            "config/secret-missing",
	"volume-configmap-missing-after-reboot": "config/configmap-missing",
	"volume-projected-key-missing":          "config/secret-key-missing",
	"image-dns-docker-hub":                  "image/network",
	"sandbox-cilium":                        "sandbox/cni-failed",
	"init-wait-service-fqdn":                "init/stuck",
	"volume-multi-attach-rollout":           "volume/multi-attach",
	"schedule-node-affinity-required":       "schedule/node-selector",
	"preempted-by-name":                     "preempted/scheduler",
	"node-lost-statefulset":                 "node/lost",
	"start-error-exit-128":                  "start/mount-type",
	"schedule-legacy-insufficient-memory":   "schedule/insufficient-resources",
	"admission-node-affinity-arch":          "admission/node-affinity",
	"evicted-ephemeral-pod-limit":           "evicted/ephemeral-storage-limit",
	"rollout-image-changed":                 "crash/exit-error",
	"create-stuck-events-expired":           "create/stuck",
	"create-stuck-pulling":                  "create/stuck",
	"create-stuck-sandbox":                  "create/stuck",
	"creating-young":                        "",
	"config-subpath-missing-start":          "config/subpath-missing",
	"config-subpath-missing-crash":          "config/subpath-missing",
	"start-mount-type-docker":               "start/mount-type",
	"volume-hostpath-docker-sock":           "volume/hostpath-type",
	"schedule-autoscaler-max-size":          "schedule/insufficient-resources",
	"schedule-autoscaler-scaling-up":        "schedule/insufficient-resources",
	"schedule-karpenter-no-instance":        "schedule/insufficient-resources",
	"image-pull-cut-off":                    "image/pull-cut-off",
	"image-kubelet-throttled":               "image/kubelet-throttled",
	"probe-port-mismatch":                   "probe/readiness-failing",
	"config-subpath-failed-create":          "config/subpath-failed",
	"config-subpath-failed-prepare":         "config/subpath-failed",
	"schedule-taint-disk-pressure":          "schedule/taints",
	"schedule-volume-node-affinity":         "schedule/volume",
	"create-timeout":                        "create/timeout",
	"probe-readiness-gate-elb":              "probe/readiness-gate",
	"sandbox-pause-image":                   "sandbox/pause-image",
	"image-typo-official":                   "image/unauthorized",
	"probe-exec-not-in-image":               "probe/liveness-killing",
	"image-backoff-only":                    "image/pull-failed",
	"crash-exit-0-shell-image":              "crash/exit-zero",
	"sandbox-flannel-subnet-env":            "sandbox/cni-failed",
	"sandbox-aws-ipamd":                     "sandbox/cni-failed",
	"admission-sysctl":                      "admission/rejected",
	"create-no-space":                       "create/failed",
}

func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/fixtures/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := expect[name]
			if !ok {
				t.Fatalf("fixture %s has no entry in expect", name)
			}
			b := loadFixture(t, f)
			if len(b.Pods) != 1 {
				t.Fatalf("want 1 pod, got %d", len(b.Pods))
			}
			got, reports := render(b)
			fs := reports[0].Findings
			data, _ := os.ReadFile(f)
			checkStated(t, data, fs)
			if want == "" {
				for _, x := range fs {
					if x.Severity >= diagnose.SeverityWarning {
						t.Errorf("healthy pod got %s finding %s: %s", x.Severity, x.Rule, x.Summary)
					}
				}
			} else if len(fs) == 0 || fs[0].Rule != want {
				t.Errorf("top finding = %v, want %s\n%s", rulesOf(fs), want, got)
			}
			for _, x := range fs {
				if len(x.Next) == 0 {
					t.Errorf("%s has no next command", x.Rule)
				}
				for _, n := range x.Next {
					if strings.Contains(n, "<") && strings.Contains(n, ">") && !strings.Contains(n, "<type>") {
						t.Errorf("%s: unfilled placeholder in %q", x.Rule, n)
					}
				}
			}
			golden := filepath.Join("testdata", "golden", name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			wantText, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("missing golden (run go test ./diagnose -run TestFixtures -update): %v", err)
			}
			if string(wantText) != got {
				t.Errorf("golden mismatch for %s (run with -update to accept):\n--- want\n%s\n--- got\n%s", name, wantText, got)
			}
		})
	}
	for name := range expect {
		if !seen[name] {
			t.Errorf("expect lists %s but there is no fixture", name)
		}
	}
}

func rulesOf(fs []diagnose.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}
