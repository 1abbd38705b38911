package kube

import (
	"bytes"
	"context"
	"encoding/base64"
	"reflect"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/podtui/podtui/diagnose"
)

// holds reports whether any string or byte slice reachable from v contains
// needle: a deep search through pointers, maps, slices, structs and
// interfaces (unexported fields included).
func holds(v reflect.Value, needle []byte, seen map[uintptr]bool) bool {
	switch v.Kind() {
	case reflect.String:
		return bytes.Contains([]byte(v.String()), needle)
	case reflect.Pointer, reflect.Map, reflect.Slice:
		if v.IsNil() {
			return false
		}
		if p := v.Pointer(); p != 0 && v.Kind() != reflect.Slice {
			if seen[p] {
				return false
			}
			seen[p] = true
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && holds(v.Elem(), needle, seen)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, v.Len())
			for i := range b {
				b[i] = byte(v.Index(i).Uint())
			}
			return bytes.Contains(b, needle)
		}
		for i := range v.Len() {
			if holds(v.Index(i), needle, seen) {
				return true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if holds(it.Key(), needle, seen) || holds(it.Value(), needle, seen) {
				return true
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if holds(v.Field(i), needle, seen) {
				return true
			}
		}
	}
	return false
}

// TestSecretValuesAreNeverKept reads a pod that uses a Secret in every way
// (env, envFrom, volume, projected volume, image pull secret) and checks
// that the diagnose inputs hold the Secret's key names and not one byte of
// its values, not even the copy kubectl apply leaves in an annotation.
func TestSecretValuesAreNeverKept(t *testing.T) {
	defer goleak.VerifyNone(t)
	const value, strValue = "hunter2-very-secret-value", "stringdata-secret-value"
	ref := corev1.LocalObjectReference{Name: "db-creds"}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop", UID: "u1"},
		Spec: corev1.PodSpec{
			ImagePullSecrets: []corev1.LocalObjectReference{ref},
			Containers: []corev1.Container{{
				Name: "app", Image: "x",
				Env:     []corev1.EnvVar{{Name: "PW", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: ref, Key: "password"}}}},
				EnvFrom: []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: ref}}},
			}},
			Volumes: []corev1.Volume{
				{Name: "v", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "db-creds"}}},
				{Name: "p", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{Secret: &corev1.SecretProjection{LocalObjectReference: ref}}}}}},
			},
		},
		Status: corev1.PodStatus{Phase: corev1.PodPending},
	}
	sec := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "db-creds", Namespace: "shop", Annotations: map[string]string{
			"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"password":"` + base64.StdEncoding.EncodeToString([]byte(value)) + `"}}`,
			"note": value,
		}},
		Data:       map[string][]byte{"password": []byte(value), "user": []byte(value)},
		StringData: map[string]string{"token": strValue},
	}
	cs := fake.NewClientset(pod, sec)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, all := range []bool{false, true} {
		ins, err := diagnoseInputs(context.Background(), cs, nil, "shop", all, "", nil, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(ins) != 1 {
			t.Fatalf("inputs: %d", len(ins))
		}
		p, keys := ins[0].Related.Lookup(diagnose.KindSecret, "shop", "db-creds")
		slices.Sort(keys)
		if p != diagnose.Exists || !slices.Equal(keys, []string{"password", "token", "user"}) {
			t.Errorf("secret = %v with keys %v, want it present with its three key names", p, keys)
		}
		// The search itself works: the names are found.
		if !holds(reflect.ValueOf(ins), []byte("db-creds"), map[uintptr]bool{}) || !holds(reflect.ValueOf(ins), []byte("password"), map[uintptr]bool{}) {
			t.Fatal("the deep search does not find the secret's name and key: it cannot be trusted")
		}
		for _, needle := range []string{value, strValue, base64.StdEncoding.EncodeToString([]byte(value)), "hunter2"} {
			if holds(reflect.ValueOf(ins), []byte(needle), map[uintptr]bool{}) {
				t.Errorf("all=%v: the diagnose inputs hold %q", all, needle)
			}
		}
	}
}

// TestForbiddenSecretIsUnknown: where RBAC forbids reading Secrets, the
// diagnosis says unknown, never missing.
func TestForbiddenSecretIsUnknown(t *testing.T) {
	defer goleak.VerifyNone(t)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop", UID: "u1"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "app", Image: "x",
			EnvFrom: []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "hidden"}}}},
		}}},
	}
	cs := fake.NewClientset(pod)
	cs.PrependReactor("*", "secrets", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "hidden", nil)
	})
	ins, err := diagnoseInputs(context.Background(), cs, nil, "shop", false, "", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := ins[0].Related.Lookup(diagnose.KindSecret, "shop", "hidden"); p != diagnose.Unknown {
		t.Errorf("forbidden secret = %v, want unknown", p)
	}
}
