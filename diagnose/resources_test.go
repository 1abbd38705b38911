package diagnose

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func rl(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

func ctr(name string, req, lim corev1.ResourceList) corev1.Container {
	return corev1.Container{Name: name, Resources: corev1.ResourceRequirements{Requests: req, Limits: lim}}
}

func sidecar(c corev1.Container) corev1.Container {
	always := corev1.ContainerRestartPolicyAlways
	c.RestartPolicy = &always
	return c
}

func sameList(t *testing.T, what string, got, want corev1.ResourceList) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for n, w := range want {
		if g, ok := got[n]; !ok || g.Cmp(w) != 0 {
			t.Errorf("%s[%s] = %s, want %s", what, n, g.String(), w.String())
		}
	}
}

func TestPodRequestsAndLimits(t *testing.T) {
	tests := []struct {
		name     string
		init     []corev1.Container
		app      []corev1.Container
		overhead corev1.ResourceList
		req, lim corev1.ResourceList
	}{
		{
			"one container", nil,
			[]corev1.Container{ctr("app", rl("cpu", "250m", "memory", "128Mi"), rl("cpu", "1", "memory", "256Mi"))},
			nil, rl("cpu", "250m", "memory", "128Mi"), rl("cpu", "1", "memory", "256Mi"),
		},
		{
			"sum of app containers, mixed units", nil,
			[]corev1.Container{ctr("a", rl("cpu", "0.5", "memory", "1Gi"), rl("memory", "1Gi")), ctr("b", rl("cpu", "500m", "memory", "1G"), rl("memory", "1G"))},
			nil, rl("cpu", "1", "memory", "2073741824"), rl("memory", "2073741824"),
		},
		{"no request, no limit", nil, []corev1.Container{ctr("app", nil, nil)}, nil, rl(), rl()},
		{
			"limit on one container only: pod unbounded", nil,
			[]corev1.Container{ctr("a", nil, rl("memory", "64Mi")), ctr("b", nil, nil)},
			nil, rl(), rl(),
		},
		{
			"largest init container wins",
			[]corev1.Container{ctr("migrate", rl("cpu", "2", "memory", "64Mi"), rl("cpu", "2")), ctr("small", rl("cpu", "100m"), nil)},
			[]corev1.Container{ctr("app", rl("cpu", "500m", "memory", "256Mi"), rl("cpu", "1"))},
			nil, rl("cpu", "2", "memory", "256Mi"), rl("cpu", "2"),
		},
		{
			"sidecar adds to the app containers and to later init containers",
			[]corev1.Container{sidecar(ctr("proxy", rl("cpu", "100m", "memory", "50Mi"), rl("cpu", "200m", "memory", "100Mi"))), ctr("init", rl("cpu", "1"), rl("cpu", "1", "memory", "100Mi"))},
			[]corev1.Container{ctr("app", rl("cpu", "300m", "memory", "100Mi"), rl("cpu", "500m", "memory", "200Mi"))},
			nil, rl("cpu", "1100m", "memory", "150Mi"), rl("cpu", "1200m", "memory", "300Mi"),
		},
		{
			"sidecar without a limit: unbounded",
			[]corev1.Container{sidecar(ctr("proxy", nil, nil))},
			[]corev1.Container{ctr("app", nil, rl("memory", "200Mi"))},
			nil, rl(), rl(),
		},
		{
			"overhead counts", nil,
			[]corev1.Container{ctr("app", rl("cpu", "100m"), rl("cpu", "100m"))},
			rl("cpu", "250m"), rl("cpu", "350m"), rl("cpu", "350m"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &corev1.Pod{Spec: corev1.PodSpec{InitContainers: tt.init, Containers: tt.app, Overhead: tt.overhead}}
			sameList(t, "requests", PodRequests(p), tt.req)
			sameList(t, "limits", PodLimits(p), tt.lim)
		})
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		used, base string
		want       int
		ok         bool
	}{
		{"250m", "500m", 50, true},
		{"250m", "0.5", 50, true},
		{"1", "250m", 400, true}, // above the request is normal for CPU
		{"1m", "3", 0, true},
		{"2m", "3m", 67, true},
		{"512Mi", "1Gi", 50, true},
		{"1G", "1Gi", 93, true}, // 10^9 / 2^30
		{"1Gi", "1G", 107, true},
		{"500k", "1M", 50, true},
		{"1000Ki", "1M", 102, true},
		{"300Mi", "0", 0, false}, // zero base
		{"300Mi", "", 0, false},  // no request / no limit
		{"0", "128Mi", 0, true},
	}
	for _, tt := range tests {
		var base resource.Quantity
		if tt.base != "" {
			base = resource.MustParse(tt.base)
		}
		got, ok := Percent(resource.MustParse(tt.used), base)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Percent(%s, %q) = %d, %v; want %d, %v", tt.used, tt.base, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNodeFreeCapacity(t *testing.T) {
	pod := func(node string, phase corev1.PodPhase, req corev1.ResourceList) *corev1.Pod {
		return &corev1.Pod{Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{ctr("c", req, nil)}}, Status: corev1.PodStatus{Phase: phase}}
	}
	pods := []*corev1.Pod{
		pod("n1", corev1.PodRunning, rl("cpu", "500m", "memory", "1Gi")),
		pod("n1", corev1.PodPending, rl("cpu", "1", "memory", "512Mi")), // bound, not started: counts
		pod("n1", corev1.PodSucceeded, rl("cpu", "2", "memory", "2Gi")), // terminated: free again
		pod("n1", corev1.PodFailed, rl("cpu", "2")),
		pod("", corev1.PodPending, rl("cpu", "8")), // unscheduled: on no node
		pod("n2", corev1.PodRunning, rl("memory", "3G")),
		pod("n2", corev1.PodRunning, nil),
	}
	req := NodeRequests(pods)
	sameList(t, "n1 requests", req["n1"], rl("cpu", "1500m", "memory", "1536Mi"))
	sameList(t, "n2 requests", req["n2"], rl("memory", "3G"))
	if _, ok := req[""]; ok {
		t.Error("unscheduled pod counted")
	}
	sameList(t, "n1 free", FreeCapacity(rl("cpu", "2", "memory", "4Gi", "pods", "110"), req["n1"]),
		rl("cpu", "500m", "memory", "2560Mi", "pods", "110"))
	// Over-committed: negative free capacity is reported as such.
	sameList(t, "n2 free", FreeCapacity(rl("cpu", "4", "memory", "2Gi"), req["n2"]),
		rl("cpu", "4", "memory", "-852516352"))
	sameList(t, "no node data", FreeCapacity(nil, req["n1"]), rl())
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name corev1.ResourceName
		q    string
		want string
	}{
		{corev1.ResourceCPU, "250m", "250m"},
		{corev1.ResourceCPU, "2", "2000m"},
		{corev1.ResourceCPU, "1.5", "1500m"},
		{corev1.ResourceCPU, "100u", "1m"}, // rounds up, like Quantity does
		{corev1.ResourceCPU, "9999m", "9999m"},
		{corev1.ResourceCPU, "32", "32"},
		{corev1.ResourceCPU, "12500m", "12.5"},
		{corev1.ResourceCPU, "-31", "-31"},
		{corev1.ResourceMemory, "300Mi", "300Mi"},
		{corev1.ResourceMemory, "1G", "953Mi"},
		{corev1.ResourceMemory, "512Ki", "512Ki"},
		{corev1.ResourceMemory, "0", "0Mi"},
		{corev1.ResourceMemory, "16Gi", "16.0Gi"},
		{corev1.ResourceMemory, "-100Mi", "-100Mi"},
		{corev1.ResourcePods, "110", "110"},
	}
	for _, tt := range tests {
		if got := FormatQuantity(tt.name, resource.MustParse(tt.q)); got != tt.want {
			t.Errorf("FormatQuantity(%s, %s) = %q, want %q", tt.name, tt.q, got, tt.want)
		}
	}
}
