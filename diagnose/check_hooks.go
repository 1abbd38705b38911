package diagnose

import (
	"fmt"
	"strings"
)

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
