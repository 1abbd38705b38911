package e2e

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/internal/harness"
	"github.com/podtui/podtui/internal/termtest"
)

var screenshot = flag.String("screenshot", "", "write an SVG screenshot of the demo to this file (e.g. ../docs/screenshot.svg)")

// TestDemoSeed checks that what `podtui demo` shows holds every broken state,
// as the user sees it, and optionally writes the README's screenshot from it.
func TestDemoSeed(t *testing.T) {
	ns := "demo-" + cluster.NewNamespace(t, "seed")
	if err := harness.SeedDemo(ctx(t), cluster, ns); err != nil {
		t.Fatal(err)
	}
	term := startPodtuiSized(t, cluster.Kubeconfig, 150, 24, "-n", ns)
	for _, s := range harness.States {
		ok(t)(term.WaitFor(" "+string(s)+" ", seen))
	}
	ok(t)(term.WaitFor("crash-loop", seen))
	if *screenshot != "" {
		if err := os.WriteFile(*screenshot, []byte(term.SVG("podtui -n demo")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNoColor: NO_COLOR turns colours off (bold and reverse may stay).
func TestNoColor(t *testing.T) {
	ns := cluster.NewNamespace(t, "nocolor")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "broken", harness.StateCrashLoopBackOff), harness.StateCrashLoopBackOff); err != nil {
		t.Fatal(err)
	}
	args := []string{"--kubeconfig", cluster.Kubeconfig, "-n", ns}
	term := termtest.Start(t, 120, 20, []string{"HOME=" + t.TempDir(), "NO_COLOR=1"}, podtui, args...)
	ok(t)(term.WaitMatch(rowRE("broken", "CrashLoopBackOff"), seen))
	for y := range 20 {
		for x := range 120 {
			if c, _ := term.Cell(x, y); c.Style.Fg != nil || c.Style.Bg != nil {
				t.Fatalf("cell %d,%d %q has a colour with NO_COLOR set", x, y, c.Content)
			}
		}
	}
}

// TestDemoViewsAgree: one engine, one input, one answer. For every pod of the
// demo, the list's DIAG, `podtui diagnose` and its triage groups name the
// same problem. Verdicts that change with time (a pod's grace period ending
// during the test) may match the diagnosis before or after the UI was read.
func TestDemoViewsAgree(t *testing.T) {
	ns := "demo-" + cluster.NewNamespace(t, "agree")
	if err := harness.SeedDemo(ctx(t), cluster, ns); err != nil {
		t.Fatal(err)
	}
	before := topVerdicts(t, ns)
	groups := groupVerdicts(t, ns)
	term := startPodtuiSized(t, cluster.Kubeconfig, 200, 30, "-n", ns)
	ok(t)(term.WaitFor("crash-loop", seen))
	for name := range before {
		ok(t)(term.WaitFor(name, seen))
	}
	screen := term.Screen()
	after := topVerdicts(t, ns)
	agrees := func(name string, ok func(v verdict) bool) bool { return ok(before[name]) || ok(after[name]) }
	for name := range before {
		row := rowOf(screen, name)
		if !agrees(name, func(v verdict) bool { return hasDiag(row, v.category) }) {
			t.Errorf("%s: the list shows %q, podtui diagnose says %q then %q", name, row, before[name].category, after[name].category)
		}
		if rule, grouped := groups[name]; grouped && !agrees(name, func(v verdict) bool { return v.rule == rule }) {
			t.Errorf("%s: triage groups it under %s, podtui diagnose says %s then %s", name, rule, before[name].rule, after[name].rule)
		} else if !grouped && !agrees(name, func(v verdict) bool { return v.rule == "" }) {
			t.Errorf("%s: not in triage, but podtui diagnose says %s", name, before[name].rule)
		}
	}
}

// verdict is a pod's top finding at warning or above ("" when none).
type verdict struct{ rule, category string }

func topVerdicts(t *testing.T, ns string) map[string]verdict {
	t.Helper()
	out, err := exec.Command(podtui, "diagnose", "--kubeconfig", cluster.Kubeconfig, "-n", ns, "-o", "json", "--no-logs").Output()
	var ee *exec.ExitError
	if err != nil && !(asExitError(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("diagnose: %v\n%s", err, out)
	}
	var doc struct {
		Pods []struct {
			Name     string `json:"name"`
			Findings []struct {
				Rule     string `json:"rule"`
				Category string `json:"category"`
				Severity string `json:"severity"`
			} `json:"findings"`
		} `json:"pods"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	got := map[string]verdict{}
	for _, p := range doc.Pods {
		v := verdict{}
		for _, f := range p.Findings {
			if f.Severity != "info" {
				v = verdict{rule: f.Rule, category: f.Category}
				break
			}
		}
		got[p.Name] = v
	}
	if len(got) < len(harness.States) {
		t.Fatalf("diagnose saw %d pods", len(got))
	}
	return got
}

// groupVerdicts is, per pod, the rule of the triage group it is in.
func groupVerdicts(t *testing.T, ns string) map[string]string {
	t.Helper()
	out, err := exec.Command(podtui, "diagnose", "--kubeconfig", cluster.Kubeconfig, "-n", ns, "--group", "-o", "json").Output()
	var ee *exec.ExitError
	if err != nil && !(asExitError(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("diagnose --group: %v\n%s", err, out)
	}
	var doc struct {
		Groups []struct {
			Rule string   `json:"rule"`
			Pods []string `json:"pods"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, g := range doc.Groups {
		for _, p := range g.Pods {
			got[strings.TrimPrefix(p, ns+"/")] = g.Rule
		}
	}
	return got
}

// hasDiag reports whether a list row shows category in its DIAG column, or
// no category at all when it is "".
func hasDiag(row, category string) bool {
	fields := strings.Fields(row)
	if category != "" {
		return slices.Contains(fields, category)
	}
	for _, c := range diagnose.Categories() {
		if slices.Contains(fields, string(c)) {
			return false
		}
	}
	return true
}

// TestCrashCauseFromPreviousLogs: the demo's crash-looping pod panicked in
// its previous container; the diagnosis page and `podtui diagnose` read
// that log through the API (kwok serves it) and quote the panic.
func TestCrashCauseFromPreviousLogs(t *testing.T) {
	ns := "demo-" + cluster.NewNamespace(t, "cause")
	if err := harness.SeedDemo(ctx(t), cluster, ns); err != nil {
		t.Fatal(err)
	}
	const pod = "checkout-7b5d9f8c6-q8w2z"
	out, _ := exec.Command(podtui, "diagnose", "--kubeconfig", cluster.Kubeconfig, "-n", ns, pod).CombinedOutput()
	for _, want := range []string{"Go panic", "panic: runtime error: invalid memory address or nil pointer dereference", "previous logs"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("podtui diagnose lacks %q:\n%s", want, out)
		}
	}
	term := startPodtuiSized(t, cluster.Kubeconfig, 160, 40, "-n", ns)
	ok(t)(term.WaitMatch(rowRE(pod, "CrashLoopBackOff"), seen))
	term.Send("/")
	term.Type("checkout")
	ok(t)(term.WaitFor("pods: 1/", seen))
	term.Send("enter", "D")
	ok(t)(term.WaitFor("diagnosis "+ns+"/"+pod, seen))
	ok(t)(term.WaitFor("Go panic", seen))
	ok(t)(term.WaitFor("nil pointer dereference", seen))
}

// TestDemoRun runs `podtui demo` itself: its metrics-server fills in CPU and
// MEM, and a SIGTERM or a SIGHUP (its terminal going away) stops its control
// plane and deletes its run folder, PKI included.
func TestDemoRun(t *testing.T) {
	binDir, err := harness.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := t.TempDir() // the demo's run folder goes here, so the test can find it
			env := []string{"HOME=" + t.TempDir(), "TMPDIR=" + tmp, "PODTUI_CONTROLPLANE_DIR=" + binDir}
			term := termtest.Start(t, 200, 30, env, podtui, "demo", "--nodes", "1")
			ok(t)(term.WaitFor("crash-loop", 2*time.Minute))
			if sig == syscall.SIGTERM { // once is enough: metrics-server needs ~40 s
				// CPU comes from a cumulative counter: allow a little rounding.
				ok(t)(term.WaitMatch(regexp.MustCompile(`(?m)^\s*api-5f7d9c6b8-m4n7r\s+\d+/\d+\s+Running\s.*\s2[4-6]\dm\s+300Mi\s`), 2*time.Minute))
			}
			dirs, _ := filepath.Glob(filepath.Join(tmp, "podtui-harness-*"))
			if len(dirs) != 1 {
				t.Fatalf("want one run folder in %s, found %q", tmp, dirs)
			}
			pids := runFolderPIDs(t, dirs[0])
			for _, name := range []string{"etcd", "kube-apiserver", "kwok", "metrics-server"} {
				if pids[name] == 0 {
					t.Fatalf("no pid file of %s in %s", name, dirs[0])
				}
			}
			if err := syscall.Kill(term.Pid(), sig); err != nil {
				t.Fatal(err)
			}
			if _, err := term.Wait(time.Minute); err != nil {
				t.Fatal(err)
			}
			for name, pid := range pids {
				if harness.Alive(pid) {
					t.Errorf("%s (pid %d) still runs after %v", name, pid, sig)
				}
			}
			if _, err := os.Stat(dirs[0]); !os.IsNotExist(err) {
				t.Errorf("run folder %s still there after %v (err %v)", dirs[0], sig, err)
			}
		})
	}
}

// runFolderPIDs reads the harness's pids/<name>.pid files.
func runFolderPIDs(t *testing.T, dir string) map[string]int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "pids", "*.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pids := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		pids[strings.TrimSuffix(filepath.Base(f), ".pid")] = pid
	}
	return pids
}
