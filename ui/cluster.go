package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// Cluster is all the UI needs from the API. *kube.Client satisfies it; tests
// use a fake.
type Cluster interface {
	Info() kube.Info
	WatchPods(ctx context.Context, scope kube.Scope) (kube.PodSource, error)
	Namespaces(ctx context.Context) ([]string, error)
	// DiagnoseInputs fetches pods with their events and the objects they
	// refer to, for the diagnose engine.
	DiagnoseInputs(ctx context.Context, namespace string, allNamespaces bool, selector string, names []string) ([]diagnose.Input, error)
	// PodInputs fetches the events of pods already read and the objects
	// they refer to, without reading the pods again.
	PodInputs(ctx context.Context, pods []*corev1.Pod) []diagnose.Input
	// CrashLogs reads the log tails of a pod's crashed or restarted
	// containers, for the crash causes the engine quotes; nil when none.
	CrashLogs(ctx context.Context, pod *corev1.Pod) map[string]diagnose.ContainerLogs
	// StreamLogs streams a container's log in batches until ctx ends or the
	// stream is stopped.
	StreamLogs(ctx context.Context, req kube.LogRequest) (*kube.LogStream, error)
	// TailLogs follows the logs of a source's pods (one stream per
	// container, under a cap, merged by timestamp) until stopped.
	TailLogs(ctx context.Context, src kube.LogSource, opts kube.TailOptions) *kube.Tail
	// OwnerLogSource is the pods of the workload that owns a pod.
	OwnerLogSource(ctx context.Context, pod *corev1.Pod) (kube.LogSource, error)
	// WatchEvents starts a live list of a namespace's pod events.
	WatchEvents(namespace string) kube.EventSource
	// GetPod reads one pod fresh from the API server.
	GetPod(ctx context.Context, namespace, name string) (*corev1.Pod, error)
	// DeletePod deletes the pod with that UID; force skips the grace period.
	DeletePod(ctx context.Context, namespace, name, uid string, force bool) error
	// Exec returns an interactive session in a container, run with tea.Exec.
	Exec(req kube.ExecRequest) kube.Runner
	// AddDebugContainer adds an ephemeral debug container to a pod
	// (checking first that it may be attached to).
	AddDebugContainer(ctx context.Context, req kube.DebugRequest) (*corev1.Pod, error)
	// WaitRunning waits until a container of a pod runs, or cannot.
	WaitRunning(ctx context.Context, namespace, pod, container string) (*corev1.Pod, error)
	// Attach returns a session attached to a container's TTY, run with tea.Exec.
	Attach(req kube.AttachRequest) kube.Runner
	// StartNodeShell creates a node-shell pod and waits until it runs
	// (deleting it again when it cannot).
	StartNodeShell(ctx context.Context, req kube.NodeShellRequest) (*corev1.Pod, error)
	// DeleteNodeShell deletes a node-shell pod after its session.
	DeleteNodeShell(pod *corev1.Pod) error
	// CleanupNodeShells deletes node-shell pods a crashed podtui left.
	CleanupNodeShells(ctx context.Context) ([]string, error)
	// PortForward forwards a local port to a pod's port until stopped.
	PortForward(ctx context.Context, req kube.ForwardRequest) (*kube.Forward, error)
	// PodMetrics polls metrics.k8s.io for a namespace ("" = all). It never
	// hits the API more often than its interval, and asks discovery once.
	PodMetrics(ctx context.Context, namespace string) kube.PodMetrics
	// ReadyNodes lists the nodes and says which are Ready.
	ReadyNodes(ctx context.Context) (map[string]bool, error)
	// NodeSummary reads a node, the non-terminated pods on it and its usage.
	NodeSummary(ctx context.Context, name string) (kube.NodeSummary, error)
}

// Messages of the pod feed. Each carries the ticket of the feed it belongs
// to (addressed to the app), so results of a feed the user has left are
// dropped.

type feedStartedMsg struct {
	Ticket
	src kube.PodSource
	err error
}

type podsMsg struct {
	Ticket
	snap kube.PodSnapshot
	at   time.Time // when the snapshot was taken
}

type namespacesMsg struct {
	names []string
	err   error
}

type tickMsg time.Time

// frame is the shortest gap between two pod refreshes: bursts of informer
// events collapse into one refresh per frame.
const frame = time.Second / 60

func startFeed(c Cluster, scope kube.Scope, t Ticket) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		src, err := c.WatchPods(ctx, scope)
		return feedStartedMsg{Ticket: t, src: src, err: err}
	}
}

// waitPods blocks until the source changes and returns one snapshot, at
// most one per frame: a change after a quiet spell is shown at once, and a
// burst is gathered until a frame has passed since the previous snapshot
// (prev; zero for the first).
func waitPods(src kube.PodSource, t Ticket, prev time.Time) tea.Cmd {
	return func() tea.Msg {
		if !prev.IsZero() {
			select {
			case <-src.Changed():
			case <-src.Done():
				return nil
			}
			if wait := time.Until(prev.Add(frame)); wait > 0 {
				time.Sleep(wait)
			}
			select { // drop the signal of changes this snapshot already holds
			case <-src.Changed():
			default:
			}
		}
		return podsMsg{Ticket: t, snap: src.Snapshot(), at: time.Now()}
	}
}

func loadNamespaces(c Cluster) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		names, err := c.Namespaces(ctx)
		return namespacesMsg{names: names, err: err}
	}
}

// ageTick redraws ages; they change with time, not with data.
func ageTick() tea.Cmd {
	return tea.Tick(5*time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}
