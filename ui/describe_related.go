package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// objRef names an object the pod depends on.
type objRef struct{ kind, name string }

// referencedObjects lists the Secrets, ConfigMaps and PVCs a pod uses, in a
// stable order without repeats: volumes, env, image pull secrets.
func referencedObjects(pod *corev1.Pod) []objRef {
	var out []objRef
	add := func(kind, name string) {
		r := objRef{kind, name}
		if name != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	for _, v := range pod.Spec.Volumes {
		switch {
		case v.Secret != nil:
			add(diagnose.KindSecret, v.Secret.SecretName)
		case v.ConfigMap != nil:
			add(diagnose.KindConfigMap, v.ConfigMap.Name)
		case v.PersistentVolumeClaim != nil:
			add(diagnose.KindPVC, v.PersistentVolumeClaim.ClaimName)
		case v.Projected != nil:
			for _, s := range v.Projected.Sources {
				if s.Secret != nil {
					add(diagnose.KindSecret, s.Secret.Name)
				}
				if s.ConfigMap != nil {
					add(diagnose.KindConfigMap, s.ConfigMap.Name)
				}
			}
		}
	}
	all := append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
	for _, c := range all {
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil {
				add(diagnose.KindSecret, e.SecretRef.Name)
			}
			if e.ConfigMapRef != nil {
				add(diagnose.KindConfigMap, e.ConfigMapRef.Name)
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				continue
			}
			if e.ValueFrom.SecretKeyRef != nil {
				add(diagnose.KindSecret, e.ValueFrom.SecretKeyRef.Name)
			}
			if e.ValueFrom.ConfigMapKeyRef != nil {
				add(diagnose.KindConfigMap, e.ValueFrom.ConfigMapKeyRef.Name)
			}
		}
	}
	for _, s := range pod.Spec.ImagePullSecrets {
		add(diagnose.KindSecret, s.Name)
	}
	return out
}

// relatedTitle starts the related-objects section; the R key jumps to it.
const relatedTitle = "Related objects"

// describeRelated shows whether each referenced object exists, the PVCs'
// phase, and the node's conditions, taints and allocatable; pure.
func describeRelated(s *Styles, pod *corev1.Pod, rel diagnose.Related) []string {
	lines := []string{s.Title.Render(relatedTitle)}
	if rel == nil {
		return append(lines, s.Muted.Render("  loading…"))
	}
	presence := func(p diagnose.Presence) string {
		switch p {
		case diagnose.Exists:
			return s.Healthy.Render("exists")
		case diagnose.Missing:
			return s.Failing.Render("✗ MISSING")
		}
		return s.Muted.Render("unknown (not visible to you)")
	}
	refs := referencedObjects(pod)
	if len(refs) == 0 {
		lines = append(lines, s.Muted.Render("  no Secrets, ConfigMaps or PVCs referenced"))
	}
	for _, r := range refs {
		l := fmt.Sprintf("  %-21s %s: ", r.kind, oneLine(r.name))
		if r.kind == diagnose.KindPVC {
			pvc, p := rel.PVC(pod.Namespace, r.name)
			l += presence(p)
			if pvc != nil {
				l += ", " + oneLine(string(pvc.Status.Phase))
				if pvc.Spec.VolumeName != "" {
					l += " to " + oneLine(pvc.Spec.VolumeName)
				}
				if q, ok := pvc.Status.Capacity[corev1.ResourceStorage]; ok {
					l += " (" + q.String() + ")"
				}
			}
		} else {
			p, keys := rel.Lookup(r.kind, pod.Namespace, r.name)
			l += presence(p)
			if p == diagnose.Exists {
				l += s.Muted.Render(fmt.Sprintf(" (%d keys)", len(keys)))
			}
		}
		lines = append(lines, l)
	}
	if pod.Spec.NodeName == "" {
		return append(lines, kvLine(s, "  Node", s.Muted.Render("not scheduled")))
	}
	node, p := rel.Node(pod.Spec.NodeName)
	lines = append(lines, fmt.Sprintf("  %-21s %s: %s", "Node", oneLine(pod.Spec.NodeName), presence(p)))
	if node == nil {
		return lines
	}
	var conds []string
	for _, c := range node.Status.Conditions {
		bad := (c.Type == corev1.NodeReady) != (c.Status == corev1.ConditionTrue)
		txt := oneLine(string(c.Type)) + "=" + oneLine(string(c.Status))
		if bad {
			txt = s.Failing.Render(txt)
		}
		conds = append(conds, txt)
	}
	lines = append(lines, "    "+kvLine(s, "Conditions", orDash(strings.Join(conds, ", "))))
	var taints []string
	for _, t := range node.Spec.Taints {
		taint := oneLine(t.Key)
		if t.Value != "" {
			taint += "=" + oneLine(t.Value)
		}
		taints = append(taints, taint+":"+oneLine(string(t.Effect)))
	}
	if node.Spec.Unschedulable {
		taints = append(taints, "cordoned (unschedulable)")
	}
	lines = append(lines, "    "+kvLine(s, "Taints", orDash(strings.Join(taints, ", "))))
	lines = append(lines, "    "+kvLine(s, "Allocatable", orDash(resourceList(node.Status.Allocatable))))
	return lines
}

// siblingsTitle starts the siblings section.
const siblingsTitle = "Sibling pods"

// describeSiblings lists the other pods of the same workload with their
// status, so "3 of 5 replicas fail the same way" shows at once; pure.
func describeSiblings(s *Styles, pod *corev1.Pod, pods []*kube.PodSummary, now time.Time) []string {
	owner := diagnose.ControllerName(pod)
	if owner == "" {
		return nil
	}
	var sibs []*kube.PodSummary
	for _, o := range pods {
		if o.Namespace == pod.Namespace && o.UID != pod.UID && o.Controller == owner {
			sibs = append(sibs, o)
		}
	}
	counts := map[string]int{diagnose.Status(pod): 1}
	for _, o := range sibs {
		counts[o.Columns.Status]++
	}
	statuses := make([]string, 0, len(counts))
	for st := range counts {
		statuses = append(statuses, st)
	}
	slices.SortFunc(statuses, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	summary := make([]string, 0, len(statuses))
	for _, st := range statuses {
		summary = append(summary, fmt.Sprintf("%d %s", counts[st], oneLine(st)))
	}
	n := fmt.Sprintf("%d pods", len(sibs)+1)
	if len(sibs) == 0 {
		n = "1 pod"
	}
	lines := []string{s.Title.Render(siblingsTitle) + s.Muted.Render(fmt.Sprintf("  of %s: %s, %s", oneLine(owner), n, strings.Join(summary, ", ")))}
	if len(sibs) == 0 {
		return append(lines, s.Muted.Render("  no other pod of it is in the list"))
	}
	slices.SortFunc(sibs, func(a, b *kube.PodSummary) int { return strings.Compare(a.Name, b.Name) })
	const most = 20
	for i, o := range sibs {
		if i == most {
			lines = append(lines, s.Muted.Render(fmt.Sprintf("  … and %d more", len(sibs)-most)))
			break
		}
		st := o.Columns.Status
		lines = append(lines, fmt.Sprintf("  %s %s %-12s %s", pad(oneLine(o.Name), 40), s.ForHealth(o.Columns.Health).Render(pad(oneLine(st), 26)),
			o.Restarts(now), oneLine(o.Node)))
	}
	return lines
}
