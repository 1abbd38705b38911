package diagnose

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

var imageReasons = map[string]bool{
	"ErrImagePull": true, "ImagePullBackOff": true, "InvalidImageName": true,
	"ErrImageNeverPull": true, "RegistryUnavailable": true, "ImageInspectError": true, "SignatureValidationFailed": true,
}

func checkContainers(c *ctx) {
	imageTrouble := false
	for _, v := range c.containers() {
		name := v.name()
		if c.handled[name] || v.status == nil {
			continue
		}
		s := v.status
		w, t, lt := s.State.Waiting, s.State.Terminated, s.LastTerminationState.Terminated
		switch {
		case w != nil && imageReasons[w.Reason]:
			c.imagePull(v, w)
			imageTrouble = true
			continue
		case w != nil && w.Reason == "CreateContainerConfigError":
			c.configError(v, w)
			continue
		case w != nil && (w.Reason == "CreateContainerError" || w.Reason == "RunContainerError" || w.Reason == "StartError"):
			c.runtimeError(v, w.Reason, w.Message, nil)
			continue
		case t != nil && (t.Reason == "StartError" || t.Reason == "ContainerCannotRun"):
			c.runtimeError(v, t.Reason, t.Message, t)
			continue
		case w != nil && w.Reason == "CrashLoopBackOff" && lt != nil && (lt.Reason == "StartError" || lt.Reason == "ContainerCannotRun"):
			c.runtimeError(v, lt.Reason, lt.Message, lt)
			continue
		case t != nil && t.Reason == "ContainerStatusUnknown":
			c.add("node/container-status-unknown", name, fmt.Sprintf("Container %s was lost: %s", name, t.Message), "",
				[]string{fmt.Sprintf("%s.state.terminated: reason=%s exitCode=%d", statusPath(v), t.Reason, t.ExitCode), t.Message}, nil)
			continue
		}
		if c.postStartHook(v) {
			continue
		}
		if v.init {
			c.initContainer(v)
			continue
		}
		if c.probeKills(v) {
			continue
		}
		if c.oom(v) {
			continue
		}
		if c.crash(v) {
			continue
		}
		c.nearMemoryLimit(v)
		c.probeWarnings(v)
	}
	for _, e := range c.eventsWith("", "FailedPreStopHook") {
		ctr := containerOf(e.Object.FieldPath)
		c.add("hook/pre-stop", ctr, fmt.Sprintf("preStop hook of %s failed", orWord(ctr, "a container")), hookDetail(e.Message), []string{c.evidence(e)}, nil)
	}
	c.pullSecrets(imageTrouble)
}

// withPort adds the HTTPS port to a registry host that names none.
func withPort(host string) string {
	if strings.Contains(host, ":") {
		return host
	}
	return host + ":443"
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ---- images ----

func (c *ctx) imagePull(v cview, w *corev1.ContainerStateWaiting) {
	name := v.name()
	image := v.spec.Image
	ev := []string{}
	if w.Message != "" {
		ev = append(ev, w.Message)
	}
	ev = append(ev, fmt.Sprintf("%s.state.waiting.reason: %s", statusPath(v), w.Reason), fmt.Sprintf("image: %s", image))
	msg := w.Message
	for _, e := range c.eventsWith(name, "Failed", "ErrImageNeverPull", "InspectFailed") {
		if strings.Contains(e.Message, "pull") || strings.Contains(e.Message, "image") {
			ev = append(ev, c.evidence(e))
			if ClassifyPull(msg) == PullUnknown {
				msg = e.Message
			}
			break
		}
	}
	node := nodeOr(c.pod.Spec.NodeName)
	reg := registryOf(image)
	var id, summary string
	var detail []string
	switch w.Reason {
	case "InvalidImageName":
		id, summary = "image/invalid-name", fmt.Sprintf("Image reference %q is not valid", image)
	case "ErrImageNeverPull":
		id, summary = "image/never-pull", fmt.Sprintf("Image %s is not on node %s and imagePullPolicy is Never", image, node)
	case "RegistryUnavailable":
		id, summary = "image/registry-unavailable", fmt.Sprintf("Registry %s is unavailable from node %s", reg, node)
	case "SignatureValidationFailed":
		id, summary = "image/signature", fmt.Sprintf("Signature check of image %s failed", image)
	case "ImageInspectError":
		id, summary = "image/inspect-error", fmt.Sprintf("Image %s on node %s cannot be inspected", image, node)
	default:
		switch ClassifyPull(msg) {
		case PullNotFound:
			id = "image/not-found"
			summary = fmt.Sprintf("Image %s not found: the tag or manifest does not exist in %s", image, reg)
		case PullAuth:
			id = "image/unauthorized"
			summary = fmt.Sprintf("Pull of %s denied: the repository does not exist or needs credentials", image)
			detail = append(detail, c.pullSecretState()...)
		case PullTLS:
			id = "image/tls"
			if h := pullHost(msg); h != "" {
				reg = h
			}
			summary = fmt.Sprintf("Node %s does not trust the TLS certificate of registry %s", node, reg)
		case PullNetwork:
			id = "image/network"
			why := "connection failed"
			if h := pullHost(msg); h != "" {
				reg = h
			}
			switch l := strings.ToLower(msg); {
			case strings.Contains(l, "no such host"), strings.Contains(l, "name resolution"):
				why = "DNS lookup failed"
			case strings.Contains(l, "i/o timeout"), strings.Contains(l, "deadline exceeded"), strings.Contains(l, "timeout"):
				why = "timed out"
			case strings.Contains(l, "connection refused"):
				why = "connection refused"
			}
			summary = fmt.Sprintf("Node %s cannot reach registry %s (%s)", node, reg, why)
		case PullRateLimit:
			id = "image/rate-limit"
			summary = fmt.Sprintf("Registry %s is rate-limiting pulls (toomanyrequests)", reg)
		case PullPlatform:
			id = "image/platform"
			summary = fmt.Sprintf("Image %s has no variant for node %s's OS/architecture", image, node)
		case PullDiskPressure:
			id = "image/pull-failed"
			summary = fmt.Sprintf("Node %s has no disk space left to unpack image %s", node, image)
		default:
			id = "image/pull-failed"
			summary = fmt.Sprintf("Image %s cannot be pulled", image)
		}
	}
	if v.init {
		detail = append(detail, fmt.Sprintf("%s is an init container: the app containers wait for it.", name))
	}
	if w.Reason == "ImagePullBackOff" {
		detail = append(detail, "The kubelet is backing off between attempts (up to 5m).")
	}
	if note := latestNote(v.spec); note != "" && id != "image/invalid-name" {
		detail = append(detail, note)
	}
	c.handled[name] = true
	// The host the runtime failed to reach, which may be a mirror or a
	// redirect rather than the image's registry.
	extra := vars{"registry": reg, "host": withPort(reg)}
	if ps := c.pod.Spec.ImagePullSecrets; len(ps) > 0 {
		extra["pullsecret"] = ps[0].Name
	}
	c.add(id, name, summary, strings.Join(detail, " "), ev, extra)
}

// latestNote says when :latest or no tag makes Always the default pull policy.
func latestNote(ctr *corev1.Container) string {
	tag, digest := imageTag(ctr.Image)
	if digest || (tag != "" && tag != "latest") {
		return ""
	}
	what := "has no tag, which means :latest"
	if tag == "latest" {
		what = "uses the :latest tag"
	}
	switch ctr.ImagePullPolicy {
	case corev1.PullAlways, "":
		return fmt.Sprintf("The image %s, so imagePullPolicy defaults to Always: every container start pulls again, and a registry outage stops restarts.", what)
	default:
		return fmt.Sprintf("The image %s; imagePullPolicy is set to %s explicitly.", what, ctr.ImagePullPolicy)
	}
}

// pullSecretState describes each imagePullSecret of the pod.
func (c *ctx) pullSecretState() []string {
	ps := c.pod.Spec.ImagePullSecrets
	if len(ps) == 0 {
		sa := c.pod.Spec.ServiceAccountName
		if sa == "" {
			sa = "default"
		}
		return []string{fmt.Sprintf("The pod has no imagePullSecrets (its ServiceAccount %s adds none), so the pull was anonymous.", sa)}
	}
	var out []string
	for _, s := range ps {
		switch p, _ := c.rel.Lookup(KindSecret, c.pod.Namespace, s.Name); p {
		case Missing:
			out = append(out, fmt.Sprintf("imagePullSecret %s does not exist in %s%s.", s.Name, c.pod.Namespace, c.suggest(KindSecret, s.Name)))
		case Exists:
			out = append(out, fmt.Sprintf("imagePullSecret %s exists: check that its credentials are valid for this registry.", s.Name))
		default:
			out = append(out, fmt.Sprintf("imagePullSecret %s: cannot tell whether it exists.", s.Name))
		}
	}
	return out
}

func (c *ctx) pullSecrets(imageTrouble bool) {
	evs := c.eventsWith("", "FailedToRetrieveImagePullSecret")
	for _, s := range c.pod.Spec.ImagePullSecrets {
		p, _ := c.rel.Lookup(KindSecret, c.pod.Namespace, s.Name)
		var ev []string
		for _, e := range evs {
			if strings.Contains(e.Message, s.Name) {
				ev = append(ev, c.evidence(e))
			}
		}
		if p == Missing && (imageTrouble || len(ev) > 0) || len(ev) > 0 && p != Exists {
			ev = append(ev, fmt.Sprintf("spec.imagePullSecrets: %s", s.Name))
			c.add("image/pull-secret-missing", "", fmt.Sprintf("imagePullSecret %q not found in namespace %s%s", s.Name, c.pod.Namespace, c.suggest(KindSecret, s.Name)),
				"", ev, vars{"pullsecret": s.Name})
		}
	}
}

// ---- create / start ----

// runtimeError reads a create or start failure; t is the terminated state
// that carries it (nil for a waiting state), whose exit code people quote.
func (c *ctx) runtimeError(v cview, reason, msg string, t *corev1.ContainerStateTerminated) {
	name := v.name()
	c.handled[name] = true
	ev := []string{msg, fmt.Sprintf("%s reason: %s", statusPath(v), reason)}
	if t != nil {
		which := "lastState"
		if t == v.status.State.Terminated {
			which = "state"
		}
		ev[1] = terminatedLine(v, which, t)
		reason = fmt.Sprintf("%s (exit code %d)", reason, t.ExitCode)
	}
	for _, e := range c.eventsWith(name, "Failed") {
		if strings.HasPrefix(e.Message, "Error: ") {
			ev = append(ev, c.evidence(e))
			if msg == "" {
				msg = e.Message
			}
			break
		}
	}
	cause, exe := ClassifyRuntime(msg)
	who := commandTable(v.spec, exe)
	extra := vars{}
	switch cause {
	case RuntimeNotFound:
		c.add("start/executable-not-found", name, fmt.Sprintf("Executable %s not found in image %s", quoteOr(exe, "to run"), v.spec.Image), who, ev, extra)
	case RuntimeNoSuchFile:
		c.add("start/no-such-file", name, fmt.Sprintf("%s does not exist in image %s (or its interpreter does not)", quoteOr(exe, "A path to run"), v.spec.Image), who, ev, extra)
	case RuntimePermission:
		if exe != "" {
			extra["path"] = exe
		}
		c.add("start/permission-denied", name, fmt.Sprintf("Permission denied executing %s", quoteOr(exe, "the container's program")), who, ev, extra)
	case RuntimeExecFormat:
		c.add("start/exec-format", name, fmt.Sprintf("%s is built for another CPU architecture than node %s", quoteOr(exe, "The program"), nodeOr(c.pod.Spec.NodeName)), who, ev, extra)
	case RuntimeNoCommand:
		c.add("create/no-command", name, fmt.Sprintf("No command to run: image %s has no ENTRYPOINT/CMD and the pod sets no command", v.spec.Image), "", ev, extra)
	case RuntimeNameReserved:
		c.add("create/name-reserved", name, "The runtime is still creating an earlier attempt of this container", "", ev, extra)
	default:
		id := "start/failed"
		if reason == "CreateContainerError" {
			id = "create/failed"
		}
		c.add(id, name, fmt.Sprintf("%s: %s", reason, rpcDesc(firstLine(msg))), "", ev, extra)
	}
}

func quoteOr(s, def string) string {
	if s == "" {
		return def
	}
	return fmt.Sprintf("%q", s)
}

// commandTable says which of command, args or the image ENTRYPOINT/CMD
// decides what runs (the Kubernetes command/args rules).
func commandTable(ctr *corev1.Container, exe string) string {
	cmd, args := ctr.Command, ctr.Args
	switch {
	case len(cmd) > 0 && len(args) > 0:
		s := fmt.Sprintf("The pod sets command %q and args %q, replacing both the image ENTRYPOINT and CMD", cmd, args)
		return s + faultIs(exe, cmd[0], "command[0]") + "."
	case len(cmd) > 0:
		return fmt.Sprintf("The pod sets command %q, which replaces the image ENTRYPOINT (and drops its CMD)", cmd) + faultIs(exe, cmd[0], "command[0]") + "."
	case len(args) > 0:
		return fmt.Sprintf("The pod sets only args %q: the image ENTRYPOINT still runs with them; if the image has no ENTRYPOINT, %q itself is the program", args, args[0]) + faultIs(exe, args[0], "args[0]") + "."
	}
	return "The pod sets neither command nor args, so the image's own ENTRYPOINT/CMD is run: the image (or its tag) is at fault, not the pod spec."
}

func faultIs(exe, first, field string) string {
	if exe != "" && (exe == first || strings.HasSuffix(exe, "/"+first) || strings.HasSuffix(first, "/"+exe)) {
		return fmt.Sprintf("; the failing %q is %s", exe, field)
	}
	return ""
}

// ---- hooks ----

func (c *ctx) postStartHook(v cview) bool {
	name := v.name()
	var ev []string
	msg := ""
	if w := v.status.State.Waiting; w != nil && w.Reason == "PostStartHookError" {
		ev = append(ev, w.Message, fmt.Sprintf("%s.state.waiting.reason: PostStartHookError", statusPath(v)))
		msg = w.Message
	}
	evs := c.eventsWith(name, "FailedPostStartHook")
	for _, e := range evs {
		ev = append(ev, c.evidence(e))
		if msg == "" || !strings.Contains(msg, "lifecycle hook") {
			msg = e.Message
		}
	}
	if len(ev) == 0 {
		return false
	}
	// A container that ran fine since the last failure is past it.
	if v.status.Ready && v.status.State.Running != nil && len(evs) > 0 && evs[0].LastTime.Before(v.status.State.Running.StartedAt.Time) {
		return false
	}
	c.handled[name] = true
	detail := hookDetail(msg)
	if v.spec.Lifecycle != nil && v.spec.Lifecycle.PostStart != nil && v.spec.Lifecycle.PostStart.Exec != nil {
		detail = strings.TrimSpace(detail + fmt.Sprintf(" The hook runs %q.", v.spec.Lifecycle.PostStart.Exec.Command))
	}
	c.add("hook/post-start", name, fmt.Sprintf("postStart hook of %s failed%s", name, hookSummary(msg)), detail, ev, nil)
	return true
}

func hookSummary(msg string) string {
	h, ok := ParseHook(msg)
	if !ok {
		return ""
	}
	if h.Output != "" {
		return ": " + firstLine(h.Output)
	}
	return ": " + h.Error
}

func hookDetail(msg string) string {
	h, ok := ParseHook(msg)
	if !ok {
		if strings.TrimSpace(stripCombined(msg)) == "PostStartHook failed" || strings.TrimSpace(stripCombined(msg)) == "PreStopHook failed" {
			return "Newer kubelets leave the hook's output out of the event (it could hold secrets); the kubelet log on the node has it."
		}
		return ""
	}
	s := fmt.Sprintf("The %s hook (%s) failed with: %s.", h.Handler, h.Target, h.Error)
	if h.Output != "" {
		s += " It printed: " + strings.ReplaceAll(h.Output, "\n", " / ")
	}
	return s
}

// ---- init containers ----

func (c *ctx) initContainer(v cview) {
	name := v.name()
	s := v.status
	w, t, lt := s.State.Waiting, s.State.Terminated, s.LastTerminationState.Terminated
	total := len(c.pod.Spec.InitContainers)
	idx := 0
	for i, ic := range c.pod.Spec.InitContainers {
		if ic.Name == name {
			idx = i
		}
	}
	switch {
	case w != nil && w.Reason == "CrashLoopBackOff":
		ev := []string{w.Message, terminatedLine(v, "lastState", lt)}
		detail := fmt.Sprintf("Init container %d of %d.", idx+1, total)
		if lt != nil {
			detail += " " + exitMeaning(lt.ExitCode, lt.Signal, lt.Reason)
			if lt.Message != "" {
				ev = append(ev, "termination message: "+lt.Message)
			}
		}
		c.add("init/crash-loop", name, fmt.Sprintf("Init container %s keeps failing%s; app containers never start", name, exitSuffix(lt)), detail+" "+c.backoffText(w, lt, s.RestartCount), ev, nil)
	case t != nil && t.ExitCode != 0:
		ev := []string{terminatedLine(v, "state", t)}
		if t.Message != "" {
			ev = append(ev, "termination message: "+t.Message)
		}
		detail := fmt.Sprintf("Init container %d of %d. %s", idx+1, total, exitMeaning(t.ExitCode, t.Signal, t.Reason))
		c.add("init/failed", name, fmt.Sprintf("Init container %s failed%s", name, exitSuffix(t)), detail, ev, nil)
	case s.State.Running != nil && !c.now.IsZero() && c.now.Sub(s.State.Running.StartedAt.Time) >= initStuckAfter:
		ev := []string{fmt.Sprintf("%s.state.running.startedAt: %s (%s ago)", statusPath(v), s.State.Running.StartedAt.UTC().Format(time.RFC3339), c.ago(s.State.Running.StartedAt.Time))}
		detail := commandHint(v.spec)
		extra := vars{}
		if ns, svc := WaitedService(strings.Join(append(append([]string{}, v.spec.Command...), v.spec.Args...), " ")); svc != "" {
			extra["service"], extra["servicens"] = svc, orWord(ns, c.pod.Namespace)
			detail += fmt.Sprintf(" It waits for Service %s in namespace %s: check that it exists and has ready endpoints.", svc, extra["servicens"])
		}
		c.add("init/stuck", name, fmt.Sprintf("Init container %s (%d of %d) has been running for %s", name, idx+1, total, c.ago(s.State.Running.StartedAt.Time)),
			detail, ev, extra)
	}
}

func commandHint(ctr *corev1.Container) string {
	cmd := append(append([]string{}, ctr.Command...), ctr.Args...)
	if len(cmd) == 0 {
		return ""
	}
	return fmt.Sprintf("It runs %q.", cmd)
}

func exitSuffix(t *corev1.ContainerStateTerminated) string {
	if t == nil {
		return ""
	}
	if t.Reason != "" && t.Reason != "Error" {
		return fmt.Sprintf(" (%s, exit code %d)", t.Reason, t.ExitCode)
	}
	return fmt.Sprintf(" (exit code %d)", t.ExitCode)
}

func terminatedLine(v cview, which string, t *corev1.ContainerStateTerminated) string {
	if t == nil {
		return ""
	}
	s := fmt.Sprintf("%s.%s.terminated: exitCode=%d", statusPath(v), which, t.ExitCode)
	if t.Reason != "" {
		s += " reason=" + t.Reason
	}
	if t.Signal != 0 {
		s += fmt.Sprintf(" signal=%d", t.Signal)
	}
	if !t.FinishedAt.IsZero() {
		s += " finishedAt=" + t.FinishedAt.UTC().Format(time.RFC3339)
	}
	return s
}

// ---- probes ----

func probeDesc(p *corev1.Probe) string {
	if p == nil {
		return ""
	}
	var what string
	switch h := p.ProbeHandler; {
	case h.HTTPGet != nil:
		scheme := strings.ToLower(string(h.HTTPGet.Scheme))
		if scheme == "" {
			scheme = "http"
		}
		what = fmt.Sprintf("httpGet %s://:%s%s", scheme, h.HTTPGet.Port.String(), h.HTTPGet.Path)
	case h.TCPSocket != nil:
		what = "tcpSocket :" + h.TCPSocket.Port.String()
	case h.Exec != nil:
		what = fmt.Sprintf("exec %q", h.Exec.Command)
	case h.GRPC != nil:
		what = fmt.Sprintf("grpc :%d", h.GRPC.Port)
	}
	period, timeout, failure := orDefault(p.PeriodSeconds, 10), orDefault(p.TimeoutSeconds, 1), orDefault(p.FailureThreshold, 3)
	return fmt.Sprintf("%s (initialDelaySeconds=%d periodSeconds=%d timeoutSeconds=%d failureThreshold=%d: fails after about %s)",
		what, p.InitialDelaySeconds, period, timeout, failure, HumanDuration(time.Duration(period*failure)*time.Second))
}

func orDefault(v, def int32) int32 {
	if v == 0 {
		return def
	}
	return v
}

// probeEvents returns Unhealthy events of one probe type for a container.
func (c *ctx) probeEvents(name, kind string) []Event {
	var out []Event
	for _, e := range c.eventsWith(name, "Unhealthy") {
		if strings.HasPrefix(stripCombined(e.Message), kind+" probe") {
			out = append(out, e)
		}
	}
	return out
}

func probeFailureHint(msg string) string {
	l := strings.ToLower(msg)
	switch {
	case strings.Contains(l, "connection refused"):
		return "Nothing listens on the probed port: the app is not up yet, crashed, listens on another port, or binds to 127.0.0.1 only."
	case strings.Contains(l, "client.timeout exceeded") || strings.Contains(l, "context deadline exceeded") || strings.Contains(l, "timeout"):
		return "The endpoint answered too slowly for timeoutSeconds; an overloaded app, or a probe that checks slow dependencies."
	case strings.Contains(l, "statuscode: 5"):
		return "The endpoint answers with a server error: the app considers itself unhealthy, often a dependency check inside the health handler."
	case strings.Contains(l, "statuscode: 404"):
		return "The probe path does not exist in the app (404)."
	case strings.Contains(l, "statuscode: 401") || strings.Contains(l, "statuscode: 403"):
		return "The health endpoint requires authentication; probes send none."
	}
	return ""
}

// probeKills reports containers restarted by a failing liveness or startup probe.
func (c *ctx) probeKills(v cview) bool {
	name := v.name()
	lt := v.status.LastTerminationState.Terminated
	if lt != nil && lt.Reason == "OOMKilled" {
		return false // the kernel's kill is the cause; probes fail as a consequence
	}
	for _, kind := range []string{"Startup", "Liveness"} {
		var kills []Event
		for _, e := range c.eventsWith(name, "Killing") {
			if strings.Contains(e.Message, "failed "+strings.ToLower(kind)+" probe") {
				kills = append(kills, e)
			}
		}
		probes := c.probeEvents(name, kind)
		if len(kills) == 0 && !c.probeKilled(v, probes) {
			continue
		}
		ev := []string{}
		detailMsg := ""
		if len(probes) > 0 {
			ev = append(ev, c.evidence(probes[0]))
			detailMsg = probes[0].Message
		}
		if len(kills) > 0 {
			ev = append(ev, c.evidence(kills[0]))
		}
		if lt != nil {
			ev = append(ev, terminatedLine(v, "lastState", lt))
		}
		if v.status.RestartCount > 0 {
			ev = append(ev, restartLine(v))
		}
		probe := v.spec.LivenessProbe
		id, cat := "probe/liveness-killing", "liveness"
		if kind == "Startup" {
			probe, id, cat = v.spec.StartupProbe, "probe/startup-failing", "startup"
		}
		var detail []string
		if d := probeDesc(probe); d != "" {
			detail = append(detail, fmt.Sprintf("The %s probe is %s.", cat, d))
		}
		if h := probeFailureHint(detailMsg); h != "" {
			detail = append(detail, h)
		}
		if kind == "Liveness" && v.spec.StartupProbe == nil {
			detail = append(detail, "There is no startupProbe, so a slow start counts against the liveness probe.")
		}
		summary := fmt.Sprintf("Killed by its failing %s probe (%s), not crashing by itself", cat, plural(int(max(sumCount(kills), v.status.RestartCount)), "kill", "kills"))
		if detailMsg != "" {
			summary = fmt.Sprintf("Killed by its failing %s probe: %s", cat, probeMessage(detailMsg))
		}
		if w := v.status.State.Waiting; w != nil && w.Reason == "CrashLoopBackOff" {
			ev = append([]string{waitingLine(v, w)}, ev...)
			detail = append(detail, c.backoffText(w, lt, v.status.RestartCount))
		}
		c.handled[name] = true
		c.add(id, name, summary, strings.Join(detail, " "), ev, probeVars(probe))
		return true
	}
	return false
}

// probeKilled reports a restart that the probe failures explain even with
// no Killing event left (events expire, users paste only some): the last
// instance was stopped by a signal (137 SIGKILL, 143 SIGTERM: what the
// kubelet sends) while the probe was failing.
func (c *ctx) probeKilled(v cview, probes []Event) bool {
	lt := v.status.LastTerminationState.Terminated
	if len(probes) == 0 || lt == nil || (lt.ExitCode != 137 && lt.ExitCode != 143) {
		return false
	}
	if lt.FinishedAt.IsZero() || lt.StartedAt.IsZero() {
		return true
	}
	// A failure seen while the killed instance ran; events without times count.
	for _, e := range probes {
		if e.LastTime.IsZero() || !e.LastTime.Before(lt.StartedAt.Time) {
			return true
		}
	}
	return false
}

// probeVars names a probe's target for the next commands.
func probeVars(p *corev1.Probe) vars {
	v := vars{}
	if p == nil {
		return v
	}
	switch h := p.ProbeHandler; {
	case h.HTTPGet != nil:
		v["port"], v["path"] = h.HTTPGet.Port.String(), h.HTTPGet.Path
	case h.TCPSocket != nil:
		v["port"] = h.TCPSocket.Port.String()
	case h.GRPC != nil:
		v["port"] = fmt.Sprint(h.GRPC.Port)
	}
	return v
}

func sumCount(evs []Event) int32 {
	var n int32
	for _, e := range evs {
		n += e.Count
	}
	return n
}

// probeMessage strips "Liveness probe failed: " for summaries.
func probeMessage(msg string) string {
	msg = stripCombined(msg)
	for _, sep := range []string{"probe failed: ", "probe errored: "} {
		if _, rest, ok := strings.Cut(msg, sep); ok {
			return firstLine(rest)
		}
	}
	return firstLine(msg)
}

func (c *ctx) probeWarnings(v cview) {
	name := v.name()
	s := v.status
	if s.State.Running == nil {
		return
	}
	started := s.State.Running.StartedAt.Time
	recent := func(evs []Event) []Event {
		var out []Event
		for _, e := range evs {
			if started.IsZero() || !e.LastTime.Before(started) {
				out = append(out, e)
			}
		}
		return out
	}
	// Not started yet: the startup probe holds back liveness and readiness,
	// so its failures are the cause whatever the others say.
	if s.Started != nil && !*s.Started && v.spec.StartupProbe != nil {
		if st := recent(c.probeEvents(name, "Startup")); len(st) > 0 {
			detail := []string{"The startup probe is " + probeDesc(v.spec.StartupProbe) + "."}
			if h := probeFailureHint(st[0].Message); h != "" {
				detail = append(detail, h)
			}
			detail = append(detail, "Until it passes, liveness and readiness probes do not run and the container gets no traffic; when it has failed failureThreshold times in a row the kubelet restarts the container.")
			ev := []string{c.evidence(st[0]), fmt.Sprintf("%s: started=false, running since %s", statusPath(v), c.ago(started))}
			c.add("probe/startup-failing", name, "Not started: startup probe failing: "+probeMessage(st[0].Message), strings.Join(detail, " "), ev, probeVars(v.spec.StartupProbe))
			return
		}
	}
	if live := recent(c.probeEvents(name, "Liveness")); len(live) > 0 {
		var detail []string
		if d := probeDesc(v.spec.LivenessProbe); d != "" {
			detail = append(detail, "The liveness probe is "+d+".")
		}
		if h := probeFailureHint(live[0].Message); h != "" {
			detail = append(detail, h)
		}
		c.add("probe/liveness-failing", name, "Liveness probe failing: "+probeMessage(live[0].Message), strings.Join(detail, " "), []string{c.evidence(live[0])}, probeVars(v.spec.LivenessProbe))
	}
	if s.Ready || v.init || c.pod.DeletionTimestamp != nil {
		return
	}
	extra := probeVars(v.spec.ReadinessProbe)
	if ready := recent(c.probeEvents(name, "Readiness")); len(ready) > 0 {
		var detail []string
		if d := probeDesc(v.spec.ReadinessProbe); d != "" {
			detail = append(detail, "The readiness probe is "+d+".")
		}
		if h := probeFailureHint(ready[0].Message); h != "" {
			detail = append(detail, h)
		}
		c.add("probe/readiness-failing", name, "Running but not ready (no Service traffic): "+probeMessage(ready[0].Message), strings.Join(detail, " "), []string{c.evidence(ready[0])}, extra)
		return
	}
	if !c.now.IsZero() && !started.IsZero() && c.now.Sub(started) >= notReadyAfter {
		ev := []string{fmt.Sprintf("%s: running since %s, ready=false", statusPath(v), c.ago(started))}
		detail := ""
		if d := probeDesc(v.spec.ReadinessProbe); d != "" {
			detail = "The readiness probe is " + d + "."
		} else if len(c.pod.Spec.ReadinessGates) > 0 {
			detail = "The pod has readiness gates; a controller must set their conditions."
		}
		c.add("probe/not-ready", name, fmt.Sprintf("Running for %s but not ready", c.ago(started)), detail, ev, extra)
	}
}

// ---- OOM and crashes ----

func (c *ctx) oom(v cview) bool {
	s := v.status
	name := v.name()
	t := s.State.Terminated
	which := "state"
	if t == nil || t.Reason != "OOMKilled" {
		t, which = s.LastTerminationState.Terminated, "lastState"
	}
	if t == nil || t.Reason != "OOMKilled" {
		return false
	}
	crashing := s.State.Waiting != nil && s.State.Waiting.Reason == "CrashLoopBackOff" || which == "state" || c.keepsRestarting(v)
	c.handled[name] = true
	if !crashing {
		c.oomRestarted(v, t)
		return true
	}
	ev := []string{terminatedLine(v, which, t)}
	var summary string
	var detail []string
	if lim, ok := v.spec.Resources.Limits[corev1.ResourceMemory]; ok {
		summary = fmt.Sprintf("Out of memory: killed at its memory limit of %s", lim.String())
		ev = append(ev, fmt.Sprintf("resources.limits.memory: %s", lim.String()))
		// The last sample podtui saw says how close the restarted container is again.
		if q, at, ok := c.memorySeen(name); ok {
			summary += "; last memory seen " + FormatMemory(q)
			ev = append(ev, c.usageLine(q, at, lim, true))
		}
		if req, ok := v.spec.Resources.Requests[corev1.ResourceMemory]; ok {
			detail = append(detail, fmt.Sprintf("Request %s, limit %s.", req.String(), lim.String()))
		}
	} else {
		summary = "Out of memory: killed by the kernel with no memory limit set"
		if q, at, ok := c.memorySeen(name); ok {
			ev = append(ev, c.usageLine(q, at, resource.Quantity{}, false))
		}
		detail = append(detail, "With no limit the container is killed when the node itself runs out of memory; set a request and a limit so the scheduler accounts for it.")
	}
	if s.RestartCount > 0 {
		detail = append(detail, fmt.Sprintf("It has restarted %s.", plural(int(s.RestartCount), "time", "times")))
		ev = append(ev, restartLine(v))
	}
	if w := s.State.Waiting; w != nil && w.Reason == "CrashLoopBackOff" {
		ev = append([]string{waitingLine(v, w)}, ev...)
		detail = append(detail, c.backoffText(w, t, s.RestartCount))
	} else if r := s.State.Running; r != nil {
		detail = append(detail, fmt.Sprintf("It is running again since %s ago and keeps restarting.", c.ago(r.StartedAt.Time)))
	}
	c.add("oom/killed", name, summary, strings.Join(detail, " "), ev, nil)
	return true
}

// oomRestarted reports a container running again after an OOM kill.
func (c *ctx) oomRestarted(v cview, t *corev1.ContainerStateTerminated) {
	s := v.status
	ev := []string{terminatedLine(v, "lastState", t), restartLine(v)}
	summary := fmt.Sprintf("Restarted after running out of memory (OOMKilled, exit code %d) %s ago", t.ExitCode, c.ago(t.FinishedAt.Time))
	var detail []string
	if lim, ok := v.spec.Resources.Limits[corev1.ResourceMemory]; ok {
		summary += " at its memory limit of " + lim.String()
		ev = append(ev, "resources.limits.memory: "+lim.String())
		if q, at, ok := c.memorySeen(v.name()); ok {
			summary += "; memory now " + FormatMemory(q)
			ev = append(ev, c.usageLine(q, at, lim, true))
		}
	} else {
		summary += " with no memory limit set (the node ran out)"
	}
	summary += ", " + plural(int(s.RestartCount), "restart", "restarts")
	if r := s.State.Running; r != nil {
		state := "running"
		if s.Ready {
			state = "running and ready"
		}
		detail = append(detail, fmt.Sprintf("It is %s again since %s ago.", state, c.ago(r.StartedAt.Time)))
	}
	c.add("oom/restarted", v.name(), summary, strings.Join(detail, " "), ev, nil)
}

// keepsRestarting reports a container that runs now but restarted again
// within the kubelet's 10-minute backoff window, often enough that it is a
// crash loop caught between crashes rather than a one-off restart.
func (c *ctx) keepsRestarting(v cview) bool {
	s := v.status
	lt := s.LastTerminationState.Terminated
	if s.State.Running == nil || lt == nil || !c.within(lt.FinishedAt.Time, restartLoopWindow) {
		return false
	}
	return s.RestartCount >= 3 || s.RestartCount >= 2 && !s.Ready
}

func restartLine(v cview) string {
	return fmt.Sprintf("%s.restartCount: %d", statusPath(v), v.status.RestartCount)
}

// waitingLine is the waiting state with its reason, the word kubectl shows.
func waitingLine(v cview, w *corev1.ContainerStateWaiting) string {
	s := fmt.Sprintf("%s.state.waiting: reason=%s", statusPath(v), w.Reason)
	if w.Message != "" {
		s += " message=" + w.Message
	}
	return s
}

func (c *ctx) within(t time.Time, d time.Duration) bool {
	return !t.IsZero() && !c.now.IsZero() && c.now.Sub(t) < d
}

func (c *ctx) restartPolicy(v cview) corev1.RestartPolicy {
	if v.spec != nil && v.spec.RestartPolicy != nil {
		return corev1.RestartPolicy(*v.spec.RestartPolicy)
	}
	if c.pod.Spec.RestartPolicy == "" {
		return corev1.RestartPolicyAlways
	}
	return c.pod.Spec.RestartPolicy
}

func (c *ctx) crash(v cview) bool {
	s := v.status
	name := v.name()
	w, t, lt := s.State.Waiting, s.State.Terminated, s.LastTerminationState.Terminated
	looping := w != nil && w.Reason == "CrashLoopBackOff"
	flapping := !looping && c.keepsRestarting(v)
	var last *corev1.ContainerStateTerminated
	which := "lastState"
	switch {
	case looping || flapping:
		last = lt
	case t != nil && t.ExitCode != 0:
		last, which = t, "state"
	case s.State.Running != nil && lt != nil && s.RestartCount > 0 && (lt.ExitCode != 0 || c.within(lt.FinishedAt.Time, recentRestartWindow)):
		c.recentRestart(v, lt)
		return false
	default:
		return false
	}
	var ev []string
	if looping {
		ev = append(ev, waitingLine(v, w))
	}
	if last != nil {
		ev = append(ev, terminatedLine(v, which, last))
		if last.Message != "" {
			ev = append(ev, "termination message: "+last.Message)
		}
		// A start failure logged into the termination message.
		if strings.Contains(last.Message, "exec format error") {
			c.runtimeError(v, last.Reason, last.Message, last)
			return true
		}
	}
	c.handled[name] = true
	if last == nil {
		c.add("crash/exit-error", name, fmt.Sprintf("Crash-looping (%s); the last exit is not recorded", plural(int(s.RestartCount), "restart", "restarts")),
			c.backoffText(w, nil, s.RestartCount), ev, nil)
		return true
	}
	code := last.ExitCode
	var id, what string
	switch {
	case code == 0:
		if c.restartPolicy(v) != corev1.RestartPolicyAlways && !looping {
			return false
		}
		id, what = "crash/exit-zero", "exits with code 0 and is restarted (restartPolicy Always)"
	case code == 126:
		id, what = "crash/not-executable", "exit code 126: command not executable"
	case code == 127:
		id, what = "crash/command-not-found", "exit code 127: command not found"
	case code == 137:
		id, what = "crash/sigkill", "exit code 137: killed by SIGKILL"
	case code == 139:
		id, what = "crash/segfault", "exit code 139: segmentation fault"
	case code == 143:
		id, what = "crash/sigterm", "exit code 143: stopped by SIGTERM"
	case code > 128 && code < 160 || last.Signal != 0:
		id, what = "crash/signal", fmt.Sprintf("exit code %d: %s", code, signalName(code-128))
	default:
		id, what = "crash/exit-error", fmt.Sprintf("the app exits with exit code %d", code)
	}
	summary := "Crash-looping: " + what
	if looping {
		summary = "CrashLoopBackOff: " + what
	}
	if !looping && !flapping {
		summary = fmt.Sprintf("Terminated: %s (restartPolicy %s)", what, c.restartPolicy(v))
	}
	if s.RestartCount > 0 {
		summary += fmt.Sprintf(", %s", plural(int(s.RestartCount), "restart", "restarts"))
	}
	var detail []string
	if m := exitMeaning(code, last.Signal, last.Reason); m != "" {
		detail = append(detail, m)
	}
	if v.sidecar {
		detail = append(detail, "It is a sidecar (restartable init container).")
	}
	if s.RestartCount > 0 {
		ev = append(ev, restartLine(v))
	}
	switch {
	case looping:
		detail = append(detail, c.backoffText(w, last, s.RestartCount))
	case flapping:
		detail = append(detail, fmt.Sprintf("It is running again since %s ago, but it restarted %s ago and keeps restarting.",
			c.ago(s.State.Running.StartedAt.Time), c.ago(last.FinishedAt.Time)), c.backoffText(nil, last, s.RestartCount))
	case c.restartPolicy(v) == corev1.RestartPolicyNever:
		detail = append(detail, "With restartPolicy Never it will not be restarted.")
	}
	c.add(id, name, summary, strings.Join(detail, " "), ev, nil)
	return true
}

// recentRestart reports a container running again after a bad exit: a
// warning, since it is up now (keepsRestarting makes it a crash loop).
func (c *ctx) recentRestart(v cview, lt *corev1.ContainerStateTerminated) {
	s := v.status
	ev := []string{terminatedLine(v, "lastState", lt), restartLine(v)}
	if lt.Message != "" {
		ev = append(ev, "termination message: "+lt.Message)
	}
	id := "crash/recent-restarts"
	summary := fmt.Sprintf("Restarted %s, last %s ago%s", plural(int(s.RestartCount), "time", "times"), c.ago(lt.FinishedAt.Time), exitSuffix(lt))
	detail := []string{exitMeaning(lt.ExitCode, lt.Signal, lt.Reason)}
	if lt.Reason == "Unknown" || lt.Reason == "ContainerStatusUnknown" {
		id = "crash/node-restart"
		summary = fmt.Sprintf("Restarted %s ago when node %s or its container runtime restarted (%s, exit code %d), %s",
			c.ago(lt.FinishedAt.Time), nodeOr(c.pod.Spec.NodeName), lt.Reason, lt.ExitCode, plural(int(s.RestartCount), "restart", "restarts"))
		detail = nil
	}
	if r := s.State.Running; r != nil {
		state := "running but not ready"
		if s.Ready {
			state = "running and ready"
		}
		detail = append(detail, fmt.Sprintf("It is %s again since %s ago.", state, c.ago(r.StartedAt.Time)))
	}
	c.add(id, v.name(), summary, strings.Join(detail, " "), ev, nil)
}

func signalName(n int32) string {
	names := map[int32]string{
		1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
		9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
	}
	if s, ok := names[n]; ok {
		return "killed by " + s
	}
	return fmt.Sprintf("killed by signal %d", n)
}

// exitMeaning explains an exit code in one or two sentences.
func exitMeaning(code, signal int32, reason string) string {
	switch {
	case reason == "OOMKilled":
		return "It was killed for using more memory than its limit."
	case code == 0:
		return "The process exited successfully."
	case code == 1:
		return "Exit code 1 is a generic application error; the previous container's logs say which."
	case code == 2:
		return "Exit code 2 often means bad command-line arguments or a shell syntax error."
	case code == 126:
		return "Exit code 126: the command was found but could not be executed (permissions, or not a binary)."
	case code == 127:
		return "Exit code 127: the shell could not find the command (typo, or not installed in the image)."
	case code == 128:
		return "Exit code 128: the runtime could not start the process."
	case code == 137:
		return "Exit code 137 = 128 + 9 (SIGKILL): killed from outside, by the kubelet (probe failure or grace period over), the OOM killer, or kill -9."
	case code == 139:
		return "Exit code 139 = 128 + 11 (SIGSEGV): the process crashed on invalid memory access."
	case code == 143:
		return "Exit code 143 = 128 + 15 (SIGTERM): the process was asked to stop."
	case code > 128 && code < 160:
		return fmt.Sprintf("Exit code %d = 128 + %d: the process was %s.", code, code-128, signalName(code-128))
	case signal != 0:
		return fmt.Sprintf("The process was %s.", signalName(signal))
	case code == 255 || code == -1:
		return fmt.Sprintf("Exit code %d usually means the process died abnormally before reporting an error.", code)
	}
	return fmt.Sprintf("Exit code %d is the application's own; check its docs and the previous logs.", code)
}

// backoffText explains the CrashLoopBackOff schedule and when the next
// restart is due: 10s doubling to 5m, reset after 10 minutes of running.
func (c *ctx) backoffText(w *corev1.ContainerStateWaiting, last *corev1.ContainerStateTerminated, restarts int32) string {
	s := "The kubelet waits before each restart: 10s, then doubling (20s, 40s, ...) up to 5m; the delay resets after 10 minutes without a crash."
	if w == nil {
		return s
	}
	d, ok := ParseBackoff(w.Message)
	est := ""
	if !ok && restarts > 0 {
		d = 10 * time.Second
		for i := int32(1); i < restarts && d < 5*time.Minute; i++ {
			d *= 2
		}
		if d > 5*time.Minute {
			d = 5 * time.Minute
		}
		est = "about "
	}
	if d == 0 {
		return s
	}
	s += fmt.Sprintf(" Current delay: %s%s", est, d)
	if last != nil && !last.FinishedAt.IsZero() && !c.now.IsZero() {
		next := last.FinishedAt.Add(d)
		if next.After(c.now) {
			s += fmt.Sprintf("; next restart in about %s (at %s)", HumanDuration(next.Sub(c.now)), next.UTC().Format("15:04:05 UTC"))
		} else {
			s += "; the next restart is due now"
		}
	}
	return s + "."
}
