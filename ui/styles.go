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
	// Sources colour the pod prefixes of a workload's log, one per pod.
	Sources []lipgloss.Style
}

// DefaultStyles returns the default theme for a dark or light background.
func DefaultStyles(dark bool) *Styles { return NewStyles(dark, nil) }

// NewStyles builds the theme for a dark or light background, with colours
// overridden by semantic name (see config.ColorNames; values are already
// validated: #rrggbb, #rgb or 0-255).
func NewStyles(dark bool, colors map[string]string) *Styles {
	s := baseStyles(dark)
	for name, c := range colors {
		col := lipgloss.Color(c)
		switch name {
		case "healthy":
			s.Healthy = s.Healthy.Foreground(col)
		case "progressing":
			s.Progressing = s.Progressing.Foreground(col)
		case "failing":
			s.Failing = s.Failing.Foreground(col)
		case "completed":
			s.Completed = s.Completed.Foreground(col)
		case "notice":
			s.Notice = s.Notice.Foreground(col)
		case "error":
			s.Error = s.Error.Foreground(col)
		case "muted":
			s.Muted = s.Muted.Foreground(col)
			s.HeaderKey = s.HeaderKey.Foreground(col)
		case "accent":
			s.Badge = s.Badge.Background(col)
		case "header":
			s.Header = s.Header.Foreground(col)
			s.ColumnTitle = s.ColumnTitle.Foreground(col)
		case "selected":
			s.Selected = lipgloss.NewStyle().Background(col)
		}
	}
	return &s
}

func baseStyles(dark bool) Styles {
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
		Sources:     sourceStyles(ld),
	}
}

// sourceStyles are eight colours readable on the background, for telling
// pods apart in a workload's log.
func sourceStyles(ld lipgloss.LightDarkFunc) []lipgloss.Style {
	pairs := [][2]string{
		{"#005fd7", "#5fafff"},
		{"#af5f00", "#ffaf5f"},
		{"#008700", "#87d787"},
		{"#af00af", "#ff87ff"},
		{"#008787", "#5fd7d7"},
		{"#875f00", "#d7d75f"},
		{"#5f00d7", "#af87ff"},
		{"#d70000", "#ff8787"},
	}
	out := make([]lipgloss.Style, len(pairs))
	for i, c := range pairs {
		out[i] = lipgloss.NewStyle().Foreground(ld(lipgloss.Color(c[0]), lipgloss.Color(c[1])))
	}
	return out
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
