package kube

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/diagnose/report"
)

// fixtureNow is the clock the diagnose fixtures are written against.
var fixtureNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// fixturePods loads every pod of the diagnose engine's fixtures, with the
// metrics samples some of them carry.
func fixturePods(t *testing.T) (pods []*corev1.Pod, usage map[string]*diagnose.Usage) {
	t.Helper()
	usage = map[string]*diagnose.Usage{}
	for _, dir := range []string{"fixtures", "usage"} {
		files, err := filepath.Glob(filepath.Join("..", "diagnose", "testdata", dir, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures in %s: %v", dir, err)
		}
		for _, f := range files {
			r, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			b := report.NewBundle()
			if err := b.Load(filepath.Base(f), r); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			_ = r.Close()
			pods = append(pods, b.Pods...)
			for k, u := range b.Usage {
				usage[k] = u
			}
		}
	}
	return pods, usage
}

// topOf is what the list shows of findings: the first at warning or above.
func topOf(fs []diagnose.Finding) (diagnose.Category, diagnose.Severity) {
	for _, f := range fs {
		if f.Severity >= diagnose.SeverityWarning {
			return f.Category, f.Severity
		}
	}
	return "", diagnose.SeverityInfo
}

// The list shows what a summary holds; for every pod of the diagnose
// fixtures it must be what the engine and the columns say of the full pod.
func TestSummaryMatchesFullPod(t *testing.T) {
	pods, _ := fixturePods(t)
	if len(pods) < 86 {
		t.Fatalf("only %d fixture pods", len(pods))
	}
	for _, p := range pods {
		s := Summarize(p, fixtureNow)
		if s.Name != p.Name || s.Namespace != p.Namespace || s.UID != p.UID || s.Node != p.Spec.NodeName || s.IP != p.Status.PodIP {
			t.Errorf("%s: identity %+v", p.Name, s.ObjectMeta)
		}
		if c := diagnose.PodColumns(p); s.Columns != c {
			t.Errorf("%s: columns %+v, want %+v", p.Name, s.Columns, c)
		}
		cat, sev := topOf(diagnose.Diagnose(diagnose.Input{Pod: p, Now: fixtureNow}))
		if s.Problem != cat || s.ProblemSeverity != sev {
			t.Errorf("%s: problem %q/%v, want %q/%v", p.Name, s.Problem, s.ProblemSeverity, cat, sev)
		}
		if got, want := s.Restarts(fixtureNow), diagnose.Restarts(p, fixtureNow); got != want {
			t.Errorf("%s: restarts %q, want %q", p.Name, got, want)
		}
		if got, want := s.Controller, diagnose.ControllerName(p); got != want {
			t.Errorf("%s: controller %q, want %q", p.Name, got, want)
		}
		req, lim := diagnose.PodRequests(p), diagnose.PodLimits(p)
		for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			for _, c := range []struct {
				what string
				list corev1.ResourceList
				get  func(corev1.ResourceName) (resource.Quantity, bool)
			}{{"request", req, s.Request}, {"limit", lim, s.Limit}} {
				want, wantOK := c.list[res]
				got, ok := c.get(res)
				if ok != wantOK || got.Cmp(want) != 0 {
					t.Errorf("%s: %s %s = %s (%v), want %s (%v)", p.Name, res, c.what, got.String(), ok, want.String(), wantOK)
				}
			}
		}
	}
}

// A summary made once keeps telling the engine's verdict as time passes:
// for every fixture pod summarised two hours before the fixture's clock,
// ProblemAt at later moments is what the engine says of the full pod then.
func TestSummaryProblemFollowsTime(t *testing.T) {
	pods, _ := fixturePods(t)
	start := fixtureNow.Add(-2 * time.Hour)
	changed := 0
	for _, p := range pods {
		s := Summarize(p, start)
		if len(s.Later) > 0 {
			changed++
		}
		for at := start; at.Before(fixtureNow.Add(2 * time.Hour)); at = at.Add(53 * time.Second) {
			wantCat, wantSev := topOf(diagnose.Diagnose(diagnose.Input{Pod: p, Now: at}))
			if cat, sev, _ := s.ProblemAt(at); cat != wantCat || sev != wantSev {
				t.Errorf("%s at %s: %q/%v, want the engine's %q/%v", p.Name, at.Format(time.RFC3339), cat, sev, wantCat, wantSev)
				break
			}
		}
	}
	if changed == 0 {
		t.Fatal("no fixture pod's verdict changes with time; the test checks nothing")
	}
}

// With a metrics sample, the list's DIAG comes from the summary and the
// sample alone (ProblemWith). It must be the engine's verdict on the full
// pod with that sample: for every fixture pod, with its own sample if it has
// one, and with each container at 95 % and at 50 % of its memory limit.
func TestProblemWithUsageMatchesEngine(t *testing.T) {
	pods, samples := fixturePods(t)
	// Few fixtures set memory limits; each pod also runs with a limit on
	// every app container, so every situation meets a near-full container.
	for _, p := range slices.Clone(pods) {
		limited := p.DeepCopy()
		limited.Name += "-limited"
		for i := range limited.Spec.Containers {
			r := &limited.Spec.Containers[i].Resources
			r.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}
		}
		pods = append(pods, limited)
	}
	checked, near := 0, 0
	for _, p := range pods {
		s := Summarize(p, fixtureNow)
		var cases []*diagnose.Usage
		if u := samples[p.Namespace+"/"+p.Name]; u != nil {
			cases = append(cases, u)
		}
		for _, pct := range []int64{95, 50} {
			u := &diagnose.Usage{Time: fixtureNow.Add(-30 * time.Second), Containers: map[string]corev1.ResourceList{}}
			for _, c := range p.Spec.Containers {
				if lim, ok := c.Resources.Limits[corev1.ResourceMemory]; ok {
					u.Containers[c.Name] = corev1.ResourceList{corev1.ResourceMemory: *resource.NewQuantity(lim.Value()*pct/100, resource.BinarySI)}
				}
			}
			cases = append(cases, u)
		}
		for _, u := range cases {
			wantCat, wantSev := topOf(diagnose.Diagnose(diagnose.Input{Pod: p, Now: fixtureNow, Usage: u}))
			cat, sev, isNear := s.ProblemWith(PodUsage{Namespace: p.Namespace, Name: p.Name, Time: u.Time, Containers: u.Containers}, fixtureNow)
			if cat != wantCat || sev != wantSev {
				t.Errorf("%s with %v: %q/%v, want the engine's %q/%v", p.Name, u.Containers, cat, sev, wantCat, wantSev)
			}
			checked++
			if isNear {
				near++
			}
		}
	}
	if near == 0 {
		t.Fatalf("no case was near a memory limit in %d checked", checked)
	}
	t.Logf("%d pod and sample pairs, %d near a limit", checked, near)
}

// The transform must be idempotent: client-go may pass an object through it
// again (a WatchList's temporary store, then the FIFO).
func TestSummarizeTransformIsIdempotent(t *testing.T) {
	tr := summarizeWith(func() time.Time { return fixtureNow }, nil)
	p := testPod("shop", "a")
	once, _ := tr(p)
	twice, _ := tr(once)
	if once != twice {
		t.Fatal("a summary was summarized again")
	}
	if s, ok := once.(*PodSummary); !ok || s.Name != "a" || s.Annotations != nil || s.ManagedFields != nil {
		t.Fatalf("summary %+v", once)
	}
}
