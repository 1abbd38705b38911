package report

// The Events table of `kubectl describe pod`, and the times of the text:
// kubectl prints ages ("25m", "2m (x95 over 22m)") counted back from when it
// ran, which the text does not say.

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/diagnose"
)

// when is a time as describe prints it: an age before the snapshot, or a
// date (the oldest kubectl printed dates in its events table).
type when struct {
	age   time.Duration
	date  time.Time
	known bool // false for "<unknown>"
}

// at is the time, given the snapshot time.
func (w when) at(now time.Time) time.Time {
	switch {
	case !w.known:
		return time.Time{}
	case !w.date.IsZero():
		return w.date
	}
	return now.Add(-w.age)
}

// parseWhen reads an age ("25m", "3m12s", "5h30m", "2d", "<invalid>" for a
// time ahead of kubectl's clock, "<unknown>") or a date.
func parseWhen(s string) (when, bool) {
	switch s {
	case "<unknown>":
		return when{}, true
	case "<invalid>":
		return when{known: true}, true
	}
	if t, ok := parseDate(s); ok {
		return when{date: t, known: true}, true
	}
	d, ok := parseAge(s)
	return when{age: d, known: true}, ok
}

var ageUnits = map[byte]time.Duration{'y': 365 * 24 * time.Hour, 'd': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute, 's': time.Second}

// parseAge reads kubectl's human durations: numbers with units y, d, h, m, s.
func parseAge(s string) (time.Duration, bool) {
	var d time.Duration
	n, digits := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			if digits++; digits > 9 {
				return 0, false
			}
			n = n*10 + int(c-'0')
			continue
		}
		unit, ok := ageUnits[c]
		if !ok || digits == 0 {
			return 0, false
		}
		d += time.Duration(n) * unit
		n, digits = 0, 0
	}
	return d, s != "" && digits == 0
}

// pendingEvent is an event whose times wait for the snapshot time.
type pendingEvent struct {
	ev          diagnose.Event
	last, first when
}

// eventColumn is a column of the table, where its header starts.
type eventColumn struct {
	name  string // lower case: type, reason, age, from, message; older kubectl: firstseen, lastseen, count, subobjectpath
	start int
}

// readEvents reads the Events section: a header naming the columns, an
// underline, then a row an event, whose message may go on over the lines
// below it.
func readEvents(body []line) []pendingEvent {
	var cols []eventColumn
	var out []pendingEvent
	var more *pendingText // the last event's message
	flush := func() {
		more.flush()
		more = nil
	}
	for _, l := range body {
		switch {
		case cols == nil:
			cols = eventHeader(l)
		case l.text == "":
			flush()
		case strings.Trim(l.text, "- ") == "":
		default:
			e, ok := readEventRow(cols, l)
			if !ok {
				if more != nil {
					more.lines = append(more.lines, l.raw())
				}
				continue
			}
			flush()
			out = append(out, e)
			i := len(out) - 1
			more = &pendingText{lines: []string{e.ev.Message}, set: func(s string) { out[i].ev.Message = s }}
		}
	}
	flush()
	return out
}

// eventHeader reads the columns of "Type  Reason  Age  From  Message" (or
// the older "FirstSeen  LastSeen  Count  From  SubObjectPath  Type  Reason
// Message"); nil when l is not a header.
func eventHeader(l line) []eventColumn {
	raw := l.raw()
	var cols []eventColumn
	for i := 0; i < len(raw); {
		if raw[i] == ' ' {
			i++
			continue
		}
		j := i
		for j < len(raw) && raw[j] != ' ' {
			j++
		}
		cols = append(cols, eventColumn{name: strings.ToLower(raw[i:j]), start: i})
		i = j
	}
	if len(cols) < 3 || cols[len(cols)-1].name != "message" || columnIndex(cols, "reason") < 0 {
		return nil
	}
	return cols
}

func columnIndex(cols []eventColumn, name string) int {
	for i, c := range cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

var twoSpaces = regexp.MustCompile(`\s{2,}`)

// readEventRow reads a row by the header's columns; when a paste moved them,
// by runs of two or more spaces; and, for today's five columns, by words,
// knowing the shapes of Age and From.
func readEventRow(cols []eventColumn, l line) (pendingEvent, bool) {
	if cells, ok := cellsAtColumns(cols, l.raw()); ok {
		if e, ok := eventOf(cols, cells); ok {
			return e, true
		}
	}
	if cells, ok := cellsBetweenSpaces(cols, l.text); ok {
		if e, ok := eventOf(cols, cells); ok {
			return e, true
		}
	}
	if cells, ok := cellsByWords(cols, l.text); ok {
		return eventOf(cols, cells)
	}
	return pendingEvent{}, false
}

// cellsAtColumns cuts raw at the header's columns. kubectl's tabwriter puts
// two spaces at least between cells, so a row that has other than spaces
// before a column start was re-spaced.
func cellsAtColumns(cols []eventColumn, raw string) ([]string, bool) {
	first := cols[0].start
	if len(raw) <= first || raw[first] == ' ' || strings.TrimSpace(raw[:first]) != "" {
		return nil, false
	}
	cells := make([]string, len(cols))
	for i, c := range cols {
		if c.start >= len(raw) {
			break
		}
		if i > 0 && (c.start < 2 || raw[c.start-2:c.start] != "  ") {
			return nil, false
		}
		end := len(raw)
		if i+1 < len(cols) && cols[i+1].start < len(raw) {
			end = cols[i+1].start
		}
		cells[i] = strings.TrimSpace(raw[c.start:end])
	}
	return cells, true
}

// cellsBetweenSpaces splits a row on runs of two or more spaces; the message
// is the rest.
func cellsBetweenSpaces(cols []eventColumn, text string) ([]string, bool) {
	cells := twoSpaces.Split(text, len(cols))
	return cells, len(cells) == len(cols)
}

// cellsByWords reads "Warning BackOff 2m (x95 over 22m) kubelet, worker-1
// Back-off ..." with single spaces: Type and Reason are one word each, Age
// one or four ("2m (x95 over 22m)"), From one, or two after a comma.
func cellsByWords(cols []eventColumn, text string) ([]string, bool) {
	want := []string{"type", "reason", "age", "from", "message"}
	if len(cols) != len(want) {
		return nil, false
	}
	for i, c := range cols {
		if c.name != want[i] {
			return nil, false
		}
	}
	rest := text
	word := func() string {
		rest = strings.TrimLeft(rest, " ")
		w, r, _ := strings.Cut(rest, " ")
		rest = r
		return w
	}
	typ, reason, age := word(), word(), word()
	if strings.HasPrefix(strings.TrimLeft(rest, " "), "(x") {
		for i := 0; i < 3; i++ {
			age += " " + word()
		}
	}
	from := word()
	if strings.HasSuffix(from, ",") {
		from += " " + word()
	}
	msg := strings.TrimLeft(rest, " ")
	return []string{typ, reason, age, from, msg}, msg != ""
}

var (
	ageCell = regexp.MustCompile(`^(\S+)(?: \(x(\d+) over (\S+)\))?$`)
	// fieldPathPrefix is how kubectl since 1.35 names an event's container
	// in its message.
	fieldPathPrefix = regexp.MustCompile(`^(spec\.(?:initContainers|containers|ephemeralContainers)\{[^{}]*\}): `)
)

// eventOf reads the cells of a row; ok is false when they are not the
// shapes of an event row (a line of a message, most likely).
func eventOf(cols []eventColumn, cells []string) (pendingEvent, bool) {
	var e pendingEvent
	e.ev.Count = 1
	ok := true
	for i, c := range cols {
		v := cells[i]
		switch c.name {
		case "type":
			e.ev.Type = v
			ok = ok && v != "" && !strings.Contains(v, " ")
		case "reason":
			e.ev.Reason = v
			ok = ok && v != "" && !strings.Contains(v, " ")
		case "age":
			ok = ok && e.readAge(v)
		case "lastseen":
			var good bool
			e.last, good = parseWhen(v)
			ok = ok && good
		case "firstseen":
			var good bool
			e.first, good = parseWhen(v)
			ok = ok && good
		case "count":
			n, err := strconv.ParseInt(v, 10, 32)
			e.ev.Count = int32(max(n, 1))
			ok = ok && err == nil
		case "from":
			e.ev.Source, e.ev.Host = readSource(v)
			ok = ok && !strings.Contains(e.ev.Source+e.ev.Host, " ")
		case "subobjectpath":
			e.ev.Object.FieldPath = v
		case "message":
			e.ev.Message = v
		}
	}
	if m := fieldPathPrefix.FindStringSubmatch(e.ev.Message); m != nil && e.ev.Object.FieldPath == "" {
		e.ev.Object.FieldPath = m[1]
		e.ev.Message = e.ev.Message[len(m[0]):]
	}
	return e, ok
}

// readAge reads "25m", or "2m (x95 over 22m)": seen last 2m ago, first 22m
// ago, 95 times.
func (e *pendingEvent) readAge(v string) bool {
	m := ageCell.FindStringSubmatch(strings.Join(strings.Fields(v), " "))
	if m == nil {
		return false
	}
	var ok bool
	e.last, ok = parseWhen(m[1])
	e.first = e.last
	if m[2] != "" {
		n, err := strconv.ParseInt(m[2], 10, 32)
		first, good := parseWhen(m[3])
		e.first, e.ev.Count = first, int32(max(n, 1))
		ok = ok && good && err == nil
	}
	return ok
}

// readSource reads From: "kubelet", "kubelet, worker-1" (older kubectl),
// "{kubelet worker-1}" (older still).
func readSource(v string) (component, host string) {
	v = strings.TrimSpace(strings.Trim(v, "{}"))
	if c, h, ok := strings.Cut(v, ","); ok {
		return strings.TrimSpace(c), strings.TrimSpace(h)
	}
	c, h, _ := strings.Cut(v, " ")
	return c, strings.TrimSpace(h)
}

// beforeStart are the reasons of events that come before the kubelet starts
// the pod (the scheduler's and the autoscaler's), whose ages say nothing of
// how long after its start kubectl ran.
var beforeStart = map[string]bool{
	"FailedScheduling": true, "Scheduled": true, "Nominated": true, "TriggeredScaleUp": true, "NotTriggerScaleUp": true,
}

// snapshotTime estimates when kubectl ran: the latest of the dates in the
// text (start times, containers' start and finish times) and of a pod's
// start time plus the age of its oldest event since, or of its deletion.
// Each of these is a time kubectl ran after, so their latest is the best
// guess the text allows. Zero when the text holds no date.
func snapshotTime(pods []*describedPod) time.Time {
	var t time.Time
	later := func(x time.Time) {
		if x.After(t) {
			t = x
		}
	}
	for _, d := range pods {
		later(diagnose.NewestTime(d.pod, nil))
		for _, e := range d.events {
			later(e.last.date)
			later(e.first.date)
		}
		start := d.pod.Status.StartTime
		if start == nil {
			continue
		}
		if d.deleted.known && d.deleted.date.IsZero() {
			later(start.Add(d.deleted.age))
		}
		for _, e := range d.events {
			if e.first.known && e.first.date.IsZero() && !beforeStart[e.ev.Reason] {
				later(start.Add(e.first.age))
			}
		}
	}
	return t
}

// settle gives the pod and its events their times, as of now, the snapshot
// time. Without a start time the pod is taken to be as old as its oldest
// event: describe does not print the creation time.
func (d *describedPod) settle(now time.Time) []diagnose.Event {
	p := d.pod
	out := make([]diagnose.Event, 0, len(d.events))
	var oldest time.Time
	for _, pe := range d.events {
		e := pe.ev
		e.Object.Kind, e.Object.Namespace, e.Object.Name = "Pod", p.Namespace, p.Name
		e.LastTime, e.FirstTime = pe.last.at(now), pe.first.at(now)
		if e.LastTime.IsZero() {
			e.LastTime = e.FirstTime
		}
		if e.FirstTime.IsZero() {
			e.FirstTime = e.LastTime
		}
		if !e.FirstTime.IsZero() && (oldest.IsZero() || e.FirstTime.Before(oldest)) {
			oldest = e.FirstTime
		}
		out = append(out, e)
	}
	if d.deleted.known {
		p.DeletionTimestamp = &metav1.Time{Time: d.deleted.at(now)}
	}
	switch {
	case p.Status.StartTime != nil:
		p.CreationTimestamp = *p.Status.StartTime
	case !oldest.IsZero():
		p.CreationTimestamp = metav1.Time{Time: oldest}
	}
	return out
}

// loadDescribe reads kubectl describe text into b.
func (b *Bundle) loadDescribe(name string, data []byte) error {
	var pods []*describedPod
	first := 0
	for _, pt := range splitPods(describeLines(data)) {
		d := readPod(pt)
		if d == nil {
			continue
		}
		if first == 0 {
			first = d.line
		}
		if d.usable && d.pod.Name != "" {
			pods = append(pods, d)
		}
	}
	if len(pods) == 0 {
		return &Error{File: name, Line: first, Msg: "reads as kubectl describe output but holds no pod (no Containers under its Name): give the whole output of kubectl describe pod"}
	}
	now := snapshotTime(pods)
	if now.IsZero() {
		now = b.clock()
		b.NowFromClock = true
	}
	for _, d := range pods {
		b.Events = append(b.Events, d.settle(now)...)
		b.Pods = append(b.Pods, d.pod)
		b.Objects++
	}
	if now.After(b.Now) {
		b.Now = now
	}
	return nil
}

// clock is the time to judge undated describe text at.
func (b *Bundle) clock() time.Time {
	if b.Clock != nil {
		return b.Clock()
	}
	return time.Unix(0, 0).UTC()
}
