package diagnose

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// checkCreating catches a pod on a node that has started no container for
// createStuckAfter when no event explained why: the kubelet's failures
// are events, and events expire after an hour while the pod stays stuck.
// It runs after the checks that read those events and stays quiet when
// one of them found the cause.
func checkCreating(c *ctx) {
	if !c.notStarted() || c.pod.DeletionTimestamp != nil {
		return
	}
	for _, f := range c.out {
		if f.Severity >= SeverityWarning {
			return
		}
	}
	since := creatingSince(c.pod)
	if since.IsZero() || c.now.IsZero() || c.now.Sub(since) < createStuckAfter {
		return
	}
	p := c.pod
	status := Status(p)
	ev := []string{fmt.Sprintf("no container started since the pod was scheduled %s ago (kubectl STATUS: %s)", c.ago(since), status)}
	var summary, detail string
	extra := vars{}
	// True once the sandbox and its network are up (Kubernetes 1.29 on);
	// False while the volumes mount and the sandbox is made.
	ready := c.podCondition(corev1.PodReadyToStartContainers)
	switch {
	case ready != nil && ready.Status == corev1.ConditionTrue:
		ev = append(ev, fmt.Sprintf("condition %s=True %s ago: the sandbox and its network are up", corev1.PodReadyToStartContainers, c.ago(ready.LastTransitionTime.Time)))
		image, pulling := c.pullingImage()
		if pulling != nil {
			ev = append(ev, c.evidence(*pulling))
			summary = fmt.Sprintf("Still pulling image %s after %s", image, c.ago(pulling.FirstTime))
			detail = "The kubelet started the pull and has reported neither success nor failure: a large image, a slow or throttled registry, or a node whose disk is slow to unpack it."
		} else {
			summary = fmt.Sprintf("No container started %s after the sandbox came up", c.ago(ready.LastTransitionTime.Time))
			detail = "Volumes and network are ready, so the wait is in pulling the images or in the container runtime creating the containers."
		}
		if image != "" {
			extra["image"] = image
		}
	default:
		vols := externalVolumes(p)
		if ready != nil {
			ev = append(ev, fmt.Sprintf("condition %s=False: the kubelet has not finished mounting the volumes and making the sandbox", corev1.PodReadyToStartContainers))
		}
		if len(vols) > 0 {
			ev = append(ev, "volumes that wait on something outside the pod: "+strings.Join(vols, ", "))
		}
		node := nodeOr(p.Spec.NodeName)
		switch {
		case ready != nil && len(vols) > 0:
			summary = fmt.Sprintf("No sandbox after %s on %s: waiting on its volumes (%s) or the network", c.ago(since), node, strings.Join(vols, ", "))
			detail = "The kubelet mounts every volume before it makes the pod's sandbox; a volume whose storage does not attach or mount (a PVC, CSI, NFS) holds the pod here, as does a network plugin that never answers."
		case ready != nil:
			summary = fmt.Sprintf("No sandbox after %s on %s: the runtime or the network plugin has not set it up", c.ago(since), node)
			detail = "The pod mounts nothing from outside, so the wait is most likely the sandbox: the container runtime or the network (CNI) plugin on the node."
		default:
			summary = fmt.Sprintf("No container started in %s (%s)", c.ago(since), status)
		}
		if pvc := c.firstPVC(); pvc != "" {
			extra["pvc"] = pvc
		}
	}
	if len(c.events) == 0 {
		ev = append(ev, "no events for this pod: the API server keeps events for 1 h by default, or they could not be read")
	}
	c.add("create/stuck", "", summary, detail, ev, extra)
}

// creatingSince is when the pod was put on its node: the PodScheduled
// condition's time, else the pod's creation.
func creatingSince(p *corev1.Pod) time.Time {
	if s := condition(p, corev1.PodScheduled); s != nil && s.Status == corev1.ConditionTrue && !s.LastTransitionTime.IsZero() {
		return s.LastTransitionTime.Time
	}
	return p.CreationTimestamp.Time
}

func condition(p *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == t {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// pullingImage is the image of the newest Pulling event that no Pulled or
// failure event of the same container followed, with that event; else the
// first container's image and nil.
func (c *ctx) pullingImage() (string, *Event) {
	done := map[string]time.Time{} // container -> newest end of a pull
	for _, e := range c.eventsWith("", "Pulled", "Failed", "ErrImagePull", "BackOff") {
		k := containerOf(e.Object.FieldPath)
		if t := e.LastTime; t.After(done[k]) {
			done[k] = t
		}
	}
	for _, e := range c.eventsWith("", "Pulling") {
		if e.LastTime.After(done[containerOf(e.Object.FieldPath)]) || e.LastTime.IsZero() && done[containerOf(e.Object.FieldPath)].IsZero() {
			image := quotedImage(e.Message)
			if image == "" {
				image = "(unnamed)"
			}
			return image, &e
		}
	}
	if len(c.pod.Spec.Containers) > 0 {
		return c.pod.Spec.Containers[0].Image, nil
	}
	return "", nil
}

// quotedImage takes the image out of `Pulling image "nginx:1.27"`.
func quotedImage(msg string) string {
	_, rest, ok := strings.Cut(msg, `"`)
	if !ok {
		return ""
	}
	image, _, _ := strings.Cut(rest, `"`)
	return image
}

// externalVolumes names the pod's volumes that wait on something outside
// it to mount: claims, network and CSI storage, and Secrets or ConfigMaps
// that must exist.
func externalVolumes(p *corev1.Pod) []string {
	var out []string
	for _, v := range p.Spec.Volumes {
		switch {
		case v.PersistentVolumeClaim != nil:
			out = append(out, "pvc "+v.PersistentVolumeClaim.ClaimName)
		case v.Ephemeral != nil:
			out = append(out, "ephemeral pvc "+p.Name+"-"+v.Name)
		case v.CSI != nil:
			out = append(out, "csi "+v.CSI.Driver+" ("+v.Name+")")
		case v.NFS != nil:
			out = append(out, "nfs "+v.NFS.Server+":"+v.NFS.Path)
		case v.ISCSI != nil, v.FC != nil, v.RBD != nil, v.CephFS != nil, v.Glusterfs != nil, v.AzureFile != nil, v.AzureDisk != nil, v.AWSElasticBlockStore != nil, v.GCEPersistentDisk != nil:
			out = append(out, "network storage "+v.Name)
		case v.Secret != nil && (v.Secret.Optional == nil || !*v.Secret.Optional):
			out = append(out, "secret "+v.Secret.SecretName)
		case v.ConfigMap != nil && (v.ConfigMap.Optional == nil || !*v.ConfigMap.Optional):
			out = append(out, "configmap "+v.ConfigMap.Name)
		}
	}
	return out
}
