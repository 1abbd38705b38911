package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/podtui/podtui/internal/termsafe"
	"github.com/podtui/podtui/kube"
)

// Output formats of podtui logs.
const (
	logsText = "text"
	logsRaw  = "raw"
	logsJSON = "json"
)

// logPrinter writes the batches of a tail: lines to out; notes and drops to
// errOut as "podtui: ..." lines, or to out as JSON objects in json format.
type logPrinter struct {
	out    *bufio.Writer
	errOut io.Writer
	format string
	color  bool // colour the pod names (text format)
	// src names the pods (kube.LogSource.ShortName).
	src       kube.LogSource
	container containerFilter
	now       func() time.Time // the time of notes in JSON
	enc       *json.Encoder
	// failed counts the streams that could not be read.
	failed int
	// timestamps starts text and raw lines with the line's time.
	timestamps bool
}

func newLogPrinter(out, errOut io.Writer, format string, src kube.LogSource, container containerFilter) *logPrinter {
	p := &logPrinter{
		out: bufio.NewWriter(out), errOut: errOut, format: format,
		src: src, container: container, now: time.Now,
	}
	p.enc = json.NewEncoder(p.out)
	p.enc.SetEscapeHTML(false) // "<html>" in a log stays readable
	return p
}

// containerFilter is -c: a nil regexp picks every container. A note about a
// whole pod (no container) is always picked.
type containerFilter struct{ re *regexp.Regexp }

func (f containerFilter) picks(name string) bool {
	return f.re == nil || name == "" || f.re.MatchString(name)
}

// print writes one batch: its notes first (a pod joins before its lines
// come), then what was dropped, then the lines.
func (p *logPrinter) print(b kube.TailBatch) error {
	for _, n := range b.Notes {
		if p.container.picks(n.Container) {
			p.note(n)
		}
	}
	if b.Dropped > 0 {
		p.dropped(b.Dropped)
	}
	for _, l := range b.Lines {
		if p.container.picks(l.Container) {
			p.line(l)
		}
	}
	return p.out.Flush()
}

func (p *logPrinter) line(l kube.TailLine) {
	if p.format == logsJSON {
		p.json(jsonLogLine{
			Time: jsonTime(l.Time), Namespace: l.Namespace, Pod: l.Pod, Container: l.Container,
			Previous: l.Previous, Message: l.Text, Cut: l.Cut,
		})
		return
	}
	var b strings.Builder
	if p.timestamps && !l.Time.IsZero() {
		b.WriteString(l.Time.UTC().Format(time.RFC3339Nano) + " ")
	}
	if p.format == logsText {
		prefix := p.podName(l.Namespace, l.Pod) + " " + l.Container
		if p.color {
			prefix = podColor(l.Namespace+"/"+l.Pod) + prefix + ansiReset
		}
		b.WriteString(prefix + " ")
		if l.Previous {
			b.WriteString("(previous) ")
		}
	}
	b.WriteString(termsafe.Sanitize(l.Text, termsafe.Options{}))
	if l.Cut > 0 {
		fmt.Fprintf(&b, " … [%d bytes cut]", l.Cut)
	}
	b.WriteByte('\n')
	_, _ = p.out.WriteString(b.String()) // a write error sticks; print's flush returns it
}

// noteKinds are the words of the notes, in JSON and on stderr.
var noteKinds = map[kube.TailNoteKind]string{
	kube.PodJoined:          "joined",
	kube.PodGone:            "gone",
	kube.ContainerRestarted: "restarted",
	kube.StreamFailed:       "failed",
	kube.StreamsCapped:      "capped",
}

func (p *logPrinter) note(n kube.TailNote) {
	if n.Kind == kube.StreamFailed {
		p.failed++
	}
	if p.format == logsJSON {
		p.json(jsonLogNote{
			Time: jsonTime(p.now()), Note: noteKinds[n.Kind],
			Namespace: n.Namespace, Pod: n.Pod, Container: n.Container, Text: n.Text,
		})
		return
	}
	who := p.podName(n.Namespace, n.Pod)
	var msg string
	switch n.Kind {
	case kube.PodJoined:
		msg = "pod " + who + " joined"
	case kube.PodGone:
		msg = "pod " + who + " gone (" + n.Text + ")"
	case kube.ContainerRestarted:
		msg = who + " " + n.Container + " restarted (" + n.Text + ")"
	case kube.StreamFailed:
		msg = who + " " + n.Container + ": " + n.Text
	case kube.StreamsCapped:
		msg = n.Text + "; --max-streams raises the cap"
	}
	p.say(msg)
}

func (p *logPrinter) dropped(n int) {
	if p.format == logsJSON {
		p.json(jsonLogNote{Time: jsonTime(p.now()), Note: "dropped", Count: n})
		return
	}
	p.say(fmt.Sprintf("%d lines dropped: the output did not keep up", n))
}

// say writes a message to errOut after the lines written so far, so that
// on a terminal it lands where it happened. Its text may quote the API
// server and is sanitised too.
func (p *logPrinter) say(msg string) {
	_ = p.out.Flush()
	fmt.Fprintln(p.errOut, "podtui: "+termsafe.Sanitize(msg, termsafe.Options{}))
}

// json writes one object on a line. Its types cannot fail to encode
// (invalid UTF-8 becomes U+FFFD); a write error sticks to out and comes
// back from print's flush.
func (p *logPrinter) json(v any) {
	_ = p.enc.Encode(v)
}

// podName is the pod as text shows it: without the workload's prefix, with
// its namespace when the source spans namespaces.
func (p *logPrinter) podName(ns, pod string) string { return p.src.ShortName(ns, pod) }

// podColors are the terminal's own colours (its theme picks the shades),
// red left out: it reads as an error.
var podColors = []string{"32", "33", "34", "35", "36", "92", "93", "94", "95", "96"}

const ansiReset = "\x1b[0m"

// podColor is a pod's colour, the same on every run.
func podColor(pod string) string {
	h := fnv.New32a()
	h.Write([]byte(pod))
	return "\x1b[" + podColors[h.Sum32()%uint32(len(podColors))] + "m"
}

// jsonLogLine is a log line in JSON (docs/logs-json.md).
type jsonLogLine struct {
	Time      string `json:"time,omitempty"`
	Namespace string `json:"namespace"`
	Pod       string `json:"pod"`
	Container string `json:"container"`
	Previous  bool   `json:"previous,omitempty"`
	Message   string `json:"message"`
	Cut       int    `json:"cut,omitempty"`
}

// jsonLogNote is a note in JSON (docs/logs-json.md).
type jsonLogNote struct {
	Time      string `json:"time"`
	Note      string `json:"note"`
	Namespace string `json:"namespace,omitempty"`
	Pod       string `json:"pod,omitempty"`
	Container string `json:"container,omitempty"`
	Text      string `json:"text,omitempty"`
	Count     int    `json:"count,omitempty"`
}

func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
