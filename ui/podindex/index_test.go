package podindex

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sahilm/fuzzy"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"
)

// cells stands for the owner's cells in these tests.
type cells struct{ derived int }

type row = Row[cells]

// summary is a pod summary with what the index reads.
func summary(ns, name, status string) *kube.PodSummary {
	return &kube.PodSummary{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(ns + "/" + name)},
		Columns:    diagnose.Columns{Status: status},
	}
}

func derive(p *kube.PodSummary) *row {
	r := NewRow[cells](p)
	r.Cells.derived = 1
	r.Widths[0] = uint8(len(r.Name))
	return r
}

// fuzzyMatch must match exactly the strings sahilm/fuzzy matches.
func TestFuzzyMatchAgreesWithSahilm(t *testing.T) {
	alphabet := []rune("abcAB-_ /.0Kkſsé\u212aÉ")
	rnd := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		r := make([]rune, rnd.IntN(n)+1)
		for i := range r {
			r[i] = alphabet[rnd.IntN(len(alphabet))]
		}
		return string(r)
	}
	for range 20000 {
		pattern, s := word(4), word(12)
		if rnd.IntN(20) == 0 {
			s = s[:len(s)/2] + "\x00" + s[len(s)/2:]
		}
		want := len(fuzzy.Find(pattern, []string{s})) == 1
		if got := fuzzyMatch([]rune(pattern), s); got != want {
			t.Fatalf("fuzzyMatch(%q, %q) = %v, sahilm/fuzzy says %v", pattern, s, got, want)
		}
	}
}

// sortAll's packed keys must give exactly t.compare's order.
func TestSortAllMatchesCompare(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	pick := func(s ...string) string { return s[rnd.IntN(len(s))] }
	rows := make([]*row, parallelRows+3000) // the parallel sort too
	for i := range rows {
		r := &row{
			Namespace: pick("a", "team-042", "team-0420", "kube-system", "kube-sys", "x\x00", "x"),
			Name:      pick("api", "api-7d9f8", "api-7d9f8-abcde", "db-0", "db-1", "web", "zz\x00z", "zz"),
			Status:    pick("Running", "Running2", "Init:0/1", "Init:0/2", "CrashLoopBackOff", "Completed", ""),
			Node:      pick("n1", "node-0001", "node-0002", ""),
			Restarts:  rnd.IntN(4),
			Health:    []diagnose.Health{diagnose.HealthFailing, diagnose.HealthProgressing, diagnose.HealthOK, diagnose.HealthCompleted}[rnd.IntN(4)],
		}
		switch rnd.IntN(4) {
		case 0: // zero time
		case 1:
			r.Created = time.Date(1500+rnd.IntN(2), 1, 1, 0, 0, 0, 0, time.UTC)
		default:
			r.Created = time.Date(2026, 1, 1, rnd.IntN(3), 0, 0, 0, time.UTC)
		}
		r.Usage.Known = rnd.IntN(3) > 0
		r.Usage.CPU = int64(rnd.IntN(4) - 1)
		r.Usage.Mem = []int64{0, 5, 1 << 62, 1<<62 + 1, 1<<63 - 1}[rnd.IntN(5)]
		for c := range r.Usage.Pct {
			r.Usage.Pct[c], r.Usage.PctOK[c] = rnd.IntN(3), rnd.IntN(2) == 0
		}
		r.keys = packKeys(r.Namespace, r.Name, r.Node, r.Status)
		rows[i] = r
	}
	for key := range SortKeyCount {
		for _, rev := range []bool{false, true} {
			tab := &Index[cells]{sortKey: key, reverse: rev, all: slices.Clone(rows)}
			tab.sortAll()
			for i := 1; i < len(tab.all); i++ {
				if c := tab.compare(tab.all[i-1], tab.all[i]); c > 0 {
					t.Fatalf("sort %v reverse %v: row %d %+v before %+v", key, rev, i, *tab.all[i-1], *tab.all[i])
				}
			}
		}
	}
}

// reorder (a sort change) must leave the same shown rows, cursor and widths
// as a full resort, with and without a filter, with the selection shown,
// filtered out, or none.
func TestReorderMatchesResort(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	pick := func(s ...string) string { return s[rnd.IntN(len(s))] }
	base := make([]row, 500)
	if !testing.Short() {
		base = make([]row, parallelRows+500) // the parallel sort too
	}
	for i := range base {
		r := &base[i]
		r.Namespace, r.Name = pick("a", "shop", "kube-system"), pick("api-", "db-", "web-", "worker-")+string(rune('a'+i%26))+string(rune('a'+i/26%26))
		r.UID = fmt.Sprint(r.Namespace, "/", r.Name, "/", i) // unique, as UIDs are
		r.uidKey = last8(r.UID)
		r.Status, r.Node, r.Restarts = pick("Running", "Pending", "CrashLoopBackOff"), pick("n1", "n2"), rnd.IntN(5)
		r.search = r.Namespace + " " + r.Name + " " + r.Status
		r.keys = packKeys(r.Namespace, r.Name, r.Node, r.Status)
		r.Widths[1] = uint8(len(r.Name) + len(r.Status))
	}
	table := func(filter, selected string) *Index[cells] {
		rows := make([]*row, len(base))
		for i := range base {
			r := base[i]
			rows[i] = &r
		}
		tab := &Index[cells]{all: rows, filter: filter, selected: selected}
		tab.resort()
		return tab
	}
	uids := func(tab *Index[cells]) []string {
		var out []string
		for _, i := range tab.shown {
			out = append(out, tab.all[i].UID)
		}
		return out
	}
	filters, selections := []string{"", "api", "crash db"}, []string{"", base[7].UID, base[100].UID}
	if len(base) > 500 {
		filters, selections = []string{"api"}, []string{base[100].UID}
	}
	for _, filter := range filters {
		for _, selected := range selections {
			a, b := table(filter, selected), table(filter, selected)
			for key := range SortKeyCount {
				for _, rev := range []bool{false, true} {
					a.sortKey, a.reverse = key, rev
					b.sortKey, b.reverse = key, rev
					a.reorder()
					b.resort()
					if !a.reordered && filter != "" {
						t.Errorf("filter %q: the sort did not set the shown rows itself", filter)
					}
					if !slices.Equal(uids(a), uids(b)) || a.cursor != b.cursor || a.selected != b.selected {
						t.Fatalf("filter %q selected %q sort %v rev %v: reorder shows %d rows, cursor %d; resort %d, cursor %d",
							filter, selected, key, rev, len(a.shown), a.cursor, len(b.shown), b.cursor)
					}
					if a.widths != b.widths {
						t.Fatalf("widths differ: %v vs %v", a.widths, b.widths)
					}
				}
			}
		}
	}
}

// Many new pods are derived in parallel: the rows are the ones a sequential
// derivation makes, in the same order, and the race detector sees the
// workers (go test -race).
func TestParallelDeriveMatchesSequential(t *testing.T) {
	pods := make([]*kube.PodSummary, parallelDerive+500)
	for i := range pods {
		pods[i] = summary(fmt.Sprint("ns-", i%7), fmt.Sprint("p-", i), "Running")
	}
	tab := &Index[cells]{}
	tab.Set(pods, derive)
	if tab.Total() != len(pods) {
		t.Fatalf("%d rows for %d pods", tab.Total(), len(pods))
	}
	for _, r := range tab.Rows() {
		want := derive(r.Pod)
		if r.Name != want.Name || r.search != want.search || r.keys != want.keys || r.Cells != want.Cells || r.Widths != want.Widths {
			t.Fatalf("row of %s differs from a sequential derivation:\n%+v\n%+v", r.Name, *r, *want)
		}
	}
}

// Filtering more than parallelRows rows is split over the CPUs: the shown
// rows, widths and cursor are those of a sequential scan.
func TestParallelScanMatchesSequential(t *testing.T) {
	rows := make([]*row, parallelRows*2+7)
	for i := range rows {
		name := fmt.Sprintf("svc-%05d-%x", i, i*7919)
		rows[i] = &row{UID: name, uidKey: last8(name), Namespace: "ns", Name: name, Status: "Running", search: name + " ns running"}
		rows[i].Widths[0], rows[i].Widths[3] = uint8(len(name)), uint8(i%13)
	}
	tab := &Index[cells]{all: rows, selected: rows[len(rows)-3].UID}
	for _, filter := range []string{"", "svc-1", "svc-12", "9 ns", "nothing-matches", "s"} {
		tab.filter = filter
		selected := tab.selected
		tab.refilter()
		var want []int
		var widths [MaxColumns]int
		cursor := -1
		for i, r := range rows {
			if filter == "" || matchesAll(tab.terms, r.search) {
				if r.UID == selected && cursor < 0 {
					cursor = len(want)
				}
				want = append(want, i)
				for c, w := range r.Widths {
					widths[c] = max(widths[c], int(w))
				}
			}
		}
		if !slices.Equal(tab.shown, want) {
			t.Fatalf("filter %q: %d rows shown, want %d", filter, len(tab.shown), len(want))
		}
		if cursor >= 0 && tab.cursor != cursor {
			t.Errorf("filter %q: cursor %d, want %d", filter, tab.cursor, cursor)
		}
		if tab.widths != widths {
			t.Errorf("filter %q: widths %v, want %v", filter, tab.widths, widths)
		}
	}
}

// The index keeps its rows in tie order (namespace, name) as pods come,
// change and go; every snapshot leaves t.byTie holding exactly the rows,
// in that order, and a sort then matches t.compare.
func TestTieOrderFollowsUpdates(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	var pods []*kube.PodSummary
	for i := range 300 {
		pods = append(pods, summary(fmt.Sprint("ns-", rnd.IntN(5)), fmt.Sprint("p-", i), "Running"))
	}
	tab := &Index[cells]{}
	live := slices.Clone(pods)
	for round := range 40 {
		switch round % 3 {
		case 0: // a few new pods
			for i := range rnd.IntN(5) + 1 {
				live = append(live, summary("ns-9", fmt.Sprint("new-", round, "-", i), "Pending"))
			}
		case 1: // a few deleted
			for range rnd.IntN(5) + 1 {
				k := rnd.IntN(len(live))
				live = append(live[:k], live[k+1:]...)
			}
		default: // a few changed: new summaries of the same pods
			for range rnd.IntN(5) + 1 {
				k := rnd.IntN(len(live))
				c := *live[k]
				live[k] = &c
			}
		}
		if round == 20 { // many at once
			for _, p := range pods[:100] {
				c := *p
				live = append(live, &c)
			}
		}
		tab.sortKey = SortKey(round % int(SortKeyCount))
		tab.Set(slices.Clone(live), derive)
		if len(tab.byTie) != len(tab.all) {
			t.Fatalf("round %d: %d rows in tie order, %d in the index", round, len(tab.byTie), len(tab.all))
		}
		in := map[*row]bool{}
		for _, r := range tab.all {
			in[r] = true
		}
		for i, r := range tab.byTie {
			if !in[r] {
				t.Fatalf("round %d: a row no longer in the index is in tie order: %s/%s", round, r.Namespace, r.Name)
			}
			if i > 0 && tieCompare(tab.byTie[i-1], r) > 0 {
				t.Fatalf("round %d: tie order broken at %d", round, i)
			}
		}
		tab.sortAll()
		for i := 1; i < len(tab.all); i++ {
			if tab.compare(tab.all[i-1], tab.all[i]) > 0 {
				t.Fatalf("round %d: sort %v broken at %d", round, tab.sortKey, i)
			}
		}
	}
}

// Typing on narrows the filter: only the rows shown before are matched
// again, and rows that failed an earlier filter of the chain count as
// failing. Every step must show what a fresh index shows for that filter,
// across backspaces, new terms, sort changes and rows coming and going.
func TestNarrowingFilterMatchesFresh(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	mk := func(i int) *row {
		name := fmt.Sprintf("svc-%05d-%x", i, rnd.IntN(1<<20))
		ns := fmt.Sprint("team-", rnd.IntN(30))
		status := []string{"Running", "CrashLoopBackOff", "Pending"}[rnd.IntN(3)]
		return &row{
			UID: name, uidKey: last8(name), Namespace: ns, Name: name, Status: status,
			search: strings.ToLower(name + " " + ns + " " + status), keys: packKeys(ns, name, "", status),
		}
	}
	rows := make([]*row, parallelRows+700)
	for i := range rows {
		rows[i] = mk(i)
	}
	tab := &Index[cells]{all: slices.Clone(rows)}
	check := func(step string) {
		t.Helper()
		// The oracle: every row matched against the filter afresh.
		var terms [][]rune
		for _, f := range strings.Fields(strings.ToLower(tab.filter)) {
			terms = append(terms, []rune(f))
		}
		var want []int
		for i, r := range tab.all {
			if len(terms) == 0 || matchesAll(terms, r.search) {
				want = append(want, i)
			}
		}
		if !slices.Equal(want, tab.shown) {
			t.Fatalf("%s: filter %q shows %d rows, want %d", step, tab.filter, len(tab.shown), len(want))
		}
	}
	for step, f := range []string{"s", "sv", "svc-0", "svc-00", "svc-001", "svc-00", "svc-001 t", "svc-001 te", "svc-001 team-1", "svc-001 team-1 cr", "c", "cr", "cra", "crash", "", "p", "pe"} {
		tab.SetFilter(f)
		check(fmt.Sprint("step ", step))
		switch step {
		case 3: // a sort change mid-chain
			tab.SetSort(SortStatus, false)
			check("after a sort")
		case 8: // rows come and go mid-chain
			tab.all = append(tab.all[100:], mk(len(rows)+1), mk(len(rows)+2))
			tab.byTie = nil
			tab.resort()
			check("after rows changed")
		}
	}
}

// The selection stays on its pod while rows come, go and move, and the
// cursor stays within the shown rows.
func TestSelectionFollowsPod(t *testing.T) {
	pods := []*kube.PodSummary{summary("a", "api", "Running"), summary("a", "db", "Pending"), summary("a", "web", "Running")}
	tab := &Index[cells]{}
	tab.Set(pods, derive)
	tab.Move(1)
	if r, _ := tab.Selected(); r.Name != "db" {
		t.Fatalf("selected %s, want db", r.Name)
	}
	tab.SetSort(SortStatus, false) // Pending (progressing) before Running
	if r, _ := tab.Selected(); r.Name != "db" || tab.Cursor() != 0 {
		t.Fatalf("after the sort: selected %s at %d, want db at 0", r.Name, tab.Cursor())
	}
	tab.Set([]*kube.PodSummary{summary("a", "aaa", "Pending"), pods[1], pods[2]}, derive)
	if r, _ := tab.Selected(); r.Name != "db" || tab.Cursor() != 1 {
		t.Fatalf("after a new pod: selected %s at %d, want db at 1", r.Name, tab.Cursor())
	}
	tab.SetFilter("web")
	if r, _ := tab.Selected(); r.Name != "web" || tab.Len() != 1 {
		t.Fatalf("filtered: selected %s of %d", r.Name, tab.Len())
	}
	tab.Move(5)
	if tab.Cursor() != 0 {
		t.Errorf("cursor %d past the shown rows", tab.Cursor())
	}
	tab.Set(nil, derive)
	if _, ok := tab.Selected(); ok || tab.Total() != 0 {
		t.Errorf("an empty index has a selection or %d rows", tab.Total())
	}
}
