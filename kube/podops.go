package kube

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apitypes "k8s.io/apimachinery/pkg/types"
)

// GetPod reads one pod fresh from the API server (the informer copy is
// trimmed), e.g. to show it as YAML.
func (c *Client) GetPod(ctx context.Context, ns, name string) (*corev1.Pod, error) {
	return c.Clientset.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
}

// DeletePod deletes a pod. Force skips the grace period, as
// `kubectl delete --force --grace-period=0` does: the API object goes at once
// even if the kubelet never confirms the containers stopped. The pod's UID is
// a precondition, so a new pod that took the same name is never deleted.
func (c *Client) DeletePod(ctx context.Context, ns, name, uid string, force bool) error {
	return DeletePod(ctx, c.Clientset.CoreV1().Pods(ns), name, uid, force)
}

// podDeleter is the part of the pods client DeletePod needs.
type podDeleter interface {
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error
}

// DeletePod deletes through any pods client (see Client.DeletePod).
func DeletePod(ctx context.Context, pods podDeleter, name, uid string, force bool) error {
	opts := metav1.DeleteOptions{}
	if uid != "" {
		u := apitypes.UID(uid)
		opts.Preconditions = &metav1.Preconditions{UID: &u}
	}
	if force {
		zero := int64(0)
		opts.GracePeriodSeconds = &zero
	}
	return pods.Delete(ctx, name, opts)
}
