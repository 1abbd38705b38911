package e2e

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/internal/harness"
	"github.com/podtui/podtui/internal/termtest"
)

var rxTimestamp = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z GET /orders 201`)

// rxPickerRow matches a container's row in the picker: name, kind, state.
func rxPickerRow(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(name) + `\s+app\s+running`)
}

// setLogs sets a container's logs and waits until kwok serves them (it
// picks the Logs object up asynchronously).
func setLogs(t *testing.T, ns, pod, container, current, previous string) {
	t.Helper()
	if err := cluster.SetLogs(ctx(t), ns, pod, container, current, previous); err != nil {
		t.Fatal(err)
	}
	want := strings.SplitN(current, "\n", 2)[0]
	// Longer than seen: kwok may still be re-watching after an API restart.
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := cluster.Client().CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: container}).DoRaw(ctx(t))
		if err == nil && strings.HasPrefix(string(b), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("kwok does not serve the logs of %s/%s -c %s: %q, %v", ns, pod, container, b, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// openLogs starts podtui on a namespace holding one pod and opens its logs.
func openLogs(t *testing.T, ns, pod, status string) *termtest.Term {
	t.Helper()
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE(pod, status), seen))
	term.Send("l")
	ok(t)(term.WaitFor("logs "+ns+"/"+pod, seen))
	return term
}

func TestLogsCurrentAndFollow(t *testing.T) {
	ns := cluster.NewNamespace(t, "logs")
	if _, err := cluster.CreatePod(ctx(t), harness.Pod(ns, "web")); err != nil {
		t.Fatal(err)
	}
	setLogs(t, ns, "web", "app", "starting web\nlistening on :8080\n", "")
	term := openLogs(t, ns, "web", "Running")
	ok(t)(term.WaitFor("listening on :8080", seen))
	ok(t)(term.WaitFor("FOLLOW", seen))

	start := time.Now()
	if err := cluster.AppendLog(ns, "web", "app", "GET /healthz 200\nGET /orders 201\n"); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitFor("GET /orders 201", seen))
	t.Logf("appended line on screen after %s", time.Since(start).Round(time.Millisecond))
	if s := term.Screen(); strings.Count(s, "starting web") != 1 {
		t.Errorf("lines duplicated or lost while following:\n%s", s)
	}
	term.Send("t") // timestamps from the API, shown on demand
	ok(t)(term.WaitMatch(rxTimestamp, seen))
	term.Send("t")
	// c copies the visible lines through OSC 52, podtui's own clipboard write.
	term.Send("c")
	ok(t)(term.WaitFor("copied 4 visible lines", seen))
	cb := term.Clipboard()
	if len(cb) != 1 {
		t.Fatalf("clipboard writes: %q", cb)
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(cb[0], "c;"))
	if err != nil || string(got) != "starting web\nlistening on :8080\nGET /healthz 200\nGET /orders 201" {
		t.Errorf("clipboard holds %q (%v)", got, err)
	}
	term.Send("esc")
	ok(t)(term.WaitGone("logs "+ns+"/web", seen))
}

func TestLogsCrashLoopOpensOnPrevious(t *testing.T) {
	ns := cluster.NewNamespace(t, "logs-crash")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "crashy", harness.StateCrashLoopBackOff), harness.StateCrashLoopBackOff); err != nil {
		t.Fatal(err)
	}
	setLogs(t, ns, "crashy", "app", "current instance waiting\n", "connecting to db\npanic: dial tcp 10.0.0.5:5432: connection refused\n")
	term := openLogs(t, ns, "crashy", "CrashLoopBackOff")
	ok(t)(term.WaitFor("(previous: crash-looping)", seen))
	ok(t)(term.WaitFor("panic: dial tcp 10.0.0.5:5432: connection refused", seen))
	if s := term.Screen(); strings.Contains(s, "current instance waiting") {
		t.Errorf("current log shown in the previous view:\n%s", s)
	}
	term.Send("p") // to the current instance
	ok(t)(term.WaitFor("current instance waiting", seen))
	ok(t)(term.WaitGone("connection refused", seen))
	term.Send("p") // and back: --previous
	ok(t)(term.WaitFor("connection refused", seen))
	ok(t)(term.WaitFor("previous instance", seen))
}

func TestLogsContainerSwitch(t *testing.T) {
	ns := cluster.NewNamespace(t, "logs-multi")
	if _, err := cluster.CreatePod(ctx(t), harness.Pod(ns, "duo", harness.WithContainers("app", "sidecar"))); err != nil {
		t.Fatal(err)
	}
	setLogs(t, ns, "duo", "app", "app line one\n", "")
	setLogs(t, ns, "duo", "sidecar", "sidecar line one\n", "")
	term := openLogs(t, ns, "duo", "Running")
	ok(t)(term.WaitFor("app line one", seen))
	term.Send("tab")
	ok(t)(term.WaitFor("sidecar line one", seen))
	if s := term.Screen(); strings.Contains(s, "app line one") {
		t.Errorf("the other container's lines are still shown:\n%s", s)
	}
	// The picker lists both, each with its state.
	term.Send("C")
	ok(t)(term.WaitMatch(rxPickerRow("app"), seen))
	ok(t)(term.WaitMatch(rxPickerRow("sidecar"), seen))
	term.Send("up", "enter")
	ok(t)(term.WaitFor("app line one", seen))
	ok(t)(term.WaitGone("sidecar line one", seen))
	// A line appended to the container left behind never shows up.
	if err := cluster.AppendLog(ns, "duo", "sidecar", "late sidecar line\n"); err != nil {
		t.Fatal(err)
	}
	if err := cluster.AppendLog(ns, "duo", "app", "app line two\n"); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitFor("app line two", seen))
	if s := term.Screen(); strings.Contains(s, "late sidecar line") {
		t.Errorf("a line of the stream left behind is shown:\n%s", s)
	}
	// All containers interleaved, each line prefixed like stern.
	term.Send("C", "down", "down", "enter")
	ok(t)(term.WaitFor("all containers (2 streams)", seen))
	ok(t)(term.WaitFor("[app] app line two", seen))
	ok(t)(term.WaitFor("[sidecar] late sidecar line", seen))
}

func TestLogsHostileEscapesAreNeutralised(t *testing.T) {
	ns := cluster.NewNamespace(t, "logs-evil")
	if _, err := cluster.CreatePod(ctx(t), harness.Pod(ns, "evil")); err != nil {
		t.Fatal(err)
	}
	hostile := strings.Join([]string{
		"before the attack",
		"\x1b]52;c;cm0gLXJmIH4=\x07clipboard-write",                      // OSC 52
		"\x1b]2;owned-title\x07\x1b]0;owned-too\x1b\\title-change",       // OSC 2, OSC 0
		"\x1b]8;;https://evil.example/\x1b\\innocent-link\x1b]8;;\x1b\\", // OSC 8
		"\x1b[2J\x1b[H\x1b[10;10Hcleared-screen",                         // CSI 2J, cursor moves
		"\x1bPq#0;2;0;0;0\x1b\\dcs-sixel",                                // DCS
		"\u009b2J\u009d52;c;eA==\u009cc1-controls",                       // C1 CSI, C1 OSC
		"bad \xff\xfe utf8",                                              // invalid UTF-8
		"\x1b[?1049l\x1b[?25lafter the attack",                           // leave alt screen, hide cursor
	}, "\n") + "\n"
	setLogs(t, ns, "evil", "app", hostile, "")
	term := openLogs(t, ns, "evil", "Running")
	screen, err := term.WaitFor("after the attack", seen)
	ok(t)(screen, err)
	for _, want := range []string{"before the attack", "clipboard-write", "title-change", "innocent-link", "cleared-screen", "dcs-sixel", "c1-controls", "bad \ufffd\ufffd utf8", "podtui", "context:"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if cb := term.Clipboard(); len(cb) != 0 {
		t.Errorf("the log wrote the clipboard: %q", cb)
	}
	for _, title := range term.Titles() {
		if title != "podtui" {
			t.Errorf("the log set the window title to %q", title)
		}
	}
	for _, o := range term.OSC(8) {
		t.Errorf("the log planted a hyperlink: %q", o.Data)
	}
	if !term.AltScreen() {
		t.Error("the log made the terminal leave the alternate screen")
	}
	if first := strings.SplitN(term.Screen(), "\n", 2)[0]; !strings.Contains(first, "podtui") {
		t.Errorf("header line overwritten: %q", first)
	}
}

func TestLogsMarkAContainerRestart(t *testing.T) {
	ns := cluster.NewNamespace(t, "logs-restart")
	pod, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "flaky", harness.StateRunning), harness.StateRunning)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	setLogs(t, ns, "flaky", "app", "first instance up\n", "")
	t.Logf("kwok served the logs after %s", time.Since(start).Round(time.Millisecond))
	term := openLogs(t, ns, "flaky", "Running")
	ok(t)(term.WaitFor("first instance up", seen))
	if strings.Contains(term.Screen(), "p previous") {
		t.Error("p offered for a container that never restarted")
	}

	st := harness.RunningStatus(pod, time.Now())
	st.ContainerStatuses[0].RestartCount = 1
	st.ContainerStatuses[0].LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}}
	if _, err := cluster.PatchStatus(ctx(t), ns, "flaky", st); err != nil {
		t.Fatal(err)
	}
	if err := cluster.AppendLog(ns, "flaky", "app", "second instance up\n"); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	ok(t)(term.WaitFor("container app restarted (restart #1)", seen))
	t.Logf("restart marked %s after the status patch", time.Since(start).Round(time.Millisecond))
	screen, err := term.WaitFor("second instance up", seen)
	ok(t)(screen, err)
	if !strings.Contains(screen, "p previous") {
		t.Errorf("p not offered after the restart:\n%s", screen)
	}
}
