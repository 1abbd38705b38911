package ui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/internal/termsafe"
	"github.com/podtui/podtui/kube"
)

// logSavedMsg reports a finished save. It is for the user, not the page
// (which may be closed by then): the app shows it in the status line.
type logSavedMsg struct {
	path    string
	lines   int
	skipped int // lines the stream could not deliver (full saves only)
	err     error
}

// status is what the status line says of the save.
func (m logSavedMsg) status() statusMsg {
	if m.err != nil {
		return statusMsg{text: "save: " + m.err.Error(), isErr: true}
	}
	text := fmt.Sprintf("saved %s lines to %s", thousands(m.lines), m.path)
	if m.skipped > 0 {
		return statusMsg{text: text + fmt.Sprintf(" (%s lines skipped)", thousands(m.skipped)), isErr: true}
	}
	return statusMsg{text: text}
}

// line is an entry as copied or saved: what the user sees, no colours.
func (v *logView) line(e *logEntry) string {
	if v.timestamps && !e.time.IsZero() {
		return e.time.UTC().Format("2006-01-02T15:04:05.000000000Z") + " " + e.text
	}
	return e.text
}

// visibleText is the text of the entries on screen, for OSC 52.
func (v *logView) visibleText() string {
	var out []string
	for _, e := range v.visible(v.bodyRows()) {
		out = append(out, v.line(e))
	}
	return strings.Join(out, "\n")
}

func (p *LogPage) defaultSavePath() string {
	c, _ := p.container()
	name := p.pod.Namespace + "_" + p.pod.Name + "_" + c.name
	if p.previous {
		name += "_previous"
	}
	return name + ".log"
}

func (p *LogPage) saveKey(msg tea.KeyPressMsg) (Page, tea.Cmd) {
	res, cmd := p.save.Update(msg)
	if res == promptSubmitted {
		path := strings.TrimSpace(p.save.Value())
		if path == "" {
			return p, nil
		}
		if p.saveFull {
			c, _ := p.container()
			req := kube.LogRequest{Namespace: p.pod.Namespace, Pod: p.pod.Name, Container: c.name, Previous: p.previous, TailLines: -1}
			return p, saveFull(p.env.Cluster, req, path, p.timestamps)
		}
		return p, saveLines(path, p.loadedLines())
	}
	return p, cmd
}

// loadedLines copies what is loaded (or, in filter mode, what is shown):
// the strings are shared, so this costs one slice.
func (v *logView) loadedLines() []string {
	n := v.count()
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, v.line(v.buf.at(v.seqAt(i))))
	}
	return out
}

// createNew opens a new file; it never overwrites one, so a mistyped path
// cannot destroy anything.
func createNew(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s exists; not overwritten", path)
	}
	return f, err
}

func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// saveLines writes what is loaded to a new file.
func saveLines(path string, lines []string) tea.Cmd {
	return func() tea.Msg {
		f, err := createNew(path)
		if err != nil {
			return logSavedMsg{path: path, err: err}
		}
		w := bufio.NewWriter(f)
		for _, l := range lines {
			_, _ = w.WriteString(l)
			_ = w.WriteByte('\n')
		}
		err = w.Flush()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return logSavedMsg{path: absPath(path), lines: len(lines), err: err}
	}
}

// saveFull streams the whole log from the API into a new file, past what
// the view's buffer holds. Lines are sanitised like on screen, so the file
// is safe to cat.
func saveFull(c Cluster, req kube.LogRequest, path string, timestamps bool) tea.Cmd {
	return func() tea.Msg {
		f, err := createNew(path)
		if err != nil {
			return logSavedMsg{path: path, err: err}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		msg := logSavedMsg{path: absPath(path)}
		s, err := c.StreamLogs(ctx, req)
		if err != nil {
			_ = f.Close()
			msg.err = err
			return msg
		}
		w := bufio.NewWriter(f)
		for chunk := range s.C {
			msg.skipped += chunk.Skipped
			for _, l := range chunk.Lines {
				if timestamps && !l.Time.IsZero() {
					_, _ = w.WriteString(l.Time.UTC().Format("2006-01-02T15:04:05.000000000Z") + " ")
				}
				_, _ = w.WriteString(termsafe.Sanitize(l.Text, termsafe.Options{}))
				_ = w.WriteByte('\n')
				msg.lines++
			}
			if chunk.Done && chunk.Err != nil {
				msg.err = chunk.Err
			}
		}
		if err := w.Flush(); msg.err == nil {
			msg.err = err
		}
		if err := f.Close(); msg.err == nil {
			msg.err = err
		}
		return msg
	}
}
