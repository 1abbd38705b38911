package kube

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	authv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// crashPod is a pod whose app container waits in CrashLoopBackOff.
func crashPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api", UID: "uid-1", Labels: map[string]string{"app": "api"}},
		Spec: corev1.PodSpec{
			NodeName:   "node-1",
			Containers: []corev1.Container{{Name: "app", Image: "registry.example/api:1.0"}, {Name: "proxy", Image: "envoy"}},
		},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{
			{Name: "app", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}},
		}},
	}
}

// allowAll answers every access review: allowed, except the denied ones
// (resource/subresource).
func allowAll(cs *fake.Clientset, denied ...string) {
	cs.PrependReactor("create", "selfsubjectaccessreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		r := a.(k8stesting.CreateAction).GetObject().(*authv1.SelfSubjectAccessReview)
		ra := r.Spec.ResourceAttributes
		what := ra.Resource
		if ra.Subresource != "" {
			what += "/" + ra.Subresource
		}
		r.Status.Allowed = true
		for _, d := range denied {
			if d == what {
				r.Status.Allowed = false
			}
		}
		return true, r, nil
	})
}

func TestEphemeralContainerProfiles(t *testing.T) {
	for _, tc := range []struct {
		profile string
		check   func(sc *corev1.SecurityContext) bool
	}{
		{ProfileGeneral, func(sc *corev1.SecurityContext) bool {
			return sc != nil && len(sc.Capabilities.Add) == 1 && sc.Capabilities.Add[0] == "SYS_PTRACE"
		}},
		{ProfileBaseline, func(sc *corev1.SecurityContext) bool { return sc == nil }},
		{ProfileRestricted, func(sc *corev1.SecurityContext) bool {
			return *sc.RunAsNonRoot && !*sc.AllowPrivilegeEscalation && sc.Capabilities.Drop[0] == "ALL" &&
				len(sc.Capabilities.Add) == 0 && sc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault
		}},
		{ProfileNetadmin, func(sc *corev1.SecurityContext) bool {
			return len(sc.Capabilities.Add) == 2 && sc.Capabilities.Add[0] == "NET_ADMIN" && sc.Capabilities.Add[1] == "NET_RAW"
		}},
		{ProfileSysadmin, func(sc *corev1.SecurityContext) bool { return *sc.Privileged }},
	} {
		ec, err := EphemeralContainer(DebugRequest{Name: "debugger-abcde", Target: "app", Image: "busybox", Profile: tc.profile})
		if err != nil {
			t.Fatal(err)
		}
		if !tc.check(ec.SecurityContext) {
			t.Errorf("%s: security context %+v", tc.profile, ec.SecurityContext)
		}
		if !ec.Stdin || !ec.TTY || ec.TargetContainerName != "app" || ec.Image != "busybox" {
			t.Errorf("%s: not an interactive debug container of app: %+v", tc.profile, ec)
		}
	}
	if _, err := EphemeralContainer(DebugRequest{Profile: "legacy"}); err == nil {
		t.Error("an unknown profile was accepted")
	}
}

func TestDebugContainerNameIsFresh(t *testing.T) {
	pod := crashPod()
	seen := map[string]bool{}
	for range 50 {
		n := DebugContainerName(pod)
		if !strings.HasPrefix(n, "debugger-") || len(n) != len("debugger-")+5 {
			t.Fatalf("name %q", n)
		}
		seen[n] = true
	}
	if len(seen) < 45 {
		t.Errorf("names repeat: %d distinct of 50", len(seen))
	}
}

func TestAddDebugContainerPatchesTheSubresource(t *testing.T) {
	cs := fake.NewClientset(crashPod())
	allowAll(cs)
	var patch k8stesting.PatchAction
	cs.PrependReactor("patch", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		patch = a.(k8stesting.PatchAction)
		return false, nil, nil
	})
	req := DebugRequest{Namespace: "shop", Pod: "api", Name: "debugger-abcde", Target: "app", Image: "busybox:1.37", Profile: ProfileGeneral}
	got, err := AddDebugContainer(context.Background(), cs, req)
	if err != nil {
		t.Fatal(err)
	}
	if patch == nil || patch.GetSubresource() != "ephemeralcontainers" || patch.GetPatchType() != types.StrategicMergePatchType {
		t.Fatalf("not a strategic-merge patch of pods/ephemeralcontainers: %+v", patch)
	}
	// The patch adds the container and touches nothing else.
	var body map[string]any
	if err := json.Unmarshal(patch.GetPatch(), &body); err != nil {
		t.Fatal(err)
	}
	spec, _ := body["spec"].(map[string]any)
	if len(body) != 1 || len(spec) != 1 || spec["ephemeralContainers"] == nil {
		t.Errorf("patch changes more than the ephemeral containers: %s", patch.GetPatch())
	}
	if len(got.Spec.EphemeralContainers) != 1 {
		t.Fatalf("ephemeral containers after the patch: %+v", got.Spec.EphemeralContainers)
	}
	ec := got.Spec.EphemeralContainers[0]
	if ec.Name != "debugger-abcde" || ec.TargetContainerName != "app" || ec.Image != "busybox:1.37" || !ec.TTY || !ec.Stdin {
		t.Errorf("debug container %+v", ec)
	}
	if len(got.Spec.Containers) != 2 || got.Labels["app"] != "api" {
		t.Errorf("the rest of the pod changed: %+v", got)
	}
	// A second one keeps the first (the list merges by name).
	req.Name = "debugger-fghij"
	got, err = AddDebugContainer(context.Background(), cs, req)
	if err != nil || len(got.Spec.EphemeralContainers) != 2 {
		t.Fatalf("second debug container: %v, %+v", err, got)
	}
	// A name taken is refused before any patch.
	if _, err := AddDebugContainer(context.Background(), cs, req); err == nil {
		t.Error("a taken name was accepted")
	}
}

func TestAddDebugContainerRefusals(t *testing.T) {
	req := DebugRequest{Namespace: "shop", Pod: "api", Name: "debugger-abcde", Target: "app", Image: "busybox", Profile: ProfileGeneral}
	for _, denied := range []string{"pods/ephemeralcontainers", "pods/attach"} {
		cs := fake.NewClientset(crashPod())
		allowAll(cs, denied)
		_, err := AddDebugContainer(context.Background(), cs, req)
		var fe *ForbiddenError
		if !errors.As(err, &fe) || fe.Resource != denied || !strings.Contains(err.Error(), "RBAC forbids") {
			t.Errorf("%s denied: %v", denied, err)
		}
		for _, a := range cs.Actions() {
			if a.GetVerb() == "patch" {
				t.Errorf("%s denied, yet the pod was patched", denied)
			}
		}
	}

	// 403 from the patch itself (no access review answer).
	cs := fake.NewClientset(crashPod())
	cs.PrependReactor("patch", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods/ephemeralcontainers"}, "api", errors.New("no"))
	})
	if _, err := AddDebugContainer(context.Background(), cs, req); !errors.As(err, new(*ForbiddenError)) {
		t.Errorf("403 from the patch: %v", err)
	}

	// A cluster without the subresource answers 404 without a name.
	cs = fake.NewClientset(crashPod())
	allowAll(cs)
	cs.PrependReactor("patch", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: 404, Reason: metav1.StatusReasonNotFound, Message: "the server could not find the requested resource"}}
	})
	if _, err := AddDebugContainer(context.Background(), cs, req); !errors.As(err, new(*EphemeralDisabledError)) {
		t.Errorf("404 of the subresource: %v", err)
	}

	// A missing pod is a missing pod.
	cs = fake.NewClientset()
	allowAll(cs)
	if _, err := AddDebugContainer(context.Background(), cs, req); !apierrors.IsNotFound(err) || errors.As(err, new(*EphemeralDisabledError)) {
		t.Errorf("missing pod: %v", err)
	}
}

func withEphemeralStatus(p *corev1.Pod, name string, st corev1.ContainerState) *corev1.Pod {
	p = p.DeepCopy()
	p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: name, Image: "registry.invalid/nope:1"}})
	p.Status.EphemeralContainerStatuses = append(p.Status.EphemeralContainerStatuses, corev1.ContainerStatus{Name: name, State: st})
	return p
}

func TestWaitRunning(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, tc := range []struct {
		state corev1.ContainerState
		want  func(error) bool
	}{
		{corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}, func(err error) bool { return err == nil }},
		{corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "not found"}}, func(err error) bool {
			var ie *ImagePullError
			return errors.As(err, &ie) && ie.Image == "registry.invalid/nope:1" && strings.Contains(err.Error(), "cannot be pulled")
		}},
		{corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 1}}, func(err error) bool {
			return errors.As(err, new(*StartError))
		}},
	} {
		cs := fake.NewClientset(withEphemeralStatus(crashPod(), "debugger-abcde", tc.state))
		_, err := WaitRunning(ctx, cs, "shop", "api", "debugger-abcde")
		if !tc.want(err) {
			t.Errorf("state %+v: %v", tc.state, err)
		}
	}

	// It follows the pod until the container runs.
	cs := fake.NewClientset(crashPod())
	go func() {
		time.Sleep(50 * time.Millisecond)
		p := withEphemeralStatus(crashPod(), "debugger-abcde", corev1.ContainerState{Running: &corev1.ContainerStateRunning{}})
		_, _ = cs.CoreV1().Pods("shop").Update(context.Background(), p, metav1.UpdateOptions{})
	}()
	if _, err := WaitRunning(ctx, cs, "shop", "api", "debugger-abcde"); err != nil {
		t.Errorf("waiting for a container that starts later: %v", err)
	}

	// Giving up (ctx) reads as such.
	short, stop := context.WithTimeout(ctx, 100*time.Millisecond)
	defer stop()
	if _, err := WaitRunning(short, fake.NewClientset(crashPod()), "shop", "api", "debugger-abcde"); !errors.As(err, new(*StartError)) {
		t.Errorf("timeout: %v", err)
	}
}

func TestNodeShellPod(t *testing.T) {
	p := NodeShellPod(NodeShellRequest{Node: "node-1", Namespace: "default", Image: "busybox", Name: "node-debugger-node-1-abcde"})
	s := p.Spec
	c := s.Containers[0]
	if s.NodeName != "node-1" || !s.HostPID || !s.HostNetwork || !s.HostIPC || s.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("spec %+v", s)
	}
	if !*c.SecurityContext.Privileged || c.VolumeMounts[0].MountPath != "/host" || s.Volumes[0].HostPath.Path != "/" || !c.TTY || !c.Stdin {
		t.Errorf("container %+v", c)
	}
	if p.Labels[NodeShellLabel] != "true" || p.Annotations[nodeShellPIDAnno] != strconv.Itoa(os.Getpid()) {
		t.Errorf("not findable as a left-over: %+v", p.ObjectMeta)
	}
}

func TestStartNodeShellLeavesNothingOnPullFailure(t *testing.T) {
	cs := fake.NewClientset()
	allowAll(cs)
	cs.PrependReactor("create", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		p := a.(k8stesting.CreateAction).GetObject().(*corev1.Pod)
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: NodeShellContainer, State: corev1.ContainerState{
			Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image"},
		}}}
		return false, nil, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req := NodeShellRequest{Node: "node-1", Namespace: "default", Image: "registry.invalid/x", Name: NodeShellName("node-1")}
	_, err := StartNodeShell(ctx, cs, req)
	if !errors.As(err, new(*ImagePullError)) {
		t.Fatalf("pull failure: %v", err)
	}
	if l, _ := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{}); len(l.Items) != 0 {
		t.Errorf("pods left: %+v", l.Items)
	}

	// Denied attach: nothing is created at all.
	cs = fake.NewClientset()
	allowAll(cs, "pods/attach")
	if _, err := StartNodeShell(ctx, cs, req); !errors.As(err, new(*ForbiddenError)) {
		t.Errorf("attach denied: %v", err)
	}
	for _, a := range cs.Actions() {
		if a.GetVerb() == "create" && a.GetResource().Resource == "pods" {
			t.Error("a pod was created though attach is denied")
		}
	}
}

func TestCleanupNodeShells(t *testing.T) {
	host, _ := os.Hostname()
	shell := func(name, h string, pid int) *corev1.Pod {
		p := NodeShellPod(NodeShellRequest{Node: "n", Namespace: "default", Image: "busybox", Name: name})
		p.Annotations[nodeShellHostAnno] = h
		p.Annotations[nodeShellPIDAnno] = strconv.Itoa(pid)
		return p
	}
	dead := 1 << 22 // above pid_max on Linux
	cs := fake.NewClientset(
		shell("crashed", host, dead),
		shell("live", host, os.Getppid()),
		shell("elsewhere", "another-host", dead),
	)
	gone, err := CleanupNodeShells(context.Background(), cs, "default")
	if err != nil || len(gone) != 1 || gone[0] != "default/crashed" {
		t.Fatalf("cleanup: %v, %v", gone, err)
	}
	l, _ := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{})
	if len(l.Items) != 2 {
		t.Errorf("left: %d pods", len(l.Items))
	}
}
