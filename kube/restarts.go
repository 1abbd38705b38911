package kube

import (
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/internal/defaults"
)

// Bounds of the restart history: the API keeps one previous termination per
// container; podtui keeps those it saw while it ran, at most this many per
// pod and in all (some 100 bytes each: 2 MB at most).
const (
	restartsPerPod = 32
	restartsTotal  = 20000
)

// restartHistory keeps every container termination the pod informer saw,
// beside the summaries (not in them: the cache stays small, and a summary
// is rebuilt on every change). Safe for concurrent use.
type restartHistory struct {
	mu    sync.Mutex
	pods  map[types.UID][]diagnose.Termination
	order []types.UID // one entry per kept termination, oldest first: what to drop when full
	// usage is the latest metrics poll's samples (shared with the poll's
	// result, read only): the memory a container had before an OOM kill.
	usage map[string]PodUsage
}

// sampleBefore is how old a memory sample may be at a termination to count
// as the memory it ended with: two polls at metrics-server's resolution.
const sampleBefore = 2 * defaults.MetricsInterval

// noteUsage keeps a poll's samples for the terminations that follow.
func (h *restartHistory) noteUsage(m PodMetrics) {
	if h == nil || m.Pods == nil {
		return
	}
	h.mu.Lock()
	h.usage = m.Pods
	h.mu.Unlock()
}

// memoryBefore is the container's last sample before t ended, if recent.
func (h *restartHistory) memoryBefore(p *corev1.Pod, t *diagnose.Termination) {
	u, ok := h.usage[Key(p.Namespace, p.Name)]
	if !ok || u.Time.After(t.FinishedAt) || t.FinishedAt.Sub(u.Time) > sampleBefore {
		return
	}
	if q, ok := u.Containers[t.Container][corev1.ResourceMemory]; ok {
		t.MemoryBefore, t.MemoryAt = q.Value(), u.Time
	}
}

func newRestartHistory() *restartHistory {
	return &restartHistory{pods: map[types.UID][]diagnose.Termination{}}
}

// observe records the terminations a pod's status shows that are new. It is
// idempotent: the same termination (container and finish time) is kept once.
func (h *restartHistory) observe(p *corev1.Pod) {
	if h == nil || p.UID == "" {
		return
	}
	var seen []diagnose.Termination
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, s := range list {
			for _, t := range []*corev1.ContainerStateTerminated{s.LastTerminationState.Terminated, s.State.Terminated} {
				if t == nil || t.FinishedAt.IsZero() {
					continue
				}
				seen = append(seen, diagnose.Termination{
					Container: s.Name, Reason: t.Reason, ExitCode: t.ExitCode, Signal: t.Signal,
					StartedAt: t.StartedAt.Time, FinishedAt: t.FinishedAt.Time,
				})
			}
		}
	}
	if len(seen) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	kept := h.pods[p.UID]
	for _, t := range seen {
		if slices.ContainsFunc(kept, func(k diagnose.Termination) bool {
			return k.Container == t.Container && k.FinishedAt.Equal(t.FinishedAt)
		}) {
			continue
		}
		h.memoryBefore(p, &t)
		if len(kept) == restartsPerPod {
			kept = kept[1:]
			h.dropOrder(p.UID)
		}
		kept = append(kept, t)
		h.order = append(h.order, p.UID)
	}
	slices.SortStableFunc(kept, func(a, b diagnose.Termination) int { return a.FinishedAt.Compare(b.FinishedAt) })
	h.pods[p.UID] = kept
	for len(h.order) > restartsTotal {
		oldest := h.order[0]
		h.order = h.order[1:]
		if k := h.pods[oldest]; len(k) <= 1 {
			delete(h.pods, oldest)
		} else {
			h.pods[oldest] = k[1:]
		}
	}
}

// dropOrder removes the oldest order entry of uid (its oldest termination).
func (h *restartHistory) dropOrder(uid types.UID) {
	if i := slices.Index(h.order, uid); i >= 0 {
		h.order = slices.Delete(h.order, i, i+1)
	}
}

// forget drops a deleted pod's history.
func (h *restartHistory) forget(uid types.UID) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.pods[uid]; !ok {
		return
	}
	delete(h.pods, uid)
	h.order = slices.DeleteFunc(h.order, func(u types.UID) bool { return u == uid })
}

// of returns a copy of the pod's terminations, oldest first.
func (h *restartHistory) of(uid types.UID) []diagnose.Termination {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.pods[uid])
}
