package e2e

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/podtui/podtui/internal/harness"
)

// fakeMetricsAPI serves metrics.k8s.io/v1beta1 from the test process, so
// each test dictates exact numbers with no scrape delay (see
// notes/real-cluster.md section 6). The aggregator reaches it through an
// ExternalName Service on localhost.
type fakeMetricsAPI struct {
	mu    sync.Mutex
	usage map[string]map[string]corev1.ResourceList // "ns/pod" -> container -> usage
	srv   *httptest.Server
}

func newFakeMetricsAPI(t *testing.T) *fakeMetricsAPI {
	f := &fakeMetricsAPI{usage: map[string]map[string]corev1.ResourceList{}}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMetricsAPI) set(ns, pod string, containers map[string]corev1.ResourceList) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.usage[ns+"/"+pod] = containers
}

func (f *fakeMetricsAPI) port() int {
	_, p, _ := net.SplitHostPort(f.srv.Listener.Addr().String())
	n, _ := strconv.Atoi(p)
	return n
}

func (f *fakeMetricsAPI) serve(w http.ResponseWriter, r *http.Request) {
	const gv = "metrics.k8s.io/v1beta1"
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 3 || parts[0] != "apis" || parts[1] != "metrics.k8s.io" || parts[2] != "v1beta1" {
		http.NotFound(w, r)
		return
	}
	rest := parts[3:]
	f.mu.Lock()
	defer f.mu.Unlock()
	now := metav1.NewTime(time.Now().Truncate(time.Second))
	podMetrics := func(key string) metricsv1beta1.PodMetrics {
		ns, name, _ := strings.Cut(key, "/")
		pm := metricsv1beta1.PodMetrics{
			TypeMeta:   metav1.TypeMeta{Kind: "PodMetrics", APIVersion: gv},
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Timestamp: now, Window: metav1.Duration{Duration: 15 * time.Second},
		}
		for c, u := range f.usage[key] {
			pm.Containers = append(pm.Containers, metricsv1beta1.ContainerMetrics{Name: c, Usage: u})
		}
		return pm
	}
	list := func(ns string) metricsv1beta1.PodMetricsList {
		l := metricsv1beta1.PodMetricsList{TypeMeta: metav1.TypeMeta{Kind: "PodMetricsList", APIVersion: gv}}
		for key := range f.usage {
			if ns == "" || strings.HasPrefix(key, ns+"/") {
				l.Items = append(l.Items, podMetrics(key))
			}
		}
		return l
	}
	var body any
	switch {
	case len(rest) == 0:
		body = metav1.APIResourceList{
			TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: gv,
			APIResources: []metav1.APIResource{
				{Name: "pods", Namespaced: true, Kind: "PodMetrics", Verbs: []string{"get", "list"}},
				{Name: "nodes", Kind: "NodeMetrics", Verbs: []string{"get", "list"}},
			},
		}
	case len(rest) == 1 && rest[0] == "pods":
		body = list("")
	case len(rest) == 3 && rest[0] == "namespaces" && rest[2] == "pods":
		body = list(rest[1])
	case len(rest) == 4 && rest[0] == "namespaces" && rest[2] == "pods":
		key := rest[1] + "/" + rest[3]
		if _, ok := f.usage[key]; !ok {
			http.NotFound(w, r)
			return
		}
		body = podMetrics(key)
	case len(rest) == 2 && rest[0] == "nodes":
		body = metricsv1beta1.NodeMetrics{
			TypeMeta:   metav1.TypeMeta{Kind: "NodeMetrics", APIVersion: gv},
			ObjectMeta: metav1.ObjectMeta{Name: rest[1]}, Timestamp: now, Window: metav1.Duration{Duration: 15 * time.Second},
			Usage: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("2Gi")},
		}
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// register points the cluster's v1beta1.metrics.k8s.io APIService at the
// fake and waits until the aggregator serves it.
func (f *fakeMetricsAPI) register(t *testing.T, c *harness.Cluster) {
	t.Helper()
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "fake-metrics"},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "localhost"},
	}
	if err := c.EnsureNamespace(ctx(t), "kube-system"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Client().CoreV1().Services("kube-system").Create(ctx(t), svc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	as := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
		"metadata": map[string]any{"name": "v1beta1.metrics.k8s.io"},
		"spec": map[string]any{
			"group": "metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": int64(100),
			"versionPriority": int64(100), "insecureSkipTLSVerify": true,
			"service": map[string]any{"namespace": "kube-system", "name": "fake-metrics", "port": int64(f.port())},
		},
	}}
	if err := c.Apply(ctx(t), as); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := c.Client().Discovery().ServerResourcesForGroupVersion("metrics.k8s.io/v1beta1")
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics.k8s.io not served through the aggregator: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// usagePod is a kwok pod with requests and limits on its one container.
func usagePod(ns, name string) *corev1.Pod {
	p := harness.Pod(ns, name)
	p.Spec.Containers[0].Resources = corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("600Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("1Gi")},
	}
	return p
}

// TestUsageColumns runs on a control plane of its own: registering
// metrics.k8s.io on the shared one would change what the other tests see.
func TestUsageColumns(t *testing.T) {
	c := ownCluster(t)
	ns := c.NewNamespace(t, "usage")
	for _, name := range []string{"api-1", "idle-1"} {
		if _, err := c.CreatePod(ctx(t), usagePod(ns, name)); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("absent", func(t *testing.T) {
		term := startPodtui(t, c.Kubeconfig, "-n", ns)
		ok(t)(term.WaitMatch(rowRE("api-1", "Running"), seen))
		ok(t)(term.WaitFor("CPU/MEM n/a: metrics-server is not installed (metrics.k8s.io not served)", seen))
		screen := term.Screen()
		row := rowOf(screen, "api-1")
		if !strings.Contains(row, " n/a ") || strings.Contains(screen, "%CPU/R") {
			t.Errorf("want CPU and MEM n/a only:\n%s", screen)
		}
		term.Send("q")
		if code, err := term.Wait(10 * time.Second); err != nil || code != 0 {
			t.Fatalf("quit: code %d, err %v", code, err)
		}
	})

	f := newFakeMetricsAPI(t)
	f.set(ns, "api-1", map[string]corev1.ResourceList{"app": {corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("300Mi")}})
	f.set(ns, "idle-1", map[string]corev1.ResourceList{"app": {corev1.ResourceCPU: resource.MustParse("1m"), corev1.ResourceMemory: resource.MustParse("960Mi")}})
	f.register(t, c)

	t.Run("filled", func(t *testing.T) {
		term := startPodtui(t, c.Kubeconfig, "-n", ns)
		// CPU MEM %CPU/R %CPU/L %MEM/R %MEM/L: 250m of 500m/1, 300Mi of 600Mi/1Gi.
		ok(t)(term.WaitMatch(regexpRow("api-1", "250m", "300Mi", "50%", "25%", "50%", "29%"), seen))
		ok(t)(term.WaitMatch(regexpRow("idle-1", "1m", "960Mi", "0%", "0%", "160%", "94%"), seen))
		// 94% of the memory limit: the DIAG column warns before the OOM kill.
		if row := rowOf(term.Screen(), "idle-1"); !strings.Contains(row, " oom ") {
			t.Errorf("idle-1 near its memory limit has no oom warning: %q", row)
		}
		if s := term.Screen(); strings.Contains(s, "metrics-server is not installed") {
			t.Errorf("absent hint with metrics served:\n%s", s)
		}
		term.Send("u")
		ok(t)(term.WaitGone("%MEM/L", seen))
		term.Send("q")
		if code, err := term.Wait(10 * time.Second); err != nil || code != 0 {
			t.Fatalf("quit: code %d, err %v", code, err)
		}
	})

	t.Run("diagnose", func(t *testing.T) {
		// A pod asking for more CPU than the node has free: the scheduler's
		// message, and the numbers podtui computes from the pods on the node.
		big := usagePod(ns, "big")
		harness.WithNode("")(big)
		harness.ManualStatus()(big)
		big.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("40")
		big.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU] = resource.MustParse("40")
		if _, err := c.CreatePod(ctx(t), big); err != nil {
			t.Fatal(err)
		}
		msg := "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
		if _, err := c.PatchStatus(ctx(t), ns, "big", corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
			Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: msg, LastTransitionTime: metav1.Now(),
		}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateEvent(ctx(t), ns, "big", harness.Event{Reason: "FailedScheduling", Message: msg, Component: "default-scheduler"}); err != nil {
			t.Fatal(err)
		}
		out, _ := exec.Command(podtui, "diagnose", "--kubeconfig", c.Kubeconfig, "-n", ns, "big", "idle-1").CombinedOutput()
		for _, want := range []string{
			// kwok-node-0: 32 CPUs, api-1 and idle-1 request 500m each.
			"Free cpu per node it may use, from the requests of the pods on it: kwok-node-0 31 free (32 allocatable - 1000m requested). The pod needs 40. That is more than any of these nodes has allocatable",
			"Memory at 94% of its limit (960Mi of 1Gi): close to being OOMKilled",
		} {
			if !strings.Contains(string(out), want) {
				t.Errorf("podtui diagnose lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("rbac", func(t *testing.T) {
		user := "no-metrics-" + ns
		role := &rbacv1.Role{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pod-reader"},
			Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}}},
		}
		if _, err := c.Client().RbacV1().Roles(ns).Create(ctx(t), role, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		rb := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pod-reader"},
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "pod-reader"},
			Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: user}},
		}
		if _, err := c.Client().RbacV1().RoleBindings(ns).Create(ctx(t), rb, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		kc, err := c.KubeconfigFor(user, nil)
		if err != nil {
			t.Fatal(err)
		}
		term := startPodtui(t, kc, "-n", ns)
		ok(t)(term.WaitMatch(rowRE("api-1", "Running"), seen))
		ok(t)(term.WaitFor("not allowed to read pod metrics (metrics.k8s.io) in namespace "+ns, seen))
		if row := rowOf(term.Screen(), "api-1"); !strings.Contains(row, " n/a ") {
			t.Errorf("row without n/a: %q", row)
		}
		term.Send("q")
		if code, err := term.Wait(10 * time.Second); err != nil || code != 0 {
			t.Fatalf("quit: code %d, err %v", code, err)
		}
	})
}

// regexpRow matches a Running pod's row whose usage columns read cells, in order.
func regexpRow(name string, cells ...string) *regexp.Regexp {
	q := make([]string, len(cells))
	for i, c := range cells {
		q[i] = regexp.QuoteMeta(c)
	}
	return regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s+\d+/\d+\s+Running\s.*\s` + strings.Join(q, `\s+`) + `\s`)
}

// TestUsageMetricsServerSmoke is the one run against the real pipeline:
// kwok's simulated usage, scraped by metrics-server behind the aggregator.
// The first sample takes 30-60 s, so -short skips it.
func TestUsageMetricsServerSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("metrics-server needs two scrapes before the first sample")
	}
	binDir, err := harness.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	startCtx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := harness.Start(startCtx, harness.Options{Nodes: 1, BinDir: binDir, Metrics: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	ns := c.NewNamespace(t, "smoke")
	p := usagePod(ns, "busy")
	harness.WithUsage("250m", "300Mi")(p)
	if _, err := c.CreatePod(ctx(t), p); err != nil {
		t.Fatal(err)
	}
	term := startPodtui(t, c.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("busy", "Running"), seen))
	// CPU comes from a cumulative counter: allow a little rounding. The
	// poll runs every 15 s, so the numbers arrive within one interval of
	// metrics-server having them.
	start := time.Now()
	ok(t)(term.WaitMatch(regexp.MustCompile(`(?m)^\s*busy\s.*\s2[4-6]\dm\s+300Mi\s+\d+%\s+\d+%\s+50%\s+29%\s`), 150*time.Second))
	t.Logf("usage on screen after %s", time.Since(start).Round(time.Second))
	term.Send("q")
	if code, err := term.Wait(10 * time.Second); err != nil || code != 0 {
		t.Fatalf("quit: code %d, err %v", code, err)
	}
}
