package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func fixture(name string) string {
	return filepath.Join("diagnose", "testdata", "fixtures", name)
}

func TestDiagnoseOfflineJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "diagnose", "-f", fixture("config-secret-missing.yaml"), "-o", "json")
	if code != 1 {
		t.Fatalf("exit code %d, want 1 (an error finding); stderr: %s", code, errOut)
	}
	// The exact shape scripts rely on.
	var doc struct {
		Pods []struct {
			Namespace, Name, Status string
			Findings                []map[string]json.RawMessage
			Changes                 json.RawMessage // docs/diagnose-json.md; null without revisions
			Timeline                []map[string]json.RawMessage
		}
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("JSON shape: %v\n%s", err, out)
	}
	if len(doc.Pods) != 1 || len(doc.Pods[0].Findings) == 0 {
		t.Fatalf("want one pod with findings:\n%s", out)
	}
	for key := range doc.Pods[0].Findings[0] {
		switch key {
		case "rule", "category", "severity", "container", "summary", "explanation", "evidence", "next":
		default:
			t.Errorf("unexpected finding key %q", key)
		}
	}
	if len(doc.Pods[0].Findings[0]) != 8 {
		t.Errorf("finding has %d keys, want 8: %s", len(doc.Pods[0].Findings[0]), out)
	}
}

func TestDiagnoseOfflineExitCodes(t *testing.T) {
	if code, out, errOut := runCLI(t, "diagnose", "-f", fixture("healthy-running.yaml")); code != 0 {
		t.Fatalf("healthy pod: exit %d\n%s%s", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "diagnose", "-f", bad)
	if code != 2 || !strings.Contains(errOut, "bad.yaml") {
		t.Fatalf("bad YAML: exit %d, stderr %q (want 2 and the file name)", code, errOut)
	}
	if code, _, errOut := runCLI(t, "diagnose", "-f", fixture("healthy-running.yaml"), "-o", "xml"); code != 2 {
		t.Fatalf("bad -o: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "diagnose", "-f", filepath.Join(t.TempDir(), "missing.yaml")); code != 2 || !strings.Contains(errOut, "missing.yaml") {
		t.Fatalf("missing file: exit %d, stderr %q", code, errOut)
	}
}

func TestDiagnoseOfflineText(t *testing.T) {
	code, out, _ := runCLI(t, "diagnose", "-f", fixture("config-secret-missing.yaml"))
	if code != 1 || !strings.Contains(out, "kubectl get secret") {
		t.Fatalf("exit %d, text output lacks the next command:\n%s", code, out)
	}
	if strings.Contains(out, "\x1b[") {
		t.Fatalf("text to a non-terminal must not be coloured:\n%q", out)
	}
}

func TestVersionAndHelp(t *testing.T) {
	if code, out, _ := runCLI(t, "version"); code != 0 || !strings.HasPrefix(out, "podtui dev") {
		t.Fatalf("version: %d %q", code, out)
	}
	code, out, _ := runCLI(t, "--help")
	for _, flag := range []string{"--kubeconfig", "--context", "--namespace", "--all-namespaces", "--selector"} {
		if !strings.Contains(out, flag) {
			t.Errorf("help lacks %s", flag)
		}
	}
	if code != 0 {
		t.Fatalf("help exit %d", code)
	}
}

func TestMissingKubeconfigIsExplained(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCLI(t, "--kubeconfig", filepath.Join(dir, "nope"))
	if code != 1 || !strings.Contains(errOut, filepath.Join(dir, "nope")) || strings.Contains(errOut, "goroutine") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestVersionJSON(t *testing.T) {
	code, out, _ := runCLI(t, "version", "-o", "json")
	var v map[string]string
	if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || v["version"] != "dev" || v["commit"] == "" || v["date"] == "" {
		t.Fatalf("version -o json: %d %q %v", code, out, err)
	}
}

func TestConfigInitPathAndInvalid(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	code, out, _ := runCLI(t, "config", "path")
	path := strings.TrimSpace(out)
	if code != 0 || !strings.HasSuffix(path, filepath.Join("podtui", "config.yaml")) {
		t.Fatalf("config path: %d %q", code, out)
	}
	if code, out, errOut := runCLI(t, "config", "init"); code != 0 || !strings.Contains(out, path) {
		t.Fatalf("config init: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "config", "init"); code == 0 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("config init twice must refuse: %d %q", code, errOut)
	}
	// podtui does not start half-configured: a bad file stops it before
	// anything else, naming file, line and field.
	if err := os.WriteFile(path, []byte("theme:\n  colors:\n    failing: blood\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "--kubeconfig", filepath.Join(t.TempDir(), "kc"))
	if code == 0 || !strings.Contains(errOut, path) || !strings.Contains(errOut, "line 3: theme.colors.failing") {
		t.Fatalf("invalid config: %d %q", code, errOut)
	}
	other := filepath.Join(t.TempDir(), "other.yaml")
	if code, _, errOut := runCLI(t, "--config", other, "--kubeconfig", "x"); code == 0 || !strings.Contains(errOut, other) {
		t.Fatalf("missing --config file must fail naming it: %d %q", code, errOut)
	}
}

func TestDiagnoseGroup(t *testing.T) {
	var files []byte
	for _, f := range []string{"image-not-found.yaml", "crash-exit-1.yaml", "healthy-running.yaml"} {
		b, err := os.ReadFile(fixture(f))
		if err != nil {
			t.Fatal(err)
		}
		files = append(append(files, b...), []byte("\n---\n")...)
	}
	path := filepath.Join(t.TempDir(), "mix.yaml")
	if err := os.WriteFile(path, files, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "diagnose", "--group", "-o", "json", "-f", path)
	if code != 1 {
		t.Fatalf("exit %d, want 1; %s", code, errOut)
	}
	var doc struct {
		Checked int `json:"checked"`
		Groups  []struct {
			Rule  string   `json:"rule"`
			Owner string   `json:"owner"`
			Count int      `json:"count"`
			Pods  []string `json:"pods"`
			Next  []string `json:"next"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Checked != 3 || len(doc.Groups) != 2 {
		t.Fatalf("want 3 checked in 2 groups:\n%s", out)
	}
	code, out, _ = runCLI(t, "diagnose", "--group", "-f", fixture("healthy-running.yaml"))
	if code != 0 || !strings.Contains(out, "1 pods checked, none broken") {
		t.Fatalf("healthy: %d %q", code, out)
	}
}

func TestDiagnoseOfflineLogs(t *testing.T) {
	dir := t.TempDir()
	prev := filepath.Join(dir, "app-previous.log")
	// Older lines beyond the bound, then an escape sequence: the tail is read, cleaned.
	log := strings.Repeat("starting\n", 20000) + "2024/05/02 10:11:12 dial tcp: lookup postgres on 10.96.0.10:53: no such host\x1b]0;pwned\x07\n"
	if err := os.WriteFile(prev, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "diagnose", "-f", fixture("crash-exit-1.yaml"), "--previous", "app="+prev, "-o", "json")
	if code != 1 {
		t.Fatalf("exit %d; stderr %s", code, errOut)
	}
	var doc struct {
		Pods []struct {
			Findings []struct {
				Summary  string
				Evidence []string
				Next     []string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Pods) != 1 || len(doc.Pods[0].Findings) == 0 {
		t.Fatalf("bad JSON (%v):\n%s", err, out)
	}
	f := doc.Pods[0].Findings[0]
	if !strings.HasSuffix(f.Summary, ": DNS lookup failed for postgres") {
		t.Errorf("summary %q", f.Summary)
	}
	ev := strings.Join(f.Evidence, "\n")
	if !strings.Contains(ev, "previous logs (line 200 of 200): 2024/05/02 10:11:12 dial tcp: lookup postgres on 10.96.0.10:53: no such host") || strings.Contains(ev, "\x1b") {
		t.Errorf("evidence %q", f.Evidence)
	}
	if !strings.Contains(strings.Join(f.Next, "\n"), "-n shop --restart=Never -- nslookup postgres") {
		t.Errorf("next %q", f.Next)
	}

	// The same log as the current one is read too; bad arguments are bad input.
	if code, out, _ := runCLI(t, "diagnose", "-f", fixture("crash-exit-1.yaml"), "--logs", "app="+prev); code != 1 || !strings.Contains(out, "DNS lookup failed for postgres") {
		t.Errorf("--logs: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"--previous", "nope=" + prev},
		{"--previous", "app"},
		{"--logs", "app=" + filepath.Join(dir, "missing.log")},
	} {
		if code, _, errOut := runCLI(t, append([]string{"diagnose", "-f", fixture("crash-exit-1.yaml")}, args...)...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, "diagnose", "--previous", "app="+prev); code != 2 || !strings.Contains(errOut, "-f") {
		t.Errorf("--previous without -f: exit %d, stderr %q", code, errOut)
	}
}

func describeText(name string) string {
	return filepath.Join("diagnose", "report", "testdata", "describe", name)
}

// The text of kubectl describe pod, as pasted in an issue, through the command.
func TestDiagnoseDescribeText(t *testing.T) {
	const note = "podtui: read kubectl describe output; its times are relative, judged as of 2026-05-01 12:00:00 UTC (estimated from the text)\n"
	code, out, errOut := runCLI(t, "diagnose", "-f", describeText("crashloop-exit-1.txt"))
	if code != 1 {
		t.Fatalf("exit %d, want 1 (an error finding); stderr: %s", code, errOut)
	}
	for _, want := range []string{"shop/api-7d9c5-x2k4p  CrashLoopBackOff", "ERROR crash/exit-error [api]", "kubectl logs api-7d9c5-x2k4p -n shop -c api --previous"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if errOut != note {
		t.Errorf("stderr %q, want %q", errOut, note)
	}

	// Grouped, the pods are judged as of the same time: web-1 has been
	// terminating since 09:30, 14 minutes before kubectl ran.
	code, out, errOut = runCLI(t, "diagnose", "--group", "-o", "json", "-f", describeText("two-pods.txt"))
	var doc struct {
		Checked int `json:"checked"`
		Groups  []struct {
			Rule  string    `json:"rule"`
			Since time.Time `json:"since"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 {
		t.Fatalf("exit %d, %v:\n%s%s", code, err, out, errOut)
	}
	since := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	if doc.Checked != 2 || len(doc.Groups) != 1 || doc.Groups[0].Rule != "terminating/stuck" || !doc.Groups[0].Since.Equal(since) || !strings.Contains(errOut, "as of 2026-05-01 09:44:00 UTC") {
		t.Errorf("groups of two pods:\n%s\n%s", out, errOut)
	}
}
