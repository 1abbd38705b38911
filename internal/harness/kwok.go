package harness

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	yamlutil "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"
)

// Our own test data: kwok stages (patched, see the file), kwok metrics, default debug rules
// and the metrics-server APIService. kwok's CRDs are not here: they come from the module cache.
//
//go:embed manifests/*.yaml
var manifests embed.FS

// ManualStatusLabel marks a pod whose status kwok must leave alone (our patched stages skip
// it), so a test can write any status with PatchStatus.
const ManualStatusLabel = "manual-status.stage.kwok.x-k8s.io"

// Kwok annotations read by the ClusterResourceUsage manifest (per-container usage).
const (
	UsageCPUAnnotation    = "kwok.x-k8s.io/usage-cpu"
	UsageMemoryAnnotation = "kwok.x-k8s.io/usage-memory"
)

const fieldManager = "podtui-harness"

// ApplyYAML server-side-applies every object of a multi-document YAML (or JSON) stream.
// Objects without a namespace that need one go to "default".
func (c *Cluster) ApplyYAML(ctx context.Context, data []byte) error {
	r := yamlutil.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return err
		}
		if s := string(bytes.TrimSpace(js)); s == "null" || s == "{}" {
			continue // comment-only document
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			return err
		}
		if err := c.Apply(ctx, u); err != nil {
			return err
		}
	}
}

// Apply server-side-applies one object (field manager "podtui-harness", forced).
func (c *Cluster) Apply(ctx context.Context, u *unstructured.Unstructured) error {
	r, err := c.resourceFor(ctx, u)
	if err != nil {
		return err
	}
	_, err = r.Apply(ctx, u.GetName(), u, metav1.ApplyOptions{FieldManager: fieldManager, Force: true})
	if err != nil {
		return fmt.Errorf("apply %s %s: %w", u.GetKind(), u.GetName(), err)
	}
	return nil
}

// resourceFor maps an object to its dynamic resource. Kinds of CRDs registered a moment ago
// may not be in the cached discovery yet, so the cache is reset and retried for a while.
func (c *Cluster) resourceFor(ctx context.Context, u *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := u.GroupVersionKind()
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err == nil {
			if m.Scope.Name() != meta.RESTScopeNameNamespace {
				return c.dyn.Resource(m.Resource), nil
			}
			if u.GetNamespace() == "" {
				u.SetNamespace("default")
			}
			return c.dyn.Resource(m.Resource).Namespace(u.GetNamespace()), nil
		}
		if !meta.IsNoMatchError(err) || time.Now().After(deadline) {
			return nil, fmt.Errorf("resource for %s: %w", gvk, err)
		}
		c.mapper.Reset()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// installKwokCRDs applies kwok's CRDs (from bin/kwok-crds.yaml) and waits until Established.
func (c *Cluster) installKwokCRDs(ctx context.Context) error {
	data, err := os.ReadFile(filepath.Join(c.BinDir, kwokCRDsFile))
	if err != nil {
		return err
	}
	if err := c.ApplyYAML(ctx, data); err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		list, err := c.dyn.Resource(crdGVR).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		var waiting []string
		for _, crd := range list.Items {
			if !hasCondition(crd.Object, "Established") {
				waiting = append(waiting, crd.GetName())
			}
		}
		if len(waiting) == 0 && len(list.Items) > 0 {
			c.mapper.Reset()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("CRDs not Established after 60s: %v", waiting)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// hasCondition reports whether obj.status.conditions has type t with status "True".
func hasCondition(obj map[string]any, t string) bool {
	conds, _, _ := unstructured.NestedSlice(obj, "status", "conditions")
	for _, x := range conds {
		m, _ := x.(map[string]any)
		if m["type"] == t && m["status"] == "True" {
			return true
		}
	}
	return false
}

func (c *Cluster) manifest(name string, repl ...string) ([]byte, error) {
	b, err := manifests.ReadFile("manifests/" + name)
	if err != nil {
		return nil, err
	}
	return []byte(strings.NewReplacer(repl...).Replace(string(b))), nil
}

func (c *Cluster) podLogsDir() string { return filepath.Join(c.Dir, "podlogs") }

// Logs served for any pod without its own Logs object (see SetLogs).
const (
	defaultLog  = "starting app v1.2.3\nlistening on :8080\nwarning: cache miss\n"
	defaultPrev = "starting app v1.2.3\nfatal error: runtime: out of memory\n"
)

func (c *Cluster) startKwok(ctx context.Context) error {
	t := time.Now()
	if err := c.installKwokCRDs(ctx); err != nil {
		return err
	}
	if err := writeCRI(filepath.Join(c.podLogsDir(), "default.log"), defaultLog, time.Now().Add(-time.Minute), false); err != nil {
		return err
	}
	if err := writeCRI(filepath.Join(c.podLogsDir(), "default-previous.log"), defaultPrev, time.Now().Add(-10*time.Minute), false); err != nil {
		return err
	}
	for _, m := range []struct {
		name string
		repl []string
	}{
		{"kwok-stages.yaml", nil},
		{"kwok-metrics.yaml", nil},
		{"kwok-debug-rules.yaml", []string{"LOGS_DIR", c.podLogsDir(), "WORK_DIR", c.Dir, "ETCD_PORT", strconv.Itoa(c.EtcdPort)}},
	} {
		data, err := c.manifest(m.name, m.repl...)
		if err != nil {
			return err
		}
		if err := c.ApplyYAML(ctx, data); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}

	port, inner := strconv.Itoa(c.KwokPort), strconv.Itoa(c.kwokInner)
	if !c.opts.Debug {
		inner = port // kwok serves the nodes' kubelet port itself
	}
	pk := c.pki.path
	args := []string{
		filepath.Join(c.BinDir, "kwok"),
		"--kubeconfig=" + c.Kubeconfig,
		"--manage-all-nodes=false", "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
		// The node's InternalIP and kubelet port point at kwok's server or, with Options.Debug,
		// at the kubelet front (kubelet.go), which passes logs, exec and metrics on to it;
		// --server-address keeps kwok on loopback (with --node-port alone it binds 0.0.0.0).
		"--node-ip=127.0.0.1", "--node-port=" + port, "--server-address=127.0.0.1:" + inner,
		"--tls-cert-file=" + pk("kwok.crt"), "--tls-private-key-file=" + pk("kwok.key"),
		"--cidr=10.244.0.0/16",
		"--enable-crds=Stage,Logs,ClusterLogs,Exec,ClusterExec,PortForward,ClusterPortForward,Attach,ClusterAttach,Metric,ResourceUsage,ClusterResourceUsage",
	}
	// HOME is redirected so kwok never reads a stray ~/.kwok/kwok.yaml (its default --config).
	env := append(os.Environ(), "HOME="+filepath.Join(c.Dir, "kwok-home"))
	if _, err := c.startProc("kwok", args, env); err != nil {
		return err
	}
	if c.opts.Debug {
		if err := c.startKubeletFront(c.kwokInner); err != nil {
			return err
		}
		wctx, stopWatch := context.WithCancel(context.Background())
		c.onStop(stopWatch)
		go c.watchEphemeral(wctx)
	}
	// Create the nodes while kwok starts; it picks them up by annotation.
	for i := 0; i < c.opts.Nodes; i++ {
		name := fmt.Sprintf("kwok-node-%d", i)
		if _, err := c.client.CoreV1().Nodes().Create(ctx, fakeNode(name), metav1.CreateOptions{}); err != nil {
			return err
		}
		c.Nodes = append(c.Nodes, name)
	}
	hc := c.tlsClient()
	if err := c.waitFor(ctx, "kwok", 60*time.Second, func(ctx context.Context) error {
		return httpGet(ctx, hc, "https://127.0.0.1:"+port+"/healthz") // the nodes' kubelet port
	}); err != nil {
		return err
	}
	if err := c.waitFor(ctx, "kwok", 60*time.Second, c.nodesReady); err != nil {
		return err
	}
	c.logf("kwok ready on :%d with %d node(s) in %s", c.KwokPort, len(c.Nodes), time.Since(t).Round(10*time.Millisecond))
	return nil
}

// tlsClient trusts the cluster CA (kwok and metrics-server serve certs it signed).
func (c *Cluster) tlsClient() *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(c.pki.ca.cert)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true}}
}

func (c *Cluster) nodesReady(ctx context.Context) error {
	for _, n := range c.Nodes {
		node, err := c.client.CoreV1().Nodes().Get(ctx, n, metav1.GetOptions{})
		if err != nil {
			return err
		}
		ready := false
		for _, cond := range node.Status.Conditions {
			ready = ready || (cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue)
		}
		if !ready {
			return fmt.Errorf("node %s not Ready", n)
		}
	}
	return nil
}

// fakeNode is a node kwok manages (annotation kwok.x-k8s.io/node=fake). The NoSchedule taint
// is harmless without a scheduler; pods made by CreatePod tolerate everything.
func fakeNode(name string) *corev1.Node {
	res := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("1000"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: name,
			Annotations: map[string]string{
				"kwok.x-k8s.io/node":           "fake",
				"node.alpha.kubernetes.io/ttl": "0",
				// metrics-server scrapes this path instead of /metrics/resource; kwok serves it per node.
				"metrics.k8s.io/resource-metrics-path": "/metrics/nodes/" + name + "/metrics/resource",
			},
			Labels: map[string]string{
				"type":                          "kwok",
				"kubernetes.io/arch":            "amd64",
				"kubernetes.io/hostname":        name,
				"kubernetes.io/os":              "linux",
				"kubernetes.io/role":            "agent",
				"node-role.kubernetes.io/agent": "",
			},
		},
		Spec:   corev1.NodeSpec{Taints: []corev1.Taint{{Key: "kwok.x-k8s.io/node", Value: "fake", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{Allocatable: res, Capacity: res},
	}
}

var apiServiceGVR = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}

// startMetricsServer runs metrics-server on the host and registers it as v1beta1.metrics.k8s.io.
// A new pod shows up in metrics.k8s.io ~30 s after it starts (two scrapes, 10 s minimum resolution).
func (c *Cluster) startMetricsServer(ctx context.Context) error {
	t := time.Now()
	port := strconv.Itoa(c.MetricsPort)
	pk := c.pki.path
	kc := c.Kubeconfig
	args := []string{
		filepath.Join(c.BinDir, "metrics-server"),
		"--kubeconfig=" + kc, "--authentication-kubeconfig=" + kc, "--authorization-kubeconfig=" + kc,
		"--bind-address=127.0.0.1", "--secure-port=" + port,
		"--tls-cert-file=" + pk("metrics-server.crt"), "--tls-private-key-file=" + pk("metrics-server.key"),
		"--kubelet-preferred-address-types=InternalIP", "--kubelet-use-node-status-port", "--kubelet-insecure-tls",
		// 10s is the minimum resolution, and it must exceed the kubelet request timeout.
		"--metric-resolution=10s", "--kubelet-request-timeout=5s",
	}
	if _, err := c.startProc("metrics-server", args, nil); err != nil {
		return err
	}
	hc := c.tlsClient()
	if err := c.waitFor(ctx, "metrics-server", 60*time.Second, func(ctx context.Context) error {
		return httpGet(ctx, hc, "https://127.0.0.1:"+port+"/livez")
	}); err != nil {
		return err
	}
	data, err := c.manifest("metrics-server.yaml", "METRICS_PORT", port)
	if err != nil {
		return err
	}
	if err := c.ApplyYAML(ctx, data); err != nil {
		return err
	}
	if err := c.waitFor(ctx, "metrics-server", 60*time.Second, func(ctx context.Context) error {
		as, err := c.dyn.Resource(apiServiceGVR).Get(ctx, "v1beta1.metrics.k8s.io", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !hasCondition(as.Object, "Available") {
			return errors.New("APIService v1beta1.metrics.k8s.io not Available")
		}
		return nil
	}); err != nil {
		return err
	}
	c.logf("metrics-server ready on :%d in %s", c.MetricsPort, time.Since(t).Round(10*time.Millisecond))
	return nil
}

// ignoreExists treats AlreadyExists as success.
func ignoreExists(err error) error {
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}
