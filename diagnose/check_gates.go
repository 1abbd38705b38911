package diagnose

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// checkReadinessGates catches a pod whose containers are all ready but
// that is held back from Ready by a readiness gate another controller
// sets (a load balancer's target health).
func checkReadinessGates(c *ctx) {
	p := c.pod
	if len(p.Spec.ReadinessGates) == 0 || p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning {
		return
	}
	cr := c.podCondition(corev1.ContainersReady)
	// The gate's controller needs a moment after the containers are ready.
	if cr == nil || cr.Status != corev1.ConditionTrue || c.within(cr.LastTransitionTime.Time, gateWaitAfter) {
		return
	}
	for _, g := range p.Spec.ReadinessGates {
		cond := c.podCondition(g.ConditionType)
		if cond != nil && cond.Status == corev1.ConditionTrue {
			continue
		}
		gate := string(g.ConditionType)
		ev := []string{fmt.Sprintf("spec.readinessGates: %s", gate), fmt.Sprintf("condition ContainersReady=True %s ago", c.ago(cr.LastTransitionTime.Time))}
		summary := fmt.Sprintf("Containers ready, but readiness gate %s ", gate)
		if cond == nil {
			summary += "has no condition: no controller has reported on it"
			ev = append(ev, "status.conditions: no "+gate)
		} else {
			summary += "is " + string(cond.Status)
			if cond.Reason != "" {
				summary += " (" + cond.Reason + ")"
			}
			ev = append(ev, fmt.Sprintf("condition %s=%s reason=%s: %s", gate, cond.Status, cond.Reason, cond.Message))
		}
		owner, next := gateController(gate)
		detail := ""
		if owner != "" {
			detail = "This gate belongs to " + owner + "."
		}
		n := len(c.out)
		c.add("probe/readiness-gate", "", summary, detail, ev, nil)
		if next != "" && len(c.out) > n {
			f := &c.out[n]
			f.Next = append(f.Next, fillCommands([]string{next}, c.baseVars(""))...)
		}
	}
}

// gateController names the controller that sets a well-known readiness
// gate, and a command that shows its side.
func gateController(gate string) (owner, next string) {
	switch {
	case strings.HasPrefix(gate, "target-health.elbv2.k8s.aws/"):
		return "the AWS Load Balancer Controller (target group health)", "kubectl get targetgroupbindings -n <namespace>"
	case strings.HasPrefix(gate, "target-health.alb.ingress.k8s.aws/"):
		return "the AWS ALB Ingress Controller (target group health)", "kubectl get ingress -n <namespace>"
	case gate == "cloud.google.com/load-balancer-neg-ready":
		return "GKE's NEG controller (the load balancer's network endpoint group)", "kubectl get svcneg -n <namespace>"
	}
	return "", ""
}
