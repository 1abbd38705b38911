package ui

import (
	"cmp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

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
	// What a filter pass (scan) reads of every row comes first, together,
	// so that it takes few cache lines per row.
	matchGen    uint64
	match       bool // whether the row matches the filter numbered matchGen
	usageWidth  [usageCols]uint8
	uidKey      uint64 // the UID's last bytes packed: most rows are told from the selection without reading the UID
	statusWidth int    // cells of status
	search      string // lower-case text the filter matches against
	namespace   string
	name        string
	ready       string
	diag        string // category of the top finding, "" when healthy
	node        string
	ip          string

	uid         string
	status      string
	restarts    int
	lastRestart time.Time
	created     time.Time
	health      diagnose.Health
	diagSev     diagnose.Severity
	laterDiag   uint8 // the widest DIAG the pod reaches with time alone (PodSummary.Later)
	pod         *kube.PodSummary
	usage       usageCells
	keys        rowKeys
	seen        uint64 // the table's snapshot number this row was last in
}

func newPodRow(p *kube.PodSummary) *podRow {
	c := p.Columns
	var later int
	for _, v := range p.Later {
		later = max(later, len(v.Problem))
	}
	return &podRow{
		laterDiag:   uint8(min(later, 255)),
		uid:         string(p.UID),
		uidKey:      last8(string(p.UID)),
		namespace:   p.Namespace,
		name:        p.Name,
		ready:       itoa(c.Ready) + "/" + itoa(c.Total),
		status:      c.Status,
		restarts:    c.Restarts,
		lastRestart: c.LastRestart,
		node:        p.Node,
		ip:          p.IP,
		created:     p.CreationTimestamp.Time,
		health:      c.Health,
		diag:        string(p.Problem),
		diagSev:     p.ProblemSeverity,
		search:      beforeNUL(strings.ToLower(p.Name + " " + p.Namespace + " " + c.Status + " " + p.Node)),
		pod:         p,
		statusWidth: ansi.StringWidth(c.Status),
		keys:        packKeys(p.Namespace, p.Name, p.Node, c.Status),
	}
}

// rowKeys are a row's strings packed for sorting (see sortAll), computed
// once per row so that a sort does not read the strings, which lie all over
// the pod cache.
type rowKeys struct {
	ns, node, status uint64
	name             [3]uint64 // the first 24 bytes
	exact            uint8     // exactNS, exactName, exactNode, exactStatus
}

func packKeys(ns, name, node, status string) rowKeys {
	var k rowKeys
	var ok bool
	if k.ns, ok = prefix(ns, 8); ok {
		k.exact |= exactNS
	}
	k.name[0], _ = prefix(name, 8)
	if len(name) > 8 {
		k.name[1], _ = prefix(name[8:], 8)
	}
	if len(name) > 16 {
		k.name[2], _ = prefix(name[16:], 8)
	}
	if len(name) <= 24 && strings.IndexByte(name, 0) < 0 {
		k.exact |= exactName
	}
	if k.node, ok = prefix(node, 8); ok {
		k.exact |= exactNode
	}
	if k.status, ok = prefix(status, 7); ok {
		k.exact |= exactStatus
	}
	return k
}

// podTable is the virtual pod table: it holds every row, and draws only the
// visible ones. Rows are derived once per pod object and kept across
// snapshots; a snapshot with a few changed pods costs a pass over the
// pointers plus an insertion of the changed rows into the sorted order, not
// a re-sort, a re-filter and a re-derive of everything.
type podTable struct {
	all      []*podRow // every pod in scope, sorted
	shown    []int     // indexes into all, after the filter
	filter   string
	sortKey  SortKey
	reverse  bool
	cursor   int // index into shown
	offset   int // first visible index into shown
	height   int // rows available for pods
	selected string
	widths   map[string]int // widest cell per text column, measured on data change

	// byPod finds the row of a pod object; seen marks the rows of the
	// latest snapshot.
	byPod map[*kube.PodSummary]*podRow
	seen  uint64
	// terms is the filter split into lower-case terms; matchGen numbers the
	// filter the rows' match flags were computed for, chainStart the first
	// filter of the current chain of narrowing ones (see matchState).
	terms      [][]rune
	termsFor   string
	matchGen   uint64
	chainStart uint64
	candBuf    []int

	// metrics is the latest poll; hideUsage hides its columns.
	metrics   kube.PodMetrics
	hideUsage bool

	// byTie holds the rows in the order every sort breaks ties by
	// (namespace, name), kept up to date as rows come and go (podsort.go).
	byTie []*podRow
	// sortBuf and radixBuf are sortAll's scratch space, kept between sorts;
	// reordered says whether the last sortAll also set t.shown and the cursor.
	sortBuf   []radixEnt
	radixBuf  []radixEnt
	reordered bool
}

// setPods replaces the data, keeping the selection on the same pod.
func (t *podTable) setPods(pods []*kube.PodSummary, now time.Time) {
	// Rows of unchanged pods (the same object) are reused: only changed pods
	// are re-derived, and only they are placed in the sorted order.
	if t.byPod == nil {
		t.byPod = make(map[*kube.PodSummary]*podRow, len(pods))
	}
	t.seen++
	var fresh []*kube.PodSummary
	for _, p := range pods {
		if r, ok := t.byPod[p]; ok && r.seen != t.seen {
			r.seen = t.seen
			continue
		}
		// New, or the same object twice in one snapshot: a row each.
		fresh = append(fresh, p)
	}
	added := t.deriveRows(fresh, now)
	for _, r := range added {
		r.seen = t.seen
		t.byPod[r.pod] = r
	}
	kept := t.all[:0]
	var gone []*podRow
	for _, r := range t.all {
		if r.seen == t.seen && t.byPod[r.pod] == r {
			kept = append(kept, r)
			continue
		}
		if t.byPod[r.pod] == r {
			delete(t.byPod, r.pod)
		}
		gone = append(gone, r)
	}
	clear(t.all[len(kept):])
	t.all = kept
	if len(added) == 0 && len(gone) == 0 {
		return // the same pods: rows, order, filter and widths hold
	}
	t.updateTie(gone, added)
	if len(added) > len(kept)/8 {
		t.all = append(t.all, added...)
		t.resort()
		return
	}
	// added is small: its own sort needs no packing.
	// A few changes: sort the new rows and merge them into the order.
	slices.SortFunc(added, t.compare)
	merged := make([]*podRow, 0, len(kept)+len(added))
	i := 0
	for _, r := range added {
		j := i + sort.Search(len(kept)-i, func(k int) bool { return t.compare(kept[i+k], r) > 0 })
		merged = append(merged, kept[i:j]...)
		merged = append(merged, r)
		i = j
	}
	t.all = append(merged, kept[i:]...)
	t.refilter()
}

// deriveRows makes the rows of new pod objects. Many at once (the first
// snapshot of a big cluster) are split over the CPUs: each row runs the
// diagnose engine on its pod, which is pure.
func (t *podTable) deriveRows(pods []*kube.PodSummary, now time.Time) []*podRow {
	rows := make([]*podRow, len(pods))
	derive := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r := newPodRow(pods[i])
			t.applyUsage(r, now) // reads t.metrics only
			rows[i] = r
		}
	}
	workers := 1
	if len(pods) >= parallelDerive {
		workers = min(runtime.GOMAXPROCS(0), len(pods)/(parallelDerive/2))
	}
	if workers <= 1 {
		derive(0, len(pods))
		return rows
	}
	chunk := (len(pods) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { derive(min(len(pods), w*chunk), min(len(pods), (w+1)*chunk)) })
	}
	wg.Wait()
	return rows
}

// parallelDerive is the count of new rows above which deriveRows uses
// every CPU.
const parallelDerive = 2_000

// compare orders rows by the sort key, then by namespace and name.
func (t *podTable) compare(a, b *podRow) int {
	c := compareRows(a, b, t.sortKey)
	if t.reverse {
		c = -c
	}
	if c != 0 {
		return c
	}
	return cmp.Or(strings.Compare(a.namespace, b.namespace), strings.Compare(a.name, b.name))
}

func (t *podTable) resort() {
	t.sortAll()
	t.refilter()
}

// reorder applies a new sort key or direction: the same rows pass the same
// filter, so the widths hold, and the shown rows and the selection come out
// of the sort itself without another pass over the rows.
func (t *podTable) reorder() {
	if t.filter != t.termsFor {
		t.resort()
		return
	}
	t.sortAll()
	if !t.reordered {
		t.refilter()
		return
	}
	t.clamp()
}

// orderedInt maps an int64 to a uint64 of the same order.
func orderedInt(v int64) uint64 { return uint64(v) ^ (1 << 63) }

// prefix packs the first n (at most 8) bytes of s big-endian, so that
// packed values order as the strings do where they differ; whole says s
// fits.
func prefix(s string, n int) (v uint64, whole bool) {
	for i := range n {
		v <<= 8
		if i < len(s) {
			v |= uint64(s[i])
		}
	}
	// A NUL byte would pack like the padding.
	return v, len(s) <= n && strings.IndexByte(s, 0) < 0
}

func compareRows(a, b *podRow, key SortKey) int {
	if isUsageSort(key) {
		return compareUsage(&a.usage, &b.usage, key)
	}
	switch key {
	case SortStatus:
		// Worst first: failing, progressing, healthy, completed.
		return cmp.Or(cmp.Compare(healthRank(a.health), healthRank(b.health)), strings.Compare(a.status, b.status))
	case SortRestarts:
		return cmp.Compare(b.restarts, a.restarts)
	case SortAge:
		return b.created.Compare(a.created) // youngest first, like a feed
	case SortNode:
		return strings.Compare(a.node, b.node)
	default:
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.namespace, b.namespace))
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
// fuzzily (its letters in order, as sahilm/fuzzy matches); matches keep the
// sort order. A row's result is kept until the filter changes, and when the
// query only grows (a term typed on), only the rows that matched before are
// looked at again.
func (t *podTable) refilter() {
	t.shown = t.shown[:0]
	if t.filter != t.termsFor {
		old := t.terms
		t.terms = t.terms[:0:0]
		for _, f := range strings.Fields(strings.ToLower(t.filter)) {
			t.terms = append(t.terms, []rune(f))
		}
		narrowing := t.termsFor != "" && len(old) > 0 && narrows(old, t.terms)
		t.termsFor = t.filter
		t.matchGen++
		if narrowing {
			// Only rows the old terms matched can match: scan those.
			t.candBuf = append(t.candBuf[:0], t.shown...)
			t.scan(t.candBuf)
			return
		}
		t.chainStart = t.matchGen
	}
	t.scan(nil)
}

// matchState says whether a row matches the filter, and whether that is
// known without matching it again: a row that failed a filter of the
// current chain of narrowing filters (each the last one typed on) fails the
// current one too.
func (t *podTable) matchState(r *podRow) (match, known bool) {
	switch {
	case r.matchGen == t.matchGen:
		return r.match, true
	case !r.match && r.matchGen >= t.chainStart:
		return false, true
	}
	return false, false
}

// parallelRows is the row count above which scan splits its work over the
// CPUs: each row read is mostly a cache miss, and a first filter keystroke
// over 100k rows is worth two cores.
const parallelRows = 20_000

// scanPart is one worker's share of scan: the shown rows of its range, their
// widths, and where the selected pod is among them (-1: not there).
type scanPart struct {
	shown    []int
	widths   colWidths
	selected int
}

// scan matches the rows against the filter where not known yet, and sets the
// shown rows, the column widths and the cursor, in one pass over the rows:
// all of them, or only the candidates (indexes into t.all, in order) when
// a filter narrows.
func (t *podTable) scan(cands []int) {
	n := len(t.all)
	if cands != nil {
		n = len(cands)
	}
	workers := 1
	if n >= parallelRows {
		workers = min(runtime.GOMAXPROCS(0), n/(parallelRows/2))
	}
	parts := make([]scanPart, workers)
	chunk := (n + workers - 1) / workers
	all := len(t.terms) == 0
	if all {
		n = len(t.all)
		// Every row is shown: each part fills its own range of t.shown.
		t.shown = slices.Grow(t.shown[:0], n)[:n]
	}
	var wg sync.WaitGroup
	for w := range parts {
		lo, hi := min(n, w*chunk), min(n, (w+1)*chunk)
		work := func() { parts[w] = t.scanRange(lo, hi, cands, w == 0, all) }
		if workers == 1 {
			work()
		} else {
			wg.Go(work)
		}
	}
	wg.Wait()
	var widths colWidths
	cursor := -1
	if !all {
		t.shown = t.shown[:0] // part 0 wrote its rows at the start of this array
	}
	for _, p := range parts {
		if p.selected >= 0 && cursor < 0 {
			cursor = p.selected
			if !all {
				cursor += len(t.shown)
			}
		}
		if !all {
			t.shown = append(t.shown, p.shown...)
		}
		widths.merge(&p.widths)
	}
	t.setWidths(&widths)
	if cursor >= 0 {
		t.cursor = cursor
	}
	t.clamp()
}

// scanRange is scan over t.all[lo:hi], or over cands[lo:hi] when given.
// With all (no filter) it writes t.shown[lo:hi] in place and p.selected is
// an index of t.shown; otherwise the first part appends to t.shown's array,
// the others to their own, and p.selected is an index of p.shown.
func (t *podTable) scanRange(lo, hi int, cands []int, first, all bool) scanPart {
	p := scanPart{selected: -1}
	if first && !all {
		p.shown = t.shown[:0]
	}
	selKey := last8(t.selected)
	for k := lo; k < hi; k++ {
		i := k
		if cands != nil {
			i = cands[k]
		}
		r := t.all[i]
		if !all {
			match, known := t.matchState(r)
			if !known {
				match = matchesAll(t.terms, r.search)
				r.match, r.matchGen = match, t.matchGen
			}
			if !match {
				continue
			}
		}
		if p.selected < 0 && t.selected != "" && r.uidKey == selKey && r.uid == t.selected {
			p.selected = len(p.shown)
			if all {
				p.selected = i
			}
		}
		if all {
			t.shown[i] = i
		} else {
			p.shown = append(p.shown, i)
		}
		p.widths.add(r)
	}
	return p
}

// last8 packs the last 8 bytes of s (see prefix): the end of a UID is as
// random as its start, and generated UIDs often share their start.
func last8(s string) uint64 {
	v, _ := prefix(s[max(0, len(s)-8):], 8)
	return v
}

// narrows reports whether every row matching the terms next also matched
// the terms old: next has old's terms, each as typed on, and maybe more.
func narrows(old, next [][]rune) bool {
	if len(next) < len(old) {
		return false
	}
	for i, o := range old {
		if len(next[i]) < len(o) || !slices.Equal(next[i][:len(o)], o) {
			return false
		}
	}
	return true
}

// matchesAll reports whether a row's search text (cut at a NUL already)
// matches every term.
func matchesAll(terms [][]rune, s string) bool {
	for _, term := range terms {
		if !subsequence(term, s) {
			return false
		}
	}
	return true
}

// beforeNUL cuts s at its first NUL, as sahilm/fuzzy reads strings.
func beforeNUL(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// fuzzyMatch reports whether s contains the pattern's runes in order, with
// the case folding of sahilm/fuzzy, and up to the first NUL like it: the
// same rows its FindFrom matches, without scoring them.
func fuzzyMatch(pattern []rune, s string) bool {
	return subsequence(pattern, beforeNUL(s))
}

// subsequence is fuzzyMatch on text without a NUL.
func subsequence(pattern []rune, s string) bool {
	if len(pattern) == 0 {
		return false
	}
	p := 0
	for j := 0; j < len(s); {
		c, size := rune(s[j]), 1
		pc := pattern[p]
		var eq bool
		switch {
		case c < utf8.RuneSelf && pc < utf8.RuneSelf:
			// ASCII both: equalFold without the call (most rows, most keys).
			eq = c == pc || ('A' <= c && c <= 'Z' && c+'a'-'A' == pc) || ('A' <= pc && pc <= 'Z' && pc+'a'-'A' == c)
		case c >= utf8.RuneSelf:
			c, size = utf8.DecodeRuneInString(s[j:])
			eq = equalFold(pc, c)
		default:
			eq = equalFold(pc, c)
		}
		if eq {
			p++
			if p == len(pattern) {
				return true
			}
		}
		j += size
	}
	return false
}

// equalFold is sahilm/fuzzy's rune comparison.
func equalFold(tr, sr rune) bool {
	if tr == sr {
		return true
	}
	if tr < sr {
		tr, sr = sr, tr
	}
	if tr < utf8.RuneSelf {
		return 'A' <= sr && sr <= 'Z' && tr == sr+'a'-'A'
	}
	r := unicode.SimpleFold(sr)
	for r != sr && r < tr {
		r = unicode.SimpleFold(r)
	}
	return r == tr
}

// colWidths is the widest value of each text column among some rows.
type colWidths struct {
	ns, name, ready, status, diag, node, ip int
	usage                                   [len(usageTitles)]int
}

func (c *colWidths) add(r *podRow) {
	c.ns = max(c.ns, len(r.namespace))
	c.name = max(c.name, len(r.name))
	c.ready = max(c.ready, len(r.ready))
	c.status = max(c.status, r.statusWidth)
	c.diag = max(c.diag, len(r.diag), int(r.laterDiag))
	c.node = max(c.node, len(r.node))
	c.ip = max(c.ip, len(r.ip))
	for i, w := range r.usageWidth {
		c.usage[i] = max(c.usage[i], int(w))
	}
}

func (c *colWidths) merge(o *colWidths) {
	c.ns, c.name, c.ready, c.status = max(c.ns, o.ns), max(c.name, o.name), max(c.ready, o.ready), max(c.status, o.status)
	c.diag, c.node, c.ip = max(c.diag, o.diag), max(c.node, o.node), max(c.ip, o.ip)
	for i := range c.usage {
		c.usage[i] = max(c.usage[i], o.usage[i])
	}
}

func (t *podTable) setWidths(c *colWidths) {
	w := map[string]int{"NAMESPACE": c.ns, "NAME": c.name, "READY": c.ready, "STATUS": c.status, "DIAG": c.diag, "NODE": c.node, "IP": c.ip}
	for i, title := range usageTitles {
		w[title] = max(w[title], c.usage[i])
	}
	t.widths = w
}

// measure records the widest value of each text column among shown rows.
func (t *podTable) measure() {
	var c colWidths
	for _, idx := range t.shown {
		c.add(t.all[idx])
	}
	t.setWidths(&c)
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
	return *t.all[t.shown[t.cursor]], true
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
		column{title: "DIAG", width: 4, cell: t.diagAt},
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
				c.width = max(c.width, ansi.StringWidth(c.cell(t.all[idx], now)))
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
