package ui

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// logContainer is one container of a pod as the log view lists it.
type logContainer struct {
	name     string
	kind     string // app, init, sidecar, ephemeral
	status   *corev1.ContainerStatus
	restarts int32
}

// hasPrevious reports whether a previous instance's log may exist: the key
// for it is enabled only then.
func (c logContainer) hasPrevious() bool {
	return c.status != nil && (c.status.LastTerminationState.Terminated != nil || c.status.RestartCount > 0)
}

// crashLooping reports whether the container waits in CrashLoopBackOff.
func (c logContainer) crashLooping() bool {
	return c.status != nil && c.status.State.Waiting != nil && c.status.State.Waiting.Reason == "CrashLoopBackOff"
}

// waiting reports whether the current instance has not started (so it has
// no output yet).
func (c logContainer) waiting() bool {
	return c.status == nil || c.status.State.Waiting != nil
}

// state is a short description of the container's state.
func (c logContainer) state() string {
	if c.status == nil {
		return "no status yet"
	}
	s := c.status.State
	var out string
	switch {
	case s.Running != nil:
		out = "running"
	case s.Waiting != nil:
		out = "waiting"
		if s.Waiting.Reason != "" {
			out += ": " + s.Waiting.Reason
		}
	case s.Terminated != nil:
		out = fmt.Sprintf("terminated: %s (exit %d)", orDash(s.Terminated.Reason), s.Terminated.ExitCode)
	default:
		out = "unknown"
	}
	if c.restarts > 0 {
		out += fmt.Sprintf(", %d restarts", c.restarts)
	}
	return out
}

// podContainers lists init and sidecar containers, app containers and
// ephemeral containers, in the order the pod runs them.
func podContainers(p *corev1.Pod) []logContainer {
	find := func(list []corev1.ContainerStatus, name string) *corev1.ContainerStatus {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
		return nil
	}
	var out []logContainer
	add := func(name, kind string, st *corev1.ContainerStatus) {
		c := logContainer{name: name, kind: kind, status: st}
		if st != nil {
			c.restarts = st.RestartCount
		}
		out = append(out, c)
	}
	for _, c := range p.Spec.InitContainers {
		kind := "init"
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			kind = "sidecar"
		}
		add(c.Name, kind, find(p.Status.InitContainerStatuses, c.Name))
	}
	for _, c := range p.Spec.Containers {
		add(c.Name, "app", find(p.Status.ContainerStatuses, c.Name))
	}
	for _, c := range p.Spec.EphemeralContainers {
		add(c.Name, "ephemeral", find(p.Status.EphemeralContainerStatuses, c.Name))
	}
	return out
}

// defaultContainer is the container the view opens on: the one named by
// the kubectl.kubernetes.io/default-container annotation, else the first app
// container that is in trouble, else the first app container.
func defaultContainer(p *corev1.Pod, cs []logContainer) int {
	if name := p.Annotations["kubectl.kubernetes.io/default-container"]; name != "" {
		for i, c := range cs {
			if c.name == name {
				return i
			}
		}
	}
	first := -1
	for i, c := range cs {
		if c.kind != "app" {
			continue
		}
		if first < 0 {
			first = i
		}
		if c.crashLooping() {
			return i
		}
	}
	return max(first, 0)
}
