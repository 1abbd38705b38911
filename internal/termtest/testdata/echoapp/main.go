// Command echoapp is a tiny Bubble Tea v2 program used to test termtest.
//
// It shows the window size, the last key pressed, a counter (up/down), the
// text typed so far (enter submits, esc clears, backspace deletes) and the
// terminal background colour it got in reply to an OSC 11 query. q or ctrl+c
// quits with code 0, "!" quits with code 3.
package main

import (
	"fmt"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"
)

type model struct {
	w, h      int
	last      string
	count     int
	text      string
	submitted string
	bg        string
	exit      int
}

func (m model) Init() tea.Cmd { return tea.RequestBackgroundColor }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		r, g, b, _ := msg.RGBA()
		m.bg = fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
	case tea.KeyPressMsg:
		k := msg.String()
		m.last = k
		switch k {
		case "q", "ctrl+c":
			return m, tea.Quit
		case "!":
			m.exit = 3
			return m, tea.Quit
		case "up":
			m.count++
		case "down":
			m.count--
		case "enter":
			m.submitted, m.text = m.text, ""
		case "esc":
			m.text = ""
		case "backspace":
			if m.text != "" {
				m.text = m.text[:len(m.text)-1]
			}
		default:
			if t := msg.Key().Text; t != "" {
				m.text += t
			}
		}
	}
	return m, nil
}

func (m model) View() tea.View {
	var b strings.Builder
	fmt.Fprintf(&b, "echoapp ready\n")
	fmt.Fprintf(&b, "size: %dx%d\n", m.w, m.h)
	fmt.Fprintf(&b, "last key: %s\n", m.last)
	fmt.Fprintf(&b, "count: %d\n", m.count)
	fmt.Fprintf(&b, "text: [%s]\n", m.text)
	fmt.Fprintf(&b, "submitted: [%s]\n", m.submitted)
	fmt.Fprintf(&b, "bg: %s\n", m.bg)
	v := tea.NewView(b.String())
	v.AltScreen = true
	v.WindowTitle = "echoapp"
	return v
}

func main() {
	final, err := tea.NewProgram(model{}).Run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "echoapp:", err)
		os.Exit(1)
	}
	os.Exit(final.(model).exit)
}
