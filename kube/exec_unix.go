//go:build !windows

package kube

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/client-go/tools/remotecommand"
)

// watchSize reports the terminal's size now and on every SIGWINCH until ctx ends.
func watchSize(ctx context.Context, fd int) remotecommand.TerminalSizeQueue {
	q := &sizeQueue{ctx: ctx, sizes: make(chan remotecommand.TerminalSize, 1)}
	sendSize(q, fd)
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	go func() {
		defer signal.Stop(winch)
		for {
			select {
			case <-winch:
				sendSize(q, fd)
			case <-ctx.Done():
				return
			}
		}
	}()
	return q
}

// processAlive reports whether a process with that ID exists here.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return pid > 0 && (err == nil || errors.Is(err, syscall.EPERM))
}
