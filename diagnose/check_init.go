package diagnose

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

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
