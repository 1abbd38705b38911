package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// triageReadMsg is a bounded read of broken pods whose summary moved: the pods
// in full, with their events and related objects.
type triageReadMsg struct {
	Ticket
	inputs []diagnose.Input
}

// triageReadMost is how many broken pods one read takes; the others wait
// for the next, which starts when it is done. One read is in flight at a
// time, so a churning cluster costs at most a read of this many pods at
// once, never a LIST of the scope.
const triageReadMost = 20

// triageNodesEvery is how often the nodes are listed again: a pod on a node
// that stops reporting looks fine from the pod alone.
const triageNodesEvery = 15 * time.Second

// triageNodesMsg is the nodes' readiness; nil ready when unknown.
type triageNodesMsg struct {
	Ticket
	ready map[string]bool
	err   error
}

type triageTickMsg struct{ Ticket }

// TriagePage answers "what is broken right now": every broken pod in scope,
// grouped by root cause and owner, most urgent first.
//
// It is built from the pod cache's summaries (PodsChangedMsg, which it gets
// also while covered): a summary says whether the pod is broken and why,
// judged from the pod alone, so every pod is counted and every broken one
// filed at once. A LIST of the nodes every triageNodesEvery adds the pods on
// nodes that are not Ready. Only those and the broken pods are read in full, with their
// events and related objects, a bounded batch at a time and again only when
// their summary moves; their full diagnosis refines the group (the image,
// the missing secret) and its summary and commands. The page keeps no pods.
type TriagePage struct {
	stillPage
	env    PageEnv
	reads  asks // reads of broken pods
	nodes  asks // lists of the nodes
	ticks  asks // the timer of those
	scope  kube.Scope
	triage *diagnose.Triage
	// known holds, per uid, what was filed of the pod; pending the broken
	// pods to read (uid -> the summary's resourceVersion).
	known map[string]triageKnown
	// owned counts the pods in scope of each owner, kept up to date as pods
	// come, change and go (a group is "every replica down" when it holds
	// them all): counting the snapshot again on every change cost more
	// than the rest of a change at 100k pods.
	owned   map[triageOwner]int
	pending map[string]*kube.PodSummary
	// read holds, per suspect pod read in full, the resourceVersion read.
	read    map[string]string
	dirty   bool // groups is to be made again
	reading bool
	loaded  bool
	// latest is the newest snapshot's pods (the cache's, shared); ready
	// the nodes' readiness (nil: unknown).
	latest []*kube.PodSummary
	ready  map[string]bool
	err    string
	groups []*diagnose.Group
	cursor int
	open   bool // the selected group is expanded to its pods
	podCur int
	width  int
	height int
}

// triageKnown is what the page filed of one pod: its summary then (the
// cache replaces a summary when the pod changes), and whether the pod was
// a suspect, broken or on a node that is not Ready. 16 bytes: the page
// keeps one per pod in scope.
type triageKnown struct {
	sum     *kube.PodSummary
	suspect bool
}

// NewTriagePage builds the triage page for a scope.
func NewTriagePage(env PageEnv, scope kube.Scope) *TriagePage {
	return &TriagePage{
		env: env, reads: newAsks(env.ID), nodes: newAsks(env.ID), ticks: newAsks(env.ID), scope: scope, triage: diagnose.NewGroupsOnly(),
		known: map[string]triageKnown{}, owned: map[triageOwner]int{}, pending: map[string]*kube.PodSummary{}, read: map[string]string{},
	}
}

// triageOwner is an owner in its namespace.
type triageOwner struct {
	ns    string
	owner diagnose.Owner
}

func ownerOf(s *kube.PodSummary) triageOwner {
	return triageOwner{s.Namespace, diagnose.OwnerOf(s.Controller, s.Name)}
}

// countOwner adds n pods to the owner's count.
func (p *TriagePage) countOwner(o triageOwner, n int) {
	if c := p.owned[o] + n; c > 0 {
		p.owned[o] = c
	} else {
		delete(p.owned, o)
	}
}

// Init lists the nodes; the app hands the page the pods it has.
func (p *TriagePage) Init() tea.Cmd { return p.listNodes() }

func (p *TriagePage) listNodes() tea.Cmd {
	c, t := p.env.Cluster, p.nodes.next()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), podReadTimeout)
		defer cancel()
		ready, err := c.ReadyNodes(ctx)
		return triageNodesMsg{Ticket: t, ready: ready, err: err}
	}
}

// FollowsCovered says the page wants the pod snapshots also while covered.
func (p *TriagePage) FollowsCovered() bool { return true }

// Update handles keys, reads and pod changes.
func (p *TriagePage) Update(msg tea.Msg) (Page, tea.Cmd) {
	k := p.env.Keys.Triage
	switch msg := msg.(type) {
	case PodsChangedMsg:
		p.loaded, p.latest = true, msg.Snapshot.Pods
		p.scan(p.latest)
		return p, p.readChanged()
	case triageNodesMsg:
		if !p.nodes.current(msg.Ticket) {
			return p, nil
		}
		t := p.ticks.next()
		next := tea.Tick(triageNodesEvery, func(time.Time) tea.Msg { return triageTickMsg{t} })
		p.err = ""
		if msg.err != nil {
			p.err = kube.Explain(msg.err)
			return p, next // keep what the last list said
		}
		p.ready = msg.ready
		p.scan(p.latest)
		return p, tea.Batch(next, p.readChanged())
	case triageTickMsg:
		if p.ticks.current(msg.Ticket) {
			return p, p.listNodes()
		}
	case triageReadMsg:
		if !p.reads.current(msg.Ticket) {
			return p, nil
		}
		p.reading = false
		now := p.env.Now()
		for _, in := range msg.inputs {
			uid := string(in.Pod.UID)
			if kn, ok := p.known[uid]; !ok || !kn.suspect {
				continue // gone or healthy since
			}
			in.Now = now
			p.triage.Update(in.Pod, diagnose.Diagnose(in))
			p.read[uid] = in.Pod.ResourceVersion
			p.dirty = true
		}
		return p, p.readChanged()
	case tea.KeyPressMsg:
		p.regroup()
		switch {
		case key.Matches(msg, k.Back):
			if p.open {
				p.open = false
				return p, nil
			}
			return p, ClosePage
		case key.Matches(msg, k.Up):
			if p.open {
				p.podCur = max(0, p.podCur-1)
			} else {
				p.cursor = max(0, p.cursor-1)
			}
		case key.Matches(msg, k.Down):
			if p.open {
				if g := p.selected(); g != nil {
					p.podCur = min(len(g.Pods)-1, p.podCur+1)
				}
			} else {
				p.cursor = min(len(p.groups)-1, p.cursor+1)
			}
		case key.Matches(msg, k.Open):
			if !p.open {
				p.open, p.podCur = p.selected() != nil, 0
				return p, nil
			}
			return p, p.actOnPod(actDiagnose)
		case p.open && (key.Matches(msg, p.env.Keys.Pod.Detail) || key.Matches(msg, p.env.Keys.Logs.Open) || key.Matches(msg, p.env.Keys.Pod.Exec)):
			// The usual pod keys work on the selected pod of an open group.
			act := actDetail // with events
			switch {
			case key.Matches(msg, p.env.Keys.Logs.Open):
				act = actLogs
			case key.Matches(msg, p.env.Keys.Pod.Exec):
				act = actExec
			}
			return p, p.actOnPod(act)
		case key.Matches(msg, p.env.Keys.Logs.Workload):
			if g := p.selected(); g != nil {
				return p, OpenWorkloadLogs(groupLogs(g))
			}
		case key.Matches(msg, k.Copy):
			if g := p.selected(); g != nil && len(g.Next) > 0 {
				return p, tea.Batch(tea.SetClipboard(g.Next[0]), SetStatus("copied: "+g.Next[0], false))
			}
		case key.Matches(msg, k.Refresh):
			// Read every broken pod again (events and related objects
			// change without the pod), a batch at a time.
			p.pendBroken()
			return p, p.readChanged()
		}
	}
	return p, nil
}

// actOnPod reads the selected pod in full, then runs the action on it, as a
// key on the pod list does.
func (p *TriagePage) actOnPod(act podAction) tea.Cmd {
	g := p.selected()
	if g == nil || len(g.Pods) == 0 {
		return nil
	}
	pr := g.Pods[p.podCur]
	s := &kube.PodSummary{ObjectMeta: metav1.ObjectMeta{Namespace: pr.Namespace, Name: pr.Name, UID: types.UID(pr.UID)}}
	return readForAction(p.env.Cluster, s, podActionMsg{action: act})
}

// scan files the pods of a snapshot whose summary moved: a healthy one is
// counted, a broken one filed from its summary until its full read is, and
// queued for that read.
func (p *TriagePage) scan(pods []*kube.PodSummary) {
	now := p.env.Now()
	inScope := 0
	for _, s := range pods {
		if !p.scope.AllNamespaces() && s.Namespace != p.scope.Namespace {
			continue
		}
		inScope++
		uid := string(s.UID)
		_, sev, rule := s.ProblemAt(now)
		broken := sev >= diagnose.SeverityWarning
		suspect := broken || p.nodeDown(s.Node)
		kn, ok := p.known[uid]
		if ok && kn.sum == s && kn.suspect == suspect && len(s.Later) == 0 {
			continue
		}
		switch {
		case !ok:
			p.countOwner(ownerOf(s), 1)
		case kn.sum != s:
			if was, is := ownerOf(kn.sum), ownerOf(s); was != is {
				p.countOwner(was, -1)
				p.countOwner(is, 1)
			}
		}
		if ok && suspect && !kn.suspect {
			delete(p.read, uid) // read it again: its node went down since
		}
		p.known[uid] = triageKnown{sum: s, suspect: suspect}
		p.dirty = true
		owner := diagnose.OwnerOf(s.Controller, s.Name)
		full, read := p.read[uid]
		switch {
		case !suspect:
			p.triage.Healthy(uid, s.Namespace, owner)
			delete(p.pending, uid)
			delete(p.read, uid)
			continue
		case !broken && !p.triage.Filed(uid):
			// On a node that is not Ready: counted until its read says more.
			p.triage.Healthy(uid, s.Namespace, owner)
		case broken && (!read || !p.triage.Filed(uid)):
			f := diagnose.FindingOf(rule, sev, s.Columns.Status)
			p.triage.File(diagnose.PodRef{
				Namespace: s.Namespace, Name: s.Name, UID: uid, Node: s.Node,
				Status: s.Columns.Status, Since: s.CreationTimestamp.Time,
			}, owner, diagnose.KeyForOwner(f, s.Namespace, s.Node, owner), f)
		}
		if !read || full != s.ResourceVersion {
			p.pending[uid] = s
		}
	}
	if len(p.known) == inScope {
		return // every pod known is in the snapshot: none is gone
	}
	live := make(map[string]struct{}, inScope)
	for _, s := range pods {
		live[string(s.UID)] = struct{}{}
	}
	for uid, kn := range p.known {
		if _, ok := live[uid]; !ok {
			p.countOwner(ownerOf(kn.sum), -1)
			p.triage.Delete(uid)
			delete(p.known, uid)
			delete(p.pending, uid)
			delete(p.read, uid)
			p.dirty = true
		}
	}
}

// nodeDown reports whether the node is known not to be Ready (or gone).
func (p *TriagePage) nodeDown(node string) bool {
	return p.ready != nil && node != "" && !p.ready[node]
}

// pendBroken queues every filed pod for a read, from the summaries known.
func (p *TriagePage) pendBroken() {
	for uid := range p.known {
		if p.triage.Filed(uid) {
			if _, ok := p.pending[uid]; !ok {
				p.pending[uid] = nil // read by the name it is filed under
			}
		}
	}
}

// readChanged reads up to triageReadMost of the pending broken pods in
// full, with their events and related objects; one read at a time.
func (p *TriagePage) readChanged() tea.Cmd {
	if p.reading || len(p.pending) == 0 {
		return nil
	}
	type ref struct{ ns, name, uid string }
	var refs []ref
	for uid, s := range p.pending {
		if len(refs) == triageReadMost {
			break
		}
		delete(p.pending, uid)
		if s != nil {
			refs = append(refs, ref{s.Namespace, s.Name, uid})
		} else if pr, ok := p.filedRef(uid); ok {
			refs = append(refs, ref{pr.Namespace, pr.Name, uid})
		}
	}
	if len(refs) == 0 {
		return nil
	}
	p.reading = true
	c, t := p.env.Cluster, p.reads.next()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), podReadTimeout)
		defer cancel()
		var pods []*corev1.Pod
		for _, r := range refs {
			// A pod that is gone or failed to read stays as its summary
			// filed it; the next snapshot settles it.
			if pod, err := getSamePod(ctx, c, r.ns, r.name, r.uid); err == nil {
				pods = append(pods, pod)
			}
		}
		var in []diagnose.Input
		if len(pods) > 0 {
			in = c.PodInputs(ctx, pods)
		}
		return triageReadMsg{Ticket: t, inputs: in}
	}
}

// filedRef finds a filed pod's entry in its group.
func (p *TriagePage) filedRef(uid string) (diagnose.PodRef, bool) {
	p.regroup()
	for _, g := range p.groups {
		for _, pr := range g.Pods {
			if pr.UID == uid {
				return pr, true
			}
		}
	}
	return diagnose.PodRef{}, false
}

// ownedCounts is how many pods in scope each owner has.
func (p *TriagePage) ownedCounts() func(string, diagnose.Owner) int {
	return func(ns string, o diagnose.Owner) int { return p.owned[triageOwner{ns, o}] }
}

// regroup makes the groups again when the triage changed since; it runs
// before a key is handled and before a frame, not on every read or
// snapshot (sorting thousands of groups each time adds up).
func (p *TriagePage) regroup() {
	if !p.dirty {
		return
	}
	p.dirty = false
	p.groups = p.triage.GroupsOwned(p.ownedCounts())
	p.cursor = max(0, min(p.cursor, len(p.groups)-1))
	if g := p.selected(); g == nil {
		p.open = false
	} else {
		p.podCur = max(0, min(p.podCur, len(g.Pods)-1))
	}
}

func (p *TriagePage) selected() *diagnose.Group {
	if len(p.groups) == 0 {
		return nil
	}
	return p.groups[p.cursor]
}

// SetSize sets the page's size.
func (p *TriagePage) SetSize(w, h int) { p.width, p.height = w, h }

// Title names the page.
func (p *TriagePage) Title() string { return "triage" }

// ShortHelp is the page's one-line help.
func (p *TriagePage) ShortHelp() []key.Binding {
	k := p.env.Keys.Triage
	if p.open {
		pk := p.env.Keys.Pod
		return []key.Binding{k.Down, k.Open, pk.Detail, p.env.Keys.Logs.Open, p.env.Keys.Logs.Workload, pk.Exec, k.Back}
	}
	return []key.Binding{k.Down, k.Open, p.env.Keys.Logs.Workload, k.Copy, k.Back}
}

// FullHelp is the page's full help.
func (p *TriagePage) FullHelp() [][]key.Binding {
	k := p.env.Keys.Triage
	return [][]key.Binding{{k.Up, k.Down}, {k.Open, k.Copy}, {p.env.Keys.Logs.Workload, k.Refresh, k.Back}}
}

// View draws the groups, or the selected group's pods.
func (p *TriagePage) View() string {
	p.regroup()
	s := p.env.Styles
	now := p.env.Now()
	var lines []string
	add := func(l string) { lines = append(lines, l) }
	switch {
	case !p.loaded:
		add(s.Muted.Render("diagnosing every pod in scope…"))
		return strings.Join(lines, "\n")
	case p.err != "":
		add(s.Error.Render("node health unavailable: " + oneLine(p.err)))
	}
	if len(p.groups) == 0 {
		add(s.Healthy.Render(fmt.Sprintf("✓ healthy: %d pods checked, none broken", len(p.known))))
		return strings.Join(lines, "\n")
	}
	total := 0
	for _, g := range p.groups {
		total += len(g.Pods)
	}
	add(s.Title.Render(fmt.Sprintf("%d causes, %d broken pods of %d checked", len(p.groups), total, len(p.known))))
	add("")
	// Only the lines on screen are drawn: at 100k pods there may be
	// thousands of groups. Each group takes two lines; the open one also
	// its pods and commands.
	head, extra := len(lines), 0
	if g := p.selected(); p.open && g != nil {
		extra = len(g.Pods) + len(g.Next)
	}
	selLine := head + 2*p.cursor
	if p.open {
		selLine += 2 + p.podCur
	}
	all := head + 2*len(p.groups) + extra
	// Keep the selection on screen.
	start := max(0, min(selLine-p.height/2, all-p.height))
	end := min(all, start+p.height)
	n := head
	emit := func(line func() string) {
		if n >= start && n < end {
			lines = append(lines, line())
		}
		n++
	}
	for i, g := range p.groups {
		if n+2 <= start && !(i == p.cursor && p.open) {
			n += 2
			continue
		}
		if n >= end {
			break
		}
		emit(func() string { return p.groupLine(g, i == p.cursor && !p.open, now) })
		emit(func() string { return "    " + s.Muted.Render(oneLine(p.groupFacts(g, now))) })
		if i == p.cursor && p.open {
			for j, pr := range g.Pods {
				emit(func() string {
					line := fmt.Sprintf("      %s/%s  %s  %s", pr.Namespace, pr.Name, pr.Status, pr.Node)
					if j == p.podCur {
						line = s.Selected.Render(pad("    ▸ "+strings.TrimSpace(line), p.width))
					}
					return line
				})
			}
			for _, c := range g.Next {
				emit(func() string { return "    " + s.Muted.Render("$ "+c) })
			}
		}
	}
	if start > 0 {
		lines = lines[min(start, head):] // the header scrolled off
	}
	return strings.Join(lines[:min(len(lines), max(1, p.height))], "\n")
}

func (p *TriagePage) groupLine(g *diagnose.Group, selected bool, now time.Time) string {
	s := p.env.Styles
	who := g.Key.Owner.String() + " in " + g.Key.Namespace
	if g.Key.Node != "" {
		who = "node " + g.Key.Node
	}
	sev := severityStyle(s, g.Severity).Render(fmt.Sprintf("%-7s", strings.ToUpper(g.Severity.String())))
	text := fmt.Sprintf("%3d × %s: %s", len(g.Pods), who, oneLine(g.Summary))
	if selected {
		return sev + " " + s.Selected.Render(pad(text, max(10, p.width-8)))
	}
	return sev + " " + text
}

func (p *TriagePage) groupFacts(g *diagnose.Group, now time.Time) string {
	var facts []string
	if since := g.Since(); !since.IsZero() {
		facts = append(facts, "for "+diagnose.Age(since, now))
	}
	if n := g.NewSince(now.Add(-5 * time.Minute)); n > 0 {
		facts = append(facts, fmt.Sprintf("+%d in the last 5m", n))
	}
	if ns := g.Namespaces(); len(ns) > 1 {
		facts = append(facts, "namespaces "+strings.Join(ns, ", "))
	}
	if nodes := g.Nodes(); len(nodes) > 0 && g.Key.Node == "" {
		facts = append(facts, "nodes "+strings.Join(nodes, ", "))
	}
	facts = append(facts, g.Rule)
	if g.Changed != "" {
		facts = append(facts, oneLine(g.Changed))
	}
	return strings.Join(facts, " · ")
}

// groupLogs is the logs of a triage group's pods.
func groupLogs(g *diagnose.Group) WorkloadLogOpen {
	names := make([]types.NamespacedName, 0, len(g.Pods))
	for _, r := range g.Pods {
		names = append(names, types.NamespacedName{Namespace: r.Namespace, Name: r.Name})
	}
	// Named by the group's owner and cause, short enough for the header.
	name := fmt.Sprintf("the %d pods of %s (%s)", len(names), g.Key.Owner, g.Rule)
	if g.Key.Owner.Name == "" {
		name = fmt.Sprintf("the %d pods with %s", len(names), g.Rule)
	}
	return podsLogs(name, names)
}
