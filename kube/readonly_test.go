package kube

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

func TestReadOnlyClientRefusesWrites(t *testing.T) {
	var reached atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"PodList","apiVersion":"v1","items":[]}`))
	}))
	defer srv.Close()
	c, err := NewClientFromConfig(&rest.Config{Host: srv.URL}, Info{})
	if err != nil {
		t.Fatal(err)
	}
	ro, err := c.ReadOnly()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := ro.Clientset.CoreV1().Pods("shop").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("a read was refused: %v", err)
	}
	var ro1 *ErrReadOnly
	if err := ro.DeletePod(ctx, "shop", "api", "", false); !errors.As(err, &ro1) {
		t.Fatalf("delete not refused: %v", err)
	}
	if _, err := ro.PortForward(ctx, ForwardRequest{Namespace: "shop", Pod: "api", PodPort: 80}); err == nil {
		t.Fatal("port-forward not refused")
	}
	r := ro.Exec(ExecRequest{Namespace: "shop", Pod: "api", Container: "app", Commands: [][]string{{"sh"}}})
	if err := r.Run(); err == nil {
		t.Fatal("exec not refused")
	}
	if n := reached.Load(); n != 1 {
		t.Fatalf("%d requests reached the server, want only the list", n)
	}
}

func TestCheckReadOnly(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		ok           bool
	}{
		{"GET", "/api/v1/namespaces/shop/pods", true},
		{"GET", "/api/v1/namespaces/shop/pods/api/log", true},
		{"GET", "/api/v1/namespaces/shop/pods/proxy", true}, // a pod named proxy
		{"GET", "/api/v1/namespaces/shop/pods/exec/log", true},
		{"GET", "/api/v1/nodes/n1/proxy/metrics", false},
		{"GET", "/api/v1/namespaces/shop/pods/api/exec", false}, // WebSocket exec is a GET
		{"GET", "/api/v1/namespaces/shop/pods/api/portforward", false},
		{"POST", "/api/v1/namespaces/shop/pods/api/exec", false},
		{"DELETE", "/api/v1/namespaces/shop/pods/api", false},
		{"PATCH", "/api/v1/namespaces/shop/pods/api", false},
	} {
		req, _ := http.NewRequest(tc.method, "https://k8s"+tc.path, nil)
		if err := checkReadOnly(req); (err == nil) != tc.ok {
			t.Errorf("%s %s: err %v", tc.method, tc.path, err)
		}
	}
}
