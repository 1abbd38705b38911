package ui

import (
	"testing"

	"github.com/podtui/podtui/keymap"
)

func TestCursorListStaysInTheList(t *testing.T) {
	k := keymap.Default().Detail.Scroll
	tests := []struct {
		n, at int
		key   string
		want  int
	}{
		{n: 3, at: 0, key: "up", want: 0},
		{n: 3, at: 0, key: "down", want: 1},
		{n: 3, at: 2, key: "down", want: 2},
		{n: 3, at: 1, key: "G", want: 2},
		{n: 3, at: 2, key: "g", want: 0},
		{n: 0, at: 0, key: "down", want: 0},
	}
	for _, tt := range tests {
		c := cursorList{at: tt.at, n: tt.n}
		if !c.move(keyMsg(tt.key), k) || c.at != tt.want {
			t.Errorf("n=%d at=%d %s: at %d, want %d", tt.n, tt.at, tt.key, c.at, tt.want)
		}
	}
	c := cursorList{at: 2, n: 3}
	if c.move(keyMsg("x"), k) {
		t.Error("x moved the cursor")
	}
	if c.setLen(1); c.at != 0 {
		t.Errorf("after the list shrank to 1, at %d", c.at)
	}
}
