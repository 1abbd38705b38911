// Package podgen builds realistic synthetic pods for benchmarks: a few
// containers with env, volumes, probes and resources, a full status with
// conditions and container statuses, and the managedFields and last-applied
// annotation a real API server returns (none of which kube.PodSummary keeps).
package podgen

import (
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Namespaces and Nodes are how many distinct namespaces and nodes Pod spreads
// pods over.
const (
	Namespaces = 200
	Nodes      = 50
)

// Pod returns pod number i, as the API server sends it. About one pod in
// four is failing (CrashLoopBackOff, ImagePullBackOff, Pending), the rest run.
func Pod(i int, now time.Time) *corev1.Pod {
	ns := fmt.Sprintf("team-%03d", i%Namespaces)
	app := fmt.Sprintf("svc-%04d", (i/7)%2000)
	name := fmt.Sprintf("%s-%08x-%05x", app, uint32(i*2654435761), i)
	node := fmt.Sprintf("node-%02d", i%Nodes)
	created := now.Add(-time.Duration(i%5000) * time.Minute)
	ct := metav1.NewTime(created)
	labels := map[string]string{"app": app, "pod-template-hash": fmt.Sprintf("%08x", uint32(i*2654435761)), "tier": "backend"}
	p := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: ns, UID: types.UID(fmt.Sprintf("00000000-0000-4000-8000-%012x", i)),
			ResourceVersion: fmt.Sprint(100000 + i), GenerateName: app + "-", CreationTimestamp: ct,
			Labels: labels,
			Annotations: map[string]string{
				"kubectl.kubernetes.io/restartedAt": created.Format(time.RFC3339),
				"prometheus.io/scrape":              "true",
			},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: app + "-" + labels["pod-template-hash"], UID: types.UID(fmt.Sprintf("rs-%d", i/7)), Controller: ptr(true), BlockOwnerDeletion: ptr(true)}},
		},
		Spec: corev1.PodSpec{
			NodeName:           node,
			ServiceAccountName: "default",
			RestartPolicy:      corev1.RestartPolicyAlways,
			DNSPolicy:          corev1.DNSClusterFirst,
			SchedulerName:      "default-scheduler",
			SecurityContext:    &corev1.PodSecurityContext{RunAsNonRoot: ptr(true), FSGroup: ptr(int64(2000))},
			Volumes: []corev1.Volume{
				{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: app + "-config"}}}},
				{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "kube-api-access-" + fmt.Sprintf("%05x", i), VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
					DefaultMode: ptr(int32(420)),
					Sources: []corev1.VolumeProjection{
						{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{ExpirationSeconds: ptr(int64(3607)), Path: "token"}},
						{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"}, Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
						{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
					},
				}}},
			},
			Tolerations: []corev1.Toleration{
				{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr(int64(300))},
				{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr(int64(300))},
			},
		},
	}
	for c, cname := range []string{"app", "sidecar", "metrics"}[:2+i%2] {
		p.Spec.Containers = append(p.Spec.Containers, container(cname, app, c, i))
	}
	p.Spec.InitContainers = []corev1.Container{{Name: "migrate", Image: "registry.example/" + app + "-migrate:1.4.2", Command: []string{"/bin/migrate", "--up"}, TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: corev1.TerminationMessageReadFile, ImagePullPolicy: corev1.PullIfNotPresent}}
	fillStatus(p, i, created)
	addServerFields(p)
	return p
}

func container(cname, app string, c, i int) corev1.Container {
	return corev1.Container{
		Name:  cname,
		Image: fmt.Sprintf("registry.example/%s/%s:1.%d.%d", app, cname, i%10, c),
		Args:  []string{"--port=8080", "--log-level=info", "--config=/etc/app/config.yaml"},
		Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: int32(8080 + c), Protocol: corev1.ProtocolTCP}},
		Env: []corev1.EnvVar{
			{Name: "APP_NAME", Value: app},
			{Name: "LOG_FORMAT", Value: "json"},
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}},
			{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "status.podIP"}}},
			{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: app + "-db"}, Key: "password"}}},
		},
		EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: app + "-env"}}}},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("512Mi")},
		},
		VolumeMounts: []corev1.VolumeMount{
			{Name: "config", MountPath: "/etc/app", ReadOnly: true},
			{Name: "data", MountPath: "/var/lib/app"},
			{Name: "kube-api-access-" + fmt.Sprintf("%05x", i), MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true},
		},
		LivenessProbe:            &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080), Scheme: corev1.URISchemeHTTP}}, InitialDelaySeconds: 10, PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3},
		ReadinessProbe:           &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8080), Scheme: corev1.URISchemeHTTP}}, PeriodSeconds: 5, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3},
		TerminationMessagePath:   "/dev/termination-log",
		TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		ImagePullPolicy:          corev1.PullIfNotPresent,
		SecurityContext:          &corev1.SecurityContext{AllowPrivilegeEscalation: ptr(false), ReadOnlyRootFilesystem: ptr(true), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
	}
}

func fillStatus(p *corev1.Pod, i int, created time.Time) {
	start := metav1.NewTime(created.Add(3 * time.Second))
	cond := func(t corev1.PodConditionType, ok bool, reason string) corev1.PodCondition {
		s := corev1.ConditionTrue
		if !ok {
			s = corev1.ConditionFalse
		}
		return corev1.PodCondition{Type: t, Status: s, LastTransitionTime: start, Reason: reason}
	}
	kind := i % 12 // 0..8 running, 9 crash loop, 10 image pull, 11 pending
	if kind == 11 {
		p.Spec.NodeName = ""
		p.Status = corev1.PodStatus{Phase: corev1.PodPending, QOSClass: corev1.PodQOSBurstable, Conditions: []corev1.PodCondition{{
			Type: corev1.PodScheduled, Status: corev1.ConditionFalse, LastTransitionTime: start, Reason: "Unschedulable",
			Message: "0/50 nodes are available: 50 Insufficient memory. preemption: 0/50 nodes are available: 50 No preemption victims found for incoming pod.",
		}}}
		return
	}
	ok := kind < 9
	p.Status = corev1.PodStatus{
		Phase:     corev1.PodRunning,
		HostIP:    fmt.Sprintf("10.0.%d.%d", (i%Nodes)/250, (i%Nodes)%250+1),
		HostIPs:   []corev1.HostIP{{IP: fmt.Sprintf("10.0.%d.%d", (i%Nodes)/250, (i%Nodes)%250+1)}},
		PodIP:     fmt.Sprintf("10.%d.%d.%d", 64+i/65536, (i/256)%256, i%256),
		PodIPs:    []corev1.PodIP{{IP: fmt.Sprintf("10.%d.%d.%d", 64+i/65536, (i/256)%256, i%256)}},
		StartTime: &start,
		QOSClass:  corev1.PodQOSBurstable,
		Conditions: []corev1.PodCondition{
			cond("PodReadyToStartContainers", true, ""), cond(corev1.PodInitialized, true, ""),
			cond(corev1.PodReady, ok, map[bool]string{false: "ContainersNotReady"}[ok]),
			cond(corev1.ContainersReady, ok, map[bool]string{false: "ContainersNotReady"}[ok]),
			cond(corev1.PodScheduled, true, ""),
		},
		InitContainerStatuses: []corev1.ContainerStatus{{
			Name: "migrate", Image: p.Spec.InitContainers[0].Image, ImageID: "registry.example/migrate@sha256:" + fmt.Sprintf("%064x", i%97),
			ContainerID: fmt.Sprintf("containerd://%064x", i*3+1), Ready: true,
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: start, FinishedAt: start, ContainerID: fmt.Sprintf("containerd://%064x", i*3+1)}},
		}},
	}
	for c, ctr := range p.Spec.Containers {
		cs := corev1.ContainerStatus{
			Name: ctr.Name, Image: ctr.Image, ImageID: "registry.example/" + ctr.Name + "@sha256:" + fmt.Sprintf("%064x", i%97+c),
			ContainerID: fmt.Sprintf("containerd://%064x", i*3+2+c), Ready: true, Started: ptr(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: start}},
			VolumeMounts: []corev1.VolumeMountStatus{
				{Name: "config", MountPath: "/etc/app", ReadOnly: true},
				{Name: "kube-api-access", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true, RecursiveReadOnly: ptr(corev1.RecursiveReadOnlyDisabled)},
			},
			AllocatedResources: ctr.Resources.Requests,
			Resources:          &ctr.Resources,
		}
		if c == 0 && kind == 9 {
			cs.Ready, cs.Started, cs.RestartCount = false, ptr(false), int32(5+i%40)
			cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: fmt.Sprintf("back-off 5m0s restarting failed container=%s pod=%s_%s(%s)", ctr.Name, p.Name, p.Namespace, p.UID)}}
			cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", StartedAt: start, FinishedAt: start, ContainerID: cs.ContainerID}}
		}
		if c == 0 && kind == 10 {
			cs.Ready, cs.Started, cs.ContainerID = false, ptr(false), ""
			cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: fmt.Sprintf("Back-off pulling image %q", ctr.Image)}}
		}
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, cs)
	}
}

// addServerFields adds what the API server and kubectl apply write: managed
// fields for the two usual managers and the last-applied annotation.
func addServerFields(p *corev1.Pod) {
	spec, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": p.Name, "namespace": p.Namespace, "labels": p.Labels}, "spec": p.Spec})
	p.Annotations[corev1.LastAppliedConfigAnnotation] = string(spec)
	fieldsOf := func(v any) []byte {
		// The shape of a FieldsV1: every key of the object, prefixed "f:".
		b, _ := json.Marshal(v)
		var m any
		_ = json.Unmarshal(b, &m)
		out, _ := json.Marshal(fields(m))
		return out
	}
	t := p.CreationTimestamp
	p.ManagedFields = []metav1.ManagedFieldsEntry{
		{Manager: "kube-controller-manager", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1", Time: &t, FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(string(fieldsOf(map[string]any{"metadata": p.ObjectMeta, "spec": p.Spec})))},
		{Manager: "kubelet", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1", Time: &t, FieldsType: "FieldsV1", Subresource: "status", FieldsV1: metav1.NewFieldsV1(string(fieldsOf(map[string]any{"status": p.Status})))},
	}
}

func fields(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out["f:"+k] = fields(x)
		}
		return out
	case []any:
		out := map[string]any{}
		for i, x := range v {
			out[fmt.Sprintf("k:{\"i\":%d}", i)] = fields(x)
		}
		out["."] = map[string]any{}
		return out
	default:
		return map[string]any{}
	}
}

func ptr[T any](v T) *T { return &v }
