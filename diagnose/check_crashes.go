package diagnose

import (
	"fmt"
	"path"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

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
	if code == 0 && v.spec != nil && len(v.spec.Command) == 0 && len(v.spec.Args) == 0 && shellImage(v.spec.Image) {
		detail = append(detail, fmt.Sprintf("The pod sets no command, and %s's default command is a shell, which exits at once without a terminal: give the container its program (command/args), or `sleep infinity` for a toolbox pod.", v.spec.Image))
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
		return "Exit code 2 is how a Go program ends after a panic; otherwise it often means bad command-line arguments or a shell syntax error."
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
		d = CrashBackoff(restarts)
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

// shellImage reports whether image is a base OS image whose default
// command is an interactive shell (busybox, alpine, ubuntu, …).
func shellImage(image string) bool {
	switch path.Base(imagePath(image)) {
	case "busybox", "alpine", "ubuntu", "debian", "centos", "fedora", "rockylinux", "almalinux", "amazonlinux", "archlinux", "opensuse", "ubi8", "ubi9", "ubi-minimal", "bash":
		return true
	}
	return false
}
