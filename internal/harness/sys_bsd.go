//go:build darwin || freebsd

package harness

import "syscall"

// sysProcAttr: no Pdeathsig outside Linux; StopOnSignal/Main cover Ctrl-C there.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
