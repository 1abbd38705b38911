package kube

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// writeKubeconfig writes a kubeconfig with a context per server (name ->
// URL, namespace "ns-"+name), current the first given.
func writeKubeconfig(t *testing.T, current string, servers map[string]string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	for name, url := range servers {
		cfg.Clusters[name] = &clientcmdapi.Cluster{Server: url}
		cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: "t"}
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name, Namespace: "ns-" + name}
	}
	cfg.CurrentContext = current
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestForContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"major":"1","minor":"37","gitVersion":"v1.37.2"}`))
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // a port nothing answers on
	path := writeKubeconfig(t, "a", map[string]string{"a": srv.URL, "b": srv.URL, "broken": closed.URL})
	f := genericclioptions.NewConfigFlags(true)
	f.KubeConfig = &path
	c, err := NewClient(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Contexts(), ","); got != "a,b,broken" {
		t.Fatalf("contexts: %s", got)
	}
	ro, err := c.ReadOnly()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ro.ForContext(context.Background(), "b")
	if err != nil {
		t.Fatal(err)
	}
	if i := b.Info(); i.Context != "b" || i.Namespace != "ns-b" || !b.readOnly {
		t.Fatalf("client of b: %+v, read-only %v", i, b.readOnly)
	}
	_, err = c.ForContext(context.Background(), "broken")
	if !IsConfigError(err) || !strings.Contains(err.Error(), `cannot reach the API server of context "broken"`) {
		t.Fatalf("broken context: %v", err)
	}
	if _, err := c.ForContext(context.Background(), "nope"); !IsConfigError(err) || !strings.Contains(err.Error(), `context "nope" does not exist`) {
		t.Fatalf("unknown context: %v", err)
	}
	if fromConfig, _ := NewClientFromConfig(c.Config, c.Info()); fromConfig.Contexts() != nil {
		t.Fatal("a client from a REST config lists contexts")
	}
	_ = os.Remove(path)
}
