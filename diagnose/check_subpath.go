package diagnose

import (
	"fmt"
	"path"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// checkSubPaths finds volumeMounts whose subPath names nothing in a
// ConfigMap, Secret or projected volume whose content is known. The kubelet
// does not refuse such a mount: it makes an empty directory for the missing
// path and mounts that, so the container either fails to start (the image
// has a file there: "not a directory") or finds a directory where it reads
// its config ("Is a directory"), or nothing at all.
func checkSubPaths(c *ctx) {
	if !hasSubPath(c.pod) {
		return // most pods: no need to look further
	}
	for _, v := range c.containers() {
		if v.ephemeral {
			continue
		}
		for i, m := range v.spec.VolumeMounts {
			if miss, ok := c.subPathMissing(v, i); ok {
				c.add("config/subpath-missing", v.name(), miss.summary(""), "", miss.evidence(v, m, i), miss.vars())
			}
		}
	}
}

// subPathMiss is a subPath that names nothing in its volume.
type subPathMiss struct {
	subPath, volume string
	kind, object    string   // "configmap"/"secret" and its name; "" for a projected volume
	files           []string // what the volume holds
}

// source names what the volume's files come from: "configmap app-config",
// or "volume conf" for a projected volume.
func (m subPathMiss) source() string {
	if m.kind != "" {
		return m.kind + " " + m.object
	}
	return "volume " + m.volume
}

func (m subPathMiss) summary(consequence string) string {
	where := m.source()
	if m.kind != "" {
		where += " (volume " + m.volume + ")"
	}
	s := fmt.Sprintf("subPath %q is not in %s %s", m.subPath, where, itHas(m.subPath, m.files))
	if consequence != "" {
		s += ": " + consequence
	}
	return s
}

func (m subPathMiss) evidence(v cview, vm corev1.VolumeMount, i int) []string {
	return []string{
		fmt.Sprintf("%s.volumeMounts[%d]: volume %s, subPath %s, mountPath %s", specPath(v), i, vm.Name, vm.SubPath, vm.MountPath),
		m.source() + " holds: " + orNone(m.files),
	}
}

func (m subPathMiss) vars() vars {
	v := vars{"volume": m.volume}
	if m.kind != "" {
		v[m.kind] = m.object
	}
	return v
}

// subPathMissing reports whether the container's volumeMounts[i] has a
// subPath that names nothing in its volume, as far as podtui knows the
// volume's content.
func (c *ctx) subPathMissing(v cview, i int) (subPathMiss, bool) {
	if v.spec == nil || i < 0 || i >= len(v.spec.VolumeMounts) {
		return subPathMiss{}, false
	}
	m := v.spec.VolumeMounts[i]
	sub := path.Clean(strings.TrimPrefix(m.SubPath, "./"))
	if m.SubPath == "" || sub == "." || strings.HasPrefix(sub, "..") {
		return subPathMiss{}, false
	}
	vol := c.volume(m.Name)
	if vol == nil {
		return subPathMiss{}, false
	}
	miss := subPathMiss{subPath: m.SubPath, volume: vol.Name}
	var ok bool
	miss.files, ok = c.volumeFiles(vol)
	if !ok {
		return subPathMiss{}, false
	}
	if kind, name := volumeSource(*vol); kind == KindConfigMap || kind == KindSecret {
		miss.kind, miss.object = strings.ToLower(kind), name
	}
	for _, f := range miss.files {
		if f == sub || strings.HasPrefix(f, sub+"/") {
			return subPathMiss{}, false
		}
	}
	return miss, true
}

// volumeFiles lists the paths a ConfigMap, Secret or projected volume
// holds, when podtui knows every object behind it.
func (c *ctx) volumeFiles(vol *corev1.Volume) ([]string, bool) {
	ns := c.pod.Namespace
	from := func(kind, name string, items []corev1.KeyToPath, optional *bool) ([]string, bool) {
		pres, keys := c.rel.Lookup(kind, ns, name)
		switch {
		case pres == Missing && optional != nil && *optional:
			return nil, true // an optional object that is absent adds nothing
		case pres != Exists:
			return nil, false
		case len(items) == 0:
			return keys, true
		}
		var out []string
		for _, it := range items {
			if slices.Contains(keys, it.Key) {
				out = append(out, path.Clean(it.Path))
			}
		}
		return out, true
	}
	switch {
	case vol.ConfigMap != nil:
		return from(KindConfigMap, vol.ConfigMap.Name, vol.ConfigMap.Items, vol.ConfigMap.Optional)
	case vol.Secret != nil:
		return from(KindSecret, vol.Secret.SecretName, vol.Secret.Items, vol.Secret.Optional)
	case vol.Projected != nil:
		var out []string
		for _, s := range vol.Projected.Sources {
			var files []string
			ok := true
			switch {
			case s.ConfigMap != nil:
				files, ok = from(KindConfigMap, s.ConfigMap.Name, s.ConfigMap.Items, s.ConfigMap.Optional)
			case s.Secret != nil:
				files, ok = from(KindSecret, s.Secret.Name, s.Secret.Items, s.Secret.Optional)
			case s.ServiceAccountToken != nil:
				files = []string{path.Clean(s.ServiceAccountToken.Path)}
			case s.DownwardAPI != nil:
				for _, it := range s.DownwardAPI.Items {
					files = append(files, path.Clean(it.Path))
				}
			case s.ClusterTrustBundle != nil:
				files = []string{path.Clean(s.ClusterTrustBundle.Path)}
			default:
				ok = false // a source podtui does not know the files of
			}
			if !ok {
				return nil, false
			}
			out = append(out, files...)
		}
		slices.Sort(out)
		return slices.Compact(out), true
	}
	return nil, false
}

// mountFailure reads an OCI runtime's "not a directory" failure to mount a
// volume of container v. A subPath that names nothing in its volume is the
// usual cause; it is said as config/subpath-missing, with this failure as
// its evidence.
func (c *ctx) mountFailure(v cview, mf MountFailure, reason string, ev []string) {
	name := v.name()
	i := mf.Index
	if i < 0 || i >= len(v.spec.VolumeMounts) || v.spec.VolumeMounts[i].Name != mf.Volume {
		i = mountIndex(v.spec, mf)
	}
	if miss, ok := c.subPathMissing(v, i); ok {
		m := v.spec.VolumeMounts[i]
		// checkSubPaths may have said it already, without the failure.
		c.out = slices.DeleteFunc(c.out, func(f Finding) bool { return f.Rule == "config/subpath-missing" && f.Container == name })
		consequence := fmt.Sprintf("the kubelet mounted an empty directory over the file %s of the image, so the container cannot start", m.MountPath)
		c.add("config/subpath-missing", name, miss.summary(consequence), "", append(miss.evidence(v, m, i), ev...), miss.vars())
		return
	}
	target, extra := mf.Target, vars{}
	what := "a volume"
	if mf.Volume != "" {
		what, extra["volume"] = "volume "+mf.Volume, mf.Volume
	}
	detail := ""
	if i >= 0 {
		m := v.spec.VolumeMounts[i]
		target, extra["volume"] = m.MountPath, m.Name
		what = "volume " + m.Name
		sub := "no subPath"
		if m.SubPath != "" {
			what += fmt.Sprintf(" (subPath %s)", m.SubPath)
			sub = "subPath " + m.SubPath
		}
		ev = append([]string{fmt.Sprintf("%s.volumeMounts[%d]: volume %s, %s, mountPath %s", specPath(v), i, m.Name, sub, m.MountPath)}, ev...)
		detail = c.mountTypeDetail(m)
	}
	if target == "" {
		target = "its mountPath"
	}
	c.add("start/mount-type", name, fmt.Sprintf("%s: cannot mount %s at %s: a directory over a file, or a file over a directory", reason, what, target), detail, ev, extra)
}

// mountTypeDetail says which way round the mount of m is wrong, where the
// volume tells.
func (c *ctx) mountTypeDetail(m corev1.VolumeMount) string {
	vol := c.volume(m.Name)
	if vol == nil {
		return ""
	}
	kind, obj := volumeSource(*vol)
	files, known := c.volumeFiles(vol)
	switch {
	case m.SubPath == "" && (kind == KindConfigMap || kind == KindSecret || vol.Projected != nil):
		s := fmt.Sprintf("Volume %s is a directory of files, mounted at %s, which is a file in the image.", m.Name, m.MountPath)
		base := path.Base(m.MountPath)
		if known && slices.Contains(files, base) {
			return s + fmt.Sprintf(" To put only %s of %s %s there, add subPath: %s to the volumeMount.", base, strings.ToLower(kind), obj, base)
		}
		return s + " To put one file there, add subPath: <key> to the volumeMount; to add files beside the image's, mount the volume on a directory of its own."
	case m.SubPath != "" && known:
		return fmt.Sprintf("subPath %s is a file of volume %s, mounted at %s, which is a directory in the image: give mountPath the file's own path (%s).", m.SubPath, m.Name, m.MountPath, path.Join(m.MountPath, path.Base(m.SubPath)))
	case vol.HostPath != nil:
		return fmt.Sprintf("hostPath %s on the node is not the same kind of path as %s in the image; set hostPath.type (File, Directory) so the kubelet checks it before the container starts.", vol.HostPath.Path, m.MountPath)
	}
	return ""
}

// mountIndex finds the volumeMount a failure names, by volume and target.
func mountIndex(ctr *corev1.Container, mf MountFailure) int {
	for i, m := range ctr.VolumeMounts {
		if (mf.Target == "" || path.Clean(m.MountPath) == path.Clean(mf.Target)) && (mf.Volume == "" || m.Name == mf.Volume) {
			return i
		}
	}
	return -1
}

func hasSubPath(p *corev1.Pod) bool {
	for _, list := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range list {
			for _, m := range list[i].VolumeMounts {
				if m.SubPath != "" {
					return true
				}
			}
		}
	}
	return false
}
