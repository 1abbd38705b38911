package harness

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// proc is one control-plane process. Its output goes to <dir>/logs/<name>.log and its PID to
// <dir>/pids/<name>.pid.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has been reaped
	err  error         // Wait's result, valid after done
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

type spawnReq struct {
	cmd *exec.Cmd
	res chan error
}

var (
	spawnOnce sync.Once
	spawnCh   chan spawnReq
)

// startCmd starts cmd from a single OS thread that never exits. Linux sends Pdeathsig when
// the *thread* that forked the child exits, not the process: started from an ordinary
// goroutine, a child could be killed whenever the Go runtime retires that thread (e.g. after a
// LockOSThread goroutine ends). The spawner goroutine locks its thread and never returns, so
// children die only with the whole process.
func startCmd(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnCh = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked, on purpose
			for r := range spawnCh {
				r.res <- r.cmd.Start()
			}
		}()
	})
	r := spawnReq{cmd: cmd, res: make(chan error, 1)}
	spawnCh <- r
	return <-r.res
}

// startProc starts args[0] with args[1:] and records it under name. env nil = inherit.
func (c *Cluster) startProc(name string, args, env []string) (*proc, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.procs[name]; p != nil && !p.exited() {
		return nil, fmt.Errorf("%s is already running (pid %d)", name, p.cmd.Process.Pid)
	}
	// Append: a restarted component keeps its earlier output in the same log.
	logf, err := os.OpenFile(c.logPath(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child has its own copy of the descriptor
	fmt.Fprintf(logf, "=== %s %s: %q\n", time.Now().Format(time.RFC3339), name, args)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = env
	cmd.Dir = c.Dir
	cmd.SysProcAttr = sysProcAttr()
	if err := startCmd(cmd); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	c.procs[name] = p
	pid := strconv.Itoa(cmd.Process.Pid)
	if err := os.WriteFile(filepath.Join(c.Dir, "pids", name+".pid"), []byte(pid+"\n"), 0o644); err != nil {
		return p, err
	}
	return p, nil
}

// stopProc sends SIGTERM to the process group, then SIGKILL after grace. Safe to call twice.
func (c *Cluster) stopProc(name string, grace time.Duration) error {
	c.mu.Lock()
	p := c.procs[name]
	c.mu.Unlock()
	if p == nil {
		return nil
	}
	pid := p.cmd.Process.Pid
	var errs []error
	if !p.exited() {
		errs = append(errs, killGroup(pid, syscall.SIGTERM))
		select {
		case <-p.done:
		case <-time.After(grace):
			fmt.Fprintf(c.log, "harness: %s (pid %d) still shutting down after %s, sending SIGKILL\n", name, pid, grace)
			errs = append(errs, killGroup(pid, syscall.SIGKILL))
			<-p.done
		}
	}
	// Whatever is left in its group (helpers it spawned) goes too.
	errs = append(errs, killGroup(pid, syscall.SIGKILL))
	os.Remove(filepath.Join(c.Dir, "pids", name+".pid"))
	return errors.Join(errs...)
}

func (c *Cluster) logPath(name string) string {
	return filepath.Join(c.Dir, "logs", name+".log")
}

// withLog decorates err with the tail of name's log, which is usually where the reason is.
func (c *Cluster) withLog(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w\n--- last lines of %s ---\n%s", name, err, c.logPath(name), c.logTail(name, 25))
}

func (c *Cluster) logTail(name string, n int) string {
	f, err := os.Open(c.logPath(name))
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	// The last 16 KiB is plenty for n lines of a component log.
	if fi, err := f.Stat(); err == nil && fi.Size() > 16<<10 {
		_, _ = f.Seek(-16<<10, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return tail(bytes.TrimSpace(b), n)
}
