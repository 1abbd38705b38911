package e2e

import (
	"errors"
	"os/exec"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func envFromSecret(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key,
	}}}
}

func createSecret(t *testing.T, ns, name string, keys ...string) {
	t.Helper()
	data := map[string][]byte{}
	for _, k := range keys {
		data[k] = []byte("not-a-real-value")
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: data}
	if _, err := cluster.Client().CoreV1().Secrets(ns).Create(ctx(t), s, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func asExitError(err error, target **exec.ExitError) bool { return errors.As(err, target) }
