package diagnose

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

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

// probeDetail says what the probe checks and, from the failure message,
// what its failing most likely means.
func probeDetail(kind string, p *corev1.Probe, failure string, ctr *corev1.Container) []string {
	var detail []string
	if d := probeDesc(p); d != "" {
		detail = append(detail, "The "+kind+" probe is "+d+".")
	}
	if h := probeFailureHint(failure); h != "" {
		detail = append(detail, h)
	}
	if strings.Contains(strings.ToLower(failure), "connection refused") {
		if h := probePortHint(p, ctr); h != "" {
			detail = append(detail, h)
		}
	}
	return detail
}

// probePortHint says when a probe's numeric port is none of the ports the
// container declares: the probe or the app is set to the wrong port.
func probePortHint(p *corev1.Probe, ctr *corev1.Container) string {
	if p == nil || ctr == nil || len(ctr.Ports) == 0 {
		return ""
	}
	var port intstr.IntOrString
	switch {
	case p.HTTPGet != nil:
		port = p.HTTPGet.Port
	case p.TCPSocket != nil:
		port = p.TCPSocket.Port
	case p.GRPC != nil:
		port = intstr.FromInt32(p.GRPC.Port)
	default:
		return ""
	}
	if port.Type != intstr.Int {
		return ""
	}
	var declared []string
	for _, cp := range ctr.Ports {
		if cp.ContainerPort == port.IntVal {
			return ""
		}
		declared = append(declared, strconv.Itoa(int(cp.ContainerPort)))
	}
	word := "port"
	if len(declared) > 1 {
		word = "ports"
	}
	return fmt.Sprintf("The probe checks port %d, but container %s declares only %s %s: one of the two is likely wrong.",
		port.IntVal, ctr.Name, word, strings.Join(declared, ", "))
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
	if cause, exe := ClassifyRuntime(msg); cause == RuntimeNotFound || cause == RuntimeNoSuchFile && strings.Contains(l, "exec") {
		name := ""
		if exe != "" {
			name = fmt.Sprintf(" %q", exe)
		}
		return "The probe's command" + name + " is not in the image, so the probe can never pass: slim and distroless images have no curl, wget or even sh. Use an httpGet, tcpSocket or grpc probe, or a program the image has."
	}
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
		detail := probeDetail(cat, probe, detailMsg, v.spec)
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
			detail := probeDetail("startup", v.spec.StartupProbe, st[0].Message, v.spec)
			detail = append(detail, "Until it passes, liveness and readiness probes do not run and the container gets no traffic; when it has failed failureThreshold times in a row the kubelet restarts the container.")
			ev := []string{c.evidence(st[0]), fmt.Sprintf("%s: started=false, running since %s", statusPath(v), c.ago(started))}
			c.add("probe/startup-failing", name, "Not started: startup probe failing: "+probeMessage(st[0].Message), strings.Join(detail, " "), ev, probeVars(v.spec.StartupProbe))
			return
		}
	}
	if live := recent(c.probeEvents(name, "Liveness")); len(live) > 0 {
		detail := probeDetail("liveness", v.spec.LivenessProbe, live[0].Message, v.spec)
		c.add("probe/liveness-failing", name, "Liveness probe failing: "+probeMessage(live[0].Message), strings.Join(detail, " "), []string{c.evidence(live[0])}, probeVars(v.spec.LivenessProbe))
	}
	if s.Ready || v.init || c.pod.DeletionTimestamp != nil {
		return
	}
	extra := probeVars(v.spec.ReadinessProbe)
	if ready := recent(c.probeEvents(name, "Readiness")); len(ready) > 0 {
		detail := probeDetail("readiness", v.spec.ReadinessProbe, ready[0].Message, v.spec)
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
