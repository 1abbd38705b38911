package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// State is a pod state as `kubectl get pods` prints it in the STATUS column.
type State string

const (
	StateRunning                    State = "Running"
	StateErrImagePull               State = "ErrImagePull"
	StateImagePullBackOff           State = "ImagePullBackOff"
	StateCrashLoopBackOff           State = "CrashLoopBackOff"
	StateCreateContainerConfigError State = "CreateContainerConfigError"
	StateInit                       State = "Init:0/1"
	StateCompleted                  State = "Completed"
	StateEvicted                    State = "Evicted"
	StatePending                    State = "Pending"
	StateTerminating                State = "Terminating"
)

// States lists every State.
var States = []State{
	StateRunning, StateErrImagePull, StateImagePullBackOff, StateCrashLoopBackOff,
	StateCreateContainerConfigError, StateInit, StateCompleted, StateEvicted, StatePending, StateTerminating,
}

// terminatingFinalizer keeps a deleted pod around (Terminating) although kwok deletes it.
const terminatingFinalizer = "harness.podtui.dev/hold"

// PodFor builds a ManualStatus pod suited to s: an init container for StateInit, no node for
// StatePending (unscheduled), a finalizer for StateTerminating.
func PodFor(ns, name string, s State) *corev1.Pod {
	opts := []PodOption{ManualStatus()}
	switch s {
	case StateInit:
		opts = append(opts, WithInitContainer("init"))
	case StatePending:
		opts = append(opts, WithNode(""))
	case StateErrImagePull, StateImagePullBackOff:
		opts = append(opts, WithImage("registry.example/"+name+":does-not-exist"))
	}
	p := Pod(ns, name, opts...)
	if s == StateTerminating {
		p.Finalizers = append(p.Finalizers, terminatingFinalizer)
	}
	return p
}

// CreatePodInState creates pod (ManualStatus is added) and puts it into state s: it writes
// StatusFor(s), and for StateTerminating deletes the pod, which its finalizer then holds.
func (c *Cluster) CreatePodInState(ctx context.Context, pod *corev1.Pod, s State) (*corev1.Pod, error) {
	pod = pod.DeepCopy()
	ManualStatus()(pod)
	if s == StateTerminating && !slices.Contains(pod.Finalizers, terminatingFinalizer) {
		pod.Finalizers = append(pod.Finalizers, terminatingFinalizer)
	}
	created, err := c.CreatePod(ctx, pod)
	if err != nil {
		return nil, err
	}
	if s != StatePending {
		if created, err = c.PatchStatus(ctx, created.Namespace, created.Name, StatusFor(created, s, time.Now())); err != nil {
			return nil, fmt.Errorf("status %s for %s: %w", s, created.Name, err)
		}
	}
	if s == StateTerminating {
		if err := c.client.CoreV1().Pods(created.Namespace).Delete(ctx, created.Name, metav1.DeleteOptions{}); err != nil {
			return nil, err
		}
		return c.client.CoreV1().Pods(created.Namespace).Get(ctx, created.Name, metav1.GetOptions{})
	}
	return created, nil
}

// StatusFor returns the status a kubelet would report for pod in state s. StatePending gives
// an empty Pending status; StateTerminating a Running one (the deletion makes it Terminating).
func StatusFor(pod *corev1.Pod, s State, now time.Time) corev1.PodStatus {
	switch s {
	case StateErrImagePull:
		return ErrImagePullStatus(pod, now)
	case StateImagePullBackOff:
		return ImagePullBackOffStatus(pod, now)
	case StateCrashLoopBackOff:
		return CrashLoopBackOffStatus(pod, now, 7, "OOMKilled", 137)
	case StateCreateContainerConfigError:
		return CreateContainerConfigErrorStatus(pod, now, pod.Name+"-credentials")
	case StateInit:
		return InitRunningStatus(pod, now)
	case StateCompleted:
		return CompletedStatus(pod, now)
	case StateEvicted:
		return EvictedStatus(pod, now)
	case StatePending:
		return PendingStatus()
	default: // StateRunning, StateTerminating
		return RunningStatus(pod, now)
	}
}

// mt is a metav1.Time at second precision (what the API stores).
func mt(tm time.Time) metav1.Time { return metav1.NewTime(tm.Truncate(time.Second)) }

func conditions(now time.Time, initialized, ready bool, reason string) []corev1.PodCondition {
	b := func(v bool) corev1.ConditionStatus {
		if v {
			return corev1.ConditionTrue
		}
		return corev1.ConditionFalse
	}
	initReason, readyReason := "", ""
	if !initialized {
		initReason = "ContainersNotInitialized"
	}
	if !ready {
		readyReason = reason
	}
	lt := mt(now.Add(-10 * time.Minute))
	return []corev1.PodCondition{
		{Type: corev1.PodReadyToStartContainers, Status: corev1.ConditionTrue, LastTransitionTime: lt},
		{Type: corev1.PodInitialized, Status: b(initialized), LastTransitionTime: lt, Reason: initReason},
		{Type: corev1.PodReady, Status: b(ready), LastTransitionTime: lt, Reason: readyReason},
		{Type: corev1.ContainersReady, Status: b(ready), LastTransitionTime: lt, Reason: readyReason},
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: lt},
	}
}

// podIP derives a stable fake IP from the pod name.
func podIP(pod *corev1.Pod) string {
	h := sha256.Sum256([]byte(pod.Namespace + "/" + pod.Name))
	return fmt.Sprintf("10.244.%d.%d", h[0], 1+h[1]%253)
}

func imageID(image string) string {
	h := sha256.Sum256([]byte(image))
	return image + "@sha256:" + hex.EncodeToString(h[:])
}

func containerID(pod *corev1.Pod, name string, n int32) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%s/%d", pod.Namespace, pod.Name, name, n)))
	return "containerd://" + hex.EncodeToString(h[:])
}

// base fills what every scheduled pod has: host and pod IPs, start time, QoS class.
func base(pod *corev1.Pod, phase corev1.PodPhase, now time.Time, withIP bool) corev1.PodStatus {
	st := corev1.PodStatus{
		Phase:     phase,
		HostIP:    "127.0.0.1",
		HostIPs:   []corev1.HostIP{{IP: "127.0.0.1"}},
		StartTime: ptr(mt(now.Add(-10 * time.Minute))),
	}
	if withIP {
		ip := podIP(pod)
		st.PodIP, st.PodIPs = ip, []corev1.PodIP{{IP: ip}}
	}
	return st
}

func ptr[T any](v T) *T { return &v }

func running(pod *corev1.Pod, c corev1.Container, since time.Time) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name: c.Name, Image: c.Image, ImageID: imageID(c.Image), ContainerID: containerID(pod, c.Name, 0),
		Ready: true, Started: ptr(true),
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: mt(since)}},
	}
}

func waiting(c corev1.Container, reason, message string) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name: c.Name, Image: c.Image, Started: ptr(false),
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}},
	}
}

func initDone(pod *corev1.Pod, now time.Time) []corev1.ContainerStatus {
	var out []corev1.ContainerStatus
	for _, c := range pod.Spec.InitContainers {
		out = append(out, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: imageID(c.Image), ContainerID: containerID(pod, c.Name, 0),
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				Reason: "Completed", ExitCode: 0, StartedAt: mt(now.Add(-10 * time.Minute)), FinishedAt: mt(now.Add(-9 * time.Minute)),
				ContainerID: containerID(pod, c.Name, 0),
			}},
		})
	}
	return out
}

// RunningStatus: phase Running, every container running and ready.
func RunningStatus(pod *corev1.Pod, now time.Time) corev1.PodStatus {
	st := base(pod, corev1.PodRunning, now, true)
	st.Conditions = conditions(now, true, true, "")
	st.InitContainerStatuses = initDone(pod, now)
	for _, c := range pod.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, running(pod, c, now.Add(-9*time.Minute)))
	}
	return st
}

// waitingStatus: phase Pending, the first container waiting with reason/message, the others
// waiting to start.
func waitingStatus(pod *corev1.Pod, now time.Time, reason, message string) corev1.PodStatus {
	st := base(pod, corev1.PodPending, now, true)
	st.Conditions = conditions(now, true, false, "ContainersNotReady")
	st.InitContainerStatuses = initDone(pod, now)
	for i, c := range pod.Spec.Containers {
		if i == 0 {
			st.ContainerStatuses = append(st.ContainerStatuses, waiting(c, reason, message))
		} else {
			st.ContainerStatuses = append(st.ContainerStatuses, waiting(c, "ContainerCreating", ""))
		}
	}
	return st
}

func firstImage(pod *corev1.Pod) string {
	if len(pod.Spec.Containers) == 0 {
		return ""
	}
	return pod.Spec.Containers[0].Image
}

// PullError is the message containerd gives the kubelet for an image that does not exist.
func PullError(image string) string {
	return fmt.Sprintf("rpc error: code = NotFound desc = failed to pull and unpack image %q: failed to resolve reference %q: %s: not found",
		image, image, image)
}

// ErrImagePullStatus: the first container's image cannot be pulled (first attempt).
func ErrImagePullStatus(pod *corev1.Pod, now time.Time) corev1.PodStatus {
	return waitingStatus(pod, now, "ErrImagePull", PullError(firstImage(pod)))
}

// ImagePullBackOffStatus: the kubelet is backing off pulling the first container's image.
func ImagePullBackOffStatus(pod *corev1.Pod, now time.Time) corev1.PodStatus {
	img := firstImage(pod)
	return waitingStatus(pod, now, "ImagePullBackOff", fmt.Sprintf("Back-off pulling image %q: ErrImagePull: %s", img, PullError(img)))
}

// CreateContainerConfigErrorStatus: the first container references a missing secret.
func CreateContainerConfigErrorStatus(pod *corev1.Pod, now time.Time, secret string) corev1.PodStatus {
	return waitingStatus(pod, now, "CreateContainerConfigError", fmt.Sprintf("secret %q not found", secret))
}

// CrashLoopBackOffStatus: phase Running, the first container waiting in CrashLoopBackOff after
// restarts restarts, its last run terminated with lastReason/exitCode (e.g. OOMKilled/137 or
// Error/2) two minutes ago. Other containers run.
func CrashLoopBackOffStatus(pod *corev1.Pod, now time.Time, restarts int32, lastReason string, exitCode int32) corev1.PodStatus {
	st := base(pod, corev1.PodRunning, now, true)
	st.Conditions = conditions(now, true, false, "ContainersNotReady")
	st.InitContainerStatuses = initDone(pod, now)
	for i, c := range pod.Spec.Containers {
		if i > 0 {
			st.ContainerStatuses = append(st.ContainerStatuses, running(pod, c, now.Add(-9*time.Minute)))
			continue
		}
		cs := waiting(c, "CrashLoopBackOff",
			fmt.Sprintf("back-off 5m0s restarting failed container=%s pod=%s_%s(%s)", c.Name, pod.Name, pod.Namespace, pod.UID))
		cs.ImageID, cs.ContainerID = imageID(c.Image), containerID(pod, c.Name, restarts)
		cs.RestartCount = restarts
		cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			Reason: lastReason, ExitCode: exitCode, ContainerID: containerID(pod, c.Name, restarts),
			StartedAt: mt(now.Add(-3 * time.Minute)), FinishedAt: mt(now.Add(-2 * time.Minute)),
		}}
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
	}
	return st
}

// InitRunningStatus: the first init container runs (Init:0/N), app containers wait.
func InitRunningStatus(pod *corev1.Pod, now time.Time) corev1.PodStatus {
	st := base(pod, corev1.PodPending, now, true)
	st.Conditions = conditions(now, false, false, "ContainersNotReady")
	for i, c := range pod.Spec.InitContainers {
		if i == 0 {
			cs := running(pod, c, now.Add(-time.Minute))
			cs.Ready = false
			st.InitContainerStatuses = append(st.InitContainerStatuses, cs)
		} else {
			st.InitContainerStatuses = append(st.InitContainerStatuses, waiting(c, "PodInitializing", ""))
		}
	}
	for _, c := range pod.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, waiting(c, "PodInitializing", ""))
	}
	return st
}

// CompletedStatus: phase Succeeded, every container terminated Completed with exit code 0.
func CompletedStatus(pod *corev1.Pod, now time.Time) corev1.PodStatus {
	st := base(pod, corev1.PodSucceeded, now, true)
	st.Conditions = conditions(now, true, false, "PodCompleted")
	st.InitContainerStatuses = initDone(pod, now)
	for _, c := range pod.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: imageID(c.Image), ContainerID: containerID(pod, c.Name, 0), Started: ptr(false),
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				Reason: "Completed", ExitCode: 0, StartedAt: mt(now.Add(-9 * time.Minute)), FinishedAt: mt(now.Add(-8 * time.Minute)),
				ContainerID: containerID(pod, c.Name, 0),
			}},
		})
	}
	return st
}

// EvictedStatus: phase Failed, reason Evicted (node memory pressure). No container statuses,
// since a terminated reason there would replace "Evicted" in kubectl's STATUS column.
func EvictedStatus(pod *corev1.Pod, now time.Time) corev1.PodStatus {
	st := base(pod, corev1.PodFailed, now, false)
	st.Reason = "Evicted"
	st.Message = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 48Mi. "
	if len(pod.Spec.Containers) > 0 {
		st.Message += fmt.Sprintf("Container %s was using 1843Mi, request is 512Mi, has larger consumption of memory. ", pod.Spec.Containers[0].Name)
	}
	st.Conditions = append(conditions(now, true, false, "PodFailed"), corev1.PodCondition{
		Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue, Reason: "TerminationByKubelet",
		Message: "The node was low on resource: memory.", LastTransitionTime: mt(now.Add(-5 * time.Minute)),
	})
	return st
}

// PendingStatus: what a pod nobody has acted on has.
func PendingStatus() corev1.PodStatus {
	return corev1.PodStatus{Phase: corev1.PodPending}
}

// SeedDemo fills namespace ns (created if needed) with one pod per State, a few healthy pods
// (kwok-managed), realistic events and logs: what `podtui demo` shows.
func SeedDemo(ctx context.Context, c *Cluster, ns string) error {
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		return err
	}
	now := time.Now()
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	type ev = Event
	app := "spec.containers{app}"

	// Healthy pods, managed by kwok (Running within a second or two).
	healthy := []*corev1.Pod{
		Pod(ns, "web-7c9f6d8b5-x2kqp", WithContainers("web", "envoy"), WithUsage("120m", "180Mi"), WithLabel("app", "web")),
		Pod(ns, "web-7c9f6d8b5-r8m4t", WithContainers("web", "envoy"), WithUsage("95m", "170Mi"), WithLabel("app", "web")),
		Pod(ns, "api-5f7d9c6b8-m4n7r", WithImage("registry.example/api:4.2.0"), WithUsage("250m", "300Mi"), WithLabel("app", "api")),
	}
	for _, p := range healthy {
		ownedByName(p)
		if _, err := c.CreatePod(ctx, p); err != nil {
			return err
		}
	}
	if _, err := c.CreateEvent(ctx, ns, "api-5f7d9c6b8-m4n7r", ev{
		Reason: "Unhealthy", FieldPath: app, Count: 3,
		Message: "Readiness probe failed: HTTP probe failed with statuscode: 503", FirstSeen: ago(6 * time.Minute), LastSeen: ago(40 * time.Second),
	}); err != nil {
		return err
	}

	type seed struct {
		state  State
		pod    *corev1.Pod
		status func(*corev1.Pod) corev1.PodStatus // nil: CreatePodInState(state)
		events []Event
	}
	crash := "checkout-7b5d9f8c6-q8w2z"
	pull, pullImage := "payments-6f8d7c9b5-k2j4h", "registry.example/payments:2.3.1-rc0"
	backoff, backoffImage := "search-84c6f9d7b-z5w9q", "registry.exmaple/search:1.8.0"
	backoffPull := fmt.Sprintf(`rpc error: code = Unknown desc = failed to pull and unpack image %q: failed to resolve reference %q: `+
		`failed to do request: Head "https://registry.exmaple/v2/search/manifests/1.8.0": dial tcp: lookup registry.exmaple on 10.96.0.10:53: no such host`,
		backoffImage, backoffImage)
	// podFor is PodFor with a realistic image instead of one derived from the pod name.
	podFor := func(name string, s State, image string) *corev1.Pod {
		p := PodFor(ns, name, s)
		WithImage(image)(p)
		return p
	}
	// A training pod asks for more memory than any node has: the scheduler's
	// words name as many nodes as the cluster has.
	nodes, err := c.client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	n := len(nodes.Items)
	unschedulable := fmt.Sprintf("0/%d nodes are available: %d Insufficient memory. preemption: 0/%d nodes are available: %d No preemption victims found for incoming pod.", n, n, n, n)
	trainer := podFor("ml-train-0", StatePending, "registry.example/trainer:0.9.3")
	trainer.Spec.Containers[0].Resources.Requests = corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("8"), corev1.ResourceMemory: resource.MustParse("384Gi"),
	}
	seeds := []seed{
		{StateRunning, podFor("cache-0", StateRunning, "registry.example/redis:7.2"), func(p *corev1.Pod) corev1.PodStatus {
			// Running, but restarted once after an OOM kill: shows "1 (3m ago)" in RESTARTS.
			st := RunningStatus(p, now)
			st.ContainerStatuses[0].RestartCount = 1
			st.ContainerStatuses[0].LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				Reason: "OOMKilled", ExitCode: 137, StartedAt: mt(ago(40 * time.Minute)), FinishedAt: mt(ago(3 * time.Minute)),
			}}
			return st
		}, []Event{{Reason: "OOMKilling", Component: "kernel-monitor", Message: "Memory cgroup out of memory: Killed process 4312 (redis-server) total-vm:1843200kB, anon-rss:1048576kB", LastSeen: ago(3 * time.Minute)}}},
		{StateCrashLoopBackOff, podFor(crash, StateCrashLoopBackOff, "registry.example/checkout:3.4.1"), func(p *corev1.Pod) corev1.PodStatus {
			return CrashLoopBackOffStatus(p, now, 12, "Error", 2)
		}, []Event{
			{
				Reason: "BackOff", FieldPath: app, Count: 48, FirstSeen: ago(38 * time.Minute), LastSeen: ago(20 * time.Second),
				Message: "Back-off restarting failed container app in pod " + crash + "_" + ns + "(UID)",
			},
			{
				Type: corev1.EventTypeNormal, Reason: "Pulled", FieldPath: app, Count: 13, FirstSeen: ago(40 * time.Minute), LastSeen: ago(2 * time.Minute),
				Message: `Container image "registry.example/checkout:3.4.1" already present on machine`,
			},
		}},
		{StateErrImagePull, podFor(pull, StateErrImagePull, pullImage), nil, []Event{
			{Type: corev1.EventTypeNormal, Reason: "Pulling", FieldPath: app, Message: fmt.Sprintf("Pulling image %q", pullImage), LastSeen: ago(15 * time.Second)},
			{Reason: "Failed", FieldPath: app, Message: fmt.Sprintf("Failed to pull image %q: %s", pullImage, PullError(pullImage)), LastSeen: ago(14 * time.Second)},
			{Reason: "Failed", FieldPath: app, Message: "Error: ErrImagePull", LastSeen: ago(14 * time.Second)},
		}},
		// The registry's host is misspelt: the node cannot resolve it.
		{StateImagePullBackOff, podFor(backoff, StateImagePullBackOff, backoffImage), func(p *corev1.Pod) corev1.PodStatus {
			return waitingStatus(p, now, "ImagePullBackOff", fmt.Sprintf("Back-off pulling image %q: ErrImagePull: %s", backoffImage, backoffPull))
		}, []Event{
			{
				Reason: "Failed", FieldPath: app, Count: 4, FirstSeen: ago(5 * time.Minute), LastSeen: ago(50 * time.Second),
				Message: fmt.Sprintf("Failed to pull image %q: %s", backoffImage, backoffPull),
			},
			{
				Type: corev1.EventTypeNormal, Reason: "BackOff", FieldPath: app, Count: 19, FirstSeen: ago(5 * time.Minute), LastSeen: ago(10 * time.Second),
				Message: fmt.Sprintf("Back-off pulling image %q", backoffImage),
			},
			{Reason: "Failed", FieldPath: app, Count: 19, FirstSeen: ago(5 * time.Minute), LastSeen: ago(10 * time.Second), Message: "Error: ImagePullBackOff"},
		}},
		{StateCreateContainerConfigError, podFor("orders-6b8f5d7c9-p3x7v", StateCreateContainerConfigError, "registry.example/orders:5.0.2"), func(p *corev1.Pod) corev1.PodStatus {
			return CreateContainerConfigErrorStatus(p, now, "orders-db-credentials")
		}, []Event{{
			Reason: "Failed", FieldPath: app, Count: 9, FirstSeen: ago(3 * time.Minute), LastSeen: ago(25 * time.Second),
			Message: `Error: secret "orders-db-credentials" not found`,
		}}},
		{StateInit, podFor("migrate-5d8c7f9b6-h6k2n", StateInit, "registry.example/migrate:5.0.2"), nil, []Event{
			{Type: corev1.EventTypeNormal, Reason: "Started", FieldPath: "spec.initContainers{init}", Message: "Started container init", LastSeen: ago(time.Minute)},
		}},
		{StateCompleted, podFor("report-28893140-x7k2p", StateCompleted, "registry.example/report:1.1.0"), nil, nil},
		{StateEvicted, podFor("worker-6c9d8f7b5-t4j8s", StateEvicted, "registry.example/worker:2.0.4"), nil, []Event{
			{Reason: "Evicted", Message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 48Mi. Container app was using 1843Mi, request is 512Mi, has larger consumption of memory.", LastSeen: ago(5 * time.Minute)},
			{Type: corev1.EventTypeNormal, Reason: "Killing", FieldPath: app, Message: "Stopping container app", LastSeen: ago(5 * time.Minute)},
		}},
		{StatePending, trainer, func(*corev1.Pod) corev1.PodStatus {
			// What kube-scheduler writes beside its event: the condition outlives the event.
			return corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
				Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable,
				Message: unschedulable, LastTransitionTime: metav1.NewTime(ago(time.Minute)),
			}}}
		}, []Event{
			{
				Reason: "FailedScheduling", Component: "default-scheduler", Count: 7, FirstSeen: ago(12 * time.Minute), LastSeen: ago(time.Minute),
				Message: unschedulable,
			},
		}},
		{StateTerminating, podFor("legacy-api-7f6d5c8b9-w2r5m", StateTerminating, "registry.example/legacy-api:0.4.7"), nil, []Event{
			{Type: corev1.EventTypeNormal, Reason: "Killing", FieldPath: app, Message: "Stopping container app", LastSeen: ago(30 * time.Second)},
		}},
	}
	for _, s := range seeds {
		ownedByName(s.pod)
		var created *corev1.Pod
		var err error
		if s.status != nil {
			if created, err = c.CreatePod(ctx, s.pod); err == nil {
				created, err = c.PatchStatus(ctx, ns, created.Name, s.status(created))
			}
		} else {
			created, err = c.CreatePodInState(ctx, s.pod, s.state)
		}
		if err != nil {
			return fmt.Errorf("seed %s: %w", s.pod.Name, err)
		}
		for _, e := range s.events {
			e.Message = strings.ReplaceAll(e.Message, "(UID)", "("+string(created.UID)+")")
			if _, err := c.CreateEvent(ctx, ns, created.Name, e); err != nil {
				return err
			}
		}
	}

	if err := c.SetLogs(ctx, ns, crash, "app", crashCurrent, crashPrevious); err != nil {
		return err
	}
	return c.SetLogs(ctx, ns, "migrate-5d8c7f9b6-h6k2n", "init",
		"waiting for orders-db:5432…\nwaiting for orders-db:5432…\nwaiting for orders-db:5432…\n", "")
}

const crashCurrent = `level=info msg="starting checkout service" version=3.4.1 commit=9f2c1ab
level=info msg="connecting to postgres" host=orders-db port=5432
level=info msg="loaded discount rules" count=1284
level=info msg="listening" addr=:8080
`

const crashPrevious = crashCurrent + `level=info msg="applying discount" order=ORD-20931 code=BLACKFRIDAY
panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x28 pc=0x7a3f2b]

goroutine 214 [running]:
example.com/checkout/internal/discount.(*Rule).Apply(0x0, 0xc000412a80)
	/src/internal/discount/rule.go:87 +0x2b
example.com/checkout/internal/cart.(*Cart).Total(0xc0003f6000)
	/src/internal/cart/cart.go:142 +0x1c5
example.com/checkout/internal/api.(*Server).handleCheckout(0xc000186140, {0x9c1e40, 0xc0004b2000}, 0xc0004a8000)
	/src/internal/api/checkout.go:63 +0x2f4
net/http.HandlerFunc.ServeHTTP(0xc000492000?, {0x9c1e40?, 0xc0004b2000?}, 0x0?)
	/usr/local/go/src/net/http/server.go:2322 +0x29
net/http.(*conn).serve(0xc0001f2000, {0x9c3a18, 0xc000190ea0})
	/usr/local/go/src/net/http/server.go:2188 +0x839
created by net/http.(*Server).Serve in goroutine 1
	/usr/local/go/src/net/http/server.go:3454 +0x485
`

var (
	deploymentPod = regexp.MustCompile(`^(.+)-([a-z0-9]{6,10})-[a-z0-9]{5}$`)
	jobPod        = regexp.MustCompile(`^(.+-\d{8,})-[a-z0-9]{5}$`)
	statefulPod   = regexp.MustCompile(`^(.+)-\d+$`)
)

// ownedByName gives a demo pod the owner its name implies, as the
// controllers would (there are none here): Deployment pods get a ReplicaSet
// and the pod-template-hash label, CronJob pods a Job, ordinals a StatefulSet.
func ownedByName(p *corev1.Pod) {
	ref := metav1.OwnerReference{Controller: new(true), BlockOwnerDeletion: new(true)}
	switch {
	case jobPod.MatchString(p.Name):
		ref.APIVersion, ref.Kind, ref.Name = "batch/v1", "Job", jobPod.FindStringSubmatch(p.Name)[1]
	case deploymentPod.MatchString(p.Name):
		m := deploymentPod.FindStringSubmatch(p.Name)
		ref.APIVersion, ref.Kind, ref.Name = "apps/v1", "ReplicaSet", m[1]+"-"+m[2]
		p.Labels["pod-template-hash"] = m[2]
	case statefulPod.MatchString(p.Name):
		ref.APIVersion, ref.Kind, ref.Name = "apps/v1", "StatefulSet", statefulPod.FindStringSubmatch(p.Name)[1]
	default:
		return
	}
	sum := sha256.Sum256([]byte(p.Namespace + "/" + ref.Kind + "/" + ref.Name))
	h := hex.EncodeToString(sum[:16])
	ref.UID = types.UID(h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32])
	p.OwnerReferences = []metav1.OwnerReference{ref}
}
