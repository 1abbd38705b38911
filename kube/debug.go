package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	authv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/utils/ptr"

	"github.com/podtui/podtui/internal/defaults"
)

// Debug profiles, as kubectl debug --profile defines them.
const (
	ProfileGeneral    = "general"
	ProfileBaseline   = "baseline"
	ProfileRestricted = "restricted"
	ProfileNetadmin   = "netadmin"
	ProfileSysadmin   = "sysadmin"
)

// DebugProfiles lists the profiles in the order they are offered.
var DebugProfiles = defaults.DebugProfiles()

// ProfileSummary says in a few words what a profile gives a debug container.
func ProfileSummary(profile string) string {
	switch profile {
	case ProfileGeneral:
		return "adds SYS_PTRACE (trace the target's processes)"
	case ProfileBaseline:
		return "no extra privileges (Pod Security baseline)"
	case ProfileRestricted:
		return "non-root, all capabilities dropped (Pod Security restricted)"
	case ProfileNetadmin:
		return "adds NET_ADMIN and NET_RAW (tcpdump, iptables)"
	case ProfileSysadmin:
		return "privileged"
	}
	return "unknown profile"
}

// DebugRequest asks for an ephemeral debug container in a pod.
type DebugRequest struct {
	Namespace string
	Pod       string
	// Name is the debug container's name (DebugContainerName).
	Name string
	// Target is the container whose process namespace it joins.
	Target  string
	Image   string
	Profile string
}

// DebugContainerName picks a fresh debugger-xxxxx name no container of
// the pod has.
func DebugContainerName(pod *corev1.Pod) string {
	for {
		name := "debugger-" + utilrand.String(5)
		if !slices.Contains(containerNames(pod), name) {
			return name
		}
	}
}

func containerNames(pod *corev1.Pod) []string {
	var names []string
	for _, c := range pod.Spec.InitContainers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		names = append(names, c.Name)
	}
	return names
}

// EphemeralContainer is the debug container a request adds: interactive,
// with a TTY, sharing the target's process namespace, shaped by the profile.
func EphemeralContainer(req DebugRequest) (corev1.EphemeralContainer, error) {
	c := corev1.Container{
		Name: req.Name, Image: req.Image,
		Stdin: true, TTY: true,
		TerminationMessagePolicy: corev1.TerminationMessageReadFile,
	}
	if err := applyProfile(&c, req.Profile); err != nil {
		return corev1.EphemeralContainer{}, err
	}
	return corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon(c), TargetContainerName: req.Target}, nil
}

// applyProfile sets a container's security context as kubectl's profile
// does for a debug container (the pod-level parts of the node shell are in
// NodeShellPod).
func applyProfile(c *corev1.Container, profile string) error {
	sc := func() *corev1.SecurityContext {
		if c.SecurityContext == nil {
			c.SecurityContext = &corev1.SecurityContext{}
		}
		return c.SecurityContext
	}
	addCaps := func(caps ...corev1.Capability) {
		s := sc()
		if s.Capabilities == nil {
			s.Capabilities = &corev1.Capabilities{}
		}
		s.Capabilities.Add = append(s.Capabilities.Add, caps...)
	}
	switch profile {
	case ProfileGeneral:
		addCaps("SYS_PTRACE")
	case ProfileBaseline:
		c.SecurityContext = nil
	case ProfileRestricted:
		c.SecurityContext = &corev1.SecurityContext{
			RunAsNonRoot:             ptr.To(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			AllowPrivilegeEscalation: ptr.To(false),
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		}
	case ProfileNetadmin:
		addCaps("NET_ADMIN", "NET_RAW")
	case ProfileSysadmin:
		sc().Privileged = ptr.To(true)
	default:
		return fmt.Errorf("unknown debug profile %q (one of %s)", profile, strings.Join(DebugProfiles, ", "))
	}
	return nil
}

// DebugPatch is the strategic-merge patch of the pod's ephemeral containers
// that adds ec, as kubectl debug makes it.
func DebugPatch(pod *corev1.Pod, ec corev1.EphemeralContainer) ([]byte, error) {
	before, err := json.Marshal(pod)
	if err != nil {
		return nil, err
	}
	with := pod.DeepCopy()
	with.Spec.EphemeralContainers = append(with.Spec.EphemeralContainers, ec)
	after, err := json.Marshal(with)
	if err != nil {
		return nil, err
	}
	return strategicpatch.CreateTwoWayMergePatch(before, after, pod)
}

// EphemeralDisabledError: the API server has no pods/ephemeralcontainers.
type EphemeralDisabledError struct{ Err error }

func (e *EphemeralDisabledError) Error() string {
	return "this cluster has ephemeral containers disabled (the API server has no pods/ephemeralcontainers)"
}

func (e *EphemeralDisabledError) Unwrap() error { return e.Err }

// ForbiddenError: RBAC does not allow a step; nothing was created.
type ForbiddenError struct {
	Verb, Resource, Namespace string
	Err                       error
}

func (e *ForbiddenError) Error() string {
	where := " in namespace " + e.Namespace
	if e.Namespace == "" {
		where = ""
	}
	return fmt.Sprintf("RBAC forbids %s on %s%s", e.Verb, e.Resource, where)
}

func (e *ForbiddenError) Unwrap() error { return e.Err }

// ImagePullError: the debug image cannot be pulled.
type ImagePullError struct {
	Image, Reason, Message string
}

func (e *ImagePullError) Error() string {
	msg := fmt.Sprintf("image %s cannot be pulled (%s)", e.Image, e.Reason)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// StartError: the container did not start, or ended before it could be
// attached to.
type StartError struct {
	Container, Why string
}

func (e *StartError) Error() string { return "container " + e.Container + " " + e.Why }

// access is one RBAC permission a step needs.
type access struct{ verb, resource, subresource string }

func (a access) String() string {
	if a.subresource == "" {
		return a.resource
	}
	return a.resource + "/" + a.subresource
}

// checkAccess asks the API server (SelfSubjectAccessReview) whether every
// permission is granted, before anything is created, so a refused attach
// never leaves a debug container behind. A server that cannot answer is
// not a refusal: the real request will tell.
func checkAccess(ctx context.Context, cs kubernetes.Interface, ns string, need ...access) error {
	for _, a := range need {
		r, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authv1.SelfSubjectAccessReview{
			Spec: authv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authv1.ResourceAttributes{
				Namespace: ns, Verb: a.verb, Resource: a.resource, Subresource: a.subresource,
			}},
		}, metav1.CreateOptions{})
		if err != nil {
			continue
		}
		if !r.Status.Allowed {
			return &ForbiddenError{Verb: a.verb, Resource: a.String(), Namespace: ns}
		}
	}
	return nil
}

// forbidden turns a 403 into a ForbiddenError naming the step.
func forbidden(err error, a access, ns string) error {
	if apierrors.IsForbidden(err) {
		return &ForbiddenError{Verb: a.verb, Resource: a.String(), Namespace: ns, Err: err}
	}
	return err
}

var (
	accessEphemeral = access{"patch", "pods", "ephemeralcontainers"}
	accessAttach    = access{"create", "pods", "attach"}
)

// AddDebugContainer adds the ephemeral debug container req describes to
// the pod and returns the pod as patched. It checks first that the user
// may both add it and attach to it.
func (c *Client) AddDebugContainer(ctx context.Context, req DebugRequest) (*corev1.Pod, error) {
	return AddDebugContainer(ctx, c.Clientset, req)
}

// AddDebugContainer works on any clientset (see Client.AddDebugContainer).
func AddDebugContainer(ctx context.Context, cs kubernetes.Interface, req DebugRequest) (*corev1.Pod, error) {
	if err := checkAccess(ctx, cs, req.Namespace, accessEphemeral, accessAttach); err != nil {
		return nil, err
	}
	pods := cs.CoreV1().Pods(req.Namespace)
	pod, err := pods.Get(ctx, req.Pod, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	if slices.Contains(containerNames(pod), req.Name) {
		return nil, fmt.Errorf("pod %s/%s already has a container named %s", req.Namespace, req.Pod, req.Name)
	}
	ec, err := EphemeralContainer(req)
	if err != nil {
		return nil, err
	}
	patch, err := DebugPatch(pod, ec)
	if err != nil {
		return nil, err
	}
	out, err := pods.Patch(ctx, req.Pod, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "ephemeralcontainers")
	if err != nil {
		// A missing subresource is a 404 without the pod's name in its
		// details; a missing pod names it.
		var se apierrors.APIStatus
		if apierrors.IsNotFound(err) && errors.As(err, &se) && (se.Status().Details == nil || se.Status().Details.Name == "") {
			return nil, &EphemeralDisabledError{Err: err}
		}
		return nil, forbidden(err, accessEphemeral, req.Namespace)
	}
	return out, nil
}

// pullFailures are the waiting reasons of an image that will not come.
var pullFailures = []string{"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable"}

// startFailures are the waiting reasons of a container that cannot start.
var startFailures = []string{"CreateContainerConfigError", "CreateContainerError", "RunContainerError"}

// WaitRunning watches the pod until the container runs. An image that
// cannot be pulled, a container that cannot start or that ended, and a
// deleted pod end the wait with an error; so does ctx.
func (c *Client) WaitRunning(ctx context.Context, ns, pod, container string) (*corev1.Pod, error) {
	return WaitRunning(ctx, c.Clientset, ns, pod, container)
}

// WaitRunning works on any clientset (see Client.WaitRunning). It reads the
// pod, then watches it from there; a watch the server closes is started
// again from a fresh read.
func WaitRunning(ctx context.Context, cs kubernetes.Interface, ns, pod, container string) (*corev1.Pod, error) {
	pods := cs.CoreV1().Pods(ns)
	for {
		p, err := pods.Get(ctx, pod, metav1.GetOptions{})
		if err != nil {
			return nil, waitErr(ctx, container, err)
		}
		if done, err := runningYet(p, container); done || err != nil {
			return p, err
		}
		w, err := pods.Watch(ctx, metav1.ListOptions{
			FieldSelector:   fields.OneTermEqualSelector("metadata.name", pod).String(),
			ResourceVersion: p.ResourceVersion,
		})
		if err != nil {
			return nil, waitErr(ctx, container, err)
		}
		p, err = watchRunning(ctx, w, pod, container)
		w.Stop()
		if p != nil || err != nil {
			return p, err
		}
	}
}

// watchRunning follows the watch until the container runs or fails; (nil,
// nil) when the watch ended first.
func watchRunning(ctx context.Context, w watch.Interface, pod, container string) (*corev1.Pod, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, waitErr(ctx, container, ctx.Err())
		case ev, ok := <-w.ResultChan():
			if !ok {
				return nil, nil
			}
			p, isPod := ev.Object.(*corev1.Pod)
			switch {
			case ev.Type == watch.Deleted:
				return nil, &StartError{Container: container, Why: "did not start: the pod was deleted"}
			case !isPod || p.Name != pod:
				continue
			}
			if done, err := runningYet(p, container); done || err != nil {
				return p, err
			}
		}
	}
}

// runningYet says whether the container runs, or why it never will.
func runningYet(p *corev1.Pod, container string) (bool, error) {
	s := containerStatus(p, container)
	switch {
	case s == nil:
		return false, nil
	case s.State.Running != nil:
		return true, nil
	case s.State.Terminated != nil:
		t := s.State.Terminated
		return false, &StartError{Container: container, Why: fmt.Sprintf("ended before it could be attached to: %s (exit %d)", t.Reason, t.ExitCode)}
	case s.State.Waiting != nil && slices.Contains(pullFailures, s.State.Waiting.Reason):
		return false, &ImagePullError{Image: containerImage(p, container), Reason: s.State.Waiting.Reason, Message: s.State.Waiting.Message}
	case s.State.Waiting != nil && slices.Contains(startFailures, s.State.Waiting.Reason):
		return false, &StartError{Container: container, Why: "cannot start: " + s.State.Waiting.Reason + ": " + s.State.Waiting.Message}
	}
	return false, nil
}

// waitErr says a wait that ctx ended gave up.
func waitErr(ctx context.Context, container string, err error) error {
	if ctx.Err() != nil {
		return &StartError{Container: container, Why: "is not running yet (gave up waiting)"}
	}
	return err
}

func containerStatus(p *corev1.Pod, name string) *corev1.ContainerStatus {
	for _, list := range [][]corev1.ContainerStatus{p.Status.EphemeralContainerStatuses, p.Status.ContainerStatuses, p.Status.InitContainerStatuses} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}

func containerImage(p *corev1.Pod, name string) string {
	for _, c := range p.Spec.EphemeralContainers {
		if c.Name == name {
			return c.Image
		}
	}
	for _, c := range append(append([]corev1.Container{}, p.Spec.Containers...), p.Spec.InitContainers...) {
		if c.Name == name {
			return c.Image
		}
	}
	return ""
}

// AttachRequest says which container's terminal to attach to.
type AttachRequest struct {
	Namespace string
	Pod       string
	Container string
}

// Attach returns a session attached to the container's TTY when Run is
// called (pods/attach: WebSocket first, SPDY when the upgrade fails).
func (c *Client) Attach(req AttachRequest) Runner {
	s := &execSession{
		req: ExecRequest{Namespace: req.Namespace, Pod: req.Pod, Container: req.Container, Commands: [][]string{nil}, TTY: true},
		stream: func(ctx context.Context, _ []string, opts remotecommand.StreamOptions) error {
			u := c.Clientset.CoreV1().RESTClient().Post().
				Resource("pods").Namespace(req.Namespace).Name(req.Pod).SubResource("attach").
				VersionedParams(&corev1.PodAttachOptions{
					Container: req.Container,
					Stdin:     opts.Stdin != nil, Stdout: opts.Stdout != nil, Stderr: opts.Stderr != nil, TTY: opts.Tty,
				}, scheme.ParameterCodec).URL()
			return streamErr(c.stream(ctx, u, opts), "attach", req.Namespace)
		},
		// The shell printed its prompt before we came: say how to get one.
		banner: "If you don't see a command prompt, try pressing enter.\r\n",
	}
	return s
}

// streamErr names the step a 403 of a stream refused.
func streamErr(err error, sub, ns string) error {
	if err != nil && (apierrors.IsForbidden(err) || strings.Contains(err.Error(), "forbidden")) {
		return &ForbiddenError{Verb: "create", Resource: "pods/" + sub, Namespace: ns, Err: err}
	}
	return err
}
