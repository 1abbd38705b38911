package ui

import (
	"context"
	"fmt"
	"io"
	"sync"

	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// fakeWrites is the part of fakeCluster behind events, YAML, delete and
// exec. Any write is recorded, so read-only tests can assert there was none.
type fakeWrites struct {
	mu      sync.Mutex
	events  *fakeEvents
	deleted []string // "ns/name force=bool"
	execs   []kube.ExecRequest
	execErr error
	fwds    []*kube.Forward
	debugs  []kube.DebugRequest
	shells  []kube.NodeShellRequest
	attach  []kube.AttachRequest
	dropped []string // node-shell pods deleted
	// debugErr fails AddDebugContainer / StartNodeShell.
	debugErr error
}

func (f *fakeCluster) WatchEvents(string) kube.EventSource {
	f.writes.mu.Lock()
	defer f.writes.mu.Unlock()
	if f.writes.events == nil {
		f.writes.events = newFakeEvents()
	}
	return f.writes.events
}

func (f *fakeCluster) GetPod(_ context.Context, ns, name string) (*corev1.Pod, error) {
	f.gets.Add(1)
	if f.getPod != nil {
		if p := f.getPod(ns, name); p != nil {
			return p, nil
		}
	}
	for _, p := range f.pods {
		if p.Namespace == ns && p.Name == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("pods %q not found", name)
}

func (f *fakeCluster) DeletePod(_ context.Context, ns, name, _ string, force bool) error {
	f.writes.mu.Lock()
	defer f.writes.mu.Unlock()
	f.writes.deleted = append(f.writes.deleted, fmt.Sprintf("%s/%s force=%v", ns, name, force))
	return nil
}

func (f *fakeCluster) Exec(req kube.ExecRequest) kube.Runner {
	f.writes.mu.Lock()
	defer f.writes.mu.Unlock()
	f.writes.execs = append(f.writes.execs, req)
	return &fakeRunner{err: f.writes.execErr}
}

func (f *fakeCluster) PortForward(_ context.Context, req kube.ForwardRequest) (*kube.Forward, error) {
	f.writes.mu.Lock()
	defer f.writes.mu.Unlock()
	local := req.LocalPort
	if local == 0 {
		local = 40000 + len(f.writes.fwds)
	}
	fw := kube.NewForward(req, local)
	f.writes.fwds = append(f.writes.fwds, fw)
	return fw, nil
}

func (f *fakeCluster) AddDebugContainer(_ context.Context, req kube.DebugRequest) (*corev1.Pod, error) {
	f.writes.mu.Lock()
	defer f.writes.mu.Unlock()
	f.writes.debugs = append(f.writes.debugs, req)
	return nil, f.writes.debugErr
}

func (f *fakeCluster) WaitRunning(ctx context.Context, ns, name, _ string) (*corev1.Pod, error) {
	return f.GetPod(ctx, ns, name)
}

func (f *fakeCluster) Attach(req kube.AttachRequest) kube.Runner {
	f.writes.mu.Lock()
	defer f.writes.mu.Unlock()
	f.writes.attach = append(f.writes.attach, req)
	return &fakeRunner{}
}

func (f *fakeCluster) StartNodeShell(_ context.Context, req kube.NodeShellRequest) (*corev1.Pod, error) {
	f.writes.mu.Lock()
	defer f.writes.mu.Unlock()
	f.writes.shells = append(f.writes.shells, req)
	if f.writes.debugErr != nil {
		return nil, f.writes.debugErr
	}
	return kube.NodeShellPod(req), nil
}

func (f *fakeCluster) DeleteNodeShell(pod *corev1.Pod) error {
	f.writes.mu.Lock()
	defer f.writes.mu.Unlock()
	f.writes.dropped = append(f.writes.dropped, pod.Namespace+"/"+pod.Name)
	return nil
}

func (f *fakeCluster) CleanupNodeShells(context.Context) ([]string, error) { return nil, nil }

// writeCount is how many writes reached the cluster.
func (f *fakeCluster) writeCount() int {
	f.writes.mu.Lock()
	defer f.writes.mu.Unlock()
	return len(f.writes.deleted) + len(f.writes.execs) + len(f.writes.fwds) + len(f.writes.debugs) + len(f.writes.shells) + len(f.writes.attach)
}

type fakeRunner struct{ err error }

func (r *fakeRunner) Run() error          { return r.err }
func (r *fakeRunner) SetStdin(io.Reader)  {}
func (r *fakeRunner) SetStdout(io.Writer) {}
func (r *fakeRunner) SetStderr(io.Writer) {}

// fakeEvents is an EventSource whose events the test adds.
type fakeEvents struct {
	mu      sync.Mutex
	byUID   map[string][]diagnose.Event
	changed chan struct{}
	done    chan struct{}
	stopped bool
}

func newFakeEvents() *fakeEvents {
	return &fakeEvents{byUID: map[string][]diagnose.Event{}, changed: make(chan struct{}, 1), done: make(chan struct{})}
}

func (e *fakeEvents) add(ev diagnose.Event) {
	e.mu.Lock()
	e.byUID[string(ev.Object.UID)] = append(e.byUID[string(ev.Object.UID)], ev)
	e.mu.Unlock()
	select {
	case e.changed <- struct{}{}:
	default:
	}
}

func (e *fakeEvents) Changed() <-chan struct{} { return e.changed }
func (e *fakeEvents) Done() <-chan struct{}    { return e.done }
func (e *fakeEvents) Synced() bool             { return true }
func (e *fakeEvents) Problem() string          { return "" }
func (e *fakeEvents) For(uid string) []diagnose.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]diagnose.Event(nil), e.byUID[uid]...)
}

func (e *fakeEvents) Stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.stopped {
		e.stopped = true
		close(e.done)
	}
}
