package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// podAction is something done to one pod from the list or a page.
type podAction int

const (
	actDetail podAction = iota
	actDiagnose
	actYAML
	actExec
	actDelete
	actForceDelete
	actPortForward  // asks which ports
	actStartForward // starts the forward in podActionMsg.forward
	actForwards     // lists active forwards
	actLogs
	actDebug     // offers a debug container
	actNodeShell // asks before a shell on the pod's node
	actTimeline
)

// writes reports whether the action changes the cluster or runs code in it.
func (a podAction) writes() bool {
	switch a {
	case actExec, actDelete, actForceDelete, actPortForward, actStartForward, actDebug, actNodeShell:
		return true
	}
	return false
}

// podActionMsg asks the app to act on a pod; the app owns the page stack
// and the read-only switch.
type podActionMsg struct {
	action    podAction
	pod       *corev1.Pod
	container string
	forward   kube.ForwardRequest
}

const readOnlyRefusal = "read-only mode: exec, debug, node shell, port-forward and delete are disabled"

// fromList runs an action on a pod of the list. The list holds summaries, so
// the pod is read in full first; a write is refused before that read.
func (a *App) fromList(m podActionMsg, s *kube.PodSummary) tea.Cmd {
	if m.action.writes() && a.opts.ReadOnly {
		return SetStatus(readOnlyRefusal, true)
	}
	return readForAction(a.cluster, s, m)
}

// runPodAction opens a page or starts an action for a pod.
func (a *App) runPodAction(m podActionMsg) tea.Cmd {
	if m.pod == nil && m.action != actForwards {
		return nil
	}
	if m.action.writes() && a.opts.ReadOnly {
		return SetStatus(readOnlyRefusal, true)
	}
	switch m.action {
	case actDetail:
		open := a.open(func(env PageEnv) Page { return NewDetailPage(env, m.pod) })
		// The page learns the other pods (its siblings) from the list's snapshot.
		return tea.Batch(open, a.updateTop(PodsChangedMsg{Snapshot: a.snap}))
	case actDiagnose:
		return a.open(func(env PageEnv) Page { return NewDiagPage(env, m.pod) })
	case actLogs:
		return a.open(func(env PageEnv) Page { return NewLogPage(env, m.pod, LogOpen{}) })
	case actYAML:
		return a.open(func(env PageEnv) Page { return NewYAMLPage(env, m.pod) })
	case actTimeline:
		return a.open(func(env PageEnv) Page { return NewTimelinePage(env, m.pod) })
	case actExec:
		if m.container == "" && len(podContainers(m.pod)) > 1 {
			return a.open(func(env PageEnv) Page { return newExecPicker(env, m.pod) })
		}
		return a.exec(m.pod, m.container)
	case actDebug:
		return a.open(func(env PageEnv) Page { return newDebugPage(env, m.pod, m.container, "", a.opts.Debug) })
	case actNodeShell:
		if m.pod.Spec.NodeName == "" {
			return SetStatus("the pod is not scheduled on a node yet", false)
		}
		return a.openNodeShell(m.pod.Spec.NodeName)
	case actDelete, actForceDelete:
		return a.open(func(env PageEnv) Page {
			return newConfirmPage(env, m.pod, m.action == actForceDelete, a.deletePod(m.pod, m.action == actForceDelete))
		})
	case actPortForward:
		return a.open(func(env PageEnv) Page { return newForwardPage(env, m.pod) })
	case actStartForward:
		return a.startForward(m.forward)
	case actForwards:
		return a.open(func(env PageEnv) Page { return newForwardsPage(env, a.forwards) })
	}
	return nil
}

// deletePod is the Cmd a confirmed delete runs.
func (a *App) deletePod(pod *corev1.Pod, force bool) tea.Cmd {
	c := a.cluster
	ns, name, uid := pod.Namespace, pod.Name, string(pod.UID)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := c.DeletePod(ctx, ns, name, uid, force); err != nil {
			return statusMsg{text: fmt.Sprintf("delete %s/%s failed: %s", ns, name, oneLine(kube.Explain(err))), isErr: true}
		}
		what := "deleted"
		if force {
			what = "force-deleted"
		}
		return statusMsg{text: fmt.Sprintf("%s pod %s/%s", what, ns, name)}
	}
}

// exec hands the terminal to a shell in the container. A container that is
// not running cannot be exec'd into: offer a debug container beside it.
func (a *App) exec(pod *corev1.Pod, container string) tea.Cmd {
	if container == "" {
		container = defaultExecContainer(pod)
	}
	ns, name := pod.Namespace, pod.Name
	if why := notRunning(pod, container); why != "" {
		if !slices.ContainsFunc(pod.Spec.Containers, func(c corev1.Container) bool { return c.Name == container }) {
			container = "" // an init or ephemeral container cannot be a target
		}
		why = fmt.Sprintf("Container %s is %s: there is nothing to exec into. Start a debug container beside it?", cmp.Or(container, defaultExecContainer(pod)), why)
		return a.open(func(env PageEnv) Page { return newDebugPage(env, pod, container, why, a.opts.Debug) })
	}
	r := a.cluster.Exec(kube.ExecRequest{Namespace: ns, Pod: name, Container: container, Commands: a.opts.Shells, TTY: true})
	debugKey := a.keys.Pod.Debug.Help().Key
	return tea.Exec(r, func(err error) tea.Msg { return execResult(ns, name, container, debugKey, err) })
}

// execResult is the status line after a shell ends.
func execResult(ns, name, container, debugKey string, err error) tea.Msg {
	where := fmt.Sprintf("shell in %s/%s (%s)", ns, name, container)
	var ee *kube.ExitError
	var nc *kube.NoCommandError
	switch {
	case err == nil:
		return statusMsg{text: where + " ended: exit status 0"}
	case errors.As(err, &ee):
		return statusMsg{text: fmt.Sprintf("%s ended: exit status %d", where, ee.Code)}
	case errors.As(err, &nc):
		return statusMsg{text: fmt.Sprintf("no shell in container %s (tried %s); press %s for a debug container beside it", container, strings.Join(nc.Tried, ", "), debugKey), isErr: true}
	}
	return statusMsg{text: where + " failed: " + oneLine(err.Error()), isErr: true}
}

// defaultExecContainer is the kubectl default: the annotated default
// container, else the first app container.
func defaultExecContainer(pod *corev1.Pod) string {
	if c := pod.Annotations["kubectl.kubernetes.io/default-container"]; c != "" {
		return c
	}
	if len(pod.Spec.Containers) > 0 {
		return pod.Spec.Containers[0].Name
	}
	return ""
}

// notRunning says why a container cannot be exec'd into, or "" when it can.
func notRunning(pod *corev1.Pod, container string) string {
	all := append(append([]corev1.ContainerStatus{}, pod.Status.ContainerStatuses...), pod.Status.InitContainerStatuses...)
	all = append(all, pod.Status.EphemeralContainerStatuses...)
	for _, cs := range all {
		if cs.Name != container {
			continue
		}
		switch {
		case cs.State.Running != nil:
			return ""
		case cs.State.Waiting != nil:
			return "waiting (" + oneLine(cs.State.Waiting.Reason) + ")"
		case cs.State.Terminated != nil:
			return "terminated (" + oneLine(cs.State.Terminated.Reason) + ")"
		}
		return "not started"
	}
	return "not started"
}

// listPodAction maps a pod-action key to its action.
func listPodAction(k keymap.PodActions, msg tea.KeyPressMsg) podAction {
	switch {
	case key.Matches(msg, k.YAML):
		return actYAML
	case key.Matches(msg, k.Timeline):
		return actTimeline
	case key.Matches(msg, k.Exec):
		return actExec
	case key.Matches(msg, k.Delete):
		return actDelete
	case key.Matches(msg, k.ForceDelete):
		return actForceDelete
	case key.Matches(msg, k.PortForward):
		return actPortForward
	case key.Matches(msg, k.Debug):
		return actDebug
	case key.Matches(msg, k.NodeShell):
		return actNodeShell
	case key.Matches(msg, k.Forwards):
		return actForwards
	}
	return actDetail
}
