package ui

import (
	"image/color"
	"reflect"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// The terminal's background picks the theme, and the change reaches pages
// already open, also the triage page --triage opens before the terminal
// has answered.
func TestThemeChangeReachesOpenPages(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := New(c, Options{Scope: kube.Scope{Namespace: "shop"}, Keys: keymap.Default(), Now: func() time.Time { return clock }, Dark: true, StartTriage: true})
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 20})
	a.Init()
	tp, ok := a.top().(*TriagePage)
	if !ok {
		t.Fatalf("--triage opened %T", a.top())
	}
	if reflect.DeepEqual(*DefaultStyles(true), *DefaultStyles(false)) {
		t.Fatal("the dark and light themes are the same; the test would check nothing")
	}
	if !reflect.DeepEqual(*tp.env.Styles, *DefaultStyles(true)) {
		t.Fatal("the triage page does not start on the app's dark theme")
	}
	a.Update(tea.BackgroundColorMsg{Color: color.White})
	if !reflect.DeepEqual(*tp.env.Styles, *DefaultStyles(false)) {
		t.Fatal("a light background left the open triage page on the dark theme")
	}
	// A fixed theme stays whatever the terminal says.
	f := New(c, Options{Scope: kube.Scope{Namespace: "shop"}, Keys: keymap.Default(), Now: func() time.Time { return clock }, Dark: true, FixedTheme: true})
	f.Update(tea.BackgroundColorMsg{Color: color.White})
	if !reflect.DeepEqual(*f.styles, *DefaultStyles(true)) {
		t.Fatal("a fixed theme followed the terminal")
	}
}
