// Package ui is podtui's terminal interface: bubbletea models that read a
// Cluster and never call the API themselves.
package ui

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/internal/defaults"
	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// Options configure the app.
type Options struct {
	Scope kube.Scope
	Keys  keymap.Keys
	// Now is the clock; tests fix it.
	Now func() time.Time
	// Dark selects the dark theme.
	Dark bool
	// FixedTheme keeps Dark even when the terminal reports its background
	// (theme mode dark or light); otherwise the theme follows the terminal.
	FixedTheme bool
	// Colors overrides theme colours by semantic name.
	Colors map[string]string
	// ReadOnly disables every action that writes to the cluster or runs
	// code in it (exec, port-forward, delete, debug).
	ReadOnly bool
	// Logs are the log view defaults.
	Logs LogSettings
	// Shells are the commands tried, in order, to open a shell.
	Shells [][]string
	// Debug are the debug container and node shell defaults.
	Debug DebugSettings
	// MetricsInterval is how often metrics.k8s.io is polled
	// (kube.DefaultMetricsInterval when zero).
	MetricsInterval time.Duration
	// StartTriage opens on the triage page (--triage).
	StartTriage bool
	// Contexts are the kubeconfig's contexts, for ":ctx" and its picker.
	Contexts []string
	// Connect builds the Cluster of another context, checked as at start
	// (a broken one fails with the same message); nil: no switching.
	Connect func(ctx context.Context, name string) (Cluster, error)
}

// LogSettings are the log view defaults from the config file.
type LogSettings struct {
	Tail        int
	BufferLines int
	BufferBytes int64
	Wrap        bool
	Timestamps  bool
	MaxStreams  int // of a workload's log view; 0: kube.DefaultMaxStreams
}

// DefaultLogSettings are used when the config file sets none.
func DefaultLogSettings() LogSettings {
	return LogSettings{Tail: defaults.LogTail, BufferLines: defaults.LogBufferLines, BufferBytes: defaults.LogBufferBytes}
}

// App is the root model: it routes keys and lays out the views.
type App struct {
	cluster Cluster
	opts    Options
	keys    keymap.Keys
	styles  *Styles // shared with the pages: a theme change reaches them all
	now     func() time.Time
	info    kube.Info

	scope  kube.Scope // what the user asked for
	feeds  asks       // one per feed started; older feeds' messages are dropped
	src    kube.PodSource
	snap   kube.PodSnapshot
	loaded bool

	pages       []openPage // stacked over the list; the last one is shown
	ids         pageIDs
	forwards    []*kube.Forward // active port-forwards, stopped on quit
	status      statusMsg
	statusUntil time.Time

	// connects are the switches to another context asked for; lastNS is
	// the namespace last shown per context ("" = all).
	connects asks
	lastNS   map[string]string

	list    PodList
	picker  nsPicker
	picking bool // the namespace picker is open
	help    help.Model
	usage   usagePoll

	width, height int
}

// New builds the app for a cluster.
func New(c Cluster, opts Options) *App {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logs == (LogSettings{}) {
		opts.Logs = DefaultLogSettings()
	}
	if len(opts.Shells) == 0 {
		opts.Shells = defaults.Shells()
	}
	if opts.Debug.Image == "" {
		opts.Debug = DefaultDebugSettings()
	}
	if opts.ReadOnly {
		opts.Keys.DisableWrites() // the keys stop matching and leave the help
	}
	if opts.MetricsInterval <= 0 {
		opts.MetricsInterval = kube.DefaultMetricsInterval
	}
	h := help.New()
	h.Styles = help.DefaultStyles(opts.Dark)
	styles := NewStyles(opts.Dark, opts.Colors)
	a := &App{
		cluster: c,
		opts:    opts,
		keys:    opts.Keys,
		styles:  styles,
		now:     opts.Now,
		info:    c.Info(),
		scope:   opts.Scope,
		list:    NewPodList(NewPodListKeyMap(opts.Keys), styles, opts.Now),
		help:    h,
		picker:  newNSPicker(opts.Keys.Picker),
	}
	a.feeds.next() // the first feed's ticket; Init starts that feed
	return a
}

// Init starts the pod feed.
func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{startFeed(a.cluster, a.scope, a.feeds.last()), ageTick(), tea.RequestBackgroundColor, a.pollUsage(a.scope.Namespace)}
	if a.opts.StartTriage {
		cmds = append(cmds, a.openTriage())
	}
	if !a.opts.ReadOnly {
		cmds = append(cmds, cleanupNodeShells(a.cluster))
	}
	return tea.Batch(cmds...)
}

// openTriage shows what is broken in the scope, grouped by root cause.
func (a *App) openTriage() tea.Cmd {
	scope := a.scope
	if a.loaded {
		scope = a.snap.Scope // after an RBAC fallback
	}
	open := a.open(func(env PageEnv) Page { return NewTriagePage(env, scope) })
	if !a.loaded {
		return open // the first snapshot reaches it
	}
	return tea.Batch(open, a.updateTop(PodsChangedMsg{Snapshot: a.snap}))
}

// Update handles one message.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	// The results of a page's Cmds go to that page, covered or not.
	if m, ok := msg.(addressed); ok && m.owner() != appID {
		return a, a.deliver(m.owner(), msg)
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.layout()
		return a, nil
	case closePageMsg:
		a.closeTop()
		return a, a.uncoverTop()
	case podActionMsg:
		return a, a.runPodAction(msg)
	case openWorkloadLogsMsg:
		if msg.replace && a.top() != nil {
			a.closeTop()
		}
		return a, a.open(func(env PageEnv) Page { return NewWorkloadLogPage(env, msg.open) })
	case forwardMsg:
		return a, a.handleForward(msg)
	case statusMsg:
		a.status, a.statusUntil = msg, a.now().Add(5*time.Second)
		return a, nil
	case logSavedMsg:
		a.status, a.statusUntil = msg.status(), a.now().Add(5*time.Second)
		return a, nil
	case ActionMsg:
		return a, a.runAction(msg)
	case connectedMsg:
		return a, a.switchCluster(msg)
	case feedStartedMsg:
		if !a.feeds.current(msg.Ticket) {
			if msg.src != nil {
				msg.src.Stop()
			}
			return a, nil
		}
		if msg.err != nil {
			a.list.SetError(msg.err.Error())
			return a, nil
		}
		a.list.SetError("")
		a.src = msg.src
		return a, waitPods(msg.src, msg.Ticket, time.Time{})
	case podsMsg:
		if !a.feeds.current(msg.Ticket) {
			return a, nil
		}
		a.snap = msg.snap
		a.loaded = true
		a.list.SetSnapshot(msg.snap, a.now())
		cmds := []tea.Cmd{waitPods(a.src, msg.Ticket, cmp.Or(msg.at, time.Now())), a.pollUsage(a.current())}
		if a.top() != nil {
			cmds = append(cmds, a.updatePages(PodsChangedMsg{Snapshot: msg.snap}))
		}
		return a, tea.Batch(cmds...)
	case namespacesMsg:
		a.picker.setNamespaces(msg.names, msg.err)
		return a, nil
	case tea.BackgroundColorMsg:
		if !a.opts.FixedTheme {
			*a.styles = *NewStyles(msg.IsDark(), a.opts.Colors) // in place: the pages and the list hold it
			a.help.Styles = help.DefaultStyles(msg.IsDark())
		}
		return a, nil
	case tickMsg:
		return a, ageTick()
	case metricsMsg:
		return a, a.gotUsage(msg)
	case metricsTickMsg:
		return a, a.usageTick(msg)
	case openNodeMsg:
		return a, a.open(func(env PageEnv) Page { return NewNodePage(env, msg.node) })
	case openNodeShellMsg:
		return a, a.openNodeShell(msg.node)
	case nodeShellEndedMsg:
		return a, a.endNodeShell(msg)
	case tea.KeyPressMsg:
		return a.handleKey(msg)
	}
	if a.picking { // over the list or a page
		var cmd tea.Cmd
		a.picker, cmd = a.picker.Update(msg)
		return a, cmd
	}
	if a.top() != nil {
		return a, a.updateTop(msg)
	}
	var cmd tea.Cmd
	a.list, cmd = a.list.Update(msg)
	return a, cmd
}

func (a *App) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, a.keys.Global.Interrupt) {
		return a, a.quit()
	}
	if top := a.top(); top != nil && !a.picking {
		c, ok := top.(interface{ Capturing() bool })
		capturing := ok && c.Capturing()
		switch {
		case !capturing && key.Matches(msg, a.keys.Global.Help):
			a.help.ShowAll = !a.help.ShowAll
			return a, nil
		case !capturing && key.Matches(msg, a.keys.Global.Picker):
			return a, a.openPicker()
		}
		return a, a.updateTop(msg)
	}
	switch {
	case a.list.Filtering():
		var cmd tea.Cmd
		a.list, cmd = a.list.Update(msg)
		return a, cmd
	case a.picking:
		if name, ok := a.picker.contextTyped(); ok && key.Matches(msg, a.keys.Picker.Choose) {
			if name == "" {
				return a, a.picker.openContexts(a.info.Context, a.opts.Contexts)
			}
			a.picking, a.picker.open = false, false
			return a, a.connect(name) // it closes the pages once the context answers
		}
		var cmd tea.Cmd
		var chosen *string
		a.picker, chosen, cmd = a.picker.handleKey(msg)
		if chosen != nil {
			a.picking = false
			if a.picker.contexts {
				return a, a.connect(*chosen)
			}
			// Pages follow pods of the old scope, which the new list lacks.
			for a.top() != nil {
				a.closeTop()
			}
			return a, a.switchNamespace(*chosen)
		}
		if !a.picker.open {
			a.picking = false
		}
		return a, cmd
	}

	k, p := a.keys, a.keys.PodList
	switch {
	case key.Matches(msg, k.Global.Quit):
		return a, a.quit()
	case key.Matches(msg, k.Global.Help):
		a.help.ShowAll = !a.help.ShowAll
	case key.Matches(msg, p.ClearFilter) && a.help.ShowAll:
		a.help.ShowAll = false
	case key.Matches(msg, p.Namespace, k.Global.Picker):
		return a, a.openPicker()
	case key.Matches(msg, p.AllNS):
		return a, a.switchNamespace("")
	case key.Matches(msg, p.Diagnose):
		if pod, ok := a.list.SelectedPod(); ok {
			return a, a.fromList(podActionMsg{action: actDiagnose}, pod)
		}
	case key.Matches(msg, p.Triage):
		return a, a.openTriage()
	case key.Matches(msg, k.Pod.Forwards):
		return a, a.runPodAction(podActionMsg{action: actForwards})
	case key.Matches(msg, k.Pod.Detail, k.Pod.YAML, k.Pod.Timeline, k.Pod.Exec, k.Pod.Delete, k.Pod.ForceDelete, k.Pod.PortForward, k.Pod.Debug, k.Pod.NodeShell):
		if pod, ok := a.list.SelectedPod(); ok {
			return a, a.fromList(podActionMsg{action: listPodAction(k.Pod, msg)}, pod)
		}
	case key.Matches(msg, k.Logs.Open):
		if pod, ok := a.list.SelectedPod(); ok {
			return a, a.fromList(podActionMsg{action: actLogs}, pod)
		}
	case key.Matches(msg, k.Logs.Workload):
		pod, _ := a.list.SelectedPod()
		shown := a.list.ShownPods(maxFilterPods + 1)
		return a, a.open(func(env PageEnv) Page {
			return NewLogSourcePage(env, pod, a.list.Filter(), shown, a.current())
		})
	default:
		var cmd tea.Cmd
		a.list, cmd = a.list.Update(msg)
		return a, cmd
	}
	return a, nil
}

// openPicker opens the namespace picker (where `ctx` lists the contexts).
func (a *App) openPicker() tea.Cmd {
	a.picking = true
	return tea.Batch(a.picker.openPicker(a.current()), loadNamespaces(a.cluster))
}

func (a *App) quit() tea.Cmd {
	for len(a.pages) > 0 {
		a.closeTop()
	}
	if a.src != nil {
		a.src.Stop()
	}
	a.stopForwards()
	return tea.Quit
}

// openPage is a page in the stack with its address.
type openPage struct {
	id   PageID
	page Page
}

// top is the page shown, or nil for the pod list.
func (a *App) top() Page {
	if len(a.pages) == 0 {
		return nil
	}
	return a.pages[len(a.pages)-1].page
}

// open builds a page with its own ID and shows it over what is shown now,
// which is told it is covered.
func (a *App) open(build func(PageEnv) Page) tea.Cmd {
	a.help.ShowAll = false
	var covered tea.Cmd
	if top := a.top(); top != nil {
		covered = top.SetCovered(true)
	}
	env := a.env()
	env.ID = a.ids.next()
	p := build(env)
	a.pages = append(a.pages, openPage{id: env.ID, page: p})
	p.SetSize(a.width, a.bodyHeight())
	return tea.Batch(covered, p.Init())
}

// closeTop closes the page shown; results of its Cmds are dropped from now on.
func (a *App) closeTop() {
	if p := a.top(); p != nil {
		p.Close()
		a.pages = a.pages[:len(a.pages)-1]
		a.help.ShowAll = false
	}
}

// uncoverTop tells the page shown again after a close that it is on top,
// with what it missed while covered: the pods' state and the usage.
func (a *App) uncoverTop() tea.Cmd {
	top := a.top()
	if top == nil {
		return nil
	}
	cmds := []tea.Cmd{top.SetCovered(false)}
	if a.loaded {
		cmds = append(cmds, a.updateTop(PodsChangedMsg{Snapshot: a.snap}))
	}
	if m := a.list.Metrics(); m.Pods != nil {
		cmds = append(cmds, a.updateTop(UsageChangedMsg{Metrics: m}))
	}
	return tea.Batch(cmds...)
}

// updatePages hands a snapshot to the page shown and to the covered pages
// that follow the pods while covered (triage).
func (a *App) updatePages(msg PodsChangedMsg) tea.Cmd {
	top := len(a.pages) - 1
	cmds := []tea.Cmd{a.updateTop(msg)}
	for i := range a.pages[:top] {
		if f, ok := a.pages[i].page.(interface{ FollowsCovered() bool }); ok && f.FollowsCovered() {
			cmds = append(cmds, a.deliver(a.pages[i].id, msg))
		}
	}
	return tea.Batch(cmds...)
}

// updateTop hands msg to the page shown.
func (a *App) updateTop(msg tea.Msg) tea.Cmd {
	return a.deliver(a.pages[len(a.pages)-1].id, msg)
}

// deliver hands msg to the page with the id, wherever it is in the stack;
// a page that is gone gets nothing.
func (a *App) deliver(id PageID, msg tea.Msg) tea.Cmd {
	for i := range a.pages {
		if a.pages[i].id == id {
			var cmd tea.Cmd
			a.pages[i].page, cmd = a.pages[i].page.Update(msg)
			return cmd
		}
	}
	return nil
}

// env is what pages are built with (open gives each its ID).
func (a *App) env() PageEnv {
	return PageEnv{
		Cluster: a.cluster, Keys: a.keys, Styles: a.styles, Now: a.now,
		ReadOnly: a.opts.ReadOnly, Logs: a.opts.Logs, Shells: a.opts.Shells, Metrics: a.list.Metrics(),
	}
}

// current is the namespace shown now ("" = all).
func (a *App) current() string {
	if a.loaded {
		return a.snap.Scope.Namespace
	}
	return a.scope.Namespace
}

// switchNamespace restarts the feed for another namespace ("" = all).
func (a *App) switchNamespace(ns string) tea.Cmd {
	if a.src != nil {
		a.src.Stop()
		a.src = nil
	}
	a.scope.Namespace = ns
	a.loaded = false
	a.snap = kube.PodSnapshot{}
	a.list.Clear(a.now())
	return tea.Batch(startFeed(a.cluster, a.scope, a.feeds.next()), a.pollUsage(ns))
}

func (a *App) layout() {
	a.help.SetWidth(a.width)
	a.picker.setSize(a.width, a.height)
	a.list.SetSize(a.width, a.bodyHeight())
	for _, p := range a.pages {
		p.page.SetSize(a.width, a.bodyHeight())
	}
}

// bodyHeight is the height a page gets: all but header, status and help lines.
func (a *App) bodyHeight() int { return max(1, a.height-3) }

// View draws the screen.
func (a *App) View() tea.View {
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.WindowTitle = "podtui"
	return v
}

func (a *App) render() string {
	if a.width == 0 || a.height == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(a.renderHeader())
	b.WriteByte('\n')
	body := a.height - 3
	top := a.top()
	switch {
	case a.picking:
		b.WriteString(a.picker.View(body))
	case top != nil && a.help.ShowAll:
		b.WriteString(fitLines(a.styles.Title.Render("Keys: "+top.Title())+"\n\n"+a.help.FullHelpView(top.FullHelp()), body, a.width))
	case top != nil:
		b.WriteString(fitLines(top.View(), body, a.width))
	case a.help.ShowAll:
		b.WriteString(fitLines(a.renderFullHelp(), body, a.width))
	default:
		b.WriteString(a.list.View())
	}
	b.WriteByte('\n')
	b.WriteString(pad(a.renderStatus(), a.width))
	b.WriteByte('\n')
	short := a.keys.ShortHelp()
	if top != nil {
		short = top.ShortHelp()
	}
	b.WriteString(pad(a.help.ShortHelpView(short), a.width))
	return b.String()
}

func (a *App) renderHeader() string {
	s := a.styles
	ns := a.current()
	if ns == "" {
		ns = "all"
	}
	parts := []string{
		s.Badge.Render("podtui"),
	}
	if a.opts.ReadOnly {
		parts = append(parts, s.StaleBadge.Render("READ-ONLY"))
	}
	parts = append(parts,
		s.HeaderKey.Render("context: ")+s.Header.Render(orDash(a.info.Context)),
		s.HeaderKey.Render("cluster: ")+s.Header.Render(orDash(a.info.Cluster)),
		s.HeaderKey.Render("namespace: ")+s.Header.Render(ns),
	)
	if top := a.top(); top != nil {
		parts = append(parts, s.Header.Render("▸ "+top.Title()))
		if a.snap.Conn.Stale {
			parts = append(parts, s.StaleBadge.Render("STALE"))
		}
		return pad(strings.Join(parts, "  "), a.width)
	}
	parts = append(parts,
		s.HeaderKey.Render("pods: ")+s.Header.Render(fmt.Sprintf("%d/%d", a.list.Len(), a.list.Total())),
		s.HeaderKey.Render("sort: ")+s.Header.Render(a.list.SortLabel()),
	)
	if a.snap.Conn.Stale {
		parts = append(parts, s.StaleBadge.Render("STALE"))
	}
	return pad(strings.Join(parts, "  "), a.width)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (a *App) renderStatus() string {
	s := a.styles
	switch {
	case a.status.text != "" && a.now().Before(a.statusUntil):
		if a.status.isErr {
			return s.Error.Render(a.status.text)
		}
		return s.Notice.Render(a.status.text)
	case a.list.Filtering() && a.top() == nil:
		return a.list.FilterView()
	case a.snap.Conn.Stale:
		since := ""
		if !a.snap.Conn.Since.IsZero() {
			since = fmt.Sprintf(" (for %s)", diagnose.Age(a.snap.Conn.Since, a.now()))
		}
		return s.Error.Render("⚠ " + a.snap.Conn.Problem + since + " — showing the last known pods")
	case a.snap.Notice != "":
		return s.Notice.Render("ℹ " + a.snap.Notice)
	case a.list.Filter() != "":
		return s.Muted.Render(fmt.Sprintf("filter: %s  (esc clears)", a.list.Filter()))
	case a.usage.problem != "" && a.top() == nil && !a.list.UsageHidden():
		return s.Muted.Render(a.usageHint())
	}
	return ""
}

func (a *App) renderFullHelp() string {
	return a.styles.Title.Render("Keys") + "\n\n" + a.help.FullHelpView(a.keys.FullHelp())
}

// fitLines pads or cuts text to exactly h lines of width w.
func fitLines(s string, h, w int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = pad(l, w)
	}
	return strings.Join(lines, "\n")
}
