package kube

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/podtui/podtui/internal/defaults"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/podtui/podtui/diagnose"
)

// MetricsGroupVersion is the API that metrics-server serves.
const MetricsGroupVersion = "metrics.k8s.io/v1beta1"

// DefaultMetricsInterval is metrics-server's default resolution: polling
// faster only returns the same numbers again.
const DefaultMetricsInterval = defaults.MetricsInterval

// Problems with the metrics API, as the status line says them.
const (
	MetricsNotInstalled = "metrics-server is not installed (metrics.k8s.io not served)"
	metricsForbidden    = "not allowed to read pod metrics (metrics.k8s.io)"
)

// PodUsage is one metrics-server sample of a pod.
type PodUsage struct {
	Namespace, Name string
	// Time is when the sample was taken; Window the span it averages CPU over.
	Time       time.Time
	Window     time.Duration
	Containers map[string]corev1.ResourceList
}

// Total sums the containers' usage.
func (u PodUsage) Total() corev1.ResourceList {
	out := corev1.ResourceList{}
	for _, c := range u.Containers {
		for name, q := range c {
			cur := out[name]
			cur.Add(q)
			out[name] = cur
		}
	}
	return out
}

// PodMetrics is the result of one poll of a namespace ("" = all).
type PodMetrics struct {
	Namespace string
	// Pods maps "namespace/name" to the pod's latest sample.
	Pods map[string]PodUsage
	// Fetched is when the poll started.
	Fetched time.Time
	// Problem says why there are no numbers, for a person; "" when fine.
	Problem string
	// Absent: the API is not served; polling again will not help.
	Absent bool
	// Forbidden: RBAC refused; polling the same scope again will not help.
	Forbidden bool
}

// Key is how PodMetrics.Pods is keyed.
func Key(namespace, name string) string { return namespace + "/" + name }

// Metrics reads metrics.k8s.io. It checks once whether the API is served,
// and never polls one namespace more often than its interval: a caller that
// asks sooner gets the last result again.
type Metrics struct {
	disco    discovery.DiscoveryInterface
	client   metricsclient.Interface
	interval time.Duration

	mu      sync.Mutex
	served  *bool     // nil until discovery answered
	checked time.Time // when discovery last answered
	last    map[string]PodMetrics
}

// NewMetrics builds a metrics reader; interval is the shortest gap between two
// polls of the same namespace (DefaultMetricsInterval when zero).
func NewMetrics(disco discovery.DiscoveryInterface, client metricsclient.Interface, interval time.Duration) *Metrics {
	if interval <= 0 {
		interval = DefaultMetricsInterval
	}
	return &Metrics{disco: disco, client: client, interval: interval, last: map[string]PodMetrics{}}
}

// Interval is the shortest gap between two polls.
func (m *Metrics) Interval() time.Duration { return m.interval }

// available asks discovery once whether metrics.k8s.io is served. A failed
// discovery that is not a plain "not found" (API server or aggregated
// backend unavailable) is not remembered, so the next poll asks again; a
// "not served" answer stands for one interval, then discovery is asked again
// (one small GET), so a metrics-server installed while podtui runs is found
// at the next poll without a tight loop.
func (m *Metrics) available(ctx context.Context) (bool, string) {
	m.mu.Lock()
	served := m.served
	if served != nil && !*served && time.Since(m.checked) >= m.interval {
		served = nil
	}
	m.mu.Unlock()
	if served != nil {
		if !*served {
			return false, MetricsNotInstalled
		}
		return true, ""
	}
	var err error
	if d, ok := m.disco.(discovery.ServerResourcesInterfaceWithContext); ok {
		_, err = d.ServerResourcesForGroupVersionWithContext(ctx, MetricsGroupVersion)
	} else {
		_, err = m.disco.ServerResourcesForGroupVersion(MetricsGroupVersion)
	}
	if err != nil && !apierrors.IsNotFound(err) {
		return false, "metrics API unavailable: " + Explain(err)
	}
	ok := err == nil
	m.mu.Lock()
	m.served, m.checked = &ok, time.Now()
	m.mu.Unlock()
	if !ok {
		return false, MetricsNotInstalled
	}
	return true, ""
}

// Pods polls the usage of the pods of a namespace ("" = all namespaces).
func (m *Metrics) Pods(ctx context.Context, namespace string) PodMetrics {
	m.mu.Lock()
	if last, ok := m.last[namespace]; ok && time.Since(last.Fetched) < m.interval {
		m.mu.Unlock()
		return last
	}
	m.mu.Unlock()
	res := PodMetrics{Namespace: namespace, Fetched: time.Now()}
	if ok, problem := m.available(ctx); !ok {
		res.Problem, res.Absent = problem, problem == MetricsNotInstalled
	} else {
		list, err := m.client.MetricsV1beta1().PodMetricses(namespace).List(ctx, metav1.ListOptions{})
		switch {
		case err == nil:
			res.Pods = make(map[string]PodUsage, len(list.Items))
			for i := range list.Items {
				u := podUsage(&list.Items[i])
				res.Pods[Key(u.Namespace, u.Name)] = u
			}
		case apierrors.IsForbidden(err):
			res.Problem, res.Forbidden = forbiddenMetrics(namespace), true
		case apierrors.IsNotFound(err):
			// The APIService was removed after discovery.
			res.Problem = MetricsNotInstalled
		default:
			res.Problem = "metrics: " + Explain(err)
		}
	}
	m.mu.Lock()
	m.last[namespace] = res
	m.mu.Unlock()
	return res
}

func forbiddenMetrics(namespace string) string {
	if namespace == "" {
		return metricsForbidden + " in all namespaces; ask for get/list on pods.metrics.k8s.io"
	}
	return fmt.Sprintf("%s in namespace %s; ask for get/list on pods.metrics.k8s.io", metricsForbidden, namespace)
}

// Pod reads one pod's latest sample, for the diagnosis. ok is false when
// there is none (API absent, no sample yet, refused).
func (m *Metrics) Pod(ctx context.Context, namespace, name string) (PodUsage, bool) {
	if ok, _ := m.available(ctx); !ok {
		return PodUsage{}, false
	}
	pm, err := m.client.MetricsV1beta1().PodMetricses(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return PodUsage{}, false
	}
	return podUsage(pm), true
}

// Node reads a node's usage. problem says why there is none.
func (m *Metrics) Node(ctx context.Context, name string) (usage corev1.ResourceList, problem string) {
	if ok, problem := m.available(ctx); !ok {
		return nil, problem
	}
	nm, err := m.client.MetricsV1beta1().NodeMetricses().Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		return nm.Usage, ""
	case apierrors.IsForbidden(err):
		return nil, "not allowed to read node metrics (nodes.metrics.k8s.io)"
	case apierrors.IsNotFound(err):
		return nil, "no usage sample for node " + name + " yet"
	}
	return nil, "metrics: " + Explain(err)
}

func podUsage(pm *metricsv1beta1.PodMetrics) PodUsage {
	u := PodUsage{
		Namespace: pm.Namespace, Name: pm.Name, Time: pm.Timestamp.Time, Window: pm.Window.Duration,
		Containers: make(map[string]corev1.ResourceList, len(pm.Containers)),
	}
	for _, c := range pm.Containers {
		u.Containers[c.Name] = c.Usage
	}
	return u
}

// newMetricsClient builds the metrics.k8s.io client. metrics-server speaks
// JSON only, so the protobuf preference of the core client is dropped.
func newMetricsClient(cfg *rest.Config) (metricsclient.Interface, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.ContentType = "application/json"
	cfg.AcceptContentTypes = "application/json"
	return metricsclient.NewForConfig(cfg)
}

// metrics returns the client's metrics reader, built on first use.
func (c *Client) metrics() (*Metrics, error) {
	c.metricsOnce.Do(func() {
		mc, err := newMetricsClient(c.Config)
		if err != nil {
			c.metricsErr = err
			return
		}
		c.metricsReader = NewMetrics(c.Clientset.Discovery(), mc, c.MetricsInterval)
	})
	return c.metricsReader, c.metricsErr
}

// PodMetrics polls pod usage for a namespace ("" = all); see Metrics.Pods.
func (c *Client) PodMetrics(ctx context.Context, namespace string) PodMetrics {
	m, err := c.metrics()
	if err != nil {
		return PodMetrics{Namespace: namespace, Fetched: time.Now(), Problem: "metrics: " + err.Error(), Absent: true}
	}
	res := m.Pods(ctx, namespace)
	c.restartHistory().noteUsage(res) // what a container had before an OOM kill
	return res
}

// NodeSummary is what the node summary shows: the node, what the pods on it
// request, and its usage when metrics are served.
type NodeSummary struct {
	Node *corev1.Node
	// Pods are the non-terminated pods bound to the node.
	Pods []*corev1.Pod
	// Requested sums their effective requests; nil when the pods could not
	// be listed (see PodsProblem).
	Requested   corev1.ResourceList
	PodsProblem string
	// Usage is from node metrics; nil when unknown (see UsageProblem).
	Usage        corev1.ResourceList
	UsageProblem string
}

// NodeSummary reads a node, the pods on it and its usage.
func (c *Client) NodeSummary(ctx context.Context, name string) (NodeSummary, error) {
	node, err := c.Clientset.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) {
			return NodeSummary{}, fmt.Errorf("node %s not found", name)
		}
		return NodeSummary{}, fmt.Errorf("get node %s: %s", name, Explain(err))
	}
	node.ManagedFields = nil
	s := NodeSummary{Node: node}
	pods, err := nodePods(ctx, c.Clientset.CoreV1(), name)
	if err != nil {
		s.PodsProblem = "cannot list the pods on the node: " + Explain(err)
	} else {
		s.Pods = pods
		s.Requested = diagnose.NodeRequests(pods)[name]
		if s.Requested == nil {
			s.Requested = corev1.ResourceList{}
		}
	}
	if m, err := c.metrics(); err != nil {
		s.UsageProblem = "metrics: " + err.Error()
	} else {
		s.Usage, s.UsageProblem = m.Node(ctx, name)
	}
	return s, nil
}

// podLister is the part of the core client nodePods needs.
type podLister interface {
	Pods(namespace string) corev1client.PodInterface
}

// nodePods lists the non-terminated pods bound to a node ("" = to any node).
func nodePods(ctx context.Context, core podLister, node string) ([]*corev1.Pod, error) {
	sel := "status.phase!=Succeeded,status.phase!=Failed,spec.nodeName"
	if node == "" {
		sel += "!="
	} else {
		sel += "=" + node
	}
	list, err := core.Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{FieldSelector: sel})
	if err != nil {
		return nil, err
	}
	out := make([]*corev1.Pod, 0, len(list.Items))
	for i := range list.Items {
		out = append(out, &list.Items[i])
	}
	return out, nil
}

// addResourceInputs adds what the resource rules read: each pod's latest
// usage sample (one poll per namespace, nothing when metrics are absent),
// and, when a pod waits for a node, the requests already placed on every
// node so the engine can show free capacity. Both are best effort: an error
// leaves them unknown.
func addResourceInputs(ctx context.Context, cs kubernetes.Interface, m *Metrics, ins []diagnose.Input) {
	unscheduled := false
	polls := map[string]PodMetrics{}
	for i := range ins {
		p := ins[i].Pod
		if p.Spec.NodeName == "" && p.Status.Phase == corev1.PodPending {
			unscheduled = true
		}
		if m == nil {
			continue
		}
		res, ok := polls[p.Namespace]
		if !ok {
			res = m.Pods(ctx, p.Namespace)
			polls[p.Namespace] = res
		}
		if u, ok := res.Pods[Key(p.Namespace, p.Name)]; ok {
			ins[i].Usage = &diagnose.Usage{Time: u.Time, Containers: u.Containers}
		}
	}
	if !unscheduled {
		return
	}
	pods, err := nodePods(ctx, cs.CoreV1(), "")
	if err != nil {
		return
	}
	req := diagnose.NodeRequests(pods)
	for i := range ins {
		ins[i].NodeRequested = req
	}
}
