package diagnose

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// The waits after which a pod that has not changed is judged differently.
// The checks use these, and NextChange lists the moments they end, so a
// caller that keeps a verdict knows when to judge the pod again.
const (
	// overdueAfter: a pod still there this long after its deletionTimestamp
	// (the deletion time plus the grace period) is stuck terminating.
	overdueAfter = 30 * time.Second
	// unscheduledAfter: a pending pod no scheduler reported on this long.
	unscheduledAfter = time.Minute
	// notReadyAfter: a running container not ready this long.
	notReadyAfter = time.Minute
	// gateWaitAfter: a readiness gate still not True this long after every
	// container became ready.
	gateWaitAfter = 2 * time.Minute
	// initStuckAfter: an init container still running this long.
	initStuckAfter = 5 * time.Minute
	// createStuckAfter: a pod on a node that has started no container
	// this long (volumes, sandbox and image pulls are all done by then on
	// a healthy node, and the kubelet's volume wait alone gives up after
	// about 2 minutes).
	createStuckAfter = 5 * time.Minute
	// restartLoopWindow: a container restarted again within this is caught
	// between crashes of a crash loop (the kubelet's backoff resets after
	// 10 minutes of running).
	restartLoopWindow = 10 * time.Minute
	// recentRestartWindow: a clean exit restarted within this is reported.
	recentRestartWindow = time.Hour
)

// NextChange is the first moment after now at which Diagnose may judge the
// pod differently although the pod and its events stay the same: when one
// of the waits above ends. It is zero when no wait is running. Callers
// that keep a verdict judge the pod again then, and only such pods.
func NextChange(pod *corev1.Pod, now time.Time) time.Time {
	var next time.Time
	at := func(t time.Time, d time.Duration) {
		if t.IsZero() {
			return
		}
		if end := t.Add(d); end.After(now) && (next.IsZero() || end.Before(next)) {
			next = end
		}
	}
	if pod.DeletionTimestamp != nil {
		at(pod.DeletionTimestamp.Time, overdueAfter)
	}
	if pod.Spec.NodeName == "" {
		at(pod.CreationTimestamp.Time, unscheduledAfter)
	} else if !anyStarted(pod) {
		at(creatingSince(pod), createStuckAfter)
	}
	if len(pod.Spec.ReadinessGates) > 0 {
		if cr := condition(pod, corev1.ContainersReady); cr != nil && cr.Status == corev1.ConditionTrue {
			at(cr.LastTransitionTime.Time, gateWaitAfter)
		}
	}
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for i := range list {
			s := &list[i]
			if r := s.State.Running; r != nil {
				at(r.StartedAt.Time, notReadyAfter)
				at(r.StartedAt.Time, initStuckAfter)
			}
			if lt := s.LastTerminationState.Terminated; lt != nil {
				at(lt.FinishedAt.Time, restartLoopWindow)
				at(lt.FinishedAt.Time, recentRestartWindow)
			}
		}
	}
	return next
}

// anyStarted reports whether a container of the pod runs or has run.
func anyStarted(pod *corev1.Pod) bool {
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for i := range list {
			if s := &list[i]; s.State.Running != nil || s.State.Terminated != nil || s.LastTerminationState.Terminated != nil {
				return true
			}
		}
	}
	return false
}
