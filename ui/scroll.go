package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// scrollKeys are the movement bindings the scrollable text pages share.
type scrollKeys struct{ up, down, pageUp, pageDown, top, bottom key.Binding }

// scrollDelta is how far a movement key moves a text of `lines` lines shown
// `height` lines at a time; ok is false for any other key. The page's own
// scroll clamps the result.
func scrollDelta(msg tea.KeyPressMsg, k scrollKeys, height, lines int) (delta int, ok bool) {
	page := max(1, height-1)
	switch {
	case key.Matches(msg, k.up):
		return -1, true
	case key.Matches(msg, k.down):
		return 1, true
	case key.Matches(msg, k.pageUp):
		return -page, true
	case key.Matches(msg, k.pageDown):
		return page, true
	case key.Matches(msg, k.top):
		return -lines, true
	case key.Matches(msg, k.bottom):
		return lines, true
	}
	return 0, false
}
