package harness

import "syscall"

// sysProcAttr puts each child in its own process group (so Stop can signal helpers it spawned)
// and has the kernel SIGKILL it if the thread that started it dies: see spawner in proc.go for
// why that thread lives as long as the process.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
