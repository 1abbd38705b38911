package ui

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
	"github.com/podtui/podtui/ui/podindex"
)

// Usage column indexes into usageCells.text.
const (
	colCPU = iota
	colMem
	colCPUReq
	colCPULim
	colMemReq
	colMemLim
	usageCols
)

var usageTitles = [usageCols]string{"CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L"}

// usageCells is what the pod list shows about a pod's usage, computed when
// the pod or the metrics change, not on every frame.
type usageCells struct {
	near bool // a container is at MemoryWarnPercent of its memory limit or more
	text [usageCols]string
}

// newUsageCells joins a pod's sample to its requests and limits: the
// numbers a usage sort orders by, and the cells. A pod without a sample
// shows n/a; a percentage without a request or limit to compare with
// shows "-".
func newUsageCells(p *kube.PodSummary, u kube.PodUsage, ok bool) (podindex.Usage, usageCells) {
	var n podindex.Usage
	var c usageCells
	if !ok {
		for i := range c.text {
			c.text[i] = "n/a"
		}
		return n, c
	}
	tot := u.Total()
	cpu, mem := tot[corev1.ResourceCPU], tot[corev1.ResourceMemory]
	n.Known, n.CPU, n.Mem = true, cpu.MilliValue(), mem.Value()
	c.text[colCPU], c.text[colMem] = diagnose.FormatCPU(cpu), diagnose.FormatMemory(mem)
	bases := [4]struct {
		used resource.Quantity
		base func(corev1.ResourceName) (resource.Quantity, bool)
		name corev1.ResourceName
	}{{cpu, p.Request, corev1.ResourceCPU}, {cpu, p.Limit, corev1.ResourceCPU}, {mem, p.Request, corev1.ResourceMemory}, {mem, p.Limit, corev1.ResourceMemory}}
	for i, b := range bases {
		c.text[colCPUReq+i] = "-"
		if base, has := b.base(b.name); has {
			n.Pct[i], n.PctOK[i] = diagnose.Percent(b.used, base)
		}
		if n.PctOK[i] {
			c.text[colCPUReq+i] = itoa(n.Pct[i]) + "%"
		}
	}
	return n, c
}

// maxMissedPolls is how many failed polls in a row the last numbers are
// shown for, marked as old; after that the cells say n/a.
const maxMissedPolls = 3

// staleMarks are what old numbers carry, so that they are not read as
// fresh even without colour: CPU and MEM get "~" and the age of the last
// poll that worked ("500m ~45s"), percentages a bare "~" ("50%~").
type staleMarks struct{ number, percent string }

func newStaleMarks(since, now time.Time) staleMarks {
	age := ""
	if !since.IsZero() {
		age = diagnose.Age(since, now)
	}
	return staleMarks{number: " ~" + age, percent: "~"}
}

// mark is a usage cell's text with its mark; n/a and "-" carry no number.
func (s staleMarks) mark(col int, text string) string {
	switch {
	case text == "n/a" || text == "-":
		return text
	case col <= colMem:
		return text + s.number
	}
	return text + s.percent
}

// width is how much a mark widens a column.
func (s staleMarks) width(col int) int {
	if col <= colMem {
		return len(s.number)
	}
	return len(s.percent)
}
