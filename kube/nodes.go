package kube

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ReadyNodes lists the nodes and says which are Ready. A pod whose node is
// not in it (NotReady, not reporting, or gone) may be broken although the
// pod itself looks fine: triage reads such pods in full.
func (c *Client) ReadyNodes(ctx context.Context) (map[string]bool, error) {
	list, err := c.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %s", Explain(err))
	}
	ready := make(map[string]bool, len(list.Items))
	for i := range list.Items {
		n := &list.Items[i]
		ready[n.Name] = false
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady {
				ready[n.Name] = c.Status == corev1.ConditionTrue
			}
		}
	}
	return ready, nil
}
