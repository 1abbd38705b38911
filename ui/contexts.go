package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/kube"
)

// connectTimeout bounds building and checking another context's client.
const connectTimeout = 20 * time.Second

// connectedMsg is the Cluster of another context, or why it cannot be used.
type connectedMsg struct {
	Ticket
	name    string
	cluster Cluster
	err     error
}

// connect builds the Cluster of the context name (Options.Connect) and
// checks it as podtui does at start; the old one keeps running until the
// new one answers, and stays when it does not.
func (a *App) connect(name string) tea.Cmd {
	if a.opts.Connect == nil {
		return SetStatus("switching contexts needs a kubeconfig", true)
	}
	if name == a.info.Context {
		return SetStatus("already on context "+oneLine(name), false)
	}
	connect, t := a.opts.Connect, a.connects.next()
	return tea.Batch(SetStatus("connecting to context "+oneLine(name)+"…", false), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		c, err := connect(ctx, name)
		return connectedMsg{Ticket: t, name: name, cluster: c, err: err}
	})
}

// switchCluster leaves the old context for the new one: every page closes
// (its streams, watches and feeds stop), the pod feed and the port-forwards
// stop, and the list starts over in the namespace last shown in that
// context (else the context's own).
func (a *App) switchCluster(msg connectedMsg) tea.Cmd {
	if !a.connects.current(msg.Ticket) {
		return nil
	}
	if msg.err != nil {
		// The same explanation as at start; the old context stays.
		why := kube.Explain(msg.err)
		if ce := (*kube.ConfigError)(nil); errors.As(msg.err, &ce) {
			why = ce.Problem
			if ce.Fix != "" {
				why += " (fix: " + ce.Fix + ")"
			}
		}
		return SetStatus(fmt.Sprintf("cannot switch to context %s: %s", oneLine(msg.name), oneLine(why)), true)
	}
	for len(a.pages) > 0 {
		a.closeTop()
	}
	if a.src != nil {
		a.src.Stop()
		a.src = nil
	}
	a.stopForwards()
	if a.lastNS == nil {
		a.lastNS = map[string]string{}
	}
	a.lastNS[a.info.Context] = a.current()
	a.cluster, a.info = msg.cluster, msg.cluster.Info()
	ns, ok := a.lastNS[a.info.Context]
	if !ok {
		ns = a.info.Namespace
	}
	a.scope.Namespace = ns
	a.usage.polls.next() // results of the old context's polls are dropped
	a.usage = usagePoll{polls: a.usage.polls}
	a.loaded, a.snap = false, kube.PodSnapshot{}
	a.list.Clear(a.now())
	a.list.SetMetrics(kube.PodMetrics{}, a.now())
	return tea.Batch(
		startFeed(a.cluster, a.scope, a.feeds.next()), a.pollUsage(ns),
		SetStatus("switched to context "+oneLine(a.info.Context), false),
	)
}

// Connector adapts a function that builds the client of another context
// (kube.Client.ForContext) to Options.Connect.
func Connector[C Cluster](build func(ctx context.Context, name string) (C, error)) func(context.Context, string) (Cluster, error) {
	return func(ctx context.Context, name string) (Cluster, error) {
		c, err := build(ctx, name)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return c, nil
	}
}
