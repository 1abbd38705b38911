package diagnose

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Diagnose explains what is wrong with in.Pod. Findings come most likely root
// cause first: errors before warnings before info, then rule-table order.
// A healthy or completed pod gets no error or warning findings.
func Diagnose(in Input) []Finding {
	if in.Pod == nil {
		return nil
	}
	c := newCtx(in)
	for _, check := range checks {
		check(c)
	}
	out := c.out
	sort.SliceStable(out, func(i, j int) bool { return Outranks(out[i].Severity, out[i].Rule, out[j].Severity, out[j].Rule) })
	c.crashLogs(out)
	c.statedFacts(out)
	c.restartFacts(out)
	return out
}

// statedFacts makes the top finding say the facts people search for and
// act on even where its rule's own evidence leaves them out: the kubectl
// STATUS word and the node it happens on.
func (c *ctx) statedFacts(out []Finding) {
	if len(out) == 0 || out[0].Severity < SeverityWarning {
		return
	}
	f := &out[0]
	text := f.Summary + "\n" + strings.Join(f.Evidence, "\n")
	if st := Status(c.pod); st != "" && st != "Running" && !strings.Contains(text, st) {
		f.Evidence = append(f.Evidence, "kubectl STATUS: "+st)
	}
	if n := c.pod.Spec.NodeName; n != "" && nodeLocal[f.Category] && !strings.Contains(text, n) {
		f.Evidence = append(f.Evidence, "spec.nodeName: "+n)
	}
}

// nodeLocal are the categories whose cause lies on the pod's node.
var nodeLocal = map[Category]bool{
	CatImagePull: true, CatSandboxNetwork: true, CatVolumeMount: true, CatEvicted: true,
	CatNodeLost: true, CatAdmission: true,
}

// Outranks reports whether a finding of rule a at severity sevA comes before
// one of rule b in Diagnose's order: higher severity first, then the order
// of the rule table.
func Outranks(sevA Severity, a string, sevB Severity, b string) bool {
	if sevA != sevB {
		return sevA > sevB
	}
	return ruleIndex[a] < ruleIndex[b]
}

// RuleOf returns the rule with the ID.
func RuleOf(id string) (Rule, bool) {
	i, ok := ruleIndex[id]
	if !ok {
		return Rule{}, false
	}
	return rules[i], true
}

// NearMemoryLimitRule is the rule for a running container close to its
// memory limit; it needs a metrics sample (Input.Usage).
const NearMemoryLimitRule = "oom/near-limit"

// checks run in this order; each may mark a container handled so that
// generic rules do not repeat what a specific one already said.
var checks = []func(*ctx){
	checkNode,
	checkTerminating,
	checkEvicted,
	checkAdmission,
	checkDisruption,
	checkDeadline,
	checkScheduling,
	checkServiceAccount,
	checkVolumes,
	checkSubPaths,
	checkSandbox,
	checkContainers,
	checkReadinessGates,
	checkCreating, // after the checks that read the kubelet's events
	checkRollout,  // last: it looks at what the others found
}

type ctx struct {
	in      Input
	pod     *corev1.Pod
	now     time.Time
	rel     Related
	events  []Event
	out     []Finding
	handled map[string]bool // containers a specific finding already explains
	seen    map[string]bool // rule+container+summary, to drop duplicates
}

func newCtx(in Input) *ctx {
	rel := in.Related
	if rel == nil {
		rel = unknownRelated{}
	}
	events := EventsFor(in.Pod, in.Events)
	now := in.Now
	if now.IsZero() {
		now = NewestTime(in.Pod, events)
	}
	return &ctx{
		in: in, pod: in.Pod, now: now, rel: rel, events: events,
		handled: map[string]bool{}, seen: map[string]bool{},
	}
}

// NewestTime is the latest moment the pod and its events record: the
// engine's clock when the caller gives none, and a fair stand-in for when an
// old snapshot (a file from a support ticket) was taken.
func NewestTime(pod *corev1.Pod, events []Event) time.Time {
	var t time.Time
	see := func(x time.Time) {
		if x.After(t) {
			t = x
		}
	}
	see(pod.CreationTimestamp.Time)
	if pod.Status.StartTime != nil {
		see(pod.Status.StartTime.Time)
	}
	for _, cond := range pod.Status.Conditions {
		see(cond.LastTransitionTime.Time)
		see(cond.LastProbeTime.Time)
	}
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses, pod.Status.EphemeralContainerStatuses} {
		for _, s := range list {
			for _, st := range []corev1.ContainerState{s.State, s.LastTerminationState} {
				if st.Running != nil {
					see(st.Running.StartedAt.Time)
				}
				if st.Terminated != nil {
					see(st.Terminated.StartedAt.Time)
					see(st.Terminated.FinishedAt.Time)
				}
			}
		}
	}
	for _, e := range events {
		if eventIsFor(pod, e) {
			see(e.LastTime)
			see(e.FirstTime)
		}
	}
	return t
}

// vars holds the values for command placeholders.
type vars map[string]string

func (c *ctx) baseVars(container string) vars {
	v := vars{"pod": c.pod.Name, "namespace": c.pod.Namespace}
	if v["namespace"] == "" {
		v["namespace"] = "default"
	}
	if container != "" {
		v["container"] = container
	}
	if c.pod.Spec.NodeName != "" {
		v["node"] = c.pod.Spec.NodeName
	}
	if sa := c.pod.Spec.ServiceAccountName; sa != "" {
		v["serviceaccount"] = sa
	}
	if ref := workloadOf(c.pod); ref != nil {
		v["owner"] = strings.ToLower(ref.Kind) + "/" + ref.Name
		if ref.Kind == "Job" {
			v["job"] = ref.Name
		}
	}
	if keys := nodeLabelKeys(c.pod); len(keys) > 0 {
		v["labelkey"] = strings.Join(keys, ",")
	}
	if s := c.pod.Spec.SchedulerName; s != "" && s != corev1.DefaultSchedulerName {
		v["scheduler"] = s
	}
	if ctr := c.spec(container); ctr != nil && ctr.Image != "" {
		v["image"] = ctr.Image
		v["registry"] = registryOf(ctr.Image)
	}
	return v
}

// add records a finding for rule id. detail follows the rule's general
// explanation; extra fills or overrides command placeholders.
func (c *ctx) add(id, container, summary, detail string, evidence []string, extra vars) {
	i, ok := ruleIndex[id]
	if !ok {
		// Every ID used in the checks is also checked by TestRuleIDsExist.
		panic("diagnose: unknown rule " + id)
	}
	r := rules[i]
	k := id + "\x00" + container + "\x00" + summary
	if c.seen[k] {
		return
	}
	c.seen[k] = true
	v := c.baseVars(container)
	for k, val := range extra {
		if val == "" {
			delete(v, k)
		} else {
			v[k] = val
		}
	}
	expl := r.Explanation
	if detail != "" {
		expl = strings.TrimSpace(detail) + " " + expl
	}
	c.out = append(c.out, Finding{
		Rule: r.ID, Category: r.Category, Severity: r.Severity, Container: container,
		Summary: summary, Explanation: expl, Evidence: dedupStrings(evidence), Next: fillCommands(r.Commands, v),
		Action: r.Action,
	})
}

var placeholderRe = regexp.MustCompile(`<([a-z]+)>`)

// fillCommands substitutes placeholders; commands with an unknown value are dropped.
func fillCommands(templates []string, v vars) []string {
	known := map[string]bool{}
	for _, p := range placeholders {
		known[p] = true
	}
	var out []string
	for _, t := range templates {
		ok := true
		s := placeholderRe.ReplaceAllStringFunc(t, func(m string) string {
			name := m[1 : len(m)-1]
			if !known[name] {
				return m
			}
			val, has := v[name]
			if !has {
				ok = false
			}
			return val
		})
		if ok {
			out = append(out, s)
		}
	}
	return out
}

func dedupStrings(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// container views --------------------------------------------------------

type cview struct {
	spec      *corev1.Container
	status    *corev1.ContainerStatus
	init      bool // a classic init container (runs to completion)
	sidecar   bool // restartable init container
	ephemeral bool
}

func (v cview) name() string {
	if v.spec != nil {
		return v.spec.Name
	}
	return v.status.Name
}

// containers lists init, app and ephemeral containers with their statuses.
func (c *ctx) containers() []cview {
	var out []cview
	st := func(list []corev1.ContainerStatus, name string) *corev1.ContainerStatus {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
		return nil
	}
	p := c.pod
	for i := range p.Spec.InitContainers {
		s := &p.Spec.InitContainers[i]
		out = append(out, cview{spec: s, status: st(p.Status.InitContainerStatuses, s.Name), init: !isSidecar(s), sidecar: isSidecar(s)})
	}
	for i := range p.Spec.Containers {
		s := &p.Spec.Containers[i]
		out = append(out, cview{spec: s, status: st(p.Status.ContainerStatuses, s.Name)})
	}
	for i := range p.Spec.EphemeralContainers {
		s := (*corev1.Container)(&p.Spec.EphemeralContainers[i].EphemeralContainerCommon)
		out = append(out, cview{spec: s, status: st(p.Status.EphemeralContainerStatuses, s.Name), ephemeral: true})
	}
	return out
}

func (c *ctx) spec(name string) *corev1.Container {
	if name == "" {
		return nil
	}
	for _, v := range c.containers() {
		if v.spec != nil && v.spec.Name == name {
			return v.spec
		}
	}
	return nil
}

// eventsWith returns the pod's events with one of reasons (newest first),
// for container when it is not empty (events without a fieldPath match too).
func (c *ctx) eventsWith(container string, reasons ...string) []Event {
	var out []Event
	for _, e := range c.events {
		for _, r := range reasons {
			if e.Reason != r {
				continue
			}
			if container != "" {
				if ec := containerOf(e.Object.FieldPath); ec != "" && ec != container {
					continue
				}
			}
			out = append(out, e)
		}
	}
	return out
}

// evidence formats an event with its count and age, message verbatim.
func (c *ctx) evidence(e Event) string {
	s := "event " + e.Reason
	var meta []string
	if e.Count > 1 {
		meta = append(meta, fmt.Sprintf("x%d", e.Count))
	}
	if !e.LastTime.IsZero() && !c.now.IsZero() {
		if e.Count > 1 && !e.FirstTime.IsZero() && e.FirstTime.Before(e.LastTime) {
			meta = append(meta, "over "+HumanDuration(e.LastTime.Sub(e.FirstTime)))
		}
		meta = append(meta, "last "+HumanDuration(c.now.Sub(e.LastTime))+" ago")
	}
	if len(meta) > 0 {
		s += " (" + strings.Join(meta, ", ") + ")"
	}
	return s + ": " + e.Message
}

func (c *ctx) podCondition(t corev1.PodConditionType) *corev1.PodCondition {
	return condition(c.pod, t)
}

func (c *ctx) terminal() bool {
	return c.pod.Status.Phase == corev1.PodSucceeded || c.pod.Status.Phase == corev1.PodFailed
}

// ago formats now - t as kubectl would ("5m").
func (c *ctx) ago(t time.Time) string {
	if t.IsZero() || c.now.IsZero() {
		return "some time"
	}
	return HumanDuration(c.now.Sub(t))
}

func controllerOf(p *corev1.Pod) *metaOwner {
	for _, r := range p.OwnerReferences {
		if r.Controller != nil && *r.Controller {
			return &metaOwner{Kind: r.Kind, Name: r.Name}
		}
	}
	if len(p.OwnerReferences) > 0 {
		return &metaOwner{Kind: p.OwnerReferences[0].Kind, Name: p.OwnerReferences[0].Name}
	}
	return nil
}

type metaOwner struct{ Kind, Name string }

// workloadOf is the object a person manages for the pod: the Deployment
// behind a ReplicaSet named <deployment>-<pod-template-hash>, else the
// controller itself.
func workloadOf(p *corev1.Pod) *metaOwner {
	ref := controllerOf(p)
	if ref == nil || ref.Kind != "ReplicaSet" {
		return ref
	}
	if h := p.Labels["pod-template-hash"]; h != "" {
		if d, ok := strings.CutSuffix(ref.Name, "-"+h); ok && d != "" {
			return &metaOwner{Kind: "Deployment", Name: d}
		}
	}
	return ref
}

// nodeLabelKeys lists, sorted, the node label keys the pod's nodeSelector
// and required node affinity ask for.
func nodeLabelKeys(p *corev1.Pod) []string {
	seen := map[string]bool{}
	for k := range p.Spec.NodeSelector {
		seen[k] = true
	}
	if a := p.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			for _, e := range term.MatchExpressions {
				seen[e.Key] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// registryOf returns the registry host of an image reference (docker.io when none).
func registryOf(image string) string {
	first, _, ok := strings.Cut(image, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first
	}
	return "docker.io"
}

// imagePath returns the repository path of an image reference, without
// its registry, tag or digest: "library/nginx", "myorg/api", "busybox".
func imagePath(image string) string {
	image, _, _ = strings.Cut(image, "@")
	if first, rest, ok := strings.Cut(image, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		image = rest
	}
	if tag, _ := imageTag(image); tag != "" {
		image = strings.TrimSuffix(image, ":"+tag)
	}
	return image
}

// imageTag returns the tag of an image reference, "" when it has none, and
// whether it is pinned by digest.
func imageTag(image string) (tag string, digest bool) {
	if i := strings.Index(image, "@"); i >= 0 {
		return "", true
	}
	last := image
	if i := strings.LastIndex(image, "/"); i >= 0 {
		last = image[i+1:]
	}
	if i := strings.LastIndex(last, ":"); i >= 0 {
		return last[i+1:], false
	}
	return "", false
}

func quoteList(items []string) string {
	if len(items) == 0 {
		return ""
	}
	return strings.Join(items, ", ")
}

// nodesOf is "1 of 3 nodes has" / "2 of 3 nodes have".
func nodesOf(n, total int) string {
	if n == 1 {
		return fmt.Sprintf("1 of %d nodes has", total)
	}
	return fmt.Sprintf("%d of %d nodes have", n, total)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
