// Package termtest drives a real program in a pseudo-terminal the way a user
// would: keys go in through the pty, and what the program writes is fed into
// a virtual terminal emulator (github.com/charmbracelet/x/vt) whose screen can
// be inspected.
//
// The emulator answers the queries a TUI sends at start-up (DA1/DA2, OSC 10/11
// colours, DECRQM mode reports, cursor position reports); those answers are
// forwarded to the program through the pty, as a real terminal would do.
//
// Besides the screen, every OSC sequence the program emits is recorded (see
// [Term.OSC], [Term.Title], [Term.Clipboard]) so tests can prove that
// untrusted text never turns into terminal control sequences.
package termtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// PollInterval is how often the Wait* helpers look at the screen.
const PollInterval = 20 * time.Millisecond

// escPause is how long input is held back after a lone ESC. Bubble Tea (via
// ultraviolet) waits 50ms after a lone ESC for the rest of an escape
// sequence; anything arriving sooner is merged into it (ESC j = alt+j).
const escPause = 120 * time.Millisecond

// OSC is one Operating System Command the program wrote.
type OSC struct {
	Cmd  int    // e.g. 0, 2 (title), 52 (clipboard)
	Data string // payload after "Cmd;", e.g. "c;aGVsbG8=" for OSC 52
}

// Term is a program running in a pseudo-terminal attached to an emulator.
type Term struct {
	tb   testing.TB
	cmd  *exec.Cmd
	ptmx *os.File

	mu     sync.Mutex // guards emu, parser, raw, oscs
	emu    *vt.Emulator
	parser *ansi.Parser // second parser over the raw stream: records every OSC
	raw    bytes.Buffer
	oscs   []OSC

	writeMu sync.Mutex // serialises writes to the pty (keys and replies)
	lastEsc time.Time  // when a lone ESC was last written; guarded by writeMu

	exited   chan struct{} // closed once the process has been reaped
	exitCode int
	exitErr  error
	outDone  chan struct{} // closed once pty output hit EOF/EIO
	replDone chan struct{} // closed once the reply forwarder ended
}

// Start runs name with args in a new pty of cols×rows and returns the
// terminal. env is added to the current environment after terminal-related
// variables are removed from it and TERM=xterm-256color is set; later entries
// win, so env can override anything. Start registers a cleanup that kills the
// process group and closes the pty, and logs the screen if the test failed.
func Start(tb testing.TB, cols, rows int, env []string, name string, args ...string) *Term {
	tb.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(baseEnv(), env...)

	t := &Term{
		tb:       tb,
		cmd:      cmd,
		emu:      vt.NewEmulator(cols, rows),
		parser:   ansi.NewParser(),
		exited:   make(chan struct{}),
		outDone:  make(chan struct{}),
		replDone: make(chan struct{}),
	}
	t.parser.SetDataSize(0) // unlimited: never truncate a recorded OSC
	t.parser.SetHandler(ansi.Handler{HandleOsc: t.recordOSC})

	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		tb.Fatalf("termtest: start %s: %v", name, err)
	}
	t.ptmx = ptmx

	go t.copyOutput()
	go t.forwardReplies()
	go func() {
		err := cmd.Wait()
		t.exitCode = cmd.ProcessState.ExitCode()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.exitErr = err
		}
		close(t.exited)
	}()

	tb.Cleanup(t.close)
	return t
}

// baseEnv is os.Environ without variables that make TUIs (Bubble Tea,
// lipgloss, colorprofile) behave differently depending on the outer terminal.
func baseEnv() []string {
	drop := []string{
		"TERM", "COLORTERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "TERMINFO",
		"TMUX", "TMUX_PANE", "STY", "SSH_TTY", "WT_SESSION", "VTE_VERSION",
		"KITTY_WINDOW_ID", "WEZTERM_PANE", "ALACRITTY_WINDOW_ID", "ITERM_SESSION_ID",
		"NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "COLUMNS", "LINES",
	}
	var env []string
outer:
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		for _, d := range drop {
			if k == d {
				continue outer
			}
		}
		env = append(env, kv)
	}
	return append(env, "TERM=xterm-256color")
}

// copyOutput feeds everything the program writes into the emulator.
func (t *Term) copyOutput() {
	defer close(t.outDone)
	buf := make([]byte, 32*1024)
	for {
		n, err := t.ptmx.Read(buf)
		if n > 0 {
			t.mu.Lock()
			t.raw.Write(buf[:n])
			for _, b := range buf[:n] {
				t.parser.Advance(b)
			}
			// May block until forwardReplies has read the emulator's answers;
			// forwardReplies never takes t.mu, so this cannot deadlock.
			_, _ = t.emu.Write(buf[:n])
			t.mu.Unlock()
		}
		if err != nil {
			return // EOF, or EIO once every slave fd is closed
		}
	}
}

// forwardReplies sends the emulator's answers to queries back to the program.
// The emulator writes them into a synchronous io.Pipe, so somebody must always
// be reading, even after the pty is gone.
func (t *Term) forwardReplies() {
	defer close(t.replDone)
	buf := make([]byte, 4096)
	for {
		n, err := t.emu.Read(buf)
		if n > 0 {
			_ = t.write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

func (t *Term) recordOSC(cmd int, data []byte) {
	s := string(data)
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[i+1:]
	} else {
		s = ""
	}
	t.oscs = append(t.oscs, OSC{Cmd: cmd, Data: s})
}

// write writes p to the pty, pausing after a lone ESC (see escPause).
func (t *Term) write(p []byte) error {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	if d := time.Until(t.lastEsc.Add(escPause)); d > 0 {
		time.Sleep(d)
	}
	_, err := t.ptmx.Write(p)
	if len(p) == 1 && p[0] == 0x1b {
		t.lastEsc = time.Now()
	}
	return err
}

func (t *Term) close() {
	if t.tb.Failed() {
		raw := t.Raw()
		if len(raw) > 2048 {
			raw = raw[len(raw)-2048:]
		}
		t.tb.Logf("termtest: %s: last screen (alt=%v):\n%s\nlast output bytes: %q",
			t.cmd.Path, t.AltScreen(), frame(t.Screen()), raw)
	}
	if t.Alive() {
		// The child is a session leader (Setsid), so its pgid is its pid.
		_ = syscall.Kill(-t.cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-t.exited:
		case <-time.After(10 * time.Second):
			t.tb.Logf("termtest: %s: process %d not reaped after SIGKILL", t.cmd.Path, t.cmd.Process.Pid)
		}
	} else {
		select {
		case <-t.outDone:
		default:
			// The process is gone but something it started still holds the
			// pty (and so, almost surely, keeps its process group, and with it
			// the pid, from being recycled): kill the group.
			_ = syscall.Kill(-t.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	_ = t.ptmx.Close()
	select {
	case <-t.outDone:
	case <-time.After(5 * time.Second):
	}
	// Do not call emu.Close: it writes an unguarded flag that emu.Read reads.
	// Closing the pipe's writer ends forwardReplies just as well.
	t.mu.Lock()
	if c, ok := t.emu.InputPipe().(io.Closer); ok {
		_ = c.Close()
	}
	t.mu.Unlock()
	<-t.replDone
}

// Screen returns the visible screen as plain text: one line per row joined by
// "\n", trailing spaces trimmed per row.
func (t *Term) Screen() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.emu.String()
}

// Cell returns a copy of the cell at column x, row y (zero-based), including
// its style (colours, bold, reverse...). ok is false when out of bounds.
func (t *Term) Cell(x, y int) (c uv.Cell, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.emu.CellAt(x, y)
	if p == nil {
		return uv.Cell{}, false
	}
	return *p.Clone(), true
}

// Cursor returns the cursor position and whether it is visible.
func (t *Term) Cursor() (x, y int, visible bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.emu.CursorPosition()
	return p.X, p.Y, !t.emu.CursorHidden()
}

// AltScreen reports whether the alternate screen is active.
func (t *Term) AltScreen() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.emu.IsAltScreen()
}

// Size returns the emulator's size.
func (t *Term) Size() (cols, rows int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.emu.Width(), t.emu.Height()
}

// Raw returns a copy of every byte the program has written so far.
func (t *Term) Raw() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Clone(t.raw.Bytes())
}

// OSC returns every OSC sequence the program wrote, in order, including
// ones the emulator ignores. Pass command numbers to filter.
func (t *Term) OSC(cmds ...int) []OSC {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []OSC
	for _, o := range t.oscs {
		if len(cmds) == 0 || containsInt(cmds, o.Cmd) {
			out = append(out, o)
		}
	}
	return out
}

// Titles returns every window title set via OSC 0 or OSC 2, in order.
func (t *Term) Titles() []string {
	var out []string
	for _, o := range t.OSC(0, 2) {
		out = append(out, o.Data)
	}
	return out
}

// Title returns the last window title set via OSC 0 or OSC 2 ("" if none).
func (t *Term) Title() string {
	ts := t.Titles()
	if len(ts) == 0 {
		return ""
	}
	return ts[len(ts)-1]
}

// Clipboard returns the payload of every OSC 52 (clipboard) sequence the
// program wrote, e.g. "c;aGVsbG8=", queries ("c;?") included.
func (t *Term) Clipboard() []string {
	var out []string
	for _, o := range t.OSC(52) {
		out = append(out, o.Data)
	}
	return out
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// WaitFor polls the screen until it contains substr and returns that screen.
// On timeout the error includes the last screen.
func (t *Term) WaitFor(substr string, timeout time.Duration) (string, error) {
	return t.WaitScreen(func(s string) bool { return strings.Contains(s, substr) },
		fmt.Sprintf("screen containing %q", substr), timeout)
}

// WaitMatch polls the screen until re matches it.
func (t *Term) WaitMatch(re *regexp.Regexp, timeout time.Duration) (string, error) {
	return t.WaitScreen(re.MatchString, fmt.Sprintf("screen matching /%s/", re), timeout)
}

// WaitGone polls the screen until it no longer contains substr.
func (t *Term) WaitGone(substr string, timeout time.Duration) (string, error) {
	return t.WaitScreen(func(s string) bool { return !strings.Contains(s, substr) },
		fmt.Sprintf("screen without %q", substr), timeout)
}

// WaitScreen polls the screen until cond holds. what describes the condition
// in the timeout error.
func (t *Term) WaitScreen(cond func(screen string) bool, what string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		s := t.Screen()
		if cond(s) {
			return s, nil
		}
		if time.Now().After(deadline) {
			state := "running"
			if !t.Alive() {
				state = fmt.Sprintf("exited with code %d", t.exitCode)
			}
			return s, fmt.Errorf("termtest: timed out after %v waiting for %s (process %s); screen:\n%s",
				timeout, what, state, frame(s))
		}
		time.Sleep(PollInterval)
	}
}

// frame draws a box around the screen so trailing blanks are visible in logs.
func frame(s string) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	b.WriteString("┌\n")
	for _, l := range lines {
		b.WriteString("│" + l + "\n")
	}
	b.WriteString("└")
	return b.String()
}

// keys maps key names to what an xterm sends in normal (non-application)
// cursor mode. ctrl+<letter> and alt+<key> are computed in [KeyBytes].
var keys = map[string]string{
	"enter": "\r", "tab": "\t", "shift+tab": "\x1b[Z", "backspace": "\x7f",
	"esc": "\x1b", "escape": "\x1b", "space": " ",
	"up": "\x1b[A", "down": "\x1b[B", "right": "\x1b[C", "left": "\x1b[D",
	"home": "\x1b[H", "end": "\x1b[F", "pgup": "\x1b[5~", "pgdown": "\x1b[6~",
	"insert": "\x1b[2~", "delete": "\x1b[3~",
	"f1": "\x1bOP", "f2": "\x1bOQ", "f3": "\x1bOR", "f4": "\x1bOS",
	"f5": "\x1b[15~", "f6": "\x1b[17~", "f7": "\x1b[18~", "f8": "\x1b[19~",
	"f9": "\x1b[20~", "f10": "\x1b[21~", "f11": "\x1b[23~", "f12": "\x1b[24~",
	"ctrl+space": "\x00", "ctrl+@": "\x00", "ctrl+[": "\x1b", "ctrl+\\": "\x1c",
	"ctrl+]": "\x1d", "ctrl+^": "\x1e", "ctrl+_": "\x1f",
}

// KeyBytes returns the bytes for a key name ("enter", "ctrl+c", "alt+x",
// "pgdown"...). alt+ works with keys that are a single byte. Anything that is
// not a known name is returned unchanged, so raw bytes and text pass through
// (e.g. "\x1b[1;5A" for ctrl+up).
func KeyBytes(key string) string {
	if s, ok := keys[key]; ok {
		return s
	}
	if rest, ok := strings.CutPrefix(key, "ctrl+"); ok && len(rest) == 1 {
		c := rest[0] | 0x20 // lower-case
		if c >= 'a' && c <= 'z' {
			return string(rune(c - 'a' + 1))
		}
	}
	if rest, ok := strings.CutPrefix(key, "alt+"); ok {
		if b := KeyBytes(rest); len(b) == 1 { // alt+x, alt+ctrl+x, alt+enter...
			return "\x1b" + b
		}
	}
	return key
}

// Send writes keys to the program, each translated by [KeyBytes]. Each key is
// a separate write. After a lone ESC, further input is held back briefly so
// the program does not read ESC+next key as alt+key.
func (t *Term) Send(keys ...string) {
	t.tb.Helper()
	for _, k := range keys {
		if err := t.write([]byte(KeyBytes(k))); err != nil {
			t.tb.Errorf("termtest: send %q: %v", k, err)
			return
		}
	}
}

// Type writes s literally, in one write.
func (t *Term) Type(s string) {
	t.tb.Helper()
	if err := t.write([]byte(s)); err != nil {
		t.tb.Errorf("termtest: type %q: %v", s, err)
	}
}

// Resize resizes the emulator, then the pty (the kernel sends SIGWINCH to the
// program's foreground process group).
func (t *Term) Resize(cols, rows int) {
	t.tb.Helper()
	t.mu.Lock()
	t.emu.Resize(cols, rows)
	t.mu.Unlock()
	if err := pty.Setsize(t.ptmx, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)}); err != nil {
		t.tb.Errorf("termtest: resize to %dx%d: %v", cols, rows, err)
	}
}

// Wait waits until the process exits and returns its exit code (-1 if it was
// killed by a signal). It then also waits until the program's remaining
// output has reached the emulator (pty EOF), so the screen shows the final
// state; if a leftover descendant keeps the pty open, it gives up on that
// after drainWait. err is non-nil only if the process is still running at the
// deadline or could not be waited for.
func (t *Term) Wait(timeout time.Duration) (exitCode int, err error) {
	select {
	case <-t.exited:
	case <-time.After(timeout):
		return -1, fmt.Errorf("termtest: process still running after %v; screen:\n%s", timeout, frame(t.Screen()))
	}
	select {
	case <-t.outDone:
	case <-time.After(drainWait):
	}
	return t.exitCode, t.exitErr
}

// drainWait bounds how long Wait waits for pty EOF after the process exited.
const drainWait = time.Second

// Alive reports whether the process has not exited yet.
func (t *Term) Alive() bool {
	select {
	case <-t.exited:
		return false
	default:
		return true
	}
}

// Pid returns the process id (also the process group id).
func (t *Term) Pid() int { return t.cmd.Process.Pid }
