package kube

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func testPod(ns, name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
		Namespace: ns, Name: name,
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
		Annotations: map[string]string{
			corev1.LastAppliedConfigAnnotation: `{"big":"json"}`,
			"keep":                             "me",
		},
	}}
}

// waitSnapshot waits for the feed to report a synced snapshot that satisfies ok.
func waitSnapshot(t *testing.T, f *PodFeed, ok func(PodSnapshot) bool) PodSnapshot {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		s := f.Snapshot()
		if s.Synced && ok(s) {
			return s
		}
		select {
		case <-f.Changed():
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("snapshot never matched; last: %d pods, synced=%v conn=%+v", len(s.Pods), s.Synced, s.Conn)
		}
	}
}

func TestFeedListsAndFollowsChanges(t *testing.T) {
	cs := fake.NewClientset(testPod("shop", "a"), testPod("db", "b"))
	src, err := WatchPods(context.Background(), cs, Scope{Namespace: "shop"}, "shop")
	if err != nil {
		t.Fatal(err)
	}
	f := src
	defer f.Stop()
	s := waitSnapshot(t, f, func(s PodSnapshot) bool { return len(s.Pods) == 1 })
	p := s.Pods[0]
	if p.Name != "a" || p.ManagedFields != nil || p.Annotations != nil {
		t.Fatalf("want a summary of pod a, got %+v", p)
	}
	if _, err := cs.CoreV1().Pods("shop").Create(context.Background(), testPod("shop", "c"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitSnapshot(t, f, func(s PodSnapshot) bool { return len(s.Pods) == 2 })
	if err := cs.CoreV1().Pods("shop").Delete(context.Background(), "a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitSnapshot(t, f, func(s PodSnapshot) bool { return len(s.Pods) == 1 && s.Pods[0].Name == "c" })
}

func TestFeedFallsBackWhenClusterWideListIsForbidden(t *testing.T) {
	cs := fake.NewClientset(testPod("shop", "a"), testPod("db", "b"))
	cs.PrependReactor("list", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetNamespace() == "" {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New(`User "dev" cannot list resource "pods" in API group "" at the cluster scope`))
		}
		return false, nil, nil
	})
	f, err := WatchPods(context.Background(), cs, Scope{}, "shop")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	s := waitSnapshot(t, f, func(s PodSnapshot) bool { return len(s.Pods) == 1 })
	if s.Scope.Namespace != "shop" || !strings.Contains(s.Notice, `showing namespace "shop"`) {
		t.Fatalf("no fallback: scope=%+v notice=%q", s.Scope, s.Notice)
	}
}

func TestFeedRecoversAfterOutage(t *testing.T) {
	cs := fake.NewClientset(testPod("shop", "a"))
	down := true
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if down {
			return true, nil, errors.New("dial tcp 127.0.0.1:6443: connect: connection refused")
		}
		return false, nil, nil
	})
	f, err := WatchPods(context.Background(), cs, Scope{Namespace: "shop"}, "shop")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	s := f.Snapshot()
	if !s.Conn.Stale || !strings.Contains(s.Conn.Problem, "connection refused") {
		t.Fatalf("want stale with the dial error, got %+v", s.Conn)
	}
	cs.Lock()
	down = false
	cs.Unlock()
	waitSnapshot(t, f, func(s PodSnapshot) bool { return !s.Conn.Stale && len(s.Pods) == 1 })
}

func TestExplain(t *testing.T) {
	gr := schema.GroupResource{Resource: "pods"}
	tests := []struct {
		err  error
		want string
	}{
		{apierrors.NewUnauthorized("token expired"), "unauthorized (401)"},
		{apierrors.NewForbidden(gr, "", errors.New("no")), "forbidden (403)"},
		{apierrors.NewServiceUnavailable("etcd down"), "API server error: etcd down"},
		{errors.New("dial tcp: connection refused"), "API server unreachable: dial tcp: connection refused; reconnecting"},
	}
	for _, tt := range tests {
		if got := Explain(tt.err); !strings.Contains(got, tt.want) {
			t.Errorf("Explain(%v) = %q, want it to contain %q", tt.err, got, tt.want)
		}
	}
}
