package diagnose

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Columns is what the pod list shows of a pod, from one pass over it.
type Columns struct {
	Status      string
	Ready       int
	Total       int
	Restarts    int
	LastRestart time.Time // zero when unknown
	Health      Health
}

// PodColumns computes the kubectl columns and the health of a pod at once.
func PodColumns(pod *corev1.Pod) Columns {
	if pod == nil {
		return Columns{}
	}
	r := printPod(pod)
	return Columns{
		Status:      r.reason,
		Ready:       r.ready,
		Total:       r.total,
		Restarts:    r.restarts,
		LastRestart: r.lastRestart,
		Health:      healthOf(pod, r),
	}
}
