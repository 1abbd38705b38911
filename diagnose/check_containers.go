package diagnose

import (
	"fmt"
	"strings"
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
