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
	case diagnose.ActionLogs, diagnose.ActionPreviousLogs:
		open := LogOpen{Container: m.Container, Previous: m.Action == diagnose.ActionPreviousLogs}
		return a.open(func(env PageEnv) Page { return NewLogPage(env, m.Pod, open) })
	case diagnose.ActionEvents:
		return a.runPodAction(podActionMsg{action: actDetail, pod: m.Pod})
	case diagnose.ActionExec:
		return a.runPodAction(podActionMsg{action: actExec, pod: m.Pod, container: m.Container})
	default:
		return SetStatus("no in-app view for "+m.Action.String()+" yet: copy the finding's command with c", true)
	}
}
