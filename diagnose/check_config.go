package diagnose

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// refsTo lists where the pod uses a Secret or ConfigMap, for explanations.
func (c *ctx) refsTo(kind, name string) []string {
	var out []string
	isKind := func(secret bool) bool { return (kind == KindSecret) == secret }
	for _, v := range c.containers() {
		for _, e := range v.spec.Env {
			if e.ValueFrom == nil {
				continue
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil && isKind(true) && r.Name == name {
				out = append(out, fmt.Sprintf("env %s of container %s (key %s)", e.Name, v.spec.Name, r.Key))
			}
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil && isKind(false) && r.Name == name {
				out = append(out, fmt.Sprintf("env %s of container %s (key %s)", e.Name, v.spec.Name, r.Key))
			}
		}
		for _, e := range v.spec.EnvFrom {
			if e.SecretRef != nil && isKind(true) && e.SecretRef.Name == name {
				out = append(out, "envFrom of container "+v.spec.Name)
			}
			if e.ConfigMapRef != nil && isKind(false) && e.ConfigMapRef.Name == name {
				out = append(out, "envFrom of container "+v.spec.Name)
			}
		}
	}
	for _, vol := range c.pod.Spec.Volumes {
		if vol.Secret != nil && isKind(true) && vol.Secret.SecretName == name {
			out = append(out, "volume "+vol.Name)
		}
		if vol.ConfigMap != nil && isKind(false) && vol.ConfigMap.Name == name {
			out = append(out, "volume "+vol.Name)
		}
		if vol.Projected != nil {
			for _, s := range vol.Projected.Sources {
				if s.Secret != nil && isKind(true) && s.Secret.Name == name || s.ConfigMap != nil && isKind(false) && s.ConfigMap.Name == name {
					out = append(out, "projected volume "+vol.Name)
				}
			}
		}
	}
	return out
}

// configMissing reports a missing Secret/ConfigMap (key == "") or a missing
// key in one, checked against what the lookup knows.
func (c *ctx) configMissing(kind, name, key, container string, ev []string) {
	lower := strings.ToLower(kind)
	ns := c.pod.Namespace
	pres, keys := Unknown, []string(nil)
	if name != "" {
		pres, keys = c.rel.Lookup(kind, ns, name)
	}
	var summary, id string
	var detail []string
	if key == "" {
		id = "config/" + lower + "-missing"
		summary = fmt.Sprintf("%s %q not found in namespace %s%s", lower, name, ns, c.suggest(kind, name))
		switch pres {
		case Exists:
			detail = append(detail, "It exists now, so the next retry should succeed.")
		case Unknown:
			detail = append(detail, fmt.Sprintf("podtui has not seen this %s (no access, or not in the given files); the kubelet's message is the evidence.", kind))
		}
	} else {
		id = "config/" + lower + "-key-missing"
		if name == "" {
			summary = fmt.Sprintf("key %q not found in the %s", key, lower)
		} else {
			summary = fmt.Sprintf("key %q not found in %s %s", key, lower, name)
		}
		if pres == Exists {
			summary += " " + itHas(key, keys)
		}
	}
	if refs := c.refsTo(kind, name); len(refs) > 0 {
		detail = append(detail, "Used by "+strings.Join(refs, ", ")+".")
	}
	c.add(id, container, summary, strings.Join(detail, " "), ev, vars{lower: name, "key": key})
}

// itHas is "(it has: a, b; did you mean a?)": what an object holds instead
// of want, with the closest name when one is close.
func itHas(want string, have []string) string {
	s := "(it has: " + orNone(have)
	if best := Closest(want, have); best != "" {
		s += "; did you mean " + best + "?"
	}
	return s + ")"
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// configError handles a CreateContainerConfigError waiting state.
func (c *ctx) configError(v cview, w *corev1.ContainerStateWaiting) {
	name := v.name()
	ev := []string{w.Message, fmt.Sprintf("%s.state.waiting.reason: %s", statusPath(v), w.Reason)}
	msg := w.Message
	for _, e := range c.eventsWith(name, "Failed") {
		if strings.HasPrefix(e.Message, "Error: ") {
			ev = append(ev, c.evidence(e))
			// kubectl describe shows the waiting reason without its message;
			// the kubelet's event then carries it.
			if _, ok := ParseConfigError(msg); !ok {
				msg = strings.TrimPrefix(e.Message, "Error: ")
			}
			break
		}
	}
	ref, ok := ParseConfigError(msg)
	switch {
	case ok && ref.Kind != "":
		c.configMissing(ref.Kind, ref.Name, ref.Key, name, ev)
	case ok && ref.NonRoot != "":
		what := map[string]string{
			"root":        "the image runs as root (UID 0)",
			"non-numeric": "the image's USER is a name, which the kubelet cannot check is non-root",
			"invalid":     "the image's USER is not a valid UID",
		}[ref.NonRoot]
		c.add("config/run-as-non-root", name, "runAsNonRoot is set but "+what, "", ev, nil)
	case ok && ref.SubPath != "":
		c.subPathFailed(v, ref, ev)
	default:
		c.add("config/other", name, "Container config cannot be built: "+firstLine(msg), "", ev, nil)
	}
}

// statusPath names a container's status for evidence lines.
func statusPath(v cview) string {
	return containerField(v, "initContainerStatuses", "ephemeralContainerStatuses", "containerStatuses")
}

// specPath names a container's place in the pod spec, for evidence lines.
func specPath(v cview) string {
	return containerField(v, "initContainers", "ephemeralContainers", "containers")
}

// containerField is list[name], list the one of the container's kind.
func containerField(v cview, init, ephemeral, app string) string {
	list := app
	switch {
	case v.init || v.sidecar:
		list = init
	case v.ephemeral:
		list = ephemeral
	}
	return list + "[" + v.name() + "]"
}

// subPathFailed reports a volumeMount whose subPath the kubelet could not
// set up. The kubelet keeps the reason to its own log, so this says what
// the mount is and what usually causes it.
func (c *ctx) subPathFailed(v cview, ref ConfigRef, ev []string) {
	name := v.name()
	var m *corev1.VolumeMount
	for i := range v.spec.VolumeMounts {
		if vm := &v.spec.VolumeMounts[i]; vm.Name == ref.Mount {
			m = vm
			ev = append(ev, fmt.Sprintf("%s.volumeMounts[%d]: volume %s, subPath %s, mountPath %s, readOnly %t", specPath(v), i, vm.Name, firstOf(vm.SubPath, vm.SubPathExpr), vm.MountPath, vm.ReadOnly))
			break
		}
	}
	sub := ""
	if m != nil {
		sub = firstOf(m.SubPath, m.SubPathExpr)
	}
	var detail []string
	if ref.SubPath == "create" {
		detail = append(detail, fmt.Sprintf("The subPath %s does not exist in volume %s and the kubelet could not create it: the volume is read-only (a read-only PersistentVolume, ReadOnlyMany) or an NFS export that squashes root.", quoteOr(sub, "directory"), ref.Mount))
	} else {
		detail = append(detail, fmt.Sprintf("The kubelet could not bind %s of volume %s: the subPath is a symlink that leads outside the volume, or the volume's mount went stale (NFS \"stale file handle\", a CSI volume remounted under the pod).", quoteOr(sub, "the subPath"), ref.Mount))
	}
	extra := vars{"volume": ref.Mount}
	if vol := c.volume(ref.Mount); vol != nil {
		if kind, obj := volumeSource(*vol); kind != "" {
			detail = append(detail, fmt.Sprintf("Volume %s comes from %s %s.", ref.Mount, strings.ToLower(kind), obj))
			if kind == KindPVC {
				extra["pvc"] = obj
			}
		}
	}
	c.add("config/subpath-failed", name, fmt.Sprintf("The kubelet cannot set up subPath %s of volume %s", quoteOr(sub, "(unknown)"), ref.Mount), strings.Join(detail, " "), ev, extra)
}
