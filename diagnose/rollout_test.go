package diagnose

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func mustYAML[T any](t *testing.T, s string) *T {
	t.Helper()
	var v T
	if err := yaml.UnmarshalStrict([]byte(s), &v); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return &v
}

func TestTemplateDiff(t *testing.T) {
	base := `
metadata:
  labels: {app: api, pod-template-hash: aaa}
spec:
  serviceAccountName: api
  nodeSelector: {disktype: ssd}
  tolerations:
  - {key: dedicated, operator: Equal, value: api, effect: NoSchedule}
  volumes:
  - name: config
    configMap: {name: api-config-v1}
  - name: creds
    secret: {secretName: db-creds}
  containers:
  - name: api
    image: registry.example.com/shop/api:1.4.2
    command: [/app/api]
    args: [--port=8080]
    env:
    - {name: DB_HOST, value: db}
    - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db-creds, key: password}}}
    - {name: LOG_LEVEL, value: info}
    envFrom:
    - configMapRef: {name: api-env}
    resources:
      requests: {cpu: 100m, memory: 128Mi}
      limits: {memory: 512Mi}
    livenessProbe:
      httpGet: {path: /healthz, port: 8080}
      periodSeconds: 10
      failureThreshold: 3
`
	cases := []struct {
		name  string
		edits []string // old, new, old, new...
		want  []string
	}{
		{"same", nil, nil},
		{"image tag", []string{"api:1.4.2", "api:1.5.0"}, []string{"image registry.example.com/shop/api:1.4.2 → 1.5.0"}},
		{"image repo", []string{"registry.example.com/shop/api:1.4.2", "ghcr.io/shop/api:1.4.2"}, []string{"image registry.example.com/shop/api:1.4.2 → ghcr.io/shop/api:1.4.2"}},
		{
			"env removed and value changed, values never shown",
			[]string{"    - {name: DB_HOST, value: db}\n", "", "{name: LOG_LEVEL, value: info}", "{name: LOG_LEVEL, value: debug}"},
			[]string{"env DB_HOST removed", "env LOG_LEVEL changed"},
		},
		{
			"env source",
			[]string{"secretKeyRef: {name: db-creds, key: password}", "secretKeyRef: {name: db-creds-v2, key: password}"},
			[]string{"env DB_PASSWORD secret db-creds key password → secret db-creds-v2 key password"},
		},
		{"envFrom", []string{"configMapRef: {name: api-env}", "secretRef: {name: api-env}"}, []string{"envFrom configmap api-env removed", "envFrom secret api-env added"}},
		{"command and args", []string{"[/app/api]", "[/app/api, serve]", "[--port=8080]", "[]"}, []string{"command [/app/api] → [/app/api serve]", "args [--port=8080] → []"}},
		{"resources", []string{"limits: {memory: 512Mi}", "limits: {memory: 256Mi, cpu: 500m}"}, []string{"limits.cpu (none) → 500m", "limits.memory 512Mi → 256Mi"}},
		{"probe", []string{"path: /healthz", "path: /health"}, []string{"livenessProbe httpGet /healthz:8080 delay=0s timeout=0s period=10s failures=3 → httpGet /health:8080 delay=0s timeout=0s period=10s failures=3"}},
		{"volume configmap", []string{"api-config-v1", "api-config-v2"}, []string{"volume config configmap api-config-v1 → configmap api-config-v2"}},
		{"service account", []string{"serviceAccountName: api", "serviceAccountName: default"}, []string{"serviceAccount api → default"}},
		{
			"node selector and toleration",
			[]string{"{disktype: ssd}", "{disktype: nvme}", "value: api, effect", "value: web, effect"},
			[]string{"nodeSelector disktype ssd → nvme", "toleration dedicated=api:NoSchedule removed", "toleration dedicated=web:NoSchedule added"},
		},
		{
			"hash label ignored, restart annotation shown",
			[]string{"pod-template-hash: aaa}", "pod-template-hash: bbb}\n  annotations: {kubectl.kubernetes.io/restartedAt: '2026-05-01T11:00:00Z'}"},
			[]string{"annotation kubectl.kubernetes.io/restartedAt=2026-05-01T11:00:00Z added"},
		},
		{"container added", []string{"  containers:\n", "  containers:\n  - {name: proxy, image: envoy:1.30}\n"}, []string{"container proxy added (envoy:1.30)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			next := base
			for i := 0; i+1 < len(tc.edits); i += 2 {
				if !strings.Contains(next, tc.edits[i]) {
					t.Fatalf("edit %q: not in the template", tc.edits[i])
				}
				next = strings.Replace(next, tc.edits[i], tc.edits[i+1], 1)
			}
			a := mustYAML[corev1.PodTemplateSpec](t, base)
			b := mustYAML[corev1.PodTemplateSpec](t, next)
			var got []string
			for _, d := range TemplateDiff(a, b) {
				got = append(got, strings.TrimPrefix(d.Text, "api: "))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

const statefulRevisions = `
apiVersion: apps/v1
kind: ControllerRevision
metadata:
  creationTimestamp: "2026-04-01T10:00:00Z"
  labels:
    app: web
    controller.kubernetes.io/hash: 7b9d6f8c4
  name: web-7b9d6f8c4
  namespace: shop
  ownerReferences:
  - apiVersion: apps/v1
    blockOwnerDeletion: true
    controller: true
    kind: StatefulSet
    name: web
    uid: 5e1d7c2a-0000-4000-8000-000000000001
data:
  spec:
    template:
      $patch: replace
      metadata:
        labels:
          app: web
      spec:
        containers:
        - image: nginx:1.25
          name: web
revision: 1
---
apiVersion: apps/v1
kind: ControllerRevision
metadata:
  creationTimestamp: "2026-05-01T11:50:00Z"
  labels:
    app: web
    controller.kubernetes.io/hash: 6c5cc4fdc7
  name: web-6c5cc4fdc7
  namespace: shop
  ownerReferences:
  - apiVersion: apps/v1
    blockOwnerDeletion: true
    controller: true
    kind: StatefulSet
    name: web
    uid: 5e1d7c2a-0000-4000-8000-000000000001
data:
  spec:
    template:
      $patch: replace
      metadata:
        labels:
          app: web
      spec:
        containers:
        - image: nginx:1.27
          name: web
revision: 2
`

func TestChangesStatefulSet(t *testing.T) {
	h := &History{}
	for _, doc := range strings.Split(statefulRevisions, "---") {
		h.ControllerRevisions = append(h.ControllerRevisions, mustYAML[appsv1.ControllerRevision](t, doc))
	}
	pod := mustYAML[corev1.Pod](t, `
metadata:
  name: web-0
  namespace: shop
  labels: {app: web, controller-revision-hash: web-6c5cc4fdc7, statefulset.kubernetes.io/pod-name: web-0}
  ownerReferences:
  - {apiVersion: apps/v1, kind: StatefulSet, name: web, controller: true, uid: 5e1d7c2a-0000-4000-8000-000000000001}
`)
	ch := Changes(Input{Pod: pod, History: h})
	if ch == nil {
		t.Fatal("no change found")
	}
	if ch.Owner.String() != "statefulset/web" || ch.Revision != 2 || ch.PreviousRevision != 1 || !ch.Latest || ch.Previous != RevisionUnknown {
		t.Errorf("change = %+v", ch)
	}
	if got := ch.DiffSummary(3); got != "image nginx:1.25 → 1.27" {
		t.Errorf("diff = %q", got)
	}
	if got := ch.UndoCommand("shop"); got != "kubectl rollout undo statefulset/web -n shop --to-revision=1" {
		t.Errorf("undo = %q", got)
	}
	if !ch.RolledOut.Equal(time.Date(2026, 5, 1, 11, 50, 0, 0, time.UTC)) {
		t.Errorf("rolled out %v", ch.RolledOut)
	}
	// The old pod (revision 1) is not on the newest revision, and nothing
	// came before it.
	pod.Labels["controller-revision-hash"] = "web-7b9d6f8c4"
	if ch := Changes(Input{Pod: pod, History: h}); ch != nil {
		t.Errorf("revision 1 has no previous one, got %+v", ch)
	}
}
