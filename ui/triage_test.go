package ui

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/podtui/podtui/kube"
)

// ownedBy makes a pod a replica of Deployment name.
func ownedBy(name, hash string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Labels = map[string]string{"pod-template-hash": hash}
		p.OwnerReferences = []metav1.OwnerReference{{Kind: "ReplicaSet", Name: name + "-" + hash, Controller: new(true)}}
	}
}

func both(fs ...func(*corev1.Pod)) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		for _, f := range fs {
			f(p)
		}
	}
}

func pullFailing(p *corev1.Pod) {
	waiting("ErrImagePull")(p)
	p.Status.ContainerStatuses[0].State.Waiting.Message = `rpc error: code = NotFound desc = failed to pull and unpack image "app:1": failed to resolve reference "docker.io/library/app:1": docker.io/library/app:1: not found`
}

func TestTriagePage(t *testing.T) {
	pods := []*corev1.Pod{
		pod("shop", "api-7d9f8-a", "w1", time.Hour, both(ownedBy("api", "7d9f8"), pullFailing)),
		pod("shop", "api-7d9f8-b", "w2", time.Hour, both(ownedBy("api", "7d9f8"), pullFailing)),
		pod("shop", "web-5c6d7-a", "w1", time.Hour, both(ownedBy("web", "5c6d7"), crashLoop)),
		pod("shop", "db-0", "w3", time.Hour, nil),
	}
	c := &fakeCluster{pods: pods}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 100, 16)
	_, cmd := a.Update(keyMsg("T"))
	if _, ok := a.top().(*TriagePage); !ok {
		t.Fatal("T did not open triage")
	}
	for _, m := range runBatch(cmd) {
		a.Update(m)
	}
	out := screen(a)
	for _, want := range []string{"2 causes, 3 broken pods of 4 checked", "2 × deployment/api in shop", "1 × deployment/web in shop"} {
		if !strings.Contains(out, want) {
			t.Errorf("triage lacks %q:\n%s", want, out)
		}
	}
	golden.RequireEqual(t, out)

	// Enter opens the group: its pods and the owner's commands.
	a.Update(keyMsg("enter"))
	out = screen(a)
	if !strings.Contains(out, "shop/api-7d9f8-a") || !strings.Contains(out, "kubectl rollout undo deployment/api -n shop") {
		t.Fatalf("group not opened:\n%s", out)
	}
	// L opens the logs of the group's pods, over triage.
	_, cmd = a.Update(keyMsg("L"))
	a.Update(cmd())
	if lp, ok := a.top().(*WorkloadLogPage); !ok || !strings.Contains(lp.Title(), "the 2 pods of deployment/api (image/not-found)") {
		t.Fatalf("L on a group opened %T %q", a.top(), a.top().Title())
	}
	a.closeTop()

	// A pod recovers: the group shrinks without a reload.
	fixed := pod("shop", "api-7d9f8-b", "w2", time.Hour, ownedBy("api", "7d9f8"))
	fixed.ResourceVersion = "2"
	c.pods[1] = fixed
	// The cache's summary moves; triage reads that one pod again.
	_, cmd = a.Update(podsMsg{Ticket: a.feeds.last(), snap: kube.PodSnapshot{Pods: summaries(c.pods), Synced: true, Scope: kube.Scope{Namespace: "shop"}}})
	feedAll(a, cmd)
	if out := screen(a); !strings.Contains(out, "1 × deployment/api in shop") || !strings.Contains(out, "2 broken pods of 4 checked") {
		t.Fatalf("recovery not reflected:\n%s", out)
	}
}

func TestTriageHealthy(t *testing.T) {
	c := &fakeCluster{pods: []*corev1.Pod{pod("shop", "db-0", "w3", time.Hour, nil)}}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 100, 10)
	_, cmd := a.Update(keyMsg("T"))
	for _, m := range runBatch(cmd) {
		a.Update(m)
	}
	if out := screen(a); !strings.Contains(out, "healthy: 1 pods checked, none broken") {
		t.Fatalf("healthy cluster not said:\n%s", out)
	}
}

func TestTriagePodKeys(t *testing.T) {
	pods := []*corev1.Pod{pod("shop", "api-7d9f8-a", "w1", time.Hour, both(ownedBy("api", "7d9f8"), pullFailing))}
	c := &fakeCluster{pods: pods}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 100, 16)
	_, cmd := a.Update(keyMsg("T"))
	for _, m := range runBatch(cmd) {
		a.Update(m)
	}
	a.Update(keyMsg("enter")) // open the group
	_, cmd = a.Update(keyMsg("d"))
	msgs := runBatch(cmd)
	if len(msgs) != 1 {
		t.Fatalf("d gave %d messages", len(msgs))
	}
	// Triage keeps no pods: the key reads the pod, then opens its detail.
	if m, ok := msgs[0].(podActionMsg); !ok || m.action != actDetail || m.pod.Name != "api-7d9f8-a" {
		t.Fatalf("d on a triage pod: %#v", msgs[0])
	}
}

// Triage files every pod from the summaries at once and reads only broken
// pods in full, at most triageReadMost a read, one read at a time, and again
// only those whose summary moved: never a LIST of the scope's pods.
func TestTriageReadsChangedPodsWithinBounds(t *testing.T) {
	var pods []*corev1.Pod
	for i := range triageReadMost + 5 {
		pods = append(pods, pod("shop", fmt.Sprint("api-", i), "w1", time.Hour, crashLoop))
	}
	pods = append(pods, pod("shop", "db-0", "w3", time.Hour, nil))
	c := &fakeCluster{pods: pods}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 100, 16)
	// run feeds cmd and what follows, counting the reads and the pods read.
	run := func(cmd tea.Cmd) (reads int) {
		for depth := 0; cmd != nil && depth < 8; depth++ {
			var next []tea.Cmd
			for _, m := range runBatchTimeout(cmd) {
				if r, ok := m.(triageReadMsg); ok {
					reads++
					if len(r.inputs) > triageReadMost {
						t.Fatalf("one read took %d pods, want at most %d", len(r.inputs), triageReadMost)
					}
				}
				_, c := a.Update(m)
				next = append(next, c)
			}
			cmd = tea.Batch(next...)
		}
		return reads
	}
	_, cmd := a.Update(keyMsg("T"))
	tp := a.top().(*TriagePage)
	// Before any read, the summaries have filed every broken pod.
	if out := screen(a); !strings.Contains(out, fmt.Sprintf("%d broken pods of %d checked", triageReadMost+5, triageReadMost+6)) {
		t.Fatalf("triage from the summaries:\n%s", out)
	}
	if reads := run(cmd); reads != 2 || c.inputs.Load() != triageReadMost+5 {
		t.Fatalf("opening: %d reads of %d pods; want 2 reads of the %d broken pods", reads, c.inputs.Load(), triageReadMost+5)
	}
	change := func(n int) int {
		c.inputs.Store(0)
		for i := range n {
			c.pods[i] = c.pods[i].DeepCopy()
			c.pods[i].ResourceVersion = fmt.Sprint(time.Now().UnixNano())
		}
		_, cmd := a.Update(podsMsg{Ticket: a.feeds.last(), snap: kube.PodSnapshot{Pods: summaries(c.pods), Synced: true, Scope: kube.Scope{Namespace: "shop"}}})
		return run(cmd)
	}
	if reads := change(2); reads != 1 || c.inputs.Load() != 2 {
		t.Fatalf("2 changed pods: %d reads of %d pods; want 1 read of 2", reads, c.inputs.Load())
	}
	if reads := change(triageReadMost + 1); reads != 2 || c.inputs.Load() != triageReadMost+1 {
		t.Fatalf("%d changed pods: %d reads of %d pods; want 2 reads", triageReadMost+1, reads, c.inputs.Load())
	}
	if n := c.lists.Load(); n != 0 {
		t.Fatalf("triage listed the scope's pods %d times", n)
	}
	if tp.reading || len(tp.pending) != 0 {
		t.Fatalf("reads left: reading %v, %d pending", tp.reading, len(tp.pending))
	}
}

// Triage keeps refreshing while a pod page is open over it, and after that
// page closes: the snapshots and its reads reach it wherever it is in the
// stack. (With results going to the top page only, the covered triage lost
// its tick, kept loading set, and stopped refreshing for good.)
func TestTriageRefreshesWhileCovered(t *testing.T) {
	c := &fakeCluster{pods: []*corev1.Pod{pod("shop", "api-7d9f8-a", "w1", time.Hour, both(ownedBy("api", "7d9f8"), pullFailing))}}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 100, 16)
	_, cmd := a.Update(keyMsg("T"))
	tp, ok := a.top().(*TriagePage)
	if !ok {
		t.Fatal("T did not open triage")
	}
	feedAll(a, cmd)
	// refresh is a new snapshot of the pod cache, as the app hands it to
	// triage wherever it is in the stack, and the reads that follow.
	refresh := func() {
		t.Helper()
		_, cmd := a.Update(podsMsg{Ticket: a.feeds.last(), snap: kube.PodSnapshot{Pods: summaries(c.pods), Synced: true, Scope: kube.Scope{Namespace: "shop"}}})
		for _, m := range runBatchTimeout(cmd) {
			if _, ok := m.(triageReadMsg); ok {
				a.Update(m)
			}
		}
		if tp.reading {
			t.Fatal("the read's answer did not reach the triage page")
		}
	}
	brokenPods := func() int {
		tp.regroup()
		n := 0
		for _, g := range tp.groups {
			n += len(g.Pods)
		}
		return n
	}

	// Open the group, then a pod's diagnosis over triage.
	a.Update(keyMsg("enter"))
	_, cmd = a.Update(keyMsg("enter"))
	feedAll(a, cmd)
	if _, ok := a.top().(*DiagPage); !ok {
		t.Fatalf("enter on a triage pod opened %T", a.top())
	}
	c.pods = append(c.pods, pod("shop", "web-5c6d7-a", "w1", time.Hour, both(ownedBy("web", "5c6d7"), crashLoop)))
	refresh()
	if got := brokenPods(); got != 2 {
		t.Fatalf("covered triage has %d broken pods after a refresh, want 2", got)
	}
	if _, ok := a.top().(*DiagPage); !ok {
		t.Fatalf("the refresh changed the page shown: %T", a.top())
	}

	// Back on triage: the timer is still running.
	feedAll(a, func() tea.Msg { return closePageMsg{} })
	if a.top() != Page(tp) {
		t.Fatalf("esc showed %T, want triage", a.top())
	}
	c.pods = c.pods[1:]
	refresh()
	if got := brokenPods(); got != 1 {
		t.Fatalf("triage has %d broken pods after a refresh, want 1", got)
	}
}

// Triage draws only the groups on screen; the selection stays on it, the
// open group's pods too, and the page is never taller than its height.
func TestTriageDrawsTheWindow(t *testing.T) {
	var pods []*corev1.Pod
	for i := range 30 {
		pods = append(pods, pod("shop", fmt.Sprintf("app%02d-5c6d7-a", i), "w1", time.Hour, both(ownedBy(fmt.Sprintf("app%02d", i), "5c6d7"), crashLoop)))
	}
	c := &fakeCluster{pods: pods}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 100, 16)
	_, cmd := a.Update(keyMsg("T"))
	feedAll(a, cmd)
	tp := a.top().(*TriagePage)
	for i := range 29 {
		a.Update(keyMsg("j"))
		v := tp.View()
		if n := strings.Count(v, "\n") + 1; n > tp.height {
			t.Fatalf("after %d downs the page is %d lines, height %d", i+1, n, tp.height)
		}
		if g := tp.groups[tp.cursor]; !strings.Contains(v, g.Key.Owner.String()) {
			t.Fatalf("the selected group %s is off screen:\n%s", g.Key.Owner, v)
		}
	}
	a.Update(keyMsg("enter"))
	if v := tp.View(); !strings.Contains(v, "▸ shop/") {
		t.Fatalf("the open group's pod is off screen:\n%s", v)
	}
}

// The page counts each owner's pods as they come, change and go; the counts
// must be what counting the latest snapshot gives, or "every replica down"
// would be judged wrong.
func TestTriageOwnerCountsFollowTheSnapshots(t *testing.T) {
	pods := []*corev1.Pod{
		pod("shop", "api-7d9f8-a", "w1", time.Hour, both(ownedBy("api", "7d9f8"), pullFailing)),
		pod("shop", "api-7d9f8-b", "w1", time.Hour, ownedBy("api", "7d9f8")),
		pod("shop", "web-5c6d7-a", "w1", time.Hour, both(ownedBy("web", "5c6d7"), crashLoop)),
		pod("shop", "db-0", "w1", time.Hour, nil),
	}
	c := &fakeCluster{pods: pods}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 100, 16)
	_, cmd := a.Update(keyMsg("T"))
	tp := a.top().(*TriagePage)
	feedAll(a, cmd)
	check := func(step string) {
		t.Helper()
		want := map[triageOwner]int{}
		for _, s := range a.snap.Pods {
			want[ownerOf(s)]++
		}
		if !maps.Equal(tp.owned, want) {
			t.Fatalf("%s: owner counts %v, want %v", step, tp.owned, want)
		}
	}
	snapshot := func() {
		_, cmd := a.Update(podsMsg{Ticket: a.feeds.last(), snap: kube.PodSnapshot{Pods: summaries(c.pods), Synced: true, Scope: kube.Scope{Namespace: "shop"}}})
		feedAll(a, cmd)
	}
	check("opened")
	c.pods = append(c.pods, pod("shop", "api-7d9f8-c", "w1", time.Hour, both(ownedBy("api", "7d9f8"), pullFailing)))
	snapshot()
	check("a replica added")
	c.pods = slices.Delete(slices.Clone(c.pods), 1, 2) // api-7d9f8-b, the healthy replica, goes
	snapshot()
	check("a replica deleted")
	_ = screen(a) // the groups are made again for the frame
	g := tp.groups[0]
	if !g.AllDown || g.Key.Owner.Name != "api" {
		t.Fatalf("with both api replicas failing, the first group is %+v, want deployment/api with every replica down", g.Key)
	}
}
