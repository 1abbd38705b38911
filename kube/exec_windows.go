//go:build windows

package kube

import (
	"context"
	"os"

	"k8s.io/client-go/tools/remotecommand"
)

// watchSize reports the size once: Windows has no SIGWINCH.
func watchSize(ctx context.Context, fd int) remotecommand.TerminalSizeQueue {
	q := &sizeQueue{ctx: ctx, sizes: make(chan remotecommand.TerminalSize, 1)}
	sendSize(q, fd)
	return q
}

// processAlive reports whether a process with that ID exists here.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
