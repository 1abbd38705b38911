// Package report loads offline Kubernetes objects for the diagnose engine and
// renders its findings as text or JSON for `podtui diagnose`.
package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	"github.com/podtui/podtui/diagnose"
)

// Bundle is everything read from the files. Objects not in the files are
// "unknown" to the engine, never "missing".
type Bundle struct {
	Pods    []*corev1.Pod
	Events  []diagnose.Event
	Store   *diagnose.Store
	Ignored map[string]int // kind -> count of objects of kinds the engine does not use
	// Usage holds PodMetrics samples (`kubectl get podmetrics -o yaml`) by
	// "namespace/name".
	Usage map[string]*diagnose.Usage
	// Objects counts the objects read (List items one by one), of any kind.
	Objects int
	// History holds the ReplicaSets and ControllerRevisions read, for
	// "what changed" (diagnose.Changes).
	History *diagnose.History
	// Now is when the kubectl describe text read was printed, estimated
	// from its dates (the latest, for several texts): its event ages count
	// back from it, and the engine should judge its pods as of it. Zero
	// when no describe text was read.
	Now time.Time
	// NowFromClock says a describe text held no date at all (a pod never
	// scheduled), so its ages count back from Clock's time instead.
	NowFromClock bool
	// Clock gives the time undated describe text is judged at; nil gives
	// the Unix epoch.
	Clock func() time.Time
}

// NewBundle returns an empty bundle.
func NewBundle() *Bundle {
	return &Bundle{Store: diagnose.NewStore(), Ignored: map[string]int{}, Usage: map[string]*diagnose.Usage{}, History: &diagnose.History{}}
}

// Inputs builds one engine input per pod.
func (b *Bundle) Inputs(now time.Time) []diagnose.Input {
	out := make([]diagnose.Input, 0, len(b.Pods))
	for _, p := range b.Pods {
		out = append(out, diagnose.Input{Pod: p, Events: b.Events, Related: b.Store, Now: now, Usage: b.Usage[p.Namespace+"/"+p.Name], History: b.History})
	}
	return out
}

// Error is bad input, naming the file and line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// maxInput bounds what is read from one file; larger input is refused.
const maxInput = 256 << 20

// Load reads what `kubectl get ... -o yaml|json` prints (a single object, a
// List, or multi-document YAML), or the text of `kubectl describe pod` (one
// pod or several), from r into b. name is used in errors.
func (b *Bundle) Load(name string, r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return &Error{File: name, Msg: err.Error()}
	}
	if len(data) > maxInput {
		return &Error{File: name, Msg: "file too large"}
	}
	if isDescribeText(data) {
		return b.loadDescribe(name, data)
	}
	docs := splitDocuments(data)
	if len(docs) == 0 {
		return &Error{File: name, Msg: "no objects found"}
	}
	for _, d := range docs {
		if err := b.loadDocument(name, d); err != nil {
			return err
		}
	}
	return nil
}

type document struct {
	line int // 1-based line where the document starts
	data []byte
}

// splitDocuments splits multi-document YAML on "---" lines, keeping line numbers.
func splitDocuments(data []byte) []document {
	var docs []document
	var cur bytes.Buffer
	start, line := 1, 0
	flush := func() {
		if len(bytes.TrimSpace(stripComments(cur.Bytes()))) > 0 {
			docs = append(docs, document{line: start, data: append([]byte(nil), cur.Bytes()...)})
		}
		cur.Reset()
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxInput+1)
	for sc.Scan() {
		line++
		text := sc.Text()
		if strings.HasPrefix(text, "---") && strings.TrimSpace(strings.TrimLeft(text, "-")) == "" || text == "..." {
			flush()
			start = line + 1
			continue
		}
		cur.WriteString(text)
		cur.WriteByte('\n')
	}
	flush()
	return docs
}

func stripComments(b []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

type typeMeta struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Items      []json.RawMessage `json:"items"`
}

func (b *Bundle) loadDocument(name string, d document) error {
	if !mayBeMapping(d.data) {
		// Plain text or junk: say so at once instead of parsing megabytes of
		// it as one YAML scalar.
		return &Error{File: name, Line: d.line, Msg: "not a Kubernetes object (expected a mapping with apiVersion and kind)"}
	}
	js, err := yaml.YAMLToJSON(d.data)
	if err != nil {
		line := d.line
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			line = d.line + n - 1
			msg = yamlLine.ReplaceAllString(msg, "line "+strconv.Itoa(line))
		}
		return &Error{File: name, Line: line, Msg: "invalid YAML/JSON: " + strings.TrimPrefix(msg, "error converting YAML to JSON: ")}
	}
	js = bytes.TrimSpace(js)
	if len(js) == 0 || bytes.Equal(js, []byte("null")) {
		return nil
	}
	if js[0] != '{' {
		return &Error{File: name, Line: d.line, Msg: "not a Kubernetes object (expected a mapping with apiVersion and kind)"}
	}
	return b.loadObject(name, d.line, js, "", "")
}

// mayBeMapping reports whether a document can be a YAML or JSON mapping: its
// first line with content holds a "key:" or starts with a character YAML
// gives a meaning to (flow collections, tags, anchors, quotes, ...), which the
// parser is left to judge.
func mayBeMapping(data []byte) bool {
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) == 0 || t[0] == '#' {
			continue
		}
		return bytes.IndexByte(t, ':') >= 0 || strings.IndexByte("{[-!&*%?|>'\"@`", t[0]) >= 0
	}
	return true
}

func (b *Bundle) loadObject(name string, line int, js []byte, defaultKind, defaultAPI string) error {
	var tm typeMeta
	if err := json.Unmarshal(js, &tm); err != nil {
		return &Error{File: name, Line: line, Msg: "cannot read object: " + err.Error()}
	}
	kind, api := tm.Kind, tm.APIVersion
	if kind == "" {
		kind, api = defaultKind, defaultAPI
	}
	if kind == "" {
		return &Error{File: name, Line: line, Msg: "object has no kind"}
	}
	if kind == "List" || strings.HasSuffix(kind, "List") {
		itemKind := strings.TrimSuffix(kind, "List")
		for i, it := range tm.Items {
			if err := b.loadObject(name, line, it, itemKind, api); err != nil {
				var e *Error
				if ok := asError(err, &e); ok {
					e.Msg = fmt.Sprintf("items[%d]: %s", i, e.Msg)
				}
				return err
			}
		}
		return nil
	}
	b.Objects++
	decode := func(into any) error {
		if err := json.Unmarshal(js, into); err != nil {
			return &Error{File: name, Line: line, Msg: fmt.Sprintf("invalid %s: %v", kind, err)}
		}
		return nil
	}
	switch kind {
	case "Pod":
		p := &corev1.Pod{}
		if err := decode(p); err != nil {
			return err
		}
		if p.Namespace == "" {
			p.Namespace = "default"
		}
		if p.UID == "" {
			// Hand-written pods have none, and --group tells pods apart by it.
			p.UID = types.UID("file:" + p.Namespace + "/" + p.Name)
		}
		b.Pods = append(b.Pods, p)
	case "Event":
		if strings.HasPrefix(api, "events.k8s.io/") {
			e := &eventsv1.Event{}
			if err := decode(e); err != nil {
				return err
			}
			b.Events = append(b.Events, diagnose.FromEventsV1(e))
		} else {
			e := &corev1.Event{}
			if err := decode(e); err != nil {
				return err
			}
			b.Events = append(b.Events, diagnose.FromCoreEvent(e))
		}
	case "Secret":
		// Keep key names only: values are never decoded into memory we keep.
		var s struct {
			Metadata   metav1.ObjectMeta          `json:"metadata"`
			Data       map[string]json.RawMessage `json:"data"`
			StringData map[string]json.RawMessage `json:"stringData"`
		}
		if err := decode(&s); err != nil {
			return err
		}
		keys := make([]string, 0, len(s.Data)+len(s.StringData))
		for k := range s.Data {
			keys = append(keys, k)
		}
		for k := range s.StringData {
			if _, dup := s.Data[k]; !dup {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		b.Store.Add(diagnose.KindSecret, nsOr(s.Metadata.Namespace), s.Metadata.Name, keys)
	case "ConfigMap":
		cm := &corev1.ConfigMap{}
		if err := decode(cm); err != nil {
			return err
		}
		cm.Namespace = nsOr(cm.Namespace)
		b.Store.AddConfigMap(cm)
	case "PersistentVolumeClaim":
		pvc := &corev1.PersistentVolumeClaim{}
		if err := decode(pvc); err != nil {
			return err
		}
		pvc.Namespace = nsOr(pvc.Namespace)
		b.Store.AddPVC(pvc)
	case "StorageClass":
		sc := &storagev1.StorageClass{}
		if err := decode(sc); err != nil {
			return err
		}
		b.Store.AddStorageClass(sc)
	case "Node":
		n := &corev1.Node{}
		if err := decode(n); err != nil {
			return err
		}
		b.Store.AddNode(n)
	case "PodMetrics":
		// metrics.k8s.io: read with a local shape, so this package needs no metrics client types.
		var pm struct {
			Metadata   metav1.ObjectMeta `json:"metadata"`
			Timestamp  metav1.Time       `json:"timestamp"`
			Containers []struct {
				Name  string              `json:"name"`
				Usage corev1.ResourceList `json:"usage"`
			} `json:"containers"`
		}
		if err := decode(&pm); err != nil {
			return err
		}
		u := &diagnose.Usage{Time: pm.Timestamp.Time, Containers: map[string]corev1.ResourceList{}}
		for _, c := range pm.Containers {
			u.Containers[c.Name] = c.Usage
		}
		b.Usage[nsOr(pm.Metadata.Namespace)+"/"+pm.Metadata.Name] = u
	case "ServiceAccount":
		sa := &corev1.ServiceAccount{}
		if err := decode(sa); err != nil {
			return err
		}
		sa.Namespace = nsOr(sa.Namespace)
		b.Store.AddServiceAccount(sa)
	case "ReplicaSet":
		rs := &appsv1.ReplicaSet{}
		if err := decode(rs); err != nil {
			return err
		}
		rs.Namespace = nsOr(rs.Namespace)
		b.History.ReplicaSets = append(b.History.ReplicaSets, rs)
	case "ControllerRevision":
		cr := &appsv1.ControllerRevision{}
		if err := decode(cr); err != nil {
			return err
		}
		cr.Namespace = nsOr(cr.Namespace)
		b.History.ControllerRevisions = append(b.History.ControllerRevisions, cr)
	default:
		b.Ignored[kind]++
	}
	return nil
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	if ok {
		*target = e
	}
	return ok
}

func nsOr(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}

// IgnoredSummary is "3 Deployment, 1 Service" for the stderr note.
func (b *Bundle) IgnoredSummary() string {
	kinds := make([]string, 0, len(b.Ignored))
	for k := range b.Ignored {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%d %s", b.Ignored[k], k))
	}
	return strings.Join(parts, ", ")
}
