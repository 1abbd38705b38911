package podindex

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Sorting 100,000 rows on a sort key change must fit in a frame. A
// comparison sort of that many rows costs 15–30 ms on two cores, so the
// table keeps its rows also in the order every sort ends with on ties
// (namespace, then name: t.byTie, kept up to date as rows come and go),
// and a sort change is then a stable radix sort of that order on one
// integer per row. Only rows whose packed keys tie without being whole
// (long status or node names, names sharing their first 16 bytes) are
// compared further, within their run of equals. The order is exactly
// t.compare's (TestSortAllMatchesCompare).

// Bits of rowKeys.exact and of radixEnt.flags.
const (
	exactPrimary = 1 << iota // radixEnt.key is the whole sort key
	exactNS
	exactName
	exactNode
	exactStatus
	entShown    = 1 << 6 // the row passes the filter
	entSelected = 1 << 7 // the row is the selected pod
)

// radixEnt is one row in a sort: its sort key packed into an integer
// (reversed when the sort is), and its index in t.byTie.
type radixEnt struct {
	key   uint64
	key2  uint64 // what orders equal keys first: the next 8 bytes of a name
	i     uint32
	flags uint8
}

// sortAll sorts every row by t.compare. While it reads each row anyway, it
// also notes which rows the current filter shows and which is selected, so
// that afterwards shown and the cursor are set from the sorted entries
// (t.reordered) when every row's filter result was known.
func (t *Index[T]) sortAll() {
	n := len(t.all)
	if len(t.byTie) != n {
		t.byTie = append(t.byTie[:0], t.all...)
		slices.SortFunc(t.byTie, tieCompare[T])
	}
	if cap(t.sortBuf) < n {
		t.sortBuf = make([]radixEnt, n)
		t.radixBuf = make([]radixEnt, n)
	}
	// The selected row, found by pointer: comparing every row's UID would
	// read each one's string.
	var sel *Row[T]
	if t.selected != "" && t.cursor >= 0 && t.cursor < len(t.shown) && t.shown[t.cursor] < n {
		if r := t.all[t.shown[t.cursor]]; r.UID == t.selected {
			sel = r
		}
	}
	var known bool
	if n >= parallelRows && runtime.GOMAXPROCS(0) >= 2 {
		// Reading the rows is most of the work (each is a cache miss):
		// two halves at once.
		mid := n / 2
		var knownLo bool
		var wg sync.WaitGroup
		wg.Go(func() { knownLo = t.packKeys(t.sortBuf[:mid], 0, sel) })
		knownHi := t.packKeys(t.sortBuf[mid:n], mid, sel)
		wg.Wait()
		known = knownLo && knownHi
	} else {
		known = t.packKeys(t.sortBuf[:n], 0, sel)
	}
	ents := radixSort(t.sortBuf[:n], t.radixBuf[:n])
	t.settleTies(ents)

	t.reordered = known
	if known {
		t.shown = t.shown[:0]
	}
	cursor := -1
	for k, e := range ents {
		t.all[k] = t.byTie[e.i]
		if known && e.flags&entShown != 0 {
			if e.flags&entSelected != 0 && cursor < 0 {
				cursor = len(t.shown)
			}
			t.shown = append(t.shown, k)
		}
	}
	if cursor >= 0 {
		t.cursor = cursor
	}
}

// packKeys fills ents from t.byTie[from:]: each row's packed sort key, and
// whether it is shown (by the current filter) and selected. It reports
// whether every row's filter result was known.
func (t *Index[T]) packKeys(ents []radixEnt, from int, sel *Row[T]) bool {
	filtered := len(t.terms) > 0
	known := true
	selKey := last8(t.selected)
	for i := range ents {
		r := t.byTie[from+i]
		key, exact := t.sortKeyOf(r)
		e := radixEnt{key: key, i: uint32(from + i)}
		if t.sortKey == SortName {
			e.key2 = r.keys.name[1]
			if t.reverse {
				e.key2 = ^e.key2
			}
		}
		if exact {
			e.flags |= exactPrimary
		}
		if !filtered {
			e.flags |= entShown
		} else if match, ok := t.matchState(r); !ok {
			known = false
		} else if match {
			e.flags |= entShown
		}
		if r == sel || (sel == nil && t.selected != "" && r.uidKey == selKey && r.UID == t.selected) {
			e.flags |= entSelected
		}
		ents[i] = e
	}
	return known
}

// sortKeyOf packs a row's sort key into an integer ordered as t.compare
// orders rows before the tie-break, and says whether it holds the whole key.
func (t *Index[T]) sortKeyOf(r *Row[T]) (uint64, bool) {
	k := &r.keys
	var key uint64
	exact := false
	switch {
	case t.sortKey.IsUsage():
		// Known values first, then the biggest first: the top bit says
		// unknown, the rest is the value (clamped to 62 bits), inverted.
		v, has := r.Usage.value(t.sortKey)
		const top = 1<<62 - 1
		exact = v >= 0 && v <= top
		key = uint64(top - min(max(v, 0), top))
		if !has {
			key |= 1 << 63
		}
	case t.sortKey == SortStatus:
		key = k.status | uint64(healthRank(r.Health))<<56
		exact = k.exact&exactStatus != 0
	case t.sortKey == SortRestarts:
		key, exact = ^orderedInt(int64(r.Restarts)), true // most first
	case t.sortKey == SortAge:
		// Youngest first. UnixNano holds 1678 to 2262; older times pack
		// as the oldest and younger as the youngest, and go to the ties.
		switch y := r.Created.Year(); {
		case y <= 1678:
			key = math.MaxUint64
		case y >= 2262:
			key = 0
		default:
			key, exact = ^orderedInt(r.Created.UnixNano()), true
		}
	case t.sortKey == SortNode:
		key, exact = k.node, k.exact&exactNode != 0
	default:
		// Name, then namespace: not the tie-break's order, so every run
		// of equal first bytes goes to settleTies.
		key = k.name[0]
	}
	if t.reverse {
		key = ^key
	}
	return key, exact
}

// radixSort sorts ents by key, then key2, stably, a byte at a time from
// the lowest; a byte that is the same in every entry is skipped (key2 is
// zero but for names). tmp is scratch space of the same length. It
// returns the slice holding the result.
func radixSort(ents, tmp []radixEnt) []radixEnt {
	if len(ents) < 2 {
		return ents
	}
	var counts [16][256]int
	for _, e := range ents {
		for d := range 8 {
			counts[d][byte(e.key2>>(8*d))]++
			counts[8+d][byte(e.key>>(8*d))]++
		}
	}
	digit := func(e *radixEnt, d int) byte {
		if d < 8 {
			return byte(e.key2 >> (8 * d))
		}
		return byte(e.key >> (8 * (d - 8)))
	}
	src, dst := ents, tmp
	for d := range 16 {
		c := &counts[d]
		if c[digit(&src[0], d)] == len(src) {
			continue
		}
		sum := 0
		for b := range c {
			c[b], sum = sum, sum+c[b]
		}
		for k := range src {
			b := digit(&src[k], d)
			dst[c[b]] = src[k]
			c[b]++
		}
		src, dst = dst, src
	}
	return src
}

// settleTies orders each run of equal packed keys whose order is not
// already right: the input is in tie-break order, so a run of whole keys is.
func (t *Index[T]) settleTies(ents []radixEnt) {
	byName := t.sortKey == SortName
	rev := 1
	if t.reverse {
		rev = -1
	}
	cmpEnt := func(a, b radixEnt) int {
		ra, rb := t.byTie[a.i], t.byTie[b.i]
		if byName {
			// The rest of the name decides, in the sort's direction.
			for w := 2; w < len(ra.keys.name); w++ {
				if x, y := ra.keys.name[w], rb.keys.name[w]; x != y {
					return rev * cmp.Compare(x, y)
				}
			}
		}
		return t.compare(ra, rb)
	}
	for i := 0; i < len(ents); {
		j, whole := i+1, ents[i].flags&exactPrimary != 0
		for j < len(ents) && ents[j].key == ents[i].key && ents[j].key2 == ents[i].key2 {
			whole = whole && ents[j].flags&exactPrimary != 0
			j++
		}
		if j-i > 1 && (byName || !whole) && !t.sameKey(ents[i:j]) {
			slices.SortFunc(ents[i:j], cmpEnt)
		}
		i = j
	}
}

// sameKey reports whether the rows of a run have equal sort values: then
// the stable radix sort left them in tie order, which is right.
func (t *Index[T]) sameKey(run []radixEnt) bool {
	first := t.byTie[run[0].i]
	for _, e := range run[1:] {
		if compareRows(first, t.byTie[e.i], t.sortKey) != 0 {
			return false
		}
	}
	return true
}

// tieCompare is the order of t.byTie: namespace, then name, which is how
// t.compare breaks every tie. Packed prefixes settle most comparisons.
func tieCompare[T any](a, b *Row[T]) int {
	ka, kb := &a.keys, &b.keys
	if ka.ns != kb.ns {
		return cmp.Compare(ka.ns, kb.ns)
	}
	if ka.exact&kb.exact&exactNS != 0 {
		for w := range ka.name {
			if ka.name[w] != kb.name[w] {
				return cmp.Compare(ka.name[w], kb.name[w])
			}
		}
		if ka.exact&kb.exact&exactName != 0 {
			return 0
		}
	}
	return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
}

// updateTie takes rows that left the table out of t.byTie and puts new
// ones in, each where a binary search finds it. Many changes at once (the
// first snapshot) sort the tie order afresh. t.all holds the rows that
// stay, not yet the added ones.
func (t *Index[T]) updateTie(gone, added []*Row[T]) {
	if len(gone)+len(added) > len(t.all)/8 || len(t.byTie) != len(t.all)+len(gone) {
		clear(t.byTie)
		t.byTie = append(append(t.byTie[:0], t.all...), added...)
		slices.SortFunc(t.byTie, tieCompare[T])
		return
	}
	rows := t.byTie
	for _, r := range gone {
		i := sort.Search(len(rows), func(k int) bool { return tieCompare(rows[k], r) >= 0 })
		for i < len(rows) && rows[i] != r && tieCompare(rows[i], r) == 0 {
			i++ // rows of the same namespace and name: find this one
		}
		if i < len(rows) && rows[i] == r {
			rows = slices.Delete(rows, i, i+1)
		}
	}
	for _, r := range added {
		i := sort.Search(len(rows), func(k int) bool { return tieCompare(rows[k], r) > 0 })
		rows = slices.Insert(rows, i, r)
	}
	t.byTie = rows
}
