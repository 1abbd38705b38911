package podindex

import (
	"cmp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// Index holds every row of the pod list, sorted, the rows the filter shows,
// and the selection. Rows are derived once per pod object and kept across
// snapshots; a snapshot with a few changed pods costs a pass over the
// pointers plus an insertion of the changed rows into the sorted order, not
// a re-sort, a re-filter and a re-derive of everything. The zero value is
// an empty index sorted by name.
type Index[T any] struct {
	all      []*Row[T] // every pod in scope, sorted
	shown    []int     // indexes into all, after the filter
	filter   string
	sortKey  SortKey
	reverse  bool
	cursor   int    // index into shown
	selected string // the UID of the selected pod, kept across changes
	widths   [MaxColumns]int

	// byPod finds the row of a pod object; seen marks the rows of the
	// latest snapshot.
	byPod map[*kube.PodSummary]*Row[T]
	seen  uint64
	// terms is the filter split into lower-case terms; matchGen numbers the
	// filter the rows' match flags were computed for, chainStart the first
	// filter of the current chain of narrowing ones (see matchState).
	terms      [][]rune
	termsFor   string
	matchGen   uint64
	chainStart uint64
	candBuf    []int

	// byTie holds the rows in the order every sort breaks ties by
	// (namespace, name), kept up to date as rows come and go (radix.go).
	byTie []*Row[T]
	// sortBuf and radixBuf are sortAll's scratch space, kept between sorts;
	// reordered says whether the last sortAll also set shown and the cursor.
	sortBuf   []radixEnt
	radixBuf  []radixEnt
	reordered bool
}

// Set replaces the pods, keeping the selection on the same pod. derive
// makes the row of a pod object not seen before; it is called from several
// goroutines at once when there are many.
func (t *Index[T]) Set(pods []*kube.PodSummary, derive func(*kube.PodSummary) *Row[T]) {
	// Rows of unchanged pods (the same object) are reused: only changed pods
	// are re-derived, and only they are placed in the sorted order.
	if t.byPod == nil {
		t.byPod = make(map[*kube.PodSummary]*Row[T], len(pods))
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
	added := deriveRows(fresh, derive)
	for _, r := range added {
		r.seen = t.seen
		t.byPod[r.Pod] = r
	}
	kept := t.all[:0]
	var gone []*Row[T]
	for _, r := range t.all {
		if r.seen == t.seen && t.byPod[r.Pod] == r {
			kept = append(kept, r)
			continue
		}
		if t.byPod[r.Pod] == r {
			delete(t.byPod, r.Pod)
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
	// A few changes: sort the new rows (too few to be worth packing) and
	// merge them into the order.
	slices.SortFunc(added, t.compare)
	merged := make([]*Row[T], 0, len(kept)+len(added))
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
// snapshot of a big cluster) are split over the CPUs.
func deriveRows[T any](pods []*kube.PodSummary, derive func(*kube.PodSummary) *Row[T]) []*Row[T] {
	rows := make([]*Row[T], len(pods))
	part := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			rows[i] = derive(pods[i])
		}
	}
	workers := 1
	if len(pods) >= parallelDerive {
		workers = min(runtime.GOMAXPROCS(0), len(pods)/(parallelDerive/2))
	}
	if workers <= 1 {
		part(0, len(pods))
		return rows
	}
	chunk := (len(pods) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { part(min(len(pods), w*chunk), min(len(pods), (w+1)*chunk)) })
	}
	wg.Wait()
	return rows
}

// parallelDerive is the count of new rows above which deriveRows uses
// every CPU.
const parallelDerive = 2_000

// SetFilter shows only the rows matching every space-separated term of f,
// fuzzily (its letters in order, as sahilm/fuzzy matches).
func (t *Index[T]) SetFilter(f string) {
	if f != t.filter {
		t.filter = f
		t.refilter()
	}
}

// Filter is the current filter.
func (t *Index[T]) Filter() string { return t.filter }

// SetSort orders the rows by key, reversed or not.
func (t *Index[T]) SetSort(key SortKey, reverse bool) {
	if key != t.sortKey || reverse != t.reverse {
		t.sortKey, t.reverse = key, reverse
		t.reorder()
	}
}

// Sort is the current sort key and direction.
func (t *Index[T]) Sort() (SortKey, bool) { return t.sortKey, t.reverse }

// RowsChanged takes note that the owner changed the rows' Usage or Widths
// in place: a usage sort sorts again, and the widths are measured again.
func (t *Index[T]) RowsChanged() {
	if t.sortKey.IsUsage() {
		t.resort()
		return
	}
	t.measure()
}

// Rows are every row, sorted; the owner may change their Usage, Widths and
// Cells, then calls RowsChanged.
func (t *Index[T]) Rows() []*Row[T] { return t.all }

// Len is the count of rows the filter shows.
func (t *Index[T]) Len() int { return len(t.shown) }

// Total is the count of rows.
func (t *Index[T]) Total() int { return len(t.all) }

// Shown is the i-th shown row.
func (t *Index[T]) Shown(i int) *Row[T] { return t.all[t.shown[i]] }

// Cursor is the index of the selected row among the shown ones.
func (t *Index[T]) Cursor() int { return t.cursor }

// Selected is the row under the cursor.
func (t *Index[T]) Selected() (*Row[T], bool) {
	if len(t.shown) == 0 {
		return nil, false
	}
	return t.all[t.shown[t.cursor]], true
}

// Move moves the cursor by delta shown rows, within the shown rows.
func (t *Index[T]) Move(delta int) {
	t.cursor += delta
	t.clamp()
}

// Widths is the widest text of each column among the shown rows.
func (t *Index[T]) Widths() *[MaxColumns]int { return &t.widths }

// compare orders rows by the sort key, then by namespace and name.
func (t *Index[T]) compare(a, b *Row[T]) int {
	c := compareRows(a, b, t.sortKey)
	if t.reverse {
		c = -c
	}
	if c != 0 {
		return c
	}
	return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
}

func (t *Index[T]) resort() {
	t.sortAll()
	t.refilter()
}

// reorder applies a new sort key or direction: the same rows pass the same
// filter, so the widths hold, and the shown rows and the selection come out
// of the sort itself without another pass over the rows.
func (t *Index[T]) reorder() {
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

func compareRows[T any](a, b *Row[T], key SortKey) int {
	if key.IsUsage() {
		return compareUsage(&a.Usage, &b.Usage, key)
	}
	switch key {
	case SortStatus:
		// Worst first: failing, progressing, healthy, completed.
		return cmp.Or(cmp.Compare(healthRank(a.Health), healthRank(b.Health)), strings.Compare(a.Status, b.Status))
	case SortRestarts:
		return cmp.Compare(b.Restarts, a.Restarts)
	case SortAge:
		return b.Created.Compare(a.Created) // youngest first, like a feed
	case SortNode:
		return strings.Compare(a.Node, b.Node)
	default:
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Namespace, b.Namespace))
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

// clamp keeps the cursor on a shown row and the selection on its pod.
func (t *Index[T]) clamp() {
	n := len(t.shown)
	t.cursor = max(0, min(t.cursor, n-1))
	if n > 0 {
		t.selected = t.all[t.shown[t.cursor]].UID
	} else {
		t.selected = ""
	}
}
