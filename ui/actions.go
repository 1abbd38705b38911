package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/diagnose"
)

// runAction opens the in-app view an action names.
func (a *App) runAction(m ActionMsg) tea.Cmd {
	if m.Pod == nil {
		return nil
	}
	switch m.Action {
	case diagnose.ActionNone:
		return nil
	default:
		return SetStatus("no in-app view for "+m.Action.String()+" yet: copy the finding's command with c", true)
	}
}
