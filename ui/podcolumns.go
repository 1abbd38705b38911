package ui

import (
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/podtui/podtui/diagnose"
)

// column is one column of the pod table.
type column struct {
	title string
	width int
	// measured is the column's index in the rows' widths, or -1 for a
	// column whose text changes with time (measured over the visible rows).
	measured int
	cell     func(r *podRow, now time.Time) string
}

// columns are the pod table's columns at width, each as wide as it needs.
func (m *PodList) columns(now time.Time) []column {
	metrics := m.metrics // the cells take copies: m itself is not kept beyond a frame
	cols := []column{}
	if m.allNS {
		cols = append(cols, column{title: "NAMESPACE", width: 9, measured: widthNamespace, cell: func(r *podRow, _ time.Time) string { return r.Namespace }})
	}
	cols = append(cols,
		column{title: "NAME", width: 4, measured: widthName, cell: func(r *podRow, _ time.Time) string { return r.Name }},
		column{title: "READY", width: 5, measured: widthReady, cell: func(r *podRow, _ time.Time) string { return r.Cells.ready }},
		column{title: "STATUS", width: 6, measured: widthStatus, cell: func(r *podRow, _ time.Time) string { return r.Status }},
		column{title: "DIAG", width: 4, measured: widthDiag, cell: func(r *podRow, now time.Time) string { return diagAt(r, metrics, now) }},
		column{title: "RESTARTS", width: 8, measured: -1, cell: restartsCell},
		column{title: "AGE", width: 3, measured: -1, cell: func(r *podRow, now time.Time) string { return diagnose.Age(r.Created, now) }},
	)
	if !m.hideUsage {
		for c, title := range usageTitles {
			// Without any numbers, percentages of n/a say nothing: CPU and MEM alone carry the n/a.
			if c >= colCPUReq && metrics.Pods == nil {
				break
			}
			col := column{title: title, width: len(title), measured: widthUsage + c, cell: func(r *podRow, _ time.Time) string { return r.Cells.usage.text[c] }}
			if m.missed > 0 {
				marks := newStaleMarks(metrics.Fetched, now)
				col.width = max(col.width, m.index.Widths()[widthUsage+c]+marks.width(c))
				col.cell = func(r *podRow, _ time.Time) string { return marks.mark(c, r.Cells.usage.text[c]) }
			}
			cols = append(cols, col)
		}
	}
	cols = append(cols,
		column{title: "NODE", width: 4, measured: widthNode, cell: func(r *podRow, _ time.Time) string { return r.Node }},
		column{title: "IP", width: 2, measured: widthIP, cell: func(r *podRow, _ time.Time) string { return r.Cells.ip }},
	)
	// Text columns are as wide as their widest value among the shown rows
	// (so widths do not jump while scrolling), capped so one long name
	// cannot push the rest off screen.
	// Time-dependent columns are measured over the visible rows only.
	widths := m.index.Widths()
	for i := range cols {
		c := &cols[i]
		if c.measured < 0 {
			for k := m.offset; k < m.visibleEnd(); k++ {
				c.width = max(c.width, ansi.StringWidth(c.cell(m.index.Shown(k), now)))
			}
		} else {
			c.width = max(c.width, widths[c.measured])
		}
		c.width = min(c.width, 48)
	}
	cols = fitUsage(cols, m.width)
	// Give NAME what is left when the screen is narrow.
	total := 0
	for _, c := range cols {
		total += c.width + 2
	}
	if total > m.width {
		for i := range cols {
			if cols[i].title == "NAME" {
				cols[i].width = max(10, cols[i].width-(total-m.width))
			}
		}
	}
	return cols
}

func restartsCell(r *podRow, now time.Time) string {
	s := itoa(r.Restarts)
	if r.Restarts > 0 && !r.Cells.lastRestart.IsZero() {
		s += " (" + diagnose.Age(r.Cells.lastRestart, now) + " ago)"
	}
	return s
}

// usageDropOrder is which usage columns give way first on a narrow screen:
// %MEM/L, the one that predicts OOM kills, stays longest after CPU and MEM.
var usageDropOrder = []string{"%CPU/L", "%CPU/R", "%MEM/R", "%MEM/L", "MEM", "CPU"}

// fitUsage drops usage columns while they would squeeze NAME below its
// natural width (up to 20 cells): names say which pod it is, usage is extra.
func fitUsage(cols []column, width int) []column {
	for _, drop := range usageDropOrder {
		total, name := 0, 0
		for _, c := range cols {
			total += c.width + 2
			if c.title == "NAME" {
				name = c.width
			}
		}
		if total <= width || name-(total-width) >= min(name, 20) {
			return cols
		}
		cols = slices.DeleteFunc(cols, func(c column) bool { return c.title == drop })
	}
	return cols
}

// pad cuts or pads s to exactly w cells.
func pad(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}
