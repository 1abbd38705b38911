package ui

import (
	"reflect"
	"testing"

	"github.com/podtui/podtui/internal/defaults"
	"github.com/podtui/podtui/keymap"
)

// TestUIDefaultsAreTheDefaultsPackage: what the UI falls back to without a
// config file is what the config file documents (see config's test).
func TestUIDefaultsAreTheDefaultsPackage(t *testing.T) {
	want := LogSettings{Tail: defaults.LogTail, BufferLines: defaults.LogBufferLines, BufferBytes: defaults.LogBufferBytes}
	if got := DefaultLogSettings(); got != want {
		t.Errorf("DefaultLogSettings() = %+v, want %+v", got, want)
	}
	a := New(&fakeCluster{}, Options{Keys: keymap.Default()})
	if !reflect.DeepEqual(a.opts.Shells, defaults.Shells()) {
		t.Errorf("shells = %q, want %q", a.opts.Shells, defaults.Shells())
	}
	if a.opts.MetricsInterval != defaults.MetricsInterval {
		t.Errorf("metrics interval = %s, want %s", a.opts.MetricsInterval, defaults.MetricsInterval)
	}
}
