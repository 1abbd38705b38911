// Command controlplane builds and runs podtui's local test control plane.
//
//	go run ./internal/harness/cmd/controlplane build              # build the binaries (once; minutes)
//	go run ./internal/harness/cmd/controlplane up [-nodes N] [-metrics] [-seed NS]
//
// `up` prints `export KUBECONFIG=…` and runs until Ctrl-C, then stops everything.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/podtui/podtui/internal/harness"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "build":
		err = build(ctx)
	case "up":
		err = up(ctx, os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "controlplane:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: controlplane build | up [-nodes N] [-metrics] [-seed NAMESPACE]")
	os.Exit(2)
}

func build(ctx context.Context) error {
	start := time.Now()
	dir, err := harness.EnsureBinaries(ctx, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "control-plane binaries ready in %s (%s)\n", dir, time.Since(start).Round(time.Second))
	return nil
}

func up(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("up", flag.ExitOnError)
	nodes := fs.Int("nodes", 1, "fake kwok nodes")
	metrics := fs.Bool("metrics", false, "also run metrics-server (metrics.k8s.io)")
	seed := fs.String("seed", "", "seed this namespace with demo pods (broken states, events, logs)")
	_ = fs.Parse(args) // ExitOnError: it exits on a bad flag

	binDir, err := harness.EnsureBinaries(ctx, os.Stderr)
	if err != nil {
		return err
	}
	c, err := harness.Start(ctx, harness.Options{Nodes: *nodes, Metrics: *metrics, BinDir: binDir, Log: os.Stderr})
	if err != nil {
		return err
	}
	defer c.Stop()
	if *seed != "" {
		if err := harness.SeedDemo(ctx, c, *seed); err != nil {
			return err
		}
	}
	fmt.Printf("export KUBECONFIG=%s\n", c.Kubeconfig)
	fmt.Fprintln(os.Stderr, "control plane running; Ctrl-C stops it and deletes", c.Dir)
	<-ctx.Done()
	return nil
}
