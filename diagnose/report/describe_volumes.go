package report

// The Volumes of `kubectl describe pod`: each volume's name on its own line,
// its Type and fields under it.

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// volumeField is one "Key:  value" line of a volume, with the lines under
// it (VolumeAttributes, DownwardAPI items).
type volumeField struct {
	key, value string
	more       []string
}

// readVolumes reads the Volumes section: each volume's name on its own line,
// its fields under it.
func readVolumes(body []line) []corev1.Volume {
	var out []corev1.Volume
	var name string
	var fields []volumeField
	nameIndent, fieldIndent := -1, -1
	flush := func() {
		if name != "" {
			out = append(out, corev1.Volume{Name: name, VolumeSource: volumeSource(fields)})
		}
	}
	for _, l := range body {
		switch {
		case l.text == "":
		case isNameLine(l) && (nameIndent < 0 || l.indent <= nameIndent):
			flush()
			name, fields, nameIndent, fieldIndent = strings.TrimSuffix(l.text, ":"), nil, l.indent, -1
		case name == "":
		case fieldIndent < 0 || l.indent <= fieldIndent:
			if k, v, ok := cutKey(l.text); ok {
				fieldIndent = l.indent
				fields = append(fields, volumeField{key: k, value: v})
			}
		case len(fields) > 0:
			f := &fields[len(fields)-1]
			f.more = append(f.more, l.text)
		}
	}
	flush()
	return out
}

// field returns the value of the first field named key.
func field(fields []volumeField, key string) string {
	for _, f := range fields {
		if f.key == key {
			return f.value
		}
	}
	return ""
}

// volumeSource builds a volume's source from its Type and fields, for the
// types the engine looks at and a few simple others; the rest stay empty.
func volumeSource(fields []volumeField) corev1.VolumeSource {
	get := func(k string) string { return field(fields, k) }
	readOnly := get("ReadOnly") == "true"
	var src corev1.VolumeSource
	typ, _, _ := strings.Cut(get("Type"), " ")
	switch typ {
	case "HostPath":
		src.HostPath = &corev1.HostPathVolumeSource{Path: get("Path")}
		if t := get("HostPathType"); t != "" {
			src.HostPath.Type = ptr(corev1.HostPathType(t))
		}
	case "EmptyDir":
		src.EmptyDir = &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMedium(get("Medium"))}
		if q, err := resource.ParseQuantity(get("SizeLimit")); err == nil {
			src.EmptyDir.SizeLimit = &q
		}
	case "Secret":
		src.Secret = &corev1.SecretVolumeSource{SecretName: get("SecretName"), Optional: optional(get("Optional"))}
	case "ConfigMap":
		src.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: get("Name")}, Optional: optional(get("Optional"))}
	case "Projected":
		src.Projected = &corev1.ProjectedVolumeSource{Sources: projections(fields)}
	case "NFS":
		src.NFS = &corev1.NFSVolumeSource{Server: get("Server"), Path: get("Path"), ReadOnly: readOnly}
	case "PersistentVolumeClaim":
		src.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: get("ClaimName"), ReadOnly: readOnly}
	case "CSI":
		src.CSI = &corev1.CSIVolumeSource{Driver: get("Driver"), ReadOnly: ptr(readOnly), VolumeAttributes: volumeAttributes(fields)}
		if fs := get("FSType"); fs != "" {
			src.CSI.FSType = &fs
		}
	case "DownwardAPI":
		src.DownwardAPI = &corev1.DownwardAPIVolumeSource{Items: downwardItems(fields)}
	case "EphemeralVolume":
		src.Ephemeral = &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{}}
		if sc := get("StorageClass"); sc != "" {
			src.Ephemeral.VolumeClaimTemplate.Spec.StorageClassName = &sc
		}
	case "AzureFile":
		src.AzureFile = &corev1.AzureFileVolumeSource{SecretName: get("SecretName"), ShareName: get("ShareName"), ReadOnly: readOnly}
	case "Image":
		src.Image = &corev1.ImageVolumeSource{Reference: get("Reference"), PullPolicy: corev1.PullPolicy(get("PullPolicy"))}
	}
	return src
}

// projections reads a projected volume's sources, in the order printed:
// "SecretName:" or "ConfigMapName:" then their "Optional:" (older kubectl:
// "SecretOptionalName:", "ConfigMapOptional:", with a pointer, not a value),
// "DownwardAPI: true", "TokenExpirationSeconds: 3607".
func projections(fields []volumeField) []corev1.VolumeProjection {
	var out []corev1.VolumeProjection
	var opt **bool // Optional of the last Secret or ConfigMap source
	for _, f := range fields {
		switch f.key {
		case "SecretName":
			s := &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: f.value}}
			out, opt = append(out, corev1.VolumeProjection{Secret: s}), &s.Optional
		case "ConfigMapName":
			c := &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: f.value}}
			out, opt = append(out, corev1.VolumeProjection{ConfigMap: c}), &c.Optional
		case "Optional", "SecretOptionalName", "ConfigMapOptional":
			if opt != nil {
				*opt = optional(f.value)
			}
		case "DownwardAPI":
			out = append(out, corev1.VolumeProjection{DownwardAPI: &corev1.DownwardAPIProjection{}})
		case "TokenExpirationSeconds":
			n, _ := strconv.ParseInt(f.value, 10, 64)
			out = append(out, corev1.VolumeProjection{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{ExpirationSeconds: &n}})
		}
	}
	return out
}

// volumeAttributes reads a CSI volume's "VolumeAttributes:  k=v" and the
// "k=v" lines under it.
func volumeAttributes(fields []volumeField) map[string]string {
	var m map[string]string
	for _, f := range fields {
		if f.key != "VolumeAttributes" {
			continue
		}
		for _, kv := range append([]string{f.value}, f.more...) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				if m == nil {
					m = map[string]string{}
				}
				m[k] = v
			}
		}
	}
	return m
}

// downwardItems reads "metadata.labels -> labels" lines under "Items:".
func downwardItems(fields []volumeField) []corev1.DownwardAPIVolumeFile {
	var out []corev1.DownwardAPIVolumeFile
	for _, f := range fields {
		if f.key != "Items" {
			continue
		}
		for _, item := range f.more {
			from, path, ok := strings.Cut(item, " -> ")
			if !ok {
				continue
			}
			d := corev1.DownwardAPIVolumeFile{Path: path}
			if strings.HasPrefix(from, "limits.") || strings.HasPrefix(from, "requests.") {
				d.ResourceFieldRef = &corev1.ResourceFieldSelector{Resource: from}
			} else {
				d.FieldRef = &corev1.ObjectFieldSelector{FieldPath: from}
			}
			out = append(out, d)
		}
	}
	return out
}
