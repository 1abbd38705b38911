package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// logTick redraws a log page once a second, so that its "● live" marker
// goes quiet when lines stop; it pauses while another page covers it (the
// streams keep filling the buffer). Both log pages embed it.
type logTick struct {
	ticks   asks
	covered bool
}

func newLogTick(id PageID) logTick { return logTick{ticks: newAsks(id)} }

func (l *logTick) tick() tea.Cmd {
	t := l.ticks.next()
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return logTickMsg{t} })
}

// SetCovered pauses the tick while covered and starts it again when shown.
func (l *logTick) SetCovered(covered bool) tea.Cmd {
	l.covered = covered
	if covered {
		return nil
	}
	return l.tick()
}

// ticked handles a tick: the next one, unless it is stale or covered.
func (l *logTick) ticked(msg logTickMsg) tea.Cmd {
	if !l.ticks.current(msg.Ticket) || l.covered {
		return nil
	}
	return l.tick()
}
