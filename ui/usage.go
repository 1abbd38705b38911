package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// Resource usage from metrics.k8s.io: the pod list's usage columns, the
// polling messages, and render helpers for the detail page and node summary.

// metricsMsg is the result of one poll; gen drops results of a scope the
// user has left.
type metricsMsg struct {
	Ticket
	res kube.PodMetrics
}

// metricsTickMsg asks for the next poll of generation gen.
type metricsTickMsg struct{ Ticket }

// UsageChangedMsg tells the top page that new usage samples arrived (the app
// polls; pages never do). Look a pod up with For.
type UsageChangedMsg struct {
	Metrics kube.PodMetrics
}

// For returns a pod's latest sample, if there is one.
func (m UsageChangedMsg) For(namespace, name string) (kube.PodUsage, bool) {
	u, ok := m.Metrics.Pods[kube.Key(namespace, name)]
	return u, ok
}

// openNodeMsg asks the app to open the node summary.
type openNodeMsg struct{ node string }

// OpenNodeSummary is the Cmd a page returns to open the summary of a node
// over itself.
func OpenNodeSummary(node string) tea.Cmd {
	return func() tea.Msg { return openNodeMsg{node: node} }
}

func pollMetrics(c Cluster, namespace string, t Ticket) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return metricsMsg{Ticket: t, res: c.PodMetrics(ctx, namespace)}
	}
}

func metricsTick(d time.Duration, t Ticket) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return metricsTickMsg{t} })
}

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
	known bool
	near  bool  // a container is at MemoryWarnPercent of its memory limit or more
	cpu   int64 // millicores, for sorting
	mem   int64 // bytes
	pct   [4]int
	pctOK [4]bool
	text  [usageCols]string
}

// newUsageCells joins a pod's sample to its requests and limits. A pod
// without a sample shows n/a; a percentage without a request or limit to
// compare with shows "-".
func newUsageCells(p *kube.PodSummary, u kube.PodUsage, ok bool) usageCells {
	var c usageCells
	if !ok {
		for i := range c.text {
			c.text[i] = "n/a"
		}
		return c
	}
	tot := u.Total()
	cpu, mem := tot[corev1.ResourceCPU], tot[corev1.ResourceMemory]
	c.known, c.cpu, c.mem = true, cpu.MilliValue(), mem.Value()
	c.text[colCPU], c.text[colMem] = diagnose.FormatCPU(cpu), diagnose.FormatMemory(mem)
	bases := [4]struct {
		used resource.Quantity
		base func(corev1.ResourceName) (resource.Quantity, bool)
		name corev1.ResourceName
	}{{cpu, p.Request, corev1.ResourceCPU}, {cpu, p.Limit, corev1.ResourceCPU}, {mem, p.Request, corev1.ResourceMemory}, {mem, p.Limit, corev1.ResourceMemory}}
	for i, b := range bases {
		c.text[colCPUReq+i] = "-"
		if base, has := b.base(b.name); has {
			c.pct[i], c.pctOK[i] = diagnose.Percent(b.used, base)
		}
		if c.pctOK[i] {
			c.text[colCPUReq+i] = itoa(c.pct[i]) + "%"
		}
	}
	return c
}

// compareUsage orders by a usage sort key: highest first, pods without a
// number last.
func compareUsage(a, b *usageCells, key SortKey) int {
	va, oka := usageValue(a, key)
	vb, okb := usageValue(b, key)
	switch {
	case oka != okb:
		if oka {
			return -1
		}
		return 1
	case va > vb:
		return -1
	case va < vb:
		return 1
	}
	return 0
}

// usageValue is the number a usage sort orders by, and whether it is known.
func usageValue(c *usageCells, key SortKey) (int64, bool) {
	switch key {
	case SortCPU:
		return c.cpu, c.known
	case SortMem:
		return c.mem, c.known
	default:
		i := int(key - SortCPUReq)
		return int64(c.pct[i]), c.pctOK[i]
	}
}

func isUsageSort(k SortKey) bool { return k >= SortCPU && k <= SortMemLim }

// ---- Detail page helpers ----

// UsageHistory keeps the memory and CPU samples of one pod seen since it was
// opened, for sparklines. Bounded; a sample with a time already seen is
// ignored (metrics-server returns the same one until its next scrape).
type UsageHistory struct {
	samples []kube.PodUsage
	max     int
}

// NewUsageHistory keeps up to n samples (at least 2).
func NewUsageHistory(n int) *UsageHistory { return &UsageHistory{max: max(2, n)} }

// Add records a sample.
func (h *UsageHistory) Add(u kube.PodUsage) {
	if n := len(h.samples); n > 0 && !u.Time.After(h.samples[n-1].Time) {
		return
	}
	h.samples = append(h.samples, u)
	if len(h.samples) > h.max {
		h.samples = slices.Delete(h.samples, 0, len(h.samples)-h.max)
	}
}

// Len is the number of samples kept.
func (h *UsageHistory) Len() int { return len(h.samples) }

func (h *UsageHistory) series(container string, name corev1.ResourceName) []float64 {
	out := make([]float64, 0, len(h.samples))
	for _, s := range h.samples {
		q := s.Containers[container][name]
		out = append(out, q.AsApproximateFloat64())
	}
	return out
}

var sparkBars = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as one line of bars scaled to top (the limit, when
// there is one) or to the largest value. Only the last width values fit.
func Sparkline(values []float64, top float64, width int) string {
	if len(values) > width {
		values = values[len(values)-width:]
	}
	for _, v := range values {
		top = max(top, v)
	}
	var b strings.Builder
	for _, v := range values {
		i := 0
		if top > 0 {
			i = int(v / top * float64(len(sparkBars)-1))
		}
		b.WriteRune(sparkBars[max(0, min(i, len(sparkBars)-1))])
	}
	return b.String()
}

// RenderContainerUsage renders, per container, CPU and memory used beside
// the requests and limits (with the percentage of each), headed by the
// pod's QoS class. usage is nil when there is no sample; problem then says
// why (e.g. kube.MetricsNotInstalled). hist may be nil; with two samples
// or more, each container gets a memory sparkline. Lines are plain text with
// styles; the caller fits them to its width.
func RenderContainerUsage(s *Styles, p *corev1.Pod, usage *kube.PodUsage, problem string, hist *UsageHistory) string {
	var b strings.Builder
	qos := string(p.Status.QOSClass)
	if qos == "" {
		qos = "unknown (not set yet)"
	}
	b.WriteString(s.Title.Render("Resources") + "  " + s.Muted.Render("QoS class: ") + qos)
	if usage == nil {
		msg := "usage: n/a"
		if problem != "" {
			msg += " (" + problem + ")"
		}
		b.WriteString("\n" + s.Muted.Render(msg))
	} else if !usage.Time.IsZero() {
		b.WriteString("\n" + s.Muted.Render(fmt.Sprintf("usage sampled at %s over %s", usage.Time.UTC().Format("15:04:05"), usage.Window)))
	}
	header := fmt.Sprintf("%-20s %-4s %8s %8s %6s %8s %6s", "CONTAINER", "", "USED", "REQUEST", "%REQ", "LIMIT", "%LIM")
	b.WriteString("\n" + s.ColumnTitle.Render(header))
	row := func(label, kind string, c *corev1.Container, res corev1.ResourceName) {
		name := c.Name
		used := "n/a"
		var uq resource.Quantity
		var have bool
		if usage != nil {
			uq, have = usage.Containers[name][res]
			if have {
				used = diagnose.FormatQuantity(res, uq)
			}
		}
		cell := func(list corev1.ResourceList) (string, string, float64) {
			q, ok := list[res]
			if !ok {
				return "-", "-", 0
			}
			pct := "-"
			if have {
				if v, ok := diagnose.Percent(uq, q); ok {
					pct = itoa(v) + "%"
				}
			}
			return diagnose.FormatQuantity(res, q), pct, q.AsApproximateFloat64()
		}
		req, reqPct, _ := cell(c.Resources.Requests)
		lim, limPct, limV := cell(c.Resources.Limits)
		line := fmt.Sprintf("%-20s %-4s %8s %8s %6s %8s %6s", trunc(label, 20), kind, used, req, reqPct, lim, limPct)
		st := s.Healthy
		if v, ok := diagnose.Percent(uq, c.Resources.Limits[res]); have && ok && res == corev1.ResourceMemory && v >= diagnose.MemoryWarnPercent {
			st = s.Failing // the OOM killer is near
		} else if !have {
			st = s.Muted
		}
		line = st.Render(line)
		if have && hist != nil && hist.Len() >= 2 {
			line += "  " + s.Muted.Render(Sparkline(hist.series(name, res), limV, 24))
		}
		b.WriteString("\n" + line)
	}
	for _, list := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range list {
			c := &list[i]
			row(c.Name, "cpu", c, corev1.ResourceCPU)
			row("", "mem", c, corev1.ResourceMemory) // one name per container
		}
	}
	return b.String()
}

func trunc(s string, w int) string {
	if len(s) <= w {
		return s
	}
	return s[:w-1] + "…"
}

// RenderNodeSummary renders a node: allocatable, the requests of the pods on
// it, free capacity per resource, pressure conditions and usage from node
// metrics. Plain styled lines; the caller fits them to its width.
func RenderNodeSummary(s *Styles, n kube.NodeSummary, now time.Time) string {
	var b strings.Builder
	node := n.Node
	b.WriteString(s.Title.Render("Node "+node.Name) + "  " + s.Muted.Render(fmt.Sprintf("%d pods", len(n.Pods))))
	if node.Spec.Unschedulable {
		b.WriteString("  " + s.Failing.Render("cordoned (unschedulable)"))
	}
	b.WriteString("\n\n" + s.ColumnTitle.Render(fmt.Sprintf("%-18s %12s %12s %12s %12s", "RESOURCE", "ALLOCATABLE", "REQUESTED", "FREE", "USED")))
	free := diagnose.FreeCapacity(node.Status.Allocatable, n.Requested)
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage, corev1.ResourcePods} {
		alloc, ok := node.Status.Allocatable[res]
		if !ok {
			continue
		}
		requested, freeText, used := "?", "?", "n/a"
		if n.Requested != nil {
			q := n.Requested[res]
			if res == corev1.ResourcePods {
				q = *resource.NewQuantity(int64(len(n.Pods)), resource.DecimalSI)
				f := alloc.DeepCopy()
				f.Sub(q)
				free[res] = f
			}
			requested = diagnose.FormatQuantity(res, q)
			if v, ok := diagnose.Percent(q, alloc); ok {
				requested += fmt.Sprintf(" %d%%", v)
			}
			freeText = diagnose.FormatQuantity(res, free[res])
		}
		if q, ok := n.Usage[res]; ok {
			used = diagnose.FormatQuantity(res, q)
			if v, ok := diagnose.Percent(q, alloc); ok {
				used += fmt.Sprintf(" %d%%", v)
			}
		}
		line := fmt.Sprintf("%-18s %12s %12s %12s %12s", res, diagnose.FormatQuantity(res, alloc), requested, freeText, used)
		if f := free[res]; n.Requested != nil && f.Sign() <= 0 {
			line = s.Failing.Render(line)
		}
		b.WriteString("\n" + line)
	}
	if n.PodsProblem != "" {
		b.WriteString("\n" + s.Error.Render(n.PodsProblem))
	}
	if n.UsageProblem != "" {
		b.WriteString("\n" + s.Muted.Render("usage: n/a ("+n.UsageProblem+")"))
	}
	b.WriteString("\n\n" + s.Title.Render("Conditions"))
	for _, t := range []corev1.NodeConditionType{corev1.NodeReady, corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure} {
		status, since, msg := "Unknown", "", "not reported"
		for _, c := range node.Status.Conditions {
			if c.Type == t {
				status, msg = string(c.Status), c.Message
				if !c.LastTransitionTime.IsZero() {
					since = "for " + diagnose.Age(c.LastTransitionTime.Time, now)
				}
			}
		}
		bad := (t == corev1.NodeReady) != (status == "True")
		line := fmt.Sprintf("%-16s %-7s %-10s %s", t, status, since, msg)
		if bad {
			line = s.Failing.Render(line)
		}
		b.WriteString("\n" + line)
	}
	return b.String()
}

// applyUsage sets a row's usage cells from the latest poll. A pod near its
// memory limit may get another DIAG (oom/near-limit), and its own back when
// it leaves that state.
func (t *podTable) applyUsage(r *podRow, now time.Time) {
	p := r.pod
	u, ok := t.metrics.Pods[kube.Key(p.Namespace, p.Name)]
	r.usage = newUsageCells(p, u, ok)
	for i, text := range r.usage.text {
		r.usageWidth[i] = uint8(min(len(text), 255))
	}
	cat, sev, near := p.ProblemWith(u, now)
	r.usage.near = near
	r.diag, r.diagSev = string(cat), sev
}

// diagAt is a row's DIAG at now. Most rows keep the one derived when the
// pod changed; a pod whose verdict changes with time alone (PodSummary.Later)
// is judged again as it is drawn, which costs only the visible rows.
func (t *podTable) diagAt(r *podRow, now time.Time) string {
	if r.pod == nil || r.pod.Later == nil {
		return r.diag
	}
	cat, _, _ := r.pod.ProblemWith(t.metrics.Pods[kube.Key(r.pod.Namespace, r.pod.Name)], now)
	return string(cat)
}

// setMetrics applies a poll to every row and re-sorts when the order
// depends on usage. A failed poll keeps the last numbers: a blip should not
// blank the columns.
func (t *podTable) setMetrics(m kube.PodMetrics, now time.Time) {
	if m.Problem != "" && t.metrics.Pods != nil && !m.Absent && !m.Forbidden {
		return
	}
	t.metrics = m
	for _, r := range t.all {
		t.applyUsage(r, now)
	}
	if isUsageSort(t.sortKey) {
		t.resort()
	} else {
		t.measure()
	}
}

// nextSortKey cycles the sort key, skipping usage keys while their columns
// are hidden.
func (t *podTable) nextSortKey() {
	for {
		t.sortKey = (t.sortKey + 1) % sortKeyCount
		if !t.hideUsage || !isUsageSort(t.sortKey) {
			return
		}
	}
}

// toggleUsage hides or shows the usage columns; a usage sort falls back to
// name when they go.
func (t *podTable) toggleUsage() {
	t.hideUsage = !t.hideUsage
	if t.hideUsage && isUsageSort(t.sortKey) {
		t.sortKey = SortName
		t.resort()
	}
}

// usagePoll is the app's metrics polling state.
type usagePoll struct {
	polls   asks   // one per namespace polled; results and ticks of older ones are dropped
	ns      string // namespace being polled
	active  bool   // ns is handled: polled on a tick, or refused for good
	absent  bool   // the API is not served: asked again only now and then
	problem string // for the status line; "" when the numbers are fine
}

// pollUsage starts polling ns unless that is already going on. A change of
// namespace (switch, or an RBAC fallback of the feed) starts a new
// generation at once; the kube side still refuses to poll one namespace
// faster than its interval.
func (a *App) pollUsage(ns string) tea.Cmd {
	u := &a.usage
	if u.absent || (u.active && u.ns == ns) {
		return nil
	}
	u.ns, u.active = ns, true
	return pollMetrics(a.cluster, ns, u.polls.next())
}

func (a *App) gotUsage(msg metricsMsg) tea.Cmd {
	u := &a.usage
	if !u.polls.current(msg.Ticket) {
		return nil
	}
	u.problem = msg.res.Problem
	a.table.setMetrics(msg.res, a.now())
	var cmds []tea.Cmd
	if a.top() != nil {
		cmds = append(cmds, a.updateTop(UsageChangedMsg{Metrics: a.table.metrics}))
	}
	u.absent = msg.res.Absent
	if !msg.res.Forbidden {
		// Absent too: metrics-server may be installed later, and asking
		// discovery once per interval is one small GET.
		cmds = append(cmds, metricsTick(a.opts.MetricsInterval, msg.Ticket))
	}
	// Forbidden: RBAC does not change by itself; a namespace switch asks again.
	return tea.Batch(cmds...)
}

func (a *App) usageTick(msg metricsTickMsg) tea.Cmd {
	if !a.usage.polls.current(msg.Ticket) {
		return nil
	}
	return pollMetrics(a.cluster, a.usage.ns, msg.Ticket)
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

// usageHint is the status line's one remark about metrics: why the columns
// say n/a, or why numbers still shown are not fresh.
func (a *App) usageHint() string {
	if a.table.metrics.Problem == "" && a.table.metrics.Pods != nil {
		return "ℹ usage not refreshed: " + a.usage.problem
	}
	return "ℹ CPU/MEM n/a: " + a.usage.problem
}
