package diagnose

import (
	"fmt"
	"strings"
)

// suggest returns " (did you mean X?)" with the closest known name of kind
// in the pod's namespace, or "" when nothing is close enough.
func (c *ctx) suggest(kind, name string) string {
	ns := c.pod.Namespace
	if kind == KindStorageClass {
		ns = ""
	}
	if best := Closest(name, c.rel.Names(kind, ns)); best != "" {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	return ""
}

// Closest returns the candidate nearest to name, or "" when none is close:
// within a third of the name's length in edits, one containing the other, or
// sharing a long prefix ("db-creds" and "db-credentials").
func Closest(name string, candidates []string) string {
	best, bestD := "", -1
	for _, cand := range candidates {
		if cand == name || cand == "" {
			continue
		}
		d := Distance(strings.ToLower(name), strings.ToLower(cand))
		limit := max(2, len(name)/3)
		contains := strings.Contains(cand, name) || strings.Contains(name, cand)
		prefix := commonPrefix(name, cand)
		longPrefix := prefix >= 4 && 3*prefix >= 2*min(len(name), len(cand))
		if d > limit && !contains && !longPrefix {
			continue
		}
		better := d < bestD || d == bestD && (prefix > commonPrefix(name, best) || prefix == commonPrefix(name, best) && cand < best)
		if bestD < 0 || better {
			best, bestD = cand, d
		}
	}
	return best
}

// Distance is the Levenshtein edit distance between a and b (bytes).
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
