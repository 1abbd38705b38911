package ui

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/kube"

	"github.com/sahilm/fuzzy"
)

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
	rows := make([]*podRow, parallelRows+3000) // the parallel sort too
	for i := range rows {
		r := &podRow{
			namespace: pick("a", "team-042", "team-0420", "kube-system", "kube-sys", "x\x00", "x"),
			name:      pick("api", "api-7d9f8", "api-7d9f8-abcde", "db-0", "db-1", "web", "zz\x00z", "zz"),
			status:    pick("Running", "Running2", "Init:0/1", "Init:0/2", "CrashLoopBackOff", "Completed", ""),
			node:      pick("n1", "node-0001", "node-0002", ""),
			restarts:  rnd.IntN(4),
			health:    []diagnose.Health{diagnose.HealthFailing, diagnose.HealthProgressing, diagnose.HealthOK, diagnose.HealthCompleted}[rnd.IntN(4)],
		}
		switch rnd.IntN(4) {
		case 0: // zero time
		case 1:
			r.created = time.Date(1500+rnd.IntN(2), 1, 1, 0, 0, 0, 0, time.UTC)
		default:
			r.created = time.Date(2026, 1, 1, rnd.IntN(3), 0, 0, 0, time.UTC)
		}
		r.usage.known = rnd.IntN(3) > 0
		r.usage.cpu = int64(rnd.IntN(4) - 1)
		r.usage.mem = []int64{0, 5, 1 << 62, 1<<62 + 1, 1<<63 - 1}[rnd.IntN(5)]
		for c := range r.usage.pct {
			r.usage.pct[c], r.usage.pctOK[c] = rnd.IntN(3), rnd.IntN(2) == 0
		}
		r.keys = packKeys(r.namespace, r.name, r.node, r.status)
		rows[i] = r
	}
	for key := range SortKey(sortKeyCount) {
		for _, rev := range []bool{false, true} {
			tab := &podTable{sortKey: key, reverse: rev, all: slices.Clone(rows)}
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
	base := make([]podRow, 500)
	if !testing.Short() {
		base = make([]podRow, parallelRows+500) // the parallel sort too
	}
	for i := range base {
		r := &base[i]
		r.namespace, r.name = pick("a", "shop", "kube-system"), pick("api-", "db-", "web-", "worker-")+string(rune('a'+i%26))+string(rune('a'+i/26%26))
		r.uid = fmt.Sprint(r.namespace, "/", r.name, "/", i) // unique, as UIDs are
		r.uidKey = last8(r.uid)
		r.status, r.node, r.restarts = pick("Running", "Pending", "CrashLoopBackOff"), pick("n1", "n2"), rnd.IntN(5)
		r.search = r.namespace + " " + r.name + " " + r.status
		r.keys = packKeys(r.namespace, r.name, r.node, r.status)
	}
	table := func(filter, selected string) *podTable {
		rows := make([]*podRow, len(base))
		for i := range base {
			r := base[i]
			rows[i] = &r
		}
		tab := &podTable{all: rows, filter: filter, selected: selected, height: 20}
		tab.resort()
		return tab
	}
	uids := func(tab *podTable) []string {
		var out []string
		for _, i := range tab.shown {
			out = append(out, tab.all[i].uid)
		}
		return out
	}
	filters, selections := []string{"", "api", "crash db"}, []string{"", base[7].uid, base[100].uid}
	if len(base) > 500 {
		filters, selections = []string{"api"}, []string{base[100].uid}
	}
	for _, filter := range filters {
		for _, selected := range selections {
			a, b := table(filter, selected), table(filter, selected)
			for key := range SortKey(sortKeyCount) {
				for _, rev := range []bool{false, true} {
					a.sortKey, a.reverse = key, rev
					b.sortKey, b.reverse = key, rev
					a.reorder()
					b.resort()
					if !a.reordered && filter != "" {
						t.Errorf("filter %q: the sort did not set the shown rows itself", filter)
					}
					if !slices.Equal(uids(a), uids(b)) || a.cursor != b.cursor || a.offset != b.offset {
						t.Fatalf("filter %q selected %q sort %v rev %v: reorder shows %d rows, cursor %d; resort %d, cursor %d",
							filter, selected, key, rev, len(a.shown), a.cursor, len(b.shown), b.cursor)
					}
					if len(a.widths) != len(b.widths) {
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
	fixtures := fixturePods()
	pods := make([]*corev1.Pod, parallelDerive+500)
	for i := range pods {
		p := fixtures[i%len(fixtures)].DeepCopy()
		p.Name, p.UID = fmt.Sprint(p.Name, "-", i), types.UID(fmt.Sprint(i))
		pods[i] = p
	}
	tab := &podTable{}
	tab.setPods(summaries(pods), clock)
	if len(tab.all) != len(pods) {
		t.Fatalf("%d rows for %d pods", len(tab.all), len(pods))
	}
	for _, r := range tab.all {
		want := newPodRow(r.pod)
		if r.status != want.status || r.diag != want.diag || r.ready != want.ready || r.search != want.search || r.keys != want.keys {
			t.Fatalf("row of %s differs from a sequential derivation:\n%+v\n%+v", r.name, *r, *want)
		}
	}
}

// Filtering more than parallelRows rows is split over the CPUs: the shown
// rows, widths and cursor are those of a sequential scan.
func TestParallelScanMatchesSequential(t *testing.T) {
	rows := make([]*podRow, parallelRows*2+7)
	for i := range rows {
		name := fmt.Sprintf("svc-%05d-%x", i, i*7919)
		rows[i] = &podRow{uid: name, uidKey: last8(name), namespace: "ns", name: name, ready: "1/1", status: "Running", search: name + " ns running", statusWidth: 7, diag: strings.Repeat("x", i%13)}
	}
	tab := &podTable{all: rows, selected: rows[len(rows)-3].uid, height: 10}
	for _, filter := range []string{"", "svc-1", "svc-12", "9 ns", "nothing-matches", "s"} {
		tab.filter = filter
		selected := tab.selected
		tab.refilter()
		var want []int
		var widths colWidths
		cursor := -1
		for i, r := range rows {
			if filter == "" || matchesAll(tab.terms, r.search) {
				if r.uid == selected && cursor < 0 {
					cursor = len(want)
				}
				want = append(want, i)
				widths.add(r)
			}
		}
		if !slices.Equal(tab.shown, want) {
			t.Fatalf("filter %q: %d rows shown, want %d", filter, len(tab.shown), len(want))
		}
		if cursor >= 0 && tab.cursor != cursor {
			t.Errorf("filter %q: cursor %d, want %d", filter, tab.cursor, cursor)
		}
		if tab.widths["DIAG"] != widths.diag || tab.widths["NAME"] != widths.name {
			t.Errorf("filter %q: widths %v", filter, tab.widths)
		}
	}
}

// The table keeps its rows in tie order (namespace, name) as pods come,
// change and go; every snapshot leaves t.byTie holding exactly the rows,
// in that order, and a sort then matches t.compare.
func TestTieOrderFollowsUpdates(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	var pods []*corev1.Pod
	for i := range 300 {
		pods = append(pods, pod(fmt.Sprint("ns-", rnd.IntN(5)), fmt.Sprint("p-", i), "n", time.Duration(i)*time.Minute, nil))
	}
	tab := &podTable{}
	live := summaries(pods)
	for round := range 40 {
		switch round % 3 {
		case 0: // a few new pods
			for i := range rnd.IntN(5) + 1 {
				live = append(live, summaries([]*corev1.Pod{pod("ns-9", fmt.Sprint("new-", round, "-", i), "n", time.Minute, nil)})...)
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
			live = append(live, summaries(pods[:100])...)
		}
		tab.sortKey = SortKey(round % int(sortKeyCount))
		tab.setPods(slices.Clone(live), clock)
		if len(tab.byTie) != len(tab.all) {
			t.Fatalf("round %d: %d rows in tie order, %d in the table", round, len(tab.byTie), len(tab.all))
		}
		in := map[*podRow]bool{}
		for _, r := range tab.all {
			in[r] = true
		}
		for i, r := range tab.byTie {
			if !in[r] {
				t.Fatalf("round %d: a row no longer in the table is in tie order: %s/%s", round, r.namespace, r.name)
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
// failing. Every step must show what a fresh table shows for that filter,
// across backspaces, new terms, sort changes and rows coming and going.
func TestNarrowingFilterMatchesFresh(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	mk := func(i int) *podRow {
		name := fmt.Sprintf("svc-%05d-%x", i, rnd.IntN(1<<20))
		ns := fmt.Sprint("team-", rnd.IntN(30))
		status := []string{"Running", "CrashLoopBackOff", "Pending"}[rnd.IntN(3)]
		return &podRow{
			uid: name, uidKey: last8(name), namespace: ns, name: name, ready: "1/1", status: status,
			search: strings.ToLower(name + " " + ns + " " + status), statusWidth: len(status), keys: packKeys(ns, name, "", status),
		}
	}
	rows := make([]*podRow, parallelRows+700)
	for i := range rows {
		rows[i] = mk(i)
	}
	tab := &podTable{all: slices.Clone(rows), height: 10}
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
		tab.filter = f
		tab.refilter()
		check(fmt.Sprint("step ", step))
		switch step {
		case 3: // a sort change mid-chain
			tab.sortKey = SortStatus
			tab.reorder()
			check("after a sort")
		case 8: // rows come and go mid-chain
			tab.all = append(tab.all[100:], mk(len(rows)+1), mk(len(rows)+2))
			tab.byTie = nil
			tab.resort()
			check("after rows changed")
		}
	}
}

// A pod whose verdict changes with time alone shows the new DIAG once its
// time has come, without the pod changing: here a deleted pod becomes
// stuck terminating when its grace period is over.
func TestDiagFollowsTimeWithoutChange(t *testing.T) {
	p := deletedPod()
	tab := &podTable{}
	tab.setPods([]*kube.PodSummary{kube.Summarize(p, clock)}, clock)
	diag := func(now time.Time) string {
		for _, c := range tab.columns(false, 200, now) {
			if c.title == "DIAG" {
				return c.cell(tab.all[0], now)
			}
		}
		t.Fatal("no DIAG column")
		return ""
	}
	if got := diag(clock); got != "" {
		t.Errorf("DIAG within the grace period = %q, want none", got)
	}
	if got := diag(clock.Add(time.Minute)); got != string(diagnose.CatTerminatingStuck) {
		t.Errorf("DIAG a minute later = %q, want %s", got, diagnose.CatTerminatingStuck)
	}
}
