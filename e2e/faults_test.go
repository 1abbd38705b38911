package e2e

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/podtui/podtui/internal/harness"
	"github.com/podtui/podtui/internal/termtest"
)

// The fault-injection suite (issue 9): each test starts podtui in a pty,
// injects a fault and checks the screen and the process. Every test ends
// with stillWorks: the process is alive, answers a key, and q exits 0
// leaving the alternate screen.

// stillWorks checks that podtui survived the fault: it is alive, a key
// changes the screen (help toggles), and q quits with 0 and restores the
// terminal. It expects the pod list (or any page where ? and q work).
func stillWorks(t *testing.T, term *termtest.Term) {
	t.Helper()
	if !term.Alive() {
		code, _ := term.Wait(time.Second)
		t.Fatalf("podtui exited (code %d) after the fault:\n%s", code, term.Screen())
	}
	before := term.Screen()
	term.Send("?")
	ok(t)(term.WaitScreen(func(s string) bool { return s != before }, "the screen to answer ?", seen))
	term.Send("?")
	term.Send("q")
	code, err := term.Wait(10 * time.Second)
	if err != nil || code != 0 {
		t.Fatalf("quit: code %d, err %v", code, err)
	}
	if term.AltScreen() {
		t.Error("terminal left in the alternate screen after quit")
	}
}

// notSpinning fails if podtui burns more than a tenth of a CPU over d.
func notSpinning(t *testing.T, term *termtest.Term, d time.Duration) {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skipf("no /proc: %v", err)
	}
	before := cpuTicks(term.Pid())
	time.Sleep(d)
	used := time.Duration(cpuTicks(term.Pid())-before) * 10 * time.Millisecond
	t.Logf("CPU used over %s: %s", d, used)
	if used > d/10 {
		t.Errorf("podtui used %s of CPU in %s: a tight loop?", used, d)
	}
}

// TestFaultEtcdDown stops etcd under a running podtui: the API server is up
// and keeps the watch open but cannot serve. The feed's heartbeat notices,
// the list is marked stale and kept, and once etcd is back the list is
// relisted and live again (changes made right after show up).
func TestFaultEtcdDown(t *testing.T) {
	ns := cluster.NewNamespace(t, "etcd")
	for _, name := range []string{"stays", "goes"} {
		if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, name, harness.StateRunning), harness.StateRunning); err != nil {
			t.Fatal(err)
		}
	}
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("goes", "Running"), seen))

	if err := cluster.StopEtcd(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			c, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := cluster.StartEtcd(c); err != nil {
				t.Errorf("restarting etcd: %v", err)
			}
		}
	})
	start := time.Now()
	ok(t)(term.WaitFor("STALE", 30*time.Second))
	t.Logf("stale shown %s after etcd stopped", time.Since(start).Round(time.Millisecond))
	if s := term.Screen(); rowOf(s, "stays") == "" {
		t.Fatalf("the last known list should stay while etcd is down:\n%s", s)
	}
	term.Send("j") // keys still work
	notSpinning(t, term, 3*time.Second)
	restarted = true
	if err := cluster.StartEtcd(ctx(t)); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	// Changed before podtui has reconnected: the relist must show them.
	if err := cluster.Client().CoreV1().Pods(ns).Delete(ctx(t), "goes", metav1.DeleteOptions{GracePeriodSeconds: new(int64(0))}); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "new", harness.StateCrashLoopBackOff), harness.StateCrashLoopBackOff); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitGone("STALE", 30*time.Second))
	t.Logf("recovered %s after the API server was ready again", time.Since(start).Round(time.Millisecond))
	ok(t)(term.WaitMatch(rowRE("new", "CrashLoopBackOff"), seen))
	ok(t)(term.WaitScreen(func(s string) bool { return rowOf(s, "goes") == "" }, "deleted pod gone", seen))
	stillWorks(t, term)
}

// TestFaultEtcdRestart restarts etcd (a short blip) mid-session: nothing
// crashes and changes made afterwards still arrive.
func TestFaultEtcdRestart(t *testing.T) {
	ns := cluster.NewNamespace(t, "etcd-blip")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "before", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("before", "Running"), seen))
	if err := cluster.RestartEtcd(ctx(t)); err != nil {
		t.Fatal(err)
	}
	var err error
	for range 50 { // the API server may answer 5xx for a moment
		if _, err = cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "after", harness.StateImagePullBackOff), harness.StateImagePullBackOff); err == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitMatch(rowRE("after", "ImagePullBackOff"), 30*time.Second))
	ok(t)(term.WaitGone("STALE", 30*time.Second))
	stillWorks(t, term)
}

// podReader makes user able to read pods in ns only, and returns the
// RoleBinding's name.
func podReader(t *testing.T, ns, user string) string {
	t.Helper()
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pod-reader"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods", "pods/log", "events"}, Verbs: []string{"get", "list", "watch"}}},
	}
	if _, err := cluster.Client().RbacV1().Roles(ns).Create(ctx(t), role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pod-reader"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "pod-reader"},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: user}},
	}
	if _, err := cluster.Client().RbacV1().RoleBindings(ns).Create(ctx(t), rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return rb.Name
}

// TestFaultCredentialsRevoked removes a user's RoleBinding while podtui runs:
// the UI says 403 and who may not do what, names the context, keeps the last
// list marked stale, stays responsive and does not spin.
func TestFaultCredentialsRevoked(t *testing.T) {
	ns := cluster.NewNamespace(t, "revoked")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "mine", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	user := "revoked-" + ns
	rb := podReader(t, ns, user)
	kc, err := cluster.KubeconfigFor(user, nil)
	if err != nil {
		t.Fatal(err)
	}
	term := startPodtui(t, kc, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("mine", "Running"), seen))

	if err := cluster.Client().RbacV1().RoleBindings(ns).Delete(ctx(t), rb, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// The open watch keeps its rights server-side; the feed's heartbeat
	// (a small LIST every few seconds) is refused and says so.
	start := time.Now()
	ok(t)(term.WaitFor("forbidden (403)", 30*time.Second))
	t.Logf("403 shown %s after the RoleBinding was deleted", time.Since(start).Round(time.Millisecond))
	screen := term.Screen()
	for _, want := range []string{"STALE", "forbidden (403)", user, "pods"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the screen lacks %q:\n%s", want, screen)
		}
	}
	if !strings.Contains(screen, "context: "+harness.ContextName) {
		t.Errorf("the context is not named:\n%s", screen)
	}
	notSpinning(t, term, 5*time.Second)
	stillWorks(t, term)
}

// TestFaultTokenRevoked deletes the service account whose token podtui uses:
// its bound token is rejected from then on (401). The UI says so, names the
// context, keeps the last list marked stale and does not spin.
func TestFaultTokenRevoked(t *testing.T) {
	ns := cluster.NewNamespace(t, "token")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "mine", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	podReader(t, ns, "system:serviceaccount:"+ns+":viewer")
	kc, err := cluster.TokenKubeconfig(ctx(t), ns, "viewer")
	if err != nil {
		t.Fatal(err)
	}
	term := startPodtui(t, kc, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("mine", "Running"), seen))

	if err := cluster.Client().CoreV1().ServiceAccounts(ns).Delete(ctx(t), "viewer", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ok(t)(term.WaitFor("unauthorized (401)", 30*time.Second))
	t.Logf("401 shown %s after the service account was deleted", time.Since(start).Round(time.Millisecond))
	screen := term.Screen()
	for _, want := range []string{"STALE", "unauthorized (401)", "context: " + harness.ContextName} {
		if !strings.Contains(screen, want) {
			t.Errorf("the screen lacks %q:\n%s", want, screen)
		}
	}
	if rowOf(screen, "mine") == "" {
		t.Errorf("the last known list should stay:\n%s", screen)
	}
	notSpinning(t, term, 5*time.Second)
	stillWorks(t, term)
}

// TestFaultNoPodRights starts podtui as a user who may not list pods at all:
// a clear 403 message, no crash, no spin.
func TestFaultNoPodRights(t *testing.T) {
	ns := cluster.NewNamespace(t, "norights")
	kc, err := cluster.KubeconfigFor("nobody-"+ns, nil)
	if err != nil {
		t.Fatal(err)
	}
	term := startPodtui(t, kc, "-n", ns)
	screen, err := term.WaitFor("forbidden (403)", seen)
	ok(t)(screen, err)
	// The first refusal seen may be the list's or the watch's.
	if !regexp.MustCompile(`cannot (list|watch) resource "pods"`).MatchString(screen) || !strings.Contains(screen, "nobody-"+ns) {
		t.Errorf("the message should say who may not list what:\n%s", screen)
	}
	notSpinning(t, term, 3*time.Second)
	stillWorks(t, term)
}

// TestFaultPodDeletedWhileLogsFollow deletes the pod whose logs are followed.
func TestFaultPodDeletedWhileLogsFollow(t *testing.T) {
	ns := cluster.NewNamespace(t, "gone-logs")
	if _, err := cluster.CreatePod(ctx(t), harness.Pod(ns, "doomed")); err != nil {
		t.Fatal(err)
	}
	setLogs(t, ns, "doomed", "app", "alive and well\n", "")
	term := openLogs(t, ns, "doomed", "Running")
	ok(t)(term.WaitFor("alive and well", seen))
	ok(t)(term.WaitFor("FOLLOW", seen))
	if err := cluster.Client().CoreV1().Pods(ns).Delete(ctx(t), "doomed", metav1.DeleteOptions{GracePeriodSeconds: new(int64(0))}); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitFor("pod deleted", seen))
	if s := term.Screen(); !strings.Contains(s, "alive and well") {
		t.Errorf("the lines read so far should stay:\n%s", s)
	}
	term.Send("g") // scrolling still works
	term.Send("esc")
	ok(t)(term.WaitGone("logs "+ns+"/doomed", seen))
	ok(t)(term.WaitScreen(func(s string) bool { return rowOf(s, "doomed") == "" }, "deleted pod gone from the list", seen))
	stillWorks(t, term)
}

// TestFaultPodDeletedWhileDetailOpen deletes the pod whose detail page is open.
func TestFaultPodDeletedWhileDetailOpen(t *testing.T) {
	ns := cluster.NewNamespace(t, "gone-detail")
	runningPod(t, ns, "doomed")
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("doomed", "Running"), seen))
	term.Send("d")
	ok(t)(term.WaitFor("detail "+ns+"/doomed", seen))
	if err := cluster.Client().CoreV1().Pods(ns).Delete(ctx(t), "doomed", metav1.DeleteOptions{GracePeriodSeconds: new(int64(0))}); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitFor("this pod was deleted", seen))
	term.Send("j", "k") // scrolling still works
	term.Send("esc")
	ok(t)(term.WaitGone("detail "+ns+"/doomed", seen))
	stillWorks(t, term)
}

// TestFaultHugeLogLine serves a 5 MB line without a newline inside: it is cut
// for display and says by how much; the view stays responsive.
func TestFaultHugeLogLine(t *testing.T) {
	ns := cluster.NewNamespace(t, "huge-line")
	if _, err := cluster.CreatePod(ctx(t), harness.Pod(ns, "chatty")); err != nil {
		t.Fatal(err)
	}
	setLogs(t, ns, "chatty", "app", "before the big one\n", "")
	term := openLogs(t, ns, "chatty", "Running")
	ok(t)(term.WaitFor("before the big one", seen))
	huge := "HUGE" + strings.Repeat("x", 5<<20)
	start := time.Now()
	if err := cluster.AppendLog(ns, "chatty", "app", huge+"\nafter the big one\n"); err != nil {
		t.Fatal(err)
	}
	ok(t)(term.WaitFor("after the big one", 30*time.Second))
	t.Logf("the line after 5 MB shown after %s", time.Since(start).Round(time.Millisecond))
	// The cut is at the end of the line: wrap to see it.
	term.Send("w")
	ok(t)(term.WaitFor("bytes cut]", seen))
	if s := term.Screen(); !strings.Contains(s, "after the big one") {
		t.Errorf("the next line is not shown after the cut one:\n%s", s)
	}
	term.Send("esc")
	ok(t)(term.WaitGone("logs "+ns+"/chatty", seen))
	stillWorks(t, term)
}

// TestFaultLargeLog appends 1 GB to a followed log (kwok serves the file):
// the view keeps up or says how many lines it dropped, the memory stays
// bounded and the keys keep working. The file is removed afterwards.
func TestFaultLargeLog(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GB of log in -short mode")
	}
	ns := cluster.NewNamespace(t, "big-log")
	if _, err := cluster.CreatePod(ctx(t), harness.Pod(ns, "flood")); err != nil {
		t.Fatal(err)
	}
	setLogs(t, ns, "flood", "app", "start of the flood\n", "")
	path := filepath.Join(cluster.Dir, "podlogs", ns, "flood", "app.log")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the harness's log file moved: %v", err)
	}
	t.Cleanup(func() { os.Remove(path) })
	term := openLogs(t, ns, "flood", "Running")
	ok(t)(term.WaitFor("start of the flood", seen))
	ok(t)(term.WaitFor("FOLLOW", seen))

	size := 1 << 30
	if mb, err := strconv.Atoi(os.Getenv("PODTUI_E2E_LOG_MB")); err == nil && mb > 0 {
		size = mb << 20 // a smaller flood, to work on the test
	}
	start := time.Now()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	ts := time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
	pad := strings.Repeat("y", 150)
	lines := 0
	for written := 0; written < size; lines++ {
		n, _ := fmt.Fprintf(w, "%s stdout F flood line %d %s\n", ts, lines, pad)
		written += n
	}
	fmt.Fprintf(w, "%s stdout F END OF FLOOD\n", ts)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	t.Logf("wrote %d MB (%d lines) in %s", size>>20, lines, time.Since(start).Round(time.Millisecond))

	// Responsive during the flood: help opens and closes.
	term.Send("?")
	ok(t)(term.WaitFor("toggle help", seen))
	term.Send("?")
	// Memory is sampled through the flood: what the second half adds over
	// the first must be noise, not a buffer growing with the log.
	var early, late float64
	lineRE := regexp.MustCompile(`flood line (\d+) `)
	deadline := time.Now().Add(6 * time.Minute)
	for {
		screen := term.Screen()
		if strings.Contains(screen, "END OF FLOOD") {
			break
		}
		shown := 0
		for _, m := range lineRE.FindAllStringSubmatch(screen, -1) {
			n, _ := strconv.Atoi(m[1])
			shown = max(shown, n)
		}
		if rss := rssMB(term.Pid()); shown < lines/2 {
			early = max(early, rss)
		} else {
			late = max(late, rss)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the end of the flood never arrived:\n%s", screen)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("the end of %d MB shown after %s; peak RSS %.0f MB in the first half, %.0f MB in the second", size>>20, time.Since(start).Round(time.Millisecond), early, late)
	if late > early*1.25+32 {
		t.Errorf("RSS grew from %.0f MB to %.0f MB through the flood: the log buffer is not bounded", early, late)
	}
	// The counters are honest: every line read is counted, and what is no
	// longer held is counted as dropped.
	screen := term.Screen()
	header := regexp.MustCompile(`([\d,]+) lines(?: · ([\d,]+) lines skipped)? · ([\d,]+) older lines dropped`).FindStringSubmatch(screen)
	if header == nil {
		t.Fatalf("no line and drop counters in the header:\n%s", screen)
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(strings.ReplaceAll(s, ",", "")); return n }
	read, skipped, dropped := atoi(header[1]), atoi(header[2]), atoi(header[3])
	t.Logf("header: %d lines read, %d skipped, %d older lines dropped (written %d)", read, skipped, dropped, lines+2)
	if read+skipped != lines+2 {
		t.Errorf("%d lines read + %d skipped, but %d written: a counter lies", read, skipped, lines+2)
	}
	if held := read - dropped; held <= 0 || held > 100_000 {
		t.Errorf("%d lines read - %d dropped = %d held: outside the buffer's bounds", read, dropped, held)
	}
	term.Send("esc")
	ok(t)(term.WaitGone("logs "+ns+"/flood", seen))
	stillWorks(t, term)
}

// TestFaultResizeStorm resizes the terminal hundreds of times, down to 20x5
// and below: no panic, and a normal size gives a normal screen again.
func TestFaultResizeStorm(t *testing.T) {
	ns := cluster.NewNamespace(t, "resize")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "steady", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("steady", "Running"), seen))
	sizes := [][2]int{{20, 5}, {1, 1}, {300, 100}, {40, 10}, {2, 2}, {160, 40}}
	for i := range 300 {
		s := sizes[i%len(sizes)]
		term.Resize(s[0]+i%7, s[1]+i%3)
		if i%50 == 0 {
			term.Send("j") // keys interleaved with the storm
		}
	}
	// Every view at 20x5.
	term.Resize(20, 5)
	time.Sleep(300 * time.Millisecond)
	for _, k := range []string{"d", "esc", "l", "esc", "?", "?", "T", "esc"} {
		term.Send(k)
		time.Sleep(100 * time.Millisecond)
		if !term.Alive() {
			t.Fatalf("podtui died at 20x5 after %q:\n%s", k, term.Screen())
		}
	}
	term.Resize(160, 40)
	ok(t)(term.WaitMatch(rowRE("steady", "Running"), seen))
	ok(t)(term.WaitFor("namespace: "+ns, seen))
	stillWorks(t, term)
}

// TestFaultTinyTerminal starts podtui in a 20x5 terminal.
func TestFaultTinyTerminal(t *testing.T) {
	ns := cluster.NewNamespace(t, "tiny")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "p", harness.StateRunning), harness.StateRunning); err != nil {
		t.Fatal(err)
	}
	term := startPodtuiSized(t, cluster.Kubeconfig, 20, 5, "-n", ns)
	ok(t)(term.WaitScreen(func(s string) bool { return strings.TrimSpace(s) != "" }, "something drawn", seen))
	time.Sleep(time.Second)
	if !term.AltScreen() {
		t.Fatalf("the TUI did not start at 20x5:\n%s", term.Screen())
	}
	for _, line := range strings.Split(term.Screen(), "\n") {
		if w := len([]rune(line)); w > 20 {
			t.Errorf("a line is %d wide in a 20-column terminal: %q", w, line)
		}
	}
	stillWorks(t, term)
}

// otherCA returns a PEM CA certificate the cluster has never seen.
func otherCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "not-the-cluster-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// kubeconfigWith writes a copy of the admin kubeconfig changed by edit.
func kubeconfigWith(t *testing.T, edit func(server *string, ca *[]byte)) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(cluster.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Clusters[cfg.Contexts[cfg.CurrentContext].Cluster]
	edit(&c.Server, &c.CertificateAuthorityData)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFaultInvalidKubeconfig: a missing file, an unknown context, an
// unreachable server and a CA that does not match each end podtui with a
// clear message and a non-zero code, before the TUI takes the terminal.
func TestFaultInvalidKubeconfig(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-kubeconfig")
	// A server that accepts connections and never answers, like a
	// black-holed VPN route: only the timeout ends the wait.
	hole, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	var heldMu sync.Mutex
	t.Cleanup(func() {
		hole.Close()
		heldMu.Lock()
		defer heldMu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := hole.Accept()
			if err != nil {
				return
			}
			heldMu.Lock()
			held = append(held, c)
			heldMu.Unlock()
		}
	}()
	holeAddr := hole.Addr().String()
	unreachable := kubeconfigWith(t, func(server *string, _ *[]byte) {
		*server = "https://" + holeAddr
	})
	refused := kubeconfigWith(t, func(server *string, _ *[]byte) {
		*server = "https://127.0.0.1:1"
	})
	wrongCA := kubeconfigWith(t, func(_ *string, ca *[]byte) { *ca = otherCA(t) })
	cases := []struct {
		name       string
		kubeconfig string
		args       []string
		want       []string
	}{
		{"missing file", missing, nil, []string{missing}},
		{"unknown context", cluster.Kubeconfig, []string{"--context", "no-such-context"}, []string{"no-such-context", harness.ContextName}},
		{"unreachable server", unreachable, []string{"--request-timeout=1s"}, []string{holeAddr, "did not answer in time"}},
		{"connection refused", refused, nil, []string{"127.0.0.1:1"}},
		{"CA mismatch", wrongCA, nil, []string{"certificate"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			term := startPodtui(t, c.kubeconfig, c.args...)
			code, err := term.Wait(30 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			screen := term.Screen()
			t.Logf("exit %d after %s: %s", code, took.Round(time.Millisecond), strings.Join(strings.Fields(screen), " "))
			if code == 0 {
				t.Errorf("exit code 0, want non-zero")
			}
			if raw := string(term.Raw()); strings.Contains(raw, "\x1b[?1049h") {
				t.Errorf("the TUI entered the alternate screen before failing")
			}
			flat := strings.Join(strings.Fields(screen), " ")
			for _, w := range c.want {
				if !strings.Contains(flat, w) {
					t.Errorf("the message lacks %q:\n%s", w, screen)
				}
			}
			if strings.Contains(screen, "goroutine ") || strings.Contains(screen, "panic") {
				t.Errorf("panic:\n%s", screen)
			}
			if c.name == "unreachable server" && took > 5*time.Second {
				t.Errorf("--request-timeout=1s, yet it took %s to give up", took)
			}
		})
	}
}

// TestFaultPodDeletedDuringExec deletes the pod while a shell in it is open:
// the session ends (by itself or with exit), the TUI comes back without the
// pod, and nothing hangs.
func TestFaultPodDeletedDuringExec(t *testing.T) {
	ns := cluster.NewNamespace(t, "gone-exec")
	runningPod(t, ns, "doomed")
	rule := fmt.Sprintf("apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Exec\nmetadata: {name: doomed, namespace: %s}\nspec:\n  execs:\n  - local:\n      workDir: /tmp\n", ns)
	if err := cluster.ApplyYAML(ctx(t), []byte(rule)); err != nil {
		t.Fatal(err)
	}
	waitExecRule(t, ns, "doomed")
	term := startPodtui(t, cluster.Kubeconfig, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("doomed", "Running"), seen))
	term.Send("x")
	ok(t)(term.WaitGone("namespace: "+ns, seen))
	term.Type("echo in-$((6*7))\r")
	ok(t)(term.WaitFor("in-42", seen))
	if err := cluster.Client().CoreV1().Pods(ns).Delete(ctx(t), "doomed", metav1.DeleteOptions{GracePeriodSeconds: new(int64(0))}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if strings.Contains(term.Screen(), "namespace: "+ns) {
		t.Log("the session ended with the pod")
	} else {
		term.Type("exit\r") // the local shell kwok runs outlives the pod
	}
	ok(t)(term.WaitFor("namespace: "+ns, seen))
	ok(t)(term.WaitScreen(func(s string) bool { return rowOf(s, "doomed") == "" }, "deleted pod gone from the list", seen))
	stillWorks(t, term)
}

// TestFaultMetricsAppearAndDisappear installs the metrics API while podtui
// runs (the columns fill at a later poll, no restart), removes it (the last
// numbers stay, the status says they are not refreshed) and installs it
// again (fresh numbers). Its own cluster: the APIService is cluster-wide.
func TestFaultMetricsAppearAndDisappear(t *testing.T) {
	c := ownCluster(t)
	ns := c.NewNamespace(t, "metrics-faults")
	if _, err := c.CreatePod(ctx(t), usagePod(ns, "api-1")); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("metrics:\n  interval: 10s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	term := startPodtui(t, c.Kubeconfig, "-n", ns, "--config", cfg)
	ok(t)(term.WaitMatch(rowRE("api-1", "Running"), seen))
	ok(t)(term.WaitFor("metrics-server is not installed", seen))

	f := newFakeMetricsAPI(t)
	f.set(ns, "api-1", map[string]corev1.ResourceList{"app": {corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("300Mi")}})
	f.register(t, c)
	start := time.Now()
	ok(t)(term.WaitMatch(regexpRow("api-1", "250m", "300Mi"), 40*time.Second))
	t.Logf("the installed metrics API shown after %s (interval 10s)", time.Since(start).Round(time.Millisecond))
	if s := term.Screen(); strings.Contains(s, "not installed") {
		t.Errorf("the absent hint stayed after the API appeared:\n%s", s)
	}

	apiServices := c.Dynamic().Resource(schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"})
	if err := apiServices.Delete(ctx(t), "v1beta1.metrics.k8s.io", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	ok(t)(term.WaitFor("usage not refreshed", 40*time.Second))
	t.Logf("the lost metrics API shown after %s", time.Since(start).Round(time.Millisecond))
	if row := rowOf(term.Screen(), "api-1"); !strings.Contains(row, "250m") {
		t.Errorf("the last numbers should stay through a lost metrics API: %q", row)
	}

	f.set(ns, "api-1", map[string]corev1.ResourceList{"app": {corev1.ResourceCPU: resource.MustParse("400m"), corev1.ResourceMemory: resource.MustParse("310Mi")}})
	f.register(t, c)
	start = time.Now()
	ok(t)(term.WaitMatch(regexpRow("api-1", "400m", "310Mi"), 40*time.Second))
	ok(t)(term.WaitGone("usage not refreshed", seen))
	t.Logf("the reinstalled metrics API shown after %s", time.Since(start).Round(time.Millisecond))
	stillWorks(t, term)
}
