package ui

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/kube"
)

// Opening a page about a pod reads the pod once: the read that opens it.
// Its events and related objects are fetched for that pod (PodInputs), not
// by reading the pod again by name, and the YAML page shows the pod read.
func TestOneReadPerOpen(t *testing.T) {
	for _, k := range []string{"D", "d", "y"} {
		t.Run(k, func(t *testing.T) {
			c := &fakeCluster{pods: []*corev1.Pod{pod("shop", "api-7d9f8-a", "w1", time.Hour, crashLoop)}}
			a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 100, 20)
			feedAll(a, listKey(a, k))
			if a.top() == nil {
				t.Fatalf("%s opened no page", k)
			}
			if got := c.gets.Load(); got != 1 {
				t.Fatalf("opening %T read the pod %d times, want 1", a.top(), got)
			}
			if k != "y" && c.inputs.Load() != 1 {
				t.Fatalf("%T fetched inputs for %d pods, want 1", a.top(), c.inputs.Load())
			}
		})
	}
}
