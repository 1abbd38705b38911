package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podtui/podtui/kube"
)

var logsT0 = time.Date(2026, 12, 7, 10, 0, 0, 123456789, time.UTC)

var apiSource = kube.LogSource{Name: "deployment/api", Namespace: "shop", Prefix: "api-"}

// hostile is a log line that would write the clipboard, set the title and
// clear the screen if it reached a terminal as it is.
const hostile = "\x1b]52;c;cm0gLXJmIH4=\x07copied \x1b]2;owned\x07titled \x1b[2J\x1b[Hcleared <b>&"

func sampleBatch() kube.TailBatch {
	key := func(pod, container string) kube.StreamKey {
		return kube.StreamKey{Namespace: "shop", Pod: pod, Container: container}
	}
	return kube.TailBatch{
		Notes: []kube.TailNote{
			{Kind: kube.PodJoined, StreamKey: key("api-7d9c5-bbbbb", "")},
			{Kind: kube.ContainerRestarted, StreamKey: key("api-7d9c5-aaaaa", "app"), Text: "restart #3"},
			{Kind: kube.StreamFailed, StreamKey: key("api-7d9c5-aaaaa", "proxy"), Text: "forbidden (403): no \x1b[2Jlogs"},
		},
		Dropped: 12,
		Lines: []kube.TailLine{
			{StreamKey: key("api-7d9c5-aaaaa", "app"), Previous: true, LogLine: kube.LogLine{Time: logsT0, Text: "panic: nil map"}},
			{StreamKey: key("api-7d9c5-bbbbb", "app"), LogLine: kube.LogLine{Time: logsT0.Add(time.Millisecond), Text: hostile}},
			{StreamKey: key("api-7d9c5-bbbbb", "proxy"), LogLine: kube.LogLine{Time: logsT0.Add(2 * time.Millisecond), Text: "GET /", Cut: 70000}},
		},
	}
}

func printSample(t *testing.T, format string, filter containerFilter) (out, errOut string, p *logPrinter) {
	t.Helper()
	var o, e bytes.Buffer
	p = newLogPrinter(&o, &e, format, apiSource, filter)
	p.now = func() time.Time { return logsT0.Add(time.Second) }
	if err := p.print(sampleBatch()); err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), p
}

func TestLogsCmdTextFormat(t *testing.T) {
	out, errOut, p := printSample(t, logsText, containerFilter{})
	want := "7d9c5-aaaaa app (previous) panic: nil map\n" +
		"7d9c5-bbbbb app copied titled cleared <b>&\n" +
		"7d9c5-bbbbb proxy GET / … [70000 bytes cut]\n"
	if out != want {
		t.Errorf("stdout:\n got %q\nwant %q", out, want)
	}
	wantErr := "podtui: pod 7d9c5-bbbbb joined\n" +
		"podtui: 7d9c5-aaaaa app restarted (restart #3)\n" +
		"podtui: 7d9c5-aaaaa proxy: forbidden (403): no logs\n" +
		"podtui: 12 lines dropped: the output did not keep up\n"
	if errOut != wantErr {
		t.Errorf("stderr:\n got %q\nwant %q", errOut, wantErr)
	}
	if p.failed != 1 {
		t.Errorf("failed streams counted: %d, want 1", p.failed)
	}
}

func TestLogsCmdRawFormatIsSanitisedToo(t *testing.T) {
	out, errOut, _ := printSample(t, logsRaw, containerFilter{})
	want := "panic: nil map\ncopied titled cleared <b>&\nGET / … [70000 bytes cut]\n"
	if out != want {
		t.Errorf("stdout:\n got %q\nwant %q", out, want)
	}
	if !strings.Contains(errOut, "podtui: pod 7d9c5-bbbbb joined\n") {
		t.Errorf("notes belong on stderr in raw format: %q", errOut)
	}
}

func TestLogsCmdJSONShape(t *testing.T) {
	out, errOut, _ := printSample(t, logsJSON, containerFilter{})
	if errOut != "" {
		t.Errorf("json puts its notes on stdout, stderr has %q", errOut)
	}
	rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(rows) != 7 {
		t.Fatalf("%d objects, want 3 notes, a drop and 3 lines:\n%s", len(rows), out)
	}
	type object struct {
		Time      string `json:"time"`
		Note      string `json:"note"`
		Namespace string `json:"namespace"`
		Pod       string `json:"pod"`
		Container string `json:"container"`
		Text      string `json:"text"`
		Count     int    `json:"count"`
		Previous  bool   `json:"previous"`
		Message   string `json:"message"`
		Cut       int    `json:"cut"`
	}
	var objs []object
	for _, row := range rows {
		dec := json.NewDecoder(strings.NewReader(row))
		dec.DisallowUnknownFields()
		var o object
		if err := dec.Decode(&o); err != nil {
			t.Fatalf("%v: %s", err, row)
		}
		objs = append(objs, o)
	}
	noteAt := "2026-12-07T10:00:01.123456789Z"
	wantNotes := []object{
		{Time: noteAt, Note: "joined", Namespace: "shop", Pod: "api-7d9c5-bbbbb"},
		{Time: noteAt, Note: "restarted", Namespace: "shop", Pod: "api-7d9c5-aaaaa", Container: "app", Text: "restart #3"},
		{Time: noteAt, Note: "failed", Namespace: "shop", Pod: "api-7d9c5-aaaaa", Container: "proxy", Text: "forbidden (403): no \x1b[2Jlogs"},
		{Time: noteAt, Note: "dropped", Count: 12},
		{Time: "2026-12-07T10:00:00.123456789Z", Namespace: "shop", Pod: "api-7d9c5-aaaaa", Container: "app", Previous: true, Message: "panic: nil map"},
		{Time: "2026-12-07T10:00:00.124456789Z", Namespace: "shop", Pod: "api-7d9c5-bbbbb", Container: "app", Message: hostile},
		{Time: "2026-12-07T10:00:00.125456789Z", Namespace: "shop", Pod: "api-7d9c5-bbbbb", Container: "proxy", Message: "GET /", Cut: 70000},
	}
	for i := range wantNotes {
		if objs[i] != wantNotes[i] {
			t.Errorf("object %d:\n got %+v\nwant %+v", i, objs[i], wantNotes[i])
		}
	}
	// The escape sequences are escaped in the JSON text, not raw bytes on
	// stdout; previous appears only when true; HTML is not escaped.
	if strings.Contains(out, "\x1b") || !strings.Contains(rows[5], `\u001b]52;c;`) || strings.Contains(rows[5], "previous") || !strings.Contains(rows[5], "<b>&") {
		t.Errorf("line objects:\n%s", out)
	}
}

func TestLogsCmdPodNames(t *testing.T) {
	p := newLogPrinter(io.Discard, io.Discard, logsText, kube.LogSource{Name: "-l app=web"}, containerFilter{})
	if got := p.podName("shop", "web-1"); got != "shop/web-1" {
		t.Errorf("every namespace: %q, want the namespace in front", got)
	}
	p = newLogPrinter(io.Discard, io.Discard, logsText, apiSource, containerFilter{})
	if got := p.podName("shop", "apiserver-1"); got != "apiserver-1" {
		t.Errorf("a pod not of the prefix keeps its name: %q", got)
	}
}

func TestLogsCmdColourIsStablePerPod(t *testing.T) {
	var o bytes.Buffer
	p := newLogPrinter(&o, io.Discard, logsText, apiSource, containerFilter{})
	p.color = true
	b := sampleBatch()
	b.Notes, b.Dropped = nil, 0
	b.Lines = append(b.Lines, b.Lines...)
	if err := p.print(b); err != nil {
		t.Fatal(err)
	}
	colourOf := map[string]string{}
	for _, row := range strings.Split(strings.TrimSuffix(o.String(), "\n"), "\n") {
		m := regexp.MustCompile(`^(\x1b\[\d+m)(\S+) \S+\x1b\[0m `).FindStringSubmatch(row)
		if m == nil {
			t.Fatalf("row without a coloured prefix: %q", row)
		}
		if c, seen := colourOf[m[2]]; seen && c != m[1] {
			t.Errorf("pod %s in %q and %q", m[2], c, m[1])
		}
		colourOf[m[2]] = m[1]
	}
	if len(colourOf) != 2 {
		t.Errorf("colours: %q", colourOf)
	}
}

func TestLogsCmdFlagErrors(t *testing.T) {
	// No cluster needed: the flags are checked first.
	nope := filepath.Join(t.TempDir(), "no-kubeconfig")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"logs"}, "-l app=web"},
		{[]string{"logs", "a", "b"}, "one KIND/NAME or POD at a time"},
		{[]string{"logs", "deploy/api", "-l", "app=web"}, "not both"},
		{[]string{"logs", "widget/api"}, "deployment, statefulset"},
		{[]string{"logs", "deploy/api", "-A"}, "use -n instead of -A"},
		{[]string{"logs", "-l", "app in ("}, "label selector"},
		{[]string{"logs", "deploy/api", "-o", "yaml"}, "text, raw or json"},
		{[]string{"logs", "deploy/api", "-c", "app["}, "-c"},
		{[]string{"logs", "deploy/api", "--since", "1m", "--tail", "5"}, "cannot be combined"},
		{[]string{"logs", "deploy/api", "--tail", "-2"}, "--tail -2"},
		{[]string{"logs", "deploy/api", "--max-streams", "0"}, "--max-streams 0"},
	} {
		code, out, errOut := runCLI(t, append(tc.args, "--kubeconfig", nope)...)
		if code != 1 || !strings.HasPrefix(errOut, "podtui: ") || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 || out != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q (want 1 and one line with %q)", tc.args, code, out, errOut, tc.want)
		}
	}
}

func TestLogsCmdMissingKubeconfigIsExplained(t *testing.T) {
	nope := filepath.Join(t.TempDir(), "nope")
	code, _, errOut := runCLI(t, "logs", "deployment/api", "--kubeconfig", nope)
	if code != 1 || !strings.Contains(errOut, nope) || !strings.Contains(errOut, "fix:") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// fakeLogStreams serves each "pod/container" the text given; a follow
// stream then stays open until cancelled, which it reports on cancelled.
type fakeLogStreams struct {
	logs      map[string]string
	cancelled chan string
}

func (f *fakeLogStreams) open(ctx context.Context, req kube.LogRequest) (io.ReadCloser, error) {
	k := req.Pod + "/" + req.Container
	if !req.Follow {
		return io.NopCloser(strings.NewReader(f.logs[k])), nil
	}
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.WriteString(pw, f.logs[k])
		<-ctx.Done()
		f.cancelled <- k
		pw.Close()
	}()
	return pr, nil
}

func logAt(ms int, text string) string {
	return logsT0.Add(time.Duration(ms)*time.Millisecond).Format(time.RFC3339Nano) + " " + text + "\n"
}

func podWith(name string, containers ...string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name}}
	for _, c := range containers {
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{
			Name: c, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
		})
	}
	return p
}

// startLogsRun runs a logs command's loop on a tail of fake pods and
// streams. Read stdout and stderr once the loop has ended (endOf).
func startLogsRun(t *testing.T, opts kube.TailOptions, filter containerFilter, streams *fakeLogStreams, events ...kube.PodEvent) (stdout, stderr *bytes.Buffer, ended <-chan error) {
	t.Helper()
	pods := make(chan kube.PodEvent, len(events))
	for _, e := range events {
		pods <- e
	}
	if !opts.Follow {
		close(pods) // the list is over
	}
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	src := kube.LogSource{Name: "pod/web", Namespace: "shop"}
	tail := kube.StartTail(context.Background(), src, opts, pods, streams.open)
	t.Cleanup(tail.Stop)
	r := &logsRun{tail: tail, printer: newLogPrinter(stdout, stderr, logsRaw, src, filter), src: src, follow: opts.Follow}
	errc := make(chan error, 1)
	go func() { errc <- r.run() }()
	return stdout, stderr, errc
}

// endOf waits for the loop's end.
func endOf(t *testing.T, ended <-chan error) error {
	t.Helper()
	select {
	case err := <-ended:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the logs command did not end")
		return nil
	}
}

func TestLogsCmdContainerFilterStopsOtherStreams(t *testing.T) {
	streams := &fakeLogStreams{
		logs:      map[string]string{"web/app": logAt(0, "app line"), "web/istio-proxy": logAt(1, "proxy line")},
		cancelled: make(chan string, 4),
	}
	re := regexp.MustCompile("^app$")
	startLogsRun(t, kube.TailOptions{Follow: true, Window: 20 * time.Millisecond}, containerFilter{re}, streams,
		kube.PodEvent{Pod: podWith("web", "app", "istio-proxy")}, kube.PodEvent{Synced: true})
	select {
	case k := <-streams.cancelled:
		if k != "web/istio-proxy" {
			t.Fatalf("stream %s stopped, want web/istio-proxy's", k)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream of the container -c does not pick stays open")
	}

	// Without follow: its lines never show, whether or not its stream was
	// stopped before they came.
	out, _, ended := startLogsRun(t, kube.TailOptions{}, containerFilter{re}, streams,
		kube.PodEvent{Pod: podWith("web", "app", "istio-proxy")}, kube.PodEvent{Synced: true})
	if err := endOf(t, ended); err != nil || out.String() != "app line\n" {
		t.Fatalf("stdout %q, err %v; want app's line alone", out, err)
	}
}

func TestLogsCmdNoPodsAndListErrors(t *testing.T) {
	streams := &fakeLogStreams{cancelled: make(chan string, 4)}
	out, errOut, ended := startLogsRun(t, kube.TailOptions{}, containerFilter{}, streams, kube.PodEvent{Synced: true})
	if err := endOf(t, ended); err != nil || out.String() != "" || errOut.String() != "podtui: no pods match pod/web in namespace shop\n" {
		t.Fatalf("no pods, no follow: err %v, stdout %q, stderr %q (want exit 0 and one line)", err, out, errOut)
	}

	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New(`User "dev" cannot list resource "pods" in API group "" in the namespace "shop"`))
	_, _, ended = startLogsRun(t, kube.TailOptions{}, containerFilter{}, streams, kube.PodEvent{Err: forbidden})
	if err := endOf(t, ended); err == nil || !strings.Contains(err.Error(), "listing the pods of pod/web: forbidden (403)") {
		t.Fatalf("list refused, no follow: %v", err)
	}

	// Following, a refusal before the first list ends it too, rather than
	// waiting for ever.
	_, _, ended = startLogsRun(t, kube.TailOptions{Follow: true}, containerFilter{}, streams, kube.PodEvent{Err: forbidden})
	if err := endOf(t, ended); err == nil || !strings.Contains(err.Error(), "cannot list resource") {
		t.Fatalf("list refused, follow: %v", err)
	}
}

func TestLogsCmdTimestamps(t *testing.T) {
	var o bytes.Buffer
	p := newLogPrinter(&o, io.Discard, logsRaw, apiSource, containerFilter{})
	p.timestamps = true
	if err := p.print(sampleBatch()); err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(o.String(), "\n", 2)[0]
	if want := logsT0.UTC().Format(time.RFC3339Nano) + " panic: nil map"; first != want {
		t.Fatalf("got %q, want %q", first, want)
	}
}
