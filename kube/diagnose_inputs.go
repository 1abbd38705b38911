package kube

import (
	"context"
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"

	"github.com/podtui/podtui/diagnose"
)

// DiagnoseInputs fetches what the diagnose engine needs for the selected pods:
// the pods, their events, and the objects they refer to. All fetching happens
// here, before any rule runs. A lookup the user may not make (403) leaves the
// object "unknown"; only a 404 makes it "missing". Secrets are reduced to their
// key names at once.
func (c *Client) DiagnoseInputs(ctx context.Context, namespace string, allNamespaces bool, selector string, names []string) ([]diagnose.Input, error) {
	if namespace == "" {
		namespace = c.Namespace()
	}
	ins, err := diagnoseInputs(ctx, c.Clientset, c.metadata(), namespace, allNamespaces, selector, names, time.Now())
	if err == nil {
		c.complete(ctx, ins)
	}
	return ins, err
}

// PodInputs is DiagnoseInputs for pods already read: their events and the
// objects they refer to, without reading the pods again. A page that read
// its pod to open hands it here, so one open is one read of the pod.
func (c *Client) PodInputs(ctx context.Context, pods []*corev1.Pod) []diagnose.Input {
	ins := inputsFor(ctx, c.Clientset, c.metadata(), pods, false, time.Now())
	c.complete(ctx, ins)
	return ins
}

// metadata is the metadata client (nil without a rest config).
func (c *Client) metadata() metadata.Interface {
	if c.Config == nil {
		return nil
	}
	meta, _ := metadata.NewForConfig(c.Config)
	return meta
}

// complete adds what the client knows beyond the API objects: the restarts
// the pod feed saw while podtui ran (nothing in podtui diagnose) and the
// resource usage.
func (c *Client) complete(ctx context.Context, ins []diagnose.Input) {
	for i := range ins {
		ins[i].Restarts = c.restartHistory().of(ins[i].Pod.UID)
	}
	m, _ := c.metrics()
	addResourceInputs(ctx, c.Clientset, m, ins)
}

func diagnoseInputs(ctx context.Context, cs kubernetes.Interface, meta metadata.Interface, namespace string, allNamespaces bool, selector string, names []string, now time.Time) ([]diagnose.Input, error) {
	pods, err := selectPods(ctx, cs, namespace, allNamespaces, selector, names)
	if err != nil {
		return nil, err
	}
	return inputsFor(ctx, cs, meta, pods, allNamespaces, now), nil
}

// inputsFor fetches the events of the pods and the objects they refer to;
// the events of all namespaces in one list when allNamespaces, else one
// list per namespace of the pods.
func inputsFor(ctx context.Context, cs kubernetes.Interface, meta metadata.Interface, pods []*corev1.Pod, allNamespaces bool, now time.Time) []diagnose.Input {
	if len(pods) == 0 {
		return nil
	}
	f := &fetcher{ctx: ctx, cs: cs, meta: meta, store: diagnose.NewStore(), done: map[string]bool{}}
	var events []diagnose.Event
	namespaces := map[string]bool{}
	for _, p := range pods {
		namespaces[p.Namespace] = true
	}
	// One event list per namespace (or one for all) instead of one per pod.
	if allNamespaces && len(namespaces) > 1 {
		events = f.events(metav1.NamespaceAll)
	} else {
		for ns := range sortedKeys(namespaces) {
			events = append(events, f.events(ns)...)
		}
	}
	f.nodes()
	f.storageClasses()
	for ns := range sortedKeys(namespaces) {
		f.names(ns)
	}
	for _, p := range pods {
		f.related(p)
	}
	history := f.history(pods)
	out := make([]diagnose.Input, 0, len(pods))
	for _, p := range pods {
		out = append(out, diagnose.Input{Pod: p, Events: events, EventsProblem: f.eventsProblem, Related: f.store, Now: now, History: history})
	}
	return out
}

func selectPods(ctx context.Context, cs kubernetes.Interface, namespace string, allNamespaces bool, selector string, names []string) ([]*corev1.Pod, error) {
	var pods []*corev1.Pod
	if len(names) > 0 {
		for _, n := range names {
			p, err := cs.CoreV1().Pods(namespace).Get(ctx, n, metav1.GetOptions{})
			if err != nil {
				if apierrors.IsNotFound(err) {
					return nil, fmt.Errorf("pod %q not found in namespace %s", n, namespace)
				}
				return nil, fmt.Errorf("get pod %s/%s: %s", namespace, n, Explain(err))
			}
			pods = append(pods, p)
		}
		return pods, nil
	}
	ns := namespace
	if allNamespaces {
		ns = metav1.NamespaceAll
	}
	list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, fmt.Errorf("list pods: %s", Explain(err))
	}
	for i := range list.Items {
		pods = append(pods, &list.Items[i])
	}
	sort.Slice(pods, func(i, j int) bool {
		if pods[i].Namespace != pods[j].Namespace {
			return pods[i].Namespace < pods[j].Namespace
		}
		return pods[i].Name < pods[j].Name
	})
	return pods, nil
}

func sortedKeys(m map[string]bool) func(func(string) bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return func(yield func(string) bool) {
		for _, k := range keys {
			if !yield(k) {
				return
			}
		}
	}
}

type fetcher struct {
	ctx   context.Context
	cs    kubernetes.Interface
	meta  metadata.Interface
	store *diagnose.Store
	done  map[string]bool // kind/ns/name already looked up
	// eventsProblem: why an event list failed ("" when none did).
	eventsProblem string
}

func nsOrAll(ns string) string {
	if ns == "" {
		return "all namespaces"
	}
	return "namespace " + ns
}

func (f *fetcher) events(ns string) []diagnose.Event {
	list, err := f.cs.CoreV1().Events(ns).List(f.ctx, metav1.ListOptions{FieldSelector: "involvedObject.kind=Pod"})
	if err != nil {
		// Events are evidence, not required; but say they are missing.
		if f.eventsProblem == "" {
			f.eventsProblem = fmt.Sprintf("listing the events of %s: %s", nsOrAll(ns), Explain(err))
		}
		return nil
	}
	out := make([]diagnose.Event, 0, len(list.Items))
	for i := range list.Items {
		out = append(out, diagnose.FromCoreEvent(&list.Items[i]))
	}
	return out
}

func (f *fetcher) nodes() {
	list, err := f.cs.CoreV1().Nodes().List(f.ctx, metav1.ListOptions{})
	if err != nil {
		return // unknown; the pod's node is tried by name below
	}
	for i := range list.Items {
		n := list.Items[i]
		n.ManagedFields = nil
		f.store.AddNode(&n)
	}
	f.store.SetComplete(diagnose.KindNode, "")
}

func (f *fetcher) storageClasses() {
	list, err := f.cs.StorageV1().StorageClasses().List(f.ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	for i := range list.Items {
		f.store.AddStorageClass(&list.Items[i])
	}
	f.store.SetComplete(diagnose.KindStorageClass, "")
}

// names lists Secret and ConfigMap names (metadata only: no values leave the
// server) so the engine can say "did you mean db-credentials?".
func (f *fetcher) names(ns string) {
	if f.meta == nil {
		return
	}
	for kind, res := range map[string]string{diagnose.KindSecret: "secrets", diagnose.KindConfigMap: "configmaps"} {
		list, err := f.meta.Resource(schema.GroupVersionResource{Version: "v1", Resource: res}).Namespace(ns).List(f.ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		for _, item := range list.Items {
			if p, _ := f.store.Lookup(kind, ns, item.Name); p != diagnose.Exists {
				f.store.Add(kind, ns, item.Name, nil)
			}
		}
	}
}

// lookup runs get once per object and records the outcome.
func (f *fetcher) lookup(kind, ns, name string, get func() error) {
	k := kind + "/" + ns + "/" + name
	if name == "" || f.done[k] {
		return
	}
	f.done[k] = true
	err := get()
	if apierrors.IsNotFound(err) {
		f.store.SetMissing(kind, ns, name)
	}
	// 403 and other errors: leave it unknown.
}

func (f *fetcher) related(p *corev1.Pod) {
	ns := p.Namespace
	core := f.cs.CoreV1()
	secret := func(name string) {
		f.lookup(diagnose.KindSecret, ns, name, func() error {
			s, err := core.Secrets(ns).Get(f.ctx, name, metav1.GetOptions{})
			if err == nil {
				f.store.AddSecret(s) // key names only
			}
			return err
		})
	}
	configMap := func(name string) {
		f.lookup(diagnose.KindConfigMap, ns, name, func() error {
			cm, err := core.ConfigMaps(ns).Get(f.ctx, name, metav1.GetOptions{})
			if err == nil {
				f.store.AddConfigMap(cm)
			}
			return err
		})
	}
	for _, s := range p.Spec.ImagePullSecrets {
		secret(s.Name)
	}
	visit := func(c *corev1.Container) {
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				continue
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil {
				secret(r.Name)
			}
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
				configMap(r.Name)
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil {
				secret(e.SecretRef.Name)
			}
			if e.ConfigMapRef != nil {
				configMap(e.ConfigMapRef.Name)
			}
		}
	}
	for i := range p.Spec.InitContainers {
		visit(&p.Spec.InitContainers[i])
	}
	for i := range p.Spec.Containers {
		visit(&p.Spec.Containers[i])
	}
	for _, v := range p.Spec.Volumes {
		switch {
		case v.Secret != nil:
			secret(v.Secret.SecretName)
		case v.ConfigMap != nil:
			configMap(v.ConfigMap.Name)
		case v.PersistentVolumeClaim != nil:
			name := v.PersistentVolumeClaim.ClaimName
			f.lookup(diagnose.KindPVC, ns, name, func() error {
				pvc, err := core.PersistentVolumeClaims(ns).Get(f.ctx, name, metav1.GetOptions{})
				if err == nil {
					f.store.AddPVC(pvc)
				}
				return err
			})
		case v.Projected != nil:
			for _, s := range v.Projected.Sources {
				if s.Secret != nil {
					secret(s.Secret.Name)
				}
				if s.ConfigMap != nil {
					configMap(s.ConfigMap.Name)
				}
			}
		}
	}
	if sa := p.Spec.ServiceAccountName; sa != "" {
		f.lookup(diagnose.KindServiceAccount, ns, sa, func() error {
			obj, err := core.ServiceAccounts(ns).Get(f.ctx, sa, metav1.GetOptions{})
			if err == nil {
				f.store.AddServiceAccount(obj)
			}
			return err
		})
	}
	if n := p.Spec.NodeName; n != "" {
		if pres, _ := f.store.Lookup(diagnose.KindNode, "", n); pres == diagnose.Unknown {
			f.lookup(diagnose.KindNode, "", n, func() error {
				node, err := core.Nodes().Get(f.ctx, n, metav1.GetOptions{})
				if err == nil {
					f.store.AddNode(node)
				}
				return err
			})
		}
	}
}

// history reads the revisions of the pods' workloads, for "what changed":
// the ReplicaSets of the namespaces with Deployment pods, the
// ControllerRevisions of those with StatefulSet or DaemonSet pods. A list
// that fails (403) leaves those revisions unknown. Managed fields are dropped.
func (f *fetcher) history(pods []*corev1.Pod) *diagnose.History {
	rsNS, crNS := map[string]bool{}, map[string]bool{}
	for _, p := range pods {
		if ref := metav1.GetControllerOf(p); ref != nil {
			switch ref.Kind {
			case "ReplicaSet":
				rsNS[p.Namespace] = true
			case "StatefulSet", "DaemonSet":
				crNS[p.Namespace] = true
			}
		}
	}
	h := &diagnose.History{}
	for ns := range sortedKeys(rsNS) {
		list, err := f.cs.AppsV1().ReplicaSets(ns).List(f.ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		for i := range list.Items {
			rs := &list.Items[i]
			rs.ManagedFields = nil
			h.ReplicaSets = append(h.ReplicaSets, rs)
		}
	}
	for ns := range sortedKeys(crNS) {
		list, err := f.cs.AppsV1().ControllerRevisions(ns).List(f.ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		for i := range list.Items {
			cr := &list.Items[i]
			cr.ManagedFields = nil
			h.ControllerRevisions = append(h.ControllerRevisions, cr)
		}
	}
	if len(h.ReplicaSets)+len(h.ControllerRevisions) == 0 {
		return nil
	}
	return h
}
