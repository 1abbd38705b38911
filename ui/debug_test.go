package ui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/kube"
)

// startDebug presses enter on the debug page and runs what it starts: the
// create-and-wait Cmd, whose result the page turns into the attach.
func startDebug(t *testing.T, a *App, enter tea.KeyPressMsg) {
	t.Helper()
	_, cmd := a.Update(enter)
	if cmd == nil {
		t.Fatal("enter started nothing")
	}
	a.Update(cmd())
}

func TestDebugContainerForm(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 150, 24)
	press(a, "down") // the crash-looping pod
	feedAll(a, listKey(a, "X"))
	p, ok := a.top().(*debugPage)
	if !ok {
		t.Fatalf("X opened %T", a.top())
	}
	if c.writeCount() != 0 {
		t.Fatal("the form wrote before enter")
	}
	// Image: typed text, then → picks the list's first and → its second;
	// profile: the next one (baseline).
	right := tea.KeyPressMsg{Code: tea.KeyRight}
	press(a, "x")
	if !strings.Contains(p.image.Value(), "busybox:1.37x") {
		t.Errorf("typed text: %q", p.image.Value())
	}
	sendKeys(a, right, right, keyMsg("down"), right)
	startDebug(t, a, keyMsg("enter"))
	if len(c.writes.debugs) != 1 {
		t.Fatalf("debug requests %+v", c.writes.debugs)
	}
	req := c.writes.debugs[0]
	if req.Pod != "api-7d9f8-fghij" || req.Target != "app" || req.Image != "nicolaka/netshoot:latest" || req.Profile != "baseline" || req.Name != p.name || !strings.HasPrefix(req.Name, "debugger-") {
		t.Errorf("request %+v", req)
	}
	if len(c.writes.attach) != 1 || c.writes.attach[0].Container != req.Name {
		t.Errorf("attach %+v", c.writes.attach)
	}
	// Leaving says what stays.
	msg := p.leaveMsg(nil)
	if st, ok := msg.(statusMsg); !ok || !strings.Contains(st.text, "ephemeral containers cannot be removed: it stays until the pod is deleted") {
		t.Errorf("leaving: %+v", msg)
	}
}

func TestDebugContainerFailures(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&kube.ForbiddenError{Verb: "patch", Resource: "pods/ephemeralcontainers", Namespace: "shop"}, "RBAC forbids patch on pods/ephemeralcontainers in namespace shop: ask your cluster admin for that permission. Nothing was created."},
		{&kube.ForbiddenError{Verb: "create", Resource: "pods/attach", Namespace: "shop"}, "RBAC forbids create on pods/attach in namespace shop"},
		{&kube.EphemeralDisabledError{}, "this cluster has ephemeral containers disabled"},
		{&kube.ImagePullError{Image: "nope:1", Reason: "ErrImagePull"}, "image nope:1 cannot be pulled (ErrImagePull). Debug container"},
		{errors.New("boom"), "could not start"},
	} {
		c := &fakeCluster{pods: fixturePods()}
		c.writes.debugErr = tc.err
		a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 200, 24)
		feedAll(a, listKey(a, "X"))
		startDebug(t, a, keyMsg("enter"))
		if out := screen(a); !strings.Contains(out, tc.want) {
			t.Errorf("%v: screen lacks %q:\n%s", tc.err, tc.want, out)
		}
		if len(c.writes.attach) != 0 {
			t.Errorf("%v: attached anyway", tc.err)
		}
	}
}

func TestNodeShellAsksThenDeletes(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 150, 24)
	feedAll(a, listKey(a, "H"))
	out := screen(a)
	if !strings.Contains(out, "Open a shell on node worker-1?") || !strings.Contains(out, "in namespace") || !strings.Contains(out, "privileged") {
		t.Fatalf("no confirmation naming the pod:\n%s", out)
	}
	if c.writeCount() != 0 {
		t.Fatal("created before the answer")
	}
	startDebug(t, a, keyMsg("y"))
	if len(c.writes.shells) != 1 || c.writes.shells[0].Node != "worker-1" || len(c.writes.attach) != 1 {
		t.Fatalf("shells %+v attach %+v", c.writes.shells, c.writes.attach)
	}
	pod := kube.NodeShellPod(c.writes.shells[0])
	pod.Spec.NodeName = "worker-1"
	_, cmd := a.Update(nodeShellEndedMsg{pod: pod})
	st, _ := cmd().(statusMsg)
	if len(c.writes.dropped) != 1 || !strings.Contains(st.text, "node shell on worker-1 ended; deleted pod") {
		t.Errorf("after the session: dropped %v, status %q", c.writes.dropped, st.text)
	}
	// n: nothing is made.
	c2 := &fakeCluster{pods: fixturePods()}
	a = harnessApp(t, c2, kube.Scope{Namespace: "shop"}, 150, 24)
	feedAll(a, listKey(a, "H"))
	sendKeys(a, keyMsg("n"))
	if a.top() != nil || c2.writeCount() != 0 {
		t.Errorf("n: page %T, writes %d", a.top(), c2.writeCount())
	}
}
