// Package ui is podtui's terminal interface: bubbletea models that read a
// Cluster and never call the API themselves.
package ui

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/diagnose"
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
}

// LogSettings are the log view defaults from the config file.
type LogSettings struct {
	Tail        int
	BufferLines int
	BufferBytes int64
	Wrap        bool
	Timestamps  bool
}

// DefaultLogSettings are used when the config file sets none.
func DefaultLogSettings() LogSettings {
	return LogSettings{Tail: 1000, BufferLines: 100_000, BufferBytes: 64 << 20}
}

type mode int

const (
	modeList mode = iota
	modeFilter
	modePicker
)

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
	err    string // why the feed could not start

	pages       []openPage // stacked over the list; the last one is shown
	ids         pageIDs
	forwards    []*kube.Forward // active port-forwards, stopped on quit
	status      statusMsg
	statusUntil time.Time

	table  podTable
	filter textinput.Model
	picker nsPicker
	help   help.Model
	mode   mode
	usage  usagePoll

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
		opts.Shells = [][]string{{"bash"}, {"sh"}}
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
	fi := textinput.New()
	fi.Prompt = "/"
	fi.Placeholder = "filter by name, namespace, status, node"
	h := help.New()
	h.Styles = help.DefaultStyles(opts.Dark)
	a := &App{
		cluster: c,
		opts:    opts,
		keys:    opts.Keys,
		styles:  NewStyles(opts.Dark, opts.Colors),
		now:     opts.Now,
		info:    c.Info(),
		scope:   opts.Scope,
		filter:  fi,
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
	return a.open(func(env PageEnv) Page { return NewTriagePage(env, scope) })
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
	case OpenPodMsg:
		return a, a.open(func(env PageEnv) Page { return NewDiagPage(env, msg.Pod) })
	case feedStartedMsg:
		if !a.feeds.current(msg.Ticket) {
			if msg.src != nil {
				msg.src.Stop()
			}
			return a, nil
		}
		if msg.err != nil {
			a.err = msg.err.Error()
			return a, nil
		}
		a.err = ""
		a.src = msg.src
		return a, waitPods(msg.src, msg.Ticket, time.Time{})
	case podsMsg:
		if !a.feeds.current(msg.Ticket) {
			return a, nil
		}
		a.snap = msg.snap
		a.loaded = true
		a.table.setPods(msg.snap.Pods, a.now())
		cmds := []tea.Cmd{waitPods(a.src, msg.Ticket, cmp.Or(msg.at, time.Now())), a.pollUsage(a.current())}
		if a.top() != nil {
			cmds = append(cmds, a.updateTop(PodsChangedMsg{Snapshot: msg.snap}))
		}
		return a, tea.Batch(cmds...)
	case namespacesMsg:
		a.picker.setNamespaces(msg.names, msg.err)
		return a, nil
	case tea.BackgroundColorMsg:
		if !a.opts.FixedTheme {
			*a.styles = *NewStyles(msg.IsDark(), a.opts.Colors) // in place: the pages hold it
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
	if a.top() != nil {
		return a, a.updateTop(msg)
	}
	if a.mode == modeFilter {
		return a, a.updateFilter(msg)
	}
	if a.mode == modePicker {
		var cmd tea.Cmd
		a.picker, cmd = a.picker.Update(msg)
		return a, cmd
	}
	return a, nil
}

func (a *App) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if msg.String() == "ctrl+c" {
		return a, a.quit()
	}
	if top := a.top(); top != nil {
		if c, ok := top.(interface{ Capturing() bool }); !(ok && c.Capturing()) && key.Matches(msg, a.keys.Global.Help) {
			a.help.ShowAll = !a.help.ShowAll
			return a, nil
		}
		return a, a.updateTop(msg)
	}
	switch a.mode {
	case modeFilter:
		switch msg.String() {
		case "esc":
			a.filter.SetValue("")
			a.filter.Blur()
			a.mode = modeList
			a.applyFilter()
			return a, nil
		case "enter":
			a.filter.Blur()
			a.mode = modeList
			return a, nil
		}
		return a, a.updateFilter(msg)
	case modePicker:
		var cmd tea.Cmd
		var chosen *string
		a.picker, chosen, cmd = a.picker.handleKey(msg)
		if chosen != nil {
			a.mode = modeList
			return a, a.switchNamespace(*chosen)
		}
		if !a.picker.open {
			a.mode = modeList
		}
		return a, cmd
	}

	k, p := a.keys, a.keys.PodList
	switch {
	case key.Matches(msg, k.Global.Quit):
		return a, a.quit()
	case key.Matches(msg, k.Global.Help):
		a.help.ShowAll = !a.help.ShowAll
	case key.Matches(msg, p.Up):
		a.table.move(-1)
	case key.Matches(msg, p.Down):
		a.table.move(1)
	case key.Matches(msg, p.PageUp):
		a.table.move(-a.table.height)
	case key.Matches(msg, p.PageDown):
		a.table.move(a.table.height)
	case key.Matches(msg, p.Top):
		a.table.move(-len(a.table.shown))
	case key.Matches(msg, p.Bottom):
		a.table.move(len(a.table.shown))
	case key.Matches(msg, p.Filter):
		a.mode = modeFilter
		return a, a.filter.Focus()
	case key.Matches(msg, p.ClearFilter):
		if a.help.ShowAll {
			a.help.ShowAll = false
		} else if a.table.filter != "" {
			a.filter.SetValue("")
			a.applyFilter()
		}
	case key.Matches(msg, p.Sort):
		a.table.nextSortKey()
		a.table.reorder()
	case key.Matches(msg, p.Usage):
		a.table.toggleUsage()
	case key.Matches(msg, p.Reverse):
		a.table.reverse = !a.table.reverse
		a.table.reorder()
	case key.Matches(msg, p.Namespace):
		a.mode = modePicker
		return a, tea.Batch(a.picker.openPicker(a.current()), loadNamespaces(a.cluster))
	case key.Matches(msg, p.AllNS):
		return a, a.switchNamespace("")
	case key.Matches(msg, p.Diagnose):
		if r, ok := a.table.selectedRow(); ok {
			return a, a.fromList(podActionMsg{action: actDiagnose}, r.pod)
		}
	case key.Matches(msg, p.Triage):
		return a, a.openTriage()
	case key.Matches(msg, k.Pod.Forwards):
		return a, a.runPodAction(podActionMsg{action: actForwards})
	case key.Matches(msg, k.Pod.Detail, k.Pod.YAML, k.Pod.Exec, k.Pod.Delete, k.Pod.ForceDelete, k.Pod.PortForward, k.Pod.Debug, k.Pod.NodeShell):
		if r, ok := a.table.selectedRow(); ok {
			return a, a.fromList(podActionMsg{action: listPodAction(k.Pod, msg)}, r.pod)
		}
	case key.Matches(msg, k.Logs.Open):
		if r, ok := a.table.selectedRow(); ok {
			return a, a.fromList(podActionMsg{action: actLogs}, r.pod)
		}
	}
	return a, nil
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
	if a.table.metrics.Pods != nil {
		cmds = append(cmds, a.updateTop(UsageChangedMsg{Metrics: a.table.metrics}))
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
		ReadOnly: a.opts.ReadOnly, Logs: a.opts.Logs, Shells: a.opts.Shells, Metrics: a.table.metrics,
	}
}

func (a *App) updateFilter(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	a.filter, cmd = a.filter.Update(msg)
	a.applyFilter()
	return cmd
}

func (a *App) applyFilter() {
	if v := a.filter.Value(); v != a.table.filter {
		a.table.filter = v
		a.table.refilter()
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
	a.table.setPods(nil, a.now())
	a.table.cursor, a.table.offset = 0, 0
	return tea.Batch(startFeed(a.cluster, a.scope, a.feeds.next()), a.pollUsage(ns))
}

func (a *App) layout() {
	a.help.SetWidth(a.width)
	a.filter.SetWidth(max(10, a.width-4))
	a.picker.setSize(a.width, a.height)
	a.table.setHeight(a.height - a.chromeHeight())
	for _, p := range a.pages {
		p.page.SetSize(a.width, a.bodyHeight())
	}
}

// bodyHeight is the height a page gets: all but header, status and help lines.
func (a *App) bodyHeight() int { return max(1, a.height-3) }

// chromeHeight is the lines taken by everything but the pod rows.
func (a *App) chromeHeight() int {
	return 4 // header, column titles, status line, help line
}

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
	case top != nil && a.help.ShowAll:
		b.WriteString(fitLines(a.styles.Title.Render("Keys: "+top.Title())+"\n\n"+a.help.FullHelpView(top.FullHelp()), body, a.width))
	case top != nil:
		b.WriteString(fitLines(top.View(), body, a.width))
	case a.mode == modePicker:
		b.WriteString(a.picker.View(body))
	case a.help.ShowAll:
		b.WriteString(fitLines(a.renderFullHelp(), body, a.width))
	default:
		b.WriteString(a.renderTable(body))
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
	total := len(a.table.all)
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
		s.HeaderKey.Render("pods: ")+s.Header.Render(fmt.Sprintf("%d/%d", len(a.table.shown), total)),
		s.HeaderKey.Render("sort: ")+s.Header.Render(sortLabel(a.table.sortKey, a.table.reverse)),
	)
	if a.snap.Conn.Stale {
		parts = append(parts, s.StaleBadge.Render("STALE"))
	}
	return pad(strings.Join(parts, "  "), a.width)
}

func sortLabel(k SortKey, rev bool) string {
	if rev {
		return k.String() + "↑"
	}
	return k.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (a *App) renderTable(height int) string {
	now := a.now()
	cols := a.table.columns(a.snap.Scope.AllNamespaces() && a.loaded, a.width, now)
	var b strings.Builder
	var title strings.Builder
	for _, c := range cols {
		title.WriteString(pad(c.title, c.width) + "  ")
	}
	b.WriteString(a.styles.ColumnTitle.Render(pad(title.String(), a.width)))
	rows := height - 1
	lines := 0
	switch {
	case a.err != "":
		b.WriteString("\n" + a.styles.Error.Render(pad("cannot list pods: "+a.err, a.width)))
		lines++
	case !a.loaded || !a.snap.Synced && len(a.table.all) == 0 && !a.snap.Conn.Stale:
		b.WriteString("\n" + a.styles.Muted.Render(pad("loading pods…", a.width)))
		lines++
	case len(a.table.shown) == 0:
		msg := "no pods in this namespace"
		if a.table.filter != "" {
			msg = fmt.Sprintf("no pods match %q", a.table.filter)
		} else if a.snap.Scope.AllNamespaces() {
			msg = "no pods in the cluster"
		}
		b.WriteString("\n" + a.styles.Muted.Render(pad(msg, a.width)))
		lines++
	default:
		end := min(len(a.table.shown), a.table.offset+rows)
		for i := a.table.offset; i < end; i++ {
			r := a.table.all[a.table.shown[i]]
			var line strings.Builder
			for _, c := range cols {
				line.WriteString(pad(c.cell(r, now), c.width) + "  ")
			}
			text := pad(line.String(), a.width)
			st := a.styles.ForHealth(r.health)
			if a.snap.Conn.Stale {
				st = a.styles.Stale
			}
			if i == a.table.cursor {
				st = st.Inherit(a.styles.Selected).Reverse(true)
			}
			b.WriteString("\n" + st.Render(text))
			lines++
		}
	}
	for ; lines < rows; lines++ {
		b.WriteString("\n")
	}
	return b.String()
}

func (a *App) renderStatus() string {
	s := a.styles
	switch {
	case a.status.text != "" && a.now().Before(a.statusUntil):
		if a.status.isErr {
			return s.Error.Render(a.status.text)
		}
		return s.Notice.Render(a.status.text)
	case a.mode == modeFilter && a.top() == nil:
		return a.filter.View()
	case a.snap.Conn.Stale:
		since := ""
		if !a.snap.Conn.Since.IsZero() {
			since = fmt.Sprintf(" (for %s)", diagnose.Age(a.snap.Conn.Since, a.now()))
		}
		return s.Error.Render("⚠ " + a.snap.Conn.Problem + since + " — showing the last known pods")
	case a.snap.Notice != "":
		return s.Notice.Render("ℹ " + a.snap.Notice)
	case a.table.filter != "":
		return s.Muted.Render(fmt.Sprintf("filter: %s  (esc clears)", a.table.filter))
	case a.usage.problem != "" && a.top() == nil && !a.table.hideUsage:
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
