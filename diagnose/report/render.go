package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
)

// PodReport is one pod's diagnosis.
type PodReport struct {
	Namespace string
	Name      string
	Status    string
	Findings  []diagnose.Finding
}

// Diagnose runs the engine over inputs.
func Diagnose(inputs []diagnose.Input) []PodReport {
	out := make([]PodReport, 0, len(inputs))
	for _, in := range inputs {
		out = append(out, NewPodReport(in.Pod, diagnose.Diagnose(in)))
	}
	return out
}

// NewPodReport pairs a pod with its findings.
func NewPodReport(p *corev1.Pod, f []diagnose.Finding) PodReport {
	return PodReport{Namespace: p.Namespace, Name: p.Name, Status: diagnose.Status(p), Findings: f}
}

// Exit codes of `podtui diagnose`.
const (
	ExitOK       = 0 // no pod has an error finding
	ExitFindings = 1 // some pod has an error finding
	ExitBadInput = 2 // input could not be read
)

// ExitCode is ExitFindings when any pod has an error finding, else ExitOK.
func ExitCode(reports []PodReport) int {
	for _, r := range reports {
		for _, f := range r.Findings {
			if f.Severity == diagnose.SeverityError {
				return ExitFindings
			}
		}
	}
	return ExitOK
}

// The JSON shape is a contract for scripts; keep field names and order.
type jsonReport struct {
	Pods []jsonPod `json:"pods"`
}

type jsonPod struct {
	Namespace string        `json:"namespace"`
	Name      string        `json:"name"`
	Status    string        `json:"status"`
	Findings  []jsonFinding `json:"findings"`
}

type jsonFinding struct {
	Rule        string   `json:"rule"`
	Category    string   `json:"category"`
	Severity    string   `json:"severity"`
	Container   string   `json:"container"`
	Summary     string   `json:"summary"`
	Explanation string   `json:"explanation"`
	Evidence    []string `json:"evidence"`
	Next        []string `json:"next"`
}

// WriteJSON writes {"pods":[...]} followed by a newline.
func WriteJSON(w io.Writer, reports []PodReport) error {
	out := jsonReport{Pods: make([]jsonPod, 0, len(reports))}
	for _, r := range reports {
		p := jsonPod{Namespace: r.Namespace, Name: r.Name, Status: r.Status, Findings: make([]jsonFinding, 0, len(r.Findings))}
		for _, f := range r.Findings {
			p.Findings = append(p.Findings, jsonFinding{
				Rule: f.Rule, Category: string(f.Category), Severity: f.Severity.String(), Container: f.Container,
				Summary: f.Summary, Explanation: f.Explanation,
				Evidence: nonNil(f.Evidence), Next: nonNil(f.Next),
			})
		}
		out.Pods = append(out.Pods, p)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TextOptions control the human rendering.
type TextOptions struct {
	Color bool // ANSI colours, for terminals
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiGreen  = "\x1b[32m"
)

// WriteText renders reports for people.
func WriteText(w io.Writer, reports []PodReport, opt TextOptions) error {
	paint := func(code, s string) string {
		if !opt.Color || s == "" {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	for i, r := range reports {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s  %s\n", paint(ansiBold, r.Namespace+"/"+r.Name), clean(r.Status))
		if len(r.Findings) == 0 {
			fmt.Fprintf(&b, "  %s\n", paint(ansiGreen, "no problems found"))
			continue
		}
		for _, f := range r.Findings {
			sev := strings.ToUpper(f.Severity.String())
			switch f.Severity {
			case diagnose.SeverityError:
				sev = paint(ansiRed+ansiBold, sev)
			case diagnose.SeverityWarning:
				sev = paint(ansiYellow, sev)
			default:
				sev = paint(ansiCyan, sev)
			}
			ctr := ""
			if f.Container != "" {
				ctr = " [" + f.Container + "]"
			}
			fmt.Fprintf(&b, "\n  %s %s%s  %s\n", sev, f.Rule, ctr, paint(ansiBold, clean(f.Summary)))
			fmt.Fprintf(&b, "    %s\n", clean(f.Explanation))
			if len(f.Evidence) > 0 {
				b.WriteString("    evidence:\n")
				for _, e := range f.Evidence {
					for j, line := range strings.Split(strings.TrimRight(e, "\n"), "\n") {
						prefix := "      "
						if j > 0 {
							prefix = "        "
						}
						b.WriteString(prefix + paint(ansiDim, clean(line)) + "\n")
					}
				}
			}
			if len(f.Next) > 0 {
				b.WriteString("    next:\n")
				for _, n := range f.Next {
					b.WriteString("      $ " + clean(n) + "\n")
				}
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
