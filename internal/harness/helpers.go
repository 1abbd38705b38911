package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// DefaultNode is the fake node pods go to when they name none.
const DefaultNode = "kwok-node-0"

func randSuffix(n int) string {
	b := make([]byte, (n+1)/2)
	rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// NewNamespace creates a namespace named prefix-<random> and returns its name. There is no
// cleanup: without a namespace controller deletion would hang forever, and Stop throws the
// whole etcd away anyway.
func (c *Cluster) NewNamespace(t testing.TB, prefix string) string {
	t.Helper()
	name := strings.ToLower(prefix) + "-" + randSuffix(5)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.EnsureNamespace(ctx, name); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	return name
}

// EnsureNamespace creates namespace name unless it exists.
func (c *Cluster) EnsureNamespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	_, err := c.client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	return ignoreExists(err)
}

// PodOption changes a pod built by Pod.
type PodOption func(*corev1.Pod)

// Pod builds a pod with one container "app" (image registry.example/<name>:1.0) on
// DefaultNode, tolerating every taint.
func Pod(ns, name string, opts ...PodOption) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{}, Annotations: map[string]string{}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "app", Image: "registry.example/" + name + ":1.0"}},
		},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

// ManualStatus labels the pod so kwok never touches its status: it stays Pending with an
// empty status until PatchStatus writes one.
func ManualStatus() PodOption {
	return func(p *corev1.Pod) { p.Labels[ManualStatusLabel] = "true" }
}

// WithContainers replaces the containers by ones with these names (same image scheme).
func WithContainers(names ...string) PodOption {
	return func(p *corev1.Pod) {
		p.Spec.Containers = nil
		for _, n := range names {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: n, Image: "registry.example/" + n + ":1.0"})
		}
	}
}

// WithImage sets the image of every container.
func WithImage(image string) PodOption {
	return func(p *corev1.Pod) {
		for i := range p.Spec.Containers {
			p.Spec.Containers[i].Image = image
		}
	}
}

// WithInitContainer adds an init container.
func WithInitContainer(name string) PodOption {
	return func(p *corev1.Pod) {
		p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: name, Image: "registry.example/" + name + ":1.0"})
	}
}

// WithLabel sets a label.
func WithLabel(k, v string) PodOption { return func(p *corev1.Pod) { p.Labels[k] = v } }

// WithNode puts the pod on node. WithNode("") leaves it unscheduled (Pending forever).
func WithNode(node string) PodOption {
	return func(p *corev1.Pod) {
		if node == "" {
			p.Annotations[unscheduledAnnotation] = "true"
		}
		p.Spec.NodeName = node
	}
}

// unscheduledAnnotation tells CreatePod not to fill in spec.nodeName.
const unscheduledAnnotation = "harness.podtui.dev/unscheduled"

// WithUsage sets the CPU and memory kwok reports for each container (metrics.k8s.io).
func WithUsage(cpu, memory string) PodOption {
	return func(p *corev1.Pod) {
		p.Annotations[UsageCPUAnnotation] = cpu
		p.Annotations[UsageMemoryAnnotation] = memory
	}
}

// CreatePod creates pod, filling in spec.nodeName (DefaultNode; there is no scheduler) and a
// toleration of every taint when missing.
func (c *Cluster) CreatePod(ctx context.Context, pod *corev1.Pod) (*corev1.Pod, error) {
	pod = pod.DeepCopy()
	if pod.Spec.NodeName == "" && pod.Annotations[unscheduledAnnotation] == "" {
		pod.Spec.NodeName = DefaultNode
	}
	if len(pod.Spec.Tolerations) == 0 {
		pod.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
	}
	ns := pod.Namespace
	if ns == "" {
		ns = "default"
	}
	return c.client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
}

// PatchStatus makes status the pod's status through the status subresource (JSON merge
// patch). Top-level status fields the new status leaves empty are removed, so switching
// e.g. from Evicted back to Running leaves no stale reason behind. Use it on pods created
// with ManualStatus (kwok would otherwise rewrite a Pending phase within a second).
func (c *Cluster) PatchStatus(ctx context.Context, ns, name string, status corev1.PodStatus) (*corev1.Pod, error) {
	cur, err := c.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	var oldM, newM map[string]any
	if err := roundTrip(cur.Status, &oldM); err != nil {
		return nil, err
	}
	if err := roundTrip(status, &newM); err != nil {
		return nil, err
	}
	for k := range oldM {
		if _, ok := newM[k]; !ok && k != "qosClass" { // qosClass is set by the apiserver and immutable
			newM[k] = nil
		}
	}
	patch, err := json.Marshal(map[string]any{"status": newM})
	if err != nil {
		return nil, err
	}
	return c.client.CoreV1().Pods(ns).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}, "status")
}

func roundTrip(in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// Event is a core/v1 event about a pod, as a kubelet or the scheduler would write it.
type Event struct {
	Type      string // Warning (default) or Normal
	Reason    string // e.g. BackOff, Failed, FailedScheduling, Unhealthy
	Message   string
	Count     int32     // default 1
	FieldPath string    // e.g. spec.containers{app}
	Component string    // default kubelet (the host is then the pod's node)
	FirstSeen time.Time // default LastSeen
	LastSeen  time.Time // default now
}

// CreateEvent records e about pod ns/name (the pod must exist: its UID is referenced).
func (c *Cluster) CreateEvent(ctx context.Context, ns, pod string, e Event) (*corev1.Event, error) {
	p, err := c.client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	if e.Type == "" {
		e.Type = corev1.EventTypeWarning
	}
	if e.Count == 0 {
		e.Count = 1
	}
	if e.Component == "" {
		e.Component = "kubelet"
	}
	if e.LastSeen.IsZero() {
		e.LastSeen = time.Now()
	}
	if e.FirstSeen.IsZero() {
		e.FirstSeen = e.LastSeen
	}
	src := corev1.EventSource{Component: e.Component}
	if e.Component == "kubelet" {
		src.Host = p.Spec.NodeName
	}
	ev := &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: pod + "." + randSuffix(16)},
		InvolvedObject: corev1.ObjectReference{
			APIVersion: "v1", Kind: "Pod", Namespace: ns, Name: pod, UID: p.UID,
			ResourceVersion: p.ResourceVersion, FieldPath: e.FieldPath,
		},
		Type: e.Type, Reason: e.Reason, Message: e.Message, Count: e.Count, Source: src,
		FirstTimestamp: metav1.NewTime(e.FirstSeen), LastTimestamp: metav1.NewTime(e.LastSeen),
	}
	return c.client.CoreV1().Events(ns).Create(ctx, ev, metav1.CreateOptions{})
}

// writeCRI writes text as CRI log lines ("<RFC3339Nano> stdout F <line>"), the format kwok
// reads (plain text is refused), one millisecond apart from start.
func writeCRI(path, text string, start time.Time, appendTo bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return err
	}
	var b strings.Builder
	if text != "" {
		for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			ts := start.Add(time.Duration(i) * time.Millisecond).UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
			fmt.Fprintf(&b, "%s stdout F %s\n", ts, line)
		}
	}
	_, err = f.WriteString(b.String())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (c *Cluster) logFile(ns, pod, container string, previous bool) string {
	name := container + ".log"
	if previous {
		name = container + ".previous.log"
	}
	return filepath.Join(c.podLogsDir(), ns, pod, name)
}

// SetLogs makes `kubectl logs` (and GetLogs) of ns/pod -c container return current, and
// `--previous` return previous (empty previous: no previous logs, an error as with a kubelet).
// It writes CRI log files in the run folder and applies a kwok Logs object named like the pod,
// with one entry per container set so far; other containers get empty logs. Follow is on.
func (c *Cluster) SetLogs(ctx context.Context, ns, pod, container, current, previous string) error {
	c.logsMu.Lock()
	defer c.logsMu.Unlock()
	now := time.Now()
	if err := writeCRI(c.logFile(ns, pod, container, false), current, now.Add(-time.Minute), false); err != nil {
		return err
	}
	prev := c.logFile(ns, pod, container, true)
	os.Remove(prev)
	if previous != "" {
		if err := writeCRI(prev, previous, now.Add(-10*time.Minute), false); err != nil {
			return err
		}
	}
	// Rebuild the whole rule from the files present, so containers set earlier stay.
	dir := filepath.Dir(c.logFile(ns, pod, container, false))
	files, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		return err
	}
	empty := filepath.Join(c.podLogsDir(), "empty.log")
	if err := writeCRI(empty, "", now, false); err != nil {
		return err
	}
	var entries []any
	for _, f := range files {
		if strings.HasSuffix(f, ".previous.log") {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(f), ".log")
		e := map[string]any{"containers": []any{name}, "logsFile": f, "follow": true}
		if _, err := os.Stat(c.logFile(ns, pod, name, true)); err == nil {
			e["previousLogsFile"] = c.logFile(ns, pod, name, true)
		}
		entries = append(entries, e)
	}
	entries = append(entries, map[string]any{"logsFile": empty, "follow": true}) // any other container
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1",
		"kind":       "Logs",
		"metadata":   map[string]any{"name": pod, "namespace": ns},
		"spec":       map[string]any{"logs": entries},
	}}
	return c.Apply(ctx, u)
}

// AppendLog appends text (one CRI line per line) to the current log of a container set up
// with SetLogs; a follower (`kubectl logs -f`) sees the new lines.
func (c *Cluster) AppendLog(ns, pod, container, text string) error {
	c.logsMu.Lock()
	defer c.logsMu.Unlock()
	path := c.logFile(ns, pod, container, false)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("AppendLog: call SetLogs for %s/%s -c %s first: %w", ns, pod, container, err)
	}
	return writeCRI(path, text, time.Now(), true)
}

// TokenKubeconfig creates service account ns/name (if needed), requests a 24 h token for it
// and writes a bearer-token kubeconfig. The user is system:serviceaccount:<ns>:<name>.
func (c *Cluster) TokenKubeconfig(ctx context.Context, ns, name string) (string, error) {
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	if _, err := c.client.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); ignoreExists(err) != nil {
		return "", err
	}
	secs := int64(24 * 3600)
	tr, err := c.client.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &secs}}, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	path := filepath.Join(c.Dir, "kubeconfig-sa-"+unsafeFileChars.ReplaceAllString(ns+"-"+name, "_"))
	user := "system:serviceaccount:" + ns + ":" + name
	return path, c.writeKubeconfig(path, user, &clientcmdapi.AuthInfo{Token: tr.Status.Token})
}
