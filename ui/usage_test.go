package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/kube"
	"github.com/podtui/podtui/ui/podindex"
)

func rlist(cpu, mem string) corev1.ResourceList {
	out := corev1.ResourceList{}
	if cpu != "" {
		out[corev1.ResourceCPU] = resource.MustParse(cpu)
	}
	if mem != "" {
		out[corev1.ResourceMemory] = resource.MustParse(mem)
	}
	return out
}

func withResources(req, lim corev1.ResourceList) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.Containers[0].Resources = corev1.ResourceRequirements{Requests: req, Limits: lim}
		p.Status.QOSClass = corev1.PodQOSBurstable
	}
}

func sample(ns, name string, cpu, mem string) kube.PodUsage {
	return kube.PodUsage{
		Namespace: ns, Name: name, Time: clock.Add(-10 * time.Second), Window: 15 * time.Second,
		Containers: map[string]corev1.ResourceList{"app": rlist(cpu, mem)},
	}
}

// usageCluster has metrics for three of the shop pods.
func usageCluster() *fakeCluster {
	pods := []*corev1.Pod{
		pod("shop", "api-1", "worker-1", time.Hour, withResources(rlist("250m", "256Mi"), rlist("1", "512Mi"))),
		pod("shop", "cache-1", "worker-1", time.Hour, withResources(rlist("100m", "1Gi"), rlist("", "1Gi"))),
		pod("shop", "batch-1", "worker-2", time.Hour, nil),
		pod("shop", "pending-1", "", time.Hour, waiting("ContainerCreating")),
	}
	c := &fakeCluster{pods: pods}
	c.metrics = fakeMetrics{served: true, usage: map[string]kube.PodUsage{
		"shop/api-1":   sample("shop", "api-1", "500m", "128Mi"),
		"shop/cache-1": sample("shop", "cache-1", "20m", "950Mi"),
		"shop/batch-1": sample("shop", "batch-1", "1500m", "2Gi"),
	}}
	return c
}

// startUsage runs the app's first poll as the runtime would and returns the
// Cmd that follows it.
func startUsage(t *testing.T, a *App) tea.Cmd {
	t.Helper()
	// The first snapshot started the poll; run it.
	if !a.usage.active || a.usage.ns != a.current() {
		t.Fatalf("no poll started: %+v", a.usage)
	}
	_, next := a.Update(pollMetrics(a.cluster, a.usage.ns, a.usage.polls.last())())
	return next
}

func TestUsageColumns(t *testing.T) {
	c := usageCluster()
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 150, 9)
	next := startUsage(t, a)
	if next == nil {
		t.Fatal("no next poll scheduled while metrics work")
	}
	out := screen(a)
	for _, want := range []string{
		"CPU    MEM     %CPU/R  %CPU/L  %MEM/R  %MEM/L",
		"500m   128Mi   200%    50%     50%     25%", // api-1
		"20m    950Mi   20%     -       93%     93%", // cache-1: no CPU limit
		"1500m  2048Mi  -       -       -       -",   // batch-1: no requests, no limits
		"n/a    n/a     n/a     n/a     n/a     n/a", // pending-1: no sample
	} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	golden.RequireEqual(t, out)

	// Sort keys cycle on to the usage columns: cpu, highest first.
	press(a, "o", "o", "o", "o", "o")
	if sortKey(a) != podindex.SortCPU {
		t.Fatalf("sort key = %s, want cpu", sortKey(a))
	}
	if got := names(a); strings.Join(got, ",") != "batch-1,api-1,cache-1,pending-1" {
		t.Errorf("by cpu: %v", got)
	}
	press(a, "o", "o", "o", "o", "o") // %mem/l
	if sortKey(a) != podindex.SortMemLim {
		t.Fatalf("sort key = %s, want %%mem/l", sortKey(a))
	}
	if got := names(a); strings.Join(got, ",") != "cache-1,api-1,batch-1,pending-1" {
		t.Errorf("by %%mem/l: %v", got)
	}
	// u hides the columns; a usage sort falls back to name, and o skips usage keys.
	press(a, "u")
	if out := screen(a); strings.Contains(out, "%MEM/L") || strings.Contains(out, "950Mi") {
		t.Errorf("usage columns still shown:\n%s", out)
	}
	if sortKey(a) != podindex.SortName {
		t.Errorf("sort key = %s after hiding, want name", sortKey(a))
	}
	press(a, "o", "o", "o", "o", "o")
	if sortKey(a) != podindex.SortName {
		t.Errorf("o reached a hidden usage key: %s", sortKey(a))
	}
	press(a, "u")
	if !strings.Contains(screen(a), "%MEM/L") {
		t.Error("u did not show the columns again")
	}
}

func names(a *App) []string {
	var out []string
	for i := range a.list.Len() {
		out = append(out, a.list.index.Shown(i).Name)
	}
	return out
}

func sortKey(a *App) podindex.SortKey {
	k, _ := a.list.index.Sort()
	return k
}

func TestUsagePollingCadence(t *testing.T) {
	c := usageCluster()
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 150, 9)
	a.opts.MetricsInterval = time.Millisecond // the fake has no interval guard
	next := startUsage(t, a)
	// Pod changes do not poll again: the tick does.
	if cmd := a.pollUsage(a.current()); cmd != nil {
		t.Error("a second poll of the same namespace started before the tick")
	}
	a.Update(podsMsg{Ticket: a.feeds.last(), snap: a.snap})
	if len(c.metrics.polls) != 1 {
		t.Errorf("polls = %v, want one", c.metrics.polls)
	}
	// The next poll waits for the tick (a tea.Tick of the interval).
	if _, ok := next().(metricsTickMsg); !ok {
		t.Fatal("next is not the metrics tick")
	}
	_, poll := a.Update(metricsTickMsg{a.usage.polls.last()})
	a.Update(poll())
	if len(c.metrics.polls) != 2 {
		t.Errorf("polls = %v, want two", c.metrics.polls)
	}
	// A tick of an old generation (before a namespace switch) is dropped.
	old := a.usage.polls.last()
	_, cmd := a.Update(keyMsg("a"))
	for _, m := range runBatch(cmd) {
		if _, ok := m.(metricsMsg); ok {
			a.Update(m)
		}
	}
	if got := c.metrics.polls[len(c.metrics.polls)-1]; got != "" {
		t.Errorf("after switching to all namespaces polled %q", got)
	}
	if _, cmd := a.Update(metricsTickMsg{old}); cmd != nil {
		t.Error("a stale tick polled")
	}
}

func TestUsageAbsent(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 130, 9)
	// Absent: a retry is scheduled after the poll interval, never in a
	// tight loop. The tick is not run here.
	if next := startUsage(t, a); next == nil {
		t.Fatal("no later retry scheduled: metrics-server installed later would never be found")
	}
	out := screen(a)
	if !strings.Contains(out, "ℹ CPU/MEM n/a: metrics-server is not installed (metrics.k8s.io not served)") {
		t.Errorf("no hint:\n%s", out)
	}
	if strings.Contains(out, "%CPU/R") || !strings.Contains(out, "n/a  n/a") {
		t.Errorf("want CPU and MEM n/a only:\n%s", out)
	}
	// A namespace switch does not poll again at once.
	_, cmd := a.Update(keyMsg("a"))
	for _, m := range runBatch(cmd) {
		if _, ok := m.(metricsMsg); ok {
			t.Error("polled again at once after the API was found absent")
		}
	}
	load(t, a)
	if len(c.metrics.polls) != 1 {
		t.Errorf("polls = %v", c.metrics.polls)
	}
	// Hidden columns, no hint.
	press(a, "u")
	if strings.Contains(screen(a), "metrics-server") {
		t.Error("hint shown with the columns hidden")
	}
	press(a, "u")
	// metrics-server gets installed; the slow retry finds it.
	c.metrics.served = true
	c.metrics.usage = map[string]kube.PodUsage{"shop/api-7d9f8-abcde": sample("shop", "api-7d9f8-abcde", "500m", "128Mi")}
	_, poll := a.Update(metricsTickMsg{a.usage.polls.last()})
	if poll == nil {
		t.Fatal("the retry tick did not poll")
	}
	a.Update(poll())
	if out := screen(a); strings.Contains(out, "metrics-server is not installed") || !strings.Contains(out, "500m") {
		t.Fatalf("usage did not appear once metrics-server was installed:\n%s", out)
	}
}

func TestUsageForbidden(t *testing.T) {
	c := usageCluster()
	c.metrics.forbidden = true
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 130, 9)
	if next := startUsage(t, a); next != nil {
		t.Error("polling goes on after RBAC refused")
	}
	if out := screen(a); !strings.Contains(out, "not allowed to read pod metrics (metrics.k8s.io) in namespace shop") {
		t.Errorf("no RBAC hint:\n%s", out)
	}
	// Another namespace may be allowed: it is asked.
	_, cmd := a.Update(keyMsg("a"))
	for _, m := range runBatch(cmd) {
		if _, ok := m.(metricsMsg); ok {
			a.Update(m)
		}
	}
	if got := c.metrics.polls; len(got) != 2 || got[1] != "" {
		t.Errorf("polls = %q, want shop then all namespaces", got)
	}
}

func TestContainerUsageRender(t *testing.T) {
	p := pod("shop", "api-1", "worker-1", time.Hour, func(p *corev1.Pod) {
		p.Spec.InitContainers = []corev1.Container{{Name: "migrate", Resources: corev1.ResourceRequirements{Requests: rlist("500m", "64Mi")}}}
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "proxy"})
		p.Spec.Containers[0].Resources = corev1.ResourceRequirements{Requests: rlist("250m", "256Mi"), Limits: rlist("1", "512Mi")}
		p.Status.QOSClass = corev1.PodQOSBurstable
	})
	u := sample("shop", "api-1", "500m", "480Mi")
	u.Containers["proxy"] = rlist("3m", "12Mi")
	h := NewUsageHistory(30)
	for i, mem := range []string{"200Mi", "300Mi", "400Mi", "480Mi", "480Mi"} {
		s := sample("shop", "api-1", "500m", mem)
		s.Time = clock.Add(time.Duration(i) * 15 * time.Second)
		if i == 4 {
			s.Time = s.Time.Add(-15 * time.Second) // the same sample again: ignored
		}
		h.Add(s)
	}
	if h.Len() != 4 {
		t.Errorf("history kept %d samples, want 4", h.Len())
	}
	s := DefaultStyles(true)
	out := ansi.Strip(RenderContainerUsage(s, p, &u, "", h))
	out += "\n---\n" + ansi.Strip(RenderContainerUsage(s, p, nil, kube.MetricsNotInstalled, nil))
	for _, want := range []string{"QoS class: Burstable", "app                  cpu      500m     250m   200%    1000m    50%", "480Mi", "94%", "▃▅▆▇", "usage: n/a (metrics-server is not installed"} {
		if !strings.Contains(out, want) {
			t.Errorf("render lacks %q:\n%s", want, out)
		}
	}
	golden.RequireEqual(t, out)
}

func TestNodeSummaryPage(t *testing.T) {
	c := usageCluster()
	c.pods = append(c.pods, pod("shop", "done-1", "worker-1", time.Hour, func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodSucceeded // terminated: its request is free again
		p.Spec.Containers[0].Resources.Requests = rlist("4", "8Gi")
	}))
	c.metrics.nodes = map[string]*corev1.Node{"worker-1": {
		ObjectMeta: metav1.ObjectMeta{Name: "worker-1"},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("4Gi"), corev1.ResourcePods: resource.MustParse("110")},
			Conditions: []corev1.NodeCondition{
				{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(clock.Add(-48 * time.Hour)), Message: "kubelet is posting ready status"},
				{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(clock.Add(-5 * time.Minute)), Message: "kubelet has insufficient memory available"},
				{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Message: "kubelet has no disk pressure"},
			},
		},
	}}
	c.metrics.nodeUsage = map[string]corev1.ResourceList{"worker-1": rlist("1200m", "3Gi")}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 100, 20)
	_, cmd := a.Update(OpenNodeSummary("worker-1")())
	if _, ok := a.top().(*NodePage); !ok {
		t.Fatalf("node page not open: %T", a.top())
	}
	a.Update(cmd())
	out := screen(a)
	for _, want := range []string{
		"node worker-1", "Node worker-1  2 pods",
		"cpu                       2000m     350m 18%        1650m    1200m 60%",
		"memory                   4096Mi   1280Mi 31%       2816Mi   3072Mi 75%",
		"pods                        110         2 2%          108          n/a",
		"MemoryPressure   True    for 5m     kubelet has insufficient memory available",
		"PIDPressure      Unknown            not reported",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("node summary lacks %q:\n%s", want, out)
		}
	}
	golden.RequireEqual(t, out)
	_, cmd = a.Update(keyMsg("esc"))
	a.Update(cmd())
	if a.top() != nil {
		t.Error("esc did not close the node page")
	}
}

func TestNearLimitDiagFollowsUsage(t *testing.T) {
	c := usageCluster()
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 150, 9)
	startUsage(t, a)
	diagOf := func(name string) string {
		for _, r := range a.list.index.Rows() {
			if r.Name == name {
				return r.Cells.diag
			}
		}
		return "?"
	}
	if d := diagOf("cache-1"); d != "oom" {
		t.Fatalf("cache-1 at 93%% of its limit: DIAG %q, want oom", d)
	}
	// Usage drops: the warning goes with the next poll.
	c.metrics.usage["shop/cache-1"] = sample("shop", "cache-1", "20m", "500Mi")
	a.Update(metricsTickMsg{a.usage.polls.last()})
	a.Update(pollMetrics(a.cluster, a.usage.ns, a.usage.polls.last())())
	if d := diagOf("cache-1"); d != "" {
		t.Errorf("cache-1 at 49%%: DIAG %q, want none", d)
	}
	if d := diagOf("api-1"); d != "" {
		t.Errorf("api-1 DIAG %q", d)
	}
}

// usagePage records the usage messages a page gets.
type usagePage struct {
	NodePage
	got []UsageChangedMsg
}

func (p *usagePage) Update(msg tea.Msg) (Page, tea.Cmd) {
	if m, ok := msg.(UsageChangedMsg); ok {
		p.got = append(p.got, m)
	}
	return p, nil
}

func TestUsageReachesTopPage(t *testing.T) {
	c := usageCluster()
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 150, 9)
	p := &usagePage{}
	a.pages = append(a.pages, openPage{id: a.ids.next(), page: p})
	startUsage(t, a)
	if len(p.got) != 1 {
		t.Fatalf("page got %d usage messages", len(p.got))
	}
	u, ok := p.got[0].For("shop", "api-1")
	if cpu := u.Containers["app"][corev1.ResourceCPU]; !ok || cpu.MilliValue() != 500 {
		t.Errorf("api-1 usage = %+v, %v", u, ok)
	}
	if _, ok := p.got[0].For("shop", "pending-1"); ok {
		t.Error("a sample for a pod without one")
	}
	if env := a.env(); env.Metrics.Pods == nil {
		t.Error("pages opened now would not get the latest poll")
	}
}

// TestUsageColumnsGiveWay: on a narrow screen usage columns drop before
// names are cut, %MEM/L (the OOM predictor) last after CPU and MEM.
func TestUsageColumnsGiveWay(t *testing.T) {
	for _, tt := range []struct {
		w    int
		want string
	}{
		{100, "AGE  CPU    NODE"},
		{110, "AGE  CPU    MEM     NODE"},
		{115, "AGE  CPU    MEM     %MEM/L  NODE"},
		{130, "AGE  CPU    MEM     %CPU/R  %MEM/R  %MEM/L  NODE"},
		{140, "AGE  CPU    MEM     %CPU/R  %CPU/L  %MEM/R  %MEM/L  NODE"},
	} {
		a := harnessApp(t, usageCluster(), kube.Scope{Namespace: "shop"}, tt.w, 9)
		startUsage(t, a)
		if title := strings.Split(screen(a), "\n")[1]; !strings.Contains(title, tt.want) || !strings.HasPrefix(title, "NAME       READY") {
			t.Errorf("width %d: titles %q, want %q and whole names", tt.w, title, tt.want)
		}
	}
}

func TestUsageBlipKeepsNumbers(t *testing.T) {
	c := usageCluster()
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 150, 9)
	startUsage(t, a)
	a.Update(metricsMsg{Ticket: a.usage.polls.last(), res: kube.PodMetrics{Namespace: "shop", Problem: "metrics: API server error: the backend is down; retrying"}})
	out := screen(a)
	if !strings.Contains(out, "500m") || !strings.Contains(out, "ℹ usage not refreshed: metrics: API server error") {
		t.Errorf("a failed poll blanked the numbers or went unsaid:\n%s", out)
	}
}

func TestDetailShowsUsageAndOpensNodeSummary(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 120, 40)
	cmd := listKey(a, "d")
	if _, ok := a.top().(*DetailPage); !ok {
		t.Fatal("d did not open the detail page")
	}
	_ = cmd // the events feed and related objects are not needed here
	if out := screen(a); !strings.Contains(out, "Resources") || !strings.Contains(out, "QoS class") {
		t.Fatalf("detail lacks the resources block:\n%s", out)
	}
	_, cmd = a.Update(keyMsg("N"))
	for _, m := range runBatch(cmd) {
		a.Update(m)
	}
	if p, ok := a.top().(*NodePage); !ok || p.Title() != "node worker-1" {
		t.Fatalf("N did not open the node summary: %T", a.top())
	}
}

// A failed poll keeps the numbers but marks them old in their cells, with
// the age of the last poll that worked; after maxMissedPolls failures in a
// row they give way to n/a, and a poll that works makes them fresh again.
func TestUsageGoingAwayMarksNumbersOld(t *testing.T) {
	c := usageCluster()
	now := clock
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 150, 9)
	a.now = func() time.Time { return now }
	a.list.now = a.now
	startUsage(t, a)
	row := func(name string) string {
		for _, l := range strings.Split(screen(a), "\n") {
			if strings.HasPrefix(l, name+" ") {
				return l
			}
		}
		t.Fatalf("no row of %s:\n%s", name, screen(a))
		return ""
	}
	down := kube.PodMetrics{Namespace: "shop", Problem: "metrics: API server error: the backend is down; retrying"}
	for miss := 1; miss < maxMissedPolls; miss++ {
		now = now.Add(15 * time.Second)
		a.Update(metricsMsg{Ticket: a.usage.polls.last(), res: down})
		want := fmt.Sprintf("500m ~%ds 128Mi ~%ds 200%%~ 50%%~ 50%%~ 25%%~", 15*miss, 15*miss)
		if got := strings.Join(strings.Fields(row("api-1")), " "); !strings.Contains(got, want) {
			t.Errorf("after %d failed polls: api-1 row %q, want %q", miss, got, want)
		}
		if got := row("pending-1"); !strings.Contains(got, "n/a") || strings.Contains(got, "~") {
			t.Errorf("a pod without numbers got a mark: %q", got)
		}
		if !strings.Contains(screen(a), "ℹ usage not refreshed") {
			t.Errorf("the status line does not say the numbers are old:\n%s", screen(a))
		}
	}
	now = now.Add(15 * time.Second)
	a.Update(metricsMsg{Ticket: a.usage.polls.last(), res: down})
	if got := row("api-1"); strings.Contains(got, "500m") || !strings.Contains(got, "n/a") {
		t.Errorf("after %d failed polls the numbers are still shown: %q", maxMissedPolls, got)
	}
	if !strings.Contains(screen(a), "ℹ CPU/MEM n/a: metrics: API server error") {
		t.Errorf("status line:\n%s", screen(a))
	}
	a.Update(pollMetrics(a.cluster, a.usage.ns, a.usage.polls.last())())
	if got := row("api-1"); !strings.Contains(got, "500m   128Mi   200%") || strings.Contains(got, "~") {
		t.Errorf("fresh numbers: %q", got)
	}
}

// TestUsageAbsentAgainLeavesRows: a poll that finds no numbers again, for
// the same reason, does not derive the rows anew (58 ms a poll at 100k
// pods); numbers that come later do.
func TestUsageAbsentAgainLeavesRows(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 130, 9)
	absent := kube.PodMetrics{Namespace: "shop", Absent: true, Problem: "metrics-server is not installed"}
	a.list.SetMetrics(absent, clock)
	row := a.list.index.Rows()[0]
	row.Cells.usage.text[0] = "sentinel"
	a.list.SetMetrics(absent, clock.Add(15*time.Second))
	if row.Cells.usage.text[0] != "sentinel" {
		t.Fatal("an unchanged absent poll derived the rows again")
	}
	a.list.SetMetrics(kube.PodMetrics{Namespace: "shop", Pods: map[string]kube.PodUsage{"shop/api-7d9f8-abcde": sample("shop", "api-7d9f8-abcde", "500m", "128Mi")}}, clock.Add(30*time.Second))
	if row.Cells.usage.text[0] == "sentinel" {
		t.Fatal("numbers that came did not reach the rows")
	}
}
