package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/podtui/podtui/internal/harness"
)

// BenchmarkIdle measures what an idle podtui costs: the list of 20 pods on
// screen (160×50), nothing changing, for PODTUI_BENCH_IDLE (default 60 s).
// It reports the CPU time (/proc/<pid>/schedstat, in ns, not the 10 ms
// ticks of /proc/<pid>/stat) as a share of one core, and the context
// switches of all the process's threads per second: each wake-up of a
// sleeping thread is one.
//
//	go test ./e2e -run '^$' -bench Idle -benchtime 1x
func BenchmarkIdle(b *testing.B) {
	ns := cluster.NewNamespace(b, "idle")
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := range 20 {
		if _, err := cluster.CreatePodInState(c, harness.PodFor(ns, fmt.Sprintf("idle-%02d", i), harness.StateRunning), harness.StateRunning); err != nil {
			b.Fatal(err)
		}
	}
	idle := 60 * time.Second
	if d, err := time.ParseDuration(os.Getenv("PODTUI_BENCH_IDLE")); err == nil {
		idle = d
	}
	for b.Loop() {
		term := startPodtuiSized(b, cluster.Kubeconfig, 160, 50, "-n", ns)
		if _, err := term.WaitFor("pods: 20/20", seen); err != nil {
			b.Fatal(err)
		}
		pid := term.Pid()
		time.Sleep(3 * time.Second) // let the start settle (GC, first metrics poll)
		cpu0, sw0 := cpuNanos(pid), switches(pid)
		time.Sleep(idle)
		cpu1, sw1 := cpuNanos(pid), switches(pid)
		b.ReportMetric(100*float64(cpu1-cpu0)/float64(idle), "idle-cpu-%")
		b.ReportMetric(float64(sw1-sw0)/idle.Seconds(), "wakeups/s")
		term.Send("q")
	}
}

// cpuNanos is the CPU time of a process's threads (schedstat), in ns.
func cpuNanos(pid int) int64 {
	return sumTasks(pid, "schedstat", func(s string) int64 {
		n, _ := strconv.ParseInt(strings.Fields(s)[0], 10, 64)
		return n
	})
}

// switches is the context switches of a process's threads.
func switches(pid int) int64 {
	return sumTasks(pid, "status", func(s string) int64 {
		var n int64
		for _, line := range strings.Split(s, "\n") {
			if f := strings.Fields(line); len(f) == 2 && strings.HasSuffix(f[0], "ctxt_switches:") {
				v, _ := strconv.ParseInt(f[1], 10, 64)
				n += v
			}
		}
		return n
	})
}

// sumTasks adds up f over a file of each of a process's threads.
func sumTasks(pid int, file string, f func(string) int64) int64 {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/%s", pid, file))
	var n int64
	for _, t := range tasks {
		if data, err := os.ReadFile(t); err == nil {
			n += f(string(data))
		}
	}
	return n
}
