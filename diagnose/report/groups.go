package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/podtui/podtui/diagnose"
)

// TriageReport is the grouped view of `podtui diagnose --group`. Its JSON
// shape is a contract for scripts (docs/triage.md); keep names and order.
type TriageReport struct {
	Checked int           `json:"checked"`
	Groups  []GroupReport `json:"groups"`
}

// GroupReport is one root cause and the pods it affects.
type GroupReport struct {
	Rule       string   `json:"rule"`
	Category   string   `json:"category"`
	Severity   string   `json:"severity"`
	Owner      string   `json:"owner,omitempty"` // kind/name, e.g. deployment/api; empty for node groups
	Namespace  string   `json:"namespace,omitempty"`
	Node       string   `json:"node,omitempty"` // set for node-level causes
	Summary    string   `json:"summary"`
	Count      int      `json:"count"`
	Pods       []string `json:"pods"` // namespace/name
	Namespaces []string `json:"namespaces"`
	Nodes      []string `json:"nodes"`
	Since      string   `json:"since,omitempty"` // RFC 3339: oldest first sighting of the cause
	NewLast5m  int      `json:"newLast5m"`       // pods that joined in the last 5 minutes
	Next       []string `json:"next"`
	Changed    string   `json:"changed,omitempty"` // what changed in the owner's last rollout (rollout/changed)
}

// Group diagnoses every pod and groups them by root cause.
func Group(inputs []diagnose.Input, now time.Time) TriageReport {
	t := diagnose.NewTriage()
	for _, in := range inputs {
		if in.Pod == nil {
			continue
		}
		in.Now = now
		t.Update(in.Pod, diagnose.Diagnose(in))
	}
	return NewTriageReport(t, now)
}

// NewTriageReport turns a triage into its report form.
func NewTriageReport(t *diagnose.Triage, now time.Time) TriageReport {
	r := TriageReport{Checked: t.Checked(), Groups: []GroupReport{}}
	for _, g := range t.Groups() {
		gr := GroupReport{
			Rule: g.Rule, Category: string(g.Category), Severity: g.Severity.String(),
			Namespace: g.Key.Namespace, Node: g.Key.Node, Summary: g.Summary, Count: len(g.Pods),
			Namespaces: g.Namespaces(), Nodes: g.Nodes(), NewLast5m: g.NewSince(now.Add(-5 * time.Minute)),
			Next: g.Next, Pods: []string{}, Changed: g.Changed,
		}
		if g.Key.Node == "" {
			gr.Owner = g.Key.Owner.String()
		}
		if s := g.Since(); !s.IsZero() {
			gr.Since = s.UTC().Format(time.RFC3339)
		}
		for _, p := range g.Pods {
			gr.Pods = append(gr.Pods, p.Namespace+"/"+p.Name)
		}
		if gr.Nodes == nil {
			gr.Nodes = []string{}
		}
		r.Groups = append(r.Groups, gr)
	}
	return r
}

// GroupExitCode is 1 when a group holds an error, else 0.
func GroupExitCode(r TriageReport) int {
	for _, g := range r.Groups {
		if g.Severity == diagnose.SeverityError.String() {
			return ExitFindings
		}
	}
	return ExitOK
}

// WriteGroupsJSON prints the report as JSON.
func WriteGroupsJSON(w io.Writer, r TriageReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteGroupsText prints the report for people (and incident channels).
func WriteGroupsText(w io.Writer, r TriageReport, opt TextOptions, now time.Time) error {
	paint := func(code, s string) string {
		if !opt.Color || s == "" {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	if len(r.Groups) == 0 {
		fmt.Fprintf(&b, "%s: %d pods checked, none broken.\n", paint(ansiGreen, "healthy"), r.Checked)
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "%d causes across %d pods checked\n", len(r.Groups), r.Checked)
	for _, g := range r.Groups {
		sev := strings.ToUpper(g.Severity)
		if g.Severity == "error" {
			sev = paint(ansiRed+ansiBold, sev)
		} else {
			sev = paint(ansiYellow, sev)
		}
		who := g.Owner + " in " + g.Namespace
		if g.Node != "" {
			who = "node " + g.Node
		}
		fmt.Fprintf(&b, "\n%s %d pod(s) of %s: %s\n", sev, g.Count, who, paint(ansiBold, clean(g.Summary)))
		var facts []string
		if g.Since != "" {
			if t, err := time.Parse(time.RFC3339, g.Since); err == nil {
				facts = append(facts, "for "+diagnose.HumanDuration(now.Sub(t)))
			}
		}
		if g.NewLast5m > 0 {
			facts = append(facts, fmt.Sprintf("+%d in the last 5m", g.NewLast5m))
		}
		facts = append(facts, "rule "+g.Rule)
		if len(g.Nodes) > 0 && g.Node == "" {
			facts = append(facts, "nodes "+strings.Join(g.Nodes, ", "))
		}
		fmt.Fprintf(&b, "  %s\n", paint(ansiDim, strings.Join(facts, " · ")))
		fmt.Fprintf(&b, "  pods: %s\n", strings.Join(g.Pods, ", "))
		if g.Changed != "" {
			fmt.Fprintf(&b, "  %s\n", clean(g.Changed))
		}
		for _, c := range g.Next {
			fmt.Fprintf(&b, "  $ %s\n", c)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// clean removes escape sequences and control characters from text that
// came from the cluster, so a hostile message cannot act on the terminal.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, s)
}
