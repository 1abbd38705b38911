package termtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

const timeout = 10 * time.Second

var echoApp string // path of the built testdata/echoapp binary

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "termtest-echoapp-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	echoApp = filepath.Join(dir, "echoapp")
	build := exec.Command("go", "build", "-o", echoApp, "./testdata/echoapp")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building echoapp: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// must returns a function that fails t on a Wait* error and returns the screen.
func must(t *testing.T) func(screen string, err error) string {
	return func(screen string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return screen
	}
}

func TestEchoApp(t *testing.T) {
	term := Start(t, 60, 15, nil, echoApp)
	ok := must(t)

	ok(term.WaitFor("echoapp ready", timeout))
	if !term.AltScreen() {
		t.Error("expected the alternate screen to be active")
	}
	ok(term.WaitFor("size: 60x15", timeout))
	// The program asked for the background colour (OSC 11); the emulator's
	// answer only gets there if replies are forwarded through the pty.
	ok(term.WaitFor("bg: #000000", timeout))
	if got := term.Title(); got != "echoapp" {
		t.Errorf("Title() = %q, want %q", got, "echoapp")
	}

	term.Send("up", "up", "up", "down")
	ok(term.WaitFor("count: 2", timeout))

	term.Type("hello")
	ok(term.WaitFor("text: [hello]", timeout))
	term.Send("backspace", "enter")
	s := ok(term.WaitFor("submitted: [hell]", timeout))
	if !strings.Contains(s, "text: []") {
		t.Errorf("text not cleared after enter:\n%s", s)
	}

	// esc followed immediately by a key must stay two keys, not alt+z.
	term.Type("xy")
	ok(term.WaitFor("text: [xy]", timeout))
	term.Send("esc", "z")
	s = ok(term.WaitFor("text: [z]", timeout))
	if !strings.Contains(s, "last key: z") {
		t.Errorf("expected last key z:\n%s", s)
	}

	term.Send("pgdown")
	ok(term.WaitFor("last key: pgdown", timeout))
	term.Send("ctrl+l")
	ok(term.WaitFor("last key: ctrl+l", timeout))
	term.Send("alt+x")
	ok(term.WaitFor("last key: alt+x", timeout))

	term.Resize(80, 20)
	ok(term.WaitFor("size: 80x20", timeout))
	if c, r := term.Size(); c != 80 || r != 20 {
		t.Errorf("Size() = %dx%d, want 80x20", c, r)
	}
	if c, ok := term.Cell(0, 0); !ok || c.Content != "e" {
		t.Errorf("Cell(0,0) = %+v, %v; want content e", c, ok)
	}
	term.Resize(40, 8)
	ok(term.WaitMatch(regexp.MustCompile(`(?m)^size: 40x8$`), timeout))

	term.Send("q")
	code, err := term.Wait(timeout)
	if err != nil || code != 0 {
		t.Fatalf("Wait() = %d, %v; want 0, nil", code, err)
	}
	if term.Alive() {
		t.Error("Alive() after exit")
	}
	if term.AltScreen() {
		t.Error("alternate screen still active after exit")
	}
	if _, err := term.WaitGone("echoapp ready", time.Second); err != nil {
		t.Error(err)
	}
}

func TestExitCodes(t *testing.T) {
	for key, want := range map[string]int{"!": 3, "ctrl+c": 0} {
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			term := Start(t, 40, 10, nil, echoApp)
			ok := must(t)
			ok(term.WaitFor("echoapp ready", timeout))
			term.Send(key)
			code, err := term.Wait(timeout)
			if err != nil || code != want {
				t.Fatalf("Wait() = %d, %v; want %d, nil", code, err, want)
			}
		})
	}
}

func TestCleanupKillsProcessGroup(t *testing.T) {
	var pids []int
	t.Run("inner", func(t *testing.T) {
		// A shell with a background child in the same process group.
		term := Start(t, 40, 10, nil, "sh", "-c", `sleep 300 & echo "child $!"; wait`)
		ok := must(t)
		s := ok(term.WaitMatch(regexp.MustCompile(`child \d+`), timeout))
		var child int
		if _, err := fmt.Sscanf(s[strings.Index(s, "child "):], "child %d", &child); err != nil {
			t.Fatal(err)
		}
		pids = []int{term.Pid(), child}
	})
	for _, pid := range pids {
		deadline := time.Now().Add(timeout)
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d still alive after cleanup", pid)
			}
			time.Sleep(PollInterval)
		}
	}
}

func TestWaitWithLeftoverChild(t *testing.T) {
	var sleepPid int
	t.Run("inner", func(t *testing.T) {
		// The child ignores the SIGHUP the kernel sends when the session
		// leader exits, and keeps the pty open.
		term := Start(t, 40, 10, nil, "sh", "-c", `trap "" HUP; sleep 300 & echo "child $!"`)
		ok := must(t)
		s := ok(term.WaitMatch(regexp.MustCompile(`child \d+`), timeout))
		if _, err := fmt.Sscanf(s[strings.Index(s, "child "):], "child %d", &sleepPid); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if code, err := term.Wait(timeout); err != nil || code != 0 {
			t.Fatalf("Wait() = %d, %v", code, err)
		}
		if d := time.Since(start); d > drainWait+time.Second {
			t.Errorf("Wait took %v although the shell exited at once", d)
		}
		if !alive(sleepPid) {
			t.Fatal("the leftover sleep should still run until cleanup")
		}
	})
	deadline := time.Now().Add(timeout)
	for alive(sleepPid) {
		if time.Now().After(deadline) {
			t.Fatalf("leftover sleep %d still alive after cleanup", sleepPid)
		}
		time.Sleep(PollInterval)
	}
}

// alive reports whether pid exists and is not a zombie (the orphaned sleep is
// reaped by init, whenever init gets round to it).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return runtime.GOOS != "linux" // no /proc: trust kill(pid, 0)
	}
	// pid (comm) S ...: the state follows the last ')'.
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

func TestOSCCapture(t *testing.T) {
	script := `printf '\033]2;first title\007\033]52;c;aGVsbG8=\007\033]0;second;with;semicolons\033\\'` +
		`; printf 'plain text\n'; read line; printf 'got %s\n' "$line"`
	term := Start(t, 40, 10, nil, "sh", "-c", script)
	ok := must(t)
	ok(term.WaitFor("plain text", timeout))

	if got, want := term.Titles(), []string{"first title", "second;with;semicolons"}; !slices.Equal(got, want) {
		t.Errorf("Titles() = %q, want %q", got, want)
	}
	if got := term.Title(); got != "second;with;semicolons" {
		t.Errorf("Title() = %q", got)
	}
	if got, want := term.Clipboard(), []string{"c;aGVsbG8="}; !slices.Equal(got, want) {
		t.Errorf("Clipboard() = %q, want %q", got, want)
	}
	if s := term.Screen(); strings.Contains(s, "aGVsbG8") || strings.Contains(s, "title") {
		t.Errorf("OSC payload leaked onto the screen:\n%s", s)
	}
	if !strings.Contains(string(term.Raw()), "\x1b]52;c;aGVsbG8=\a") {
		t.Errorf("Raw() misses the OSC 52 sequence: %q", term.Raw())
	}

	term.Type("abc")
	term.Send("enter")
	ok(term.WaitFor("got abc", timeout))
	if code, err := term.Wait(timeout); err != nil || code != 0 {
		t.Fatalf("Wait() = %d, %v", code, err)
	}
}

func TestWaitTimeoutReportsScreen(t *testing.T) {
	term := Start(t, 30, 5, nil, "sh", "-c", `echo hello there; exec sleep 300`)
	ok := must(t)
	ok(term.WaitFor("hello there", timeout))
	_, err := term.WaitFor("never", 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "hello there") {
		t.Fatalf("WaitFor error = %v; want it to include the screen", err)
	}
	if _, err := term.Wait(50 * time.Millisecond); err == nil {
		t.Fatal("Wait on a running process did not time out")
	}
	if !term.Alive() {
		t.Fatal("process should still be running")
	}
}

func TestEnvOverrides(t *testing.T) {
	term := Start(t, 60, 5, []string{"TERMTEST_X=42", "TERM=dumb-ish"}, "sh", "-c",
		`echo "x=$TERMTEST_X term=$TERM prog=${TERM_PROGRAM:-none}"; stty size; read l`)
	ok := must(t)
	ok(term.WaitFor("x=42 term=dumb-ish prog=none", timeout))
	ok(term.WaitFor("5 60", timeout)) // stty size: rows cols
}

func TestKeyBytes(t *testing.T) {
	for in, want := range map[string]string{
		"enter": "\r", "esc": "\x1b", "tab": "\t", "backspace": "\x7f",
		"up": "\x1b[A", "down": "\x1b[B", "right": "\x1b[C", "left": "\x1b[D",
		"pgup": "\x1b[5~", "pgdown": "\x1b[6~", "home": "\x1b[H", "end": "\x1b[F",
		"ctrl+c": "\x03", "ctrl+l": "\x0c", "ctrl+a": "\x01", "ctrl+Z": "\x1a",
		"alt+x": "\x1bx", "alt+up": "alt+up", "alt+enter": "\x1b\r", "alt+ctrl+c": "\x1b\x03",
		"q": "q", "hello": "hello", "\x1b[1;5A": "\x1b[1;5A",
	} {
		if got := KeyBytes(in); got != want {
			t.Errorf("KeyBytes(%q) = %q, want %q", in, got, want)
		}
	}
}
