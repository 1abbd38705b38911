package kube

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	fakediscovery "k8s.io/client-go/discovery/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsfake "k8s.io/metrics/pkg/client/clientset/versioned/fake"

	"github.com/podtui/podtui/diagnose"
)

// metricsEnv is a fake cluster with or without metrics.k8s.io; calls counts
// the requests that reached the metrics API (discovery included).
type metricsEnv struct {
	disco   *fakediscovery.FakeDiscovery
	client  *metricsfake.Clientset
	disc    atomic.Int32
	lists   atomic.Int32
	listErr error
}

func newMetricsEnv(served bool) *metricsEnv {
	e := &metricsEnv{}
	e.disco = kubefake.NewClientset().Discovery().(*fakediscovery.FakeDiscovery)
	if served {
		e.disco.Resources = []*metav1.APIResourceList{{
			GroupVersion: MetricsGroupVersion,
			APIResources: []metav1.APIResource{{Name: "pods", Namespaced: true, Kind: "PodMetrics"}, {Name: "nodes", Kind: "NodeMetrics"}},
		}}
	}
	e.disco.PrependReactor("get", "resource", func(k8stesting.Action) (bool, runtime.Object, error) {
		e.disc.Add(1)
		return false, nil, nil
	})
	e.client = metricsfake.NewSimpleClientset()
	e.client.PrependReactor("list", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		e.lists.Add(1)
		if e.listErr != nil {
			return true, nil, e.listErr
		}
		return true, &metricsv1beta1.PodMetricsList{Items: []metricsv1beta1.PodMetrics{{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api-1"},
			Timestamp:  metav1.NewTime(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)),
			Window:     metav1.Duration{Duration: 15 * time.Second},
			Containers: []metricsv1beta1.ContainerMetrics{
				{Name: "app", Usage: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("300Mi")}},
				{Name: "proxy", Usage: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("5m"), corev1.ResourceMemory: resource.MustParse("20Mi")}},
			},
		}}}, nil
	})
	return e
}

func TestMetricsPods(t *testing.T) {
	e := newMetricsEnv(true)
	m := NewMetrics(e.disco, e.client, time.Hour)
	res := m.Pods(context.Background(), "shop")
	if res.Problem != "" || res.Absent || res.Forbidden {
		t.Fatalf("problem: %+v", res)
	}
	u, ok := res.Pods[Key("shop", "api-1")]
	if !ok {
		t.Fatalf("no sample for shop/api-1: %v", res.Pods)
	}
	tot := u.Total()
	if cpu, mem := tot.Cpu().MilliValue(), tot.Memory().Value(); cpu != 255 || mem != 320<<20 {
		t.Errorf("total = %dm %d, want 255m 320Mi", cpu, mem)
	}
	if q := u.Containers["app"][corev1.ResourceMemory]; q.Value() != 300<<20 {
		t.Errorf("app memory = %s", q.String())
	}
	// Asked again within the interval: the same result, no new request.
	again := m.Pods(context.Background(), "shop")
	if e.lists.Load() != 1 || e.disc.Load() != 1 || !again.Fetched.Equal(res.Fetched) {
		t.Errorf("lists=%d discoveries=%d; want 1 and 1 (polled faster than the interval)", e.lists.Load(), e.disc.Load())
	}
	// Another namespace is its own poll, but discovery is not repeated.
	m.Pods(context.Background(), "")
	if e.lists.Load() != 2 || e.disc.Load() != 1 {
		t.Errorf("lists=%d discoveries=%d; want 2 and 1", e.lists.Load(), e.disc.Load())
	}
}

func TestMetricsNotServed(t *testing.T) {
	e := newMetricsEnv(false)
	m := NewMetrics(e.disco, e.client, time.Hour)
	// Five namespaces: each is polled, but "not served" stands for the interval.
	for i := range 5 {
		res := m.Pods(context.Background(), fmt.Sprint("shop", i))
		if !res.Absent || res.Problem != MetricsNotInstalled || res.Pods != nil {
			t.Fatalf("got %+v, want absent", res)
		}
	}
	if d := e.disc.Load(); d != 1 || e.lists.Load() != 0 {
		t.Errorf("discoveries=%d lists=%d; want discovery once and no list", d, e.lists.Load())
	}
	if _, ok := m.Pod(context.Background(), "shop", "api-1"); ok {
		t.Error("Pod sample without metrics API")
	}
	if u, p := m.Node(context.Background(), "n1"); u != nil || p != MetricsNotInstalled {
		t.Errorf("Node = %v, %q", u, p)
	}
}

func TestMetricsForbidden(t *testing.T) {
	e := newMetricsEnv(true)
	e.listErr = apierrors.NewForbidden(schema.GroupResource{Group: "metrics.k8s.io", Resource: "pods"}, "", nil)
	m := NewMetrics(e.disco, e.client, time.Hour)
	res := m.Pods(context.Background(), "shop")
	if !res.Forbidden || res.Absent || !strings.Contains(res.Problem, "not allowed to read pod metrics") || !strings.Contains(res.Problem, "namespace shop") {
		t.Errorf("got %+v", res)
	}
	res = m.Pods(context.Background(), "")
	if !strings.Contains(res.Problem, "all namespaces") {
		t.Errorf("all namespaces: %q", res.Problem)
	}
}

func TestMetricsDiscoveryUnavailableIsRetried(t *testing.T) {
	e := newMetricsEnv(true)
	fail := true
	e.disco.PrependReactor("get", "resource", func(k8stesting.Action) (bool, runtime.Object, error) {
		if fail {
			return true, nil, apierrors.NewServiceUnavailable("the backend is down")
		}
		return false, nil, nil
	})
	m := NewMetrics(e.disco, e.client, time.Nanosecond)
	res := m.Pods(context.Background(), "shop")
	if res.Absent || !strings.Contains(res.Problem, "metrics API unavailable") {
		t.Fatalf("got %+v", res)
	}
	fail = false
	time.Sleep(time.Microsecond)
	if res := m.Pods(context.Background(), "shop"); res.Problem != "" || len(res.Pods) != 1 {
		t.Errorf("after recovery: %+v", res)
	}
}

func TestNodePods(t *testing.T) {
	cs := kubefake.NewClientset(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "p"}, Spec: corev1.PodSpec{NodeName: "n1"}})
	var sel string
	cs.PrependReactor("list", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		sel = a.(k8stesting.ListAction).GetListRestrictions().Fields.String()
		return false, nil, nil
	})
	pods, err := nodePods(context.Background(), cs.CoreV1(), "n1")
	if err != nil || len(pods) != 1 {
		t.Fatalf("pods=%v err=%v", pods, err)
	}
	for _, want := range []string{"spec.nodeName=n1", "status.phase!=Succeeded", "status.phase!=Failed"} {
		if !strings.Contains(sel, want) {
			t.Errorf("field selector %q lacks %q", sel, want)
		}
	}
}

func TestAddResourceInputs(t *testing.T) {
	pending := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "new"}, Status: corev1.PodStatus{Phase: corev1.PodPending}}
	running := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api-1"}, Spec: corev1.PodSpec{
			NodeName:   "n1",
			Containers: []corev1.Container{{Name: "app", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}}}},
		},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
	cs := kubefake.NewClientset(running, pending)
	e := newMetricsEnv(true)
	m := NewMetrics(e.disco, e.client, time.Hour)
	ins := []diagnose.Input{{Pod: running}, {Pod: pending}}
	addResourceInputs(context.Background(), cs, m, ins)
	if u := ins[0].Usage; u == nil || u.Containers["app"][corev1.ResourceMemory] != resource.MustParse("300Mi") {
		t.Errorf("usage of api-1 = %+v", u)
	}
	if ins[1].Usage != nil {
		t.Error("usage for a pod without a sample")
	}
	if got := ins[1].NodeRequested["n1"][corev1.ResourceCPU]; got.MilliValue() != 1000 {
		t.Errorf("n1 requested cpu = %s, want 1", got.String())
	}
	if e.lists.Load() != 1 {
		t.Errorf("%d metrics lists for one namespace", e.lists.Load())
	}
	// No metrics API, nothing pending: nothing added, nothing listed.
	ins = []diagnose.Input{{Pod: running}}
	addResourceInputs(context.Background(), cs, NewMetrics(newMetricsEnv(false).disco, e.client, time.Hour), ins)
	if ins[0].Usage != nil || ins[0].NodeRequested != nil {
		t.Errorf("got %+v", ins[0])
	}
}

func TestClientNodeSummary(t *testing.T) {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "n1", ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}},
		Status:     corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}},
	}
	req := func(cpu string) []corev1.Container {
		return []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}}
	}
	cs := kubefake.NewClientset(node,
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "p1"}, Spec: corev1.PodSpec{NodeName: "n1", Containers: req("500m")}, Status: corev1.PodStatus{Phase: corev1.PodRunning}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "b", Name: "p2"}, Spec: corev1.PodSpec{NodeName: "n1", Containers: req("250m")}, Status: corev1.PodStatus{Phase: corev1.PodPending}},
	)
	c := &Client{Clientset: cs, Config: &rest.Config{Host: "https://127.0.0.1:1"}}
	s, err := c.NodeSummary(context.Background(), "n1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Node.ManagedFields != nil || len(s.Pods) != 2 {
		t.Errorf("node %+v, %d pods", s.Node.ObjectMeta, len(s.Pods))
	}
	if got := s.Requested[corev1.ResourceCPU]; got.MilliValue() != 750 {
		t.Errorf("requested cpu = %s, want 750m", got.String())
	}
	// The fake discovery serves no metrics.k8s.io.
	if s.Usage != nil || s.UsageProblem != MetricsNotInstalled {
		t.Errorf("usage %v, problem %q", s.Usage, s.UsageProblem)
	}
	if _, err := c.NodeSummary(context.Background(), "nope"); err == nil || !strings.Contains(err.Error(), "node nope not found") {
		t.Errorf("missing node: %v", err)
	}
}

// A metrics-server installed while podtui runs is found at the next poll
// after an interval, and not sooner (no tight loop against discovery).
func TestMetricsRediscoveredWhenInstalledLater(t *testing.T) {
	e := newMetricsEnv(false)
	m := NewMetrics(e.disco, e.client, time.Hour)
	if res := m.Pods(context.Background(), "shop"); !res.Absent {
		t.Fatalf("want absent, got %+v", res)
	}
	e.disco.Resources = []*metav1.APIResourceList{{
		GroupVersion: MetricsGroupVersion,
		APIResources: []metav1.APIResource{{Name: "pods", Namespaced: true, Kind: "PodMetrics"}},
	}}
	if res := m.Pods(context.Background(), "shop"); !res.Absent || e.disc.Load() != 1 {
		t.Fatalf("asked discovery again within the interval: %+v, %d calls", res, e.disc.Load())
	}
	m.mu.Lock()
	m.checked = m.checked.Add(-time.Hour) // an interval has passed
	delete(m.last, "shop")
	m.mu.Unlock()
	if res := m.Pods(context.Background(), "shop"); res.Absent || res.Problem != "" || len(res.Pods) != 1 {
		t.Fatalf("not found after installation: %+v", res)
	}
}
