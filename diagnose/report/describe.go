package report

// This file reads the text of `kubectl describe pod` (one pod or several)
// into the pods and events the engine reads. The layout is kubectl's printer
// (k8s.io/kubectl/pkg/describe, describePod and what it calls) passed through
// a tabwriter: a pod's keys at column 0, a container's name two spaces in, its
// fields four and their details six, values aligned in columns that a paste
// may have re-spaced. Its times are ages counted back from when kubectl ran,
// which the text does not say: see snapshotTime.

import (
	"bytes"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// line is one line of describe text.
type line struct {
	num    int    // 1-based, in the input
	indent int    // leading spaces, tabs expanded
	text   string // what follows the indentation, without trailing spaces
}

// raw is the line with its indentation, as kubectl printed it.
func (l line) raw() string { return strings.Repeat(" ", l.indent) + l.text }

var (
	describeName = regexp.MustCompile(`^Name:\s+\S`)
	// commandLine is the command a paste often carries: "$ kubectl describe
	// pod x", "kubectl -n shop describe po x", "PS C:\> k describe pod x".
	commandLine = regexp.MustCompile(`^(\S*[$#%>] ?)?(kubectl|oc|k)\s.*\bdescribe\b`)
)

// isDescribeText reports whether data is kubectl describe output: its first
// line with content (after a shell command or a markdown fence) is
// "Name:  <name>" and the next one "Namespace:  <namespace>", in the same
// column. It reads no further, so YAML costs nothing here.
func isDescribeText(data []byte) bool {
	var first *line
	for num := 1; len(data) > 0; num++ {
		var b []byte
		b, data, _ = bytes.Cut(data, []byte("\n"))
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		l := toLine(num, b)
		switch {
		case pasteNoise(l):
		case first == nil:
			if !describeName.MatchString(l.text) {
				return false
			}
			first = &l
		default:
			return l.indent == first.indent && strings.HasPrefix(l.text, "Namespace:")
		}
	}
	return false
}

// describeLines splits describe text into lines, dropping what a paste adds
// around it (shell commands, markdown fences) and the indentation of the
// whole paste, which its first "Name:" line shows.
func describeLines(data []byte) []line {
	out := make([]line, 0, bytes.Count(data, []byte("\n"))+1)
	base := -1
	for num := 1; len(data) > 0; num++ {
		var b []byte
		b, data, _ = bytes.Cut(data, []byte("\n"))
		l := toLine(num, b)
		if pasteNoise(l) {
			continue
		}
		if base < 0 && l.text != "" {
			base = l.indent
		}
		l.indent = max(0, l.indent-max(base, 0))
		out = append(out, l)
	}
	return out
}

// pasteNoise is a line around the text rather than of it.
func pasteNoise(l line) bool {
	return strings.HasPrefix(l.text, "```") || strings.HasPrefix(l.text, "~~~") ||
		strings.Contains(l.text, "describe") && commandLine.MatchString(l.text)
}

// toLine cleans one line: CRLF ends, trailing spaces, a byte-order mark, and
// tabs, expanded to the next multiple of 8 as a terminal shows them.
func toLine(num int, b []byte) line {
	s := string(bytes.TrimRightFunc(b, unicode.IsSpace))
	if num == 1 {
		s = strings.TrimPrefix(s, "\ufeff")
	}
	if strings.IndexByte(s, '\t') >= 0 {
		s = expandTabs(s)
	}
	t := strings.TrimLeft(s, " ")
	return line{num: num, indent: len(s) - len(t), text: t}
}

func expandTabs(s string) string {
	var b strings.Builder
	col := 0
	for _, r := range s {
		if r == '\t' {
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}

// cutKey splits "Restart Count:  3" into its key and value ("<none>" reads
// as empty); ok is false for a line that is neither "key: value" nor "key:".
func cutKey(s string) (key, value string, ok bool) {
	i := strings.Index(s, ": ")
	switch {
	case i > 0:
		return s[:i], none(strings.TrimSpace(s[i+2:])), true
	case i < 0 && len(s) > 1 && strings.HasSuffix(s, ":"):
		return s[:len(s)-1], "", true
	}
	return "", "", false
}

// valueColumn is where the value of a "key: value" line starts.
func valueColumn(l line) int {
	i := strings.Index(l.text, ": ")
	if i < 0 {
		return l.indent + len(l.text)
	}
	rest := l.text[i+1:]
	return l.indent + i + 1 + len(rest) - len(strings.TrimLeft(rest, " "))
}

func none(v string) string {
	if v == "<none>" {
		return ""
	}
	return v
}

// section is a key at column 0 ("Containers:", "Events:") and the lines
// under it.
type section struct {
	head  line
	key   string
	value string
	body  []line
}

// podText is one pod's part of the text.
type podText struct {
	sections []section
}

// sectionKeys are the keys describePod prints at column 0. Most keys start a
// section wherever they stand; these also end a pod-level Message.
var sectionKeys = map[string]bool{
	"Name": true, "Namespace": true, "Priority": true, "Priority Class Name": true, "PriorityClassName": true,
	"Runtime Class Name": true, "Service Account": true, "Node": true, "Start Time": true, "Labels": true,
	"Annotations": true, "Status": true, "Termination Grace Period": true, "Reason": true, "Message": true,
	"SeccompProfile": true, "LocalhostProfile": true, "IP": true, "IPs": true, "Controlled By": true,
	"NominatedNodeName": true, "Resources": true, "Init Containers": true, "Containers": true,
	"Ephemeral Containers": true, "Readiness Gates": true, "Conditions": true, "Volumes": true,
	"QoS Class": true, "Node-Selectors": true, "Tolerations": true, "Topology Spread Constraints": true,
	"SchedulingGroup": true, "Events": true,
}

var containerSections = map[string]bool{"Init Containers": true, "Containers": true, "Ephemeral Containers": true}

// splitPods cuts the lines into pods, each at a "Name:" line at column 0
// followed by "Namespace:", and each pod into its sections.
func splitPods(lines []line) []podText {
	next := nextContent(lines)
	var pods []podText
	var msg termMessage
	for i, l := range lines {
		if startsPod(lines, next, i) {
			pods = append(pods, podText{})
		}
		if len(pods) == 0 {
			continue
		}
		p := &pods[len(pods)-1]
		var s *section
		if n := len(p.sections); n > 0 {
			s = &p.sections[n-1]
		}
		inMessage := s != nil && containerSections[s.key] && msg.see(l) && !endsMessage(l)
		if !inMessage && startsSection(s, l) {
			key, value, _ := cutKey(l.text)
			p.sections = append(p.sections, section{head: l, key: key, value: value})
			msg = termMessage{}
			continue
		}
		if s != nil {
			s.body = append(s.body, l)
		}
	}
	return pods
}

// nextContent gives, for each line, the index of the next line with content
// (-1 at the end), so that looking ahead stays linear.
func nextContent(lines []line) []int {
	next := make([]int, len(lines))
	n := -1
	for i := len(lines) - 1; i >= 0; i-- {
		next[i] = n
		if lines[i].text != "" {
			n = i
		}
	}
	return next
}

func startsPod(lines []line, next []int, i int) bool {
	l := lines[i]
	if l.indent != 0 || !describeName.MatchString(l.text) || next[i] < 0 {
		return false
	}
	n := lines[next[i]]
	return n.indent == 0 && strings.HasPrefix(n.text, "Namespace:")
}

// startsSection reports whether l, at column 0, opens a section after s.
// In Events nothing does (an event's message may go on over lines of any
// shape); after a pod's Message only the keys kubectl prints there do.
func startsSection(s *section, l line) bool {
	if l.indent != 0 {
		return false
	}
	key, _, ok := cutKey(l.text)
	if !ok || !looksLikeKey(key) {
		return false
	}
	if s == nil {
		return true
	}
	switch s.key {
	case "Events":
		return false
	case "Message":
		return sectionKeys[key]
	}
	return true
}

// looksLikeKey is a key as describePod writes them: "QoS Class", "IPs",
// "Node-Selectors".
func looksLikeKey(k string) bool {
	for i, r := range k {
		if i == 0 && !unicode.IsUpper(r) || !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != ' ' && r != '-' {
			return false
		}
	}
	return k != ""
}

// endsMessage is a section heading no termination message would hold at
// column 0, which ends one whose "Exit Code:" line a paste lost.
func endsMessage(l line) bool {
	if l.indent != 0 {
		return false
	}
	key, _, _ := cutKey(l.text)
	return key == "Conditions" || key == "Volumes" || key == "Events"
}

// termMessage follows a container's states line by line to tell when a line
// belongs to a Terminated state's Message. kubectl prints a message with
// line breaks as it is, so its later lines start at column 0 and may look
// like anything; the "Exit Code:" line printed next ends it.
type termMessage struct {
	terminated  bool // in the details of a "State: Terminated" line
	stateIndent int  // the indentation of that line
	open        bool // in its Message
}

// see takes the next line and reports whether it goes on a Message.
func (m *termMessage) see(l line) bool {
	if m.open {
		if l.indent > 0 && strings.HasPrefix(l.text, "Exit Code:") {
			m.open = false
			return false
		}
		return true
	}
	if l.text == "" {
		return false
	}
	key, value, _ := cutKey(l.text)
	switch {
	case key == "State" || key == "Last State":
		m.terminated, m.stateIndent = value == "Terminated", l.indent
	case m.terminated && l.indent <= m.stateIndent:
		m.terminated = false
	case m.terminated && key == "Message":
		m.open = true
	}
	return false
}

// describedPod is a pod read from the text, with what waits for the
// snapshot time.
type describedPod struct {
	pod     *corev1.Pod
	line    int
	events  []pendingEvent
	deleted when // "Terminating (lasts 10m)": how long ago the deletion timestamp passed
	usable  bool // it has the Containers of a pod: describe text of other kinds has none
}

// readPod reads one pod's sections.
func readPod(pt podText) *describedPod {
	d := &describedPod{pod: &corev1.Pod{}, line: pt.sections[0].head.num}
	for _, s := range pt.sections {
		d.read(s)
	}
	if d.pod.Namespace == "" {
		d.pod.Namespace = "default"
	}
	// describe prints no UID; pods are told apart by it (triage groups them
	// by it), so each gets one of its own name. Events keep none: they are
	// matched to the pod by name.
	d.pod.UID = types.UID("describe:" + d.pod.Namespace + "/" + d.pod.Name)
	markSidecars(d.pod)
	return d
}

func (d *describedPod) read(s section) {
	p := d.pod
	switch s.key {
	case "Name": // the pod's own comes first; a later one is of something else
		if p.Name == "" {
			p.Name = s.value
		}
	case "Namespace":
		if p.Namespace == "" {
			p.Namespace = s.value
		}
	case "Priority":
		if n, err := strconv.ParseInt(s.value, 10, 32); err == nil {
			p.Spec.Priority = ptr(int32(n))
		}
	case "Priority Class Name", "PriorityClassName":
		p.Spec.PriorityClassName = s.value
	case "Runtime Class Name":
		if s.value != "" {
			p.Spec.RuntimeClassName = ptr(s.value)
		}
	case "Service Account":
		p.Spec.ServiceAccountName = s.value
	case "Node":
		p.Spec.NodeName, p.Status.HostIP = readNode(s.value)
	case "Start Time":
		if t, ok := parseDate(s.value); ok {
			p.Status.StartTime = &metav1.Time{Time: t}
		}
	case "Labels":
		p.Labels = keyEqualsValue(s)
	case "Annotations":
		p.Annotations = readAnnotations(s)
	case "Status":
		d.readStatus(s.value)
	case "Termination Grace Period":
		if n, err := strconv.ParseInt(strings.TrimSuffix(s.value, "s"), 10, 64); err == nil {
			p.DeletionGracePeriodSeconds = ptr(n)
		}
	case "Reason":
		p.Status.Reason = s.value
	case "Message":
		p.Status.Message = joinLines(s.value, s.body)
	case "IP":
		p.Status.PodIP = s.value
	case "IPs":
		p.Status.PodIPs = readIPs(s.body)
	case "Controlled By":
		if o, ok := readOwner(s.value); ok {
			p.OwnerReferences = []metav1.OwnerReference{o}
		}
	case "NominatedNodeName":
		p.Status.NominatedNodeName = s.value
	case "Resources":
		p.Spec.Resources = readPodResources(s.body)
	case "Init Containers", "Containers", "Ephemeral Containers":
		d.usable = d.usable || s.key == "Containers" // kubectl prints it for every pod, "Containers: <none>" even
		addContainers(p, s.key, readContainers(s.body))
	case "Readiness Gates":
		for _, row := range tableRows(s.body) {
			p.Spec.ReadinessGates = append(p.Spec.ReadinessGates, corev1.PodReadinessGate{ConditionType: corev1.PodConditionType(row[0])})
		}
	case "Conditions":
		for _, row := range tableRows(s.body) {
			p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodConditionType(row[0]), Status: corev1.ConditionStatus(row[1])})
		}
	case "Volumes":
		p.Spec.Volumes = readVolumes(s.body)
	case "QoS Class":
		p.Status.QOSClass = corev1.PodQOSClass(s.value)
	case "Node-Selectors":
		p.Spec.NodeSelector = keyEqualsValue(s)
	case "Tolerations":
		p.Spec.Tolerations = readTolerations(s)
	case "Events":
		d.events = readEvents(s.body)
	}
}

func ptr[T any](v T) *T { return &v }

var terminating = regexp.MustCompile(`^Terminating \(lasts (.+)\)$`)

// readStatus reads the phase, or "Terminating (lasts 10m)", which kubectl
// prints instead of the phase of a pod being deleted.
func (d *describedPod) readStatus(v string) {
	m := terminating.FindStringSubmatch(v)
	if m == nil {
		d.pod.Status.Phase = corev1.PodPhase(v)
		return
	}
	d.deleted, _ = parseWhen(m[1])
	d.deleted.known = true // a deleted pod: its deletion time is known even when its age is not
	if d.pod.Spec.NodeName != "" {
		d.pod.Status.Phase = corev1.PodRunning
	} else {
		d.pod.Status.Phase = corev1.PodPending
	}
}

// readNode reads "worker-1/10.0.0.5" (or "<none>").
func readNode(v string) (name, hostIP string) {
	if i := strings.LastIndexByte(v, '/'); i >= 0 {
		return v[:i], v[i+1:]
	}
	return v, ""
}

// ownerAPI is the apiVersion of the kinds that own pods; others stay empty.
var ownerAPI = map[string]string{
	"ReplicaSet": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "Deployment": "apps/v1",
	"Job": "batch/v1", "ReplicationController": "v1", "Node": "v1",
}

// readOwner reads "ReplicaSet/api-7d9c5", kubectl's controller reference.
func readOwner(v string) (metav1.OwnerReference, bool) {
	kind, name, ok := strings.Cut(v, "/")
	if !ok || kind == "" || name == "" {
		return metav1.OwnerReference{}, false
	}
	return metav1.OwnerReference{APIVersion: ownerAPI[kind], Kind: kind, Name: name, Controller: ptr(true)}, true
}

// values gives the value of a multi-line section: its first line's, then
// each line under it.
func values(s section) []string {
	var out []string
	if s.value != "" {
		out = append(out, s.value)
	}
	for _, l := range s.body {
		if v := none(l.text); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// keyEqualsValue reads Labels and Node-Selectors: one "key=value" a line.
func keyEqualsValue(s section) map[string]string {
	var m map[string]string
	for _, v := range values(s) {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			continue
		}
		if m == nil {
			m = map[string]string{}
		}
		m[k] = val
	}
	return m
}

// readAnnotations reads "key: value" lines; a long value goes on the lines
// under its key, indented further.
func readAnnotations(s section) map[string]string {
	var m map[string]string
	col := valueColumn(s.head)
	key := ""
	var more []string
	flush := func() {
		if key != "" && len(more) > 0 {
			m[key] = strings.Join(more, "\n")
		}
		more = nil
	}
	add := func(text string) {
		k, v, ok := cutKey(text)
		if !ok {
			return
		}
		flush()
		if m == nil {
			m = map[string]string{}
		}
		key, m[k] = k, v
	}
	if s.value != "" {
		add(strings.TrimSpace(s.head.text[len("Annotations:"):]))
	}
	for _, l := range s.body {
		if l.text == "" {
			continue
		}
		if l.indent > col && key != "" {
			more = append(more, l.text)
			continue
		}
		add(l.text)
	}
	flush()
	return m
}

func readIPs(body []line) []corev1.PodIP {
	var out []corev1.PodIP
	for _, l := range body {
		if k, v, ok := cutKey(l.text); ok && k == "IP" && v != "" {
			out = append(out, corev1.PodIP{IP: v})
		}
	}
	return out
}

// joinLines joins a value and the lines under it, verbatim.
func joinLines(first string, body []line) string {
	parts := []string{first}
	for _, l := range body {
		parts = append(parts, l.raw())
	}
	return strings.TrimRight(strings.Join(parts, "\n"), "\n ")
}

// tableRows reads a "Type  Status" table (Conditions, Readiness Gates):
// the first two columns of each row after the header.
func tableRows(body []line) [][]string {
	var out [][]string
	for _, l := range body {
		f := strings.Fields(l.text)
		if len(f) < 2 || f[0] == "Type" || strings.Trim(f[0], "-") == "" {
			continue
		}
		out = append(out, f[:2])
	}
	return out
}

// readPodResources reads the pod-level "Resources:" section.
func readPodResources(body []line) *corev1.ResourceRequirements {
	r := &corev1.ResourceRequirements{}
	var list *corev1.ResourceList
	for _, l := range body {
		switch k, _, ok := cutKey(l.text); {
		case !ok:
		case k == "Limits":
			list = &r.Limits
		case k == "Requests":
			list = &r.Requests
		case list != nil:
			addQuantity(list, l.text)
		}
	}
	return r
}

// addQuantity reads "memory:  512Mi" into list.
func addQuantity(list *corev1.ResourceList, text string) {
	k, v, ok := cutKey(text)
	if !ok {
		return
	}
	q, err := resource.ParseQuantity(v)
	if err != nil {
		return
	}
	if *list == nil {
		*list = corev1.ResourceList{}
	}
	(*list)[corev1.ResourceName(k)] = q
}

// readTolerations reads one toleration a line, as kubectl prints them:
// "key=value:NoSchedule", "key:NoExecute op=Exists for 300s", "op=Exists".
func readTolerations(s section) []corev1.Toleration {
	var out []corev1.Toleration
	for _, v := range values(s) {
		var t corev1.Toleration
		if rest, secs, ok := strings.Cut(v, " for "); ok {
			if n, err := strconv.ParseInt(strings.TrimSuffix(secs, "s"), 10, 64); err == nil {
				t.TolerationSeconds = ptr(n)
			}
			v = rest
		}
		if rest, ok := strings.CutSuffix(v, "op=Exists"); ok {
			t.Operator = corev1.TolerationOpExists
			v = strings.TrimSpace(rest)
		}
		if i := strings.LastIndexByte(v, ':'); i >= 0 {
			t.Effect = corev1.TaintEffect(v[i+1:])
			v = v[:i]
		}
		t.Key, t.Value, _ = strings.Cut(v, "=")
		out = append(out, t)
	}
	return out
}

// markSidecars gives restartPolicy Always to the init containers still
// running once an app container has started: init containers must finish
// before app containers start, sidecars alone keep running, and describe
// does not print the policy.
func markSidecars(p *corev1.Pod) {
	appStarted := false
	for _, s := range p.Status.ContainerStatuses {
		appStarted = appStarted || s.State.Running != nil || s.State.Terminated != nil || s.LastTerminationState.Terminated != nil
	}
	if !appStarted {
		return
	}
	running := map[string]bool{}
	for _, s := range p.Status.InitContainerStatuses {
		running[s.Name] = s.State.Running != nil
	}
	for i := range p.Spec.InitContainers {
		if c := &p.Spec.InitContainers[i]; running[c.Name] {
			c.RestartPolicy = ptr(corev1.ContainerRestartPolicyAlways)
		}
	}
}

// describedContainer is a container of the text, with its status when
// kubectl printed one (it prints none before the pod has a node).
type describedContainer struct {
	spec   corev1.Container
	status *corev1.ContainerStatus
}

func addContainers(p *corev1.Pod, key string, cs []describedContainer) {
	for _, c := range cs {
		switch key {
		case "Init Containers":
			p.Spec.InitContainers = append(p.Spec.InitContainers, c.spec)
		case "Containers":
			p.Spec.Containers = append(p.Spec.Containers, c.spec)
		default:
			p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon(c.spec)})
		}
		if c.status == nil {
			continue
		}
		switch key {
		case "Init Containers":
			p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, *c.status)
		case "Containers":
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, *c.status)
		default:
			p.Status.EphemeralContainerStatuses = append(p.Status.EphemeralContainerStatuses, *c.status)
		}
	}
}

// readContainers reads a Containers section: each container's name on its
// own line ("  app:"), its fields under it.
func readContainers(body []line) []describedContainer {
	var out []describedContainer
	var r *containerReader
	var msg termMessage
	nameIndent := -1
	for _, l := range body {
		inMessage := msg.see(l)
		if !inMessage && isNameLine(l) && (nameIndent < 0 || l.indent <= nameIndent) {
			if r != nil {
				out = append(out, r.done())
			}
			nameIndent = l.indent
			r = newContainerReader(strings.TrimSuffix(l.text, ":"))
			continue
		}
		if r != nil {
			r.read(l, inMessage)
		}
	}
	if r != nil {
		out = append(out, r.done())
	}
	return out
}

// isNameLine is "  app:", the line that names a container or a volume.
func isNameLine(l line) bool {
	return len(l.text) > 1 && strings.HasSuffix(l.text, ":") && !strings.ContainsAny(l.text[:len(l.text)-1], " :")
}

// containerReader reads one container's lines in order.
type containerReader struct {
	c           describedContainer
	fieldIndent int    // of "Image:", "State:" ...; -1 before the first
	field       string // the field the lines under it belong to
	state       *corev1.ContainerState
	hostPorts   string
	message     *pendingText // a Terminated message over several lines
	env         envReader
}

func newContainerReader(name string) *containerReader {
	return &containerReader{c: describedContainer{spec: corev1.Container{Name: name}}, fieldIndent: -1, env: envReader{indent: -1}}
}

// pendingText gathers a value printed over several lines and sets it once
// whole, so that long values cost linear time.
type pendingText struct {
	lines []string
	set   func(string)
}

func (p *pendingText) flush() {
	if p != nil {
		p.set(strings.Join(p.lines, "\n"))
	}
}

func (r *containerReader) read(l line, inMessage bool) {
	if inMessage {
		if r.message != nil {
			r.message.lines = append(r.message.lines, l.raw())
		}
		return
	}
	r.message.flush()
	r.message = nil
	if l.text == "" {
		return
	}
	if r.fieldIndent < 0 {
		r.fieldIndent = l.indent
	}
	if l.indent > r.fieldIndent {
		r.under(l)
		return
	}
	if key, value, ok := cutKey(l.text); ok {
		r.readField(key, value)
	}
}

func (r *containerReader) status() *corev1.ContainerStatus {
	if r.c.status == nil {
		r.c.status = &corev1.ContainerStatus{Name: r.c.spec.Name}
	}
	return r.c.status
}

func (r *containerReader) readField(key, value string) {
	r.field = key
	spec := &r.c.spec
	switch key {
	case "Container ID":
		r.status().ContainerID = value
	case "Image":
		spec.Image = value
	case "Image ID":
		r.status().ImageID = value
	case "Port", "Ports":
		spec.Ports = readPorts(value)
	case "Host Port", "Host Ports":
		r.hostPorts = value
	case "State":
		r.state = &r.status().State
		setState(r.state, value)
	case "Last State":
		r.state = &r.status().LastTerminationState
		setState(r.state, value)
	case "Ready":
		r.status().Ready = strings.EqualFold(value, "true")
	case "Restart Count":
		if n, err := strconv.ParseInt(value, 10, 32); err == nil {
			r.status().RestartCount = int32(n)
		}
	case "Started":
		if b, err := strconv.ParseBool(strings.ToLower(value)); err == nil {
			r.status().Started = &b
		}
	case "Liveness":
		spec.LivenessProbe = readProbe(value)
	case "Readiness":
		spec.ReadinessProbe = readProbe(value)
	case "Startup":
		spec.StartupProbe = readProbe(value)
	}
}

// under reads a line under the current field.
func (r *containerReader) under(l line) {
	spec := &r.c.spec
	switch r.field {
	case "Command":
		spec.Command = append(spec.Command, r.listItem(l))
	case "Args":
		spec.Args = append(spec.Args, r.listItem(l))
	case "State", "Last State":
		r.stateDetail(l)
	case "Limits":
		addQuantity(&spec.Resources.Limits, l.text)
	case "Requests":
		addQuantity(&spec.Resources.Requests, l.text)
	case "Environment":
		r.env.read(spec, l)
	case "Environment Variables from":
		if e, ok := readEnvFrom(l.text); ok {
			spec.EnvFrom = append(spec.EnvFrom, e)
		}
	case "Mounts":
		if m, ok := readMount(l.text); ok {
			spec.VolumeMounts = append(spec.VolumeMounts, m)
		}
	case "Devices":
		if path, name, ok := strings.Cut(l.text, " from "); ok {
			spec.VolumeDevices = append(spec.VolumeDevices, corev1.VolumeDevice{DevicePath: path, Name: name})
		}
	}
}

// listItem is one line of Command or Args, with its own indentation.
func (r *containerReader) listItem(l line) string {
	return strings.Repeat(" ", max(0, l.indent-r.fieldIndent-2)) + l.text
}

func setState(s *corev1.ContainerState, v string) {
	*s = corev1.ContainerState{}
	switch v {
	case "Running":
		s.Running = &corev1.ContainerStateRunning{}
	case "Terminated":
		s.Terminated = &corev1.ContainerStateTerminated{}
	default:
		s.Waiting = &corev1.ContainerStateWaiting{}
	}
}

// stateDetail reads a line under State or Last State.
func (r *containerReader) stateDetail(l line) {
	key, value, ok := cutKey(l.text)
	if !ok || r.state == nil {
		return
	}
	w, run, t := r.state.Waiting, r.state.Running, r.state.Terminated
	date, _ := parseDate(value)
	switch {
	case key == "Reason" && w != nil:
		w.Reason = value
	case key == "Reason" && t != nil:
		t.Reason = value
	case key == "Message" && w != nil:
		w.Message = value
	case key == "Message" && t != nil:
		first := strings.TrimSpace(strings.TrimPrefix(l.text, "Message:")) // verbatim, "<none>" too
		r.message = &pendingText{lines: []string{first}, set: func(s string) { t.Message = s }}
	case key == "Exit Code" && t != nil:
		n, _ := strconv.ParseInt(value, 10, 32)
		t.ExitCode = int32(n)
	case key == "Signal" && t != nil:
		n, _ := strconv.ParseInt(value, 10, 32)
		t.Signal = int32(n)
	case key == "Started" && run != nil:
		run.StartedAt = metav1.Time{Time: date}
	case key == "Started" && t != nil:
		t.StartedAt = metav1.Time{Time: date}
	case key == "Finished" && t != nil:
		t.FinishedAt = metav1.Time{Time: date}
	}
}

// done finishes the container: host ports go with the ports, in order.
func (r *containerReader) done() describedContainer {
	r.message.flush()
	r.env.flush()
	hp := readPorts(r.hostPorts)
	for i := range r.c.spec.Ports {
		if i < len(hp) {
			r.c.spec.Ports[i].HostPort = hp[i].ContainerPort
		}
	}
	if r.c.status != nil {
		r.c.status.Image = r.c.spec.Image
	}
	return r.c
}

var portItem = regexp.MustCompile(`^(\d+)/([A-Za-z]+)(?: \((.+)\))?$`)

// readPorts reads "8080/TCP", "80/TCP (http), 443/TCP (https)".
func readPorts(v string) []corev1.ContainerPort {
	var out []corev1.ContainerPort
	for item := range strings.SplitSeq(v, ", ") {
		m := portItem.FindStringSubmatch(strings.TrimSpace(item))
		if m == nil {
			continue
		}
		n, _ := strconv.ParseInt(m[1], 10, 32)
		out = append(out, corev1.ContainerPort{ContainerPort: int32(n), Protocol: corev1.Protocol(m[2]), Name: m[3]})
	}
	return out
}

var probeAttr = regexp.MustCompile(`(delay|timeout|period|#success|#failure|successThreshold|failureThreshold)=(\d+)`)

// readProbe reads kubectl's one-line probe: "http-get http://:8080/healthz
// delay=0s timeout=1s period=10s #success=1 #failure=3", "tcp-socket :5432
// ...", "exec [sh -c pg_isready] ...", "grpc <pod>:9090 ...". Newer kubectl
// writes successThreshold= and failureThreshold= for #success and #failure.
func readProbe(v string) *corev1.Probe {
	handler, attrs, _ := strings.Cut(v, " delay=")
	p := &corev1.Probe{}
	for _, m := range probeAttr.FindAllStringSubmatch("delay="+attrs, -1) {
		n64, _ := strconv.ParseInt(m[2], 10, 32)
		n := int32(n64)
		switch m[1] {
		case "delay":
			p.InitialDelaySeconds = n
		case "timeout":
			p.TimeoutSeconds = n
		case "period":
			p.PeriodSeconds = n
		case "#success", "successThreshold":
			p.SuccessThreshold = n
		case "#failure", "failureThreshold":
			p.FailureThreshold = n
		}
	}
	kind, target, _ := strings.Cut(strings.TrimSpace(handler), " ")
	target = strings.TrimSpace(target)
	switch kind {
	case "http-get", "https-get":
		p.HTTPGet = readHTTPGet(kind, target)
	case "tcp-socket":
		i := strings.LastIndexByte(target, ':')
		p.TCPSocket = &corev1.TCPSocketAction{Host: target[:max(i, 0)], Port: portOf(target[i+1:])}
	case "exec":
		p.Exec = &corev1.ExecAction{Command: strings.Fields(strings.Trim(target, "[]"))}
	case "grpc":
		addr, service, _ := strings.Cut(target, " ")
		port, _ := strconv.ParseInt(addr[strings.LastIndexByte(addr, ':')+1:], 10, 32)
		p.GRPC = &corev1.GRPCAction{Port: int32(port)}
		if service = strings.TrimSpace(service); service != "" {
			p.GRPC.Service = &service
		}
	}
	return p
}

// readHTTPGet reads "http://:8080/healthz" by hand: the port may be a
// container port's name ("http://:http/ready"), which net/url refuses.
func readHTTPGet(kind, target string) *corev1.HTTPGetAction {
	a := &corev1.HTTPGetAction{Scheme: corev1.URISchemeHTTP}
	scheme, rest, ok := strings.Cut(target, "://")
	if !ok {
		scheme, rest = "", target
	}
	if kind == "https-get" || strings.EqualFold(scheme, "https") {
		a.Scheme = corev1.URISchemeHTTPS
	}
	hostPort, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		hostPort, path = rest[:i], rest[i:]
	}
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	a.Path = path
	if i := strings.LastIndexByte(hostPort, ':'); i >= 0 && !strings.HasSuffix(hostPort, "]") {
		a.Host, a.Port = strings.Trim(hostPort[:i], "[]"), portOf(hostPort[i+1:])
	} else {
		a.Host = strings.Trim(hostPort, "[]")
	}
	return a
}

// portOf is a probe's port: a number, or a container port's name.
func portOf(s string) intstr.IntOrString {
	if n, err := strconv.ParseInt(s, 10, 32); err == nil {
		return intstr.FromInt32(int32(n))
	}
	return intstr.FromString(s)
}

// envReader reads the Environment lines: "NAME:  value" at one
// indentation, a value's further lines deeper.
type envReader struct {
	indent int // of the NAME lines; -1 before the first
	col    int // where the last value starts
	more   *pendingText
}

func (e *envReader) read(spec *corev1.Container, l line) {
	if e.indent >= 0 && l.indent > e.indent {
		if e.more != nil {
			e.more.lines = append(e.more.lines, strings.Repeat(" ", max(0, l.indent-e.col))+l.text)
		}
		return
	}
	e.flush()
	name, _, ok := cutKey(l.text)
	if !ok {
		return
	}
	e.indent, e.col = l.indent, valueColumn(l)
	value := strings.TrimSpace(l.text[len(name)+1:])
	v := envVar(name, value)
	spec.Env = append(spec.Env, v)
	if v.ValueFrom == nil {
		i := len(spec.Env) - 1
		e.more = &pendingText{lines: []string{value}, set: func(s string) { spec.Env[i].Value = s }}
	}
}

func (e *envReader) flush() {
	e.more.flush()
	e.more = nil
}

var (
	envSecret    = regexp.MustCompile(`^<set to the key '(.*)' in secret '(.*)'>(?:\s+Optional: (true|false))?$`)
	envConfigMap = regexp.MustCompile(`^<set to the key '(.*)' of config map '(.*)'>(?:\s+Optional: (true|false))?$`)
	envField     = regexp.MustCompile(`^(?:.*\s)?\((v[0-9a-z]+):([^()]+)\)$`)
	envResource  = regexp.MustCompile(`^(?:.*\s)?\(((?:limits|requests)\.[A-Za-z0-9._/-]+)\)$`)
)

// envVar reads one variable: a value, or where kubectl says it comes from.
func envVar(name, value string) corev1.EnvVar {
	v := corev1.EnvVar{Name: name}
	if m := envSecret.FindStringSubmatch(value); m != nil {
		v.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: m[2]}, Key: m[1], Optional: optional(m[3]),
		}}
	} else if m := envConfigMap.FindStringSubmatch(value); m != nil {
		v.ValueFrom = &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: m[2]}, Key: m[1], Optional: optional(m[3]),
		}}
	} else if m := envField.FindStringSubmatch(value); m != nil {
		v.ValueFrom = &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: m[1], FieldPath: m[2]}}
	} else if m := envResource.FindStringSubmatch(value); m != nil {
		v.ValueFrom = &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: m[1]}}
	} else {
		v.Value = value
	}
	return v
}

// optional reads kubectl's "Optional: true|false"; anything else is unset.
func optional(v string) *bool {
	switch v {
	case "true":
		return ptr(true)
	case "false":
		return ptr(false)
	}
	return nil
}

var envFromPrefix = regexp.MustCompile(`with prefix '([^']*)'`)

// readEnvFrom reads "app-config  ConfigMap  Optional: false" (or "Secret
// with prefix 'DB_'").
func readEnvFrom(text string) (corev1.EnvFromSource, bool) {
	f := strings.Fields(text)
	if len(f) < 2 {
		return corev1.EnvFromSource{}, false
	}
	var e corev1.EnvFromSource
	opt := (*bool)(nil)
	if _, o, ok := strings.Cut(text, "Optional: "); ok {
		opt = optional(strings.TrimSpace(o))
	}
	if m := envFromPrefix.FindStringSubmatch(text); m != nil {
		e.Prefix = m[1]
	}
	ref := corev1.LocalObjectReference{Name: f[0]}
	switch f[1] {
	case "ConfigMap":
		e.ConfigMapRef = &corev1.ConfigMapEnvSource{LocalObjectReference: ref, Optional: opt}
	case "Secret":
		e.SecretRef = &corev1.SecretEnvSource{LocalObjectReference: ref, Optional: opt}
	default:
		return e, false
	}
	return e, true
}

// readMount reads `/etc/app from config (ro)` or `/etc/nginx/nginx.conf
// from conf (rw,path="nginx.conf")`.
func readMount(text string) (corev1.VolumeMount, bool) {
	path, rest, ok := strings.Cut(text, " from ")
	if !ok {
		return corev1.VolumeMount{}, false
	}
	name, flags, _ := strings.Cut(rest, " (")
	flags = strings.TrimSuffix(flags, ")")
	m := corev1.VolumeMount{MountPath: path, Name: name, ReadOnly: strings.HasPrefix(flags, "ro")}
	if _, sub, ok := strings.Cut(flags, "path="); ok {
		if s, err := strconv.Unquote(sub); err == nil {
			m.SubPath = s
		} else {
			m.SubPath = strings.Trim(sub, `"`)
		}
	}
	return m, true
}

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

// parseDate reads kubectl's dates (RFC 1123 with a numeric zone; a zone
// name from other tools). The zero time kubectl prints for "never" is zero.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() <= 1 {
				return time.Time{}, false
			}
			return t, true
		}
	}
	return time.Time{}, false
}
