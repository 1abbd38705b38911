package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

const allNamespacesLabel = "(all namespaces)"

const nsPlaceholder = "type to filter, enter to switch (ctx: contexts)"

// nsPicker chooses the namespace to show. When the namespace list cannot be
// read (RBAC), what the user types is taken as the namespace. Typed
// "ctx NAME" it chooses a kubeconfig context; typed "ctx" it lists them
// (contexts mode).
type nsPicker struct {
	contexts bool // choosing a context, not a namespace
	keys     keymap.Picker
	input    textinput.Model
	names    []string // as listed by the API
	matches  []string
	cursor   int
	loading  bool
	err      string
	open     bool
	width    int
	current  string
}

func newNSPicker(keys keymap.Picker) nsPicker {
	in := textinput.New()
	in.Prompt = "namespace: "
	in.Placeholder = nsPlaceholder
	return nsPicker{keys: keys, input: in}
}

func (p *nsPicker) openPicker(current string) tea.Cmd {
	p.open, p.loading, p.err, p.current, p.cursor, p.contexts = true, true, "", current, 0, false
	p.input.Prompt, p.input.Placeholder = "namespace: ", nsPlaceholder
	p.input.SetValue("")
	p.refilter()
	return p.input.Focus()
}

// openContexts turns the picker into the context picker.
func (p *nsPicker) openContexts(current string, names []string) tea.Cmd {
	p.open, p.loading, p.err, p.current, p.cursor, p.contexts = true, false, "", current, 0, true
	p.names = names
	p.input.Prompt, p.input.Placeholder = "context: ", "type to filter, enter to switch context"
	p.input.SetValue("")
	p.refilter()
	return p.input.Focus()
}

func (p *nsPicker) setSize(w, _ int) {
	p.width = w
	p.input.SetWidth(max(10, w-len(p.input.Prompt)-2))
}

func (p *nsPicker) setNamespaces(names []string, err error) {
	p.loading = false
	p.names = names
	p.err = ""
	if err != nil {
		p.err = kube.Explain(err)
	}
	p.refilter()
}

func (p *nsPicker) refilter() {
	q := strings.TrimSpace(p.input.Value())
	all := append([]string{allNamespacesLabel}, p.names...)
	if p.contexts {
		all = p.names
	}
	if q == "" {
		p.matches = all
	} else {
		p.matches = p.matches[:0]
		for _, m := range fuzzy.Find(q, p.names) {
			p.matches = append(p.matches, m.Str)
		}
	}
	p.cursor = max(0, min(p.cursor, len(p.matches)-1))
}

// ctxCommand is what typed in the namespace picker asks for a context.
const ctxCommand = "ctx"

// contextTyped reports whether the namespace picker's text is the context
// command ("ctx", or "ctx NAME"), and the name.
func (p *nsPicker) contextTyped() (name string, ok bool) {
	if p.contexts {
		return "", false
	}
	cmd, name, _ := strings.Cut(strings.TrimSpace(p.input.Value()), " ")
	return strings.TrimSpace(name), cmd == ctxCommand
}

// handleKey returns the chosen namespace ("" = all), or context in the
// contexts mode, when the user picks one.
func (p nsPicker) handleKey(msg tea.KeyPressMsg) (nsPicker, *string, tea.Cmd) {
	switch {
	case key.Matches(msg, p.keys.Cancel):
		p.open = false
		p.input.Blur()
		return p, nil, nil
	case key.Matches(msg, p.keys.Up):
		p.cursor = max(0, p.cursor-1)
		return p, nil, nil
	case key.Matches(msg, p.keys.Down):
		p.cursor = min(len(p.matches)-1, p.cursor+1)
		return p, nil, nil
	case key.Matches(msg, p.keys.Choose):
		var choice string
		switch {
		case len(p.matches) > 0:
			choice = p.matches[p.cursor]
		case strings.TrimSpace(p.input.Value()) != "":
			// Not in the list (or the list is forbidden): take it as typed.
			choice = strings.TrimSpace(p.input.Value())
		default:
			return p, nil, nil
		}
		if choice == allNamespacesLabel && !p.contexts {
			choice = ""
		}
		p.open = false
		p.input.Blur()
		return p, &choice, nil
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.refilter()
	return p, nil, cmd
}

// Update passes non-key messages (cursor blink) to the input.
func (p nsPicker) Update(msg tea.Msg) (nsPicker, tea.Cmd) {
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return p, cmd
}

// View draws the picker in h lines.
func (p nsPicker) View(h int) string {
	lines := []string{pad(p.input.View(), p.width)}
	switch {
	case p.loading:
		lines = append(lines, "loading namespaces…")
	case p.contexts && len(p.names) == 0:
		lines = append(lines, "no kubeconfig contexts to switch to")
	case p.err != "":
		lines = append(lines, fmt.Sprintf("cannot list namespaces (%s); type a namespace name and press enter", p.err))
	}
	top := max(0, p.cursor-(h-len(lines))+1)
	for i := top; i < len(p.matches) && len(lines) < h; i++ {
		name := p.matches[i]
		marker := "  "
		if i == p.cursor {
			marker = "▸ "
		}
		if name == p.current || (name == allNamespacesLabel && p.current == "" && !p.contexts) {
			name += " (current)"
		}
		lines = append(lines, marker+name)
	}
	return fitLines(strings.Join(lines, "\n"), h, p.width)
}
