package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podtui/podtui/diagnose"
)

const multiDoc = `# kubectl get pod,secret,cm,svc -o yaml, split by hand
apiVersion: v1
kind: Pod
metadata: {name: api-1, namespace: shop, uid: u1}
spec:
  containers:
  - name: app
    image: nginx
    env:
    - name: PW
      valueFrom: {secretKeyRef: {name: db-creds, key: password}}
status:
  phase: Pending
  containerStatuses:
  - name: app
    ready: false
    restartCount: 0
    image: nginx
    imageID: ""
    state: {waiting: {reason: CreateContainerConfigError, message: 'secret "db-creds" not found'}}
---
apiVersion: v1
kind: Secret
metadata: {name: db-credentials, namespace: shop}
data: {password: c2VjcmV0, user: YWRtaW4=}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
---
apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: e1, namespace: shop}
eventTime: "2026-05-01T11:50:00.000000Z"
regarding: {kind: Pod, namespace: shop, name: api-1, uid: u1}
reason: Failed
note: 'Error: secret "db-creds" not found'
type: Warning
series: {count: 12, lastObservedTime: "2026-05-01T11:59:00.000000Z"}
`

func TestLoadMultiDocument(t *testing.T) {
	b := NewBundle()
	if err := b.Load("dump.yaml", strings.NewReader(multiDoc)); err != nil {
		t.Fatal(err)
	}
	if len(b.Pods) != 1 || len(b.Events) != 1 || b.Ignored["Service"] != 1 {
		t.Fatalf("pods=%d events=%d ignored=%v", len(b.Pods), len(b.Events), b.Ignored)
	}
	if b.Events[0].Count != 12 || b.Events[0].Message != `Error: secret "db-creds" not found` {
		t.Errorf("event: %#v", b.Events[0])
	}
	p, keys := b.Store.Lookup(diagnose.KindSecret, "shop", "db-credentials")
	if p != diagnose.Exists || strings.Join(keys, ",") != "password,user" {
		t.Errorf("secret keys: %v %v", p, keys)
	}
	// Offline, what is not in the files is unknown, never missing.
	if p, _ := b.Store.Lookup(diagnose.KindSecret, "shop", "db-creds"); p != diagnose.Unknown {
		t.Errorf("absent secret = %v, want unknown", p)
	}
	if got := b.IgnoredSummary(); got != "1 Service" {
		t.Errorf("IgnoredSummary = %q", got)
	}
	reports := Diagnose(b.Inputs(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)))
	if len(reports[0].Findings) == 0 || !strings.Contains(reports[0].Findings[0].Summary, "did you mean db-credentials?") {
		t.Errorf("findings: %#v", reports[0].Findings)
	}
	if ExitCode(reports) != ExitFindings {
		t.Error("exit code should be 1")
	}
}

func TestLoadJSONList(t *testing.T) {
	in := `{"apiVersion":"v1","kind":"List","items":[
 {"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"x"},"status":{"phase":"Running"}},
 {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}},
 {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"}}]}`
	b := NewBundle()
	if err := b.Load("list.json", strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	if len(b.Pods) != 1 || b.Ignored["Deployment"] != 1 {
		t.Fatalf("pods=%d ignored=%v", len(b.Pods), b.Ignored)
	}
	if _, p := b.Store.Node("n1"); p != diagnose.Exists {
		t.Error("node not loaded")
	}
	// A typed list from the API has items without kind.
	b = NewBundle()
	if err := b.Load("pods.json", strings.NewReader(`{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"a"}}]}`)); err != nil || len(b.Pods) != 1 || b.Pods[0].Namespace != "default" {
		t.Fatalf("PodList: %v %d", err, len(b.Pods))
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   bad: indent\n", "f.yaml:5:"},
		{"kind: Pod\n---\n- a\n- b\n", "f.yaml:3: not a Kubernetes object"},
		{"apiVersion: v1\nkind: Pod\nspec: {containers: 3}\n", "f.yaml:1: invalid Pod"},
		{"metadata: {name: x}\n", "f.yaml:1: object has no kind"},
		{"", "f.yaml: no objects found"},
		{"---\n# only a comment\n", "f.yaml: no objects found"},
		{`{"kind":"List","items":[{"kind":"Pod","metadata":"x"}]}`, "f.yaml:1: items[0]: invalid Pod"},
	}
	for _, tt := range tests {
		err := NewBundle().Load("f.yaml", strings.NewReader(tt.in))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want prefix %q", tt.in, err, tt.want)
		}
	}
}

func TestWriteJSONShape(t *testing.T) {
	reports := []PodReport{
		{Namespace: "shop", Name: "api-7d9", Status: "CreateContainerConfigError", Findings: []diagnose.Finding{{
			Rule: "config/secret-missing", Category: diagnose.CatConfigMissing, Severity: diagnose.SeverityError, Container: "app",
			Summary: "s", Explanation: "e", Evidence: []string{`secret "db-creds" not found`}, Next: []string{"kubectl get secret db-creds -n shop"},
		}}},
		{Namespace: "shop", Name: "ok", Status: "Running"},
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, reports); err != nil {
		t.Fatal(err)
	}
	want := `{"pods":[{"namespace":"shop","name":"api-7d9","status":"CreateContainerConfigError","findings":[{"rule":"config/secret-missing","category":"config-missing","severity":"error","container":"app","summary":"s","explanation":"e","evidence":["secret \"db-creds\" not found"],"next":["kubectl get secret db-creds -n shop"]}],"changes":null,"timeline":[]},{"namespace":"shop","name":"ok","status":"Running","findings":[],"changes":null,"timeline":[]}]}` + "\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	var v any
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if ExitCode(reports[1:]) != ExitOK {
		t.Error("no findings must exit 0")
	}
}

// A Deployment's ReplicaSets in the input give the pod's "changes".
func TestWriteJSONChanges(t *testing.T) {
	data, err := os.ReadFile("../testdata/fixtures/rollout-image-changed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b := NewBundle()
	if err := b.Load("rollout.yaml", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if len(b.Ignored) != 0 {
		t.Errorf("ignored %v", b.Ignored)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, Diagnose(b.Inputs(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)))); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Pods []struct {
			Changes map[string]any `json:"changes"`
		} `json:"pods"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	want := `{"diff":[{"container":"api","field":"image","from":"registry.example.com/shop/api:1.4.2","text":"image registry.example.com/shop/api:1.4.2 → 1.5.0","to":"registry.example.com/shop/api:1.5.0"},{"container":"api","field":"env","from":"value","text":"env DB_HOST removed","to":""}],"latest":true,"object":"replicaset/api-7d9c5","owner":"deployment/api","previous":"healthy","previousObject":"replicaset/api-5f6b8","previousPods":"3 of 3 ready, 3 available","previousRevision":2,"revision":3,"rolledOut":"2026-05-01T11:48:02Z","undo":"kubectl rollout undo deployment/api -n shop --to-revision=2"}`
	got, _ := json.Marshal(doc.Pods[0].Changes)
	if string(got) != want {
		t.Errorf("changes:\n%s\nwant\n%s", got, want)
	}
}

func TestWriteTextColor(t *testing.T) {
	r := []PodReport{{Namespace: "a", Name: "b", Status: "Running", Findings: []diagnose.Finding{{Rule: "x/y", Severity: diagnose.SeverityWarning, Summary: "s", Explanation: "e"}}}}
	var plain, color bytes.Buffer
	_ = WriteText(&plain, r, TextOptions{})
	_ = WriteText(&color, r, TextOptions{Color: true})
	if strings.Contains(plain.String(), "\x1b[") || !strings.Contains(color.String(), "\x1b[33m") {
		t.Errorf("plain:\n%q\ncolor:\n%q", plain.String(), color.String())
	}
}

// Every diagnose fixture loads and diagnoses without error.
func TestLoadFixtures(t *testing.T) {
	files, _ := filepath.Glob("../testdata/fixtures/*.yaml")
	if len(files) == 0 {
		t.Skip("no fixtures")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b := NewBundle()
		if err := b.Load(f, bytes.NewReader(data)); err != nil {
			t.Errorf("%v", err)
		}
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(multiDoc))
	f.Add([]byte(`{"apiVersion":"v1","kind":"List","items":[{"kind":"Pod","metadata":{"name":"a"}}]}`))
	f.Add([]byte("---\n---\nkind: Secret\ndata: {a: b}\n...\n"))
	f.Add([]byte("kind: EventList\napiVersion: events.k8s.io/v1\nitems: [{note: x}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := NewBundle()
		err := b.Load("fuzz.yaml", bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		_ = Diagnose(b.Inputs(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)))
	})
}

// Hand-written pods carry no uid; --group tells pods apart by it, so each
// gets one of its own rather than all sharing "".
func TestLoadGivesPodsWithoutUIDOneEach(t *testing.T) {
	b := NewBundle()
	in := "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: t}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: t}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: c, namespace: t, uid: \"1234\"}\n"
	if err := b.Load("pods.yaml", strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	got := []string{string(b.Pods[0].UID), string(b.Pods[1].UID), string(b.Pods[2].UID)}
	if got[0] == "" || got[0] == got[1] || got[2] != "1234" {
		t.Errorf("uids %q: want one each, and a given uid kept", got)
	}
}
