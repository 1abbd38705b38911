// Package keymap holds every key binding of podtui as data. Help screens are
// drawn from these bindings, so help can never disagree with the keys.
package keymap

import "charm.land/bubbles/v2/key"

// Global keys work in every view.
type Global struct {
	Help key.Binding
	Quit key.Binding
	// Interrupt quits from anywhere, also while a prompt takes the keys.
	Interrupt key.Binding
	// Picker opens the namespace and context picker from the list or any
	// page (choosing closes the pages: they belong to the old scope).
	Picker key.Binding
}

// PodList keys act on the pod list.
type PodList struct {
	Scroll
	Filter      key.Binding
	ClearFilter key.Binding
	Sort        key.Binding
	Reverse     key.Binding
	Namespace   key.Binding
	AllNS       key.Binding
	Diagnose    key.Binding
	Triage      key.Binding
	Usage       key.Binding
}

// PodActions act on one pod, from the pod list or its detail page.
type PodActions struct {
	Detail      key.Binding
	YAML        key.Binding
	Exec        key.Binding
	Delete      key.Binding
	ForceDelete key.Binding
	PortForward key.Binding
	Forwards    key.Binding
	Debug       key.Binding
	NodeShell   key.Binding
	// Timeline opens what happened to the pod, in order (from the list,
	// the detail and the diagnosis).
	Timeline key.Binding
}

// Detail keys act in the pod detail page.
type Detail struct {
	Scroll
	WarningsOnly key.Binding
	Related      key.Binding
	Diagnose     key.Binding
	Back         key.Binding
	Node         key.Binding
}

// Viewer keys act in the YAML viewer.
type Viewer struct {
	Scroll
	TextSearch
	Copy key.Binding
	Back key.Binding
}

// Scroll keys move through a page that scrolls (a list or a text); every
// such page has these same keys. Views embed them, so their config names
// stay keys.<view>.up and so on.
type Scroll struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
}

// TextSearch keys find text in a text page (logs, YAML), the same in each.
type TextSearch struct {
	Search key.Binding
	Next   key.Binding
	Prev   key.Binding
}

// Prompt keys answer a one-line text prompt (search, save path, ports).
type Prompt struct {
	Submit key.Binding
	Cancel key.Binding
}

// Forwards keys act in the list of active port-forwards.
type Forwards struct {
	Stop key.Binding
}

// Debug keys fill in the debug-container form.
type Debug struct {
	Up     key.Binding
	Down   key.Binding
	Prev   key.Binding
	Next   key.Binding
	Start  key.Binding
	Cancel key.Binding
}

// Confirm keys answer a confirmation question.
type Confirm struct {
	Yes key.Binding
	No  key.Binding
}

// Logs keys act in the log view (Open works on the pod list).
type Logs struct {
	Open key.Binding
	// Workload opens the logs of many pods: the pod's workload, the
	// list's filter, a label selector (from the list), a triage group.
	Workload key.Binding
	Scroll
	Previous      key.Binding
	Containers    key.Binding
	NextContainer key.Binding
	Timestamps    key.Binding
	Wrap          key.Binding
	LineNumbers   key.Binding
	TextSearch
	Filter   key.Binding
	All      key.Binding
	Copy     key.Binding
	Save     key.Binding
	Colors   key.Binding
	Since    key.Binding
	SaveFull key.Binding
	Back     key.Binding
}

// Triage keys act in the triage page.
type Triage struct {
	Up      key.Binding
	Down    key.Binding
	Open    key.Binding
	Copy    key.Binding
	Refresh key.Binding
	Back    key.Binding
}

// Diagnosis keys act in the diagnosis page.
type Diagnosis struct {
	Up      key.Binding
	Down    key.Binding
	Copy    key.Binding
	Action  key.Binding
	Refresh key.Binding
	Back    key.Binding
}

// Timeline keys act in a pod's timeline page.
type Timeline struct {
	Scroll
	Refresh key.Binding
	Back    key.Binding
}

// Picker keys act in the namespace picker.
type Picker struct {
	Up     key.Binding
	Down   key.Binding
	Choose key.Binding
	Cancel key.Binding
}

// Keys is the whole key map.
type Keys struct {
	Global    Global
	PodList   PodList
	Picker    Picker
	Diagnosis Diagnosis
	Timeline  Timeline
	Triage    Triage
	Pod       PodActions
	Detail    Detail
	Viewer    Viewer
	Confirm   Confirm
	Debug     Debug
	Prompt    Prompt
	Forwards  Forwards
	Logs      Logs
}

// Default returns podtui's default bindings. Each call returns a fresh copy,
// so callers may change theirs freely.
func Default() Keys {
	return Keys{
		Global: Global{
			Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "toggle help")),
			Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
			Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit from anywhere")),
			Picker:    key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "namespace/context")),
		},
		PodList: PodList{
			Scroll:      listScroll(),
			Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
			ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
			Sort:        key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "next sort column")),
			Reverse:     key.NewBinding(key.WithKeys("O"), key.WithHelp("O", "reverse sort")),
			Namespace:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "namespace")),
			AllNS:       key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all namespaces")),
			Diagnose:    key.NewBinding(key.WithKeys("D", "w"), key.WithHelp("D", "why? diagnosis")),
			Triage:      key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "triage")),
			Usage:       key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "show/hide CPU & memory")),
		},
		Pod: defaultPodActions(),
		Detail: Detail{
			Scroll:       defaultScroll(),
			WarningsOnly: key.NewBinding(key.WithKeys("W"), key.WithHelp("W", "warnings only")),
			Node:         key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "node summary")),
			Related:      key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "related objects")),
			Diagnose:     key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "full diagnosis")),
			Back:         key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back")),
		},
		Viewer: Viewer{
			Scroll:     defaultScroll(),
			TextSearch: defaultSearch(),
			Copy:       key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy all (OSC 52)")),
			Back:       key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back")),
		},
		Confirm: Confirm{
			Yes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
			No:  key.NewBinding(key.WithKeys("n", "N", "esc", "q"), key.WithHelp("n/esc", "no")),
		},
		Debug: Debug{
			Up:     key.NewBinding(key.WithKeys("up", "shift+tab"), key.WithHelp("↑", "previous field")),
			Down:   key.NewBinding(key.WithKeys("down", "tab"), key.WithHelp("↓/tab", "next field")),
			Prev:   key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous choice")),
			Next:   key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next choice")),
			Start:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start and attach")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		},
		Prompt: Prompt{
			Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "accept")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		},
		Forwards: Forwards{
			Stop: key.NewBinding(key.WithKeys("x", "delete", "enter"), key.WithHelp("x", "stop forward")),
		},
		Logs: defaultLogs(),
		Triage: Triage{
			Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
			Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
			Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open group / pod")),
			Copy:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy first command")),
			Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload events")),
			Back:    key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back")),
		},
		Diagnosis: Diagnosis{
			Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous command")),
			Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next command")),
			Copy:    key.NewBinding(key.WithKeys("c", "y"), key.WithHelp("c", "copy command")),
			Action:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open (logs, events, shell)")),
			Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload events")),
			Back:    key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back")),
		},
		Timeline: Timeline{
			Scroll:  defaultScroll(),
			Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload events")),
			Back:    key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back")),
		},
		Picker: Picker{
			Up:     key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
			Down:   key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
			Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "switch")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		},
	}
}

func defaultScroll() Scroll {
	return Scroll{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "space"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
	}
}

// listScroll: in the pod list the keys move the selection.
func listScroll() Scroll {
	s := defaultScroll()
	s.Up.SetHelp("↑/k", "up")
	s.Down.SetHelp("↓/j", "down")
	s.Top.SetHelp("g", "first pod")
	s.Bottom.SetHelp("G", "last pod")
	return s
}

// logScroll: in the log view, moving up pauses following and the bottom
// follows again.
func logScroll() Scroll {
	s := defaultScroll()
	s.Up.SetHelp("↑/k", "up (pauses)")
	s.Bottom.SetHelp("G", "follow")
	return s
}

func defaultSearch() TextSearch {
	return TextSearch{
		Search: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Next:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		Prev:   key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
	}
}

func defaultLogs() Logs {
	return Logs{
		Open:          key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "logs")),
		Workload:      key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "logs of many pods")),
		Scroll:        logScroll(),
		Previous:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous logs")),
		Containers:    key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "pick container")),
		NextContainer: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next container")),
		Timestamps:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "timestamps")),
		Wrap:          key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wrap")),
		LineNumbers:   key.NewBinding(key.WithKeys("#"), key.WithHelp("#", "line numbers")),
		TextSearch:    defaultSearch(),
		Filter:        key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "filter")),
		All:           key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "whole log")),
		Copy:          key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy visible")),
		Save:          key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save loaded")),
		Colors:        key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "colours")),
		Since:         key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "since 5m/1h/24h")),
		SaveFull:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save full log")),
		Back:          key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back")),
	}
}

func defaultPodActions() PodActions {
	return PodActions{
		Detail:      key.NewBinding(key.WithKeys("d", "enter"), key.WithHelp("d", "detail")),
		YAML:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "YAML")),
		Exec:        key.NewBinding(key.WithKeys("x", "s"), key.WithHelp("x/s", "shell")),
		Delete:      key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "delete")),
		ForceDelete: key.NewBinding(key.WithKeys("ctrl+k"), key.WithHelp("ctrl+k", "force delete")),
		PortForward: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "port-forward")),
		Forwards:    key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "active port-forwards")),
		Debug:       key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "debug container")),
		NodeShell:   key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "node shell")),
		Timeline:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "timeline")),
	}
}

// DisableWrites turns off every binding that writes to the cluster or runs
// code in it (read-only mode). Disabled bindings match no key and are left
// out of help.
func (k *Keys) DisableWrites() {
	k.Pod.Exec.SetEnabled(false)
	k.Pod.Delete.SetEnabled(false)
	k.Pod.ForceDelete.SetEnabled(false)
	k.Pod.PortForward.SetEnabled(false)
	k.Pod.Debug.SetEnabled(false)
	k.Pod.NodeShell.SetEnabled(false)
}

// ShortHelp is the one-line help of the pod list.
func (k Keys) ShortHelp() []key.Binding {
	return []key.Binding{k.PodList.Diagnose, k.Pod.Detail, k.Logs.Open, k.PodList.Triage, k.PodList.Filter, k.Global.Picker, k.Global.Help, k.Global.Quit}
}

// FullHelp is the full help of the pod list, in columns.
func (k Keys) FullHelp() [][]key.Binding {
	p := k.PodList
	return [][]key.Binding{
		{p.Up, p.Down, p.PageUp, p.PageDown, p.Top, p.Bottom},
		{p.Filter, p.ClearFilter, p.Sort, p.Reverse, p.Usage},
		{p.Diagnose, p.Triage, k.Global.Picker, p.Namespace, p.AllNS, k.Global.Help, k.Global.Quit},
		{k.Pod.Detail, k.Logs.Open, k.Logs.Workload, k.Pod.Timeline, k.Pod.YAML, k.Pod.Exec, k.Pod.Debug, k.Pod.NodeShell, k.Pod.PortForward, k.Pod.Forwards, k.Pod.Delete, k.Pod.ForceDelete},
	}
}
