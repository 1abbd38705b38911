//go:build !linux && !darwin && !freebsd

package harness

import (
	"context"
	"errors"
	"io"
	"syscall"
)

var errUnsupported = errors.New("the podtui control-plane harness needs Linux, macOS or FreeBSD")

func killGroup(pid int, sig syscall.Signal) error { return errUnsupported }

func alive(pid int) bool { return false }

func lockFile(ctx context.Context, path string, progress io.Writer) (func(), error) {
	return nil, errUnsupported
}

func sysProcAttr() *syscall.SysProcAttr { return nil }

func platformErr() error { return errUnsupported }
