package ui

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// richPod has one of everything the describe view shows.
func richPod() *corev1.Pod {
	always := corev1.ContainerRestartPolicyAlways
	yes := true
	grace := int64(300)
	prio := int32(1000)
	p := pod("shop", "api-7d9f8-fghij", "worker-2", 2*time.Hour, crashLoop)
	p.Labels = map[string]string{"app": "api", "pod-template-hash": "7d9f8"}
	p.OwnerReferences = []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "api-7d9f8", Controller: &yes}}
	p.Status.HostIP = "172.18.0.3"
	p.Status.QOSClass = corev1.PodQOSBurstable
	p.Spec.Priority, p.Spec.PriorityClassName = &prio, "high"
	p.Spec.NodeSelector = map[string]string{"disktype": "ssd"}
	p.Spec.Tolerations = []corev1.Toleration{
		{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &grace},
		{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "api", Effect: corev1.TaintEffectNoSchedule},
	}
	p.Spec.Volumes = []corev1.Volume{
		{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "api-data"}}},
		{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "api-config"}}}},
		{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
	app := &p.Spec.Containers[0]
	app.Image = "registry.example.com/shop/api:1.4.2"
	app.Resources = corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")},
	}
	app.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}
	app.LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}, PeriodSeconds: 10, FailureThreshold: 3, TimeoutSeconds: 1, SuccessThreshold: 1}
	app.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("http")}}, InitialDelaySeconds: 5}
	app.VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/var/lib/api"}, {Name: "config", MountPath: "/etc/api", ReadOnly: true}}
	app.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "api-env"}}}}
	app.Env = []corev1.EnvVar{{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db-creds"}, Key: "password"}}}}
	p.Spec.InitContainers = []corev1.Container{
		{Name: "migrate", Image: "registry.example.com/shop/migrate:1.4.2", Command: []string{"migrate", "up"}},
		{Name: "proxy", Image: "envoy:1.31", RestartPolicy: &always},
	}
	p.Status.InitContainerStatuses = []corev1.ContainerStatus{
		{Name: "migrate", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed", FinishedAt: metav1.NewTime(clock.Add(-119 * time.Minute))}}},
		{Name: "proxy", Ready: true, Started: new(true), State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(clock.Add(-119 * time.Minute))}}},
	}
	p.Status.ContainerStatuses[0].LastTerminationState.Terminated.Signal = 9
	p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{TargetContainerName: "app", EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger-x7", Image: "busybox:1.36"}}}
	p.Status.Conditions = []corev1.PodCondition{
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
		{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady", Message: "containers with unready status: [app]", LastTransitionTime: metav1.NewTime(clock.Add(-90 * time.Minute))},
	}
	return p
}

// richEvents: a folded BackOff (two records that differ only in list
// order), a Normal Pulled, and a message with an escape sequence.
func richEvents(p *corev1.Pod) []diagnose.Event {
	ref := corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID}
	return []diagnose.Event{
		{Object: ref, Type: "Warning", Reason: "BackOff", Message: "Back-off restarting failed container app", Count: 10, FirstTime: clock.Add(-3 * time.Hour), LastTime: clock.Add(-4 * time.Minute), Source: "kubelet"},
		{Object: ref, Type: "Warning", Reason: "BackOff", Message: "Back-off restarting failed container app", Count: 2, FirstTime: clock.Add(-10 * time.Minute), LastTime: clock.Add(-time.Minute), Source: "kubelet"},
		{Object: ref, Type: "Normal", Reason: "Pulled", Message: "Container image \"registry.example.com/shop/api:1.4.2\" already present on machine", Count: 1, FirstTime: clock.Add(-2 * time.Minute), LastTime: clock.Add(-2 * time.Minute), Source: "kubelet"},
		{Object: ref, Type: "Warning", Reason: "Unhealthy", Message: "Liveness probe failed: HTTP probe failed with statuscode: 500\x1b]52;c;ZXZpbA==\a\x1b[2J", Count: 1, FirstTime: clock.Add(-30 * time.Minute), LastTime: clock.Add(-30 * time.Minute), Source: "kubelet"},
	}
}

// ctrl builds a ctrl+letter key press.
func ctrl(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl} }

// feedAll runs cmd and hands every message it yields back to the app, and
// so on for the commands that returns. A command that blocks (a live wait
// with nothing new) is given up after a short while, as if still pending.
func feedAll(a *App, cmd tea.Cmd) {
	for depth := 0; cmd != nil && depth < 8; depth++ {
		var next []tea.Cmd
		for _, m := range runBatchTimeout(cmd) {
			if m != nil {
				_, c := a.Update(m)
				next = append(next, c)
			}
		}
		cmd = tea.Batch(next...)
	}
}

// runBatchTimeout is runBatch with each command given 200 ms.
func runBatchTimeout(cmd tea.Cmd) []tea.Msg { return runBatchWithin(cmd, 200*time.Millisecond) }

// runBatchWithin is runBatch with each command given d; what takes longer
// (a timer, a wait for changes) is dropped.
func runBatchWithin(cmd tea.Cmd, d time.Duration) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(d):
		return nil
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runBatchWithin(c, d)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// sendKeys presses keys and runs what they start.
func sendKeys(a *App, keys ...tea.KeyPressMsg) {
	for _, k := range keys {
		_, cmd := a.Update(k)
		feedAll(a, cmd)
	}
}

// openDetail opens the detail page of the pod the cursor is on and lets the
// first events snapshot and related objects arrive. It returns the page and
// the events wait the page re-armed, not yet run.
func openDetail(t *testing.T, a *App) (*DetailPage, tea.Cmd) {
	t.Helper()
	cmd := listKey(a, "d")
	d, ok := a.top().(*DetailPage)
	if !ok {
		t.Fatalf("d did not open the detail page: %T", a.top())
	}
	var wait tea.Cmd
	for _, m := range runBatch(cmd) {
		if _, c := a.Update(m); c != nil {
			wait = c
		}
	}
	return d, wait
}

func TestDescribeGolden(t *testing.T) {
	for _, tc := range []struct {
		name         string
		w, h         int
		warningsOnly bool
	}{
		{name: "wide", w: 130, h: 90},
		{name: "narrow", w: 70, h: 110},
		{name: "warnings_only", w: 130, h: 30, warningsOnly: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := richPod()
			c := &fakeCluster{pods: []*corev1.Pod{p}}
			c.WatchEvents("shop")
			for _, e := range richEvents(p) {
				c.writes.events.add(e)
			}
			a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, tc.w, tc.h)
			_, _ = openDetail(t, a)
			if tc.warningsOnly {
				press(a, "W")
			}
			raw := a.View().Content
			if strings.Contains(raw, "\x1b]52") || strings.Contains(raw, "\x1b[2J") {
				t.Fatal("an escape sequence from an event reached the screen")
			}
			out := ansi.Strip(raw)
			if got := strings.Count(out, "\n") + 1; got != tc.h {
				t.Fatalf("screen has %d lines, want %d", got, tc.h)
			}
			golden.RequireEqual(t, out)
		})
	}
}

func TestDescribeContent(t *testing.T) {
	p := richPod()
	lines := renderDetail(DefaultStyles(true), p, richEvents(p), nil, detailState{synced: true}, clock)
	out := ansi.Strip(strings.Join(lines, "\n"))
	for _, want := range []string{
		"ReplicaSet/api-7d9f8 → Deployment/api",
		"worker-2 / 172.18.0.3", "Burstable", "1000 (high)",
		"ContainersNotReady: containers with unready status: [app]",
		"migrate (init)", "proxy (sidecar)", "debugger-x7 (ephemeral, target app)",
		"Terminated: OOMKilled, exit code 137, signal 9, finished 3m ago (2026-11-25T11:57:00Z)",
		"Waiting: CrashLoopBackOff", "Restarts:        7",
		"cpu=100m, memory=128Mi", "http-get http://:8080/healthz", "tcp-socket :http delay=5s",
		"/etc/api from config (ro)", "ConfigMap api-env (all keys)", "Secret db-creds key password → DB_PASSWORD",
		"data: PersistentVolumeClaim api-data", "disktype=ssd", "node.kubernetes.io/not-ready exists:NoExecute for 300s", "dedicated=api:NoSchedule",
		// Two BackOff records fold into one line: 12 over 179m, last seen 60s ago.
		"Back-off restarting failed container app (x12 over 179m)",
		"Events (3, 2 warnings)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("describe lacks %q:\n%s", want, out)
		}
	}
	// Newest first by last-seen time: BackOff (1m), Pulled (2m), Unhealthy (30m).
	b, pl, u := strings.Index(out, "BackOff"), strings.Index(out, "Pulled"), strings.Index(out, "Unhealthy")
	if !(b < pl && pl < u) {
		t.Errorf("events not sorted by last seen: BackOff %d, Pulled %d, Unhealthy %d", b, pl, u)
	}
}

func TestDetailEventsAreLive(t *testing.T) {
	p := richPod()
	c := &fakeCluster{pods: []*corev1.Pod{p}}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 130, 50)
	_, wait := openDetail(t, a)
	if !strings.Contains(screen(a), "no events") {
		t.Fatalf("want an empty events section:\n%s", screen(a))
	}
	// The page re-armed its wait after the first snapshot: a new event
	// ends the wait, with no refresh key.
	ref := corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID}
	c.writes.events.add(diagnose.Event{Object: ref, Type: "Warning", Reason: "FailedMount", Message: "MountVolume.SetUp failed for volume \"config\"", Count: 1, FirstTime: clock, LastTime: clock, Source: "kubelet"})
	_, wait = a.Update(wait())
	if !strings.Contains(screen(a), "FailedMount") {
		t.Fatalf("new event not shown:\n%s", screen(a))
	}
	c.writes.events.add(diagnose.Event{Object: ref, Type: "Normal", Reason: "Pulling", Message: "Pulling image", Count: 1, FirstTime: clock, LastTime: clock, Source: "kubelet"})
	a.Update(wait())
	out := screen(a)
	if !strings.Contains(out, "Pulling image") || !strings.Contains(out, "Events (2, 1 warning)") {
		t.Fatalf("second event not shown:\n%s", out)
	}
	press(a, "W")
	if out := screen(a); strings.Contains(out, "Pulling image") || !strings.Contains(out, "FailedMount") {
		t.Fatalf("warnings only still shows Normal events:\n%s", out)
	}
	// A diagnosis finding from the live event appears at the top.
	if !strings.Contains(screen(a), "Diagnosis") {
		t.Errorf("no findings at the top:\n%s", screen(a))
	}
	// Closing the page stops the feed.
	sendKeys(a, keyMsg("esc"))
	if a.top() != nil {
		t.Fatal("esc did not close the detail page")
	}
	select {
	case <-c.writes.events.Done():
	default:
		t.Fatal("events feed still running after the page closed")
	}
}

// A covered detail page keeps its live events: the wait's answer reaches it
// under the page on top, and the wait stays armed, with no resume step.
func TestDetailEventsReachCoveredPage(t *testing.T) {
	p := richPod()
	c := &fakeCluster{pods: []*corev1.Pod{p}}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 130, 50)
	d, wait := openDetail(t, a)
	sendKeys(a, keyMsg("y")) // YAML covers the detail page
	if _, ok := a.top().(*YAMLPage); !ok {
		t.Fatalf("y did not open YAML: %T", a.top())
	}
	ref := corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID}
	c.writes.events.add(diagnose.Event{Object: ref, Type: "Warning", Reason: "FailedMount", Message: "MountVolume.SetUp failed", Count: 1, FirstTime: clock, LastTime: clock, Source: "kubelet"})
	_, wait = a.Update(wait())
	if len(d.events) != 1 || wait == nil {
		t.Fatalf("covered detail page: %d events, wait re-armed: %v", len(d.events), wait != nil)
	}
	if _, ok := a.top().(*YAMLPage); !ok {
		t.Fatalf("the event changed the page shown: %T", a.top())
	}
	sendKeys(a, keyMsg("esc"))
	if a.top() != d || !strings.Contains(screen(a), "FailedMount") {
		t.Fatalf("detail page shown again without the event:\n%s", screen(a))
	}
}

func TestYAMLViewSearchAndCopy(t *testing.T) {
	p := richPod()
	p.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubectl-client-side-apply"}}
	c := &fakeCluster{pods: []*corev1.Pod{p}}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 100, 20)
	_, cmd := a.Update(keyMsg("y"))
	feedAll(a, cmd)
	out := screen(a)
	if !strings.Contains(out, "apiVersion: v1") || !strings.Contains(out, "kind: Pod") || strings.Contains(out, "managedFields") {
		t.Fatalf("YAML wrong:\n%s", out)
	}
	if p.ManagedFields == nil {
		t.Fatal("the shared pod was changed")
	}
	press(a, "/", "d", "b", "-", "c", "r", "e", "d", "s", "enter")
	out = screen(a)
	if !strings.Contains(out, "name: db-creds") || !strings.Contains(out, "/db-creds: 1/1") {
		t.Fatalf("search did not scroll to the match:\n%s", out)
	}
	_, cmd = a.Update(keyMsg("c"))
	var copied bool
	for _, m := range runBatch(cmd) {
		if st, ok := m.(statusMsg); ok && strings.HasPrefix(st.text, "copied ") {
			copied = true
		}
	}
	if !copied {
		t.Fatal("copy not confirmed")
	}
	sendKeys(a, keyMsg("esc"), keyMsg("esc"))
	if a.top() != nil {
		t.Fatal("esc esc did not leave the YAML view")
	}
}

func TestDeleteAsksFirst(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 110, 20)
	_, read := a.Update(ctrl('d'))
	a.Update(read())
	out := screen(a)
	if !strings.Contains(out, "Delete pod api-7d9f8-abcde in namespace shop?") {
		t.Fatalf("no confirmation naming pod and namespace:\n%s", out)
	}
	press(a, "?", "x") // other keys do nothing
	_, cmd := a.Update(keyMsg("n"))
	feedAll(a, cmd)
	if a.top() != nil || c.writeCount() != 0 {
		t.Fatalf("n did not cancel: top %T, writes %d", a.top(), c.writeCount())
	}
	_, read = a.Update(ctrl('d'))
	a.Update(read())
	_, cmd = a.Update(keyMsg("y"))
	feedAll(a, cmd)
	if len(c.writes.deleted) != 1 || c.writes.deleted[0] != "shop/api-7d9f8-abcde force=false" {
		t.Fatalf("deleted %v", c.writes.deleted)
	}
	if !strings.Contains(screen(a), "deleted pod shop/api-7d9f8-abcde") {
		t.Fatalf("delete not confirmed in the status line:\n%s", screen(a))
	}
}

func TestForceDeleteAsksTwice(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 110, 20)
	_, _ = openDetail(t, a)
	_, cmd := a.Update(ctrl('k'))
	feedAll(a, cmd)
	if !strings.Contains(screen(a), "Force delete pod api-7d9f8-abcde in namespace shop?") {
		t.Fatalf("no first confirmation:\n%s", screen(a))
	}
	a.Update(keyMsg("y"))
	if out := screen(a); !strings.Contains(out, "Second confirmation") || !strings.Contains(out, "StatefulSet") || c.writeCount() != 0 {
		t.Fatalf("no second confirmation warning about StatefulSets (writes %d):\n%s", c.writeCount(), out)
	}
	sendKeys(a, keyMsg("y"))
	if len(c.writes.deleted) != 1 || c.writes.deleted[0] != "shop/api-7d9f8-abcde force=true" {
		t.Fatalf("deleted %v", c.writes.deleted)
	}
	if _, ok := a.top().(*DetailPage); !ok {
		t.Fatalf("not back on the detail page: %T", a.top())
	}
}

func TestExec(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 150, 20)
	// A crash-looping container cannot be exec'd into: say so, offer a debug container.
	press(a, "down")
	_, cmd := a.Update(keyMsg("x"))
	feedAll(a, cmd)
	if out := screen(a); !strings.Contains(out, "Container app is waiting (CrashLoopBackOff)") || !strings.Contains(out, "Start a debug container beside it?") {
		t.Fatalf("no debug offer:\n%s", out)
	}
	if c.writeCount() != 0 {
		t.Fatal("exec or debug attempted before the user said so")
	}
	sendKeys(a, keyMsg("esc"))
	if _, open := a.top().(*debugPage); open {
		t.Fatalf("esc left the debug offer open:\n%s", screen(a))
	}
	// A running one: the session is built with the shells to try.
	press(a, "up")
	if cmd = listKey(a, "x"); cmd == nil || len(c.writes.execs) != 1 {
		t.Fatalf("no exec started: %v", c.writes.execs)
	}
	req := c.writes.execs[0]
	if req.Pod != "api-7d9f8-abcde" || req.Container != "app" || !req.TTY || len(req.Commands) != 2 || req.Commands[0][0] != "bash" {
		t.Fatalf("exec request %+v", req)
	}
}

func TestExecResultInStatusLine(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "shell in shop/api-7d9f8-abcde (app) ended: exit status 0"},
		{&kube.ExitError{Code: 3}, "ended: exit status 3"},
		{&kube.NoCommandError{Tried: []string{"bash", "sh"}}, "no shell in container app (tried bash, sh); press X for a debug container beside it"},
	} {
		c := &fakeCluster{pods: fixturePods()}
		c.writes.execErr = tc.err
		a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 180, 20)
		cmd := listKey(a, "x")
		// tea.Exec's message is private to bubbletea; run the session and the
		// callback the way the runtime does.
		msg := execCallback(t, cmd, c)
		a.Update(msg)
		if out := screen(a); !strings.Contains(out, tc.want) {
			t.Errorf("%v: status line lacks %q:\n%s", tc.err, tc.want, out)
		}
	}
}

// execCallback stands in for bubbletea's exec: it re-runs App.exec's
// callback with the fake runner's result.
func execCallback(t *testing.T, cmd tea.Cmd, c *fakeCluster) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no exec command")
	}
	return execResult(c.writes.execs[0].Namespace, c.writes.execs[0].Pod, c.writes.execs[0].Container, "X", c.writes.execErr)
}

func TestReadOnly(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := New(c, Options{Scope: kube.Scope{Namespace: "shop"}, Keys: keymap.Default(), Now: func() time.Time { return clock }, Dark: true, ReadOnly: true})
	a.Update(tea.WindowSizeMsg{Width: 150, Height: 30})
	load(t, a)
	if !strings.Contains(screen(a), "READ-ONLY") {
		t.Fatalf("header does not say read-only:\n%s", screen(a))
	}
	try := func(where string) {
		for _, k := range []tea.KeyPressMsg{keyMsg("x"), keyMsg("s"), ctrl('d'), ctrl('k'), keyMsg("f"), keyMsg("X"), keyMsg("H")} {
			sendKeys(a, k)
			switch a.top().(type) {
			case *confirmPage, *forwardPage, *debugPage:
				t.Fatalf("%s: %s offered a write in read-only mode", where, k)
			}
		}
		if c.writeCount() != 0 {
			t.Fatalf("%s: %d writes in read-only mode", where, c.writeCount())
		}
	}
	try("list")
	press(a, "?")
	if out := screen(a); strings.Contains(out, "delete") || strings.Contains(out, "shell") || strings.Contains(out, "debug") || regexp.MustCompile(`\bf\s+port-forward`).MatchString(out) || !strings.Contains(out, "YAML") {
		t.Fatalf("write keys still in help:\n%s", out)
	}
	press(a, "?")
	_, _ = openDetail(t, a)
	try("detail")
	if out := screen(a); strings.Contains(out, "ctrl+d") || strings.Contains(out, "shell") {
		t.Fatalf("write keys in the detail help:\n%s", out)
	}
	// Even a direct request (e.g. a finding's action) is refused.
	feedAll(a, a.runPodAction(podActionMsg{action: actDelete, pod: fixturePods()[0]}))
	feedAll(a, a.runAction(ActionMsg{Pod: fixturePods()[0], Action: diagnose.ActionExec}))
	feedAll(a, a.runPodAction(podActionMsg{action: actStartForward, pod: fixturePods()[0], forward: kube.ForwardRequest{Namespace: "shop", Pod: "api-7d9f8-abcde", PodPort: 80}}))
	if c.writeCount() != 0 || !strings.Contains(screen(a), "read-only mode") {
		t.Fatalf("direct request not refused (writes %d):\n%s", c.writeCount(), screen(a))
	}
}

func TestParseForward(t *testing.T) {
	for _, tc := range []struct {
		in            string
		local, remote int
		bad           bool
	}{
		{in: "8080", local: 8080, remote: 8080},
		{in: "9000:8080", local: 9000, remote: 8080},
		{in: ":8080", local: 0, remote: 8080},
		{in: "http", bad: true},
		{in: "70000", bad: true},
		{in: "1:", bad: true},
	} {
		l, r, err := parseForward(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && (l != tc.local || r != tc.remote)) {
			t.Errorf("%q: got %d:%d, %v", tc.in, l, r, err)
		}
	}
}

func TestPortForwardStartListStop(t *testing.T) {
	pods := fixturePods()
	pods[0].Spec.Containers[0].Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}
	c := &fakeCluster{pods: pods}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 120, 20)
	sendKeys(a, keyMsg("f"))
	if out := screen(a); !strings.Contains(out, "Port-forward to pod shop/api-7d9f8-abcde") || !strings.Contains(out, "8080 http") {
		t.Fatalf("no port-forward page:\n%s", out)
	}
	// The declared port is proposed; make it local 9000.
	sendKeys(a, tea.KeyPressMsg{Code: tea.KeyHome}, keyMsg("9"), keyMsg("0"), keyMsg("0"), keyMsg("0"), keyMsg(":"), keyMsg("enter"))
	if len(c.writes.fwds) != 1 || c.writes.fwds[0].Req.LocalPort != 9000 || c.writes.fwds[0].Req.PodPort != 8080 {
		t.Fatalf("forwards %v", c.writes.fwds)
	}
	if out := screen(a); !strings.Contains(out, "forwarding 127.0.0.1:9000 → shop/api-7d9f8-abcde:8080") {
		t.Fatalf("start not confirmed:\n%s", out)
	}
	sendKeys(a, keyMsg("F"))
	if out := screen(a); !strings.Contains(out, "▸ 127.0.0.1:9000 → shop/api-7d9f8-abcde:8080") {
		t.Fatalf("forward not listed:\n%s", out)
	}
	sendKeys(a, keyMsg("x"))
	select {
	case <-c.writes.fwds[0].Done():
	default:
		t.Fatal("x did not stop the forward")
	}
	if len(a.forwards) != 0 || !strings.Contains(screen(a), "stopped port-forward") {
		t.Fatalf("forward still listed (%d):\n%s", len(a.forwards), screen(a))
	}
	// Quit stops whatever still runs.
	sendKeys(a, keyMsg("esc"), keyMsg("f"), keyMsg("enter"))
	if len(a.forwards) != 1 {
		t.Fatalf("second forward not started: %d", len(a.forwards))
	}
	a.Update(keyMsg("q"))
	select {
	case <-c.writes.fwds[1].Done():
	default:
		t.Fatal("quit left a forward running")
	}
}

func TestExecPicksContainer(t *testing.T) {
	p := pod("shop", "multi", "worker-1", time.Hour, func(p *corev1.Pod) {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "metrics", Image: "exporter:2"})
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{
			Name: "metrics", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
		})
	})
	c := &fakeCluster{pods: []*corev1.Pod{p}}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 120, 20)
	sendKeys(a, keyMsg("x"))
	out := screen(a)
	if !strings.Contains(out, "Shell in which container of shop/multi?") || !strings.Contains(out, "▸ app") || !strings.Contains(out, "metrics") {
		t.Fatalf("no container picker:\n%s", out)
	}
	_, cmd := a.Update(keyMsg("down"))
	feedAll(a, cmd)
	_, cmd = a.Update(keyMsg("enter"))
	// tea.Sequence yields a private slice of commands: run them in order.
	seq := reflect.ValueOf(cmd())
	if seq.Kind() != reflect.Slice {
		t.Fatalf("enter did not return a sequence: %T", seq.Interface())
	}
	for i := range seq.Len() {
		if c, ok := seq.Index(i).Interface().(tea.Cmd); ok && c != nil {
			if m := c(); m != nil {
				a.Update(m)
			}
		}
	}
	if len(c.writes.execs) != 1 || c.writes.execs[0].Container != "metrics" {
		t.Fatalf("exec requests %+v", c.writes.execs)
	}
	if a.top() != nil {
		t.Fatalf("picker still open: %T", a.top())
	}
}

func TestDescribeRelatedObjects(t *testing.T) {
	p := richPod()
	st := diagnose.NewStore()
	st.AddConfigMap(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api-config"}, Data: map[string]string{"a": "1", "b": "2"}})
	st.SetMissing(diagnose.KindSecret, "shop", "db-creds")
	st.AddPVC(&corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api-data"},
		Spec:       corev1.PersistentVolumeClaimSpec{VolumeName: "pv-7"},
		Status:     corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound, Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}},
	})
	st.AddNode(&corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "worker-2"},
		Spec:       corev1.NodeSpec{Taints: []corev1.Taint{{Key: "dedicated", Value: "api", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{
			Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}, {Type: corev1.NodeMemoryPressure, Status: corev1.ConditionTrue}},
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("16Gi")},
		},
	})
	lines := renderDetail(DefaultStyles(true), p, nil, nil, detailState{synced: true, related: st}, clock)
	out := ansi.Strip(strings.Join(lines, "\n"))
	for _, want := range []string{
		"PersistentVolumeClaim api-data: exists, Bound to pv-7 (10Gi)",
		"ConfigMap             api-config: exists (2 keys)",
		"ConfigMap             api-env: unknown (not visible to you)",
		"Secret                db-creds: ✗ MISSING",
		"Node                  worker-2: exists",
		"Ready=True, MemoryPressure=True",
		"dedicated=api:NoSchedule",
		"cpu=4, memory=16Gi",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("related objects lack %q:\n%s", want, out)
		}
	}
	// R jumps to the section in the page.
	c := &fakeCluster{pods: []*corev1.Pod{p}}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 130, 20)
	_, _ = openDetail(t, a)
	press(a, "R")
	if got := strings.Split(screen(a), "\n")[1]; !strings.HasPrefix(got, relatedTitle) {
		t.Fatalf("R did not scroll to the related objects; first line %q", got)
	}
}

func TestDetailShowsSiblings(t *testing.T) {
	yes := true
	owned := func(p *corev1.Pod, rs string) *corev1.Pod {
		p.Labels = map[string]string{"pod-template-hash": strings.TrimPrefix(rs, "api-")}
		p.OwnerReferences = []metav1.OwnerReference{{Kind: "ReplicaSet", Name: rs, Controller: &yes}}
		return p
	}
	pods := []*corev1.Pod{
		owned(pod("shop", "api-7d9f8-aaaaa", "worker-1", time.Hour, crashLoop), "api-7d9f8"),
		owned(pod("shop", "api-7d9f8-bbbbb", "worker-2", time.Hour, crashLoop), "api-7d9f8"),
		owned(pod("shop", "api-6c5b4-ccccc", "worker-3", 5*time.Hour, nil), "api-6c5b4"), // older ReplicaSet, same Deployment
		pod("shop", "web-1", "worker-1", time.Hour, crashLoop),
	}
	c := &fakeCluster{pods: pods}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 130, 80)
	press(a, "down") // api-7d9f8-aaaaa (sorted by name: api-6c5b4… first)
	openDetail(t, a)
	out := screen(a)
	for _, want := range []string{
		"Sibling pods  of Deployment/api: 3 pods, 2 CrashLoopBackOff, 1 Running",
		"api-6c5b4-ccccc", "api-7d9f8-bbbbb",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("siblings lack %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "web-1") {
		t.Errorf("an unrelated pod is listed as a sibling:\n%s", out)
	}
}

// The list keeps summaries; a key that needs the pod reads it first. When
// that read fails (the pod is gone, the server is down), the status line
// says so and no page opens.
func TestListKeyWhenThePodCannotBeRead(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 140, 12)
	c.pods = nil // gone from the server, still in the cache's last snapshot
	listKey(a, "d")
	if a.top() != nil {
		t.Fatalf("a page opened without its pod: %T", a.top())
	}
	if out := screen(a); !strings.Contains(out, "could not read pod shop/api-7d9f8-abcde") {
		t.Fatalf("the failed read is not said:\n%s", out)
	}
}

// A page about a pod reads the pod again when the cache's summary of it
// moves, once per move. A covered page reads nothing until it is shown
// again; then it catches up with one read of its own.
func TestPagesReadThePodAgainWhenItChanges(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 140, 30)
	d, _ := openDetail(t, a)
	sendKeys(a, keyMsg("D")) // the diagnosis over the detail page
	if _, ok := a.top().(*DiagPage); !ok {
		t.Fatalf("D on the detail page opened %T", a.top())
	}
	changed := c.pods[0].DeepCopy()
	changed.ResourceVersion = "7"
	changed.Status.ContainerStatuses[0].RestartCount = 4
	c.pods[0] = changed
	_, cmd := a.Update(podsMsg{Ticket: a.feeds.last(), snap: kube.PodSnapshot{Pods: summaries(c.pods), Synced: true, Scope: kube.Scope{Namespace: "shop"}}})
	var reads int
	for _, m := range runBatchTimeout(cmd) {
		if _, ok := m.(podReadMsg); ok {
			reads++
			a.Update(m)
		}
	}
	if reads != 1 {
		t.Fatalf("%d reads for one move of the summary", reads)
	}
	if diag := a.top().(*DiagPage); diag.pod != changed || d.pod == changed {
		t.Fatal("the read did not reach the diagnosis page alone")
	}
	// The same summary again: nothing to read.
	_, cmd = a.Update(podsMsg{Ticket: a.feeds.last(), snap: kube.PodSnapshot{Pods: summaries(c.pods), Synced: true, Scope: kube.Scope{Namespace: "shop"}}})
	for _, m := range runBatchTimeout(cmd) {
		if _, ok := m.(podReadMsg); ok {
			t.Fatal("the pod was read again though its summary did not move")
		}
	}
	// Back on the detail page: it reads the pod once and shows it.
	_, cmd = a.Update(keyMsg("esc"))
	reads = 0
	for depth := 0; cmd != nil && depth < 3; depth++ {
		var next []tea.Cmd
		for _, m := range runBatchTimeout(cmd) {
			if _, ok := m.(podReadMsg); ok {
				reads++
			}
			_, c := a.Update(m)
			next = append(next, c)
		}
		cmd = tea.Batch(next...)
	}
	if reads != 1 || a.top() != d || d.pod != changed {
		t.Fatalf("the detail page shown again: %d reads, has the new pod: %v", reads, d.pod == changed)
	}
}
