package diagnose

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// checkScheduling explains why a pod has no node, and what the cluster
// autoscaler is doing about it.
func checkScheduling(c *ctx) {
	from := len(c.out)
	schedulingCause(c)
	c.autoscalerSays(from)
}

func schedulingCause(c *ctx) {
	p := c.pod
	if p.Spec.NodeName != "" || c.terminal() || p.DeletionTimestamp != nil {
		return
	}
	cond := c.podCondition(corev1.PodScheduled)
	if len(p.Spec.SchedulingGates) > 0 || (cond != nil && cond.Reason == corev1.PodReasonSchedulingGated) {
		var gates []string
		for _, g := range p.Spec.SchedulingGates {
			gates = append(gates, g.Name)
		}
		ev := []string{"spec.schedulingGates: " + strings.Join(gates, ", ")}
		if cond != nil {
			ev = append(ev, fmt.Sprintf("condition PodScheduled=%s reason=%s: %s", cond.Status, cond.Reason, cond.Message))
		}
		since := ""
		if !p.CreationTimestamp.IsZero() {
			since = " for " + c.ago(p.CreationTimestamp.Time)
		}
		c.add("schedule/gated", "", fmt.Sprintf("Held back by scheduling gates%s: %s", since, quoteList(gates)), "", ev, nil)
		return
	}

	// The newest FailedScheduling event, else the PodScheduled condition
	// (events expire after an hour; the condition does not).
	var msg string
	var ev []string
	if evs := c.schedulerEvents(); len(evs) > 0 {
		msg = evs[0].Message
		ev = append(ev, c.evidence(evs[0]))
	} else if cond != nil && cond.Status == corev1.ConditionFalse && cond.Message != "" {
		msg = cond.Message
		ev = append(ev, fmt.Sprintf("condition PodScheduled=False reason=%s: %s", cond.Reason, cond.Message))
	}
	if msg == "" && cond != nil && cond.Status == corev1.ConditionFalse && (cond.Reason == corev1.PodReasonUnschedulable || cond.Reason == "") {
		// The scheduler said no, but its reason is not in what was given
		// (kubectl describe prints the condition without its message, and
		// the FailedScheduling events expire).
		c.add("schedule/other", "", "Cannot be scheduled (PodScheduled=False); the scheduler's reason is not in the input",
			"The reason is in the pod's status.conditions (kubectl get pod -o yaml) and, for an hour, in its FailedScheduling events.",
			[]string{"condition PodScheduled=False " + cond.Reason}, nil)
		return
	}
	if msg == "" {
		if !p.CreationTimestamp.IsZero() && c.now.Sub(p.CreationTimestamp.Time) >= unscheduledAfter {
			sched := p.Spec.SchedulerName
			if sched == "" {
				sched = corev1.DefaultSchedulerName
			}
			c.add("schedule/waiting", "", fmt.Sprintf("Pending for %s and no scheduler has reported on it (schedulerName %s)", c.ago(p.CreationTimestamp.Time), sched),
				"", []string{"spec.nodeName: (empty)", "spec.schedulerName: " + sched}, nil)
		}
		return
	}
	fe, ok := ParseFitError(msg)
	if !ok {
		if strings.Contains(msg, "VolumeBinding") || strings.Contains(strings.ToLower(msg), "persistentvolumeclaim") {
			c.schedVolume(FitReason{Reason: stripCombined(msg)}, 0, ev)
			return
		}
		c.add("schedule/other", "", "Cannot be scheduled: "+firstLine(stripCombined(msg)), "", ev, nil)
		return
	}
	if fe.Nodes == 0 {
		c.add("schedule/no-nodes", "", "Cannot be scheduled: the cluster has no nodes", "", ev, nil)
		return
	}
	// Group reasons by kind; keep the counts side by side.
	byKind := map[FitKind][]FitReason{}
	var kinds []FitKind
	for _, r := range fe.Reasons {
		k := r.Kind()
		if _, seen := byKind[k]; !seen {
			kinds = append(kinds, k)
		}
		byKind[k] = append(byKind[k], r)
	}
	breakdown := make([]string, 0, len(fe.Reasons))
	for _, r := range fe.Reasons {
		breakdown = append(breakdown, fmt.Sprintf("%d: %s", r.Count, r.Reason))
	}
	ev = append(ev, fmt.Sprintf("0/%d nodes fit; per reason: %s", fe.Nodes, strings.Join(breakdown, "; ")))
	for _, k := range kinds {
		rs := byKind[k]
		n := 0
		for _, r := range rs {
			n += r.Count
		}
		switch k {
		case FitResources:
			c.schedResources(rs, fe.Nodes, ev)
		case FitTaint:
			c.schedTaints(rs, n, fe.Nodes, ev)
		case FitSelector:
			c.schedSelector(n, fe.Nodes, ev)
		case FitVolume:
			c.schedVolume(rs[0], fe.Nodes, ev)
		case FitTooManyPods:
			c.add("schedule/too-many-pods", "", fmt.Sprintf("%s reached their maximum number of pods", nodesOf(n, fe.Nodes)), "", ev, nil)
		case FitHostPort:
			c.add("schedule/host-port", "", fmt.Sprintf("%s hostPort %s already taken", nodesOf(n, fe.Nodes), hostPorts(c.pod)), "", ev, nil)
		case FitPodAffinity:
			c.add("schedule/pod-affinity", "", fmt.Sprintf("%d of %d nodes ruled out by pod (anti-)affinity: %s", n, fe.Nodes, rs[0].Reason), "", ev, nil)
		case FitTopology:
			c.add("schedule/topology-spread", "", fmt.Sprintf("%d of %d nodes would break a topology spread constraint", n, fe.Nodes), "", ev, nil)
		case FitUnschedNode:
			c.add("schedule/nodes-unschedulable", "", fmt.Sprintf("%s cordoned or not ready", strings.Replace(strings.Replace(nodesOf(n, fe.Nodes), " has", " is", 1), " have", " are", 1)), c.cordoned(), ev, c.firstCordoned())
		default:
			var rsn []string
			for _, r := range rs {
				rsn = append(rsn, fmt.Sprintf("%d %s", r.Count, r.Reason))
			}
			c.add("schedule/other", "", fmt.Sprintf("0/%d nodes fit: %s", fe.Nodes, strings.Join(rsn, ", ")), "", ev, nil)
		}
	}
}

func (c *ctx) schedResources(rs []FitReason, total int, ev []string) {
	var parts []string
	var detail []string
	for _, r := range rs {
		res := r.Resource()
		var per []string
		req, _ := podTotal(c.pod, corev1.ResourceName(res), requestsOf, &per)
		s := fmt.Sprintf("%d of %d nodes lack %s", r.Count, total, res)
		if !req.IsZero() {
			s += fmt.Sprintf(" (the pod requests %s %s", req.String(), res)
			if len(per) > 1 {
				s += ": " + strings.Join(per, ", ")
			}
			s += ")"
		}
		parts = append(parts, s)
		if free := c.freeByNode(corev1.ResourceName(res), req); free != "" {
			detail = append(detail, free)
		} else if nodes, ok := c.rel.Nodes(); ok && len(nodes) > 0 {
			var best *corev1.Node
			var bestQ resource.Quantity
			for _, n := range nodes {
				if !c.usable(n) {
					continue
				}
				if q, ok := n.Status.Allocatable[corev1.ResourceName(res)]; ok && (best == nil || q.Cmp(bestQ) > 0) {
					best, bestQ = n, q
				}
			}
			if best != nil {
				d := fmt.Sprintf("The largest allocatable %s of the nodes it may use is %s (%s)", res, bestQ.String(), best.Name)
				if !req.IsZero() && req.Cmp(bestQ) > 0 {
					d += ": the request is larger than any node it may use, so it cannot fit without bigger nodes"
				} else {
					d += ", before subtracting what other pods request"
				}
				detail = append(detail, d+".")
			} else if strings.Contains(res, "/") {
				detail = append(detail, fmt.Sprintf("No node it may use advertises %s at all: a device plugin advertises it (for GPUs, the vendor's device plugin DaemonSet), so either that plugin is not running on the nodes that have the device, or no such node is up (a GPU node pool scaled to zero).", res))
			}
		} else if strings.Contains(res, "/") && r.Count == total {
			detail = append(detail, fmt.Sprintf("%s is an extended resource that a device plugin advertises on the nodes that have it (for GPUs, the vendor's device plugin DaemonSet): when every node lacks it, check that such nodes exist and that the plugin runs on them.", res))
		}
	}
	c.add("schedule/insufficient-resources", "", strings.Join(parts, "; "), strings.Join(detail, " "), ev, nil)
}

func tolerates(tols []corev1.Toleration, t corev1.Taint) bool {
	for _, tol := range tols {
		if tol.Effect != "" && tol.Effect != t.Effect {
			continue
		}
		if tol.Key == "" && tol.Operator == corev1.TolerationOpExists {
			return true
		}
		if tol.Key != t.Key {
			continue
		}
		switch tol.Operator {
		case corev1.TolerationOpExists:
			return true
		case "", corev1.TolerationOpEqual:
			if tol.Value == t.Value {
				return true
			}
		}
	}
	return false
}

func taintString(t corev1.Taint) string {
	if t.Value == "" {
		return t.Key + ":" + string(t.Effect)
	}
	return t.Key + "=" + t.Value + ":" + string(t.Effect)
}

func (c *ctx) schedTaints(rs []FitReason, n, total int, ev []string) {
	// Newer schedulers say only "untolerated taint(s)"; name them from the nodes when known.
	byTaint := map[string][]string{}
	var order []string
	if nodes, ok := c.rel.Nodes(); ok {
		for _, node := range nodes {
			for _, t := range node.Spec.Taints {
				if t.Effect == corev1.TaintEffectPreferNoSchedule || tolerates(c.pod.Spec.Tolerations, t) {
					continue
				}
				s := taintString(t)
				if _, seen := byTaint[s]; !seen {
					order = append(order, s)
				}
				byTaint[s] = append(byTaint[s], node.Name)
			}
		}
	}
	for _, r := range rs {
		for _, k := range r.TaintKeys() {
			found := false
			for _, s := range order {
				key, _, _ := strings.Cut(k, "=")
				if strings.HasPrefix(s, key+"=") || strings.HasPrefix(s, key+":") {
					found = true
				}
			}
			if !found {
				order = append(order, k)
				byTaint[k] = nil
			}
		}
	}
	summary := fmt.Sprintf("%s taints the pod does not tolerate", nodesOf(n, total))
	var named []string
	for _, s := range order {
		if len(byTaint[s]) > 0 {
			named = append(named, fmt.Sprintf("%s (%s)", s, strings.Join(byTaint[s], ", ")))
		} else {
			named = append(named, s)
		}
	}
	if len(named) > 0 {
		summary += ": " + strings.Join(named, ", ")
	}
	var tols []string
	for _, t := range c.pod.Spec.Tolerations {
		tols = append(tols, tolerationText(t))
	}
	detail := "The pod tolerates: none."
	if len(tols) > 0 {
		detail = "The pod tolerates: " + strings.Join(tols, ", ") + "."
	}
	// What each taint means: one Kubernetes sets from a node's state is
	// fixed on the node, not by tolerating it.
	said := map[string]bool{}
	for _, s := range order {
		key, _, _ := strings.Cut(s, "=")
		key, _, _ = strings.Cut(key, ":")
		if m := taintMeaning(key); m != "" && !said[key] {
			said[key] = true
			detail += " " + m
		}
	}
	extra := vars{}
	for _, s := range order {
		if ns := byTaint[s]; len(ns) > 0 {
			extra["node"] = ns[0]
			break
		}
	}
	c.add("schedule/taints", "", summary, detail, ev, extra)
}

func (c *ctx) schedSelector(n, total int, ev []string) {
	p := c.pod
	var want []string
	keys := make([]string, 0, len(p.Spec.NodeSelector))
	for k := range p.Spec.NodeSelector {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		want = append(want, k+"="+p.Spec.NodeSelector[k])
	}
	var detail []string
	if a := p.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			for _, e := range term.MatchExpressions {
				want = append(want, fmt.Sprintf("%s %s %s", e.Key, strings.ToLower(string(e.Operator)), strings.Join(e.Values, ",")))
			}
		}
	}
	if nodes, ok := c.rel.Nodes(); ok && len(nodes) > 0 {
		for _, k := range keys {
			v := p.Spec.NodeSelector[k]
			match := 0
			values := map[string]bool{}
			for _, node := range nodes {
				if nv, has := node.Labels[k]; has {
					values[nv] = true
					if nv == v {
						match++
					}
				}
			}
			if match == 0 {
				var vs []string
				for x := range values {
					vs = append(vs, x)
				}
				sort.Strings(vs)
				d := fmt.Sprintf("No known node has %s=%s", k, v)
				if len(vs) > 0 {
					d += fmt.Sprintf(" (values present: %s)", strings.Join(vs, ", "))
					if best := Closest(v, vs); best != "" {
						d += fmt.Sprintf("; did you mean %s=%s", k, best)
					}
				} else {
					d += "; no node has the label " + k + " at all"
				}
				if strings.Contains(d, "did you mean") {
					d += "?"
				} else {
					d += "."
				}
				detail = append(detail, d)
			}
		}
	}
	summary := fmt.Sprintf("%d of %d nodes do not match the pod's node selector/affinity", n, total)
	if len(want) > 0 {
		summary += ": " + strings.Join(want, ", ")
	}
	c.add("schedule/node-selector", "", summary, strings.Join(detail, " "), ev, nil)
}

func (c *ctx) schedVolume(r FitReason, total int, ev []string) {
	var parts []string
	var detail []string
	first := ""
	for _, v := range c.pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		name := v.PersistentVolumeClaim.ClaimName
		if first == "" {
			first = name
		}
		pvc, pres := c.rel.PVC(c.pod.Namespace, name)
		switch {
		case pres == Missing:
			parts = append(parts, fmt.Sprintf("persistentvolumeclaim %q does not exist%s", name, c.suggest(KindPVC, name)))
			first = name
		case pvc != nil && pvc.Status.Phase != corev1.ClaimBound:
			s := fmt.Sprintf("persistentvolumeclaim %s is %s", name, phaseOr(string(pvc.Status.Phase), "Pending"))
			sc := ""
			if pvc.Spec.StorageClassName != nil {
				sc = *pvc.Spec.StorageClassName
			}
			if sc == "" {
				detail = append(detail, fmt.Sprintf("PVC %s names no storageClassName and no default StorageClass applied, so it waits for a matching PersistentVolume.", name))
			} else if cls, p := c.rel.StorageClass(sc); p == Missing {
				s += fmt.Sprintf(": storageclass %q does not exist%s", sc, c.suggest(KindStorageClass, sc))
			} else if cls != nil && cls.VolumeBindingMode != nil && *cls.VolumeBindingMode == "WaitForFirstConsumer" {
				detail = append(detail, fmt.Sprintf("StorageClass %s binds on first use, so the PVC is created for the node the pod goes to; look at the other reasons.", sc))
			} else {
				s += fmt.Sprintf(" (storageclass %s)", sc)
			}
			parts = append(parts, s)
			first = name
		}
	}
	l := strings.ToLower(r.Reason)
	switch {
	case strings.Contains(l, "volume node affinity conflict"):
		detail = append(detail, "A bound PersistentVolume can only be used from the zone or nodes in its nodeAffinity (a zonal disk, a local volume), and no node there fits the pod: that zone's nodes are gone, full or cordoned (a node group scaled to zero, a replaced node for a local volume), or the pod's own affinity points elsewhere. A StatefulSet pod keeps its claim, so it follows the volume.")
	case strings.Contains(l, "exceed max volume count"), strings.Contains(l, "max volume count"):
		detail = append(detail, "The nodes already have as many volumes attached as their type allows (a per-instance limit of the cloud's disks, reported by the CSI driver): spread the pods, or use nodes that take more volumes.")
	case strings.Contains(l, "didn't find available persistent volumes to bind"):
		detail = append(detail, "No PersistentVolume matches the claim (size, access mode, storage class, node affinity) and none is provisioned for it: a static or local volume setup with no free volume left.")
	}
	summary := "Volume constraints rule out every node: " + r.Reason
	if total > 0 && r.Count > 0 && r.Count < total {
		summary = fmt.Sprintf("%d of %d nodes ruled out by volumes: %s", r.Count, total, r.Reason)
	}
	if len(parts) > 0 {
		summary = "Cannot be scheduled: " + strings.Join(parts, "; ")
	}
	extra := vars{}
	if first != "" {
		extra["pvc"] = first
	}
	c.add("schedule/volume", "", summary, strings.Join(detail, " "), ev, extra)
}

func phaseOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func hostPorts(p *corev1.Pod) string {
	var ports []string
	for _, ctr := range p.Spec.Containers {
		for _, port := range ctr.Ports {
			if port.HostPort != 0 {
				ports = append(ports, fmt.Sprintf("%d/%s", port.HostPort, protoOr(port.Protocol)))
			}
		}
	}
	if len(ports) == 0 {
		return "(none in spec)"
	}
	return strings.Join(ports, ", ")
}

func protoOr(p corev1.Protocol) string {
	if p == "" {
		return "TCP"
	}
	return string(p)
}

func (c *ctx) cordoned() string {
	nodes, ok := c.rel.Nodes()
	if !ok {
		return ""
	}
	var names []string
	for _, n := range nodes {
		if n.Spec.Unschedulable {
			names = append(names, n.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "Cordoned: " + strings.Join(names, ", ") + "."
}

func (c *ctx) firstCordoned() vars {
	nodes, _ := c.rel.Nodes()
	for _, n := range nodes {
		if n.Spec.Unschedulable {
			return vars{"node": n.Name}
		}
	}
	return nil
}

// usable reports whether the pod could go to n at all: not cordoned and no
// untolerated NoSchedule/NoExecute taint.
func (c *ctx) usable(n *corev1.Node) bool {
	if n.Spec.Unschedulable {
		return false
	}
	for _, t := range n.Spec.Taints {
		if t.Effect != corev1.TaintEffectPreferNoSchedule && !tolerates(c.pod.Spec.Tolerations, t) {
			return false
		}
	}
	return true
}

// maxNodesListed bounds the per-node lines of a finding.
const maxNodesListed = 8

// freeByNode lists, per node the pod may use, the free capacity of res
// (allocatable minus the requests of the non-terminated pods on it) beside
// the pod's request, most free first. "" when the numbers are unknown.
func (c *ctx) freeByNode(res corev1.ResourceName, req resource.Quantity) string {
	nodes, ok := c.rel.Nodes()
	if !ok || c.in.NodeRequested == nil || len(nodes) == 0 {
		return ""
	}
	type nodeFree struct {
		name              string
		free, alloc, used resource.Quantity
	}
	var list []nodeFree
	var biggest resource.Quantity
	for _, n := range nodes {
		alloc, ok := n.Status.Allocatable[res]
		if !ok || !c.usable(n) {
			continue
		}
		used := c.in.NodeRequested[n.Name][res]
		if alloc.Cmp(biggest) > 0 {
			biggest = alloc
		}
		list = append(list, nodeFree{n.Name, FreeCapacity(corev1.ResourceList{res: alloc}, c.in.NodeRequested[n.Name])[res], alloc, used})
	}
	if len(list) == 0 {
		return ""
	}
	sort.SliceStable(list, func(i, j int) bool {
		if d := list[i].free.Cmp(list[j].free); d != 0 {
			return d > 0
		}
		return list[i].name < list[j].name
	})
	var lines []string
	for i, n := range list {
		if i == maxNodesListed {
			lines = append(lines, fmt.Sprintf("and %d more", len(list)-i))
			break
		}
		lines = append(lines, fmt.Sprintf("%s %s free (%s allocatable - %s requested)", n.name,
			FormatQuantity(res, n.free), FormatQuantity(res, n.alloc), FormatQuantity(res, n.used)))
	}
	s := fmt.Sprintf("Free %s per node it may use, from the requests of the pods on it: %s.", res, strings.Join(lines, "; "))
	if !req.IsZero() {
		s += fmt.Sprintf(" The pod needs %s.", FormatQuantity(res, req))
		if req.Cmp(biggest) > 0 {
			s += " That is more than any of these nodes has allocatable: it cannot fit without bigger nodes."
		}
	}
	return s
}

// tolerationText is "key=value:Effect", "key (exists):Effect".
func tolerationText(t corev1.Toleration) string {
	s := t.Key
	if t.Operator == corev1.TolerationOpExists {
		s += " (exists)"
	} else if t.Value != "" {
		s += "=" + t.Value
	}
	if t.Effect != "" {
		s += ":" + string(t.Effect)
	}
	return s
}

// schedulerEvents are the pod's FailedScheduling events of the scheduler,
// newest first. Karpenter reports under the same reason; its events are
// the autoscaler's word (autoscalerSays), not the scheduler's, unless
// there are no others.
func (c *ctx) schedulerEvents() []Event {
	all := c.eventsWith("", "FailedScheduling")
	var out []Event
	for _, e := range all {
		if e.Source != karpenter {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return all
	}
	return out
}

const karpenter = "karpenter"

// autoscalerSays adds to the scheduling findings from index from on what
// the node autoscaler (cluster-autoscaler or Karpenter) last said of the
// pod: that it is adding a node (the wait will end), or why it will not
// (it will not end by itself).
func (c *ctx) autoscalerSays(from int) {
	var sched []int
	for i := from; i < len(c.out); i++ {
		if c.out[i].Category == CatUnschedulable && c.out[i].Rule != "schedule/gated" {
			sched = append(sched, i)
		}
	}
	var newest *Event
	for _, e := range c.eventsWith("", "TriggeredScaleUp", "NotTriggerScaleUp", "FailedScaleUp", "Nominated", "FailedScheduling") {
		if e.Reason == "FailedScheduling" && e.Source != karpenter || newest != nil && !e.LastTime.After(newest.LastTime) {
			continue
		}
		newest = &e
	}
	if len(sched) == 0 || newest == nil {
		return
	}
	var say, next string
	// A node on its way makes the wait a warning. The autoscaler says again
	// when the node did not help (NotTriggerScaleUp, FailedScaleUp), so the
	// newest word stands without a clock of its own.
	coming := false
	adding := func(who, what string) {
		say = fmt.Sprintf("%s is adding a node for it (%s, %s ago): the pod should schedule once that node is Ready, usually within a few minutes.", who, what, c.ago(newest.LastTime))
		coming = true
	}
	switch newest.Reason {
	case "TriggeredScaleUp":
		adding("cluster-autoscaler", strings.TrimPrefix(newest.Message, "pod triggered scale-up: "))
	case "Nominated":
		adding("Karpenter", strings.TrimPrefix(newest.Message, "Pod should schedule on: "))
		next = "kubectl get nodeclaims -o wide"
	case "FailedScheduling": // Karpenter's
		say = "Karpenter cannot launch a node for it: " + firstLine(newest.Message) + "."
		next = "kubectl get nodepools -o yaml"
	case "FailedScaleUp":
		say = "cluster-autoscaler tried to add a node for it and failed (" + newest.Message + "): it will not schedule until the cloud provides one."
	default:
		say = "cluster-autoscaler will not add a node for it"
		_, reasons, ok := strings.Cut(newest.Message, ": ")
		switch {
		case strings.Contains(newest.Message, "it wouldn't fit if a new node is added"):
			say += ": no node group's nodes would fit it either (a request larger than any node type, or a selector, affinity or taint no group matches)."
		case ok && reasons != "":
			say += " (" + reasons + ")."
			if strings.Contains(reasons, "max node group size reached") {
				say += " The node groups that would fit it are at their maximum size: raise their max, or free room."
			}
		default:
			say += "."
		}
	}
	if next == "" {
		next = "kubectl get configmap cluster-autoscaler-status -n kube-system -o yaml"
	}
	for _, i := range sched {
		f := &c.out[i]
		f.Explanation = say + " " + f.Explanation
		f.Evidence = append(f.Evidence, c.evidence(*newest))
		f.Next = append(f.Next, next)
		if coming {
			f.Severity = SeverityWarning
		}
	}
}

// taintMeaning says what a well-known taint means and what to do about it;
// "" for the taints people set themselves (dedicated=gpu), for which the
// rule's advice holds.
func taintMeaning(key string) string {
	switch key {
	case "node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master":
		return key + " keeps ordinary pods off control-plane nodes, as it should: the pod needs worker nodes that fit it."
	case "node.kubernetes.io/unschedulable":
		return key + " marks cordoned nodes (kubectl cordon, or a drain in progress): uncordon them when the work is done."
	case "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable":
		return key + " is set by Kubernetes on nodes that are not Ready or not reporting: fix the node (kubelet, network), do not tolerate it."
	case "node.kubernetes.io/disk-pressure":
		return key + " is set by Kubernetes while a node is low on disk (the kubelet's eviction threshold): free disk on it (images, logs, emptyDir), do not tolerate it."
	case "node.kubernetes.io/memory-pressure":
		return key + " is set by Kubernetes while a node is low on memory: the node is overcommitted; do not tolerate it."
	case "node.kubernetes.io/pid-pressure":
		return key + " is set by Kubernetes while a node is low on process IDs: something on it forks without end."
	case "node.kubernetes.io/network-unavailable":
		return key + " is set while a node's pod network is not configured: the network plugin (CNI) has not set up that node."
	case "node.cloudprovider.kubernetes.io/uninitialized":
		return key + " stays until the cloud controller manager initializes the node: check that it runs and can reach the cloud."
	case "node.kubernetes.io/out-of-service":
		return key + " marks nodes an operator declared out of service (non-graceful shutdown)."
	}
	return ""
}
