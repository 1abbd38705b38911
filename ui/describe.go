package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/internal/termsafe"
)

// The describe rendering is pure: a pod, its events and a clock in, lines
// out. Every string that comes from the cluster goes through oneLine, since
// names, messages and images may carry escape sequences.

// describeHead is the part above the events: where the pod runs and who owns it.
func describeHead(s *Styles, pod *corev1.Pod, now time.Time) []string {
	var lines []string
	kv := func(k, v string) { lines = append(lines, kvLine(s, k, v)) }
	status := s.ForHealth(diagnose.PodHealth(pod)).Render(oneLine(diagnose.Status(pod)))
	if pod.Status.Phase != "" {
		status += s.Muted.Render("  (phase " + oneLine(string(pod.Status.Phase)) + ")")
	}
	kv("Status", status)
	if pod.DeletionTimestamp != nil {
		kv("Deleting", fmt.Sprintf("since %s ago (grace %ds)", diagnose.Age(pod.DeletionTimestamp.Time, now), deref(pod.DeletionGracePeriodSeconds)))
	}
	node := orDash(oneLine(pod.Spec.NodeName))
	if pod.Status.HostIP != "" {
		node += " / " + oneLine(pod.Status.HostIP)
	}
	kv("Node", node)
	ips := make([]string, 0, len(pod.Status.PodIPs))
	for _, ip := range pod.Status.PodIPs {
		ips = append(ips, oneLine(ip.IP))
	}
	if len(ips) == 0 && pod.Status.PodIP != "" {
		ips = append(ips, oneLine(pod.Status.PodIP))
	}
	kv("IP", orDash(strings.Join(ips, ", ")))
	kv("QoS", orDash(oneLine(string(pod.Status.QOSClass))))
	prio := "-"
	if pod.Spec.Priority != nil {
		prio = fmt.Sprint(*pod.Spec.Priority)
	}
	if pod.Spec.PriorityClassName != "" {
		prio += " (" + oneLine(pod.Spec.PriorityClassName) + ")"
	}
	kv("Priority", prio)
	kv("Controlled by", ownerChain(pod))
	if sa := pod.Spec.ServiceAccountName; sa != "" {
		kv("Service account", oneLine(sa))
	}
	created := "-"
	if !pod.CreationTimestamp.IsZero() {
		created = diagnose.Age(pod.CreationTimestamp.Time, now) + " ago (" + pod.CreationTimestamp.UTC().Format(time.RFC3339) + ")"
	}
	kv("Created", created)
	return lines
}

// ownerChain names the pod's owners. A ReplicaSet's Deployment is read from
// the pod-template-hash naming convention (the ReplicaSet is named
// <deployment>-<hash>), so no extra lookup is needed.
func ownerChain(pod *corev1.Pod) string {
	if len(pod.OwnerReferences) == 0 {
		return "- (a bare pod: nothing recreates it when deleted)"
	}
	var parts []string
	for _, o := range pod.OwnerReferences {
		chain := oneLine(o.Kind) + "/" + oneLine(o.Name)
		if hash := pod.Labels["pod-template-hash"]; o.Kind == "ReplicaSet" && hash != "" && strings.HasSuffix(o.Name, "-"+hash) {
			chain += " → Deployment/" + oneLine(strings.TrimSuffix(o.Name, "-"+hash))
		}
		parts = append(parts, chain)
	}
	return strings.Join(parts, ", ")
}

// describeEvents renders the events table: folded, newest first.
func describeEvents(s *Styles, pod *corev1.Pod, all []diagnose.Event, st detailState, now time.Time) []string {
	warningsOnly, synced := st.warningsOnly, st.synced
	events := diagnose.EventsFor(pod, all)
	warnings := 0
	for _, e := range events {
		if e.Type == corev1.EventTypeWarning {
			warnings++
		}
	}
	title := fmt.Sprintf("Events (%d, %d warning)", len(events), warnings)
	if warnings != 1 {
		title = fmt.Sprintf("Events (%d, %d warnings)", len(events), warnings)
	}
	if warningsOnly {
		title += s.Muted.Render("  showing warnings only")
	}
	lines := []string{s.Title.Render(title)}
	if st.eventsProblem != "" {
		// RBAC, or a server that fails: say so instead of "loading" for ever.
		lines = append(lines, s.Notice.Render("  ⚠ events cannot be read: "+termsafe.Sanitize(st.eventsProblem, termsafe.Options{})))
		if len(events) == 0 {
			return lines
		}
	}
	switch {
	case !synced && len(events) == 0:
		return append(lines, s.Muted.Render("  loading events…"))
	case len(events) == 0:
		return append(lines, s.Muted.Render("  no events (the API server keeps them for one hour by default)"))
	case warningsOnly && warnings == 0:
		return append(lines, s.Muted.Render("  no warnings"))
	}
	reasonW, fromW := len("REASON"), len("FROM")
	for _, e := range events {
		reasonW = max(reasonW, min(24, ansi.StringWidth(oneLine(e.Reason))))
		fromW = max(fromW, min(20, ansi.StringWidth(oneLine(e.Source))))
	}
	lines = append(lines, s.ColumnTitle.Render(fmt.Sprintf("  %-9s %-7s  %s  %s  %s", "LAST SEEN", "TYPE", pad("REASON", reasonW), pad("FROM", fromW), "MESSAGE")))
	for _, e := range events {
		if warningsOnly && e.Type != corev1.EventTypeWarning {
			continue
		}
		msg := oneLine(e.Message)
		if e.Count > 1 {
			msg += s.Muted.Render(fmt.Sprintf(" (x%d over %s)", e.Count, diagnose.HumanDuration(e.LastTime.Sub(e.FirstTime))))
		}
		typ := oneLine(e.Type)
		st := s.Muted
		if e.Type == corev1.EventTypeWarning {
			st = s.Progressing
		}
		lines = append(lines, fmt.Sprintf("  %-9s %s  %s  %s  %s",
			diagnose.Age(e.LastTime, now), st.Render(pad(typ, 7)), pad(oneLine(e.Reason), reasonW), pad(oneLine(e.Source), fromW), msg))
	}
	return lines
}

// describeBody is everything below the events: conditions, containers,
// volumes, scheduling constraints.
func describeBody(s *Styles, pod *corev1.Pod, now time.Time) []string {
	var lines []string
	add := func(l ...string) { lines = append(lines, l...) }

	add(s.Title.Render("Conditions"))
	if len(pod.Status.Conditions) == 0 {
		add(s.Muted.Render("  none reported"))
	}
	for _, c := range pod.Status.Conditions {
		st := s.Healthy
		if c.Status != corev1.ConditionTrue {
			st = s.Progressing
		}
		l := fmt.Sprintf("  %-26s %s", oneLine(string(c.Type)), st.Render(pad(oneLine(string(c.Status)), 7)))
		if c.Reason != "" {
			l += " " + oneLine(c.Reason)
		}
		if c.Message != "" {
			l += ": " + oneLine(c.Message)
		}
		if !c.LastTransitionTime.IsZero() {
			l += s.Muted.Render(" (" + diagnose.Age(c.LastTransitionTime.Time, now) + " ago)")
		}
		add(l)
	}

	statuses := func(list []corev1.ContainerStatus) map[string]*corev1.ContainerStatus {
		m := make(map[string]*corev1.ContainerStatus, len(list))
		for i := range list {
			m[list[i].Name] = &list[i]
		}
		return m
	}
	if len(pod.Spec.InitContainers) > 0 {
		add("", s.Title.Render("Init containers"))
		st := statuses(pod.Status.InitContainerStatuses)
		for i := range pod.Spec.InitContainers {
			c := &pod.Spec.InitContainers[i]
			kind := "init"
			if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
				kind = "sidecar"
			}
			add(describeContainer(s, c, kind, st[c.Name], now)...)
		}
	}
	add("", s.Title.Render("Containers"))
	st := statuses(pod.Status.ContainerStatuses)
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		add(describeContainer(s, c, "", st[c.Name], now)...)
	}
	if len(pod.Spec.EphemeralContainers) > 0 {
		add("", s.Title.Render("Ephemeral containers"))
		st := statuses(pod.Status.EphemeralContainerStatuses)
		for i := range pod.Spec.EphemeralContainers {
			c := corev1.Container(pod.Spec.EphemeralContainers[i].EphemeralContainerCommon)
			kind := "ephemeral"
			if t := pod.Spec.EphemeralContainers[i].TargetContainerName; t != "" {
				kind += ", target " + oneLine(t)
			}
			add(describeContainer(s, &c, kind, st[c.Name], now)...)
		}
	}

	add("", s.Title.Render("Volumes"))
	if len(pod.Spec.Volumes) == 0 {
		add(s.Muted.Render("  none"))
	}
	for _, v := range pod.Spec.Volumes {
		add(fmt.Sprintf("  %s: %s", oneLine(v.Name), volumeSource(v.VolumeSource)))
	}

	add("")
	sel := make([]string, 0, len(pod.Spec.NodeSelector))
	for k, v := range pod.Spec.NodeSelector {
		sel = append(sel, oneLine(k)+"="+oneLine(v))
	}
	slices.Sort(sel)
	add(kvLine(s, "Node selector", orDash(strings.Join(sel, ", "))))
	if pod.Spec.Affinity != nil && pod.Spec.Affinity.NodeAffinity != nil {
		add(kvLine(s, "Node affinity", "set (see the YAML, y)"))
	}
	if len(pod.Spec.Tolerations) == 0 {
		add(kvLine(s, "Tolerations", "-"))
	}
	for i, t := range pod.Spec.Tolerations {
		label := ""
		if i == 0 {
			label = "Tolerations"
		}
		add(kvLine(s, label, toleration(t)))
	}
	return lines
}

func describeContainer(s *Styles, c *corev1.Container, kind string, st *corev1.ContainerStatus, now time.Time) []string {
	head := "  " + s.Title.Render(oneLine(c.Name))
	if kind != "" {
		head += s.Muted.Render(" (" + kind + ")")
	}
	lines := []string{head}
	kv := func(k, v string) { lines = append(lines, "    "+kvLine(s, k, v)) }
	kv("Image", oneLine(c.Image))
	if st == nil {
		kv("State", s.Muted.Render("no status yet"))
	} else {
		kv("State", containerState(s, st.State, now))
		if st.LastTerminationState != (corev1.ContainerState{}) {
			kv("Last state", containerState(s, st.LastTerminationState, now))
		}
		ready := s.Healthy.Render("true")
		if !st.Ready {
			ready = s.Progressing.Render("false")
		}
		kv("Ready", ready)
		restarts := fmt.Sprint(st.RestartCount)
		if st.RestartCount > 0 {
			restarts = s.Progressing.Render(restarts)
		}
		kv("Restarts", restarts)
	}
	if v := resourceList(c.Resources.Requests); v != "" {
		kv("Requests", v)
	}
	if v := resourceList(c.Resources.Limits); v != "" {
		kv("Limits", v)
	}
	if len(c.Ports) > 0 {
		ports := make([]string, 0, len(c.Ports))
		for _, p := range c.Ports {
			ps := fmt.Sprintf("%d/%s", p.ContainerPort, orDefault(string(p.Protocol), "TCP"))
			if p.Name != "" {
				ps = oneLine(p.Name) + " " + ps
			}
			ports = append(ports, ps)
		}
		kv("Ports", strings.Join(ports, ", "))
	}
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
	}{{"Liveness", c.LivenessProbe}, {"Readiness", c.ReadinessProbe}, {"Startup", c.StartupProbe}} {
		if p.probe != nil {
			kv(p.name, probe(p.probe))
		}
	}
	for i, m := range c.VolumeMounts {
		label := ""
		if i == 0 {
			label = "Mounts"
		}
		l := oneLine(m.MountPath) + " from " + oneLine(m.Name)
		if m.SubPath != "" {
			l += " (subPath " + oneLine(m.SubPath) + ")"
		}
		if m.ReadOnly {
			l += " (ro)"
		}
		kv(label, l)
	}
	for i, src := range envSources(c) {
		label := ""
		if i == 0 {
			label = "Env from"
		}
		kv(label, src)
	}
	return lines
}

// containerState is one line: the state, its reason, exit code, signal and times.
func containerState(s *Styles, cs corev1.ContainerState, now time.Time) string {
	switch {
	case cs.Running != nil:
		l := s.Healthy.Render("Running")
		if !cs.Running.StartedAt.IsZero() {
			l += fmt.Sprintf(", started %s ago", diagnose.Age(cs.Running.StartedAt.Time, now))
		}
		return l
	case cs.Waiting != nil:
		l := s.Progressing.Render("Waiting")
		if cs.Waiting.Reason != "" {
			l += ": " + oneLine(cs.Waiting.Reason)
		}
		if cs.Waiting.Message != "" {
			l += " — " + oneLine(cs.Waiting.Message)
		}
		return l
	case cs.Terminated != nil:
		t := cs.Terminated
		l := "Terminated"
		if t.ExitCode != 0 {
			l = s.Failing.Render(l)
		}
		if t.Reason != "" {
			l += ": " + oneLine(t.Reason)
		}
		l += fmt.Sprintf(", exit code %d", t.ExitCode)
		if t.Signal != 0 {
			l += fmt.Sprintf(", signal %d", t.Signal)
		}
		if !t.FinishedAt.IsZero() {
			l += fmt.Sprintf(", finished %s ago (%s)", diagnose.Age(t.FinishedAt.Time, now), t.FinishedAt.UTC().Format(time.RFC3339))
		}
		if t.Message != "" {
			l += " — " + oneLine(t.Message)
		}
		return l
	}
	return "-"
}

func resourceList(rl corev1.ResourceList) string {
	if len(rl) == 0 {
		return ""
	}
	names := make([]string, 0, len(rl))
	for n := range rl {
		names = append(names, string(n))
	}
	slices.Sort(names)
	for i, n := range names {
		q := rl[corev1.ResourceName(n)]
		names[i] = oneLine(n) + "=" + q.String()
	}
	return strings.Join(names, ", ")
}

func probe(p *corev1.Probe) string {
	var what string
	switch h := p.ProbeHandler; {
	case h.HTTPGet != nil:
		what = fmt.Sprintf("http-get %s://%s:%s%s", strings.ToLower(orDefault(string(h.HTTPGet.Scheme), "http")), oneLine(h.HTTPGet.Host), portString(h.HTTPGet.Port), oneLine(h.HTTPGet.Path))
	case h.TCPSocket != nil:
		what = "tcp-socket :" + portString(h.TCPSocket.Port)
	case h.GRPC != nil:
		what = fmt.Sprintf("grpc :%d", h.GRPC.Port)
	case h.Exec != nil:
		what = "exec [" + oneLine(strings.Join(h.Exec.Command, " ")) + "]"
	default:
		what = "unknown"
	}
	// The API server fills the defaults; a zero means unset here (tests, old objects).
	return fmt.Sprintf("%s delay=%ds timeout=%ds period=%ds #success=%d #failure=%d", what,
		p.InitialDelaySeconds, max(1, p.TimeoutSeconds), orInt(p.PeriodSeconds, 10), max(1, p.SuccessThreshold), orInt(p.FailureThreshold, 3))
}

func portString(p intstr.IntOrString) string { return oneLine(p.String()) }

// envSources names the Secrets and ConfigMaps a container reads, whole or by key.
func envSources(c *corev1.Container) []string {
	var out []string
	opt := func(o *bool) string {
		if o != nil && *o {
			return " (optional)"
		}
		return ""
	}
	for _, e := range c.EnvFrom {
		prefix := ""
		if e.Prefix != "" {
			prefix = ", prefix " + oneLine(e.Prefix)
		}
		switch {
		case e.SecretRef != nil:
			out = append(out, "Secret "+oneLine(e.SecretRef.Name)+" (all keys"+prefix+")"+opt(e.SecretRef.Optional))
		case e.ConfigMapRef != nil:
			out = append(out, "ConfigMap "+oneLine(e.ConfigMapRef.Name)+" (all keys"+prefix+")"+opt(e.ConfigMapRef.Optional))
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			continue
		}
		switch v := e.ValueFrom; {
		case v.SecretKeyRef != nil:
			out = append(out, fmt.Sprintf("Secret %s key %s → %s%s", oneLine(v.SecretKeyRef.Name), oneLine(v.SecretKeyRef.Key), oneLine(e.Name), opt(v.SecretKeyRef.Optional)))
		case v.ConfigMapKeyRef != nil:
			out = append(out, fmt.Sprintf("ConfigMap %s key %s → %s%s", oneLine(v.ConfigMapKeyRef.Name), oneLine(v.ConfigMapKeyRef.Key), oneLine(e.Name), opt(v.ConfigMapKeyRef.Optional)))
		}
	}
	return out
}

func volumeSource(v corev1.VolumeSource) string {
	switch {
	case v.PersistentVolumeClaim != nil:
		l := "PersistentVolumeClaim " + oneLine(v.PersistentVolumeClaim.ClaimName)
		if v.PersistentVolumeClaim.ReadOnly {
			l += " (ro)"
		}
		return l
	case v.ConfigMap != nil:
		return "ConfigMap " + oneLine(v.ConfigMap.Name) + optional(v.ConfigMap.Optional)
	case v.Secret != nil:
		return "Secret " + oneLine(v.Secret.SecretName) + optional(v.Secret.Optional)
	case v.EmptyDir != nil:
		l := "EmptyDir"
		if v.EmptyDir.Medium != "" {
			l += " (" + oneLine(string(v.EmptyDir.Medium)) + ")"
		}
		if v.EmptyDir.SizeLimit != nil {
			l += " limit " + v.EmptyDir.SizeLimit.String()
		}
		return l
	case v.HostPath != nil:
		return "HostPath " + oneLine(v.HostPath.Path)
	case v.Projected != nil:
		var srcs []string
		for _, p := range v.Projected.Sources {
			switch {
			case p.ServiceAccountToken != nil:
				srcs = append(srcs, "service account token")
			case p.ConfigMap != nil:
				srcs = append(srcs, "ConfigMap "+oneLine(p.ConfigMap.Name))
			case p.Secret != nil:
				srcs = append(srcs, "Secret "+oneLine(p.Secret.Name))
			case p.DownwardAPI != nil:
				srcs = append(srcs, "downward API")
			}
		}
		return "Projected (" + strings.Join(srcs, ", ") + ")"
	case v.DownwardAPI != nil:
		return "DownwardAPI"
	case v.Ephemeral != nil:
		return "Ephemeral (generic PVC)"
	case v.NFS != nil:
		return "NFS " + oneLine(v.NFS.Server) + ":" + oneLine(v.NFS.Path)
	case v.CSI != nil:
		return "CSI " + oneLine(v.CSI.Driver)
	case v.Image != nil:
		return "Image " + oneLine(v.Image.Reference)
	}
	return "other (see the YAML, y)"
}

func optional(o *bool) string {
	if o != nil && *o {
		return " (optional)"
	}
	return ""
}

func toleration(t corev1.Toleration) string {
	l := orDefault(oneLine(t.Key), "<all keys>")
	if t.Operator == corev1.TolerationOpExists {
		l += " exists"
	} else if t.Value != "" {
		l += "=" + oneLine(t.Value)
	}
	if t.Effect != "" {
		l += ":" + oneLine(string(t.Effect))
	}
	if t.TolerationSeconds != nil {
		l += fmt.Sprintf(" for %ds", *t.TolerationSeconds)
	}
	return l
}

func kvLine(s *Styles, k, v string) string {
	if k == "" {
		return pad("", 17) + v
	}
	return s.Muted.Render(pad(k+":", 17)) + v
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func orInt(v, d int32) int32 {
	if v == 0 {
		return d
	}
	return v
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// wrapLines wraps lines to width; a continuation is indented one step
// deeper than its line, so wrapped messages stay readable as a block.
func wrapLines(lines []string, width int) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if ansi.StringWidth(l) <= width {
			out = append(out, l)
			continue
		}
		plain := ansi.Strip(l)
		indent := len(plain) - len(strings.TrimLeft(plain, " ")) + 2
		if indent > width/2 {
			indent = 2
		}
		parts := strings.Split(ansi.Wrap(l, width, " "), "\n")
		out = append(out, parts[0])
		rest := strings.Join(parts[1:], " ")
		if rest == "" {
			continue
		}
		for _, p := range strings.Split(ansi.Wrap(rest, width-indent, " "), "\n") {
			out = append(out, strings.Repeat(" ", indent)+p)
		}
	}
	return out
}
