package ui

import (
	"charm.land/lipgloss/v2"

	"github.com/podtui/podtui/diagnose"
)

// Styles is every style podtui draws with, by meaning. Built once.
type Styles struct {
	Header      lipgloss.Style
	HeaderKey   lipgloss.Style
	Badge       lipgloss.Style
	StaleBadge  lipgloss.Style
	ColumnTitle lipgloss.Style
	Selected    lipgloss.Style
	Healthy     lipgloss.Style
	Progressing lipgloss.Style
	Failing     lipgloss.Style
	Completed   lipgloss.Style
	Stale       lipgloss.Style
	Notice      lipgloss.Style
	Error       lipgloss.Style
	Muted       lipgloss.Style
	Title       lipgloss.Style
}

// DefaultStyles returns the default theme for a dark or light background.
func DefaultStyles(dark bool) Styles {
	ld := lipgloss.LightDark(dark)
	fg := ld(lipgloss.Color("#1a1a1a"), lipgloss.Color("#e6e6e6"))
	return Styles{
		Header:      lipgloss.NewStyle().Bold(true).Foreground(fg),
		HeaderKey:   lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#666666"), lipgloss.Color("#8a8a8a"))),
		Badge:       lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#ffffff")).Background(lipgloss.Color("#5f5fd7")).Padding(0, 1),
		StaleBadge:  lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#000000")).Background(lipgloss.Color("#ffaf00")).Padding(0, 1),
		ColumnTitle: lipgloss.NewStyle().Bold(true).Foreground(ld(lipgloss.Color("#444444"), lipgloss.Color("#bcbcbc"))),
		Selected:    lipgloss.NewStyle().Reverse(true),
		Healthy:     lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#007a3d"), lipgloss.Color("#5fd787"))),
		Progressing: lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#8a6d00"), lipgloss.Color("#ffd75f"))),
		Failing:     lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#c00000"), lipgloss.Color("#ff5f5f"))),
		Completed:   lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#6c6c6c"), lipgloss.Color("#8a8a8a"))),
		Stale:       lipgloss.NewStyle().Faint(true),
		Notice:      lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#005f87"), lipgloss.Color("#5fafff"))),
		Error:       lipgloss.NewStyle().Bold(true).Foreground(ld(lipgloss.Color("#c00000"), lipgloss.Color("#ff5f5f"))),
		Muted:       lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#6c6c6c"), lipgloss.Color("#8a8a8a"))),
		Title:       lipgloss.NewStyle().Bold(true),
	}
}

// ForHealth is the one place that maps pod health to a colour.
func (s Styles) ForHealth(h diagnose.Health) lipgloss.Style {
	switch h {
	case diagnose.HealthOK:
		return s.Healthy
	case diagnose.HealthFailing:
		return s.Failing
	case diagnose.HealthCompleted:
		return s.Completed
	default:
		return s.Progressing
	}
}
