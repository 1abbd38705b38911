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
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
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
	describeName = regexp.MustCompile(`^Name: +\S`) // tabs are expanded; other space is not kubectl's
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

// readPod reads one pod's sections; nil when it has none.
func readPod(pt podText) *describedPod {
	if len(pt.sections) == 0 {
		return nil
	}
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
	guessRestartPolicy(d.pod)
	return d
}

// guessRestartPolicy fills the restart policy describe does not print where
// the owner tells it: a Job's pods never restart with Always, and one that
// restarted runs with OnFailure. Other pods keep the default, Always.
func guessRestartPolicy(p *corev1.Pod) {
	owner := metav1.GetControllerOf(p)
	if owner == nil || owner.Kind != "Job" {
		return
	}
	p.Spec.RestartPolicy = corev1.RestartPolicyNever
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, s := range list {
			if s.RestartCount > 0 {
				p.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
			}
		}
	}
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
