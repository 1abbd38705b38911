package ui

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/podtui/podtui/keymap"
	"github.com/podtui/podtui/kube"
)

// keyDriver feeds keys to the app like the runtime: each key's Cmds run in
// goroutines and their messages go back into Update. Cmds that block (the
// pod feed's wait, ticks) are left behind.
type keyDriver struct {
	t    *testing.T
	a    *App
	msgs chan tea.Msg
}

func (d *keyDriver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		defer func() {
			if r := recover(); r != nil {
				d.t.Errorf("a Cmd panicked: %v", r)
			}
		}()
		if msg := cmd(); msg != nil {
			d.msgs <- msg
		}
	}()
}

// settle delivers messages until none arrives for a few milliseconds (the
// fake cluster answers at once; blocking Cmds never answer).
func (d *keyDriver) settle() {
	for {
		select {
		case msg := <-d.msgs:
			d.deliver(msg)
		case <-time.After(3 * time.Millisecond):
			return
		}
	}
}

func (d *keyDriver) deliver(msg tea.Msg) {
	// tea.Batch and tea.Sequence: run every Cmd.
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		for i := range v.Len() {
			d.run(v.Index(i).Interface().(tea.Cmd))
		}
		return
	}
	_, cmd := d.a.Update(msg)
	d.run(cmd)
}

// randomKeys is the alphabet of the random sessions: every letter and
// digit, navigation, and the write keys (ctrl+d, ctrl+k) often.
func randomKey(r *rand.Rand) (string, tea.KeyPressMsg) {
	special := []struct {
		name string
		msg  tea.KeyPressMsg
	}{
		{"esc", tea.KeyPressMsg{Code: tea.KeyEscape}},
		{"enter", tea.KeyPressMsg{Code: tea.KeyEnter}},
		{"tab", tea.KeyPressMsg{Code: tea.KeyTab}},
		{"up", tea.KeyPressMsg{Code: tea.KeyUp}},
		{"down", tea.KeyPressMsg{Code: tea.KeyDown}},
		{"ctrl+d", tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}},
		{"ctrl+k", tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl}},
		{"ctrl+s", tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}},
	}
	if r.IntN(4) == 0 {
		s := special[r.IntN(len(special))]
		return s.name, s.msg
	}
	const printable = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789?/:-yyyynnn"
	c := rune(printable[r.IntN(len(printable))])
	if c == 'q' || c == 'Q' {
		c = 'y' // keep the session going; ctrl+c is not in the alphabet either
	}
	return string(c), tea.KeyPressMsg{Code: c, Text: string(c)}
}

// TestNoWriteWithoutAnExplicitKey drives the app with many random key
// sessions and a fake cluster that records writes: a delete happens only
// right after a yes that answered a delete key, a shell or port-forward only
// right after its own key (or enter in a menu that offers it), and in
// read-only mode nothing is ever written.
func TestNoWriteWithoutAnExplicitKey(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		name := "normal"
		if readOnly {
			name = "readonly"
		}
		t.Run(name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // random keys may save a log (s, ctrl+s, enter) to the working directory
			r := rand.New(rand.NewPCG(9, 9))
			deletes, totalDeletes, totalOther := 0, 0, 0
			for session := range 40 {
				c := &fakeCluster{pods: fixturePods()}
				a := New(c, Options{Scope: kube.Scope{Namespace: "shop"}, Keys: keymap.Default(), Now: func() time.Time { return clock }, Dark: true, ReadOnly: readOnly})
				a.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
				load(t, a)
				d := &keyDriver{t: t, a: a, msgs: make(chan tea.Msg, 1024)}
				var keys []string
				seen, execs, fwds := 0, 0, 0 // writes already checked
				for range 40 {
					k, msg := randomKey(r)
					keys = append(keys, k)
					_, cmd := a.Update(msg)
					d.run(cmd)
					d.settle()
					c.writes.mu.Lock()
					del, ex, fw := len(c.writes.deleted), len(c.writes.execs), len(c.writes.fwds)
					c.writes.mu.Unlock()
					total := del + ex + fw
					if total == seen {
						continue
					}
					seen = total
					if readOnly {
						t.Fatalf("session %d: read-only mode wrote (deletes %d, execs %d, forwards %d) after keys %q", session, del, ex, fw, keys)
					}
					last := keys[len(keys)-1]
					switch {
					case del > deletes:
						deletes = del
						if last != "y" && last != "Y" && last != "enter" {
							t.Fatalf("session %d: delete after %q, not after a confirmation; keys %q", session, last, keys)
						}
						if !confirmedDelete(keys) {
							t.Fatalf("session %d: delete without a delete key before the yes; keys %q", session, keys)
						}
					case ex > execs && !strings.Contains("xs", last) && last != "enter":
						t.Fatalf("session %d: shell started after %q; keys %q", session, last, keys)
					case fw > fwds && last != "f" && last != "enter":
						t.Fatalf("session %d: port-forward started after %q; keys %q", session, last, keys)
					}
					execs, fwds = ex, fw
				}
				// Reset the per-session counters: each session has its own fake.
				totalDeletes += deletes
				deletes = 0
				c.writes.mu.Lock()
				totalOther += len(c.writes.execs) + len(c.writes.fwds)
				c.writes.mu.Unlock()
			}
			t.Logf("confirmed deletes %d, shells and forwards %d", totalDeletes, totalOther)
			if !readOnly && totalDeletes == 0 {
				t.Error("no session reached a confirmed delete: the random keys do not exercise the write paths")
			}
		})
	}
}

// confirmedDelete reports whether a delete key came before the final yes
// (with no escape in between).
func confirmedDelete(keys []string) bool {
	for i := len(keys) - 2; i >= 0; i-- {
		switch keys[i] {
		case "ctrl+d", "ctrl+k":
			return true
		case "esc":
			return false
		}
	}
	return false
}

// TestDeleteNeedsTheConfirmation is the positive side: the delete key alone
// writes nothing; with the yes, exactly one delete.
func TestDeleteNeedsTheConfirmation(t *testing.T) {
	c := &fakeCluster{pods: fixturePods()}
	a := harnessApp(t, c, kube.Scope{Namespace: "shop"}, 120, 30)
	d := &keyDriver{t: t, a: a, msgs: make(chan tea.Msg, 1024)}
	press := func(m tea.KeyPressMsg) {
		_, cmd := a.Update(m)
		d.run(cmd)
		d.settle()
	}
	press(tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
	if !strings.Contains(screen(a), "Delete pod") {
		t.Fatalf("no confirmation shown:\n%s", screen(a))
	}
	if n := c.writeCount(); n != 0 {
		t.Fatalf("the delete key alone wrote %d times", n)
	}
	press(tea.KeyPressMsg{Code: 'n', Text: "n"})
	if n := c.writeCount(); n != 0 {
		t.Fatalf("no wrote %d times", n)
	}
	press(tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
	press(tea.KeyPressMsg{Code: 'y', Text: "y"})
	if n := c.writeCount(); n != 1 {
		t.Fatalf("yes wrote %d times, want 1 delete", n)
	}
}
