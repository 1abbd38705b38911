// Package keymap holds every key binding of podtui as data. Help screens are
// drawn from these bindings, so help can never disagree with the keys.
package keymap

import "charm.land/bubbles/v2/key"

// Global keys work in every view.
type Global struct {
	Help key.Binding
	Quit key.Binding
	Back key.Binding
}

// PodList keys act on the pod list.
type PodList struct {
	Up          key.Binding
	Down        key.Binding
	PageUp      key.Binding
	PageDown    key.Binding
	Top         key.Binding
	Bottom      key.Binding
	Filter      key.Binding
	ClearFilter key.Binding
	Sort        key.Binding
	Reverse     key.Binding
	Namespace   key.Binding
	AllNS       key.Binding
	Diagnose    key.Binding
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
}

// Default returns podtui's default bindings. Each call returns a fresh copy,
// so callers may change theirs freely.
func Default() Keys {
	return Keys{
		Global: Global{
			Help: key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "toggle help")),
			Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
			Back: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		},
		PodList: PodList{
			Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
			Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
			PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
			PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
			Top:         key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first pod")),
			Bottom:      key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last pod")),
			Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
			ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
			Sort:        key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "next sort column")),
			Reverse:     key.NewBinding(key.WithKeys("O"), key.WithHelp("O", "reverse sort")),
			Namespace:   key.NewBinding(key.WithKeys(":", "n"), key.WithHelp(":/n", "namespace")),
			AllNS:       key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all namespaces")),
			Diagnose:    key.NewBinding(key.WithKeys("D", "w"), key.WithHelp("D/w", "why? diagnosis")),
		},
		Diagnosis: Diagnosis{
			Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous command")),
			Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next command")),
			Copy:    key.NewBinding(key.WithKeys("c", "y"), key.WithHelp("c", "copy command")),
			Action:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open (logs, events, shell)")),
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

// ShortHelp is the one-line help of the pod list.
func (k Keys) ShortHelp() []key.Binding {
	return []key.Binding{k.PodList.Diagnose, k.PodList.Filter, k.PodList.Sort, k.PodList.Namespace, k.Global.Help, k.Global.Quit}
}

// FullHelp is the full help of the pod list, in columns.
func (k Keys) FullHelp() [][]key.Binding {
	p := k.PodList
	return [][]key.Binding{
		{p.Up, p.Down, p.PageUp, p.PageDown, p.Top, p.Bottom},
		{p.Filter, p.ClearFilter, p.Sort, p.Reverse},
		{p.Diagnose, p.Namespace, p.AllNS, k.Global.Help, k.Global.Quit},
	}
}
