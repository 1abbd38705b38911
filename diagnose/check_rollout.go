package diagnose

import (
	"fmt"
	"strconv"
)

// checkRollout runs last: when the pod is broken (an error or warning was
// found), its revision is its workload's newest and the one before it ran,
// the change between the two is the first suspect.
func checkRollout(c *ctx) {
	broken := false
	for _, f := range c.out {
		broken = broken || f.Severity >= SeverityWarning
	}
	if !broken {
		return
	}
	ch := Changes(c.in)
	if ch == nil || !ch.Latest || ch.Previous == RevisionUnhealthy {
		return
	}
	id := "rollout/changed"
	if ch.Previous == RevisionUnknown {
		id = "rollout/changed-unverified"
	}
	when := "at an unknown time"
	if !ch.RolledOut.IsZero() {
		when = c.ago(ch.RolledOut) + " ago"
	}
	summary := fmt.Sprintf("%s changed %s (revision %d → %d): %s", ch.Owner, when, ch.PreviousRevision, ch.Revision, ch.DiffSummary(3))
	detail := fmt.Sprintf("The pod runs revision %d of %s; revision %d before it was %s (%s).", ch.Revision, ch.Owner, ch.PreviousRevision, ch.Previous, ch.PreviousPods)
	ev := []string{fmt.Sprintf("%s (revision %d) created %s", ch.Object, ch.Revision, ch.RolledOut.UTC().Format("2006-01-02 15:04:05 UTC"))}
	ev = append(ev, fmt.Sprintf("%s (revision %d): %s", ch.PreviousObject, ch.PreviousRevision, ch.PreviousPods))
	for _, d := range ch.Diffs {
		ev = append(ev, "changed: "+d.Text)
	}
	c.add(id, "", summary, detail, ev, vars{
		"owner": ch.Owner.String(), "revision": strconv.FormatInt(ch.PreviousRevision, 10), "newrevision": strconv.FormatInt(ch.Revision, 10),
	})
}
