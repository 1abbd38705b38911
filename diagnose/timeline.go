package diagnose

import (
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/internal/termsafe"
)

// MomentKind says what a timeline moment is about.
type MomentKind string

const (
	MomentPod       MomentKind = "pod"       // created, deleted
	MomentCondition MomentKind = "condition" // PodScheduled, Initialized, ContainersReady, Ready
	MomentContainer MomentKind = "container" // started, terminated, waiting
	MomentRestart   MomentKind = "restart"   // a restart and the back-off before it
	MomentEvent     MomentKind = "event"     // an event of the pod
	MomentProbe     MomentKind = "probe"     // a probe failure (Unhealthy events)
	MomentNode      MomentKind = "node"      // a node condition that matters (pressure, NotReady)
	MomentRollout   MomentKind = "rollout"   // the pod's revision was made
)

// Moment is one thing that happened to a pod, on one time axis.
type Moment struct {
	Time      time.Time // when; for a repeated event, its last sighting; zero: not recorded (sorted last)
	First     time.Time // a repeated event's first sighting; zero otherwise
	Count     int32     // how many times (events); 1 otherwise
	Kind      MomentKind
	Container string // "" for pod-level moments
	Warning   bool   // something went wrong here
	Text      string // one line, cleaned of escape sequences
	Source    string // where it was read: "status", "event", "node", or "podtui" (a termination podtui saw, Input.Restarts)
}

// Timeline assembles, oldest first, what happened to in.Pod: its creation
// and condition transitions, each container's state changes and restarts
// (with the back-off before each, 10s doubling to 5m), its events (with
// counts and first/last seen; probe failures apart), the conditions of its
// node that matter, and when its workload's revision was rolled out.
func Timeline(in Input) []Moment {
	pod := in.Pod
	if pod == nil {
		return nil
	}
	var out []Moment
	add := func(m Moment) {
		if m.Count == 0 {
			m.Count = 1
		}
		m.Text = termsafe.Sanitize(strings.ReplaceAll(m.Text, "\n", " "), termsafe.Options{})
		out = append(out, m)
	}
	add(Moment{Time: pod.CreationTimestamp.Time, Kind: MomentPod, Text: "pod created", Source: "status"})
	if ch := Changes(in); ch != nil && !ch.RolledOut.IsZero() {
		add(Moment{
			Time: ch.RolledOut, Kind: MomentRollout, Source: "status",
			Text: fmt.Sprintf("%s revision %d rolled out: %s", ch.Owner, ch.Revision, ch.DiffSummary(3)),
		})
	}
	for _, c := range pod.Status.Conditions {
		if c.LastTransitionTime.IsZero() {
			continue
		}
		text := fmt.Sprintf("%s=%s", c.Type, c.Status)
		if c.Reason != "" {
			text += " (" + c.Reason + ")"
		}
		if c.Message != "" {
			text += ": " + c.Message
		}
		add(Moment{Time: c.LastTransitionTime.Time, Kind: MomentCondition, Warning: c.Status != corev1.ConditionTrue, Text: text, Source: "status"})
	}
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses, pod.Status.EphemeralContainerStatuses} {
		for _, s := range list {
			for _, m := range containerMoments(s) {
				add(m)
			}
		}
	}
	for _, m := range restartMoments(pod, in.Restarts) {
		add(m)
	}
	if t := pod.DeletionTimestamp; t != nil {
		add(Moment{Time: t.Time, Kind: MomentPod, Warning: true, Text: "pod deleted (grace period ends)", Source: "status"})
	}
	for _, e := range EventsFor(pod, in.Events) {
		kind := MomentEvent
		if e.Reason == "Unhealthy" || strings.Contains(e.Message, "probe failed") {
			kind = MomentProbe
		}
		first := e.FirstTime
		if e.Count <= 1 || !first.Before(e.LastTime) {
			first = time.Time{}
		}
		at := e.LastTime
		if at.IsZero() {
			at = e.FirstTime
		}
		add(Moment{
			Time: at, First: first, Count: e.Count, Kind: kind, Container: containerOf(e.Object.FieldPath),
			Warning: e.Type == corev1.EventTypeWarning, Text: e.Reason + ": " + e.Message, Source: "event",
		})
	}
	if in.Related != nil && pod.Spec.NodeName != "" {
		if node, _ := in.Related.Node(pod.Spec.NodeName); node != nil {
			for _, c := range node.Status.Conditions {
				if m, ok := nodeMoment(node.Name, c, pod.CreationTimestamp.Time); ok {
					add(m)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Time, out[j].Time
		if a.IsZero() != b.IsZero() {
			return b.IsZero()
		}
		return a.Before(b)
	})
	return out
}

// containerMoments reads a container's current and last state: when its
// last instance started and ended, the restart after it with the back-off
// the kubelet waited, and what it waits for now.
func containerMoments(s corev1.ContainerStatus) []Moment {
	var out []Moment
	add := func(t time.Time, kind MomentKind, warning bool, text string) {
		out = append(out, Moment{Time: t, Kind: kind, Container: s.Name, Warning: warning, Text: text, Source: "status"})
	}
	last := s.LastTerminationState.Terminated
	if last != nil {
		if !last.StartedAt.IsZero() {
			add(last.StartedAt.Time, MomentContainer, false, s.Name+" started (previous instance)")
		}
		add(last.FinishedAt.Time, MomentContainer, last.ExitCode != 0 || last.Reason == "OOMKilled", s.Name+" "+terminatedText(last))
	}
	switch st := s.State; {
	case st.Running != nil:
		if last != nil && s.RestartCount > 0 && !last.FinishedAt.IsZero() {
			add(st.Running.StartedAt.Time, MomentRestart, true, fmt.Sprintf("%s restarted (restart %d, after %s)", s.Name, s.RestartCount,
				HumanDuration(st.Running.StartedAt.Sub(last.FinishedAt.Time))))
		} else {
			add(st.Running.StartedAt.Time, MomentContainer, false, s.Name+" running")
		}
	case st.Terminated != nil:
		if !st.Terminated.StartedAt.IsZero() {
			add(st.Terminated.StartedAt.Time, MomentContainer, false, s.Name+" started")
		}
		add(st.Terminated.FinishedAt.Time, MomentContainer, st.Terminated.ExitCode != 0, s.Name+" "+terminatedText(st.Terminated))
	case st.Waiting != nil:
		text := s.Name + " waiting: " + st.Waiting.Reason
		if st.Waiting.Message != "" {
			text += " (" + st.Waiting.Message + ")"
		}
		var at time.Time
		if last != nil && st.Waiting.Reason == "CrashLoopBackOff" {
			d, ok := ParseBackoff(st.Waiting.Message)
			if !ok {
				d = CrashBackoff(s.RestartCount)
			}
			at = last.FinishedAt.Time
			text = fmt.Sprintf("%s back-off %s before restart %d", s.Name, d, s.RestartCount+1)
			if !at.IsZero() {
				out = append(out, Moment{Time: at.Add(d), Kind: MomentRestart, Container: s.Name, Text: fmt.Sprintf("%s restart %d due", s.Name, s.RestartCount+1), Source: "status"})
			}
		}
		add(at, MomentContainer, st.Waiting.Reason != "ContainerCreating" && st.Waiting.Reason != "PodInitializing", text)
	}
	return out
}

func terminatedText(t *corev1.ContainerStateTerminated) string {
	s := fmt.Sprintf("terminated: %s, exit code %d", t.Reason, t.ExitCode)
	if t.Reason == "" {
		s = fmt.Sprintf("terminated: exit code %d", t.ExitCode)
	}
	if t.Signal != 0 {
		s += fmt.Sprintf(", signal %d", t.Signal)
	}
	if !t.StartedAt.IsZero() && !t.FinishedAt.IsZero() {
		s += ", ran " + HumanDuration(t.FinishedAt.Sub(t.StartedAt.Time))
	}
	return s
}

// CrashBackoff is the kubelet's delay before restart number restarts+1 of
// a crashing container: 10s, doubling, at most 5m.
func CrashBackoff(restarts int32) time.Duration {
	d := 10 * time.Second
	for i := int32(1); i < restarts && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// nodeMoment keeps the node conditions that matter to its pods: pressure
// and network trouble while true, Ready while not true; and only while
// they are bad or when they changed during the pod's life.
func nodeMoment(node string, c corev1.NodeCondition, since time.Time) (Moment, bool) {
	bad := c.Status == corev1.ConditionTrue
	if c.Type == corev1.NodeReady {
		bad = c.Status != corev1.ConditionTrue
	}
	switch c.Type {
	case corev1.NodeReady, corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure, corev1.NodeNetworkUnavailable:
	default:
		return Moment{}, false
	}
	if !bad && c.LastTransitionTime.Time.Before(since) {
		return Moment{}, false
	}
	text := fmt.Sprintf("node %s %s=%s", node, c.Type, c.Status)
	if c.Reason != "" {
		text += " (" + c.Reason + ")"
	}
	if bad && c.Message != "" {
		text += ": " + c.Message
	}
	return Moment{Time: c.LastTransitionTime.Time, Kind: MomentNode, Warning: bad, Text: text, Source: "node"}, true
}
