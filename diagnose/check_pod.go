package diagnose

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// nodeState describes the pod's node: "" when fine or unknown.
func (c *ctx) nodeState() (problem string, evidence []string) {
	name := c.pod.Spec.NodeName
	if name == "" {
		return "", nil
	}
	node, p := c.rel.Node(name)
	switch {
	case p == Missing:
		return fmt.Sprintf("node %s no longer exists", name), []string{fmt.Sprintf("node %s: not found", name)}
	case p == Exists && node != nil:
		for _, cond := range node.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status != corev1.ConditionTrue {
				since := ""
				if !cond.LastTransitionTime.IsZero() {
					since = " for " + c.ago(cond.LastTransitionTime.Time)
				}
				state := "NotReady"
				if cond.Status == corev1.ConditionUnknown {
					state = "Unknown (not reporting)"
				}
				return fmt.Sprintf("node %s is %s%s", name, state, since),
					[]string{fmt.Sprintf("node %s condition Ready=%s reason=%s: %s", name, cond.Status, cond.Reason, cond.Message)}
			}
		}
	}
	return "", nil
}

func checkNode(c *ctx) {
	p := c.pod
	lost := p.Status.Reason == nodeUnreachablePodReason
	problem, ev := c.nodeState()
	if lost {
		ev = append([]string{fmt.Sprintf("status.reason: %s", p.Status.Reason), p.Status.Message}, ev...)
		if problem == "" {
			problem = fmt.Sprintf("node %s is unreachable", p.Spec.NodeName)
		}
	}
	if problem == "" || (!lost && c.terminal()) {
		return
	}
	for _, e := range c.eventsWith("", "NodeNotReady", "TaintManagerEviction") {
		ev = append(ev, c.evidence(e))
	}
	detail := fmt.Sprintf("The pod's %s.", problem)
	if p.DeletionTimestamp != nil {
		detail += " The pod is already marked for deletion; it goes away once the node is back or is deleted from the cluster."
	}
	detail += statefulSetNote(p)
	c.add("node/lost", "", fmt.Sprintf("%s; the pod's real state is unknown", capitalize(problem)), detail, ev, nil)
	for _, v := range c.containers() {
		c.handled[v.name()] = true
	}
}

// statefulSetNote says why a StatefulSet pod stuck on a lost node needs a
// person: its controller never starts a second pod with the same identity.
func statefulSetNote(p *corev1.Pod) string {
	ref := controllerOf(p)
	if ref == nil || ref.Kind != "StatefulSet" {
		return ""
	}
	return fmt.Sprintf(" %s belongs to StatefulSet %s, which does not replace it until the pod is gone: delete the Node object once the machine is known to be down, or force-delete the pod (only when its process is surely stopped, or two pods may write the same volume).", p.Name, ref.Name)
}

func checkTerminating(c *ctx) {
	p := c.pod
	if p.DeletionTimestamp == nil || c.now.IsZero() {
		return
	}
	// deletionTimestamp is the deletion time plus the grace period.
	overdue := c.now.Sub(p.DeletionTimestamp.Time)
	if overdue < overdueAfter {
		return
	}
	grace := int64(30)
	if p.DeletionGracePeriodSeconds != nil {
		grace = *p.DeletionGracePeriodSeconds
	}
	ev := []string{fmt.Sprintf("metadata.deletionTimestamp: %s (%s ago, grace period %ds)",
		p.DeletionTimestamp.UTC().Format(time.RFC3339), c.ago(p.DeletionTimestamp.Time), grace)}
	var causes []string
	if len(p.Finalizers) > 0 {
		ev = append(ev, "metadata.finalizers: "+strings.Join(p.Finalizers, ", "))
		causes = append(causes, fmt.Sprintf("finalizers still set: %s (the controller owning them must remove them)", strings.Join(p.Finalizers, ", ")))
	}
	if problem, nev := c.nodeState(); problem != "" {
		ev = append(ev, nev...)
		causes = append(causes, problem+", so the kubelet cannot confirm the containers stopped")
	}
	for _, e := range c.eventsWith("", "FailedKillPod", "FailedPreStopHook", "ExceededGracePeriod") {
		ev = append(ev, c.evidence(e))
	}
	summary := fmt.Sprintf("Stuck terminating for %s past its grace period", HumanDuration(overdue))
	if len(causes) > 0 {
		summary += ": " + causes[0]
	}
	detail := ""
	if len(causes) > 1 {
		detail = "Also: " + strings.Join(causes[1:], "; ") + "."
	}
	if len(causes) == 0 {
		detail = "No finalizer is set and the node looks fine (or is unknown): check the kubelet on the node and FailedKillPod events."
	}
	detail += statefulSetNote(p)
	c.add("terminating/stuck", "", summary, detail, ev, nil)
}

func checkEvicted(c *ctx) {
	p := c.pod
	if p.Status.Reason != "Evicted" {
		return
	}
	msg := p.Status.Message
	ev := []string{"status.reason: Evicted", msg}
	for _, e := range c.eventsWith("", "Evicted") {
		ev = append(ev, c.evidence(e))
	}
	e, ok := ParseEviction(msg)
	for _, v := range c.containers() {
		c.handled[v.name()] = true
	}
	switch {
	case ok && (e.LimitContainer != "" || e.PodLimit != "" || e.EmptyDir != ""):
		var what, ctr string
		switch {
		case e.LimitContainer != "":
			ctr = e.LimitContainer
			what = fmt.Sprintf("container %s went over its ephemeral-storage limit %s", e.LimitContainer, e.Limit)
		case e.EmptyDir != "":
			what = fmt.Sprintf("emptyDir volume %s went over its sizeLimit %s", e.EmptyDir, e.Limit)
		default:
			what = fmt.Sprintf("the pod's ephemeral storage went over the containers' total limit %s", e.PodLimit)
		}
		c.add("evicted/ephemeral-storage-limit", ctr, "Evicted: "+what, c.storageLimits(), ev, nil)
	case ok && e.Resource != "" || len(e.NodeConditions) > 0:
		var parts []string
		if e.Resource != "" {
			s := fmt.Sprintf("node %s ran low on %s", nodeOr(p.Spec.NodeName), e.Resource)
			if e.Threshold != "" {
				s += fmt.Sprintf(" (available %s, eviction threshold %s)", e.Available, e.Threshold)
			}
			parts = append(parts, s)
		}
		if len(e.NodeConditions) > 0 {
			parts = append(parts, fmt.Sprintf("node had %s", strings.Join(e.NodeConditions, ", ")))
		}
		var detail []string
		for _, u := range e.Containers {
			d := fmt.Sprintf("Container %s was using %s of %s against a request of %s", u.Name, u.Usage, e.Resource, u.Request)
			if ctr := c.spec(u.Name); ctr != nil {
				if lim, ok := ctr.Resources.Limits[corev1.ResourceName(resourceOf(e.Resource))]; ok {
					d += fmt.Sprintf(" (limit %s)", lim.String())
				} else {
					d += fmt.Sprintf(" (no %s limit)", resourceOf(e.Resource))
				}
			}
			detail = append(detail, d+".")
		}
		if len(e.Containers) > 0 && e.Containers[0].Request == "0" {
			detail = append(detail, "With no request set it was among the first candidates: set requests close to real usage.")
		}
		if pr := pressureCondition(e.Resource); pr != "" {
			detail = append(detail, fmt.Sprintf("The node reported %s.", pr))
			if now := c.pressureNow(p.Spec.NodeName, corev1.NodeConditionType(pr)); now != "" {
				detail = append(detail, now)
			}
		}
		ctr := ""
		if len(e.Containers) == 1 {
			ctr = e.Containers[0].Name
		}
		c.add("evicted/node-pressure", ctr, "Evicted: "+strings.Join(parts, "; "), strings.Join(detail, " "), ev, nil)
	default:
		c.add("evicted/other", "", "Evicted: "+firstLine(msg), "", ev, nil)
	}
}

// storageLimits lists the containers' ephemeral-storage limits, whose sum
// is the pod's limit.
func (c *ctx) storageLimits() string {
	var out []string
	for _, v := range c.containers() {
		if v.ephemeral || v.init {
			continue
		}
		if q, ok := v.spec.Resources.Limits[corev1.ResourceEphemeralStorage]; ok {
			out = append(out, fmt.Sprintf("%s %s", v.name(), q.String()))
		} else {
			out = append(out, v.name()+" none")
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "ephemeral-storage limits per container: " + strings.Join(out, ", ") + "."
}

func nodeOr(n string) string {
	if n == "" {
		return "(unknown)"
	}
	return n
}

// resourceOf maps an eviction signal resource to a container resource name.
func resourceOf(r string) string {
	switch r {
	case "nodefs", "imagefs", "containerfs":
		return "ephemeral-storage"
	}
	return r
}

func pressureCondition(r string) string {
	switch r {
	case "memory":
		return "MemoryPressure"
	case "ephemeral-storage", "nodefs", "imagefs", "containerfs", "inodes":
		return "DiskPressure"
	case "pids":
		return "PIDPressure"
	}
	return ""
}

var admissionReasons = map[string]bool{
	"NodeAffinity": true, "UnexpectedAdmissionError": true, "NodeSelectorMismatching": true,
	"InvalidNodeInfo": true, "UnknownReason": true, "TopologyAffinityError": true, "SysctlForbidden": true,
	"PodOSNotSupported": true, "PodOSSelectorNodeLabelDoesNotMatch": true, "UnexpectedPredicateFailureType": true,
	"NodePorts": true, "AppArmor": true, "VolumeAttachmentLimitExceeded": true, "SupplementalGroupsPolicyNotSupported": true,
	"NodeDeclaredFeaturesNotSupported": true, "Forbidden": true,
}

func checkAdmission(c *ctx) {
	p := c.pod
	r := p.Status.Reason
	if p.Status.Phase != corev1.PodFailed || r == "" {
		return
	}
	outOf := strings.HasPrefix(r, "OutOf")
	if !outOf && !admissionReasons[r] && !strings.HasPrefix(p.Status.Message, "Pod was rejected") {
		return
	}
	ev := []string{"status.reason: " + r, p.Status.Message}
	for _, e := range c.eventsWith("", r) {
		ev = append(ev, c.evidence(e))
	}
	for _, v := range c.containers() {
		c.handled[v.name()] = true
	}
	node := nodeOr(p.Spec.NodeName)
	switch {
	case outOf:
		res := strings.TrimPrefix(r, "OutOf")
		detail := ""
		if strings.Contains(p.Status.Message, "requested:") {
			detail = "The numbers are in the kubelet's units (millicores for cpu, bytes for memory)."
		}
		if p.Spec.NodeName != "" && controllerOf(p) != nil && controllerOf(p).Kind == "DaemonSet" {
			detail += " DaemonSet pods are bound to their node directly, so they hit this when the node is full."
		}
		c.add("admission/out-of-resources", "", fmt.Sprintf("Rejected by node %s: not enough %s (%s)", node, res, r), detail, ev, nil)
	case r == "NodeAffinity":
		s := fmt.Sprintf("Rejected by node %s: its labels do not match the pod's node selector/affinity", node)
		if keys := nodeLabelKeys(p); len(keys) > 0 {
			s += " (labels " + strings.Join(keys, ", ") + ")"
		}
		c.add("admission/node-affinity", "", s, "", ev, nil)
	default:
		s := fmt.Sprintf("Rejected by node %s: %s", node, r)
		if m := strings.TrimPrefix(firstLine(p.Status.Message), "Pod was rejected: "); m != "" {
			s += ": " + m
		}
		c.add("admission/rejected", "", s, admissionHint(r), ev, nil)
	}
}

func checkDisruption(c *ctx) {
	p := c.pod
	ev := []string{}
	preempted := false
	other := ""
	if cond := c.podCondition(corev1.DisruptionTarget); cond != nil && cond.Status == corev1.ConditionTrue {
		ev = append(ev, fmt.Sprintf("condition DisruptionTarget=True reason=%s: %s", cond.Reason, cond.Message))
		if cond.Reason == corev1.PodReasonPreemptionByScheduler {
			preempted = true
		} else {
			other = cond.Reason
		}
	}
	if p.Status.Reason == "Preempting" {
		preempted = true
		ev = append(ev, "status.reason: Preempting", p.Status.Message)
	}
	by := vars{}
	for _, e := range c.eventsWith("", "Preempted", "Preempting") {
		preempted = true
		ev = append(ev, c.evidence(e))
		if _, name := Preemptor(e.Message); name != "" && by["preemptor"] == "" {
			by["preemptor"] = name
		}
	}
	if preempted || other != "" {
		// The containers' exit codes are a consequence of being stopped.
		for _, v := range c.containers() {
			c.handled[v.name()] = true
		}
	}
	switch {
	case preempted:
		s := "Preempted to make room for a higher-priority pod"
		if p := by["preemptor"]; p != "" {
			s = fmt.Sprintf("Preempted to make room for higher-priority pod %s", p)
		}
		c.add("preempted/scheduler", "", s, "", ev, by)
	case other != "":
		what := map[string]string{
			"EvictionByEvictionAPI":  "evicted through the Eviction API (kubectl drain or an autoscaler)",
			"DeletionByTaintManager": "deleted because its node got a NoExecute taint it does not tolerate",
			"DeletionByPodGC":        "deleted by pod garbage collection (its node is gone)",
			"TerminationByKubelet":   "stopped by the kubelet (node shutdown or resource pressure)",
		}[other]
		if what == "" {
			what = "being disrupted (" + other + ")"
		}
		c.add("preempted/disruption", "", "The pod is "+what, "", ev, nil)
	}
}

func checkDeadline(c *ctx) {
	p := c.pod
	if p.Status.Reason != "DeadlineExceeded" {
		return
	}
	ev := []string{"status.reason: DeadlineExceeded", p.Status.Message}
	detail := ""
	if p.Spec.ActiveDeadlineSeconds != nil {
		ev = append(ev, fmt.Sprintf("spec.activeDeadlineSeconds: %d", *p.Spec.ActiveDeadlineSeconds))
		detail = fmt.Sprintf("The limit was %s.", HumanDuration(time.Duration(*p.Spec.ActiveDeadlineSeconds)*time.Second))
	}
	for _, v := range c.containers() {
		c.handled[v.name()] = true
	}
	c.add("deadline/exceeded", "", "Killed after running past activeDeadlineSeconds", detail, ev, nil)
}

func checkServiceAccount(c *ctx) {
	sa := c.pod.Spec.ServiceAccountName
	var ev []string
	missing := false
	if sa != "" {
		if p, _ := c.rel.Lookup(KindServiceAccount, c.pod.Namespace, sa); p == Missing {
			missing = true
			ev = append(ev, fmt.Sprintf("serviceaccount %s/%s: not found", c.pod.Namespace, sa))
		}
	}
	for _, e := range c.eventsWith("", "FailedMount", "FailedCreate") {
		if strings.Contains(e.Message, "serviceaccounts \"") && strings.Contains(e.Message, "not found") {
			missing = true
			ev = append(ev, c.evidence(e))
		}
	}
	if !missing || sa == "" || c.terminal() {
		return
	}
	sug := c.suggest(KindServiceAccount, sa)
	c.add("config/serviceaccount-missing", "", fmt.Sprintf("serviceaccount %q not found in namespace %s%s", sa, c.pod.Namespace, sug), "", ev, nil)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// pressureNow says whether the node still reports the pressure condition
// that caused an eviction, from the node object when it is known: still
// under pressure means the replacement pod may be evicted too.
func (c *ctx) pressureNow(node string, cond corev1.NodeConditionType) string {
	if node == "" {
		return ""
	}
	n, pres := c.rel.Node(node)
	if pres != Exists || n == nil {
		return ""
	}
	for _, nc := range n.Status.Conditions {
		if nc.Type != cond {
			continue
		}
		since := ""
		if !nc.LastTransitionTime.IsZero() {
			since = " for " + c.ago(nc.LastTransitionTime.Time)
		}
		if nc.Status == corev1.ConditionTrue {
			return fmt.Sprintf("Node %s still reports %s%s: pods placed there may be evicted too.", node, cond, since)
		}
		return fmt.Sprintf("Node %s no longer reports %s (%s%s).", node, cond, strings.ToLower(string(nc.Status)), since)
	}
	return ""
}

// admissionHint says what to do about the kubelet's less common refusals.
func admissionHint(reason string) string {
	switch reason {
	case "SysctlForbidden":
		return "Only the safe, namespaced sysctls may be set by a pod; others must be allowed on each node with the kubelet's --allowed-unsafe-sysctls (allowedUnsafeSysctls), or the pod must go to nodes that allow them. An init container that sets it with privileges is the usual workaround."
	case "TopologyAffinityError":
		return "The node's topology manager policy (single-numa-node, restricted) could not place the pod's CPUs and devices on one NUMA node: ask for fewer, or use another node type."
	case "UnexpectedAdmissionError":
		return "Usually a device plugin (GPUs, SR-IOV) that failed to allocate what the node advertised: the plugin's pod on that node says why."
	}
	return ""
}
