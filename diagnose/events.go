package diagnose

import (
	"regexp"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
)

// Event is the common form of core/v1 and events.k8s.io/v1 Events.
type Event struct {
	Type      string // Normal or Warning
	Reason    string
	Message   string // verbatim, as the component wrote it
	Count     int32
	FirstTime time.Time
	LastTime  time.Time
	Source    string // reporting component (kubelet, default-scheduler, ...)
	Host      string
	Object    corev1.ObjectReference
}

// FromCoreEvent converts a core/v1 Event.
func FromCoreEvent(e *corev1.Event) Event {
	ev := Event{
		Type: e.Type, Reason: e.Reason, Message: e.Message, Count: e.Count,
		FirstTime: e.FirstTimestamp.Time, LastTime: e.LastTimestamp.Time,
		Source: e.Source.Component, Host: e.Source.Host, Object: e.InvolvedObject,
	}
	if ev.Source == "" {
		ev.Source = e.ReportingController
	}
	if e.Series != nil {
		if e.Series.Count > ev.Count {
			ev.Count = e.Series.Count
		}
		if !e.Series.LastObservedTime.IsZero() {
			ev.LastTime = e.Series.LastObservedTime.Time
		}
	}
	if ev.FirstTime.IsZero() {
		ev.FirstTime = e.EventTime.Time
	}
	if ev.LastTime.IsZero() {
		ev.LastTime = ev.FirstTime
	}
	if ev.FirstTime.IsZero() {
		ev.FirstTime = ev.LastTime // an event with only its last time
	}
	if ev.Count == 0 {
		ev.Count = 1
	}
	return ev
}

// FromEventsV1 converts an events.k8s.io/v1 Event (note -> message,
// regarding -> involved object, series -> count).
func FromEventsV1(e *eventsv1.Event) Event {
	ev := Event{
		Type: e.Type, Reason: e.Reason, Message: e.Note, Count: e.DeprecatedCount,
		FirstTime: e.DeprecatedFirstTimestamp.Time, LastTime: e.DeprecatedLastTimestamp.Time,
		Source: e.ReportingController, Host: e.ReportingInstance, Object: e.Regarding,
	}
	if ev.Source == "" {
		ev.Source = e.DeprecatedSource.Component
	}
	if e.DeprecatedSource.Host != "" {
		ev.Host = e.DeprecatedSource.Host
	}
	if ev.FirstTime.IsZero() {
		ev.FirstTime = e.EventTime.Time
	}
	if e.Series != nil {
		if e.Series.Count > ev.Count {
			ev.Count = e.Series.Count
		}
		if !e.Series.LastObservedTime.IsZero() {
			ev.LastTime = e.Series.LastObservedTime.Time
		}
	}
	if ev.LastTime.IsZero() {
		ev.LastTime = ev.FirstTime
	}
	if ev.FirstTime.IsZero() {
		ev.FirstTime = ev.LastTime // an event with only its last time
	}
	if ev.Count == 0 {
		ev.Count = 1
	}
	return ev
}

// EventsFor keeps the events about pod: by involvedObject UID when both sides
// have one, else by kind, namespace and name. Repeats (same reason and
// normalised message, e.g. re-emitted by an operator or with volumes listed
// in another order) are merged, counts summed; newest first.
func EventsFor(pod *corev1.Pod, all []Event) []Event {
	var out []Event
	idx := map[string]int{}
	for _, e := range all {
		if !eventIsFor(pod, e) {
			continue
		}
		e.Message = strings.TrimSpace(e.Message)
		k := e.Reason + "\x00" + e.Object.FieldPath + "\x00" + NormalizeMessage(e.Message)
		if i, ok := idx[k]; ok {
			m := &out[i]
			m.Count += e.Count
			if e.LastTime.After(m.LastTime) {
				m.LastTime = e.LastTime
				m.Message = e.Message
			}
			if !e.FirstTime.IsZero() && (m.FirstTime.IsZero() || e.FirstTime.Before(m.FirstTime)) {
				m.FirstTime = e.FirstTime
			}
			if e.Type == corev1.EventTypeWarning {
				m.Type = e.Type
			}
			continue
		}
		idx[k] = len(out)
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastTime.After(out[j].LastTime) })
	return out
}

func eventIsFor(pod *corev1.Pod, e Event) bool {
	o := e.Object
	if o.Kind != "" && o.Kind != "Pod" {
		return false
	}
	if o.UID != "" && pod.UID != "" {
		return o.UID == pod.UID
	}
	return o.Namespace == pod.Namespace && o.Name == pod.Name
}

const combinedPrefix = "(combined from similar events):"

var bracketList = regexp.MustCompile(`\[([^\[\]]*)\]`)

// NormalizeMessage strips the "(combined from similar events):" prefix and
// sorts space- or comma-separated lists in brackets, so repeated messages
// that only differ in list order compare equal.
func NormalizeMessage(msg string) string {
	msg = stripCombined(msg)
	return bracketList.ReplaceAllStringFunc(msg, func(s string) string {
		inner := s[1 : len(s)-1]
		sep := " "
		if strings.Contains(inner, ",") {
			sep = ","
		}
		parts := strings.Split(inner, sep)
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		sort.Strings(parts)
		return "[" + strings.Join(parts, sep) + "]"
	})
}

func stripCombined(msg string) string {
	msg = strings.TrimSpace(msg)
	if strings.HasPrefix(msg, combinedPrefix) {
		msg = strings.TrimSpace(msg[len(combinedPrefix):])
	}
	return msg
}

// containerOf reads the container name from a fieldPath such as
// "spec.containers{app}" or "spec.initContainers{init-db}".
func containerOf(fieldPath string) string {
	i := strings.IndexByte(fieldPath, '{')
	j := strings.LastIndexByte(fieldPath, '}')
	if i < 0 || j <= i {
		return ""
	}
	return fieldPath[i+1 : j]
}
