package ui

import (
	"fmt"

	"github.com/podtui/podtui/internal/termsafe"
	"github.com/podtui/podtui/kube"
)

// ingest adds a chunk's lines to the buffer, sanitised.
func (p *LogPage) ingest(c kube.LogChunk) {
	if c.Skipped > 0 {
		p.skipped += c.Skipped
		p.addMarker(fmt.Sprintf("── %s lines skipped: the view could not keep up ──", thousands(c.Skipped)))
	}
	if c.Reconnected {
		p.addMarker("── stream reconnected, resumed after the last line shown ──")
	}
	prefix := ""
	if p.all() {
		prefix = "[" + p.names[c.StreamID] + "] " // like stern
	}
	for _, l := range c.Lines {
		text, sgr := lineText(l, prefix)
		p.addEntry(text, sgr, l.Time, false)
	}
	if len(c.Lines) > 0 {
		p.lastLine = p.env.Now()
	}
	if c.Done && c.Err != nil {
		p.addMarker("── " + prefix + "stream ended: " + termsafe.Sanitize(c.Err.Error(), termsafe.Options{}) + " ──")
	}
}
