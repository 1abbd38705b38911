package ui

import (
	"strconv"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
	"github.com/podtui/podtui/ui/podindex"
)

// podRow is a pod in the list: the index's fields plus the cells drawn.
type podRow = podindex.Row[podCells]

// podCells are the list's texts of a pod that the index does not sort or
// filter by, computed when the pod or the metrics change, not on every
// frame. Ages are formatted at draw time.
type podCells struct {
	ready       string
	lastRestart time.Time
	ip          string
	diag        string // category of the top finding, "" when healthy
	diagSev     diagnose.Severity
	usage       usageCells
}

// Columns whose widths the index measures (podindex.Row.Widths); a usage
// column c is widthUsage+c.
const (
	widthNamespace = iota
	widthName
	widthReady
	widthStatus
	widthDiag
	widthNode
	widthIP
	widthUsage
)

// newPodRow makes a pod's row with its usage in m.
func newPodRow(p *kube.PodSummary, m kube.PodMetrics, now time.Time) *podRow {
	r := podindex.NewRow[podCells](p)
	c := &p.Columns
	r.Cells = podCells{ready: itoa(c.Ready) + "/" + itoa(c.Total), lastRestart: c.LastRestart, ip: p.IP}
	r.Widths[widthNamespace] = cellWidth(len(p.Namespace))
	r.Widths[widthName] = cellWidth(len(p.Name))
	r.Widths[widthReady] = cellWidth(len(r.Cells.ready))
	r.Widths[widthNode] = cellWidth(len(p.Node))
	r.Widths[widthIP] = cellWidth(len(p.IP))
	r.Widths[widthStatus] = cellWidth(ansi.StringWidth(c.Status))
	applyUsage(r, m, now)
	return r
}

// applyUsage sets a row's usage from a poll. A pod near its memory limit
// may get another DIAG (oom/near-limit), and its own back when it leaves
// that state.
func applyUsage(r *podRow, m kube.PodMetrics, now time.Time) {
	p := r.Pod
	u, ok := m.Pods[kube.Key(p.Namespace, p.Name)]
	r.Usage, r.Cells.usage = newUsageCells(p, u, ok)
	for i, text := range r.Cells.usage.text {
		r.Widths[widthUsage+i] = cellWidth(len(text))
	}
	cat, sev, near := p.ProblemWith(u, now)
	r.Cells.usage.near = near
	r.Cells.diag, r.Cells.diagSev = string(cat), sev
	// The DIAG column is as wide as the widest verdict the pod may reach
	// with time alone, so that it does not jump when one comes.
	w := len(r.Cells.diag)
	for _, v := range p.Later {
		w = max(w, len(v.Problem))
	}
	r.Widths[widthDiag] = cellWidth(w)
}

// diagAt is a row's DIAG at now. Most rows keep the one derived when the
// pod or the usage changed; a pod whose verdict changes with time alone
// (PodSummary.Later) is judged again as it is drawn, which costs only the
// visible rows.
func diagAt(r *podRow, m kube.PodMetrics, now time.Time) string {
	if r.Pod == nil || r.Pod.Later == nil {
		return r.Cells.diag
	}
	cat, _, _ := r.Pod.ProblemWith(m.Pods[kube.Key(r.Pod.Namespace, r.Pod.Name)], now)
	return string(cat)
}

// cellWidth is a width as a row keeps it; drawn columns are narrower.
func cellWidth(w int) uint8 { return uint8(min(w, 255)) }

func itoa(n int) string { return strconv.Itoa(n) }
