package diagnose

import (
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var testNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// Small builders so each table row reads like the pod it describes.

func running(name string, ready bool) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name: name, Ready: ready, Started: ptr(true),
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
	}
}

func waiting(name, reason string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
}

func terminated(name, reason string, code, signal int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		Reason: reason, ExitCode: code, Signal: signal,
	}}}
}

func withRestarts(cs corev1.ContainerStatus, n int32, lastFinished time.Time) corev1.ContainerStatus {
	cs.RestartCount = n
	if !lastFinished.IsZero() {
		cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", FinishedAt: metav1.NewTime(lastFinished)}
	}
	return cs
}

func ptr[T any](v T) *T { return &v }

type podOpt func(*corev1.Pod)

func mkPod(phase corev1.PodPhase, opts ...podOpt) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}, Status: corev1.PodStatus{Phase: phase}}
	for _, o := range opts {
		o(p)
	}
	return p
}

func containers(cs ...corev1.ContainerStatus) podOpt {
	return func(p *corev1.Pod) {
		for _, c := range cs {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c.Name})
		}
		p.Status.ContainerStatuses = cs
	}
}

// specContainers adds spec containers without statuses (e.g. not yet created).
func specContainers(names ...string) podOpt {
	return func(p *corev1.Pod) {
		for _, n := range names {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: n})
		}
	}
}

func inits(cs ...corev1.ContainerStatus) podOpt {
	return func(p *corev1.Pod) {
		for _, c := range cs {
			p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: c.Name})
		}
		p.Status.InitContainerStatuses = cs
	}
}

// sidecars adds restartable init containers (restartPolicy: Always).
func sidecars(cs ...corev1.ContainerStatus) podOpt {
	return func(p *corev1.Pod) {
		for _, c := range cs {
			p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: c.Name, RestartPolicy: ptr(corev1.ContainerRestartPolicyAlways)})
		}
		p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, cs...)
	}
}

func cond(t corev1.PodConditionType, s corev1.ConditionStatus, reason string) podOpt {
	return func(p *corev1.Pod) {
		p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: t, Status: s, Reason: reason})
	}
}

func reason(r string) podOpt { return func(p *corev1.Pod) { p.Status.Reason = r } }

func deleting() podOpt {
	return func(p *corev1.Pod) { t := metav1.NewTime(testNow.Add(-time.Minute)); p.DeletionTimestamp = &t }
}

func notStarted(cs corev1.ContainerStatus) corev1.ContainerStatus { cs.Started = ptr(false); return cs }

func TestStatus(t *testing.T) {
	ago := func(d time.Duration) time.Time { return testNow.Add(-d) }
	tests := []struct {
		name     string
		pod      *corev1.Pod
		status   string
		ready    string
		restarts string
		health   Health
	}{
		{
			"running ready", mkPod(corev1.PodRunning, containers(running("app", true)), cond(corev1.PodReady, corev1.ConditionTrue, "")),
			"Running", "1/1", "0", HealthOK,
		},
		{
			"running not ready", mkPod(corev1.PodRunning, containers(running("app", false))),
			"Running", "0/1", "0", HealthProgressing,
		},
		{
			"pending unscheduled", mkPod(corev1.PodPending, specContainers("app"), cond(corev1.PodScheduled, corev1.ConditionFalse, "Unschedulable")),
			"Pending", "0/1", "0", HealthProgressing,
		},
		{
			"scheduling gated", mkPod(corev1.PodPending, specContainers("app"), cond(corev1.PodScheduled, corev1.ConditionFalse, "SchedulingGated")),
			"SchedulingGated", "0/1", "0", HealthProgressing,
		},
		{
			"container creating", mkPod(corev1.PodPending, containers(waiting("app", "ContainerCreating"))),
			"ContainerCreating", "0/1", "0", HealthProgressing,
		},
		{
			"err image pull", mkPod(corev1.PodPending, containers(waiting("app", "ErrImagePull"))),
			"ErrImagePull", "0/1", "0", HealthFailing,
		},
		{
			"image pull backoff", mkPod(corev1.PodPending, containers(waiting("app", "ImagePullBackOff"))),
			"ImagePullBackOff", "0/1", "0", HealthFailing,
		},
		{
			"invalid image name", mkPod(corev1.PodPending, containers(waiting("app", "InvalidImageName"))),
			"InvalidImageName", "0/1", "0", HealthFailing,
		},
		{
			"create container config error", mkPod(corev1.PodPending, containers(waiting("app", "CreateContainerConfigError"))),
			"CreateContainerConfigError", "0/1", "0", HealthFailing,
		},
		{
			"crash loop with restarts ago", mkPod(corev1.PodRunning, containers(withRestarts(waiting("app", "CrashLoopBackOff"), 5, ago(5*time.Minute+30*time.Second)))),
			"CrashLoopBackOff", "0/1", "5 (5m30s ago)", HealthFailing,
		},
		{
			"restarts hours ago", mkPod(corev1.PodRunning, containers(withRestarts(running("app", true), 12, ago(3*time.Hour+20*time.Minute))), cond(corev1.PodReady, corev1.ConditionTrue, "")),
			"Running", "1/1", "12 (3h20m ago)", HealthOK,
		},
		{
			"restarts without last state", mkPod(corev1.PodRunning, containers(withRestarts(running("app", true), 2, time.Time{}))),
			"Running", "1/1", "2", HealthOK,
		},
		{
			"oomkilled terminated", mkPod(corev1.PodRunning, containers(terminated("app", "OOMKilled", 137, 0))),
			"OOMKilled", "0/1", "0", HealthFailing,
		},
		{
			"terminated error", mkPod(corev1.PodFailed, containers(terminated("app", "Error", 1, 0))),
			"Error", "0/1", "0", HealthFailing,
		},
		{
			"terminated signal no reason", mkPod(corev1.PodFailed, containers(terminated("app", "", 137, 9))),
			"Signal:9", "0/1", "0", HealthFailing,
		},
		{
			"terminated exit code no reason", mkPod(corev1.PodFailed, containers(terminated("app", "", 2, 0))),
			"ExitCode:2", "0/1", "0", HealthFailing,
		},
		{
			"completed job", mkPod(corev1.PodSucceeded, containers(terminated("app", "Completed", 0, 0))),
			"Completed", "0/1", "0", HealthCompleted,
		},
		{
			"evicted", mkPod(corev1.PodFailed, reason("Evicted"), containers(terminated("app", "ContainerStatusUnknown", 137, 0))),
			// the container loop overrides the pod reason, as in kubectl
			"ContainerStatusUnknown", "0/1", "0", HealthFailing,
		},
		{
			"evicted no container status", mkPod(corev1.PodFailed, reason("Evicted"), specContainers("app")),
			"Evicted", "0/1", "0", HealthFailing,
		},
		{
			"deadline exceeded", mkPod(corev1.PodFailed, reason("DeadlineExceeded"), specContainers("app")),
			"DeadlineExceeded", "0/1", "0", HealthFailing,
		},
		{
			"terminating", mkPod(corev1.PodRunning, deleting(), containers(running("app", true))),
			"Terminating", "1/1", "0", HealthProgressing,
		},
		{
			"terminating but already failed", mkPod(corev1.PodFailed, deleting(), containers(terminated("app", "Error", 1, 0))),
			"Error", "0/1", "0", HealthFailing,
		},
		{
			"node lost", mkPod(corev1.PodRunning, deleting(), reason("NodeLost"), containers(running("app", true))),
			"Unknown", "1/1", "0", HealthFailing,
		},
		{
			"init 0/2 running", mkPod(corev1.PodPending, inits(running("init-a", false), waiting("init-b", "PodInitializing")), specContainers("app")),
			"Init:0/2", "0/1", "0", HealthProgressing,
		},
		{
			"init 1/2 after first done", mkPod(corev1.PodPending, inits(terminated("init-a", "Completed", 0, 0), running("init-b", false)), specContainers("app")),
			"Init:1/2", "0/1", "0", HealthProgressing,
		},
		{
			"init crash loop", mkPod(corev1.PodPending, inits(withRestarts(waiting("init-a", "CrashLoopBackOff"), 4, ago(90*time.Second))), specContainers("app")),
			"Init:CrashLoopBackOff", "0/1", "4 (90s ago)", HealthFailing,
		},
		{
			"init error", mkPod(corev1.PodPending, inits(terminated("init-a", "Error", 1, 0)), specContainers("app")),
			"Init:Error", "0/1", "0", HealthFailing,
		},
		{
			"init exit code", mkPod(corev1.PodPending, inits(terminated("init-a", "", 3, 0)), specContainers("app")),
			"Init:ExitCode:3", "0/1", "0", HealthFailing,
		},
		{
			"init signal", mkPod(corev1.PodPending, inits(terminated("init-a", "", 143, 15)), specContainers("app")),
			"Init:Signal:15", "0/1", "0", HealthFailing,
		},
		{
			"init image pull", mkPod(corev1.PodPending, inits(waiting("init-a", "ImagePullBackOff")), specContainers("app")),
			"Init:ImagePullBackOff", "0/1", "0", HealthFailing,
		},
		{
			"pod initializing", mkPod(corev1.PodPending, inits(terminated("init-a", "Completed", 0, 0)), containers(waiting("app", "PodInitializing"))),
			"PodInitializing", "0/1", "0", HealthProgressing,
		},
		{
			"sidecar running and ready", mkPod(corev1.PodRunning, sidecars(running("proxy", true)), containers(running("app", true)),
				cond(corev1.PodInitialized, corev1.ConditionTrue, ""), cond(corev1.PodReady, corev1.ConditionTrue, "")),
			"Running", "2/2", "0", HealthOK,
		},
		{
			"sidecar started not ready", mkPod(corev1.PodRunning, sidecars(running("proxy", false)), containers(running("app", true)),
				cond(corev1.PodInitialized, corev1.ConditionTrue, "")),
			"Running", "1/2", "0", HealthProgressing,
		},
		{
			"sidecar not started yet", mkPod(corev1.PodPending, sidecars(notStarted(running("proxy", false))), specContainers("app")),
			"Init:0/1", "0/2", "0", HealthProgressing,
		},
		{
			"sidecar restarts count after init", mkPod(corev1.PodRunning,
				inits(withRestarts(terminated("migrate", "Completed", 0, 0), 3, ago(2*time.Hour))),
				sidecars(withRestarts(running("proxy", true), 2, ago(10*time.Minute))),
				containers(withRestarts(running("app", true), 1, ago(30*time.Minute))),
				cond(corev1.PodInitialized, corev1.ConditionTrue, ""), cond(corev1.PodReady, corev1.ConditionTrue, "")),
			// 2 sidecar + 1 app; the plain init container's 3 restarts no longer count
			"Running", "2/2", "3 (10m ago)", HealthOK,
		},
		{
			"job done, sidecar still running, pod ready", mkPod(corev1.PodRunning, sidecars(running("proxy", true)),
				containers(terminated("app", "Completed", 0, 0), running("web", true)),
				cond(corev1.PodInitialized, corev1.ConditionTrue, ""), cond(corev1.PodReady, corev1.ConditionTrue, "")),
			"Running", "2/3", "0", HealthProgressing,
		},
		{
			"completed with running container, not ready", mkPod(corev1.PodRunning,
				containers(terminated("app", "Completed", 0, 0), running("web", true)),
				cond(corev1.PodReady, corev1.ConditionFalse, "")),
			"NotReady", "1/2", "0", HealthProgressing,
		},
		{
			"completed but sibling errored", mkPod(corev1.PodRunning,
				containers(terminated("app", "Completed", 0, 0), terminated("other", "Error", 1, 0))),
			// reverse order: "other" is read first, then "app" sets Completed; errorReason wins
			"Error", "0/2", "0", HealthFailing,
		},
		{
			"multiple containers last one wins", mkPod(corev1.PodRunning,
				containers(waiting("a", "CrashLoopBackOff"), running("b", true))),
			"CrashLoopBackOff", "1/2", "0", HealthFailing,
		},
		{
			"preempted by node shutdown", mkPod(corev1.PodFailed, reason("Terminated"), specContainers("app")),
			"Terminated", "0/1", "0", HealthFailing,
		},
		{
			"unexpected admission error", mkPod(corev1.PodFailed, reason("UnexpectedAdmissionError"), specContainers("app")),
			"UnexpectedAdmissionError", "0/1", "0", HealthFailing,
		},
		{
			"out of cpu", mkPod(corev1.PodFailed, reason("OutOfcpu"), specContainers("app")),
			"OutOfcpu", "0/1", "0", HealthFailing,
		},
		{
			"restarts days ago", mkPod(corev1.PodRunning, containers(withRestarts(running("app", true), 1, ago(50*time.Hour))), cond(corev1.PodReady, corev1.ConditionTrue, "")),
			"Running", "1/1", "1 (2d2h ago)", HealthOK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Status(tt.pod); got != tt.status {
				t.Errorf("Status = %q, want %q", got, tt.status)
			}
			r, n := Ready(tt.pod)
			if got := itoa(r) + "/" + itoa(n); got != tt.ready {
				t.Errorf("Ready = %q, want %q", got, tt.ready)
			}
			if got := Restarts(tt.pod, testNow); got != tt.restarts {
				t.Errorf("Restarts = %q, want %q", got, tt.restarts)
			}
			if got := PodHealth(tt.pod); got != tt.health {
				t.Errorf("PodHealth = %v, want %v", got, tt.health)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestRestartCount(t *testing.T) {
	p := mkPod(corev1.PodPending, inits(withRestarts(waiting("init", "CrashLoopBackOff"), 7, time.Time{})), containers(withRestarts(waiting("app", "PodInitializing"), 0, time.Time{})))
	if got := RestartCount(p); got != 7 {
		t.Fatalf("RestartCount = %d, want 7", got)
	}
}

func TestNilPod(t *testing.T) {
	if Status(nil) != "" || RestartCount(nil) != 0 || Restarts(nil, testNow) != "0" {
		t.Fatal("nil pod must not panic and must give empty values")
	}
}
