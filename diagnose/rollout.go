package diagnose

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// History holds the revisions of the workloads of the pods diagnosed: the
// ReplicaSets of their Deployments and the ControllerRevisions of their
// StatefulSets and DaemonSets, as read (or loaded from files). It may hold
// objects of other workloads and namespaces; Changes picks the pod's own.
// Objects are shared: nobody mutates them.
type History struct {
	ReplicaSets         []*appsv1.ReplicaSet
	ControllerRevisions []*appsv1.ControllerRevision
}

// revisionAnnotation numbers a Deployment's ReplicaSets.
const revisionAnnotation = "deployment.kubernetes.io/revision"

// RevisionHealth is what is known of the pods of a revision.
type RevisionHealth int

const (
	RevisionUnknown RevisionHealth = iota
	RevisionHealthy
	RevisionUnhealthy
)

func (h RevisionHealth) String() string {
	switch h {
	case RevisionHealthy:
		return "healthy"
	case RevisionUnhealthy:
		return "unhealthy"
	}
	return "unknown"
}

// Change is what changed in a pod's template between its workload's
// revision and the one before: the answer to "what changed?".
type Change struct {
	Owner            Owner          // deployment/api, statefulset/db
	Revision         int64          // the pod's revision
	PreviousRevision int64          // the one before it
	Object           string         // the pod's revision object: replicaset/api-7d9c5
	PreviousObject   string         // the previous one
	Latest           bool           // the pod's revision is the workload's newest
	RolledOut        time.Time      // when the pod's revision was made
	Previous         RevisionHealth // how the previous revision's pods fared
	PreviousPods     string         // what Previous rests on: "3 of 3 ready", "scaled to 0"
	Diffs            []Diff         // empty when the templates are equal
}

// Diff is one semantic difference between two pod templates.
type Diff struct {
	Container string // "" for pod-level fields
	Field     string // image, command, args, env, envFrom, resources, livenessProbe, volume, serviceAccount, ...
	From, To  string // "" when added or removed
	Text      string // "image api:1.4.2 → api:1.5.0", "env DB_HOST removed"
}

// UndoCommand is the command that rolls the workload back to the previous revision.
func (c *Change) UndoCommand(namespace string) string {
	return fmt.Sprintf("kubectl rollout undo %s -n %s --to-revision=%d", c.Owner, namespace, c.PreviousRevision)
}

// DiffSummary joins the first n differences ("; "), saying how many more there are.
func (c *Change) DiffSummary(n int) string {
	if len(c.Diffs) == 0 {
		return "no difference in the pod template"
	}
	var parts []string
	for i, d := range c.Diffs {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(c.Diffs)-n))
			break
		}
		parts = append(parts, d.Text)
	}
	return strings.Join(parts, "; ")
}

// revision is one revision of a workload, whatever object holds it.
type revision struct {
	object   string // kind/name, lower-case kind
	number   int64
	created  time.Time
	template *corev1.PodTemplateSpec
	health   RevisionHealth
	pods     string
}

// Changes compares the pod's revision with the previous one of its
// workload. nil when the pod has no such workload, its revision or a
// previous one is not in in.History, or a template cannot be read.
func Changes(in Input) *Change {
	if in.Pod == nil || in.History == nil {
		return nil
	}
	owner, revs, mine := revisionsOf(in.Pod, in.History)
	if mine == nil {
		return nil
	}
	var prev *revision
	latest := true
	for i := range revs {
		r := &revs[i]
		if r.number > mine.number {
			latest = false
		}
		if r.number < mine.number && (prev == nil || r.number > prev.number) {
			prev = r
		}
	}
	if prev == nil {
		return nil
	}
	return &Change{
		Owner: owner, Revision: mine.number, PreviousRevision: prev.number,
		Object: mine.object, PreviousObject: prev.object, Latest: latest,
		RolledOut: mine.created, Previous: prev.health, PreviousPods: prev.pods,
		Diffs: TemplateDiff(prev.template, mine.template),
	}
}

// revisionsOf finds the pod's workload, its revisions, and the pod's own.
func revisionsOf(pod *corev1.Pod, h *History) (Owner, []revision, *revision) {
	ref := metav1.GetControllerOf(pod)
	if ref == nil {
		return Owner{}, nil, nil
	}
	switch ref.Kind {
	case "ReplicaSet":
		var own *appsv1.ReplicaSet
		for _, rs := range h.ReplicaSets {
			if rs.Namespace == pod.Namespace && rs.Name == ref.Name && (ref.UID == "" || rs.UID == "" || rs.UID == ref.UID) {
				own = rs
			}
		}
		if own == nil {
			return Owner{}, nil, nil
		}
		dep := metav1.GetControllerOf(own)
		if dep == nil || dep.Kind != "Deployment" {
			return Owner{}, nil, nil
		}
		var revs []revision
		for _, rs := range h.ReplicaSets {
			c := metav1.GetControllerOf(rs)
			if rs.Namespace != pod.Namespace || c == nil || c.Kind != "Deployment" || c.Name != dep.Name {
				continue
			}
			n, err := strconv.ParseInt(rs.Annotations[revisionAnnotation], 10, 64)
			if err != nil {
				continue
			}
			health, pods := replicaSetHealth(rs)
			revs = append(revs, revision{object: "replicaset/" + rs.Name, number: n, created: rs.CreationTimestamp.Time, template: &rs.Spec.Template, health: health, pods: pods})
		}
		return Owner{Kind: "Deployment", Name: dep.Name}, revs, findRevision(revs, "replicaset/"+own.Name)
	case "StatefulSet", "DaemonSet":
		hash := pod.Labels[appsv1.ControllerRevisionHashLabelKey]
		if hash == "" {
			return Owner{}, nil, nil
		}
		var revs []revision
		mineName := ""
		for _, cr := range h.ControllerRevisions {
			c := metav1.GetControllerOf(cr)
			if cr.Namespace != pod.Namespace || c == nil || c.Kind != ref.Kind || c.Name != ref.Name {
				continue
			}
			t := revisionTemplate(cr)
			if t == nil {
				continue
			}
			revs = append(revs, revision{object: "controllerrevision/" + cr.Name, number: cr.Revision, created: cr.CreationTimestamp.Time, template: t, pods: "not recorded for " + strings.ToLower(ref.Kind) + " revisions"})
			if cr.Name == hash || cr.Name == ref.Name+"-"+hash || cr.Labels[appsv1.ControllerRevisionHashLabelKey] == hash {
				mineName = "controllerrevision/" + cr.Name
			}
		}
		return Owner{Kind: ref.Kind, Name: ref.Name}, revs, findRevision(revs, mineName)
	}
	return Owner{}, nil, nil
}

func findRevision(revs []revision, object string) *revision {
	for i := range revs {
		if revs[i].object == object {
			return &revs[i]
		}
	}
	return nil
}

// replicaSetHealth judges a ReplicaSet's pods from its status.
func replicaSetHealth(rs *appsv1.ReplicaSet) (RevisionHealth, string) {
	st := rs.Status
	if st.Replicas == 0 {
		return RevisionUnknown, "scaled to 0"
	}
	pods := fmt.Sprintf("%d of %d ready, %d available", st.ReadyReplicas, st.Replicas, st.AvailableReplicas)
	if st.AvailableReplicas > 0 && st.ReadyReplicas == st.Replicas {
		return RevisionHealthy, pods
	}
	return RevisionUnhealthy, pods
}

// revisionTemplate reads the pod template a StatefulSet's or DaemonSet's
// ControllerRevision holds: a patch {"spec":{"template":{...}}}.
func revisionTemplate(cr *appsv1.ControllerRevision) *corev1.PodTemplateSpec {
	if len(cr.Data.Raw) == 0 {
		return nil
	}
	var d struct {
		Spec struct {
			Template *corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(cr.Data.Raw, &d); err != nil {
		return nil
	}
	return d.Spec.Template
}
