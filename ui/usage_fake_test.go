package ui

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// fakeMetrics is the metrics.k8s.io side of fakeCluster. The zero value
// answers like a cluster without metrics-server.
type fakeMetrics struct {
	served    bool
	forbidden bool
	usage     map[string]kube.PodUsage // "ns/name"
	nodeUsage map[string]corev1.ResourceList
	nodes     map[string]*corev1.Node
	polls     []string // namespaces polled, in order
}

func (f *fakeCluster) PodMetrics(_ context.Context, ns string) kube.PodMetrics {
	m := &f.metrics
	m.polls = append(m.polls, ns)
	res := kube.PodMetrics{Namespace: ns, Fetched: clock}
	switch {
	case !m.served:
		res.Problem, res.Absent = kube.MetricsNotInstalled, true
	case m.forbidden:
		res.Problem, res.Forbidden = "not allowed to read pod metrics (metrics.k8s.io) in namespace "+ns, true
	default:
		res.Pods = map[string]kube.PodUsage{}
		for k, u := range m.usage {
			if ns == "" || u.Namespace == ns {
				res.Pods[k] = u
			}
		}
	}
	return res
}

func (f *fakeCluster) ReadyNodes(context.Context) (map[string]bool, error) {
	return f.nodesReady, nil
}

func (f *fakeCluster) NodeSummary(_ context.Context, name string) (kube.NodeSummary, error) {
	n, ok := f.metrics.nodes[name]
	if !ok {
		return kube.NodeSummary{}, fmt.Errorf("node %s not found", name)
	}
	s := kube.NodeSummary{Node: n}
	for _, p := range f.pods {
		if p.Spec.NodeName == name && !diagnose.Terminated(p) {
			s.Pods = append(s.Pods, p)
		}
	}
	s.Requested = diagnose.NodeRequests(s.Pods)[name]
	if u, ok := f.metrics.nodeUsage[name]; ok {
		s.Usage = u
	} else {
		s.UsageProblem = kube.MetricsNotInstalled
	}
	return s, nil
}
