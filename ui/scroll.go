package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/podtui/podtui/keymap"
)

// scrollDelta is how far a movement key moves a text of `lines` lines shown
// `height` lines at a time; ok is false for any other key. The page's own
// scroll clamps the result.
func scrollDelta(msg tea.KeyPressMsg, k keymap.Scroll, height, lines int) (delta int, ok bool) {
	page := max(1, height-1)
	switch {
	case key.Matches(msg, k.Up):
		return -1, true
	case key.Matches(msg, k.Down):
		return 1, true
	case key.Matches(msg, k.PageUp):
		return -page, true
	case key.Matches(msg, k.PageDown):
		return page, true
	case key.Matches(msg, k.Top):
		return -lines, true
	case key.Matches(msg, k.Bottom):
		return lines, true
	}
	return 0, false
}
