// Package kube is the only package that talks to the Kubernetes API server:
// kubeconfig loading, informers, and the lookups the rest of podtui needs.
package kube

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Info says which cluster and identity podtui talks to; shown in the header.
type Info struct {
	Context   string
	Cluster   string
	User      string
	Server    string
	Namespace string // the context's namespace (or -n), "default" when unset
}

// Client holds the clients built from kubectl-style flags.
type Client struct {
	Clientset kubernetes.Interface
	Config    *rest.Config
	info      Info

	// MetricsInterval is the shortest gap between two polls of
	// metrics.k8s.io (DefaultMetricsInterval when zero). Set it before the
	// first poll.
	MetricsInterval time.Duration
	metricsOnce     sync.Once
	metricsReader   *Metrics
	metricsErr      error

	// restarts is the restart history of the pods the feeds watched.
	restartsOnce sync.Once
	restarts     *restartHistory

	// flags built the client (nil from a REST config): ForContext builds
	// clients of the other contexts from them. readOnly: see ReadOnly.
	flags    *genericclioptions.ConfigFlags
	readOnly bool
}

// restartHistory is the client's restart history, made on first use.
func (c *Client) restartHistory() *restartHistory {
	c.restartsOnce.Do(func() { c.restarts = newRestartHistory() })
	return c.restarts
}

// Info returns the context, cluster and namespace in use.
func (c *Client) Info() Info { return c.info }

// Namespace returns the namespace from -n or the context ("default" when unset).
func (c *Client) Namespace() string { return c.info.Namespace }

// ConfigError is a kubeconfig problem explained for a person: what is wrong,
// where, and how to fix it.
type ConfigError struct {
	Problem string
	Fix     string
	Err     error
}

func (e *ConfigError) Error() string {
	msg := e.Problem
	if e.Fix != "" {
		msg += "\n  fix: " + e.Fix
	}
	return msg
}

func (e *ConfigError) Unwrap() error { return e.Err }

// NewClient loads the kubeconfig the way kubectl does and builds the clients.
// Problems with the kubeconfig come back as *ConfigError.
func NewClient(flags *genericclioptions.ConfigFlags) (*Client, error) {
	loader := flags.ToRawKubeConfigLoader()
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, &ConfigError{
			Problem: fmt.Sprintf("cannot read kubeconfig %s: %v", kubeconfigPaths(flags), err),
			Fix:     "repair the file, or point --kubeconfig / KUBECONFIG at a working one",
			Err:     err,
		}
	}
	ctxName := raw.CurrentContext
	if flags.Context != nil && *flags.Context != "" {
		ctxName = *flags.Context
	}
	if len(raw.Contexts) == 0 && !hasServerFlag(flags) {
		return nil, &ConfigError{
			Problem: fmt.Sprintf("no kubeconfig with a context found (looked at %s)", kubeconfigPaths(flags)),
			Fix:     "pass --kubeconfig FILE or set KUBECONFIG, or try `podtui demo` for a local demo cluster",
			Err:     clientcmd.ErrEmptyConfig,
		}
	}
	if ctxName != "" && raw.Contexts[ctxName] == nil && !hasServerFlag(flags) {
		return nil, &ConfigError{
			Problem: fmt.Sprintf("context %q does not exist in %s (known: %s)", ctxName, kubeconfigPaths(flags), strings.Join(contextNames(raw.Contexts), ", ")),
			Fix:     "pick one of the known contexts with --context",
		}
	}
	if ctxName == "" && !hasServerFlag(flags) {
		return nil, &ConfigError{
			Problem: fmt.Sprintf("no current context is set in %s", kubeconfigPaths(flags)),
			Fix:     "pass --context NAME, or run `kubectl config use-context NAME`",
		}
	}
	cfg, err := flags.ToRESTConfig()
	if err != nil {
		return nil, &ConfigError{
			Problem: fmt.Sprintf("kubeconfig %s, context %q is not usable: %v", kubeconfigPaths(flags), ctxName, err),
			Fix:     "check the cluster and user entries of that context",
			Err:     err,
		}
	}
	ns, _, err := loader.Namespace()
	if err != nil || ns == "" {
		ns = "default"
	}
	info := Info{Context: ctxName, Namespace: ns, Server: cfg.Host}
	if c := raw.Contexts[ctxName]; c != nil {
		info.Cluster, info.User = c.Cluster, c.AuthInfo
	}
	if flags.ClusterName != nil && *flags.ClusterName != "" {
		info.Cluster = *flags.ClusterName
	}
	c, err := newClient(cfg, info)
	if err == nil {
		c.flags = flags
	}
	return c, err
}

// NewClientFromConfig builds a client from a ready REST config (tests, demo).
func NewClientFromConfig(cfg *rest.Config, info Info) (*Client, error) {
	return newClient(cfg, info)
}

func newClient(cfg *rest.Config, info Info) (*Client, error) {
	cfg = rest.CopyConfig(cfg)
	// Server warnings would otherwise be printed to stderr, onto the UI.
	cfg.WarningHandler = rest.NoWarnings{}
	// Protobuf is 2-3x cheaper to decode for core types on big lists.
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, &ConfigError{Problem: fmt.Sprintf("cannot build a client for %s: %v", cfg.Host, err), Err: err}
	}
	if info.Namespace == "" {
		info.Namespace = "default"
	}
	return &Client{Clientset: cs, Config: cfg, info: info}, nil
}

func hasServerFlag(flags *genericclioptions.ConfigFlags) bool {
	return flags.APIServer != nil && *flags.APIServer != ""
}

// kubeconfigPaths names the files kubectl would read, for error messages.
func kubeconfigPaths(flags *genericclioptions.ConfigFlags) string {
	if flags.KubeConfig != nil && *flags.KubeConfig != "" {
		return *flags.KubeConfig
	}
	if env := os.Getenv(clientcmd.RecommendedConfigPathEnvVar); env != "" {
		return strings.Join(filepath.SplitList(env), ", ")
	}
	return clientcmd.RecommendedHomeFile
}

func contextNames[T any](m map[string]T) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	if len(names) == 0 {
		return []string{"none"}
	}
	sortStrings(names)
	return names
}

// IsConfigError reports whether err is a kubeconfig problem.
func IsConfigError(err error) bool {
	var ce *ConfigError
	return errors.As(err, &ce)
}

// WatchPods starts a live pod list for the scope (see the package function).
func (c *Client) WatchPods(ctx context.Context, scope Scope) (PodSource, error) {
	return watchPods(ctx, c.Clientset, scope, c.info.Namespace, defaultFeedTiming(), c.restartHistory())
}

// Namespaces lists the cluster's namespaces.
func (c *Client) Namespaces(ctx context.Context) ([]string, error) {
	return Namespaces(ctx, c.Clientset)
}

// Preflight checks that the API server answers and accepts the credentials,
// so a wrong context fails with a clear message before the UI starts.
func (c *Client) Preflight(ctx context.Context) error {
	err := c.Clientset.Discovery().RESTClient().Get().AbsPath("/version").Do(ctx).Error()
	if err == nil {
		return nil
	}
	where := fmt.Sprintf("context %q (%s)", c.info.Context, c.info.Server)
	msg := err.Error()
	switch {
	case apierrors.IsUnauthorized(err):
		return &ConfigError{Problem: "the API server of " + where + " rejected the credentials (401 Unauthorized): the token or certificate is invalid or expired", Fix: "log in again (refresh the token, or re-run your cloud's get-credentials command)", Err: err}
	case apierrors.IsForbidden(err):
		return nil // authenticated; RBAC is handled per request
	case strings.Contains(msg, "x509:") || strings.Contains(msg, "tls:"):
		return &ConfigError{Problem: "TLS problem talking to " + where + ": " + msg, Fix: "the server certificate does not match the certificate-authority of the kubeconfig cluster entry; fetch a fresh kubeconfig", Err: err}
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "Client.Timeout") || strings.Contains(msg, "i/o timeout"):
		return &ConfigError{Problem: "the API server of " + where + " did not answer in time: " + msg, Fix: "check the network/VPN and that this is the right context", Err: err}
	case strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such host") || strings.Contains(msg, "dial tcp"):
		return &ConfigError{Problem: "cannot reach the API server of " + where + ": " + msg, Fix: "is the cluster running, and is this the right context? (--context)", Err: err}
	default:
		return &ConfigError{Problem: "the API server of " + where + " failed: " + msg, Err: err}
	}
}
