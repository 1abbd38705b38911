package kube

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/diagnose"
)

// PodSummary is what the pod cache keeps of a pod: the list's columns, the
// pod's most likely problem judged from the pod alone, and enough to find
// the pod again. A full pod is some 18 KB in memory, a summary under 1 KB;
// at 100k pods that is the difference between 2 GB and 100 MB.
//
// Pages about one pod read the full pod from the API server (GetPod) and
// read it again when the summary's ResourceVersion moves.
type PodSummary struct {
	// ObjectMeta holds only the name, namespace, UID, resourceVersion,
	// creation and deletion times; the cache keys and indexes by it.
	metav1.ObjectMeta

	Node string
	IP   string
	// Columns are READY, STATUS, RESTARTS and the health, as
	// diagnose.PodColumns computes them.
	Columns diagnose.Columns
	// Problem is the category of the top finding at warning or above ("" when
	// none), from the pod alone, at the time the pod last changed.
	Problem         diagnose.Category
	ProblemSeverity diagnose.Severity
	ProblemRule     string
	// Later holds the verdicts the pod-only diagnosis reaches as time passes
	// while the pod stays the same (a pod stuck terminating once its grace
	// period is over, a crash loop that calms down), each from its time on;
	// nil for most pods. Use ProblemAt.
	Later []Verdict
	// MemLimits are the running app containers with a memory limit: a
	// metrics sample near one of them raises diagnose's oom/near-limit.
	MemLimits []ContainerLimit
	// Controller names the pod's controlling owner ("Deployment/api"), ""
	// for a bare pod.
	Controller string
	// Requests and limits of the pod as a whole (diagnose.PodRequests and
	// PodLimits), in millicores and bytes; NoQuantity when there is none.
	CPURequest, CPULimit, MemRequest, MemLimit int64
}

// Verdict is the pod-only top problem from a moment on.
type Verdict struct {
	From     time.Time
	Problem  diagnose.Category
	Severity diagnose.Severity
	Rule     string
}

// laterSteps bounds how many future verdicts a summary keeps; a pod has
// only a few waits running at once (see diagnose.NextChange).
const laterSteps = 6

// ContainerLimit is one container's memory limit, in bytes.
type ContainerLimit struct {
	Container string
	Bytes     int64
}

// NoQuantity marks a request or limit a pod does not set.
const NoQuantity int64 = -1

// Summarize reduces a pod to its summary, with now as the time the top
// finding is judged at.
func Summarize(p *corev1.Pod, now time.Time) *PodSummary {
	s := &PodSummary{
		ObjectMeta: metav1.ObjectMeta{
			Name: p.Name, Namespace: p.Namespace, UID: p.UID, ResourceVersion: p.ResourceVersion,
			CreationTimestamp: p.CreationTimestamp, DeletionTimestamp: p.DeletionTimestamp,
		},
		Node:       p.Spec.NodeName,
		IP:         p.Status.PodIP,
		Columns:    diagnose.PodColumns(p),
		Controller: diagnose.ControllerName(p),
	}
	v := judge(p, now)
	s.Problem, s.ProblemSeverity, s.ProblemRule = v.Problem, v.Severity, v.Rule
	// Judge again at each moment the verdict may change with time alone, so
	// the list shows it then without the pod changing.
	last := v
	for t, i := diagnose.NextChange(p, now), 0; !t.IsZero() && i < laterSteps; t, i = diagnose.NextChange(p, t), i+1 {
		if w := judge(p, t); w.Rule != last.Rule || w.Severity != last.Severity {
			s.Later = append(s.Later, w)
			last = w
		}
	}
	for i := range p.Spec.Containers {
		c := &p.Spec.Containers[i]
		if q, ok := c.Resources.Limits[corev1.ResourceMemory]; ok && running(p, c.Name) {
			s.MemLimits = append(s.MemLimits, ContainerLimit{Container: c.Name, Bytes: q.Value()})
		}
	}
	s.CPURequest = millis(diagnose.PodRequest(p, corev1.ResourceCPU))
	s.MemRequest = units(diagnose.PodRequest(p, corev1.ResourceMemory))
	s.CPULimit = millis(diagnose.PodLimit(p, corev1.ResourceCPU))
	s.MemLimit = units(diagnose.PodLimit(p, corev1.ResourceMemory))
	return s
}

// judge is the pod-only top problem at warning or above at now.
func judge(p *corev1.Pod, now time.Time) Verdict {
	for _, f := range diagnose.Diagnose(diagnose.Input{Pod: p, Now: now}) {
		if f.Severity >= diagnose.SeverityWarning {
			return Verdict{From: now, Problem: f.Category, Severity: f.Severity, Rule: f.Rule}
		}
	}
	return Verdict{From: now}
}

// ProblemAt is the pod-only top problem at now: Problem, or a later
// verdict once its time has come.
func (s *PodSummary) ProblemAt(now time.Time) (diagnose.Category, diagnose.Severity, string) {
	cat, sev, rule := s.Problem, s.ProblemSeverity, s.ProblemRule
	for _, v := range s.Later {
		if now.Before(v.From) {
			break
		}
		cat, sev, rule = v.Problem, v.Severity, v.Rule
	}
	return cat, sev, rule
}

func running(p *corev1.Pod, container string) bool {
	for i := range p.Status.ContainerStatuses {
		if cs := &p.Status.ContainerStatuses[i]; cs.Name == container {
			return cs.State.Running != nil
		}
	}
	return false
}

// millis and units are a request or limit as the summary keeps it: cpu in
// millicores, memory in bytes.
func millis(q resource.Quantity, ok bool) int64 {
	if !ok {
		return NoQuantity
	}
	return q.MilliValue()
}

func units(q resource.Quantity, ok bool) int64 {
	if !ok {
		return NoQuantity
	}
	return q.Value()
}

// Request is the pod's request for cpu or memory as a quantity, and whether
// it sets one.
func (s *PodSummary) Request(name corev1.ResourceName) (resource.Quantity, bool) {
	return s.asQuantity(name, s.CPURequest, s.MemRequest)
}

// Limit is the pod's limit for cpu or memory, and whether it has one.
func (s *PodSummary) Limit(name corev1.ResourceName) (resource.Quantity, bool) {
	return s.asQuantity(name, s.CPULimit, s.MemLimit)
}

func (s *PodSummary) asQuantity(name corev1.ResourceName, cpu, mem int64) (resource.Quantity, bool) {
	switch {
	case name == corev1.ResourceCPU && cpu != NoQuantity:
		return *resource.NewMilliQuantity(cpu, resource.DecimalSI), true
	case name == corev1.ResourceMemory && mem != NoQuantity:
		return *resource.NewQuantity(mem, resource.BinarySI), true
	}
	return resource.Quantity{}, false
}

// Restarts is the RESTARTS column as kubectl prints it ("5 (3m ago)").
func (s *PodSummary) Restarts(now time.Time) string {
	return diagnose.FormatRestarts(s.Columns.Restarts, s.Columns.LastRestart, now)
}

// summarizeWith is the pod cache's transform: each pod is reduced to its
// summary as it arrives, so the decoded pod is garbage at once. It must be
// idempotent: client-go may pass an object through it twice.
// The container terminations the pod shows go to restarts (when not nil)
// on the way: the restart history lives beside the summaries.
func summarizeWith(now func() time.Time, restarts *restartHistory) func(obj any) (any, error) {
	return func(obj any) (any, error) {
		if p, ok := obj.(*corev1.Pod); ok {
			restarts.observe(p)
			return Summarize(p, now()), nil
		}
		return obj, nil
	}
}

// ProblemWith is the top problem once a metrics sample is known, and
// whether a container is near its memory limit: that adds diagnose's
// oom/near-limit finding, which may outrank the pod-only one.
func (s *PodSummary) ProblemWith(u PodUsage, now time.Time) (diagnose.Category, diagnose.Severity, bool) {
	problem, severity, rule := s.ProblemAt(now)
	for _, l := range s.MemLimits {
		q, ok := u.Containers[l.Container][corev1.ResourceMemory]
		if !ok {
			continue
		}
		pct, ok := diagnose.Percent(q, *resource.NewQuantity(l.Bytes, resource.BinarySI))
		if !ok || pct < diagnose.MemoryWarnPercent {
			continue
		}
		r, _ := diagnose.RuleOf(diagnose.NearMemoryLimitRule)
		if problem == "" || diagnose.Outranks(r.Severity, r.ID, severity, rule) {
			return r.Category, r.Severity, true
		}
		return problem, severity, true
	}
	return problem, severity, false
}
