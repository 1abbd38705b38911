package diagnose

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// TemplateDiff lists what changed from pod template a to b, in words:
// per container its image, command and args, env and envFrom, resources and
// probes; for the pod its volumes and the ConfigMaps and Secrets they use,
// service account, node selector, tolerations, and template labels and
// annotations. Env values are never shown (they may be secrets): only which
// variables were added, removed or changed, and the references they take.
func TemplateDiff(a, b *corev1.PodTemplateSpec) []Diff {
	if a == nil || b == nil {
		return nil
	}
	var out []Diff
	add := func(ctr, field, from, to, text string) {
		out = append(out, Diff{Field: field, From: from, To: to, Text: text})
	}
	multi := len(a.Spec.Containers)+len(a.Spec.InitContainers) > 1 || len(b.Spec.Containers)+len(b.Spec.InitContainers) > 1
	for _, set := range []struct {
		kind string
		a, b []corev1.Container
	}{{"init container", a.Spec.InitContainers, b.Spec.InitContainers}, {"container", a.Spec.Containers, b.Spec.Containers}} {
		for _, ca := range set.a {
			if findContainer(set.b, ca.Name) == nil {
				add(ca.Name, set.kind, ca.Name, "", set.kind+" "+ca.Name+" removed")
			}
		}
		for i := range set.b {
			cb := &set.b[i]
			ca := findContainer(set.a, cb.Name)
			if ca == nil {
				add(cb.Name, set.kind, "", cb.Name, set.kind+" "+cb.Name+" added ("+cb.Image+")")
				continue
			}
			prefix := ""
			if multi {
				prefix = cb.Name + ": "
			}
			for _, d := range containerDiff(ca, cb) {
				d.Container = cb.Name
				d.Text = prefix + d.Text
				out = append(out, d)
			}
		}
	}
	out = append(out, volumeDiff(a.Spec.Volumes, b.Spec.Volumes)...)
	if x, y := a.Spec.ServiceAccountName, b.Spec.ServiceAccountName; x != y {
		add("", "serviceAccount", x, y, "serviceAccount "+arrow(noneIfEmpty(x), noneIfEmpty(y)))
	}
	out = append(out, mapDiff("nodeSelector", a.Spec.NodeSelector, b.Spec.NodeSelector)...)
	out = append(out, setDiff("toleration", tolerations(a.Spec.Tolerations), tolerations(b.Spec.Tolerations))...)
	if !reflect.DeepEqual(a.Spec.Affinity, b.Spec.Affinity) {
		add("", "affinity", "", "", "affinity changed")
	}
	out = append(out, mapDiff("label", withoutHashes(a.Labels), withoutHashes(b.Labels))...)
	out = append(out, mapDiff("annotation", a.Annotations, b.Annotations)...)
	return out
}

func findContainer(list []corev1.Container, name string) *corev1.Container {
	for i := range list {
		if list[i].Name == name {
			return &list[i]
		}
	}
	return nil
}

func containerDiff(a, b *corev1.Container) []Diff {
	var out []Diff
	add := func(field, from, to, text string) {
		out = append(out, Diff{Field: field, From: from, To: to, Text: text})
	}
	if a.Image != b.Image {
		add("image", a.Image, b.Image, "image "+imageArrow(a.Image, b.Image))
	}
	if !slices.Equal(a.Command, b.Command) {
		x, y := argv(a.Command), argv(b.Command)
		add("command", x, y, "command "+arrow(x, y))
	}
	if !slices.Equal(a.Args, b.Args) {
		x, y := argv(a.Args), argv(b.Args)
		add("args", x, y, "args "+arrow(x, y))
	}
	out = append(out, envDiff(a.Env, b.Env)...)
	out = append(out, setDiff("envFrom", envFrom(a.EnvFrom), envFrom(b.EnvFrom))...)
	for _, kind := range []struct {
		name string
		a, b corev1.ResourceList
	}{{"requests", a.Resources.Requests, b.Resources.Requests}, {"limits", a.Resources.Limits, b.Resources.Limits}} {
		names := map[corev1.ResourceName]bool{}
		for n := range kind.a {
			names[n] = true
		}
		for n := range kind.b {
			names[n] = true
		}
		for _, n := range slices.Sorted(maps.Keys(names)) {
			x, y := quantity(kind.a, n), quantity(kind.b, n)
			if x != y {
				add("resources", x, y, fmt.Sprintf("%s.%s %s", kind.name, n, arrow(noneIfEmpty(x), noneIfEmpty(y))))
			}
		}
	}
	for _, p := range []struct {
		name string
		a, b *corev1.Probe
	}{{"livenessProbe", a.LivenessProbe, b.LivenessProbe}, {"readinessProbe", a.ReadinessProbe, b.ReadinessProbe}, {"startupProbe", a.StartupProbe, b.StartupProbe}} {
		if !reflect.DeepEqual(p.a, p.b) {
			x, y := probeText(p.a), probeText(p.b)
			text := p.name + " changed"
			if x != y {
				text = p.name + " " + arrow(noneIfEmpty(x), noneIfEmpty(y))
			}
			add(p.name, x, y, text)
		}
	}
	if !reflect.DeepEqual(a.VolumeMounts, b.VolumeMounts) {
		x, y := mounts(a.VolumeMounts), mounts(b.VolumeMounts)
		out = append(out, setDiff("volumeMount", x, y)...)
	}
	if !reflect.DeepEqual(a.SecurityContext, b.SecurityContext) {
		add("securityContext", "", "", "securityContext changed")
	}
	return out
}

// envDiff names variables added, removed or changed, never their values.
func envDiff(a, b []corev1.EnvVar) []Diff {
	var out []Diff
	index := func(list []corev1.EnvVar) map[string]corev1.EnvVar {
		m := make(map[string]corev1.EnvVar, len(list))
		for _, e := range list {
			m[e.Name] = e
		}
		return m
	}
	ma, mb := index(a), index(b)
	for _, e := range a {
		if _, ok := mb[e.Name]; !ok {
			out = append(out, Diff{Field: "env", From: envSource(e), Text: "env " + e.Name + " removed"})
		}
	}
	for _, e := range b {
		old, ok := ma[e.Name]
		switch {
		case !ok:
			out = append(out, Diff{Field: "env", To: envSource(e), Text: "env " + e.Name + " added"})
		case !reflect.DeepEqual(old, e):
			x, y := envSource(old), envSource(e)
			text := "env " + e.Name + " changed"
			if x != y {
				text = "env " + e.Name + " " + arrow(x, y)
			}
			out = append(out, Diff{Field: "env", From: x, To: y, Text: text})
		}
	}
	return out
}

// envSource says where a variable's value comes from, without the value.
func envSource(e corev1.EnvVar) string {
	vf := e.ValueFrom
	switch {
	case vf == nil:
		return "value"
	case vf.SecretKeyRef != nil:
		return "secret " + vf.SecretKeyRef.Name + " key " + vf.SecretKeyRef.Key
	case vf.ConfigMapKeyRef != nil:
		return "configmap " + vf.ConfigMapKeyRef.Name + " key " + vf.ConfigMapKeyRef.Key
	case vf.FieldRef != nil:
		return "field " + vf.FieldRef.FieldPath
	case vf.ResourceFieldRef != nil:
		return "resource " + vf.ResourceFieldRef.Resource
	}
	return "valueFrom"
}

func envFrom(list []corev1.EnvFromSource) []string {
	var out []string
	for _, e := range list {
		s := ""
		switch {
		case e.ConfigMapRef != nil:
			s = "configmap " + e.ConfigMapRef.Name
		case e.SecretRef != nil:
			s = "secret " + e.SecretRef.Name
		default:
			continue
		}
		if e.Prefix != "" {
			s += " (prefix " + e.Prefix + ")"
		}
		out = append(out, s)
	}
	return out
}

func volumeDiff(a, b []corev1.Volume) []Diff {
	var out []Diff
	index := func(list []corev1.Volume) map[string]string {
		m := make(map[string]string, len(list))
		for _, v := range list {
			m[v.Name] = volumeFrom(v)
		}
		return m
	}
	ma, mb := index(a), index(b)
	for _, v := range a {
		if _, ok := mb[v.Name]; !ok {
			out = append(out, Diff{Field: "volume", From: ma[v.Name], Text: "volume " + v.Name + " removed (" + ma[v.Name] + ")"})
		}
	}
	for _, v := range b {
		x, ok := ma[v.Name]
		y := mb[v.Name]
		switch {
		case !ok:
			out = append(out, Diff{Field: "volume", To: y, Text: "volume " + v.Name + " added (" + y + ")"})
		case x != y:
			out = append(out, Diff{Field: "volume", From: x, To: y, Text: "volume " + v.Name + " " + arrow(x, y)})
		}
	}
	return out
}

// volumeSource names what a volume is made from, with the ConfigMaps,
// Secrets and claims it refers to.
func volumeFrom(v corev1.Volume) string {
	if kind, name := volumeSource(v); kind != "" {
		return strings.ToLower(kind) + " " + name
	}
	s := v.VolumeSource
	switch {
	case s.EmptyDir != nil:
		return "emptyDir"
	case s.HostPath != nil:
		return "hostPath " + s.HostPath.Path
	case s.Projected != nil:
		var refs []string
		for _, p := range s.Projected.Sources {
			switch {
			case p.ConfigMap != nil:
				refs = append(refs, "configmap "+p.ConfigMap.Name)
			case p.Secret != nil:
				refs = append(refs, "secret "+p.Secret.Name)
			case p.ServiceAccountToken != nil:
				refs = append(refs, "token")
			case p.DownwardAPI != nil:
				refs = append(refs, "downwardAPI")
			}
		}
		return "projected [" + strings.Join(refs, ", ") + "]"
	case s.DownwardAPI != nil:
		return "downwardAPI"
	case s.Ephemeral != nil:
		return "ephemeral"
	}
	return "other"
}

func tolerations(list []corev1.Toleration) []string {
	var out []string
	for _, t := range list {
		s := tolerationText(t)
		if t.TolerationSeconds != nil {
			s += fmt.Sprintf(" for %ds", *t.TolerationSeconds)
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

func mounts(list []corev1.VolumeMount) []string {
	var out []string
	for _, m := range list {
		s := m.Name + " at " + m.MountPath
		if m.SubPath != "" {
			s += " (subPath " + m.SubPath + ")"
		}
		if m.ReadOnly {
			s += " read-only"
		}
		out = append(out, s)
	}
	return out
}

// setDiff reports items removed from a and added in b.
func setDiff(field string, a, b []string) []Diff {
	var out []Diff
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, Diff{Field: field, From: x, Text: field + " " + x + " removed"})
		}
	}
	for _, y := range b {
		if !slices.Contains(a, y) {
			out = append(out, Diff{Field: field, To: y, Text: field + " " + y + " added"})
		}
	}
	return out
}

// mapDiff reports keys removed, added and changed, with values when shown.
func mapDiff(field string, a, b map[string]string) []Diff {
	var out []Diff
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		x, inA := a[k]
		y, inB := b[k]
		switch {
		case !inB:
			out = append(out, Diff{Field: field, From: k + "=" + x, Text: field + " " + k + " removed"})
		case !inA:
			out = append(out, Diff{Field: field, To: k + "=" + y, Text: field + " " + k + "=" + y + " added"})
		case x != y:
			text := field + " " + k + " changed"
			if len(x) <= 40 && len(y) <= 40 {
				text = field + " " + k + " " + arrow(x, y)
			}
			out = append(out, Diff{Field: field, From: k + "=" + x, To: k + "=" + y, Text: text})
		}
	}
	return out
}

func withoutHashes(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if k != appsv1.DefaultDeploymentUniqueLabelKey && k != appsv1.ControllerRevisionHashLabelKey && k != appsv1.StatefulSetRevisionLabel {
			out[k] = v
		}
	}
	return out
}

func probeText(p *corev1.Probe) string {
	if p == nil {
		return ""
	}
	var h string
	switch {
	case p.HTTPGet != nil:
		h = fmt.Sprintf("httpGet %s:%s", p.HTTPGet.Path, p.HTTPGet.Port.String())
	case p.TCPSocket != nil:
		h = "tcpSocket :" + p.TCPSocket.Port.String()
	case p.GRPC != nil:
		h = fmt.Sprintf("grpc :%d", p.GRPC.Port)
	case p.Exec != nil:
		h = "exec " + argv(p.Exec.Command)
	}
	return fmt.Sprintf("%s delay=%ds timeout=%ds period=%ds failures=%d", h, p.InitialDelaySeconds, p.TimeoutSeconds, p.PeriodSeconds, p.FailureThreshold)
}

func quantity(l corev1.ResourceList, n corev1.ResourceName) string {
	q, ok := l[n]
	if !ok {
		return ""
	}
	return q.String()
}

// argv prints a command line as a list, quoting words with spaces.
func argv(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		if w == "" || strings.ContainsAny(w, " \t\"'") {
			w = fmt.Sprintf("%q", w)
		}
		quoted[i] = w
	}
	return "[" + strings.Join(quoted, " ") + "]"
}

// imageArrow is "repo:1.4.2 → 1.5.0" when only the tag changed, else both references.
func imageArrow(from, to string) string {
	ta, da := imageTag(from)
	tb, db := imageTag(to)
	if !da && !db && ta != "" && tb != "" && strings.TrimSuffix(from, ":"+ta) == strings.TrimSuffix(to, ":"+tb) {
		return from + " → " + tb
	}
	return arrow(from, to)
}

func arrow(from, to string) string { return from + " → " + to }

func noneIfEmpty(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
