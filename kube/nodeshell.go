package kube

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// Labels and annotations of a node-shell pod: the label finds left-overs,
// the annotations say which podtui made it.
const (
	NodeShellLabel    = "podtui.dev/node-shell"
	nodeShellHostAnno = "podtui.dev/host"
	nodeShellPIDAnno  = "podtui.dev/pid"
	nodeShellName     = "debugger"
)

// NodeShellRequest asks for a shell on a node.
type NodeShellRequest struct {
	Node      string
	Namespace string // where the pod is made
	Image     string
	Name      string // NodeShellName
}

// NodeShellName is a fresh pod name for a shell on the node.
func NodeShellName(node string) string {
	return "node-debugger-" + node + "-" + utilrand.String(5)
}

// NodeShellPod is the pod of a node shell, as kubectl debug node/... makes
// it with the sysadmin profile: on the node, privileged, in the host's PID,
// network and IPC namespaces, the node's root filesystem at /host,
// tolerating every taint, never restarted.
func NodeShellPod(req NodeShellRequest) *corev1.Pod {
	host, _ := os.Hostname()
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: req.Name, Namespace: req.Namespace,
			Labels: map[string]string{NodeShellLabel: "true", "app.kubernetes.io/managed-by": "podtui"},
			Annotations: map[string]string{
				nodeShellHostAnno: host, nodeShellPIDAnno: strconv.Itoa(os.Getpid()),
			},
		},
		Spec: corev1.PodSpec{
			NodeName:      req.Node,
			RestartPolicy: corev1.RestartPolicyNever,
			HostPID:       true, HostNetwork: true, HostIPC: true,
			Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
			Volumes: []corev1.Volume{{
				Name:         "host-root",
				VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}},
			}},
			Containers: []corev1.Container{{
				Name: nodeShellName, Image: req.Image,
				Stdin: true, TTY: true,
				TerminationMessagePolicy: corev1.TerminationMessageReadFile,
				SecurityContext:          &corev1.SecurityContext{Privileged: ptr.To(true)},
				VolumeMounts:             []corev1.VolumeMount{{Name: "host-root", MountPath: "/host"}},
			}},
		},
	}
}

// NodeShellContainer is the container of a node-shell pod.
const NodeShellContainer = nodeShellName

// StartNodeShell creates the node-shell pod and waits until it runs. When
// anything fails after the pod was made (the image cannot be pulled, ctx
// ends), the pod is deleted again: nothing is left half-made.
func (c *Client) StartNodeShell(ctx context.Context, req NodeShellRequest) (*corev1.Pod, error) {
	return StartNodeShell(ctx, c.Clientset, req)
}

var (
	accessCreatePods = access{"create", "pods", ""}
	accessDeletePods = access{"delete", "pods", ""}
)

// StartNodeShell works on any clientset (see Client.StartNodeShell).
func StartNodeShell(ctx context.Context, cs kubernetes.Interface, req NodeShellRequest) (*corev1.Pod, error) {
	if err := checkAccess(ctx, cs, req.Namespace, accessCreatePods, accessAttach, accessDeletePods); err != nil {
		return nil, err
	}
	pod, err := cs.CoreV1().Pods(req.Namespace).Create(ctx, NodeShellPod(req), metav1.CreateOptions{})
	if err != nil {
		return nil, forbidden(err, accessCreatePods, req.Namespace)
	}
	running, err := WaitRunning(ctx, cs, req.Namespace, pod.Name, nodeShellName)
	if err != nil {
		if derr := deleteNodeShell(cs, pod); derr != nil {
			err = fmt.Errorf("%w; deleting pod %s/%s failed too: %v", err, pod.Namespace, pod.Name, derr)
		}
		return nil, err
	}
	return running, nil
}

// DeleteNodeShell deletes a node-shell pod at once (no grace period: its
// shell has ended), even when the caller's ctx has ended.
func (c *Client) DeleteNodeShell(pod *corev1.Pod) error { return deleteNodeShell(c.Clientset, pod) }

func deleteNodeShell(cs kubernetes.Interface, pod *corev1.Pod) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := DeletePod(ctx, cs.CoreV1().Pods(pod.Namespace), pod.Name, string(pod.UID), true)
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// CleanupNodeShells deletes node-shell pods a podtui on this machine made
// and left behind when it ended without deleting them (a crash, a kill):
// those whose process is gone. A live podtui's shell, or one made on another
// machine, is left alone. It returns the pods it deleted as namespace/name.
func (c *Client) CleanupNodeShells(ctx context.Context) ([]string, error) {
	return CleanupNodeShells(ctx, c.Clientset, c.Namespace())
}

// CleanupNodeShells works on any clientset (see Client.CleanupNodeShells);
// without the right to list pods in every namespace it looks in ns.
func CleanupNodeShells(ctx context.Context, cs kubernetes.Interface, ns string) ([]string, error) {
	opts := metav1.ListOptions{LabelSelector: NodeShellLabel + "=true"}
	list, err := cs.CoreV1().Pods("").List(ctx, opts)
	if apierrors.IsForbidden(err) {
		list, err = cs.CoreV1().Pods(ns).List(ctx, opts)
	}
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	var gone []string
	var errs []error
	for i := range list.Items {
		p := &list.Items[i]
		pid, _ := strconv.Atoi(p.Annotations[nodeShellPIDAnno])
		if p.Annotations[nodeShellHostAnno] != host || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		if err := deleteNodeShell(cs, p); err != nil {
			errs = append(errs, err)
			continue
		}
		gone = append(gone, p.Namespace+"/"+p.Name)
	}
	return gone, errors.Join(errs...)
}
