package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
)

// PodReport is one pod's diagnosis.
type PodReport struct {
	Namespace string
	Name      string
	Status    string
	Findings  []diagnose.Finding
	// Changes is what changed in the pod's template since its workload's
	// previous revision; nil when not known.
	Changes *diagnose.Change
	// Timeline is what happened to the pod, oldest first (diagnose.Timeline).
	Timeline []diagnose.Moment
	// Now is the clock the report was made against, for relative times.
	Now time.Time
	// EventsProblem says why the events could not be read ("" when read).
	EventsProblem string
}

// Diagnose runs the engine over inputs.
func Diagnose(inputs []diagnose.Input) []PodReport {
	out := make([]PodReport, 0, len(inputs))
	for _, in := range inputs {
		r := NewPodReport(in.Pod, diagnose.Diagnose(in))
		r.Changes = diagnose.Changes(in)
		r.Timeline = diagnose.Timeline(in)
		r.Now = in.Now
		r.EventsProblem = in.EventsProblem
		out = append(out, r)
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
	Changes   *jsonChanges  `json:"changes"`
	Timeline  []jsonMoment  `json:"timeline"`
	// EventsProblem is set when the events could not be read.
	EventsProblem string `json:"eventsProblem,omitempty"`
}

// jsonMoment is documented in docs/diagnose-json.md.
type jsonMoment struct {
	Time      *time.Time `json:"time"`
	FirstSeen *time.Time `json:"firstSeen,omitempty"`
	Count     int32      `json:"count"`
	Kind      string     `json:"kind"`
	Container string     `json:"container"`
	Warning   bool       `json:"warning"`
	Text      string     `json:"text"`
	Source    string     `json:"source"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func timelineJSON(ms []diagnose.Moment) []jsonMoment {
	out := make([]jsonMoment, 0, len(ms))
	for _, m := range ms {
		out = append(out, jsonMoment{
			Time: timePtr(m.Time), FirstSeen: timePtr(m.First), Count: m.Count, Kind: string(m.Kind),
			Container: m.Container, Warning: m.Warning, Text: m.Text, Source: m.Source,
		})
	}
	return out
}

// jsonChanges is documented in docs/diagnose-json.md.
type jsonChanges struct {
	Owner            string     `json:"owner"`
	Revision         int64      `json:"revision"`
	PreviousRevision int64      `json:"previousRevision"`
	Object           string     `json:"object"`
	PreviousObject   string     `json:"previousObject"`
	Latest           bool       `json:"latest"`
	RolledOut        *time.Time `json:"rolledOut"`
	Previous         string     `json:"previous"`
	PreviousPods     string     `json:"previousPods"`
	Diff             []jsonDiff `json:"diff"`
	Undo             string     `json:"undo"`
}

type jsonDiff struct {
	Container string `json:"container"`
	Field     string `json:"field"`
	From      string `json:"from"`
	To        string `json:"to"`
	Text      string `json:"text"`
}

func changesJSON(namespace string, c *diagnose.Change) *jsonChanges {
	if c == nil {
		return nil
	}
	out := &jsonChanges{
		Owner: c.Owner.String(), Revision: c.Revision, PreviousRevision: c.PreviousRevision,
		Object: c.Object, PreviousObject: c.PreviousObject, Latest: c.Latest,
		Previous: c.Previous.String(), PreviousPods: c.PreviousPods, Diff: make([]jsonDiff, 0, len(c.Diffs)),
		Undo: c.UndoCommand(namespace),
	}
	out.RolledOut = timePtr(c.RolledOut)
	for _, d := range c.Diffs {
		out.Diff = append(out.Diff, jsonDiff{Container: d.Container, Field: d.Field, From: d.From, To: d.To, Text: d.Text})
	}
	return out
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
		p := jsonPod{Namespace: r.Namespace, Name: r.Name, Status: r.Status, Findings: make([]jsonFinding, 0, len(r.Findings)), Changes: changesJSON(r.Namespace, r.Changes), Timeline: timelineJSON(r.Timeline), EventsProblem: r.EventsProblem}
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
	Color    bool // ANSI colours, for terminals
	Timeline bool // also print each pod's timeline
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
		if r.EventsProblem != "" {
			fmt.Fprintf(&b, "  %s\n", paint(ansiYellow, clean(diagnose.EventsMissing(r.EventsProblem))))
		}
		if opt.Timeline {
			writeTimeline(&b, r, paint)
		}
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

// writeTimeline prints the pod's moments, oldest first: absolute UTC time,
// how long ago, and for a repeated event its count and first sighting.
func writeTimeline(b *strings.Builder, r PodReport, paint func(code, s string) string) {
	if len(r.Timeline) == 0 {
		return
	}
	b.WriteString("  timeline:\n")
	for _, m := range r.Timeline {
		when, ago := "                   ", ""
		if !m.Time.IsZero() {
			when = m.Time.UTC().Format("2006-01-02 15:04:05")
			if !r.Now.IsZero() {
				ago = diagnose.HumanDuration(r.Now.Sub(m.Time)) + " ago"
				if m.Time.After(r.Now) {
					ago = "in " + diagnose.HumanDuration(m.Time.Sub(r.Now))
				}
			}
		}
		text := clean(m.Text)
		if m.Count > 1 {
			text += fmt.Sprintf(" (x%d", m.Count)
			if !m.First.IsZero() {
				text += " since " + m.First.UTC().Format("15:04:05")
			}
			text += ")"
		}
		mark := " "
		if m.Warning {
			mark = paint(ansiYellow, "!")
		}
		fmt.Fprintf(b, "    %s %-10s %s %-9s %s\n", when, ago, mark, m.Kind, text)
	}
	b.WriteString("\n")
}
