package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/keymap"
)

// cursorList is the selection in a list of n items that the picking pages
// share (exec container picker, active forwards).
type cursorList struct{ at, n int }

// move handles the scroll keys; it reports whether msg was one of them.
func (c *cursorList) move(msg tea.KeyPressMsg, k keymap.Scroll) bool {
	switch {
	case key.Matches(msg, k.Up):
		c.at--
	case key.Matches(msg, k.Down):
		c.at++
	case key.Matches(msg, k.Top):
		c.at = 0
	case key.Matches(msg, k.Bottom):
		c.at = c.n - 1
	default:
		return false
	}
	c.clamp()
	return true
}

// setLen follows a list that grew or shrank, keeping the selection in it.
func (c *cursorList) setLen(n int) {
	c.n = n
	c.clamp()
}

func (c *cursorList) clamp() { c.at = max(0, min(c.at, c.n-1)) }
