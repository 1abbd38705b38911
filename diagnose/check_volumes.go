package diagnose

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// notStarted reports whether the pod is on a node but no container has run
// yet: the phase where volume and sandbox problems block everything.
func (c *ctx) notStarted() bool {
	p := c.pod
	if p.Spec.NodeName == "" || c.terminal() {
		return false
	}
	// A container that ran before (lastState) is blocked again while its
	// new sandbox is set up after a node reboot: only the current state counts.
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for i := range list {
			s := &list[i]
			if s.State.Running != nil || s.State.Terminated != nil || s.State.Waiting == nil && s.LastTerminationState.Terminated != nil {
				return false
			}
			if w := s.State.Waiting; w != nil && w.Reason != "" && w.Reason != "ContainerCreating" && w.Reason != "PodInitializing" {
				return false
			}
		}
	}
	return true
}

// volumeSource names the object behind a pod volume, for messages.
func volumeSource(v corev1.Volume) (kind, name string) {
	switch {
	case v.Secret != nil:
		return KindSecret, v.Secret.SecretName
	case v.ConfigMap != nil:
		return KindConfigMap, v.ConfigMap.Name
	case v.PersistentVolumeClaim != nil:
		return KindPVC, v.PersistentVolumeClaim.ClaimName
	case v.NFS != nil:
		return "nfs", v.NFS.Server + ":" + v.NFS.Path
	case v.CSI != nil:
		return "csi", v.CSI.Driver
	}
	return "", ""
}

// keySource names the Secret or ConfigMap of kind that a volume takes key
// from; a projected volume may have several sources, the one listing key wins.
func keySource(v corev1.Volume, kind, key string) string {
	if k, name := volumeSource(v); k == kind {
		return name
	}
	if v.Projected == nil {
		return ""
	}
	var names []string
	for _, s := range v.Projected.Sources {
		var name string
		var items []corev1.KeyToPath
		switch {
		case kind == KindSecret && s.Secret != nil:
			name, items = s.Secret.Name, s.Secret.Items
		case kind == KindConfigMap && s.ConfigMap != nil:
			name, items = s.ConfigMap.Name, s.ConfigMap.Items
		default:
			continue
		}
		for _, it := range items {
			if it.Key == key {
				return name
			}
		}
		names = append(names, name)
	}
	if len(names) == 1 {
		return names[0]
	}
	return ""
}

func (c *ctx) volume(name string) *corev1.Volume {
	for i := range c.pod.Spec.Volumes {
		if c.pod.Spec.Volumes[i].Name == name {
			return &c.pod.Spec.Volumes[i]
		}
	}
	return nil
}

// firstPVC is the first claim the pod mounts; a generic ephemeral volume's
// claim by the name its controller gives it.
func (c *ctx) firstPVC() string {
	for _, v := range c.pod.Spec.Volumes {
		switch {
		case v.PersistentVolumeClaim != nil:
			return v.PersistentVolumeClaim.ClaimName
		case v.Ephemeral != nil:
			return c.pod.Name + "-" + v.Name
		}
	}
	return ""
}

func checkVolumes(c *ctx) {
	if !c.notStarted() {
		return
	}
	covered := map[string]bool{} // volumes a specific finding explains
	var timeouts []Event
	type multiAttach struct{ ev, usedBy []string }
	multi := map[string]*multiAttach{}
	var multiOrder []string
	for _, e := range c.eventsWith("", "FailedMount", "FailedAttachVolume", "FailedMapVolume") {
		m := ParseMount(e.Message)
		ev := []string{c.evidence(e)}
		switch m.Kind {
		case MountSecretMissing, MountConfigMapMissing:
			kind := KindSecret
			if m.Kind == MountConfigMapMissing {
				kind = KindConfigMap
			}
			c.configMissing(kind, m.Object, "", "", ev)
			covered[m.Volume] = true
		case MountSecretKey, MountConfigMapKey:
			kind, obj := KindSecret, ""
			if m.Kind == MountConfigMapKey {
				kind = KindConfigMap
			}
			if v := c.volume(m.Volume); v != nil {
				obj = keySource(*v, kind, m.Object)
			}
			c.configMissing(kind, obj, m.Object, "", ev)
			covered[m.Volume] = true
		case MountMultiAttach:
			// Old ("Multi-Attach error") and new ("Waiting for detach") wordings
			// of the same problem: one finding per volume.
			if multi[m.Volume] == nil {
				multi[m.Volume] = &multiAttach{}
				multiOrder = append(multiOrder, m.Volume)
			}
			ma := multi[m.Volume]
			ma.ev = append(ma.ev, ev...)
			ma.usedBy = append(ma.usedBy, m.UsedBy...)
			covered[m.Volume] = true
		case MountCSIDriver:
			c.add("volume/csi-driver-missing", "", fmt.Sprintf("CSI driver %s is not registered on node %s", m.Object, nodeOr(c.pod.Spec.NodeName)), "", ev, vars{"csidriver": m.Object})
			covered[m.Volume] = true
		case MountNFS:
			c.add("volume/nfs", "", fmt.Sprintf("NFS volume %s cannot be mounted%s", m.Volume, nfsHint(e.Message)), "", ev, nil)
			covered[m.Volume] = true
		case MountAttach:
			s := fmt.Sprintf("Volume %s cannot be attached to node %s", m.Volume, nodeOr(c.pod.Spec.NodeName))
			if why := attachCause(e.Message); why != "" {
				s += ": " + why
			}
			c.add("volume/attach-failed", "", s, "", ev, vars{"pvc": c.firstPVC()})
			covered[m.Volume] = true
		case MountCSI:
			c.add("volume/csi-failed", "", fmt.Sprintf("CSI driver failed to mount volume %s: %s", m.Volume, rpcDesc(e.Message)), "", ev, vars{"pvc": c.firstPVC()})
			covered[m.Volume] = true
		case MountPVC:
			c.add("volume/mount-failed", "", fmt.Sprintf("persistentvolumeclaim %q is missing or being deleted%s", m.Object, c.suggest(KindPVC, m.Object)), "", ev, vars{"pvc": m.Object})
			covered[m.Volume] = true
		case MountHostPathType:
			c.hostPathType(m, ev)
			covered[m.Volume] = true
		case MountTimeout:
			timeouts = append(timeouts, e)
		default:
			if strings.Contains(e.Message, "serviceaccounts \"") {
				continue // handled by checkServiceAccount
			}
			c.add("volume/mount-failed", "", "Volume cannot be mounted: "+firstLine(stripCombined(e.Message)), "", ev, nil)
			covered[m.Volume] = true
		}
	}
	for _, vol := range multiOrder {
		ma := multi[vol]
		s := fmt.Sprintf("Volume %s is still attached to another node", vol)
		if used := dedupStrings(ma.usedBy); len(used) > 0 {
			s += ", in use by pod(s) " + strings.Join(used, ", ")
		}
		extra := vars{"pvc": c.firstPVC()}
		if used := dedupStrings(ma.usedBy); len(used) > 0 {
			extra["otherpod"] = used[0]
		}
		c.add("volume/multi-attach", "", s, "", ma.ev, extra)
	}
	// Events expire; also check the volumes' sources against what is known.
	for _, v := range c.pod.Spec.Volumes {
		kind, name := volumeSource(v)
		optional := (v.Secret != nil && v.Secret.Optional != nil && *v.Secret.Optional) ||
			(v.ConfigMap != nil && v.ConfigMap.Optional != nil && *v.ConfigMap.Optional)
		if covered[v.Name] || optional || (kind != KindSecret && kind != KindConfigMap) {
			continue
		}
		if p, _ := c.rel.Lookup(kind, c.pod.Namespace, name); p == Missing {
			c.configMissing(kind, name, "", "", []string{fmt.Sprintf("volume %s: %s %q: not found", v.Name, strings.ToLower(kind), name)})
			covered[v.Name] = true
		}
	}
	for _, e := range timeouts {
		m := ParseMount(e.Message)
		var open []string
		var detail []string
		extra := vars{}
		// Sorted: the kubelet lists volumes in map order, and one cause
		// must read the same on every replica.
		for _, name := range slices.Sorted(slices.Values(m.Unmounted)) {
			if covered[name] {
				continue
			}
			open = append(open, name)
			if v := c.volume(name); v != nil {
				kind, obj := volumeSource(*v)
				if kind == KindPVC {
					extra["pvc"] = obj
					if claim, p := c.rel.PVC(c.pod.Namespace, obj); p == Missing {
						detail = append(detail, fmt.Sprintf("PVC %s does not exist%s.", obj, c.suggest(KindPVC, obj)))
					} else if claim != nil && claim.Status.Phase != corev1.ClaimBound {
						detail = append(detail, fmt.Sprintf("PVC %s is %s.", obj, phaseOr(string(claim.Status.Phase), "Pending")))
					}
				} else if kind == KindSecret || kind == KindConfigMap {
					if p, _ := c.rel.Lookup(kind, c.pod.Namespace, obj); p == Exists {
						// It exists, so it mounts once the others do.
						open = open[:len(open)-1]
						continue
					}
					detail = append(detail, fmt.Sprintf("Volume %s comes from %s %s.", name, strings.ToLower(kind), obj))
					extra[strings.ToLower(kind)] = obj
				} else if kind != "" {
					detail = append(detail, fmt.Sprintf("Volume %s comes from %s %s.", name, strings.ToLower(kind), obj))
				}
			}
		}
		if len(m.Unmounted) > 0 && len(open) == 0 {
			continue // the specific findings above explain it
		}
		s := "Volumes not mounted in time"
		if len(open) > 0 {
			s += ": " + strings.Join(open, ", ")
		}
		c.add("volume/mount-timeout", "", s, strings.Join(detail, " "), []string{c.evidence(e)}, extra)
	}
}

var nfsOutput = regexp.MustCompile(`(?m)Output: (.*)$`)

func nfsHint(msg string) string {
	l := strings.ToLower(msg)
	switch {
	case strings.Contains(l, "wrong fs type") || strings.Contains(l, "bad option") || strings.Contains(l, "helper program"):
		return ": the node lacks the NFS client (install nfs-common or nfs-utils on the nodes)"
	case strings.Contains(l, "timed out") || strings.Contains(l, "no route to host"):
		return ": the NFS server does not answer from this node"
	case strings.Contains(l, "access denied") || strings.Contains(l, "permission denied"):
		return ": the server refused the mount (check the export's allowed clients)"
	case strings.Contains(l, "no such file or directory"):
		return ": the export path does not exist on the server"
	}
	if m := nfsOutput.FindStringSubmatch(unescape(msg)); m != nil {
		return ": " + strings.TrimSpace(m[1])
	}
	return ""
}

var rpcDescRe = regexp.MustCompile(`desc = (.*)$`)

func rpcDesc(msg string) string {
	if m := rpcDescRe.FindStringSubmatch(firstLine(msg)); m != nil {
		return m[1]
	}
	return firstLine(stripCombined(msg))
}

// unescape turns literal "\n" sequences (from %q formatting) into newlines.
func unescape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, `\n`, "\n"), `\t`, "\t")
}

func checkSandbox(c *ctx) {
	if !c.notStarted() {
		return
	}
	for _, e := range c.eventsWith("", "NetworkNotReady") {
		c.add("sandbox/network-not-ready", "", fmt.Sprintf("Node %s has no working pod network (CNI not ready)", nodeOr(c.pod.Spec.NodeName)), "", []string{c.evidence(e)}, vars{"cnilabel": CNILabel(e.Message)})
		return
	}
	evs := c.eventsWith("", "FailedCreatePodSandBox")
	if len(evs) == 0 {
		return
	}
	e := evs[0]
	l := strings.ToLower(e.Message)
	ev := []string{c.evidence(e)}
	cni := vars{"cnilabel": CNILabel(e.Message)}
	plugin := ""
	if m := regexp.MustCompile(`plugin type="([^"]+)"`).FindStringSubmatch(e.Message); m != nil {
		plugin = m[1]
	}
	switch {
	case strings.Contains(l, "failed to get sandbox image") || strings.Contains(l, "pause") && strings.Contains(l, "failed to pull"):
		c.pauseImage(e, ev)
	case strings.Contains(l, "cni plugin not initialized") || strings.Contains(l, "networkpluginnotready") || strings.Contains(l, "network is not ready"):
		c.add("sandbox/network-not-ready", "", fmt.Sprintf("Node %s has no working pod network (CNI not ready)", nodeOr(c.pod.Spec.NodeName)), "", ev, cni)
	case strings.Contains(l, "no ip addresses available") || strings.Contains(l, "failed to allocate for range") || strings.Contains(l, "ipam") && strings.Contains(l, "exhaust"):
		c.add("sandbox/ip-exhausted", "", fmt.Sprintf("Node %s is out of pod IP addresses", nodeOr(c.pod.Spec.NodeName)), "", ev, cni)
	case strings.Contains(l, "failed to setup network") || strings.Contains(l, "failed to set up sandbox container") || strings.Contains(l, "cni") || plugin != "":
		s := "The network plugin failed to set up the pod's network"
		if plugin != "" {
			s = fmt.Sprintf("CNI plugin %s failed to set up the pod's network", plugin)
		}
		hint, missing := cniHint(l, nodeOr(c.pod.Spec.NodeName))
		if missing != "" {
			s = missing
		}
		c.add("sandbox/cni-failed", "", s, hint, ev, cni)
	default:
		c.add("sandbox/failed", "", "Pod sandbox cannot be created: "+rpcDesc(stripCombined(e.Message)), "", ev, nil)
	}
}

// hostPathType reports a hostPath whose path on the node is missing or of
// another type than the volume's hostPath.type asks for.
func (c *ctx) hostPathType(m Mount, ev []string) {
	node := nodeOr(c.pod.Spec.NodeName)
	if v := c.volume(m.Volume); v != nil && v.HostPath != nil && v.HostPath.Type != nil && *v.HostPath.Type != "" {
		ev = append(ev, fmt.Sprintf("volume %s: hostPath %s, type %s", m.Volume, v.HostPath.Path, *v.HostPath.Type))
	}
	s := fmt.Sprintf("hostPath %s does not exist on node %s", m.Object, node)
	if m.Want != "" {
		s = fmt.Sprintf("hostPath %s on node %s is not a %s", m.Object, node, m.Want)
	}
	detail := ""
	switch path.Base(m.Object) {
	case "docker.sock":
		detail = "Nodes have run containerd or CRI-O instead of Docker since Kubernetes 1.24 removed dockershim, so most have no Docker socket. Build images without it (BuildKit, Kaniko, Buildah), or mount the runtime's own socket (/run/containerd/containerd.sock) if the tool supports it."
	case "containerd.sock", "crio.sock":
		detail = "The node runs another container runtime than the one whose socket this mounts."
	}
	c.add("volume/hostpath-type", "", s, detail, ev, vars{"volume": m.Volume, "path": m.Object})
}

var sandboxImageRe = regexp.MustCompile(`sandbox image "([^"]+)"|image "([^"]*pause[^"]*)"`)

// pauseImage reports a node that cannot pull the sandbox (pause) image,
// which stops every new pod there, not only this one.
func (c *ctx) pauseImage(e Event, ev []string) {
	image := "the pause image"
	if m := sandboxImageRe.FindStringSubmatch(e.Message); m != nil {
		image = firstOf(m[1:]...)
	}
	why := map[PullCause]string{
		PullNetwork: "the registry cannot be reached", PullAuth: "the registry refuses it", PullNotFound: "it does not exist",
		PullTLS: "its certificate is not trusted", PullRateLimit: "the registry rate-limits it", PullCutOff: "the pull was cut off",
	}[ClassifyPull(e.Message)]
	s := fmt.Sprintf("Node %s cannot pull the sandbox image %s", nodeOr(c.pod.Spec.NodeName), image)
	if why != "" {
		s += ": " + why
	}
	reg := registryOf(image)
	c.add("sandbox/pause-image", "", s, "", ev, vars{"image": image, "registry": reg, "host": withPort(reg)})
}

// cniHint reads the network plugins' well-known failures: the plugin's
// agent not running on the node, or its binary not installed. It returns
// a detail and, when the failure says what is missing, a summary.
func cniHint(l, node string) (detail, summary string) {
	switch {
	case strings.Contains(l, "/run/flannel/subnet.env"):
		return "flannel writes /run/flannel/subnet.env when its pod starts on a node; the file is missing, so flannel's pod is not running on this node, or the node has no pod CIDR (a kubeadm cluster set up without --pod-network-cidr).",
			"flannel is not running on node " + node + " (/run/flannel/subnet.env is missing)"
	case strings.Contains(l, "/var/lib/calico/nodename"):
		return "calico-node writes /var/lib/calico/nodename when it starts on a node; it is missing, so calico-node is not running (or not ready) on this node.",
			"calico-node is not running on node " + node
	case strings.Contains(l, "127.0.0.1:50051") || strings.Contains(l, "addnetwork grpc"):
		return "The AWS VPC CNI asks its ipamd (the aws-node pod) for an address on 127.0.0.1:50051 and nothing answered: aws-node is not running or not ready on this node.",
			"aws-node (ipamd) is not answering on node " + node
	case strings.Contains(l, "failed to find plugin"):
		return "A CNI plugin binary named by the node's CNI configuration is not in the node's plugin directory (/opt/cni/bin): the CNI plugins package is not installed, or the network plugin's installer has not run on this node.",
			"a CNI plugin binary is missing on node " + node
	case strings.Contains(l, "no networks found in /etc/cni/net.d"):
		return "The node has no CNI configuration: no network plugin is installed, or its pod has not run on this node yet.",
			"node " + node + " has no CNI configuration"
	}
	return "", ""
}

// attachCause names the cloud's reason in an attach failure, when it gives
// one of the usual ones.
func attachCause(msg string) string {
	l := strings.ToLower(msg)
	switch {
	case strings.Contains(l, "unauthorizedoperation") || strings.Contains(l, "not authorized") || strings.Contains(l, "accessdenied") || strings.Contains(l, "permission"):
		return "the CSI driver's cloud identity may not attach disks (its IAM role or service account)"
	case strings.Contains(l, "attachmentlimitexceeded") || strings.Contains(l, "maximum number of") || strings.Contains(l, "volume limit"):
		return "the instance has as many disks attached as it can take"
	case strings.Contains(l, "already attached") || strings.Contains(l, "in-use") || strings.Contains(l, "volumeinuse"):
		return "the disk is still attached to another instance"
	case strings.Contains(l, "invalidvolume") || strings.Contains(l, "does not exist") || strings.Contains(l, "disk not found") || strings.Contains(l, "volume not found"):
		return "the cloud disk behind the PersistentVolume does not exist (deleted, or in another zone or account)"
	case strings.Contains(l, "zone") || strings.Contains(l, "availability"):
		return "the disk and the node are in different zones"
	}
	return ""
}
