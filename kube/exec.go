package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/muesli/cancelreader"
	"golang.org/x/term"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
	"k8s.io/streaming/pkg/httpstream"
)

// ExecRequest says where to run what.
type ExecRequest struct {
	Namespace string
	Pod       string
	Container string
	// Commands are tried in order while the executable is missing, e.g.
	// bash then sh.
	Commands [][]string
	// TTY allocates a terminal and puts ours in raw mode.
	TTY bool
}

// Runner runs an interactive session on the caller's terminal. It has the
// method set of bubbletea's ExecCommand, so the UI can hand it the terminal
// without this package knowing about bubbletea.
type Runner interface {
	Run() error
	SetStdin(io.Reader)
	SetStdout(io.Writer)
	SetStderr(io.Writer)
}

// ExitError is a command that ran and exited non-zero.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return "exit status " + strconv.Itoa(e.Code) }

// NoCommandError says none of the commands exists in the container, e.g. a
// distroless image without a shell.
type NoCommandError struct {
	Tried []string
	Err   error
}

func (e *NoCommandError) Error() string {
	return fmt.Sprintf("none of %s exists in the container: %v", strings.Join(e.Tried, ", "), e.Err)
}

func (e *NoCommandError) Unwrap() error { return e.Err }

// streamFunc runs one command; the seam tests replace.
type streamFunc func(ctx context.Context, command []string, opts remotecommand.StreamOptions) error

// Exec returns a session that runs req in the container when Run is called.
func (c *Client) Exec(req ExecRequest) Runner {
	return &execSession{req: req, stream: c.streamExec(req)}
}

// streamExec opens an exec stream (see stream).
func (c *Client) streamExec(req ExecRequest) streamFunc {
	return func(ctx context.Context, command []string, opts remotecommand.StreamOptions) error {
		u := c.Clientset.CoreV1().RESTClient().Post().
			Resource("pods").Namespace(req.Namespace).Name(req.Pod).SubResource("exec").
			VersionedParams(&corev1.PodExecOptions{
				Container: req.Container, Command: command,
				Stdin: opts.Stdin != nil, Stdout: opts.Stdout != nil, Stderr: opts.Stderr != nil, TTY: opts.Tty,
			}, scheme.ParameterCodec).URL()
		return c.stream(ctx, u, opts)
	}
}

// stream runs an exec or attach stream with the WebSocket executor and
// falls back to SPDY when the server or a proxy cannot upgrade to
// WebSockets (as kubectl does).
func (c *Client) stream(ctx context.Context, u *url.URL, opts remotecommand.StreamOptions) error {
	ws, err := remotecommand.NewWebSocketExecutor(c.Config, "GET", u.String())
	if err != nil {
		return err
	}
	spdy, err := remotecommand.NewSPDYExecutor(c.Config, "POST", u)
	if err != nil {
		return err
	}
	ex, err := remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return err
	}
	return ex.StreamWithContext(ctx, opts)
}

type execSession struct {
	req            ExecRequest
	stream         streamFunc
	stdin          io.Reader
	stdout, stderr io.Writer
	banner         string // written to stdout before the stream starts
}

func (s *execSession) SetStdin(r io.Reader)  { s.stdin = r }
func (s *execSession) SetStdout(w io.Writer) { s.stdout = w }
func (s *execSession) SetStderr(w io.Writer) { s.stderr = w }

// Run streams the session. With a TTY, our terminal goes to raw mode (keys
// like ctrl+c reach the remote shell) and size changes are forwarded.
func (s *execSession) Run() error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdin := s.stdin
	if f, ok := stdin.(*os.File); ok {
		// remotecommand copies stdin in a goroutine that would outlive the
		// session and eat the first key typed back in the TUI: make it
		// cancelable and cancel it on return.
		if cr, err := cancelreader.NewReader(f); err == nil {
			in := &stdinReader{r: cr}
			defer in.stop()
			stdin = in
		}
	}
	opts := remotecommand.StreamOptions{Stdin: stdin, Stdout: s.stdout, Stderr: s.stderr, Tty: s.req.TTY}
	if s.req.TTY {
		opts.Stderr = nil // a TTY merges stderr into stdout
		if fd, ok := terminalFD(s.stdin); ok {
			if old, err := term.MakeRaw(fd); err == nil {
				defer func() { _ = term.Restore(fd, old) }()
			}
			sizeFD := fd
			if ofd, ok := terminalFD(s.stdout); ok {
				sizeFD = ofd
			}
			opts.TerminalSizeQueue = watchSize(ctx, sizeFD)
		}
	}
	if s.banner != "" && s.stdout != nil {
		_, _ = io.WriteString(s.stdout, s.banner)
	}
	var tried []string
	for i, cmd := range s.req.Commands {
		err := s.stream(ctx, cmd, opts)
		if err != nil && isNotFound(err) {
			tried = append(tried, strings.Join(cmd, " "))
			if i < len(s.req.Commands)-1 {
				continue
			}
			return &NoCommandError{Tried: tried, Err: err}
		}
		return exitError(err)
	}
	return errors.New("no command to run")
}

// stdinReader is the session's cancelable stdin. It counts reads in
// flight: the cancel reader may only be closed once none is left, or a
// blocked read could wake on a reused epoll descriptor (the TUI's new one)
// and steal the next key.
type stdinReader struct {
	r        cancelreader.CancelReader
	inFlight atomic.Int32
}

func (s *stdinReader) Read(p []byte) (int, error) {
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	return s.r.Read(p)
}

// stop cancels pending reads, waits (briefly) until they returned, then
// frees the reader.
func (s *stdinReader) stop() {
	s.r.Cancel()
	for i := 0; i < 200 && s.inFlight.Load() > 0; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if s.inFlight.Load() == 0 {
		_ = s.r.Close()
	} // else leak the descriptors rather than risk stealing input
}

func terminalFD(v any) (int, bool) {
	f, ok := v.(interface{ Fd() uintptr })
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

// sizeQueue hands terminal sizes to remotecommand: the first at once, then
// one per change.
type sizeQueue struct {
	ctx   context.Context
	sizes chan remotecommand.TerminalSize
}

func (q *sizeQueue) Next() *remotecommand.TerminalSize {
	select {
	case s := <-q.sizes:
		return &s
	case <-q.ctx.Done():
		return nil
	}
}

func sendSize(q *sizeQueue, fd int) {
	w, h, err := term.GetSize(fd)
	if err != nil || w <= 0 || h <= 0 {
		return
	}
	select {
	case q.sizes <- remotecommand.TerminalSize{Width: uint16(w), Height: uint16(h)}:
	default: // a size is pending; the next change sends again
	}
}

var (
	// A runtime reports a missing executable in its own words.
	notFoundRE = regexp.MustCompile(`(?i)executable file not found|no such file or directory|not found in \$PATH`)
	// kwok (and some proxies) return a non-zero exit as text, not as a code.
	exitTextRE = regexp.MustCompile(`exit (?:status|code) (\d+)\s*$`)
)

func isNotFound(err error) bool {
	var ce utilexec.CodeExitError
	if errors.As(err, &ce) {
		// A shell that ran and exited 126/127 did not find its command.
		return ce.Code == 127 && notFoundRE.MatchString(err.Error())
	}
	return notFoundRE.MatchString(err.Error())
}

// exitError turns a stream error into *ExitError when the command ran and
// exited non-zero.
func exitError(err error) error {
	if err == nil {
		return nil
	}
	var ce utilexec.CodeExitError
	if errors.As(err, &ce) {
		return &ExitError{Code: ce.Code}
	}
	if m := exitTextRE.FindStringSubmatch(err.Error()); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil {
			return &ExitError{Code: n}
		}
	}
	return err
}
