package kube

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// TestFeedHeartbeatMarksASilentOutageStale is etcd going down under an API
// server that keeps the watch open: no watch error ever comes, yet reads
// fail. The heartbeat must mark the list stale, and once reads work again
// the feed relists and is live, with no goroutine left after Stop.
func TestFeedHeartbeatMarksASilentOutageStale(t *testing.T) {
	defer goleak.VerifyNone(t)

	cs := fake.NewClientset(testPod("shop", "a"))
	var down atomic.Bool
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if down.Load() {
			return true, nil, apierrors.NewServiceUnavailable("etcdserver: request timed out")
		}
		return false, nil, nil
	})
	f, err := watchPods(context.Background(), cs, Scope{Namespace: "shop"}, "shop", feedTiming{heartbeat: 50 * time.Millisecond, heartbeatTimeout: time.Second, probe: 50 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitSnapshot(t, f, func(s PodSnapshot) bool { return !s.Conn.Stale && len(s.Pods) == 1 })
	down.Store(true) // the watch stays open and silent
	s := waitConn(t, f, func(c Conn) bool { return c.Stale })
	if !strings.Contains(s.Conn.Problem, "etcdserver: request timed out") || len(s.Pods) != 1 {
		t.Fatalf("want the last list kept and the server's error shown, got %d pods, %+v", len(s.Pods), s.Conn)
	}
	down.Store(false)
	waitSnapshot(t, f, func(s PodSnapshot) bool { return !s.Conn.Stale && len(s.Pods) == 1 })
	f.Stop()
}

func waitConn(t *testing.T, f *PodFeed, ok func(Conn) bool) PodSnapshot {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if s := f.Snapshot(); ok(s.Conn) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("conn never matched: %+v", f.Snapshot().Conn)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
