package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/kube"
)

// forwardMsg reports on a port-forward: started (fwd, err), ended on its
// own (ended), or asked to stop (stop).
type forwardMsg struct {
	req   kube.ForwardRequest
	fwd   *kube.Forward
	err   error
	ended *kube.Forward
	stop  *kube.Forward
}

// startForward is the Cmd that opens a forward.
func (a *App) startForward(req kube.ForwardRequest) tea.Cmd {
	c := a.cluster
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		fwd, err := c.PortForward(ctx, req)
		return forwardMsg{req: req, fwd: fwd, err: err}
	}
}

// waitForward reports when a forward ends by itself (pod gone, connection lost).
func waitForward(f *kube.Forward) tea.Cmd {
	return func() tea.Msg {
		<-f.Done()
		return forwardMsg{ended: f}
	}
}

// handleForward keeps the list of active forwards, which quit stops.
func (a *App) handleForward(m forwardMsg) tea.Cmd {
	switch {
	case m.stop != nil:
		a.dropForward(m.stop)
		f := m.stop
		return func() tea.Msg {
			f.Stop()
			return statusMsg{text: "stopped port-forward " + f.String()}
		}
	case m.ended != nil:
		if !a.dropForward(m.ended) {
			return nil // stopped on purpose; already said so
		}
		text := "port-forward " + m.ended.String() + " ended"
		if err := m.ended.Err(); err != nil {
			text += ": " + oneLine(err.Error())
		}
		return SetStatus(text, true)
	case m.err != nil:
		return SetStatus(fmt.Sprintf("port-forward to %s/%s:%d failed: %s", m.req.Namespace, m.req.Pod, m.req.PodPort, oneLine(kube.Explain(m.err))), true)
	case m.fwd != nil:
		a.forwards = append(a.forwards, m.fwd)
		return tea.Batch(waitForward(m.fwd), SetStatus("forwarding "+m.fwd.String()+"  (F lists and stops forwards)", false))
	}
	return nil
}

// dropForward removes f from the active list and reports whether it was there.
func (a *App) dropForward(f *kube.Forward) bool {
	for i, g := range a.forwards {
		if g == f {
			a.forwards = append(a.forwards[:i], a.forwards[i+1:]...)
			return true
		}
	}
	return false
}

// stopForwards ends every forward, on quit.
func (a *App) stopForwards() {
	for _, f := range a.forwards {
		f.Stop()
	}
	a.forwards = nil
}

// parseForward reads kubectl's port syntax: "8080" (same local port),
// "9000:8080", or ":8080" (any free local port).
func parseForward(s string) (local, remote int, err error) {
	s = strings.TrimSpace(s)
	l, r, found := strings.Cut(s, ":")
	if !found {
		r = l
	}
	port := func(p string) (int, error) {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return 0, fmt.Errorf("%q is not a port (1-65535)", p)
		}
		return n, nil
	}
	if remote, err = port(r); err != nil {
		return 0, 0, err
	}
	if l == "" {
		return 0, remote, nil
	}
	if local, err = port(l); err != nil {
		return 0, 0, err
	}
	return local, remote, nil
}
