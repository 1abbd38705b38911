// Package diagnose explains why a pod is broken. It is pure: no API calls and
// no clock of its own; time is always passed in.
package diagnose

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/duration"
)

// podRow is what kubectl's printPod computes for one pod. Status, Ready and
// Restarts all read from it so there is exactly one copy of that logic.
type podRow struct {
	reason      string
	ready       int
	total       int
	restarts    int
	lastRestart time.Time
}

// nodeUnreachablePodReason is the reason the node lifecycle controller sets
// on pods of a lost node (pkg/util/node.NodeUnreachablePodReason).
const nodeUnreachablePodReason = "NodeLost"

// printPod mirrors printPod in kubernetes pkg/printers/internalversion/printers.go
// (v1.37), field for field, so STATUS/READY/RESTARTS match `kubectl get pods`.
func printPod(pod *corev1.Pod) podRow {
	var r podRow
	restarts := 0
	sidecarRestarts := 0
	total := len(pod.Spec.Containers)
	ready := 0
	var lastRestart, lastSidecarRestart time.Time

	phase := pod.Status.Phase
	reason := string(phase)
	if pod.Status.Reason != "" {
		reason = pod.Status.Reason
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonSchedulingGated {
			reason = corev1.PodReasonSchedulingGated
		}
	}

	initSpecs := make(map[string]*corev1.Container, len(pod.Spec.InitContainers))
	for i := range pod.Spec.InitContainers {
		initSpecs[pod.Spec.InitContainers[i].Name] = &pod.Spec.InitContainers[i]
		if isSidecar(&pod.Spec.InitContainers[i]) {
			total++
		}
	}

	initializing := false
	for i := range pod.Status.InitContainerStatuses {
		cs := pod.Status.InitContainerStatuses[i]
		restarts += int(cs.RestartCount)
		if t := cs.LastTerminationState.Terminated; t != nil && lastRestart.Before(t.FinishedAt.Time) {
			lastRestart = t.FinishedAt.Time
		}
		sidecar := isSidecar(initSpecs[cs.Name])
		if sidecar {
			sidecarRestarts += int(cs.RestartCount)
			if t := cs.LastTerminationState.Terminated; t != nil && lastSidecarRestart.Before(t.FinishedAt.Time) {
				lastSidecarRestart = t.FinishedAt.Time
			}
		}
		switch {
		case cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0:
			continue
		case sidecar && cs.Started != nil && *cs.Started:
			if cs.Ready {
				ready++
			}
			continue
		case cs.State.Terminated != nil:
			t := cs.State.Terminated
			switch {
			case t.Reason != "":
				reason = "Init:" + t.Reason
			case t.Signal != 0:
				reason = fmt.Sprintf("Init:Signal:%d", t.Signal)
			default:
				reason = fmt.Sprintf("Init:ExitCode:%d", t.ExitCode)
			}
			initializing = true
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "" && cs.State.Waiting.Reason != "PodInitializing":
			reason = "Init:" + cs.State.Waiting.Reason
			initializing = true
		default:
			reason = fmt.Sprintf("Init:%d/%d", i, len(pod.Spec.InitContainers))
			initializing = true
		}
		// kubectl stops at the first init container that is not done.
		break
	}

	if !initializing || conditionTrue(pod, corev1.PodInitialized) {
		// Once initialised, only sidecar restarts still count from init containers.
		restarts = sidecarRestarts
		lastRestart = lastSidecarRestart
		hasRunning := false
		errorReason := ""
		for i := len(pod.Status.ContainerStatuses) - 1; i >= 0; i-- {
			cs := pod.Status.ContainerStatuses[i]
			restarts += int(cs.RestartCount)
			if t := cs.LastTerminationState.Terminated; t != nil && lastRestart.Before(t.FinishedAt.Time) {
				lastRestart = t.FinishedAt.Time
			}
			switch {
			case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
				reason = cs.State.Waiting.Reason
			case cs.State.Terminated != nil:
				t := cs.State.Terminated
				switch {
				case t.Reason != "":
					reason = t.Reason
				case t.Signal != 0:
					reason = fmt.Sprintf("Signal:%d", t.Signal)
				default:
					reason = fmt.Sprintf("ExitCode:%d", t.ExitCode)
				}
				if t.ExitCode != 0 {
					errorReason = reason
				}
			case cs.Ready && cs.State.Running != nil:
				hasRunning = true
				ready++
			}
		}
		// A finished container must not hide one that still runs.
		if reason == "Completed" {
			switch {
			case hasRunning && conditionTrue(pod, corev1.PodReady):
				reason = "Running"
			case errorReason != "":
				reason = errorReason
			case hasRunning:
				reason = "NotReady"
			}
		}
	}

	if pod.DeletionTimestamp != nil && pod.Status.Reason == nodeUnreachablePodReason {
		reason = "Unknown"
	} else if pod.DeletionTimestamp != nil && phase != corev1.PodFailed && phase != corev1.PodSucceeded {
		reason = "Terminating"
	}

	r.reason = reason
	r.ready = ready
	r.total = total
	r.restarts = restarts
	r.lastRestart = lastRestart
	return r
}

// Status is exactly what `kubectl get pods` prints in the STATUS column.
func Status(pod *corev1.Pod) string {
	if pod == nil {
		return ""
	}
	return printPod(pod).reason
}

// Ready returns the READY column (ready/total), counting started, ready
// sidecars (restartable init containers) as kubectl does.
func Ready(pod *corev1.Pod) (ready, total int) {
	if pod == nil {
		return 0, 0
	}
	r := printPod(pod)
	return r.ready, r.total
}

// RestartCount is the number in the RESTARTS column, for sorting.
func RestartCount(pod *corev1.Pod) int {
	if pod == nil {
		return 0
	}
	return printPod(pod).restarts
}

// Restarts is the RESTARTS column: "3" or "3 (5m ago)", relative to now.
func Restarts(pod *corev1.Pod, now time.Time) string {
	if pod == nil {
		return "0"
	}
	r := printPod(pod)
	return FormatRestarts(r.restarts, r.lastRestart, now)
}

// FormatRestarts is the RESTARTS column from a count and the time of the
// last restart (zero when unknown).
func FormatRestarts(restarts int, last, now time.Time) string {
	s := strconv.Itoa(restarts)
	if restarts != 0 && !last.IsZero() {
		s = fmt.Sprintf("%d (%s ago)", restarts, HumanDuration(now.Sub(last)))
	}
	return s
}

// Age formats the time since t as kubectl's AGE column does.
func Age(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return HumanDuration(now.Sub(t))
}

// HumanDuration is kubectl's duration format ("5m", "3h20m", "12d").
func HumanDuration(d time.Duration) string { return duration.HumanDuration(d) }

func isSidecar(c *corev1.Container) bool {
	return c != nil && c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// conditionTrue reports whether the first condition of type t is True
// (kubectl looks at the first match only).
func conditionTrue(pod *corev1.Pod, t corev1.PodConditionType) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == t {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// Health is a coarse state used to colour pod rows.
type Health int

const (
	HealthOK          Health = iota // running and every container ready
	HealthProgressing               // pending, creating, initialising, not ready yet, terminating
	HealthFailing                   // an error reason: crash loop, image pull, evicted, ...
	HealthCompleted                 // succeeded / completed
)

func (h Health) String() string {
	switch h {
	case HealthOK:
		return "ok"
	case HealthProgressing:
		return "progressing"
	case HealthFailing:
		return "failing"
	case HealthCompleted:
		return "completed"
	}
	return "unknown"
}

// failingReasons are STATUS words that always mean something is wrong.
var failingReasons = map[string]bool{
	"CrashLoopBackOff": true, "ErrImagePull": true, "ImagePullBackOff": true,
	"InvalidImageName": true, "ErrImageNeverPull": true, "RegistryUnavailable": true,
	"ImageInspectError": true, "SignatureValidationFailed": true, "ErrImagePullBackOff": true,
	"CreateContainerConfigError": true, "CreateContainerError": true, "RunContainerError": true,
	"StartError": true, "ContainerCannotRun": true, "PreStartHookError": true,
	"PostStartHookError": true, "PreCreateHookError": true, "OOMKilled": true, "Error": true,
	"DeadlineExceeded": true, "Evicted": true, "NodeLost": true, "Unknown": true,
	"UnexpectedAdmissionError": true, "OutOfcpu": true, "OutOfmemory": true, "OutOfpods": true,
	"NodeAffinity": true, "NodeShutdown": true, "Shutdown": true, "Terminated": true,
	"Preempting": true, "ContainerStatusUnknown": true, "Failed": true, "Invalid": true,
	"CreatePodSandboxError": true, "KillPodSandboxError": true, "ConfigPodSandboxError": true,
}

// PodHealth classifies a pod for colouring, from the same STATUS kubectl prints.
func PodHealth(pod *corev1.Pod) Health {
	if pod == nil {
		return HealthProgressing
	}
	return healthOf(pod, printPod(pod))
}

// healthOf classifies from an already computed row (no second pass).
func healthOf(pod *corev1.Pod, r podRow) Health {
	s := r.reason
	switch s {
	case "Completed", "Succeeded", "ExitCode:0":
		return HealthCompleted
	case "Running":
		if r.ready == r.total {
			return HealthOK
		}
		return HealthProgressing
	case "Terminating":
		return HealthProgressing
	}
	if strings.HasPrefix(s, "Init:") {
		rest := strings.TrimPrefix(s, "Init:")
		if isInitProgress(rest) || rest == "ContainerCreating" || rest == "Completed" {
			return HealthProgressing
		}
		return HealthFailing
	}
	if failingReasons[s] || strings.HasPrefix(s, "Signal:") || strings.HasPrefix(s, "ExitCode:") {
		return HealthFailing
	}
	if pod.Status.Phase == corev1.PodFailed {
		return HealthFailing
	}
	if pod.Status.Phase == corev1.PodSucceeded {
		return HealthCompleted
	}
	return HealthProgressing
}

// isInitProgress matches the "N/M" of "Init:N/M".
func isInitProgress(s string) bool {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return false
	}
	_, err1 := strconv.Atoi(a)
	_, err2 := strconv.Atoi(b)
	return err1 == nil && err2 == nil
}
