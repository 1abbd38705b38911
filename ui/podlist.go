package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
	"github.com/podtui/podtui/ui/podindex"
)

// PodListKeyMap are the keys the pod list handles itself: moving, the
// filter, the sort and the usage columns. The keys that open pages stay
// with the app.
type PodListKeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Filter, ClearFilter                     key.Binding
	Sort, Reverse, Usage                    key.Binding
	// Prompt keys end the filter's typing: submit keeps the filter, cancel
	// clears it.
	Prompt keymap.Prompt
}

// NewPodListKeyMap takes the list's keys out of the user's bindings.
func NewPodListKeyMap(k keymap.Keys) PodListKeyMap {
	l := k.PodList
	return PodListKeyMap{
		Up: l.Up, Down: l.Down, PageUp: l.PageUp, PageDown: l.PageDown, Top: l.Top, Bottom: l.Bottom,
		Filter: l.Filter, ClearFilter: l.ClearFilter,
		Sort: l.Sort, Reverse: l.Reverse, Usage: l.Usage,
		Prompt: k.Prompt,
	}
}

// PodList is the pod list: every pod of the feed's snapshot in a virtual
// table (only the visible rows are drawn), with a filter, a sort and usage
// columns. The app feeds it snapshots and metrics and asks it for the
// selected pod. Copies share the rows: the index is too big to copy.
type PodList struct {
	keys   PodListKeyMap
	styles *Styles // the app's: a theme change reaches the list too
	now    func() time.Time
	index  *podindex.Index[podCells]

	filter textPrompt // open while the filter has the keys

	metrics kube.PodMetrics // the numbers shown
	missed  int             // failed polls since those numbers; they are marked old
	// metricsSet: a poll's result was applied to the rows.
	metricsSet bool
	hideUsage  bool

	width, rows int // rows: lines for pods
	offset      int // first visible index among the shown rows

	// The feed's state, for what to say when there are no rows.
	loaded, synced, stale, allNS bool
	err                          string
}

// NewPodList is an empty list.
func NewPodList(keys PodListKeyMap, styles *Styles, now func() time.Time) PodList {
	fi := newTextPrompt(keys.Prompt, "/", "filter by name, namespace, status, node")
	return PodList{keys: keys, styles: styles, now: now, index: &podindex.Index[podCells]{}, filter: fi}
}

// SetSize sets the list's width and height, column titles included.
func (m *PodList) SetSize(w, h int) {
	m.width, m.rows = w, max(1, h-1)
	m.filter.SetWidth(max(10, w-4))
	m.follow()
}

// SetSnapshot shows the pods of a snapshot, keeping the selection on its pod.
func (m *PodList) SetSnapshot(s kube.PodSnapshot, now time.Time) {
	m.loaded, m.synced, m.stale, m.allNS = true, s.Synced, s.Conn.Stale, s.Scope.AllNamespaces()
	m.setPods(s.Pods, now)
}

// Clear empties the list while the feed of another scope starts.
func (m *PodList) Clear(now time.Time) {
	m.loaded, m.synced, m.stale, m.allNS = false, false, false, false
	m.setPods(nil, now)
	m.offset = 0
}

// SetError says why the feed could not start ("" when it did).
func (m *PodList) SetError(err string) { m.err = err }

func (m *PodList) setPods(pods []*kube.PodSummary, now time.Time) {
	metrics := m.metrics
	m.index.Set(pods, func(p *kube.PodSummary) *podRow { return newPodRow(p, metrics, now) })
	m.follow()
}

// SetMetrics applies a poll to every row. A failed poll keeps the last
// numbers, marked old in their cells, for maxMissedPolls-1 polls: a blip
// should not blank the columns, nor should old numbers pass for fresh.
func (m *PodList) SetMetrics(res kube.PodMetrics, now time.Time) {
	if res.Problem != "" && m.metrics.Pods != nil && !res.Absent && !res.Forbidden {
		if m.missed++; m.missed < maxMissedPolls {
			return
		}
	}
	m.missed = 0
	same := len(res.Pods) == 0 && len(m.metrics.Pods) == 0 && m.metricsSet &&
		res.Absent == m.metrics.Absent && res.Forbidden == m.metrics.Forbidden && res.Problem == m.metrics.Problem
	m.metrics, m.metricsSet = res, true
	if same {
		// No numbers before or now, for the same reason: the cells stay.
		// (Re-deriving 100k rows cost 58 ms a poll, a third of podtui's
		// idle CPU at that size without metrics-server.)
		return
	}
	for _, r := range m.index.Rows() {
		applyUsage(r, res, now)
	}
	m.index.RowsChanged()
	m.follow()
}

// Metrics are the numbers shown (after a failed poll, the last ones).
func (m PodList) Metrics() kube.PodMetrics { return m.metrics }

// UsageHidden says whether the usage columns are hidden.
func (m PodList) UsageHidden() bool { return m.hideUsage }

// Filtering says whether the filter has the keys.
func (m PodList) Filtering() bool { return m.filter.open }

// FilterView is the filter's input line.
func (m PodList) FilterView() string { return m.filter.View() }

// Filter is the filter applied.
func (m PodList) Filter() string { return m.index.Filter() }

// Len is the count of pods the filter shows.
func (m PodList) Len() int { return m.index.Len() }

// Total is the count of pods in scope.
func (m PodList) Total() int { return m.index.Total() }

// SortLabel names the sort ("status", "age↑" when reversed).
func (m PodList) SortLabel() string {
	k, rev := m.index.Sort()
	if rev {
		return k.String() + "↑"
	}
	return k.String()
}

// ShownPods is the first n pods the filter shows, in the list's order.
func (m PodList) ShownPods(n int) []*kube.PodSummary {
	out := make([]*kube.PodSummary, 0, min(n, m.index.Len()))
	for i := range min(n, m.index.Len()) {
		out = append(out, m.index.Shown(i).Pod)
	}
	return out
}

// SelectedPod is the pod under the cursor.
func (m PodList) SelectedPod() (*kube.PodSummary, bool) {
	r, ok := m.index.Selected()
	if !ok {
		return nil, false
	}
	return r.Pod, true
}

// Update handles the list's keys, and everything while filtering.
func (m PodList) Update(msg tea.Msg) (PodList, tea.Cmd) {
	if m.filter.open {
		return m.updateFilter(msg)
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	keys := m.keys
	switch {
	case key.Matches(k, keys.Up):
		m.move(-1)
	case key.Matches(k, keys.Down):
		m.move(1)
	case key.Matches(k, keys.PageUp):
		m.move(-m.rows)
	case key.Matches(k, keys.PageDown):
		m.move(m.rows)
	case key.Matches(k, keys.Top):
		m.move(-m.index.Len())
	case key.Matches(k, keys.Bottom):
		m.move(m.index.Len())
	case key.Matches(k, keys.Filter):
		return m, m.filter.Open(m.index.Filter())
	case key.Matches(k, keys.ClearFilter):
		if m.index.Filter() != "" {
			m.filter.input.SetValue("")
			m.applyFilter()
		}
	case key.Matches(k, keys.Sort):
		m.nextSortKey()
	case key.Matches(k, keys.Reverse):
		sk, rev := m.index.Sort()
		m.index.SetSort(sk, !rev)
		m.follow()
	case key.Matches(k, keys.Usage):
		m.toggleUsage()
	}
	return m, nil
}

// updateFilter gives a message to the filter prompt: cancel (esc) clears
// and leaves it, submit (enter) leaves it, other keys edit it and apply it
// at once.
func (m PodList) updateFilter(msg tea.Msg) (PodList, tea.Cmd) {
	res, cmd := m.filter.Update(msg)
	if res == promptCancelled {
		m.filter.input.SetValue("")
	}
	m.applyFilter()
	return m, cmd
}

func (m *PodList) applyFilter() {
	m.index.SetFilter(m.filter.Value())
	m.follow()
}

func (m *PodList) move(delta int) {
	m.index.Move(delta)
	m.follow()
}

// nextSortKey cycles the sort key, skipping usage keys while their columns
// are hidden.
func (m *PodList) nextSortKey() {
	sk, rev := m.index.Sort()
	for {
		sk = (sk + 1) % podindex.SortKeyCount
		if !m.hideUsage || !sk.IsUsage() {
			break
		}
	}
	m.index.SetSort(sk, rev)
	m.follow()
}

// toggleUsage hides or shows the usage columns; a usage sort falls back to
// name when they go.
func (m *PodList) toggleUsage() {
	m.hideUsage = !m.hideUsage
	if sk, rev := m.index.Sort(); m.hideUsage && sk.IsUsage() {
		m.index.SetSort(podindex.SortName, rev)
		m.follow()
	}
}

// follow keeps the cursor's row in view after any change.
func (m *PodList) follow() {
	if m.rows > 0 {
		c, n := m.index.Cursor(), m.index.Len()
		if c < m.offset {
			m.offset = c
		}
		if c >= m.offset+m.rows {
			m.offset = c - m.rows + 1
		}
		m.offset = min(m.offset, n-m.rows)
	}
	m.offset = max(0, m.offset)
}

// visibleEnd is the end of the visible rows among the shown ones.
func (m *PodList) visibleEnd() int { return min(m.index.Len(), m.offset+m.rows) }

// View draws the column titles and the visible rows, m.rows+1 lines.
func (m PodList) View() string {
	now := m.now()
	cols := m.columns(now)
	s := m.styles
	var b strings.Builder
	var title strings.Builder
	for _, c := range cols {
		title.WriteString(pad(c.title, c.width) + "  ")
	}
	b.WriteString(s.ColumnTitle.Render(pad(title.String(), m.width)))
	lines := 0
	switch {
	case m.err != "":
		b.WriteString("\n" + s.Error.Render(pad("cannot list pods: "+m.err, m.width)))
		lines++
	case !m.loaded || !m.synced && m.index.Total() == 0 && !m.stale:
		b.WriteString("\n" + s.Muted.Render(pad("loading pods…", m.width)))
		lines++
	case m.index.Len() == 0:
		msg := "no pods in this namespace"
		if f := m.index.Filter(); f != "" {
			msg = fmt.Sprintf("no pods match %q", f)
		} else if m.allNS {
			msg = "no pods in the cluster"
		}
		b.WriteString("\n" + s.Muted.Render(pad(msg, m.width)))
		lines++
	default:
		cursor := m.index.Cursor()
		for i := m.offset; i < m.visibleEnd(); i++ {
			r := m.index.Shown(i)
			var line strings.Builder
			for _, c := range cols {
				line.WriteString(pad(c.cell(r, now), c.width) + "  ")
			}
			text := pad(line.String(), m.width)
			st := s.ForHealth(r.Health)
			if m.stale {
				st = s.Stale
			}
			if i == cursor {
				st = st.Inherit(s.Selected).Reverse(true)
			}
			b.WriteString("\n" + st.Render(text))
			lines++
		}
	}
	for ; lines < m.rows; lines++ {
		b.WriteString("\n")
	}
	return b.String()
}
