package diagnose

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Owner is the workload a pod belongs to, resolved up the chain as far as
// the pod itself tells: ReplicaSet -> Deployment (by the pod-template-hash
// naming), Job -> CronJob (by the scheduled-job naming), or the pod itself.
type Owner struct {
	Kind string // Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod, ...
	Name string
}

// String is "deployment/api", as kubectl takes it.
func (o Owner) String() string { return strings.ToLower(o.Kind) + "/" + o.Name }

// cronJobSuffix is what a CronJob appends to its Jobs: the scheduled time in minutes.
var cronJobSuffix = regexp.MustCompile(`^(.+)-\d{8,}$`)

// TopOwner resolves the pod's controlling owner.
func TopOwner(pod *corev1.Pod) Owner {
	for _, ref := range pod.OwnerReferences {
		if ref.Controller == nil || !*ref.Controller {
			continue
		}
		switch ref.Kind {
		case "ReplicaSet":
			if hash := pod.Labels["pod-template-hash"]; hash != "" && strings.HasSuffix(ref.Name, "-"+hash) {
				return Owner{Kind: "Deployment", Name: strings.TrimSuffix(ref.Name, "-"+hash)}
			}
		case "Job":
			if m := cronJobSuffix.FindStringSubmatch(ref.Name); m != nil {
				return Owner{Kind: "CronJob", Name: m[1]}
			}
		}
		return Owner{Kind: ref.Kind, Name: ref.Name}
	}
	return Owner{Kind: "Pod", Name: pod.Name}
}

// ControllerName names the pod's controlling owner as "Kind/name", with a
// ReplicaSet's Deployment read from the pod-template-hash naming; "" for a
// bare pod.
func ControllerName(pod *corev1.Pod) string {
	for _, o := range pod.OwnerReferences {
		if o.Controller == nil || !*o.Controller {
			continue
		}
		if hash := pod.Labels["pod-template-hash"]; o.Kind == "ReplicaSet" && hash != "" && strings.HasSuffix(o.Name, "-"+hash) {
			return "Deployment/" + strings.TrimSuffix(o.Name, "-"+hash)
		}
		return o.Kind + "/" + o.Name
	}
	return ""
}

// GroupKey identifies one root cause: the rule, the facts that tell causes
// of the same rule apart, and the owner (or the node, for node-level causes).
// It never holds per-pod noise (restart counts, pod IPs, message order).
type GroupKey struct {
	Rule      string
	Facts     string
	Namespace string
	Owner     Owner
	Node      string
}

// nodeLevel categories are grouped by node: a NotReady node taking 40 pods
// with it is one cause, whatever owns the pods.
func nodeLevel(f Finding) bool {
	switch f.Category {
	case CatNodeLost, CatSandboxNetwork:
		return true
	case CatEvicted:
		return strings.HasPrefix(f.Rule, "evicted/node-pressure")
	}
	return false
}

// KeyFor is the group key of a pod's finding.
func KeyFor(pod *corev1.Pod, f Finding) GroupKey {
	if nodeLevel(f) && pod.Spec.NodeName != "" {
		return GroupKey{Rule: f.Rule, Node: pod.Spec.NodeName}
	}
	k := GroupKey{Rule: f.Rule, Namespace: pod.Namespace, Owner: TopOwner(pod)}
	switch f.Category {
	case CatImagePull, CatInvalidImage:
		k.Facts = containerImage(pod, f.Container)
	case CatConfigMissing, CatVolumeMount:
		// The summary names the missing object; it is the same for every
		// replica and free of counts.
		k.Facts = NormalizeMessage(f.Summary)
	default:
		k.Facts = f.Container
	}
	return k
}

func containerImage(pod *corev1.Pod, name string) string {
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range list {
			if c.Name == name {
				return c.Image
			}
		}
	}
	return name
}

// PodRef is one pod in a group.
type PodRef struct {
	Namespace string
	Name      string
	UID       string
	Node      string
	Status    string
	Since     time.Time // when the cause was first seen on this pod
}

// Group is one root cause and the pods it affects.
type Group struct {
	Key      GroupKey
	Rule     string
	Category Category
	Severity Severity
	Summary  string // from the first pod's finding
	Pods     []PodRef
	Next     []string // commands, for the owner where that fits
	// AllDown is set when every pod of the owner seen in scope is in this
	// group: nothing of the workload is serving.
	AllDown bool
	// Changed is what changed in the owner's last rollout when a pod of
	// the group has a rollout finding (its summary); its undo command is
	// then in Next.
	Changed string
}

// Since is the oldest first-seen time of the cause among the group's pods.
func (g *Group) Since() time.Time {
	var t time.Time
	for _, p := range g.Pods {
		if !p.Since.IsZero() && (t.IsZero() || p.Since.Before(t)) {
			t = p.Since
		}
	}
	return t
}

// Namespaces lists the namespaces of the group's pods, sorted.
func (g *Group) Namespaces() []string {
	return uniq(g.Pods, func(p PodRef) string { return p.Namespace })
}

// Nodes lists the nodes of the group's pods, sorted.
func (g *Group) Nodes() []string { return uniq(g.Pods, func(p PodRef) string { return p.Node }) }

// NewSince counts the pods whose trouble started after t: is it getting worse?
func (g *Group) NewSince(t time.Time) int {
	n := 0
	for _, p := range g.Pods {
		if p.Since.After(t) {
			n++
		}
	}
	return n
}

func uniq(pods []PodRef, f func(PodRef) string) []string {
	var out []string
	for _, p := range pods {
		if v := f(p); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// Triage groups broken pods by root cause. It is incremental: Update
// re-files one pod, so an informer event costs one diagnosis, not a
// re-grouping of the cluster. Not safe for concurrent use.
type Triage struct {
	groups map[GroupKey]*Group
	podKey map[string]*Group // pod UID -> its group
	// counting: checked and owned are kept (NewTriage); a triage of
	// NewGroupsOnly leaves that to its user (GroupsOwned).
	counting bool
	checked  map[string]ownerRef // every pod seen, broken or not -> its owner
	owned    map[ownerRef]int    // pods per owner, broken or not
}

// ownerRef is an owner within its namespace.
type ownerRef struct {
	namespace string
	owner     Owner
}

// NewTriage returns an empty triage.
func NewTriage() *Triage {
	t := NewGroupsOnly()
	t.counting = true
	return t
}

// NewGroupsOnly returns an empty triage that keeps only the broken pods:
// Checked is 0 and Groups knows no owner's other pods, so its user, who
// knows every pod, counts them and calls GroupsOwned. At 100k pods, the
// counts per pod and per owner would be megabytes kept twice.
func NewGroupsOnly() *Triage {
	return &Triage{
		groups: map[GroupKey]*Group{}, podKey: map[string]*Group{}, checked: map[string]ownerRef{},
		owned: map[ownerRef]int{},
	}
}

// Checked is how many pods the triage has looked at.
func (t *Triage) Checked() int { return len(t.checked) }

// Update files the pod under its most likely root cause (the first error or
// warning finding), or takes it out of every group when it is healthy.
func (t *Triage) Update(pod *corev1.Pod, findings []Finding) {
	owner := TopOwner(pod)
	var top *Finding
	for i := range findings {
		if findings[i].Severity >= SeverityWarning {
			top = &findings[i]
			break
		}
	}
	if top == nil {
		t.Healthy(string(pod.UID), pod.Namespace, owner)
		return
	}
	t.File(PodRef{
		Namespace: pod.Namespace, Name: pod.Name, UID: string(pod.UID), Node: pod.Spec.NodeName,
		Status: Status(pod), Since: causeSince(pod),
	}, owner, KeyFor(pod, *top), *top)
	if g := t.podKey[string(pod.UID)]; g.Changed == "" {
		for _, f := range findings {
			if f.Category == CatRollout {
				g.Changed = f.Summary
				if len(f.Next) > 0 && !slices.Contains(g.Next, f.Next[0]) {
					g.Next = append(g.Next, f.Next[0])
				}
				break
			}
		}
	}
}

// count notes that the pod with the uid was looked at and who owns it.
func (t *Triage) count(uid, namespace string, owner Owner) {
	if !t.counting {
		return
	}
	if old, ok := t.checked[uid]; ok {
		t.owned[old]--
	}
	ref := ownerRef{namespace: namespace, owner: owner}
	t.checked[uid] = ref
	t.owned[ref]++
}

// Healthy counts the pod as looked at and takes it out of every group.
func (t *Triage) Healthy(uid, namespace string, owner Owner) {
	t.count(uid, namespace, owner)
	if old, had := t.podKey[uid]; had {
		t.remove(uid, old)
	}
}

// File files one broken pod under the group key of its top finding f: the
// pod's own finding (Update), or one told by a summary of the pod before
// the pod itself is read (FindingOf).
func (t *Triage) File(pr PodRef, owner Owner, key GroupKey, f Finding) {
	uid := pr.UID
	t.count(uid, pr.Namespace, owner)
	g, had := t.podKey[uid]
	if had && g.Key == key {
		for i := range g.Pods {
			if g.Pods[i].UID == uid {
				g.Pods[i] = pr
			}
		}
		return
	}
	if had {
		t.remove(uid, g)
	}
	g = t.groups[key]
	if g == nil {
		g = &Group{
			Key: key, Rule: f.Rule, Category: f.Category, Severity: f.Severity, Summary: groupSummary(f.Summary),
			Next: groupCommands(key, f),
		}
		t.groups[key] = g
	}
	g.Pods = append(g.Pods, pr)
	t.podKey[uid] = g
}

// Filed reports whether the pod with the uid is in a group.
func (t *Triage) Filed(uid string) bool {
	_, ok := t.podKey[uid]
	return ok
}

// OwnerOf is TopOwner from a controller name as ControllerName gives it
// ("Deployment/api"; "" for a bare pod named pod).
func OwnerOf(controller, pod string) Owner {
	kind, name, ok := strings.Cut(controller, "/")
	if !ok {
		return Owner{Kind: "Pod", Name: pod}
	}
	if m := cronJobSuffix.FindStringSubmatch(name); kind == "Job" && m != nil {
		return Owner{Kind: "CronJob", Name: m[1]}
	}
	return Owner{Kind: kind, Name: name}
}

// FindingOf is the finding a pod's summary tells before the pod is read: the
// rule, its category and severity, and what the STATUS column says. Its
// group has no facts (image, missing object) yet; the full diagnosis of the
// pod files it where those put it.
func FindingOf(rule string, sev Severity, status string) Finding {
	f := Finding{Rule: rule, Severity: sev, Summary: status}
	if r, ok := RuleOf(rule); ok {
		f.Category = r.Category
	}
	return f
}

// KeyForOwner is the group key of a finding told by a pod's summary: as
// KeyFor, without the facts only the full pod has.
func KeyForOwner(f Finding, namespace, node string, owner Owner) GroupKey {
	if nodeLevel(f) && node != "" {
		return GroupKey{Rule: f.Rule, Node: node}
	}
	return GroupKey{Rule: f.Rule, Namespace: namespace, Owner: owner}
}

// Delete forgets a pod that no longer exists.
func (t *Triage) Delete(uid string) {
	if ref, ok := t.checked[uid]; ok {
		if t.owned[ref]--; t.owned[ref] <= 0 {
			delete(t.owned, ref)
		}
	}
	delete(t.checked, uid)
	if g, ok := t.podKey[uid]; ok {
		t.remove(uid, g)
	}
}

func (t *Triage) remove(uid string, g *Group) {
	delete(t.podKey, uid)
	g.Pods = slices.DeleteFunc(g.Pods, func(p PodRef) bool { return p.UID == uid })
	if len(g.Pods) == 0 {
		delete(t.groups, g.Key)
	}
}

// Groups returns the groups, most urgent first: severity, then blast
// radius (every replica of the owner down, then pods affected), then age
// (oldest first), then name for stability.
func (t *Triage) Groups() []*Group {
	return t.GroupsOwned(func(namespace string, o Owner) int { return t.owned[ownerRef{namespace: namespace, owner: o}] })
}

// GroupsOwned is Groups with the pods per owner counted by owned.
func (t *Triage) GroupsOwned(owned func(namespace string, o Owner) int) []*Group {
	// The sort keys are computed once per group, not per comparison: at
	// tens of thousands of groups a comparison that builds the owner's text
	// or looks up a map costs more than the rest of the sort.
	type entry struct {
		g      *Group
		since  time.Time
		who    string // "kind/name" + node, for ties
		allDwn int
	}
	keyed := make([]entry, 0, len(t.groups))
	for _, g := range t.groups {
		g.AllDown = g.Key.Node == "" && len(g.Pods) >= owned(g.Key.Namespace, g.Key.Owner)
		slices.SortFunc(g.Pods, func(a, b PodRef) int {
			return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
		})
		keyed = append(keyed, entry{g: g, since: g.Since(), who: g.Key.Owner.String() + g.Key.Node, allDwn: boolRank(g.AllDown)})
	}
	slices.SortFunc(keyed, func(a, b entry) int {
		return cmp.Or(
			cmp.Compare(b.g.Severity, a.g.Severity),
			cmp.Compare(b.allDwn, a.allDwn),
			cmp.Compare(len(b.g.Pods), len(a.g.Pods)),
			a.since.Compare(b.since),
			cmp.Compare(a.who, b.who),
			cmp.Compare(a.g.Rule, b.g.Rule),
			cmp.Compare(a.g.Key.Facts, b.g.Key.Facts),
		)
	})
	out := make([]*Group, len(keyed))
	for i, e := range keyed {
		out[i] = e.g
	}
	return out
}

// perPod is what a finding's summary says of one pod only.
var perPod = regexp.MustCompile(`, \d+ restarts?$`)

// groupSummary drops per-pod counts from a summary that speaks for a group.
func groupSummary(s string) string { return perPod.ReplaceAllString(s, "") }

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// causeSince estimates when the problem started on a pod from its status:
// the latest transition of a container into its bad state, else the pod's
// start or creation.
func causeSince(pod *corev1.Pod) time.Time {
	var t time.Time
	for _, c := range pod.Status.Conditions {
		if c.Status != corev1.ConditionTrue && !c.LastTransitionTime.IsZero() && (t.IsZero() || c.LastTransitionTime.Time.Before(t)) {
			t = c.LastTransitionTime.Time
		}
	}
	if t.IsZero() && pod.Status.StartTime != nil {
		t = pod.Status.StartTime.Time
	}
	if t.IsZero() {
		t = pod.CreationTimestamp.Time
	}
	return t
}

// groupCommands writes the next commands for the owner where that fits,
// else keeps the finding's own (which name one pod).
func groupCommands(k GroupKey, f Finding) []string {
	if k.Node != "" {
		return []string{
			"kubectl describe node " + k.Node,
			"kubectl get pods -A -o wide --field-selector spec.nodeName=" + k.Node,
		}
	}
	o, ns := k.Owner, k.Namespace
	if o.Kind == "Pod" || o.Kind == "" {
		return f.Next
	}
	ref := o.String()
	var cmds []string
	switch f.Category {
	case CatImagePull, CatInvalidImage, CatConfigMissing, CatContainerCreate, CatContainerStart, CatCrashLoop:
		if o.Kind == "Deployment" || o.Kind == "StatefulSet" || o.Kind == "DaemonSet" {
			cmds = append(cmds, "kubectl rollout history "+ref+" -n "+ns, "kubectl rollout undo "+ref+" -n "+ns)
		}
	case CatUnschedulable:
		cmds = append(cmds, "kubectl get events -n "+ns+" --field-selector reason=FailedScheduling")
	}
	cmds = append(cmds, "kubectl describe "+ref+" -n "+ns)
	if f.Category == CatCrashLoop || f.Category == CatOOM {
		cmds = append(cmds, "kubectl logs "+ref+" -n "+ns+" --previous")
	}
	return cmds
}
