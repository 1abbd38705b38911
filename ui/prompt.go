package ui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/keymap"
)

// promptResult says what a key did to a text prompt.
type promptResult int

const (
	promptEditing   promptResult = iota // the key edited the text
	promptSubmitted                     // enter: the prompt closed, Value holds the answer
	promptCancelled                     // esc: the prompt closed
)

// textPrompt is the one-line text field of the pages (search, save path,
// ports to forward): the submit key answers, the cancel key gives up, every
// other key edits.
type textPrompt struct {
	input textinput.Model
	keys  keymap.Prompt
	open  bool
}

func newTextPrompt(keys keymap.Prompt, prompt, placeholder string) textPrompt {
	in := textinput.New()
	in.Prompt, in.Placeholder = prompt, placeholder
	return textPrompt{input: in, keys: keys}
}

// Open shows the prompt holding value, with the cursor at its end.
func (p *textPrompt) Open(value string) tea.Cmd {
	p.open = true
	p.input.SetValue(value)
	p.input.CursorEnd()
	return p.input.Focus()
}

// Update passes a message to the open prompt.
func (p *textPrompt) Update(msg tea.Msg) (promptResult, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, p.keys.Submit):
			p.close()
			return promptSubmitted, nil
		case key.Matches(k, p.keys.Cancel):
			p.close()
			return promptCancelled, nil
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return promptEditing, cmd
}

func (p *textPrompt) close() {
	p.open = false
	p.input.Blur()
}

// Value is the text typed.
func (p *textPrompt) Value() string { return p.input.Value() }

// SetPrompt changes the words before the text.
func (p *textPrompt) SetPrompt(s string) { p.input.Prompt = s }

// SetWidth sets the width of the text field.
func (p *textPrompt) SetWidth(w int) { p.input.SetWidth(w) }

// View draws the prompt.
func (p *textPrompt) View() string { return p.input.View() }

// help lists the prompt's keys with what they do here.
func (p *textPrompt) help(submit string) []key.Binding {
	s := p.keys.Submit
	s.SetHelp(s.Help().Key, submit)
	return []key.Binding{s, p.keys.Cancel}
}
