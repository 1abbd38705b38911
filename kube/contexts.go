package kube

import (
	"context"

	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// Contexts lists the contexts of the kubeconfig the client was built from,
// sorted; nil for a client built from a REST config alone.
func (c *Client) Contexts() []string {
	if c.flags == nil {
		return nil
	}
	raw, err := c.flags.ToRawKubeConfigLoader().RawConfig()
	if err != nil || len(raw.Contexts) == 0 {
		return nil
	}
	return contextNames(raw.Contexts)
}

// ForContext builds a client for another context of the same kubeconfig
// and checks it as podtui does at start (NewClient, then Preflight), so a
// broken context fails with the same message. The new client keeps the
// flags that are not about the context (kubeconfig, impersonation,
// timeout), read-only mode and the metrics interval; its namespace is the
// context's. Nothing of the old client is stopped: the caller stops its
// feeds, streams and forwards.
func (c *Client) ForContext(ctx context.Context, name string) (*Client, error) {
	f := genericclioptions.NewConfigFlags(true)
	if c.flags != nil {
		f.KubeConfig = c.flags.KubeConfig
		f.Impersonate, f.ImpersonateUID, f.ImpersonateGroup = c.flags.Impersonate, c.flags.ImpersonateUID, c.flags.ImpersonateGroup
		f.Timeout = c.flags.Timeout
	}
	f.Context = &name
	n, err := NewClient(f)
	if err != nil {
		return nil, err
	}
	if err := n.Preflight(ctx); err != nil {
		return nil, err
	}
	if c.readOnly {
		if n, err = n.ReadOnly(); err != nil {
			return nil, err
		}
	}
	n.MetricsInterval = c.MetricsInterval
	return n, nil
}
