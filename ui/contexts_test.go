package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// typeIn types text into the app, a key per rune, then enter, and runs
// what that starts.
func typeIn(a *App, text string) {
	for _, r := range text {
		a.Update(keyMsg(string(r)))
	}
	_, cmd := a.Update(keyMsg("enter"))
	feedAll(a, cmd)
}

// :ctx switches the kubeconfig context in the running UI: pages close, the
// old feed stops, the header and the list are the new context's, and the
// namespace last shown in a context comes back with it. A broken context
// says why, as at start, and leaves the old one running.
func TestSwitchContext(t *testing.T) {
	dev := &fakeCluster{pods: []*corev1.Pod{pod("shop", "api-1", "w1", time.Hour, nil), pod("db", "pg-0", "w1", time.Hour, nil)}}
	staging := &fakeCluster{
		info: &kube.Info{Context: "staging", Cluster: "staging", Namespace: "web"},
		pods: []*corev1.Pod{pod("web", "front-1", "s1", time.Hour, nil)},
	}
	clusters := map[string]*fakeCluster{"kind-dev": dev, "staging": staging}
	connect := func(_ context.Context, name string) (Cluster, error) {
		if c, ok := clusters[name]; ok {
			return c, nil
		}
		return nil, &kube.ConfigError{Problem: fmt.Sprintf("cannot reach the API server of context %q (https://10.0.0.1:6443): dial tcp: connection refused", name), Fix: "is the cluster running?"}
	}
	a := New(dev, Options{
		Scope: kube.Scope{Namespace: "shop"}, Keys: keymap.Default(), Now: func() time.Time { return clock }, Dark: true,
		Contexts: []string{"broken", "kind-dev", "staging"}, Connect: connect,
	})
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 20})
	load(t, a)
	// :ctx staging, from the list.
	a.Update(keyMsg(":"))
	typeIn(a, "ctx staging")
	out := screen(a)
	if !strings.Contains(out, "context: staging") || !strings.Contains(out, "front-1") || strings.Contains(out, "api-1") {
		t.Fatalf("after :ctx staging:\n%s", out)
	}
	if !dev.sources[0].stopped {
		t.Fatal("the old context's pod feed was not stopped")
	}

	// A broken context: the message from start, and staging stays.
	a.Update(keyMsg(":"))
	typeIn(a, "ctx broken")
	out = screen(a)
	if !strings.Contains(out, `cannot switch to context broken: cannot reach the API server of context "broken"`) || !strings.Contains(out, "context: staging") {
		t.Fatalf("after :ctx broken:\n%s", out)
	}
	if last := staging.sources[len(staging.sources)-1]; last.stopped {
		t.Fatal("a broken context stopped the running one")
	}

	// The picker: ":ctx" lists the contexts; pick kind-dev. Its namespace
	// (shop) comes back, and staging's (web) when switching back.
	a.Update(keyMsg(":"))
	typeIn(a, "ctx")
	if out := screen(a); !strings.Contains(out, "context:") || !strings.Contains(out, "staging (current)") || !strings.Contains(out, "broken") {
		t.Fatalf("the context picker:\n%s", out)
	}
	typeIn(a, "kind")
	if out := screen(a); !strings.Contains(out, "context: kind-dev") || !strings.Contains(out, "namespace: shop") || !strings.Contains(out, "api-1") {
		t.Fatalf("back on kind-dev:\n%s", out)
	}
	a.Update(keyMsg(":"))
	typeIn(a, "db")
	a.Update(keyMsg(":"))
	typeIn(a, "ctx staging")
	a.Update(keyMsg(":"))
	typeIn(a, "ctx kind-dev")
	if out := screen(a); !strings.Contains(out, "namespace: db") || !strings.Contains(out, "pg-0") {
		t.Fatalf("kind-dev's last namespace (db) not remembered:\n%s", out)
	}

	// A switch that lands while a page is open closes it (its streams and
	// watches stop with it).
	feedAll(a, listKey(a, "d"))
	if a.top() == nil {
		t.Fatal("no detail page")
	}
	feedAll(a, a.connect("staging"))
	if a.top() != nil || !strings.Contains(screen(a), "context: staging") {
		t.Fatalf("the old context's page is still open: %T", a.top())
	}
}
