package kube

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/podtui/podtui/diagnose"
)

const (
	// maxCrashContainers bounds the containers of one pod whose logs are read.
	maxCrashContainers = 3
	// crashLogWorkers bounds the pods whose logs are read at once.
	crashLogWorkers = 4
)

// ErrNoPrevious says a container has no previous instance to read the log of:
// it never restarted, or the runtime has already removed it.
var ErrNoPrevious = errors.New("no previous container")

// LogTail reads the last lines of a container's log, bounded like the
// engine reads it (diagnose.MaxLogLines lines, diagnose.MaxLogBytes bytes),
// without timestamps. previous reads the previous instance (--previous).
func LogTail(ctx context.Context, cs kubernetes.Interface, namespace, pod, container string, previous bool) (string, error) {
	lines, limit := int64(diagnose.MaxLogLines), int64(diagnose.MaxLogBytes)
	opts := &corev1.PodLogOptions{Container: container, Previous: previous, TailLines: &lines, LimitBytes: &limit}
	body, err := cs.CoreV1().Pods(namespace).GetLogs(pod, opts).Stream(ctx)
	if err != nil {
		// The API answers 400 "previous terminated container "x" in pod "y" not found".
		if previous && strings.Contains(err.Error(), "previous terminated container") {
			return "", ErrNoPrevious
		}
		return "", err
	}
	defer body.Close()
	// A server that ignores LimitBytes must not make us read more.
	b, err := io.ReadAll(io.LimitReader(body, limit))
	return string(b), err
}

// logWant says which logs of a container may explain a crash.
type logWant struct {
	container         string
	previous, current bool
}

// crashedContainers lists the containers of p that crashed or restarted, init
// containers first (they block the others), at most maxCrashContainers: the
// previous instance of one that restarted or crash-loops, the current one of
// one that terminated with an error and was not restarted.
func crashedContainers(p *corev1.Pod) []logWant {
	var out []logWant
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, s := range list {
			w := logWant{container: s.Name}
			w.previous = s.RestartCount > 0 || s.State.Waiting != nil && s.State.Waiting.Reason == "CrashLoopBackOff"
			w.current = s.State.Terminated != nil && s.State.Terminated.ExitCode != 0
			if (w.previous || w.current) && len(out) < maxCrashContainers {
				out = append(out, w)
			}
		}
	}
	return out
}

// CrashLogs reads the log tails of pod's crashed or restarted containers for
// the diagnose engine; nil when none crashed (no API call then).
func (c *Client) CrashLogs(ctx context.Context, pod *corev1.Pod) map[string]diagnose.ContainerLogs {
	return crashLogs(ctx, c.Clientset, pod)
}

// AddCrashLogs fills in the Logs of the inputs whose pods have a crashed or
// restarted container, reading a few pods at a time.
func (c *Client) AddCrashLogs(ctx context.Context, ins []diagnose.Input) {
	addCrashLogs(ctx, c.Clientset, ins)
}

func crashLogs(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod) map[string]diagnose.ContainerLogs {
	var out map[string]diagnose.ContainerLogs
	for _, w := range crashedContainers(pod) {
		var l diagnose.ContainerLogs
		// A log that cannot be read is left out: logs are evidence, not required.
		if w.previous {
			l.Previous, _ = LogTail(ctx, cs, pod.Namespace, pod.Name, w.container, true)
		}
		if w.current {
			l.Current, _ = LogTail(ctx, cs, pod.Namespace, pod.Name, w.container, false)
		}
		if l.Previous == "" && l.Current == "" {
			continue
		}
		if out == nil {
			out = map[string]diagnose.ContainerLogs{}
		}
		out[w.container] = l
	}
	return out
}

func addCrashLogs(ctx context.Context, cs kubernetes.Interface, ins []diagnose.Input) {
	sem := make(chan struct{}, crashLogWorkers)
	var wg sync.WaitGroup
	for i := range ins {
		if ins[i].Pod == nil || len(crashedContainers(ins[i].Pod)) == 0 {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(in *diagnose.Input) {
			defer func() { <-sem; wg.Done() }()
			in.Logs = crashLogs(ctx, cs, in.Pod)
		}(&ins[i])
	}
	wg.Wait()
}
