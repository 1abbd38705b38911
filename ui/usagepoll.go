package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/kube"
)

// The app polls metrics.k8s.io for the pod list's usage columns and hands
// each result to the list and to the top page.

// metricsMsg is the result of one poll; its Ticket drops results of a scope the
// user has left.
type metricsMsg struct {
	Ticket
	res kube.PodMetrics
}

// metricsTickMsg asks for the next poll under its Ticket.
type metricsTickMsg struct{ Ticket }

// UsageChangedMsg tells the top page that new usage samples arrived (the app
// polls; pages never do). Look a pod up with For.
type UsageChangedMsg struct {
	Metrics kube.PodMetrics
}

// For returns a pod's latest sample, if there is one.
func (m UsageChangedMsg) For(namespace, name string) (kube.PodUsage, bool) {
	u, ok := m.Metrics.Pods[kube.Key(namespace, name)]
	return u, ok
}

func pollMetrics(c Cluster, namespace string, t Ticket) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return metricsMsg{Ticket: t, res: c.PodMetrics(ctx, namespace)}
	}
}

func metricsTick(d time.Duration, t Ticket) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return metricsTickMsg{t} })
}

// usagePoll is the app's metrics polling state.
type usagePoll struct {
	polls   asks   // one per namespace polled; results and ticks of older ones are dropped
	ns      string // namespace being polled
	active  bool   // ns is handled: polled on a tick, or refused for good
	absent  bool   // the API is not served: asked again only now and then
	problem string // for the status line; "" when the numbers are fine
}

// pollUsage starts polling ns unless that is already going on. A change of
// namespace (switch, or an RBAC fallback of the feed) starts a new
// generation at once; the kube side still refuses to poll one namespace
// faster than its interval.
func (a *App) pollUsage(ns string) tea.Cmd {
	u := &a.usage
	if u.absent || (u.active && u.ns == ns) {
		return nil
	}
	u.ns, u.active = ns, true
	return pollMetrics(a.cluster, ns, u.polls.next())
}

func (a *App) gotUsage(msg metricsMsg) tea.Cmd {
	u := &a.usage
	if !u.polls.current(msg.Ticket) {
		return nil
	}
	u.problem = msg.res.Problem
	a.list.SetMetrics(msg.res, a.now())
	var cmds []tea.Cmd
	if a.top() != nil {
		cmds = append(cmds, a.updateTop(UsageChangedMsg{Metrics: a.list.Metrics()}))
	}
	u.absent = msg.res.Absent
	if !msg.res.Forbidden {
		// Absent too: metrics-server may be installed later, and asking
		// discovery once per interval is one small GET.
		cmds = append(cmds, metricsTick(a.opts.MetricsInterval, msg.Ticket))
	}
	// Forbidden: RBAC does not change by itself; a namespace switch asks again.
	return tea.Batch(cmds...)
}

func (a *App) usageTick(msg metricsTickMsg) tea.Cmd {
	if !a.usage.polls.current(msg.Ticket) {
		return nil
	}
	return pollMetrics(a.cluster, a.usage.ns, msg.Ticket)
}

// usageHint is the status line's one remark about metrics: why the columns
// say n/a, or why numbers still shown are not fresh.
func (a *App) usageHint() string {
	if m := a.list.Metrics(); m.Problem == "" && m.Pods != nil {
		return "ℹ usage not refreshed: " + a.usage.problem
	}
	return "ℹ CPU/MEM n/a: " + a.usage.problem
}
