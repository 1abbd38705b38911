package kube

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
)

func testEvent(name, uid, reason string) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: "shop", Name: name},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: "api", UID: types.UID(uid)},
		Type:           corev1.EventTypeWarning, Reason: reason, Message: "m", Count: 3,
		LastTimestamp: metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
	}
}

// waitEvents waits until For(uid) has n events.
func waitEvents(t *testing.T, f *EventFeed, uid string, n int) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if f.Synced() && len(f.For(uid)) == n {
			return
		}
		select {
		case <-f.Changed():
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("want %d events for %s, have %d (synced=%v)", n, uid, len(f.For(uid)), f.Synced())
		}
	}
}

func TestEventFeedIndexesByUIDAndFollows(t *testing.T) {
	cs := fake.NewClientset(testEvent("e1", "u1", "BackOff"), testEvent("e2", "u2", "Failed"))
	f := WatchEvents(cs, "shop")
	defer f.Stop()
	waitEvents(t, f, "u1", 1)
	got := f.For("u1")[0]
	if got.Reason != "BackOff" || got.Count != 3 || got.Object.UID != "u1" {
		t.Fatalf("unexpected event %+v", got)
	}
	// A new event for the pod arrives without a relist, and Changed fires.
	if _, err := cs.CoreV1().Events("shop").Create(context.Background(), testEvent("e3", "u1", "Unhealthy"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitEvents(t, f, "u1", 2)
	if len(f.For("u2")) != 1 || len(f.For("nope")) != 0 {
		t.Fatal("index mixes pods")
	}
	f.Stop()
	select {
	case <-f.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
}
