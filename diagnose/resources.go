package diagnose

import (
	"fmt"
	"math"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Resource arithmetic shared by the pod list, the detail page, the node
// summary and the rules. Pure: usage numbers come in as inputs.

// PodRequests is what the scheduler counts for the pod, per resource: the
// larger of the largest init container and the sum of the app containers plus
// sidecars (restartable init containers), plus overhead. Resources nobody
// requests are absent.
func PodRequests(p *corev1.Pod) corev1.ResourceList { return perResource(p, requestsOf, PodRequest) }

// PodRequest is one resource of PodRequests, and whether the pod requests it.
func PodRequest(p *corev1.Pod, name corev1.ResourceName) (resource.Quantity, bool) {
	if !names(p, requestsOf, name) {
		return resource.Quantity{}, false
	}
	q, _ := podTotal(p, name, requestsOf, nil)
	return q, !q.IsZero()
}

// PodLimits is the pod's effective limit per resource, computed like the
// request. A resource is absent when any app container or sidecar has no
// limit for it: the pod as a whole is then unbounded.
func PodLimits(p *corev1.Pod) corev1.ResourceList { return perResource(p, limitsOf, PodLimit) }

// PodLimit is one resource of PodLimits, and whether the pod is bounded in it.
func PodLimit(p *corev1.Pod, name corev1.ResourceName) (resource.Quantity, bool) {
	if !names(p, limitsOf, name) {
		return resource.Quantity{}, false
	}
	return podTotal(p, name, limitsOf, nil)
}

func perResource(p *corev1.Pod, list func(*corev1.Container) corev1.ResourceList, one func(*corev1.Pod, corev1.ResourceName) (resource.Quantity, bool)) corev1.ResourceList {
	out := corev1.ResourceList{}
	for _, name := range podResourceNames(p, list) {
		if q, ok := one(p, name); ok {
			out[name] = q
		}
	}
	return out
}

// podTotal adds up a resource the way the scheduler does: the larger of the
// app containers plus sidecars and any single init container (on top of the
// sidecars started before it), plus overhead. all says whether every app
// container and sidecar sets it. With parts it also lists the app
// containers' and sidecars' shares, for evidence.
func podTotal(p *corev1.Pod, name corev1.ResourceName, list func(*corev1.Container) corev1.ResourceList, parts *[]string) (sum resource.Quantity, all bool) {
	all = true
	share := func(c *corev1.Container, q resource.Quantity) {
		if parts != nil {
			*parts = append(*parts, fmt.Sprintf("%s %s", c.Name, q.String()))
		}
	}
	var sidecars, initMax resource.Quantity
	for i := range p.Spec.InitContainers {
		ic := &p.Spec.InitContainers[i]
		q, ok := list(ic)[name]
		if isSidecar(ic) {
			all = all && ok
			if ok {
				sidecars.Add(q)
				share(ic, q)
			}
			continue
		}
		if ok {
			cand := sidecars.DeepCopy()
			cand.Add(q)
			if cand.Cmp(initMax) > 0 {
				initMax = cand
			}
		}
	}
	sum.Add(sidecars)
	for i := range p.Spec.Containers {
		c := &p.Spec.Containers[i]
		q, ok := list(c)[name]
		all = all && ok
		if ok {
			sum.Add(q)
			share(c, q)
		}
	}
	if initMax.Cmp(sum) > 0 {
		sum = initMax
	}
	if q, ok := p.Spec.Overhead[name]; ok {
		sum.Add(q)
	}
	return sum, all
}

func requestsOf(c *corev1.Container) corev1.ResourceList { return c.Resources.Requests }
func limitsOf(c *corev1.Container) corev1.ResourceList   { return c.Resources.Limits }

// names reports whether any container names the resource in list.
func names(p *corev1.Pod, list func(*corev1.Container) corev1.ResourceList, name corev1.ResourceName) bool {
	for _, cs := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range cs {
			if _, ok := list(&cs[i])[name]; ok {
				return true
			}
		}
	}
	return false
}

// podResourceNames lists the resources any container names in list, in a
// stable order (cpu, memory, then the rest as found).
func podResourceNames(p *corev1.Pod, list func(*corev1.Container) corev1.ResourceList) []corev1.ResourceName {
	seen := map[corev1.ResourceName]bool{}
	names := []corev1.ResourceName{}
	add := func(c *corev1.Container) {
		for n := range list(c) {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	for i := range p.Spec.InitContainers {
		add(&p.Spec.InitContainers[i])
	}
	for i := range p.Spec.Containers {
		add(&p.Spec.Containers[i])
	}
	return names
}

// Percent is used as a whole percentage of base, rounded. ok is false when
// there is no base (no request or no limit, or zero): a percentage of
// nothing means nothing. Units do not matter: 1Gi and 1G, 0.5 and 500m
// compare as the numbers they are.
func Percent(used, base resource.Quantity) (pct int, ok bool) {
	b := base.AsApproximateFloat64()
	if b <= 0 {
		return 0, false
	}
	return int(math.Round(used.AsApproximateFloat64() / b * 100)), true
}

// Terminated reports whether the pod no longer holds node resources
// (Succeeded or Failed), the way the scheduler counts.
func Terminated(p *corev1.Pod) bool {
	return p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
}

// NodeRequests sums the effective requests of the pods bound to each node,
// skipping terminated pods: what the scheduler considers taken.
func NodeRequests(pods []*corev1.Pod) map[string]corev1.ResourceList {
	out := map[string]corev1.ResourceList{}
	for _, p := range pods {
		if p.Spec.NodeName == "" || Terminated(p) {
			continue
		}
		sum := out[p.Spec.NodeName]
		if sum == nil {
			sum = corev1.ResourceList{}
			out[p.Spec.NodeName] = sum
		}
		for name, q := range PodRequests(p) {
			cur := sum[name]
			cur.Add(q)
			sum[name] = cur
		}
	}
	return out
}

// FreeCapacity is allocatable minus requested, per allocatable resource. It
// can be negative: pods admitted before allocatable shrank keep running.
func FreeCapacity(allocatable, requested corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for name, a := range allocatable {
		free := a.DeepCopy()
		if r, ok := requested[name]; ok {
			free.Sub(r)
		}
		out[name] = free
	}
	return out
}

// FormatCPU writes CPU the way kubectl top does, in millicores ("250m"),
// and node-sized amounts from 10 cores in cores ("32", "12.5"), which read
// better than "32000m".
func FormatCPU(q resource.Quantity) string {
	m := q.MilliValue()
	if m >= 10000 || m <= -10000 {
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", float64(m)/1000), "0"), ".")
	}
	return fmt.Sprintf("%dm", m)
}

// FormatMemory writes memory the way kubectl top does: mebibytes ("300Mi"),
// with Ki below 1Mi and Gi from 10Gi, so a column stays short.
func FormatMemory(q resource.Quantity) string {
	v := q.Value()
	if v < 0 { // free capacity can be negative
		return "-" + FormatMemory(*resource.NewQuantity(-v, resource.BinarySI))
	}
	switch {
	case v >= 10<<30:
		return fmt.Sprintf("%.1fGi", float64(v)/(1<<30))
	case v >= 1<<20 || v == 0:
		return fmt.Sprintf("%dMi", v>>20)
	default:
		return fmt.Sprintf("%dKi", v>>10)
	}
}

// FormatQuantity writes q in the unit its resource is shown in.
func FormatQuantity(name corev1.ResourceName, q resource.Quantity) string {
	switch name {
	case corev1.ResourceCPU:
		return FormatCPU(q)
	case corev1.ResourceMemory, corev1.ResourceEphemeralStorage:
		return FormatMemory(q)
	}
	return q.String()
}

// MemoryWarnPercent is the share of its memory limit above which a container
// is warned about: the OOM killer acts at 100%.
const MemoryWarnPercent = 90

// Usage is a metrics.k8s.io sample of one pod, as the engine takes it.
type Usage struct {
	Time       time.Time
	Containers map[string]corev1.ResourceList
}

// memorySeen is a container's memory in the latest sample, if any.
func (c *ctx) memorySeen(container string) (resource.Quantity, time.Time, bool) {
	u := c.in.Usage
	if u == nil {
		return resource.Quantity{}, time.Time{}, false
	}
	q, ok := u.Containers[container][corev1.ResourceMemory]
	return q, u.Time, ok
}

// usageLine describes a memory sample against a limit, for evidence.
func (c *ctx) usageLine(q resource.Quantity, at time.Time, limit resource.Quantity, hasLimit bool) string {
	s := "metrics.k8s.io: memory " + FormatMemory(q)
	if pct, ok := Percent(q, limit); ok && hasLimit {
		s += fmt.Sprintf(" = %d%% of the %s limit", pct, limit.String())
	}
	if !at.IsZero() {
		s += ", sampled " + c.ago(at) + " ago"
	}
	return s
}

// nearMemoryLimit warns about a running container close to its memory limit,
// before the kernel OOM-kills it.
func (c *ctx) nearMemoryLimit(v cview) {
	if v.spec == nil || v.status == nil || v.status.State.Running == nil {
		return
	}
	lim, ok := v.spec.Resources.Limits[corev1.ResourceMemory]
	if !ok {
		return
	}
	q, at, ok := c.memorySeen(v.name())
	if !ok {
		return
	}
	pct, ok := Percent(q, lim)
	if !ok || pct < MemoryWarnPercent {
		return
	}
	summary := fmt.Sprintf("Memory at %d%% of its limit (%s of %s): close to being OOMKilled", pct, FormatMemory(q), lim.String())
	c.add(NearMemoryLimitRule, v.name(), summary, "", []string{c.usageLine(q, at, lim, true)}, nil)
}
