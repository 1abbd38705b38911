package kube

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
)

const goodKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: dev
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: me
  user: {token: abc}
contexts:
- name: dev
  context: {cluster: dev, user: me, namespace: shop}
current-context: dev
`

func flagsFor(path, context string) *genericclioptions.ConfigFlags {
	f := genericclioptions.NewConfigFlags(false)
	f.KubeConfig = &path
	if context != "" {
		f.Context = &context
	}
	return f
}

func TestNewClientExplainsKubeconfigProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", goodKubeconfig)
	tests := []struct {
		name    string
		path    string
		context string
		want    []string
	}{
		{"missing file", filepath.Join(dir, "nope"), "", []string{filepath.Join(dir, "nope"), "no such file"}},
		{"broken yaml", write("broken", "apiVersion: v1\nclusters: [\n"), "", []string{"cannot read kubeconfig", "broken"}},
		{"empty", write("empty", ""), "", []string{"no kubeconfig with a context found", "podtui demo"}},
		{"unknown context", good, "prod", []string{`context "prod" does not exist`, "known: dev"}},
		{"no current context", write("nocurrent", strings.Replace(goodKubeconfig, "current-context: dev", "", 1)), "", []string{"no current context"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(flagsFor(tt.path, tt.context))
			if err == nil {
				t.Fatal("want an error")
			}
			if !IsConfigError(err) {
				t.Errorf("want a ConfigError, got %T", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestNewClientReadsContext(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kc")
	if err := os.WriteFile(p, []byte(goodKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(flagsFor(p, ""))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Info(); got.Context != "dev" || got.Cluster != "dev" || got.Namespace != "shop" || got.User != "me" {
		t.Fatalf("info = %+v", got)
	}
}
