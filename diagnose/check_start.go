package diagnose

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

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
	if mf, ok := ParseMountFailure(msg); ok && v.spec != nil {
		c.mountFailure(v, mf, reason, ev)
		return
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
	case RuntimeDeadline:
		c.add("create/timeout", name, fmt.Sprintf("%s: the runtime did not finish in time (context deadline exceeded) on node %s", reason, nodeOr(c.pod.Spec.NodeName)), "", ev, extra)
	default:
		id := "start/failed"
		if reason == "CreateContainerError" {
			id = "create/failed"
		}
		detail := ""
		if l := strings.ToLower(msg); strings.Contains(l, "no space left on device") {
			detail = fmt.Sprintf("Node %s is out of disk where the container runtime keeps images and container layers (/var/lib/containerd or /var/lib/docker): free it (unused images, logs) and look at the node's DiskPressure condition and image garbage collection.", nodeOr(c.pod.Spec.NodeName))
		}
		c.add(id, name, fmt.Sprintf("%s: %s", reason, rpcDesc(firstLine(msg))), detail, ev, extra)
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
