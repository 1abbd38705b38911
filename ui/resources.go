package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// What the detail page and the node summary show of resources: requests,
// limits, usage with sparklines, and a node's capacity.

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
