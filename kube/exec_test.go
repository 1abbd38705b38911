package kube

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/podtui/podtui/internal/defaults"

	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
)

// fakeStream records the commands tried and answers per command.
func fakeStream(tried *[][]string, answer map[string]error) streamFunc {
	return func(_ context.Context, cmd []string, opts remotecommand.StreamOptions) error {
		*tried = append(*tried, cmd)
		if opts.Stdout != nil {
			_, _ = opts.Stdout.Write([]byte("ran " + cmd[0] + "\n"))
		}
		return answer[cmd[0]]
	}
}

func TestExecFallsBackFromBashToSh(t *testing.T) {
	var tried [][]string
	s := &execSession{req: ExecRequest{Commands: defaults.Shells(), TTY: true}, stream: fakeStream(&tried, map[string]error{
		"bash": errors.New(`Internal error occurred: error executing command in container: cmd start: bash : exec: "bash": executable file not found in $PATH`),
	})}
	var out bytes.Buffer
	s.SetStdin(strings.NewReader(""))
	s.SetStdout(&out)
	if err := s.Run(); err != nil {
		t.Fatalf("sh should have run: %v", err)
	}
	if !slices.Equal(tried[1], []string{"sh"}) || !strings.Contains(out.String(), "ran sh") {
		t.Fatalf("tried %v, output %q", tried, out.String())
	}
}

func TestExecReportsNoShell(t *testing.T) {
	var tried [][]string
	nf := errors.New(`exec: "x": executable file not found in $PATH`)
	s := &execSession{req: ExecRequest{Commands: defaults.Shells()}, stream: fakeStream(&tried, map[string]error{"bash": nf, "sh": nf})}
	var nc *NoCommandError
	if err := s.Run(); !errors.As(err, &nc) || !slices.Equal(nc.Tried, []string{"bash", "sh"}) {
		t.Fatalf("want NoCommandError for bash and sh, got %v", err)
	}
}

func TestExecExitCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{
		{utilexec.CodeExitError{Err: errors.New("command terminated with exit code 3"), Code: 3}, 3},
		// kwok sends the exit as text.
		{errors.New("Internal error occurred: error executing command in container: cmd wait: sh -c exit 3: exit status 3"), 3},
	} {
		var tried [][]string
		s := &execSession{req: ExecRequest{Commands: [][]string{{"sh", "-c", "exit 3"}}}, stream: fakeStream(&tried, map[string]error{"sh": tc.err})}
		var ee *ExitError
		if err := s.Run(); !errors.As(err, &ee) || ee.Code != tc.code {
			t.Errorf("%v: want exit %d, got %v", tc.err, tc.code, err)
		}
	}
}
