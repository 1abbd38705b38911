package diagnose

import (
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// restartMoments are the terminations podtui saw that the pod's status no
// longer shows, with the delay before the restart after each one.
func restartMoments(pod *corev1.Pod, restarts []Termination) []Moment {
	shown := map[string]bool{}
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for _, s := range list {
			for _, t := range []*corev1.ContainerStateTerminated{s.LastTerminationState.Terminated, s.State.Terminated} {
				if t != nil {
					shown[s.Name+"\x00"+t.FinishedAt.UTC().String()] = true
				}
			}
		}
	}
	var out []Moment
	last := map[string]time.Time{} // container -> previous finish
	for _, t := range restarts {
		prev, hasPrev := last[t.Container]
		last[t.Container] = t.FinishedAt
		if shown[t.Container+"\x00"+t.FinishedAt.UTC().String()] {
			continue
		}
		st := &corev1.ContainerStateTerminated{Reason: t.Reason, ExitCode: t.ExitCode, Signal: t.Signal}
		st.StartedAt.Time, st.FinishedAt.Time = t.StartedAt, t.FinishedAt
		text := t.Container + " " + terminatedText(st)
		if t.MemoryBefore > 0 {
			text += "; memory last seen at " + memoryRange([]int64{t.MemoryBefore})
		}
		if hasPrev && !t.StartedAt.IsZero() && t.StartedAt.After(prev) {
			text += fmt.Sprintf("; restarted %s after the crash before", HumanDuration(t.StartedAt.Sub(prev)))
		}
		out = append(out, Moment{
			Time: t.FinishedAt, Kind: MomentContainer, Container: t.Container,
			Warning: t.ExitCode != 0 || t.Reason == "OOMKilled", Text: text + " (seen by podtui)", Source: "podtui",
		})
	}
	return out
}

// restartFacts adds, to the first finding about each container that podtui
// saw end more than once, how often and how it ended: "seen by podtui:
// OOMKilled 4 times in 20m (limit 256Mi)". The API keeps only the last.
func (c *ctx) restartFacts(out []Finding) {
	if len(c.in.Restarts) < 2 || len(out) == 0 {
		return
	}
	byContainer := map[string][]Termination{}
	var names []string
	for _, t := range c.in.Restarts {
		if _, ok := byContainer[t.Container]; !ok {
			names = append(names, t.Container)
		}
		byContainer[t.Container] = append(byContainer[t.Container], t)
	}
	for _, name := range names {
		ts := byContainer[name]
		if len(ts) < 2 {
			continue
		}
		i := slices.IndexFunc(out, func(f Finding) bool { return f.Container == name && f.Severity >= SeverityWarning })
		if i < 0 {
			continue
		}
		out[i].Evidence = append(out[i].Evidence, c.restartSummary(name, ts))
	}
}

func (c *ctx) restartSummary(container string, ts []Termination) string {
	counts := map[string]int{}
	var kinds []string
	for _, t := range ts {
		k := t.Reason
		if k == "" || k == "Error" {
			k = fmt.Sprintf("exit %d", t.ExitCode)
		}
		if counts[k] == 0 {
			kinds = append(kinds, k)
		}
		counts[k]++
	}
	var parts []string
	for _, k := range kinds {
		part := k + " " + times(counts[k])
		if k == "OOMKilled" {
			part += oomMemory(ts, c.spec(container))
		}
		parts = append(parts, part)
	}
	first, last := ts[0].FinishedAt, ts[len(ts)-1].FinishedAt
	s := fmt.Sprintf("seen by podtui: %s ended %s in %s", container, strings.Join(parts, ", "), HumanDuration(last.Sub(first)))
	if !c.now.IsZero() {
		s += fmt.Sprintf(", the last %s ago", HumanDuration(c.now.Sub(last)))
	}
	return s
}

func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

// oomMemory is what is known of the memory at the OOM kills: the limit, and
// the last usage sample podtui saw before each ("each time at ~250Mi of a
// 256Mi limit").
func oomMemory(ts []Termination, ctr *corev1.Container) string {
	var samples []int64
	for _, t := range ts {
		if t.Reason == "OOMKilled" && t.MemoryBefore > 0 {
			samples = append(samples, t.MemoryBefore)
		}
	}
	limit := ""
	if ctr != nil {
		if q, ok := ctr.Resources.Limits[corev1.ResourceMemory]; ok {
			limit = q.String()
		}
	}
	switch {
	case len(samples) > 0 && limit != "":
		return fmt.Sprintf(", %s at ~%s of a %s limit", sampledWhen(len(samples)), memoryRange(samples), limit)
	case len(samples) > 0:
		return fmt.Sprintf(", %s at ~%s (no memory limit)", sampledWhen(len(samples)), memoryRange(samples))
	case limit != "":
		return " (memory limit " + limit + ")"
	}
	return ""
}

func sampledWhen(n int) string {
	if n == 1 {
		return "last seen"
	}
	return "each time last seen"
}

// memoryRange is "250Mi", or "240Mi-252Mi" when the samples differ.
func memoryRange(samples []int64) string {
	mem := func(b int64) string { return FormatMemory(*resource.NewQuantity(b, resource.BinarySI)) }
	lo, hi := mem(slices.Min(samples)), mem(slices.Max(samples))
	if lo == hi {
		return hi
	}
	return lo + "-" + hi
}
