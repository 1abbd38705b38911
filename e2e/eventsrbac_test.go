package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podtui/podtui/internal/harness"
)

// TestEventsForbiddenIsSaid: a user who may read pods but not events is
// told so on the detail page (not "loading events…" for ever), on the
// diagnosis page and in podtui diagnose, with what that hides.
func TestEventsForbiddenIsSaid(t *testing.T) {
	ns := cluster.NewNamespace(t, "noevents")
	if _, err := cluster.CreatePodInState(ctx(t), harness.PodFor(ns, "web", harness.StatePending), harness.StatePending); err != nil {
		t.Fatal(err)
	}
	user := "noevents-" + ns
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pods-only"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods", "pods/log"}, Verbs: []string{"get", "list", "watch"}}},
	}
	if _, err := cluster.Client().RbacV1().Roles(ns).Create(ctx(t), role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pods-only"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "pods-only"},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: user}},
	}
	if _, err := cluster.Client().RbacV1().RoleBindings(ns).Create(ctx(t), rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kc, err := cluster.KubeconfigFor(user, nil)
	if err != nil {
		t.Fatal(err)
	}

	term := startPodtui(t, kc, "-n", ns)
	ok(t)(term.WaitMatch(rowRE("web", "Pending"), seen))
	term.Send("d")
	ok(t)(term.WaitFor("events cannot be read", seen))
	ok(t)(term.WaitFor("forbidden", seen))
	term.Send("esc")
	ok(t)(term.WaitFor("pods:", seen))
	term.Send("D")
	ok(t)(term.WaitFor("events could not be read", seen))

	out, err := podtuiCommand(t, kc, "diagnose", "-n", ns, "web", "-o", "json").Output()
	if len(out) == 0 {
		t.Fatalf("podtui diagnose: %v", err)
	}
	var rep struct {
		Pods []struct {
			EventsProblem string `json:"eventsProblem"`
		} `json:"pods"`
	}
	if err := json.Unmarshal(out, &rep); err != nil || len(rep.Pods) != 1 {
		t.Fatalf("%v: %s", err, out)
	}
	if p := rep.Pods[0].EventsProblem; !strings.Contains(p, "forbidden") || !strings.Contains(p, "namespace "+ns) {
		t.Fatalf("eventsProblem %q", p)
	}
}
