package podindex

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// refilter recomputes the shown rows. Matches keep the sort order. A row's
// result is kept until the filter changes, and when the query only grows (a
// term typed on), only the rows that matched before are looked at again.
func (t *Index[T]) refilter() {
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
func (t *Index[T]) matchState(r *Row[T]) (match, known bool) {
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
	widths   [MaxColumns]int
	selected int
}

// scan matches the rows against the filter where not known yet, and sets the
// shown rows, the column widths and the cursor, in one pass over the rows:
// all of them, or only the candidates (indexes into t.all, in order) when
// a filter narrows.
func (t *Index[T]) scan(cands []int) {
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
	var widths [MaxColumns]int
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
		for i, w := range p.widths {
			widths[i] = max(widths[i], w)
		}
	}
	t.widths = widths
	if cursor >= 0 {
		t.cursor = cursor
	}
	t.clamp()
}

// scanRange is scan over t.all[lo:hi], or over cands[lo:hi] when given.
// With all (no filter) it writes t.shown[lo:hi] in place and p.selected is
// an index of t.shown; otherwise the first part appends to t.shown's array,
// the others to their own, and p.selected is an index of p.shown.
func (t *Index[T]) scanRange(lo, hi int, cands []int, first, all bool) scanPart {
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
		if p.selected < 0 && t.selected != "" && r.uidKey == selKey && r.UID == t.selected {
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
		for c, w := range r.Widths {
			p.widths[c] = max(p.widths[c], int(w))
		}
	}
	return p
}

// measure records the widest text of each column among the shown rows.
func (t *Index[T]) measure() {
	var widths [MaxColumns]int
	for _, i := range t.shown {
		for c, w := range t.all[i].Widths {
			widths[c] = max(widths[c], int(w))
		}
	}
	t.widths = widths
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
