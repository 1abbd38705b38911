package diagnose_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/podtui/podtui/diagnose"
)

const docsPath = "../docs/diagnoses.md"

// renderDocs builds docs/diagnoses.md from the rule table.
func renderDocs() string {
	var b strings.Builder
	b.WriteString("# Diagnoses\n\n")
	b.WriteString("<!-- Generated from the rule table in diagnose/rules.go by `go test ./diagnose -run TestDocs -update`. Do not edit. -->\n\n")
	b.WriteString("`podtui diagnose` and the TUI's diagnosis panel explain a broken pod with these rules. ")
	b.WriteString("Findings are ordered errors first, then in the order below (most likely root cause first). ")
	b.WriteString("In commands, `<pod>`, `<namespace>`, `<container>`, `<node>` and the like are filled in with the real names.\n\n")
	rules := diagnose.Rules()
	fmt.Fprintf(&b, "%d rules in %d categories.\n\n", len(rules), len(diagnose.Categories()))
	b.WriteString("| rule | category | severity |\n|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s |\n", r.ID, anchor(r.ID), r.Category, r.Severity)
	}
	for _, r := range rules {
		fmt.Fprintf(&b, "\n## %s\n\n", r.ID)
		fmt.Fprintf(&b, "- **Category:** %s\n- **Severity:** %s\n- **Trigger:** %s\n", r.Category, r.Severity, r.Trigger)
		if r.Action != diagnose.ActionNone {
			fmt.Fprintf(&b, "- **In-app action:** %s\n", r.Action)
		}
		fmt.Fprintf(&b, "\n%s\n", r.Explanation)
		if len(r.Commands) > 0 {
			b.WriteString("\n```sh\n")
			for _, c := range r.Commands {
				b.WriteString(c + "\n")
			}
			b.WriteString("```\n")
		}
	}
	renderLogSignatures(&b)
	return b.String()
}

// renderLogSignatures documents the crash signatures read from logs.
func renderLogSignatures(b *strings.Builder) {
	sigs := diagnose.LogSignatures()
	b.WriteString("\n## Crash causes from the logs\n\n")
	fmt.Fprintf(b, "For a container that crashed, restarted, was OOM-killed or killed by a probe, podtui reads the tail of the previous container's log "+
		"(`kubectl logs --previous`; the current log of a container that ended without restart) and looks for %d crash signatures. "+
		"At most the last %d lines and %d KiB of each log are read; escape sequences and control characters are removed and quoted lines are cut. "+
		"The most decisive signature wins: a program that died of a panic or an exception outranks the connection failures it retried before; among equals, the last one in the log. "+
		"Ordinary error lines are not signatures. The cause is added to the container's finding: its summary names it, its evidence quotes the decisive lines "+
		"(`previous logs (line 181 of 200): panic: ...`), and its next commands gain those below, with the host, Service, file or variable the log named.\n\n", len(sigs), diagnose.MaxLogLines, diagnose.MaxLogBytes>>10)
	b.WriteString("`podtui diagnose` reads the logs of crashed containers from the cluster (`--no-logs` skips it); offline, give them with `--previous <container>=<file>` and `--logs <container>=<file>`.\n")
	for _, s := range sigs {
		fmt.Fprintf(b, "\n### %s\n\n- **Looks for:** %s\n- **Example cause:** %s\n\n%s\n", s.Name, s.Detects, s.Example, s.Explain)
		if len(s.Commands) > 0 {
			b.WriteString("\n```sh\n")
			for _, c := range s.Commands {
				b.WriteString(c + "\n")
			}
			b.WriteString("```\n")
		}
	}
}

func anchor(id string) string {
	return strings.NewReplacer("/", "", " ", "-").Replace(strings.ToLower(id))
}

func TestDocs(t *testing.T) {
	want := renderDocs()
	if *update {
		if err := os.MkdirAll("../docs", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(docsPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(docsPath)
	if err != nil || string(got) != want {
		t.Fatalf("%s is stale or missing: run go test ./diagnose -run TestDocs -update", docsPath)
	}
}

// Every rule must be documented fully and reached by at least one fixture
// or unit test listed in expect (or the extra list here).
func TestRuleTable(t *testing.T) {
	cats := map[diagnose.Category]bool{}
	for _, c := range diagnose.Categories() {
		cats[c] = true
	}
	for _, r := range diagnose.Rules() {
		if r.Trigger == "" || r.Explanation == "" || len(r.Commands) == 0 {
			t.Errorf("%s: trigger, explanation and commands are required", r.ID)
		}
		if !cats[r.Category] {
			t.Errorf("%s: unknown category %q", r.ID, r.Category)
		}
	}
}
