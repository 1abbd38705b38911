package kube

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"

	"github.com/podtui/podtui/diagnose"
)

func TestDiagnoseInputsUnknownVersusMissing(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop", UID: "u1"},
		Spec: corev1.PodSpec{NodeName: "w1", ServiceAccountName: "api", Containers: []corev1.Container{{
			Name: "app", Image: "x",
			Env: []corev1.EnvVar{
				{Name: "A", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "gone"}, Key: "k"}}},
				{Name: "B", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "present"}, Key: "k"}}},
			},
			EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "secret-cfg"}}}},
		}}},
		Status: corev1.PodStatus{Phase: corev1.PodPending},
	}
	other := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "other", Namespace: "web"}}
	ev := &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "shop"}, InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: "api", UID: "u1"},
		Reason: "Failed", Message: `Error: secret "gone" not found`, Type: "Warning", Count: 3,
	}
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "present", Namespace: "shop"}, Data: map[string][]byte{"k": []byte("value")}}
	cs := fake.NewClientset(pod, other, ev, sec)
	forbid := func(resource string) {
		cs.PrependReactor("*", resource, func(a k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: resource}, "", nil)
		})
	}
	forbid("configmaps")
	forbid("nodes")
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	ins, err := diagnoseInputs(context.Background(), cs, nil, "shop", false, "", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 1 || ins[0].Pod.Name != "api" || !ins[0].Now.Equal(now) {
		t.Fatalf("inputs: %#v", ins)
	}
	rel := ins[0].Related
	check := func(kind, name string, want diagnose.Presence) {
		t.Helper()
		if got, _ := rel.Lookup(kind, "shop", name); got != want {
			t.Errorf("%s %s = %v, want %v", kind, name, got, want)
		}
	}
	check(diagnose.KindSecret, "gone", diagnose.Missing)
	check(diagnose.KindSecret, "present", diagnose.Exists)
	check(diagnose.KindConfigMap, "secret-cfg", diagnose.Unknown) // 403
	check(diagnose.KindServiceAccount, "api", diagnose.Missing)
	if _, keys := rel.Lookup(diagnose.KindSecret, "shop", "present"); strings.Join(keys, ",") != "k" {
		t.Errorf("secret keys = %v", keys)
	}
	if _, p := rel.Node("w1"); p != diagnose.Unknown {
		t.Errorf("forbidden node = %v, want unknown", p)
	}
	if len(diagnose.EventsFor(ins[0].Pod, ins[0].Events)) != 1 {
		t.Errorf("events: %#v", ins[0].Events)
	}

	if _, err := diagnoseInputs(context.Background(), cs, nil, "shop", false, "", []string{"nope"}, now); err == nil || !strings.Contains(err.Error(), `pod "nope" not found`) {
		t.Errorf("missing pod: %v", err)
	}
	all, err := diagnoseInputs(context.Background(), cs, nil, "shop", true, "", nil, now)
	if err != nil || len(all) != 2 {
		t.Errorf("-A: %d %v", len(all), err)
	}
}

// PodInputs fetches the events and related objects of pods already read,
// without reading or listing any pod: one open of a page is one read.
func TestPodInputsReadsNoPod(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop", UID: "u1"},
		Spec: corev1.PodSpec{NodeName: "w1", Containers: []corev1.Container{{
			Name: "app", Image: "x",
			EnvFrom: []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "gone"}}}},
		}}},
	}
	ev := &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "shop"}, InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: "api", UID: "u1"},
		Reason: "Failed", Message: `Error: secret "gone" not found`, Type: "Warning",
	}
	cs := fake.NewClientset(pod, ev)
	c := &Client{Clientset: cs, Config: &rest.Config{Host: "https://127.0.0.1:1"}}
	ins := c.PodInputs(context.Background(), []*corev1.Pod{pod})
	if len(ins) != 1 || ins[0].Pod != pod || len(diagnose.EventsFor(pod, ins[0].Events)) != 1 {
		t.Fatalf("inputs: %#v", ins)
	}
	if p, _ := ins[0].Related.Lookup(diagnose.KindSecret, "shop", "gone"); p != diagnose.Missing {
		t.Errorf("secret gone = %v, want missing", p)
	}
	for _, a := range cs.Actions() {
		if a.GetResource().Resource == "pods" {
			t.Errorf("PodInputs made a pod request: %s %s", a.GetVerb(), a.GetResource().Resource)
		}
	}
}

func TestDiagnoseInputsReadHistory(t *testing.T) {
	yes := true
	rs := func(name, rev string, ready int32) *appsv1.ReplicaSet {
		return &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{
				Name: name, Namespace: "shop", UID: types.UID(name), Annotations: map[string]string{"deployment.kubernetes.io/revision": rev},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "api", Controller: &yes}},
			},
			Spec:   appsv1.ReplicaSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "api", Image: "api:" + rev}}}}},
			Status: appsv1.ReplicaSetStatus{Replicas: 3, ReadyReplicas: ready, AvailableReplicas: ready},
		}
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
		Name: "api-new-x", Namespace: "shop",
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "api-new", UID: "api-new", Controller: &yes}},
	}}
	cs := fake.NewClientset(pod, rs("api-old", "1", 3), rs("api-new", "2", 0))
	ins, err := diagnoseInputs(context.Background(), cs, nil, "shop", false, "", nil, time.Now())
	if err != nil || len(ins) != 1 {
		t.Fatalf("%d inputs, %v", len(ins), err)
	}
	ch := diagnose.Changes(ins[0])
	if ch == nil || ch.PreviousRevision != 1 || ch.Previous != diagnose.RevisionHealthy || ch.DiffSummary(3) != "image api:1 → 2" {
		t.Fatalf("change = %+v", ch)
	}
	// Forbidden: the revisions are unknown, not an error.
	cs.PrependReactor("list", "replicasets", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "replicasets"}, "", nil)
	})
	ins, err = diagnoseInputs(context.Background(), cs, nil, "shop", false, "", nil, time.Now())
	if err != nil || ins[0].History != nil {
		t.Fatalf("forbidden list: history %+v, %v", ins[0].History, err)
	}
}

func TestPodInputsSayWhyEventsAreMissing(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop", UID: "u1"}}
	cs := fake.NewClientset(pod)
	cs.PrependReactor("list", "events", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "events"}, "", errors.New(`User "dev" cannot list resource "events" in API group "" in the namespace "shop"`))
	})
	c := &Client{Clientset: cs, Config: &rest.Config{Host: "https://127.0.0.1:1"}}
	ins := c.PodInputs(context.Background(), []*corev1.Pod{pod})
	if len(ins) != 1 || !strings.Contains(ins[0].EventsProblem, "listing the events of namespace shop: forbidden") {
		t.Fatalf("EventsProblem = %q", ins[0].EventsProblem)
	}
	cs = fake.NewClientset(pod)
	c = &Client{Clientset: cs, Config: &rest.Config{Host: "https://127.0.0.1:1"}}
	if p := c.PodInputs(context.Background(), []*corev1.Pod{pod})[0].EventsProblem; p != "" {
		t.Fatalf("events read, yet EventsProblem = %q", p)
	}
}
