package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// The pod cache keeps summaries (kube.PodSummary), not pods: at 100k pods a
// full copy of each would take gigabytes. What needs the whole pod (the
// detail, diagnosis and log pages, shell, port-forward, delete) reads it from
// the API server when it opens, and pages read it again whenever the
// summary's resourceVersion moves.

// podReadTimeout bounds one read of a pod.
const podReadTimeout = 15 * time.Second

// podReadMsg is a page's pod read again from the API server; it reaches the
// page that asked whether it is on top or covered.
type podReadMsg struct {
	Ticket
	pod *corev1.Pod
	err error
}

// errReplaced says a pod read by name is a new pod of that name, not the
// one asked for (its UID differs).
var errReplaced = errors.New("replaced by a new pod of the same name")

// getSamePod reads the pod with the uid by its name.
func getSamePod(ctx context.Context, c Cluster, ns, name, uid string) (*corev1.Pod, error) {
	p, err := c.GetPod(ctx, ns, name)
	if err == nil && string(p.UID) != uid {
		return nil, fmt.Errorf("pod %s/%s: %w", ns, name, errReplaced)
	}
	return p, err
}

// readPod is the Cmd that reads a pod again for the page that asked.
func readPod(c Cluster, t Ticket, ns, name, uid string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), podReadTimeout)
		defer cancel()
		p, err := getSamePod(ctx, c, ns, name, uid)
		return podReadMsg{Ticket: t, pod: p, err: err}
	}
}

// podReader keeps a page's pod as current as the cache's summary of it, with
// at most one read in flight: the pod follower every page about one pod
// uses. The page hands it each PodsChangedMsg (follow) and each podReadMsg
// it answers (done).
type podReader struct {
	reads  asks
	latest string // the newest summary resourceVersion seen
	asked  string // the summary resourceVersion of the last read
	busy   bool
}

func newPodReader(owner PageID) podReader { return podReader{reads: newAsks(owner)} }

// answers reports whether msg is the result of this reader's read.
func (r *podReader) answers(msg podReadMsg) bool { return r.busy && r.reads.current(msg.Ticket) }

// follow takes a new snapshot: the read to run when the pod moved, and
// whether the pod is gone from a complete and fresh list.
func (r *podReader) follow(c Cluster, cur *corev1.Pod, msg PodsChangedMsg) (read tea.Cmd, deleted bool) {
	if s, ok := msg.FindPod(string(cur.UID)); ok {
		return r.seen(c, cur, s), false
	}
	return nil, msg.Snapshot.Synced && !msg.Snapshot.Conn.Stale
}

// seen notes the summary of the page's pod in a new snapshot and returns the
// read to run, if the pod moved past what the page shows.
func (r *podReader) seen(c Cluster, cur *corev1.Pod, s *kube.PodSummary) tea.Cmd {
	r.latest = s.ResourceVersion
	return r.next(c, cur)
}

func (r *podReader) next(c Cluster, cur *corev1.Pod) tea.Cmd {
	if r.busy || r.latest == "" || r.latest == cur.ResourceVersion || r.latest == r.asked {
		return nil
	}
	r.asked, r.busy = r.latest, true
	return readPod(c, r.reads.next(), cur.Namespace, cur.Name, string(cur.UID))
}

// done takes a read's result: the pod to show (cur when the read failed)
// and the next read, when the summary moved again meanwhile. A failed read
// is not retried until the pod changes again; the connection line says
// what is wrong with the server.
func (r *podReader) done(c Cluster, cur *corev1.Pod, msg podReadMsg) (*corev1.Pod, tea.Cmd) {
	r.busy = false
	if msg.err == nil && msg.pod != nil {
		cur = msg.pod
	}
	return cur, r.next(c, cur)
}

// FindPod returns the summary of the pod with the uid from a snapshot.
func (m PodsChangedMsg) FindPod(uid string) (*kube.PodSummary, bool) {
	for _, p := range m.Snapshot.Pods {
		if string(p.UID) == uid {
			return p, true
		}
	}
	return nil, false
}

// readForAction reads a pod of the list in full, then runs the action on it.
func readForAction(c Cluster, s *kube.PodSummary, m podActionMsg) tea.Cmd {
	ns, name, uid := s.Namespace, s.Name, string(s.UID)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), podReadTimeout)
		defer cancel()
		p, err := getSamePod(ctx, c, ns, name, uid)
		switch {
		case errors.Is(err, errReplaced):
			return statusMsg{text: fmt.Sprintf("pod %s/%s was replaced by a new pod of the same name; pick it again", oneLine(ns), oneLine(name)), isErr: true}
		case err != nil:
			return statusMsg{text: fmt.Sprintf("could not read pod %s/%s: %s", oneLine(ns), oneLine(name), kube.Explain(err)), isErr: true}
		}
		m.pod = p
		return m
	}
}

// podInput reads the diagnose engine's input for one pod already read (the
// read that opened the page): its events, related objects and workload
// revisions, without reading the pod again (Cluster.PodInputs).
func podInput(ctx context.Context, c Cluster, pod *corev1.Pod) diagnose.Input {
	if ins := c.PodInputs(ctx, []*corev1.Pod{pod}); len(ins) > 0 {
		return ins[0]
	}
	return diagnose.Input{Pod: pod}
}
