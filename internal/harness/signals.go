package harness

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"
)

// Clusters started by this process, so that a signal can stop them all.
var live = struct {
	sync.Mutex
	m map[*Cluster]bool
}{m: map[*Cluster]bool{}}

func register(c *Cluster) {
	live.Lock()
	live.m[c] = true
	live.Unlock()
}

func unregister(c *Cluster) {
	live.Lock()
	delete(live.m, c)
	live.Unlock()
}

// StopAll stops every cluster this process started and has not stopped yet.
func StopAll() {
	live.Lock()
	var cs []*Cluster
	for c := range live.m {
		cs = append(cs, c)
	}
	live.Unlock()
	for _, c := range cs {
		c.Stop()
	}
}

var signalOnce sync.Once

// StopOnSignal makes SIGINT and SIGTERM stop every running cluster (processes and run
// folders) and then exit with status 130. Without it, Ctrl-C during `go test` would kill the
// test binary at once: on Linux Pdeathsig still kills the direct children, but the run folders
// would be left behind (and nothing would be killed on other systems). Idempotent.
func StopOnSignal() {
	signalOnce.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		go func() {
			sig := <-ch
			fmt.Fprintf(os.Stderr, "harness: %v: stopping control plane(s)\n", sig)
			StopAll()
			os.Exit(130)
		}()
	})
}

// Main is a TestMain helper for packages that start clusters:
//
//	func TestMain(m *testing.M) { harness.Main(m) }
//
// It installs StopOnSignal, runs the tests and stops any cluster a test forgot to stop.
func Main(m *testing.M) {
	StopOnSignal()
	code := m.Run()
	StopAll()
	os.Exit(code)
}
