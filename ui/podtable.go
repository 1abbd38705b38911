package ui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// SortKey is a column the pod list can be sorted by.
type SortKey int

// Sort columns, in the order the sort key cycles through them.
const (
	SortName SortKey = iota
	SortStatus
	SortRestarts
	SortAge
	SortNode
	// Usage keys (metrics.k8s.io); skipped while the usage columns are hidden.
	SortCPU
	SortMem
	SortCPUReq
	SortCPULim
	SortMemReq
	SortMemLim
	sortKeyCount
)

func (k SortKey) String() string {
	return [...]string{"name", "status", "restarts", "age", "node", "cpu", "mem", "%cpu/r", "%cpu/l", "%mem/r", "%mem/l"}[k]
}

// podRow is a pod reduced to what the list shows, computed when the pod
// changes, not on every frame. Ages are formatted at draw time.
type podRow struct {
	uid         string
	namespace   string
	name        string
	ready       string
	status      string
	restarts    int
	lastRestart time.Time
	node        string
	ip          string
	created     time.Time
	health      diagnose.Health
	diag        string // category of the top finding, "" when healthy
	diagSev     diagnose.Severity
	search      string // lower-case text the filter matches against
	pod         *corev1.Pod
	usage       usageCells
}

func newPodRow(p *corev1.Pod, now time.Time) podRow {
	c := diagnose.PodColumns(p)
	diag, sev := topFinding(p, now)
	return podRow{
		uid:         string(p.UID),
		namespace:   p.Namespace,
		name:        p.Name,
		ready:       itoa(c.Ready) + "/" + itoa(c.Total),
		status:      c.Status,
		restarts:    c.Restarts,
		lastRestart: c.LastRestart,
		node:        p.Spec.NodeName,
		ip:          p.Status.PodIP,
		created:     p.CreationTimestamp.Time,
		health:      c.Health,
		diag:        diag,
		diagSev:     sev,
		search:      strings.ToLower(p.Name + " " + p.Namespace + " " + c.Status + " " + p.Spec.NodeName),
		pod:         p,
	}
}

// topFinding labels a pod with the category of its most likely problem,
// judged from the pod alone (events and related objects come in the
// diagnosis page).
func topFinding(p *corev1.Pod, now time.Time) (string, diagnose.Severity) {
	for _, f := range diagnose.Diagnose(diagnose.Input{Pod: p, Now: now}) {
		if f.Severity >= diagnose.SeverityWarning {
			return string(f.Category), f.Severity
		}
	}
	return "", diagnose.SeverityInfo
}

// podTable is the virtual pod table: it holds every row, and draws only the
// visible ones.
type podTable struct {
	all      []podRow // every pod in scope, sorted
	shown    []int    // indexes into all, after the filter
	filter   string
	sortKey  SortKey
	reverse  bool
	cursor   int // index into shown
	offset   int // first visible index into shown
	height   int // rows available for pods
	selected string
	widths   map[string]int // widest cell per text column, measured on data change

	// metrics is the latest poll; hideUsage hides its columns.
	metrics   kube.PodMetrics
	hideUsage bool
}

// setPods replaces the data, keeping the selection on the same pod.
func (t *podTable) setPods(pods []*corev1.Pod, now time.Time) {
	// Rows of unchanged pods are reused: only changed pods are re-derived.
	old := make(map[string]*podRow, len(t.all))
	for i := range t.all {
		old[t.all[i].uid] = &t.all[i]
	}
	rows := make([]podRow, len(pods))
	for i, p := range pods {
		if r, ok := old[string(p.UID)]; ok && r.pod == p {
			rows[i] = *r
			continue
		}
		rows[i] = newPodRow(p, now)
		t.applyUsage(&rows[i], now)
	}
	t.all = rows
	t.resort()
}

func (t *podTable) resort() {
	key, rev := t.sortKey, t.reverse
	slices.SortFunc(t.all, func(a, b podRow) int {
		c := compareRows(a, b, key)
		if rev {
			c = -c
		}
		if c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.namespace, b.namespace), cmp.Compare(a.name, b.name))
	})
	t.refilter()
}

func compareRows(a, b podRow, key SortKey) int {
	if isUsageSort(key) {
		return compareUsage(&a.usage, &b.usage, key)
	}
	switch key {
	case SortStatus:
		// Worst first: failing, progressing, healthy, completed.
		return cmp.Or(cmp.Compare(healthRank(a.health), healthRank(b.health)), cmp.Compare(a.status, b.status))
	case SortRestarts:
		return cmp.Compare(b.restarts, a.restarts)
	case SortAge:
		return b.created.Compare(a.created) // youngest first, like a feed
	case SortNode:
		return cmp.Compare(a.node, b.node)
	default:
		return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.namespace, b.namespace))
	}
}

func healthRank(h diagnose.Health) int {
	switch h {
	case diagnose.HealthFailing:
		return 0
	case diagnose.HealthProgressing:
		return 1
	case diagnose.HealthOK:
		return 2
	default:
		return 3
	}
}

// refilter recomputes the visible rows. Each space-separated term must match
// fuzzily; matches keep the sort order.
func (t *podTable) refilter() {
	t.shown = t.shown[:0]
	terms := strings.Fields(strings.ToLower(t.filter))
	if len(terms) == 0 {
		for i := range t.all {
			t.shown = append(t.shown, i)
		}
	} else {
		src := rowSearch(t.all)
		keep := make([]int, len(t.all))
		for _, term := range terms {
			for _, m := range fuzzy.FindFrom(term, src) {
				keep[m.Index]++
			}
		}
		for i, n := range keep {
			if n == len(terms) {
				t.shown = append(t.shown, i)
			}
		}
	}
	t.measure()
	t.restoreSelection()
}

// measure records the widest value of each text column among shown rows.
func (t *podTable) measure() {
	w := map[string]int{}
	for _, idx := range t.shown {
		r := &t.all[idx]
		w["NAMESPACE"] = max(w["NAMESPACE"], len(r.namespace))
		w["NAME"] = max(w["NAME"], len(r.name))
		w["READY"] = max(w["READY"], len(r.ready))
		w["STATUS"] = max(w["STATUS"], ansi.StringWidth(r.status))
		w["DIAG"] = max(w["DIAG"], len(r.diag))
		w["NODE"] = max(w["NODE"], len(r.node))
		w["IP"] = max(w["IP"], len(r.ip))
		for c, title := range usageTitles {
			w[title] = max(w[title], len(r.usage.text[c]))
		}
	}
	t.widths = w
}

type rowSearch []podRow

func (r rowSearch) String(i int) string { return r[i].search }
func (r rowSearch) Len() int            { return len(r) }

// restoreSelection puts the cursor back on the pod it was on, if still shown.
func (t *podTable) restoreSelection() {
	if t.selected != "" {
		for i, idx := range t.shown {
			if t.all[idx].uid == t.selected {
				t.cursor = i
				t.clamp()
				return
			}
		}
	}
	t.clamp()
}

func (t *podTable) clamp() {
	n := len(t.shown)
	t.cursor = max(0, min(t.cursor, n-1))
	if t.height > 0 {
		if t.cursor < t.offset {
			t.offset = t.cursor
		}
		if t.cursor >= t.offset+t.height {
			t.offset = t.cursor - t.height + 1
		}
		t.offset = max(0, min(t.offset, n-t.height))
	}
	t.offset = max(0, t.offset)
	if n > 0 {
		t.selected = t.all[t.shown[t.cursor]].uid
	} else {
		t.selected = ""
	}
}

func (t *podTable) move(delta int) {
	t.cursor += delta
	t.clamp()
}

func (t *podTable) setHeight(h int) {
	t.height = max(1, h)
	t.clamp()
}

// visible returns the indexes into all of the rows on screen.
func (t *podTable) visible() []int {
	end := min(len(t.shown), t.offset+t.height)
	return t.shown[min(t.offset, end):end]
}

// selectedRow returns the row under the cursor.
func (t *podTable) selectedRow() (podRow, bool) {
	if len(t.shown) == 0 {
		return podRow{}, false
	}
	return t.all[t.shown[t.cursor]], true
}

// column is one column of the table.
type column struct {
	title string
	width int
	cell  func(r *podRow, now time.Time) string
}

func (t *podTable) columns(allNS bool, width int, now time.Time) []column {
	cols := []column{}
	if allNS {
		cols = append(cols, column{title: "NAMESPACE", width: 9, cell: func(r *podRow, _ time.Time) string { return r.namespace }})
	}
	cols = append(cols,
		column{title: "NAME", width: 4, cell: func(r *podRow, _ time.Time) string { return r.name }},
		column{title: "READY", width: 5, cell: func(r *podRow, _ time.Time) string { return r.ready }},
		column{title: "STATUS", width: 6, cell: func(r *podRow, _ time.Time) string { return r.status }},
		column{title: "DIAG", width: 4, cell: func(r *podRow, _ time.Time) string { return r.diag }},
		column{title: "RESTARTS", width: 8, cell: restartsCell},
		column{title: "AGE", width: 3, cell: func(r *podRow, now time.Time) string { return diagnose.Age(r.created, now) }},
	)
	if !t.hideUsage {
		for c, title := range usageTitles {
			// Without any numbers, percentages of n/a say nothing: CPU and MEM alone carry the n/a.
			if c >= colCPUReq && t.metrics.Pods == nil {
				break
			}
			cols = append(cols, column{title: title, width: len(title), cell: func(r *podRow, _ time.Time) string { return r.usage.text[c] }})
		}
	}
	cols = append(cols,
		column{title: "NODE", width: 4, cell: func(r *podRow, _ time.Time) string { return r.node }},
		column{title: "IP", width: 2, cell: func(r *podRow, _ time.Time) string { return r.ip }},
	)
	// Text columns are as wide as their widest value among the shown rows
	// (so widths do not jump while scrolling), capped so one long name
	// cannot push the rest off screen.
	// Time-dependent columns are measured over the visible rows only.
	for i := range cols {
		c := &cols[i]
		switch c.title {
		case "RESTARTS", "AGE":
			for _, idx := range t.visible() {
				c.width = max(c.width, ansi.StringWidth(c.cell(&t.all[idx], now)))
			}
		default:
			c.width = max(c.width, t.widths[c.title])
		}
		c.width = min(c.width, 48)
	}
	cols = fitUsage(cols, width)
	// Give NAME what is left when the screen is narrow.
	total := 0
	for _, c := range cols {
		total += c.width + 2
	}
	if total > width {
		for i := range cols {
			if cols[i].title == "NAME" {
				cols[i].width = max(10, cols[i].width-(total-width))
			}
		}
	}
	return cols
}

func restartsCell(r *podRow, now time.Time) string {
	s := itoa(r.restarts)
	if r.restarts > 0 && !r.lastRestart.IsZero() {
		s += " (" + diagnose.Age(r.lastRestart, now) + " ago)"
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

// pad cuts or pads s to exactly w cells.
func pad(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}
