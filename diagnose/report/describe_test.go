package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
)

// clockNow is the time undated describe text is judged at in these tests.
var clockNow = time.Date(2026, 5, 2, 8, 0, 0, 0, time.UTC)

func at(hms string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", hms)
	if err != nil {
		panic(err)
	}
	return t
}

func loadDescribe(t *testing.T, file string) *Bundle {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "describe", file))
	if err != nil {
		t.Fatal(err)
	}
	return loadText(t, file, string(data))
}

func loadText(t *testing.T, name, text string) *Bundle {
	t.Helper()
	b := NewBundle()
	b.Clock = func() time.Time { return clockNow }
	if err := b.Load(name, strings.NewReader(text)); err != nil {
		t.Fatal(err)
	}
	return b
}

// expect compares what was read with what the text says.
func expect(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func pod(t *testing.T, b *Bundle, name string) *corev1.Pod {
	t.Helper()
	for _, p := range b.Pods {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no pod %s in %d pods", name, len(b.Pods))
	return nil
}

func status(t *testing.T, p *corev1.Pod, name string) corev1.ContainerStatus {
	t.Helper()
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, s := range list {
			if s.Name == name {
				return s
			}
		}
	}
	t.Fatalf("no status of container %s", name)
	return corev1.ContainerStatus{}
}

// event is the first event of the reason whose message starts with prefix.
func event(t *testing.T, b *Bundle, reason, prefix string) diagnose.Event {
	t.Helper()
	for _, e := range b.Events {
		if e.Reason == reason && strings.HasPrefix(e.Message, prefix) {
			return e
		}
	}
	t.Fatalf("no %s event %q", reason, prefix)
	return diagnose.Event{}
}

func volume(t *testing.T, p *corev1.Pod, name string) corev1.VolumeSource {
	t.Helper()
	for _, v := range p.Spec.Volumes {
		if v.Name == name {
			return v.VolumeSource
		}
	}
	t.Fatalf("no volume %s", name)
	return corev1.VolumeSource{}
}

func env(t *testing.T, c corev1.Container, name string) corev1.EnvVar {
	t.Helper()
	for _, e := range c.Env {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("container %s has no env %s", c.Name, name)
	return corev1.EnvVar{}
}

func quantities(l corev1.ResourceList) map[string]string {
	m := map[string]string{}
	for k, v := range l {
		m[string(k)] = v.String()
	}
	return m
}

// Each file is real kubectl describe output (names and addresses changed,
// the kubelet's and scheduler's wording kept). The engine must explain it
// as it explains the same pod read from the API.
func TestLoadDescribeFiles(t *testing.T) {
	tests := []struct {
		file  string
		now   time.Time         // when kubectl ran, as estimated
		rules map[string]string // pod -> rule of its top finding; "" for none
		check func(t *testing.T, b *Bundle)
	}{
		{
			file: "crashloop-exit-1.txt", now: at("2026-05-01 12:00:00"),
			rules: map[string]string{"api-7d9c5-x2k4p": "crash/exit-error"},
			check: func(t *testing.T, b *Bundle) {
				p := pod(t, b, "api-7d9c5-x2k4p")
				expect(t, "namespace", p.Namespace, "shop")
				expect(t, "phase", p.Status.Phase, corev1.PodRunning)
				expect(t, "node", p.Spec.NodeName+" "+p.Status.HostIP, "worker-1 10.0.0.5")
				expect(t, "service account", p.Spec.ServiceAccountName, "api")
				expect(t, "start", p.Status.StartTime.UTC(), at("2026-05-01 11:46:00"))
				expect(t, "created", p.CreationTimestamp.UTC(), at("2026-05-01 11:46:00"))
				expect(t, "labels", p.Labels, map[string]string{"app": "api", "pod-template-hash": "7d9c5"})
				expect(t, "owner", fmt.Sprint(p.OwnerReferences[0].APIVersion, " ", p.OwnerReferences[0].Kind, "/", p.OwnerReferences[0].Name, " ", *p.OwnerReferences[0].Controller), "apps/v1 ReplicaSet/api-7d9c5 true")
				expect(t, "pod IP", p.Status.PodIP+" "+p.Status.PodIPs[0].IP, "10.244.1.23 10.244.1.23")
				expect(t, "qos", p.Status.QOSClass, corev1.PodQOSBurstable)
				s := status(t, p, "api")
				expect(t, "waiting", s.State.Waiting.Reason, "CrashLoopBackOff")
				lt := s.LastTerminationState.Terminated
				expect(t, "last state", fmt.Sprint(lt.Reason, " ", lt.ExitCode, " ", lt.StartedAt.UTC(), " ", lt.FinishedAt.UTC()), "Error 1 2026-05-01 11:53:40 +0000 UTC 2026-05-01 11:53:42 +0000 UTC")
				expect(t, "restarts, ready", fmt.Sprint(s.RestartCount, " ", s.Ready), "6 false")
				expect(t, "image", s.Image+" "+s.ImageID[:23], "ghcr.io/shop/api:1.4.2 ghcr.io/shop/api@sha256")
				c := p.Spec.Containers[0]
				expect(t, "port", fmt.Sprint(c.Ports), "[{ 0 8080 TCP }]")
				expect(t, "limits", quantities(c.Resources.Limits), map[string]string{"cpu": "500m", "memory": "512Mi"})
				expect(t, "requests", quantities(c.Resources.Requests), map[string]string{"cpu": "250m", "memory": "256Mi"})
				lp := c.LivenessProbe
				expect(t, "liveness", fmt.Sprintf("%s %s %s delay=%d timeout=%d period=%d success=%d failure=%d", lp.HTTPGet.Scheme, lp.HTTPGet.Port.String(), lp.HTTPGet.Path, lp.InitialDelaySeconds, lp.TimeoutSeconds, lp.PeriodSeconds, lp.SuccessThreshold, lp.FailureThreshold), "HTTP 8080 /healthz delay=10 timeout=1 period=10 success=1 failure=3")
				expect(t, "readiness path", c.ReadinessProbe.HTTPGet.Path, "/ready")
				expect(t, "env from", c.EnvFrom[0].ConfigMapRef.Name+fmt.Sprint(*c.EnvFrom[0].ConfigMapRef.Optional), "api-configfalse")
				expect(t, "DB_HOST", env(t, c, "DB_HOST").Value, "postgres.shop.svc.cluster.local")
				ref := env(t, c, "DB_PASSWORD").ValueFrom.SecretKeyRef
				expect(t, "DB_PASSWORD", fmt.Sprint(ref.Name, " ", ref.Key, " ", *ref.Optional), "db-credentials password false")
				expect(t, "POD_NAME", *env(t, c, "POD_NAME").ValueFrom.FieldRef, corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"})
				expect(t, "mounts", c.VolumeMounts, []corev1.VolumeMount{
					{Name: "config", MountPath: "/etc/api", ReadOnly: true},
					{Name: "kube-api-access-7xk2p", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true},
				})
				expect(t, "config volume", volume(t, p, "config").ConfigMap.Name, "api-config")
				pr := volume(t, p, "kube-api-access-7xk2p").Projected.Sources
				expect(t, "projected", fmt.Sprintf("%d sources: token %ds, configmap %s (optional unknown: %t), downward API %t", len(pr), *pr[0].ServiceAccountToken.ExpirationSeconds, pr[1].ConfigMap.Name, pr[1].ConfigMap.Optional == nil, pr[2].DownwardAPI != nil), "3 sources: token 3607s, configmap kube-root-ca.crt (optional unknown: true), downward API true")
				expect(t, "conditions", len(p.Status.Conditions), 5)
				expect(t, "ready condition", p.Status.Conditions[2], corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse})
				expect(t, "tolerations", fmt.Sprint(p.Spec.Tolerations[1].Key, " ", p.Spec.Tolerations[1].Operator, " ", p.Spec.Tolerations[1].Effect, " ", *p.Spec.Tolerations[1].TolerationSeconds), "node.kubernetes.io/unreachable Exists NoExecute 300")
				expect(t, "events", len(b.Events), 5)
				e := event(t, b, "BackOff", "Back-off restarting")
				expect(t, "backoff", fmt.Sprint(e.Type, " ", e.Count, " ", e.Source, " ", e.FirstTime.UTC().Format("15:04:05"), " ", e.LastTime.UTC().Format("15:04:05")), "Warning 52 kubelet 11:47:00 11:58:00")
				expect(t, "backoff object", e.Object, corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: "api-7d9c5-x2k4p"})
				expect(t, "backoff message", e.Message, "Back-off restarting failed container api in pod api-7d9c5-x2k4p_shop(5b0f6c1e-2d3a-4b9c-8e7f-1a2b3c4d5e6f)")
			},
		},
		{
			file: "image-not-found.txt", now: at("2026-04-30 09:15:05"),
			rules: map[string]string{"web-6b8f9d7c4-q2lmn": "image/not-found"},
			check: func(t *testing.T, b *Bundle) {
				p := pod(t, b, "web-6b8f9d7c4-q2lmn")
				expect(t, "phase", p.Status.Phase, corev1.PodPending)
				expect(t, "priority class", p.Spec.PriorityClassName, "")
				s := status(t, p, "web")
				expect(t, "waiting", s.State.Waiting.Reason, "ImagePullBackOff")
				expect(t, "container ID", s.ContainerID, "")
				expect(t, "secret volume", volume(t, p, "default-token-x7k2m").Secret.SecretName, "default-token-x7k2m")
				expect(t, "old toleration", fmt.Sprintf("op=%q for %ds", p.Spec.Tolerations[0].Operator, *p.Spec.Tolerations[0].TolerationSeconds), `op="" for 300s`)
				expect(t, "events", len(b.Events), 6)
				e := event(t, b, "Failed", "Failed to pull image")
				expect(t, "failed", fmt.Sprint(e.Count, " ", e.Source, " ", e.Host, " ", e.LastTime.UTC().Format("15:04:05")), "4 kubelet worker-2 09:13:36")
				expect(t, "message", e.Message, `Failed to pull image "registry.example.com/store/web:2.3.1": rpc error: code = Unknown desc = Error response from daemon: manifest for registry.example.com/store/web:2.3.1 not found`)
			},
		},
		{
			// Never scheduled: the text holds no date, so it is judged as of the clock.
			file: "pending-insufficient-cpu.txt", now: clockNow,
			rules: map[string]string{"worker-5c9d8f7b6-h4k8z": "schedule/insufficient-resources"},
			check: func(t *testing.T, b *Bundle) {
				p := pod(t, b, "worker-5c9d8f7b6-h4k8z")
				expect(t, "from clock", b.NowFromClock, true)
				expect(t, "node", p.Spec.NodeName, "")
				expect(t, "start", p.Status.StartTime == nil, true)
				expect(t, "statuses", len(p.Status.ContainerStatuses), 0)
				expect(t, "requests", quantities(p.Spec.Containers[0].Resources.Requests), map[string]string{"cpu": "4", "memory": "8Gi"})
				expect(t, "conditions", p.Status.Conditions, []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse}})
				expect(t, "projected optional", *volume(t, p, "kube-api-access-m2x9q").Projected.Sources[1].ConfigMap.Optional, false)
				e := event(t, b, "FailedScheduling", "0/3 nodes")
				expect(t, "count", e.Count, int32(5))
				expect(t, "times", [2]time.Time{e.FirstTime, e.LastTime}, [2]time.Time{clockNow.Add(-22 * time.Minute), clockNow.Add(-157 * time.Second)})
				expect(t, "created", p.CreationTimestamp.Time, clockNow.Add(-22*time.Minute))
			},
		},
		{
			// A Job's pod: describe prints no restart policy, the owner tells it.
			file: "job-failed.txt", now: at("2026-05-01 11:10:00"),
			rules: map[string]string{"backup-28893140-x7k2q": "crash/exit-error"},
			check: func(t *testing.T, b *Bundle) {
				p := pod(t, b, "backup-28893140-x7k2q")
				expect(t, "restart policy", p.Spec.RestartPolicy, corev1.RestartPolicyNever)
				expect(t, "exit code", status(t, p, "backup").State.Terminated.ExitCode, int32(2))
			},
		},
		{
			// Never scheduled and its events expired: only PodScheduled=False is left.
			file: "pending-events-expired.txt", now: clockNow,
			rules: map[string]string{"ml-train-0": "schedule/other"},
			check: func(t *testing.T, b *Bundle) {
				p := pod(t, b, "ml-train-0")
				expect(t, "events", len(b.Events), 0)
				expect(t, "conditions", p.Status.Conditions, []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse}})
			},
		},
		{
			file: "configmap-missing.txt", now: at("2026-05-01 12:00:00"),
			rules: map[string]string{"frontend-84d7c9b5f-tq6wz": "config/configmap-missing"},
			check: func(t *testing.T, b *Bundle) {
				p := pod(t, b, "frontend-84d7c9b5f-tq6wz")
				expect(t, "waiting", status(t, p, "nginx").State.Waiting.Reason, "ContainerCreating")
				expect(t, "subPath mount", p.Spec.Containers[0].VolumeMounts[1], corev1.VolumeMount{Name: "conf", MountPath: "/etc/nginx/nginx.conf", SubPath: "nginx.conf", ReadOnly: true})
				expect(t, "volumes", len(p.Spec.Volumes), 3)
				expect(t, "conf volume", volume(t, p, "conf").ConfigMap.Name, "nginx-conf")
				e := event(t, b, "FailedMount", "MountVolume.SetUp")
				expect(t, "failed mount", fmt.Sprint(e.Count, " ", e.FirstTime.UTC().Format("15:04:05"), " ", e.LastTime.UTC().Format("15:04:05")), "13 11:49:00 11:56:59")
				expect(t, "message", e.Message, `MountVolume.SetUp failed for volume "config" : configmap "app-config" not found`)
				expect(t, "second", event(t, b, "FailedMount", "Unable").Message, "Unable to attach or mount volumes: unmounted volumes=[config], unattached volumes=[conf kube-api-access-p8d2w config]: timed out waiting for the condition")
			},
		},
		{
			file: "oomkilled.txt", now: at("2026-05-01 12:00:00"),
			rules: map[string]string{"search-indexer-6f5d8c7b9-7wq4r": "oom/killed"},
			check: func(t *testing.T, b *Bundle) {
				p := pod(t, b, "search-indexer-6f5d8c7b9-7wq4r")
				expect(t, "priority", fmt.Sprint(*p.Spec.Priority, " ", p.Spec.PriorityClassName), "1000 batch-high")
				expect(t, "annotations", p.Annotations, map[string]string{"prometheus.io/port": "9102", "prometheus.io/scrape": "true"})
				s := status(t, p, "indexer")
				expect(t, "running since", s.State.Running.StartedAt.UTC(), at("2026-05-01 11:58:10"))
				expect(t, "last state", fmt.Sprintf("%s %d, %d restarts, ready %t", s.LastTerminationState.Terminated.Reason, s.LastTerminationState.Terminated.ExitCode, s.RestartCount, s.Ready), "OOMKilled 137, 4 restarts, ready true")
				c := p.Spec.Containers[0]
				expect(t, "ports", c.Ports, []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9102, Protocol: "TCP"}, {Name: "http", ContainerPort: 8080, Protocol: "TCP"}})
				expect(t, "named probe port", c.ReadinessProbe.HTTPGet.Port.String(), "http")
				expect(t, "multi-line env", env(t, c, "APP_SETTINGS").Value, "cache:\n  size: 512\n  ttl: 60s")
				expect(t, "resource env", env(t, c, "CPU_LIMIT").ValueFrom.ResourceFieldRef.Resource, "limits.cpu")
				expect(t, "emptyDir", volume(t, p, "scratch").EmptyDir.SizeLimit.String(), "2Gi")
				expect(t, "mount rw", c.VolumeMounts[0].ReadOnly, false)
			},
		},
		{
			file: "secret-missing.txt", now: at("2026-05-01 12:00:00"),
			rules: map[string]string{"orders-5f7c9d8b6-lx2pq": "config/secret-missing"},
			check: func(t *testing.T, b *Bundle) {
				p := pod(t, b, "orders-5f7c9d8b6-lx2pq")
				expect(t, "waiting", status(t, p, "orders").State.Waiting.Reason, "CreateContainerConfigError")
				c := p.Spec.Containers[0]
				expect(t, "secret ref", *env(t, c, "DB_USER").ValueFrom.SecretKeyRef, corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "username", Optional: ptr(false)})
				cm := env(t, c, "FEATURE_FLAGS").ValueFrom.ConfigMapKeyRef
				expect(t, "config map ref", fmt.Sprint(cm.Name, " ", cm.Key, " ", *cm.Optional), "orders-flags flags true")
				e := event(t, b, "Failed", "Error:")
				expect(t, "failed", fmt.Sprint(e.Count, " ", e.Message, " ", e.LastTime.UTC().Format("15:04:05")), `12 Error: secret "db" not found 11:59:56`)
			},
		},
		{
			file: "liveness-killing.txt", now: at("2026-05-01 12:00:00"),
			rules: map[string]string{"catalog-7b9f6d5c4-zr8mt": "probe/liveness-killing"},
			check: func(t *testing.T, b *Bundle) {
				p := pod(t, b, "catalog-7b9f6d5c4-zr8mt")
				c := p.Spec.Containers[0]
				expect(t, "liveness thresholds", [2]int32{c.LivenessProbe.SuccessThreshold, c.LivenessProbe.FailureThreshold}, [2]int32{1, 3})
				expect(t, "tcp readiness", c.ReadinessProbe.TCPSocket.Port.IntValue(), 8080)
				expect(t, "last exit", status(t, p, "catalog").LastTerminationState.Terminated.ExitCode, int32(137))
				k := event(t, b, "Killing", "Container catalog")
				// kubectl since 1.35 names the container before the message.
				expect(t, "killing", fmt.Sprint(k.Object.FieldPath, " ", k.Count, " ", k.Message), "spec.containers{catalog} 3 Container catalog failed liveness probe, will be restarted")
				u := event(t, b, "Unhealthy", "Liveness")
				expect(t, "unhealthy", fmt.Sprint(u.Count, " ", u.FirstTime.UTC().Format("15:04:05"), " ", u.LastTime.UTC().Format("15:04:05")), "10 11:53:31 11:59:51")
			},
		},
		{
			// Its dates are the start time and an eviction 21m after it:
			// kubectl ran 21m after the start at the least.
			file: "evicted.txt", now: at("2026-05-01 11:41:00"),
			rules: map[string]string{"report-builder-59c8d7f6b-k7n2s": "evicted/node-pressure"},
			check: func(t *testing.T, b *Bundle) {
				p := pod(t, b, "report-builder-59c8d7f6b-k7n2s")
				expect(t, "phase, reason", string(p.Status.Phase)+" "+p.Status.Reason, "Failed Evicted")
				expect(t, "message", p.Status.Message, "The node was low on resource: memory. Threshold quantity: 100Mi, available: 87472Ki. Container builder was using 1843Mi, request is 256Mi, has larger consumption of memory.")
				term := status(t, p, "builder").State.Terminated
				expect(t, "terminated", fmt.Sprintf("%s %d %q zero times: %t %t", term.Reason, term.ExitCode, term.Message, term.StartedAt.IsZero(), term.FinishedAt.IsZero()), `ContainerStatusUnknown 137 "The container could not be located when the pod was terminated" zero times: true true`)
				expect(t, "disruption", p.Status.Conditions[0].Type, corev1.DisruptionTarget)
				expect(t, "evicted at", event(t, b, "Evicted", "The node").LastTime.UTC(), at("2026-05-01 11:20:00"))
			},
		},
		{
			file: "two-pods.txt", now: at("2026-05-01 09:44:00"),
			rules: map[string]string{"web-0": "", "web-1": "terminating/stuck"},
			check: func(t *testing.T, b *Bundle) {
				web0, web1 := pod(t, b, "web-0"), pod(t, b, "web-1")
				expect(t, "UIDs differ", web0.UID != web1.UID && web0.UID != "", true)
				expect(t, "web-0 deleted", web0.DeletionTimestamp == nil, true)
				expect(t, "web-1 deleted", web1.DeletionTimestamp.UTC(), at("2026-05-01 09:30:00"))
				expect(t, "grace", *web1.DeletionGracePeriodSeconds, int64(30))
				expect(t, "web-1 phase", web1.Status.Phase, corev1.PodRunning)
				expect(t, "owner", web1.OwnerReferences[0].APIVersion+" "+web1.OwnerReferences[0].Kind, "apps/v1 StatefulSet")
				expect(t, "pvc", *volume(t, web0, "www").PersistentVolumeClaim, corev1.PersistentVolumeClaimVolumeSource{ClaimName: "www-web-0"})
				expect(t, "labels", len(web1.Labels), 4)
				expect(t, "events", len(b.Events), 1)
				expect(t, "event of", event(t, b, "Killing", "").Object.Name, "web-1")
			},
		},
		{
			// A paste: a command line, fences, CRLF ends; a termination
			// message over several lines; an init container and a sidecar.
			file: "crash-panic-fenced.txt", now: at("2026-05-01 11:59:00"),
			rules: map[string]string{"payments-api-6d8c7b9f5-m3xq2": "crash/exit-error"},
			check: func(t *testing.T, b *Bundle) {
				p := pod(t, b, "payments-api-6d8c7b9f5-m3xq2")
				expect(t, "init containers", len(p.Spec.InitContainers), 2)
				migrate, shipper := p.Spec.InitContainers[0], p.Spec.InitContainers[1]
				expect(t, "command", migrate.Command, []string{"/app/migrate"})
				expect(t, "args", migrate.Args, []string{"--database-url=$(DATABASE_URL)", "up"})
				expect(t, "init done", status(t, p, "migrate").State.Terminated.Reason, "Completed")
				expect(t, "sidecar", shipper.RestartPolicy != nil && *shipper.RestartPolicy == corev1.ContainerRestartPolicyAlways, true)
				expect(t, "init is no sidecar", migrate.RestartPolicy, (*corev1.ContainerRestartPolicy)(nil))
				expect(t, "sidecar subPath", shipper.VolumeMounts[0].SubPath, "fluent-bit.conf")
				lt := status(t, p, "app").LastTerminationState.Terminated
				expect(t, "exit", lt.ExitCode, int32(2))
				expect(t, "message", lt.Message, "panic: runtime error: invalid memory address or nil pointer dereference\n"+
					"[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6b3c2f]\n\ngoroutine 1 [running]:\nmain.(*Server).Start(0x0)\n"+
					"  /src/server.go:42 +0x2f\nmain.main()\n  /src/main.go:18 +0x85\n")
				c := p.Spec.Containers[0]
				expect(t, "gpu", quantities(c.Resources.Limits)["nvidia.com/gpu"], "1")
				expect(t, "exec probe", c.LivenessProbe.Exec.Command, []string{"sh", "-c", "/app/healthcheck", "--live"})
				expect(t, "grpc probe", fmt.Sprintf("port %d, no service %t, failure %d", c.StartupProbe.GRPC.Port, c.StartupProbe.GRPC.Service == nil, c.StartupProbe.FailureThreshold), "port 9090, no service true, failure 30")
				expect(t, "env from prefix", fmt.Sprint(c.EnvFrom[1].SecretRef.Name, " ", c.EnvFrom[1].Prefix, " ", *c.EnvFrom[1].SecretRef.Optional), "payments-keys KEY_ true")
				expect(t, "host IP env", env(t, c, "NODE_IP").ValueFrom.FieldRef.FieldPath, "status.hostIP")
				expect(t, "node selector", p.Spec.NodeSelector, map[string]string{"kubernetes.io/os": "linux", "node.kubernetes.io/pool": "payments"})
				expect(t, "toleration", p.Spec.Tolerations[0], corev1.Toleration{Key: "dedicated", Value: "payments", Effect: corev1.TaintEffectNoSchedule})
				expect(t, "memory emptyDir", volume(t, p, "logs").EmptyDir.Medium, corev1.StorageMediumMemory)
				expect(t, "annotation", p.Annotations["kubectl.kubernetes.io/restartedAt"], "2026-05-01T11:39:51Z")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := loadDescribe(t, tt.file)
			if !b.Now.Equal(tt.now) {
				t.Errorf("now = %v, want %v", b.Now.UTC(), tt.now)
			}
			if len(b.Pods) != len(tt.rules) {
				t.Fatalf("%d pods, want %d", len(b.Pods), len(tt.rules))
			}
			for _, in := range b.Inputs(b.Now) {
				want := tt.rules[in.Pod.Name]
				fs := diagnose.Diagnose(in)
				got := ""
				if len(fs) > 0 && fs[0].Severity >= diagnose.SeverityWarning {
					got = fs[0].Rule
				}
				if got != want {
					t.Errorf("%s: top finding %q, want %q; findings: %v", in.Pod.Name, got, want, fs)
				}
			}
			tt.check(t, b)
		})
	}
}

// paste turns the text into what a paste often makes of it.
var paste = map[string]func(string) string{
	"CRLF, command line, fences": func(s string) string {
		return strings.ReplaceAll("$ kubectl describe pod x -n y\n```console\n"+s+"```\n", "\n", "\r\n")
	},
	"indented as a whole": func(s string) string {
		return regexp.MustCompile(`(?m)^`).ReplaceAllString(s, "    ")
	},
	"trailing spaces": func(s string) string {
		return strings.ReplaceAll(s, "\n", "   \t\n")
	},
	"columns two spaces apart": func(s string) string {
		return regexp.MustCompile(`(\S)  +`).ReplaceAllString(s, "$1  ")
	},
	"columns one space apart": func(s string) string {
		return regexp.MustCompile(`(\S)  +`).ReplaceAllString(s, "$1 ")
	},
	"columns as tabs": func(s string) string {
		return regexp.MustCompile(`(\S)  +`).ReplaceAllString(s, "$1\t")
	},
}

// A paste reads as the text kubectl printed.
func TestLoadDescribeLenient(t *testing.T) {
	for _, file := range []string{"crashloop-exit-1.txt", "liveness-killing.txt", "two-pods.txt"} {
		data, err := os.ReadFile(filepath.Join("testdata", "describe", file))
		if err != nil {
			t.Fatal(err)
		}
		want := loadText(t, file, string(data))
		for name, change := range paste {
			t.Run(file+"/"+name, func(t *testing.T) {
				got := loadText(t, file, change(string(data)))
				if !reflect.DeepEqual(got.Pods, want.Pods) {
					t.Errorf("pods differ:\n%#v\nwant\n%#v", got.Pods, want.Pods)
				}
				if !reflect.DeepEqual(got.Events, want.Events) {
					t.Errorf("events differ:\n%#v\nwant\n%#v", got.Events, want.Events)
				}
				if !got.Now.Equal(want.Now) {
					t.Errorf("now %v, want %v", got.Now, want.Now)
				}
			})
		}
	}
}

const eventsPod = "Name:         p\nNamespace:    ns\nStatus:       Running\nContainers:   <none>\n"

// The Events table as kubectl printed it over the years, and as pastes
// re-space it.
func TestDescribeEvents(t *testing.T) {
	// kubectl ran after the start by the age of the oldest event the
	// kubelet reported (the scheduler's may be older than the start).
	start := "Start Time:   Fri, 01 May 2026 10:00:00 +0000\n"
	type ev struct {
		typ, reason, source, host, fieldPath, msg string
		count                                     int32
		first, last                               time.Duration // before now; -1 when unknown
	}
	tests := []struct {
		name, table string
		oldest      time.Duration
		want        []ev
	}{
		{
			name: "today's", oldest: 5*time.Hour + 30*time.Minute,
			table: `Events:
  Type     Reason     Age                   From     Message
  ----     ------     ----                  ----     -------
  Warning  BackOff    2m (x95 over 2h)      kubelet  Back-off restarting failed container app in pod p_ns(u)
  Normal   Pulled     5h30m                 kubelet  spec.initContainers{init}: Container image "busybox" already present on machine
  Normal   Started    3m12s                          Started container app
  Warning  Failed     <unknown>             kubelet  Error: x
  Normal   Created    <invalid>             kubelet  Created container app
`,
			want: []ev{
				{"Warning", "BackOff", "kubelet", "", "", "Back-off restarting failed container app in pod p_ns(u)", 95, 2 * time.Hour, 2 * time.Minute},
				{"Normal", "Pulled", "kubelet", "", "spec.initContainers{init}", `Container image "busybox" already present on machine`, 1, 5*time.Hour + 30*time.Minute, 5*time.Hour + 30*time.Minute},
				{"Normal", "Started", "", "", "", "Started container app", 1, 3*time.Minute + 12*time.Second, 3*time.Minute + 12*time.Second},
				{"Warning", "Failed", "kubelet", "", "", "Error: x", 1, -1, -1},
				{"Normal", "Created", "kubelet", "", "", "Created container app", 1, 0, 0},
			},
		},
		{
			name: "older From with the host, messages over several lines", oldest: 48 * time.Hour,
			table: `Events:
  Type     Reason       Age               From                Message
  ----     ------       ----              ----                -------
  Warning  FailedMount  2d (x12 over 2d)  kubelet, worker-1   MountVolume.SetUp failed for volume "nfs" : mount failed: exit status 32
Mounting command: mount
Output: mount.nfs: Connection timed out
  Normal   Scheduled    2d                default-scheduler   Successfully assigned ns/p to worker-1
`,
			want: []ev{
				{"Warning", "FailedMount", "kubelet", "worker-1", "", "MountVolume.SetUp failed for volume \"nfs\" : mount failed: exit status 32\nMounting command: mount\nOutput: mount.nfs: Connection timed out", 12, 48 * time.Hour, 48 * time.Hour},
				{"Normal", "Scheduled", "default-scheduler", "", "", "Successfully assigned ns/p to worker-1", 1, 48 * time.Hour, 48 * time.Hour},
			},
		},
		{
			name: "re-spaced by hand", oldest: 30 * time.Second,
			table: `Events:
  Type Reason Age From Message
  ---- ------ ---- ---- -------
  Warning Unhealthy 10s (x3 over 30s) kubelet, worker-2 Liveness probe failed: HTTP probe failed with statuscode: 500
  Normal  Killing  10s  kubelet  Container app failed liveness probe, will be restarted
`,
			want: []ev{
				{"Warning", "Unhealthy", "kubelet", "worker-2", "", "Liveness probe failed: HTTP probe failed with statuscode: 500", 3, 30 * time.Second, 10 * time.Second},
				{"Normal", "Killing", "kubelet", "", "", "Container app failed liveness probe, will be restarted", 1, 10 * time.Second, 10 * time.Second},
			},
		},
		{
			name: "kubectl before 1.10", oldest: 2 * time.Hour,
			table: `Events:
  FirstSeen	LastSeen	Count	From			SubObjectPath		Type		Reason		Message
  ---------	--------	-----	----			-------------		--------	------		-------
  2h		3m		72	{kubelet worker-1}	spec.containers{app}	Warning		BackOff		Back-off restarting failed container
  2h		2h		1	{default-scheduler }				Normal		Scheduled	Successfully assigned p to worker-1
`,
			want: []ev{
				{"Warning", "BackOff", "kubelet", "worker-1", "spec.containers{app}", "Back-off restarting failed container", 72, 2 * time.Hour, 3 * time.Minute},
				{"Normal", "Scheduled", "default-scheduler", "", "", "Successfully assigned p to worker-1", 1, 2 * time.Hour, 2 * time.Hour},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := loadText(t, "events.txt", eventsPod+start+tt.table)
			now := at("2026-05-01 10:00:00").Add(tt.oldest)
			if !b.Now.Equal(now) {
				t.Errorf("now = %v, want %v", b.Now, now)
			}
			var got []ev
			for _, e := range b.Events {
				first, last := time.Duration(-1), time.Duration(-1)
				if !e.FirstTime.IsZero() {
					first, last = now.Sub(e.FirstTime), now.Sub(e.LastTime)
				}
				got = append(got, ev{e.Type, e.Reason, e.Source, e.Host, e.Object.FieldPath, e.Message, e.Count, first, last})
			}
			expect(t, "events", got, tt.want)
		})
	}
}

// The pieces of a container as kubectl prints them.
func TestDescribeContainerFields(t *testing.T) {
	t.Run("probes", func(t *testing.T) {
		tests := map[string]string{
			"http-get https://10.0.0.1:8443/live%3Fdeep delay=0s timeout=2s period=10s #success=1 #failure=3":  "HTTPS 10.0.0.1 8443 /live?deep 2 3",
			"http-get http://[::1]:8080/ delay=0s timeout=1s period=10s successThreshold=1 failureThreshold=6": "HTTP ::1 8080 / 1 6",
			"https-get https://:8443/healthz delay=0s timeout=1s period=10s #success=1 #failure=3":             "HTTPS  8443 /healthz 1 3",
			"tcp-socket db.local:5432 delay=5s timeout=1s period=10s #success=1 #failure=3":                    "tcp db.local 5432 1 3",
			"grpc <pod>:9090 health delay=0s timeout=1s period=10s #success=1 #failure=3":                      "grpc 9090 health",
		}
		for in, want := range tests {
			p := readProbe(in)
			var got string
			switch {
			case p.HTTPGet != nil:
				got = fmt.Sprint(p.HTTPGet.Scheme, " ", p.HTTPGet.Host, " ", p.HTTPGet.Port.String(), " ", p.HTTPGet.Path, " ", p.TimeoutSeconds, " ", p.FailureThreshold)
			case p.TCPSocket != nil:
				got = fmt.Sprint("tcp ", p.TCPSocket.Host, " ", p.TCPSocket.Port.String(), " ", p.TimeoutSeconds, " ", p.FailureThreshold)
			case p.GRPC != nil:
				got = fmt.Sprint("grpc ", p.GRPC.Port, " ", *p.GRPC.Service)
			}
			expect(t, in, got, want)
		}
	})
	t.Run("tolerations", func(t *testing.T) {
		s := section{value: "op=Exists", body: []line{{text: "CriticalAddonsOnly op=Exists"}, {text: "gpu=true:NoSchedule"}, {text: "node-role.kubernetes.io/control-plane:NoSchedule"}}}
		expect(t, "tolerations", readTolerations(s), []corev1.Toleration{
			{Operator: corev1.TolerationOpExists},
			{Key: "CriticalAddonsOnly", Operator: corev1.TolerationOpExists},
			{Key: "gpu", Value: "true", Effect: corev1.TaintEffectNoSchedule},
			{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule},
		})
	})
	t.Run("mounts", func(t *testing.T) {
		for in, want := range map[string]corev1.VolumeMount{
			`/etc/nginx/nginx.conf from conf (rw,path="nginx.conf")`: {MountPath: "/etc/nginx/nginx.conf", Name: "conf", SubPath: "nginx.conf"},
			`/etc/ssl/a,b.pem from certs (ro,path="a,b.pem")`:        {MountPath: "/etc/ssl/a,b.pem", Name: "certs", SubPath: "a,b.pem", ReadOnly: true},
			`/data from data (rw)`:                                   {MountPath: "/data", Name: "data"},
		} {
			got, ok := readMount(in)
			expect(t, in, got, want)
			expect(t, in+" ok", ok, true)
		}
	})
	t.Run("status lines", func(t *testing.T) {
		b := loadText(t, "c.txt", eventsPod+`Containers:
  app:
    Container ID:   containerd://abc
    Image:          app:1
    Image ID:       app@sha256:def
    Port:           <none>
    Host Port:      <none>
    State:          Terminated
      Reason:       Error
      Message:      upstream check failed
Status: 503 Service Unavailable
Labels: none of your business

      Exit Code:    143
      Signal:       15
      Started:      Fri, 01 May 2026 11:00:00 +0000
      Finished:     Fri, 01 May 2026 11:30:00 +0000
    Ready:          False
    Restart Count:  0
    Started:        false
    Devices:
      /dev/xvda from raw
`)
		s := status(t, b.Pods[0], "app")
		expect(t, "exit code, signal", [2]int32{s.State.Terminated.ExitCode, s.State.Terminated.Signal}, [2]int32{143, 15})
		// Lines of a termination message are its own, whatever they look like.
		expect(t, "message", s.State.Terminated.Message, "upstream check failed\nStatus: 503 Service Unavailable\nLabels: none of your business\n")
		expect(t, "pod status, labels", string(b.Pods[0].Status.Phase)+fmt.Sprint(b.Pods[0].Labels), "Runningmap[]")
		expect(t, "started", *s.Started, false)
		expect(t, "devices", b.Pods[0].Spec.Containers[0].VolumeDevices, []corev1.VolumeDevice{{Name: "raw", DevicePath: "/dev/xvda"}})
		expect(t, "now", b.Now.UTC(), at("2026-05-01 11:30:00"))
	})
}

// podFields is kubectl describe output with the fields the files above
// lack: pod resources, readiness gates, and the volume types podtui reads.
const podFields = `Name:                 job-runner-x7k2p
Namespace:            ops
Priority:             2000000000
Priority Class Name:  system-cluster-critical
Runtime Class Name:   gvisor
Service Account:      runner
Node:                 <none>
Labels:               <none>
Annotations:          ci.example.com/notes:
                        first line
                        second line
                      owner: team-ops
Status:               Pending
IP:                   
IPs:                  <none>
Controlled By:        Job/job-runner
NominatedNodeName:    worker-9
Resources:
  Limits:
    memory:  2Gi
  Requests:
    cpu:  1
Containers:
  runner:
    Image:        busybox:1.36
    Port:         <none>
    Host Port:    <none>
    Environment:  <none>
    Mounts:
      /cache from cache (rw)
      /host/log from host-log (ro)
      /mnt/share from share (rw)
      /mnt/secrets from secrets-store (ro)
      /etc/podinfo from podinfo (ro)
      /scratch from scratch (rw)
      /etc/tls from tls (ro)
      /etc/bundle from bundle (ro)
Readiness Gates:
  Type                Status
  example.com/ready   <none> 
Conditions:
  Type           Status
  PodScheduled   False 
Volumes:
  cache:
    Type:          HostPath (bare host directory volume)
    Path:          /var/cache/runner
    HostPathType:  DirectoryOrCreate
  host-log:
    Type:          HostPath (bare host directory volume)
    Path:          /var/log
    HostPathType:  
  share:
    Type:      NFS (an NFS mount that lasts the lifetime of a pod)
    Server:    nfs.example.com
    Path:      /exports/share
    ReadOnly:  false
  secrets-store:
    Type:              CSI (a Container Storage Interface (CSI) volume source)
    Driver:            secrets-store.csi.k8s.io
    FSType:            
    ReadOnly:          true
    VolumeAttributes:  secretProviderClass=runner-secrets
                       usePodIdentity=false
  podinfo:
    Type:  DownwardAPI (a volume populated by information about the pod)
    Items:
      metadata.labels -> labels
      limits.memory -> mem_limit
  scratch:
    Type:          EphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)
    StorageClass:  fast-ssd
    Volume:        
    Labels:        <none>
    Annotations:   <none>
    Capacity:      
    Access Modes:  
    VolumeMode:    Filesystem
  tls:
    Type:        Secret (a volume populated by a Secret)
    SecretName:  runner-tls
    Optional:    true
  bundle:
    Type:           Projected (a volume that contains injected data from multiple sources)
    SecretName:     runner-ca
    Optional:       false
    ConfigMapName:  runner-settings
    Optional:       true
QoS Class:          Burstable
Node-Selectors:     disktype=ssd
Tolerations:        op=Exists
Events:             <none>
`

func TestDescribePodFields(t *testing.T) {
	b := loadText(t, "fields.txt", podFields)
	p := b.Pods[0]
	expect(t, "priority", fmt.Sprintf("%d %s %s", *p.Spec.Priority, p.Spec.PriorityClassName, *p.Spec.RuntimeClassName), "2000000000 system-cluster-critical gvisor")
	expect(t, "annotations", p.Annotations, map[string]string{"ci.example.com/notes": "first line\nsecond line", "owner": "team-ops"})
	expect(t, "labels", p.Labels, map[string]string(nil))
	expect(t, "owner", p.OwnerReferences[0].APIVersion+" "+p.OwnerReferences[0].Kind+"/"+p.OwnerReferences[0].Name, "batch/v1 Job/job-runner")
	expect(t, "nominated", p.Status.NominatedNodeName, "worker-9")
	expect(t, "pod limits", quantities(p.Spec.Resources.Limits), map[string]string{"memory": "2Gi"})
	expect(t, "pod requests", quantities(p.Spec.Resources.Requests), map[string]string{"cpu": "1"})
	expect(t, "readiness gates", p.Spec.ReadinessGates, []corev1.PodReadinessGate{{ConditionType: "example.com/ready"}})
	expect(t, "node selector", p.Spec.NodeSelector, map[string]string{"disktype": "ssd"})
	expect(t, "tolerate all", p.Spec.Tolerations, []corev1.Toleration{{Operator: corev1.TolerationOpExists}})
	expect(t, "mounts", len(p.Spec.Containers[0].VolumeMounts), 8)

	hp := volume(t, p, "cache").HostPath
	expect(t, "hostPath", fmt.Sprintf("%s %s", hp.Path, *hp.Type), "/var/cache/runner DirectoryOrCreate")
	expect(t, "hostPath untyped", volume(t, p, "host-log").HostPath.Type, (*corev1.HostPathType)(nil))
	expect(t, "nfs", *volume(t, p, "share").NFS, corev1.NFSVolumeSource{Server: "nfs.example.com", Path: "/exports/share"})
	csi := volume(t, p, "secrets-store").CSI
	expect(t, "csi", fmt.Sprintf("%s %t %v", csi.Driver, *csi.ReadOnly, csi.FSType == nil), "secrets-store.csi.k8s.io true true")
	expect(t, "csi attributes", csi.VolumeAttributes, map[string]string{"secretProviderClass": "runner-secrets", "usePodIdentity": "false"})
	items := volume(t, p, "podinfo").DownwardAPI.Items
	expect(t, "downward API", fmt.Sprintf("%s->%s %s->%s", items[0].FieldRef.FieldPath, items[0].Path, items[1].ResourceFieldRef.Resource, items[1].Path), "metadata.labels->labels limits.memory->mem_limit")
	expect(t, "ephemeral", *volume(t, p, "scratch").Ephemeral.VolumeClaimTemplate.Spec.StorageClassName, "fast-ssd")
	expect(t, "optional secret", *volume(t, p, "tls").Secret.Optional, true)
	pr := volume(t, p, "bundle").Projected.Sources
	expect(t, "projected", fmt.Sprintf("%s %t, %s %t", pr[0].Secret.Name, *pr[0].Secret.Optional, pr[1].ConfigMap.Name, *pr[1].ConfigMap.Optional), "runner-ca false, runner-settings true")
	expect(t, "events", len(b.Events), 0)
}

// What is neither a pod's describe text nor YAML keeps the errors it had,
// and describe text without a pod is refused clearly.
func TestLoadDescribeErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"just some words\nof a chat\n", "f.txt:1: not a Kubernetes object"},
		{"Error from server (NotFound): pods \"x\" not found\n", "f.txt:1: object has no kind"},
		// No Namespace line: not describe text, read as YAML as before.
		{"Name:  api\nImage:  nginx\n", "f.txt:1: object has no kind"},
		{"\n\nName:         api\nNamespace:    shop\n", "f.txt:3: reads as kubectl describe output but holds no pod"},
		// kubectl describe service: no Status, no Containers.
		{"Name:              api\nNamespace:         shop\nSelector:          app=api\nType:              ClusterIP\nEvents:            <none>\n", "f.txt:1: reads as kubectl describe output but holds no pod"},
	}
	for _, tt := range tests {
		err := NewBundle().Load("f.txt", strings.NewReader(tt.in))
		var e *Error
		if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want a *Error starting %q", tt.in, err, tt.want)
		}
	}
	// YAML that happens to start with a Name key stays YAML.
	b := NewBundle()
	if err := b.Load("pod.yaml", strings.NewReader("kind: Pod\napiVersion: v1\nmetadata: {name: a}\n")); err != nil || len(b.Pods) != 1 || !b.Now.IsZero() {
		t.Fatalf("YAML pod: %v, %d pods, now %v", err, len(b.Pods), b.Now)
	}
}

// One pod among other kinds in one paste: the others are skipped.
func TestLoadDescribeSkipsOtherKinds(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "describe", "secret-missing.txt"))
	if err != nil {
		t.Fatal(err)
	}
	svc := "Name:              orders\nNamespace:         shop\nSelector:          app=orders\nEvents:            <none>\n\n\n"
	b := loadText(t, "mixed.txt", svc+string(data))
	if len(b.Pods) != 1 || b.Pods[0].Name != "orders-5f7c9d8b6-lx2pq" || b.Objects != 1 {
		t.Fatalf("pods %d, objects %d", len(b.Pods), b.Objects)
	}
}

// pathological inputs, each n lines long, for the linear time test.
var pathological = map[string]func(n int) string{
	"message without its Exit Code": func(n int) string {
		return eventsPod + "Containers:\n  app:\n    State:  Terminated\n      Message:  x\n" + strings.Repeat("panic: x: y\n", n)
	},
	"message over many lines": func(n int) string {
		return eventsPod + "Events:\n  Type  Reason  Age  From  Message\n  Normal  A  1m  k  m\n" + strings.Repeat("Output: more\n", n)
	},
	"rows out of their columns": func(n int) string {
		return eventsPod + "Events:\n  Type  Reason  Age  From  Message\n" + strings.Repeat("  Warning Failed 5m (x2 over 9m) kubelet, n1 Error:  a  b\n", n)
	},
	"many containers": func(n int) string {
		return eventsPod + "Containers:\n" + strings.Repeat("  c:\n    Image:  x\n    Environment:\n      A:  b\n        c\n", n)
	},
	"many pods": func(n int) string {
		return strings.Repeat(eventsPod+"\n", n)
	},
	"one long line": func(n int) string {
		return eventsPod + "Labels:  " + strings.Repeat("a=b  :x ", n*8) + "\n"
	},
}

// cost is what reading text takes: the least time of two runs, and the
// bytes it allocates.
func cost(text string) (time.Duration, uint64) {
	best := time.Duration(1 << 62)
	var before, after runtime.MemStats
	for range 2 {
		runtime.ReadMemStats(&before)
		start := time.Now()
		_ = NewBundle().Load("x.txt", strings.NewReader(text))
		best = min(best, time.Since(start))
		runtime.ReadMemStats(&after)
	}
	return best, after.TotalAlloc - before.TotalAlloc
}

// Reading takes time and memory linear in the input: four times the input
// must not cost much more than four times as much. The bytes allocated show
// a quadratic copy without the noise of a clock.
func TestLoadDescribeLinearTime(t *testing.T) {
	const n = 2000
	for name, make := range pathological {
		smallTime, smallBytes := cost(make(n))
		largeTime, largeBytes := cost(make(4 * n))
		if largeBytes > 6*smallBytes {
			t.Errorf("%s: %d bytes allocated for n lines, %d for 4n: not linear", name, smallBytes, largeBytes)
		}
		if largeTime > 10*smallTime+10*time.Millisecond {
			t.Errorf("%s: %v for n lines, %v for 4n: not linear", name, smallTime, largeTime)
		}
	}
}

func FuzzLoadDescribe(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "describe", "*.txt"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, make := range pathological {
		f.Add([]byte(make(3)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := NewBundle()
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- b.Load("fuzz.txt", bytes.NewReader(data)) }()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			// A loop that never ends would otherwise stall the fuzzer
			// without naming the input.
			t.Fatalf("%d bytes still loading after 10 s: %q", len(data), data)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%d bytes took %v", len(data), d)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.txt") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if !isDescribeText(data) {
			return
		}
		names := map[string]bool{}
		for _, p := range b.Pods {
			if p.Name == "" || p.Namespace == "" {
				t.Fatalf("pod without a name: %q/%q", p.Namespace, p.Name)
			}
			names[p.Namespace+"/"+p.Name] = true
		}
		for _, e := range b.Events {
			if e.Object.Kind != "Pod" || !names[e.Object.Namespace+"/"+e.Object.Name] || e.Count < 1 {
				t.Fatalf("event of no pod read, or without a count: %+v", e)
			}
			if e.LastTime.After(b.Now) {
				t.Fatalf("event after the snapshot time: %v > %v", e.LastTime, b.Now)
			}
		}
		_ = Diagnose(b.Inputs(b.Now))
	})
}
