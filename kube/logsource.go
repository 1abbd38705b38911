package kube

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
)

// LogSource says whose logs a workload log view follows: the pods of a
// workload or a label selector (pods that come later join), or a fixed set
// of pods (the list's filter, a triage group).
type LogSource struct {
	// Name is what the user asked for: "deployment/api", "-l app=web",
	// "12 pods of the filter".
	Name string
	// Namespace is where the pods are; "" for every namespace.
	Namespace string
	// Selector picks the pods; nil picks every pod (Pods then narrows).
	Selector labels.Selector
	// Pods is a fixed set; nil means any pod the selector picks.
	Pods map[types.NamespacedName]bool
	// jobsOf names a CronJob: its pods are those of Jobs named
	// <cronjob>-<scheduled minute>, as the CronJob controller names them.
	jobsOf string
	// Prefix is what every pod name of a workload starts with; the view
	// drops it from the pods' short names.
	Prefix string
}

// Matches reports whether the pod belongs to the source.
func (s LogSource) Matches(p *corev1.Pod) bool {
	if s.Namespace != "" && p.Namespace != s.Namespace {
		return false
	}
	if s.Pods != nil && !s.Pods[types.NamespacedName{Namespace: p.Namespace, Name: p.Name}] {
		return false
	}
	if s.Selector != nil && !s.Selector.Matches(labels.Set(p.Labels)) {
		return false
	}
	if s.jobsOf != "" {
		ref := metav1.GetControllerOf(p)
		if ref == nil || ref.Kind != "Job" || !cronJobNamed(ref.Name, s.jobsOf) {
			return false
		}
	}
	return true
}

var minuteSuffix = regexp.MustCompile(`^[0-9]+$`)

// cronJobNamed reports whether a Job's name is one the CronJob controller
// gives the CronJob's runs (cronjob_controllerv2.go getJobName).
func cronJobNamed(job, cronJob string) bool {
	rest, ok := strings.CutPrefix(job, cronJob+"-")
	return ok && minuteSuffix.MatchString(rest)
}

// ShortName is how a view names a pod of the source: without the
// workload's Prefix ("7d9c5-x2k4p" of deployment/api), with its namespace
// in front when the source spans namespaces.
func (s LogSource) ShortName(namespace, pod string) string {
	if short, ok := strings.CutPrefix(pod, s.Prefix); ok && s.Prefix != "" && short != "" {
		pod = short
	}
	if s.Namespace == "" && namespace != "" {
		return namespace + "/" + pod
	}
	return pod
}

// listSelector is the label selector the server filters by.
func (s LogSource) listSelector() string {
	if s.Selector == nil || s.Selector.Empty() {
		return ""
	}
	return s.Selector.String()
}

// SelectorLogSource is the pods of a label selector in -l syntax.
func SelectorLogSource(namespace, selector string) (LogSource, error) {
	sel, err := labels.Parse(selector)
	if err != nil {
		return LogSource{}, fmt.Errorf("label selector %q: %w", selector, err)
	}
	if sel.Empty() {
		return LogSource{}, fmt.Errorf("label selector %q selects every pod; name a label", selector)
	}
	return LogSource{Name: "-l " + selector, Namespace: namespace, Selector: sel}, nil
}

// PodsLogSource is a fixed set of pods, named for the header.
func PodsLogSource(name string, pods []types.NamespacedName) LogSource {
	s := LogSource{Name: name, Pods: map[types.NamespacedName]bool{}}
	namespaces := map[string]bool{}
	for _, p := range pods {
		s.Pods[p] = true
		namespaces[p.Namespace] = true
	}
	if len(namespaces) == 1 {
		s.Namespace = pods[0].Namespace
	}
	return s
}

// workloadKinds maps what users type (kubectl's names and short names) to a
// kind.
var workloadKinds = map[string]string{
	"deployment": "Deployment", "deployments": "Deployment", "deploy": "Deployment",
	"statefulset": "StatefulSet", "statefulsets": "StatefulSet", "sts": "StatefulSet",
	"daemonset": "DaemonSet", "daemonsets": "DaemonSet", "ds": "DaemonSet",
	"replicaset": "ReplicaSet", "replicasets": "ReplicaSet", "rs": "ReplicaSet",
	"job": "Job", "jobs": "Job",
	"cronjob": "CronJob", "cronjobs": "CronJob", "cj": "CronJob",
	"pod": "Pod", "pods": "Pod", "po": "Pod",
}

// ParseWorkload splits "deployment/api" (or a bare pod name) into a kind
// and a name.
func ParseWorkload(target string) (kind, name string, err error) {
	k, n, ok := strings.Cut(target, "/")
	if !ok {
		return "Pod", target, nil
	}
	kind, known := workloadKinds[strings.ToLower(k)]
	if !known || n == "" {
		return "", "", fmt.Errorf("%q: want KIND/NAME with KIND one of deployment, statefulset, daemonset, replicaset, job, cronjob, pod (or a pod name)", target)
	}
	return kind, n, nil
}

// ResolveLogSource reads the workload a target names ("deployment/api",
// "sts/db", "cronjob/report", "pod/x" or a pod name) and returns its pods'
// source.
func (c *Client) ResolveLogSource(ctx context.Context, namespace, target string) (LogSource, error) {
	kind, name, err := ParseWorkload(target)
	if err != nil {
		return LogSource{}, err
	}
	return c.workloadSource(ctx, namespace, kind, name)
}

// OwnerLogSource is the source of the workload that owns a pod: its
// Deployment (through the ReplicaSet), StatefulSet, DaemonSet, Job or
// CronJob (through the Job).
func (c *Client) OwnerLogSource(ctx context.Context, pod *corev1.Pod) (LogSource, error) {
	ref := metav1.GetControllerOf(pod)
	if ref == nil {
		return LogSource{}, fmt.Errorf("pod %s/%s has no owner: open the logs of a label selector instead", pod.Namespace, pod.Name)
	}
	kind, name := ref.Kind, ref.Name
	var err error
	switch kind {
	case "ReplicaSet":
		rs, e := c.Clientset.AppsV1().ReplicaSets(pod.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err = e; err == nil {
			if d := metav1.GetControllerOf(rs); d != nil && d.Kind == "Deployment" {
				kind, name = "Deployment", d.Name
			}
		}
	case "Job":
		job, e := c.Clientset.BatchV1().Jobs(pod.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err = e; err == nil {
			if cj := metav1.GetControllerOf(job); cj != nil && cj.Kind == "CronJob" {
				kind, name = "CronJob", cj.Name
			}
		}
	}
	src := LogSource{}
	if err == nil {
		src, err = c.workloadSource(ctx, pod.Namespace, kind, name)
	}
	if err != nil && (apierrors.IsNotFound(err) || apierrors.IsForbidden(err)) {
		// The owner cannot be read (RBAC lets many read pods only): its
		// pods are those labelled like this one, as its selector picks them.
		if like, ok := labelledLike(pod, ref); ok {
			return like, nil
		}
	}
	return src, err
}

// labelledLike is the pods with the labels of pod, named after its owner.
func labelledLike(pod *corev1.Pod, owner *metav1.OwnerReference) (LogSource, bool) {
	if len(pod.Labels) == 0 {
		return LogSource{}, false
	}
	sel := labels.SelectorFromSet(labels.Set(pod.Labels))
	src := LogSource{
		Name:      strings.ToLower(owner.Kind) + "/" + owner.Name + " (pods labelled " + sel.String() + ")",
		Namespace: pod.Namespace, Selector: sel, Prefix: owner.Name + "-",
	}
	return src, true
}

// workloadSource reads a workload and turns its selector into a source.
func (c *Client) workloadSource(ctx context.Context, ns, kind, name string) (LogSource, error) {
	src := LogSource{Name: strings.ToLower(kind) + "/" + name, Namespace: ns, Prefix: name + "-"}
	var (
		sel *metav1.LabelSelector
		err error
	)
	switch kind {
	case "Pod":
		if _, err = c.Clientset.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{}); err == nil {
			src.Pods, src.Prefix = map[types.NamespacedName]bool{{Namespace: ns, Name: name}: true}, ""
			return src, nil
		}
	case "Deployment":
		d, e := c.Clientset.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; err == nil {
			sel = d.Spec.Selector
		}
	case "StatefulSet":
		s, e := c.Clientset.AppsV1().StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; err == nil {
			sel = s.Spec.Selector
		}
	case "DaemonSet":
		d, e := c.Clientset.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; err == nil {
			sel = d.Spec.Selector
		}
	case "ReplicaSet":
		r, e := c.Clientset.AppsV1().ReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; err == nil {
			sel = r.Spec.Selector
		}
	case "Job":
		j, e := c.Clientset.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; err == nil {
			sel = j.Spec.Selector
			if sel == nil { // not yet defaulted by the job controller
				sel = &metav1.LabelSelector{MatchLabels: map[string]string{"job-name": name}}
			}
		}
	case "CronJob":
		if _, err = c.Clientset.BatchV1().CronJobs(ns).Get(ctx, name, metav1.GetOptions{}); err == nil {
			src.jobsOf = name
			return src, nil
		}
	default:
		return LogSource{}, fmt.Errorf("%s/%s: cannot follow the logs of a %s", strings.ToLower(kind), name, kind)
	}
	if err != nil {
		return LogSource{}, explainRead(err, strings.ToLower(kind), ns, name)
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return LogSource{}, fmt.Errorf("%s: its selector: %w", src.Name, err)
	}
	if s.Empty() {
		return LogSource{}, fmt.Errorf("%s has an empty selector: it would select every pod of %s", src.Name, ns)
	}
	src.Selector = s
	return src, nil
}

// explainRead words a failed read of a workload; the API's error stays
// underneath (apierrors.IsNotFound still sees it).
func explainRead(err error, kind, ns, name string) error {
	var msg string
	switch {
	case apierrors.IsNotFound(err):
		msg = fmt.Sprintf("%s %q not found in namespace %q", kind, name, ns)
	case apierrors.IsForbidden(err):
		msg = fmt.Sprintf("not allowed to read %s %s/%s: %s", kind, ns, name, Explain(err))
	default:
		msg = fmt.Sprintf("reading %s %s/%s: %s", kind, ns, name, Explain(err))
	}
	return &readError{msg: msg, err: err}
}

type readError struct {
	msg string
	err error
}

func (e *readError) Error() string { return e.msg }
func (e *readError) Unwrap() error { return e.err }
