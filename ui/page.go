package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// Page is a full-screen view opened over the pod list: the diagnosis, logs,
// detail. The app keeps a stack of them; esc-like keys are the page's own
// business, and a page closes itself by returning ClosePage.
//
// A page gets keys, PodsChangedMsg and UsageChangedMsg while it is on top
// (and the latest of the last two when it is shown again), and the results
// of its own Cmds wherever it is: they carry a Ticket (route.go).
type Page interface {
	Init() tea.Cmd
	// Update handles a message.
	Update(msg tea.Msg) (Page, tea.Cmd)
	// View renders exactly the size given by SetSize.
	View() string
	SetSize(width, height int)
	// Title names the page in the header ("logs shop/api-1 app").
	Title() string
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// SetCovered is called when another page opens over this one (true)
	// and when this one is shown again (false): a page may pause what only
	// matters on screen (redraw ticks) and resume it.
	SetCovered(covered bool) tea.Cmd
	// Close stops what the page started (streams, watches) when it leaves
	// the stack.
	Close()
}

// stillPage is embedded by pages that start nothing: nothing to pause,
// resume or stop.
type stillPage struct{}

func (stillPage) SetCovered(bool) tea.Cmd { return nil }
func (stillPage) Close()                  {}

// PageEnv is what pages are built with.
type PageEnv struct {
	// ID is the page's address for the results of its Cmds (Ticket.To).
	ID      PageID
	Cluster Cluster
	Keys    keymap.Keys
	// Styles is the app's theme, shared: a change of theme reaches open pages.
	Styles *Styles
	Now    func() time.Time
	// ReadOnly: no action may write to the cluster or run code in it.
	ReadOnly bool
	Logs     LogSettings
	Shells   [][]string
	// Metrics is the latest usage poll when the page opened; newer ones
	// arrive as UsageChangedMsg.
	Metrics kube.PodMetrics
}

// closePageMsg asks the app to close the top page.
type closePageMsg struct{}

// ClosePage is the Cmd a page returns to close itself.
func ClosePage() tea.Msg { return closePageMsg{} }

// PodsChangedMsg tells the top page that the pod list changed, so a page
// about one pod can pick up its new state or learn it was deleted.
type PodsChangedMsg struct {
	Snapshot kube.PodSnapshot
}

// ActionMsg asks the app to run an in-app action for a pod, e.g. from a
// diagnosis finding: open the previous logs, the events, a shell.
type ActionMsg struct {
	Pod       *corev1.Pod
	Container string
	Action    diagnose.Action
}

// statusMsg shows a one-line message in the status line for a while.
type statusMsg struct {
	text  string
	isErr bool
}

// SetStatus is a Cmd that shows text in the status line.
func SetStatus(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: text, isErr: isErr} }
}
