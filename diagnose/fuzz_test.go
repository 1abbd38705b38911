package diagnose

import (
	"strings"
	"testing"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Seeds live in testdata/fuzz/<FuzzName>; these add the real wordings.

func FuzzFailedScheduling(f *testing.F) {
	f.Add("0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.")
	f.Add("0/2 nodes are available: 2 node(s) had taint {dedicated: gpu}, that the pod didn't tolerate.")
	f.Add("0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.")
	f.Add("(combined from similar events): 0/4 nodes are available: 2 Too many pods, 2 node(s) didn't have free ports for the requested pod ports.")
	f.Add("no nodes available to schedule pods")
	f.Add("0/99999999999999999999 nodes are available: 1")
	f.Fuzz(func(t *testing.T, msg string) {
		fe, ok := ParseFitError(msg)
		if !ok {
			return
		}
		if fe.Nodes < 0 {
			t.Fatalf("negative node count %d", fe.Nodes)
		}
		for _, r := range fe.Reasons {
			if r.Reason == "" {
				t.Fatalf("empty reason in %q", msg)
			}
			_ = r.Kind()
			_ = r.TaintKeys()
			_ = r.Resource()
		}
		// The engine must cope with whatever the scheduler wrote.
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"},
			Status:     corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: msg}}},
		}
		for _, f := range Diagnose(Input{Pod: pod, Now: testNow}) {
			if f.Rule == "" || f.Summary == "" {
				t.Fatalf("incomplete finding %#v", f)
			}
		}
	})
}

func FuzzEvictionMessage(f *testing.F) {
	f.Add("The node was low on resource: memory. Threshold quantity: 100Mi, available: 87472Ki. Container app was using 1843Mi, request is 256Mi, has larger consumption of memory. ")
	f.Add("The node was low on resource: ephemeral-storage. Container app was using 12Gi, which exceeds its request of 0. ")
	f.Add("The node had condition: [DiskPressure]. ")
	f.Add(`Container app exceeded its local ephemeral storage limit "500Mi". `)
	f.Add(`Usage of EmptyDir volume "cache" exceeds the limit "1Gi". `)
	f.Fuzz(func(t *testing.T, msg string) {
		_, _ = ParseEviction(msg)
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}, Spec: corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "app"}}},
			Status: corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evicted", Message: msg},
		}
		if fs := Diagnose(Input{Pod: pod, Now: testNow}); len(fs) == 0 || fs[0].Category != CatEvicted {
			t.Fatalf("evicted pod without an eviction finding: %#v", fs)
		}
	})
}

func FuzzFailedMount(f *testing.F) {
	f.Add(`MountVolume.SetUp failed for volume "tls" : secret "api-tls" not found`)
	f.Add(`Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) web-0, web-1`)
	f.Add("Unable to attach or mount volumes: unmounted volumes=[b a], unattached volumes=[a b]: timed out waiting for the condition")
	f.Add("MountVolume.SetUp failed for volume \"nfs\" : mount failed: exit status 32\nOutput: mount.nfs: Connection timed out")
	f.Add(`MountVolume.SetUp failed for volume "creds" : references non-existent secret key: password`)
	f.Fuzz(func(t *testing.T, msg string) {
		m := ParseMount(msg)
		if m.Kind == "" {
			t.Fatal("no kind")
		}
		if NormalizeMessage(NormalizeMessage(msg)) != NormalizeMessage(msg) {
			t.Fatalf("NormalizeMessage not idempotent for %q", msg)
		}
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u"},
			Spec: corev1.PodSpec{
				NodeName: "n1", Containers: []corev1.Container{{Name: "app"}},
				Volumes: []corev1.Volume{{Name: "tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "api-tls"}}}},
			},
			Status: corev1.PodStatus{Phase: corev1.PodPending},
		}
		ev := Event{Type: "Warning", Reason: "FailedMount", Message: msg, Count: 1, Object: corev1.ObjectReference{Kind: "Pod", Namespace: "ns", Name: "p", UID: "u"}}
		_ = Diagnose(Input{Pod: pod, Events: []Event{ev, ev}, Now: testNow})
	})
}

func FuzzContainerMessages(f *testing.F) {
	f.Add("ImagePullBackOff", `Back-off pulling image "x": ErrImagePull: pull access denied, repository does not exist or may require authorization`)
	f.Add("CreateContainerConfigError", "couldn't find key password in Secret shop/db-credentials")
	f.Add("RunContainerError", `exec: "gunicorn": executable file not found in $PATH: unknown`)
	f.Add("CrashLoopBackOff", "back-off 5m0s restarting failed container=app pod=p_ns(u)")
	f.Add("PostStartHookError", `Exec lifecycle hook ([sh -c x]) for Container "app" in Pod "p_ns(u)" failed - error: command 'sh -c x' exited with 1: , message: "a\nb\n"`)
	f.Add("StartError", `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error mounting "/var/lib/kubelet/pods/u/volume-subpaths/conf/app/0" to rootfs at "/etc/app.conf": mount /var/lib/kubelet/pods/u/volume-subpaths/conf/app/0:/etc/app.conf (via /proc/self/fd/6), flags: 0x5001: not a directory: unknown`)
	f.Fuzz(func(t *testing.T, reason, msg string) {
		_, _ = ParseMountFailure(msg)
		_, _ = ParseHook(msg)
		_, _ = ParseBackoff(msg)
		_, _ = ParseConfigError(msg)
		_, _ = ClassifyRuntime(msg)
		_ = ClassifyPull(msg)
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"},
			Spec: corev1.PodSpec{
				NodeName:   "n1",
				Containers: []corev1.Container{{Name: "app", Image: "x", VolumeMounts: []corev1.VolumeMount{{Name: "conf", MountPath: "/etc/app.conf", SubPath: "app.conf"}}}},
				Volumes:    []corev1.Volume{{Name: "conf", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "conf"}}}}},
			},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{
				Name: "app", RestartCount: 3,
				State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}},
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Message: msg}},
			}}},
		}
		store := NewStore()
		store.AddConfigMap(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "conf", Namespace: "ns"}, Data: map[string]string{"other.conf": ""}})
		for _, f := range Diagnose(Input{Pod: pod, Now: testNow, Related: store}) {
			if utf8.ValidString(msg) && !utf8.ValidString(f.Summary) {
				t.Fatalf("summary broke UTF-8: %q", f.Summary)
			}
			if strings.Contains(strings.Join(f.Next, "\n"), "<pod>") {
				t.Fatalf("unfilled command %v", f.Next)
			}
		}
	})
}
