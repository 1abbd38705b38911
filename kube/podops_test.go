package kube

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestDeletePodOptions(t *testing.T) {
	for _, force := range []bool{false, true} {
		cs := fake.NewClientset(testPod("shop", "api"))
		var got metav1.DeleteOptions
		cs.PrependReactor("delete", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
			got = a.(k8stesting.DeleteAction).GetDeleteOptions()
			return false, nil, nil
		})
		if err := DeletePod(context.Background(), cs.CoreV1().Pods("shop"), "api", "uid-1", force); err != nil {
			t.Fatal(err)
		}
		if got.Preconditions == nil || *got.Preconditions.UID != "uid-1" {
			t.Errorf("force=%v: no UID precondition: %+v", force, got)
		}
		if force != (got.GracePeriodSeconds != nil && *got.GracePeriodSeconds == 0) {
			t.Errorf("force=%v: grace period %v", force, got.GracePeriodSeconds)
		}
	}
}
