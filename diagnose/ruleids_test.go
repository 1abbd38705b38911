package diagnose

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestRuleIDsExist fails when a check names a rule the table does not have:
// a string literal shaped like a rule ID ("prefix/name" with a prefix of the
// table) in the package's code must be a rule. IDs built at run time are
// caught by add, which panics on an unknown ID.
func TestRuleIDsExist(t *testing.T) {
	prefixes := map[string]bool{}
	for _, r := range rules {
		p, _, _ := strings.Cut(r.ID, "/")
		prefixes[p] = true
	}
	lit := regexp.MustCompile(`"([a-z]+)/([a-z0-9-]+)"`)
	files, _ := filepath.Glob("*.go")
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "rules.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
			if !prefixes[m[1]] {
				continue
			}
			checked++
			if _, ok := ruleIndex[m[1]+"/"+m[2]]; !ok {
				t.Errorf("%s names rule %s/%s, which is not in the rule table", f, m[1], m[2])
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d rule IDs found in the checks; the pattern no longer matches how they are written", checked)
	}
}

func TestAddPanicsOnUnknownRule(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("add accepted an unknown rule")
		}
	}()
	c := newCtx(Input{Pod: &corev1.Pod{}})
	c.add("crash/no-such-rule", "", "x", "", nil, nil)
}
