package ui

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/podtui/podtui/diagnose"

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
	rows := make([]*podRow, 3000)
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
