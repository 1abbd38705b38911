package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/podtui/podtui/internal/harness"
	"github.com/podtui/podtui/kube"
)

const demoNamespace = "demo"

// newDemoCmd starts a throw-away local control plane (etcd, kube-apiserver,
// kwok as the kubelets, metrics-server), seeds it with broken pods and opens
// the TUI on it.
func newDemoCmd(g *globalFlags, stderr io.Writer) *cobra.Command {
	var nodes int
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Open podtui on a local demo cluster with broken pods (no cluster needed)",
		Long: `demo starts a local Kubernetes control plane on 127.0.0.1 (etcd, kube-apiserver,
kwok simulating the nodes' kubelets, and metrics-server for the CPU and memory
columns), creates a namespace "demo" with pods in
typical broken states (with events and logs), and opens podtui on it. Everything
is stopped and deleted when you quit, or when the terminal goes away (SIGHUP)
or the demo is told to stop (SIGINT, SIGTERM).

The first run builds the control-plane binaries from the Go module proxy, which
takes several minutes; later runs start in seconds.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			settings, err := g.settings()
			if err != nil {
				return err
			}
			// SIGHUP too: a closed terminal must not leave the run folder (with its
			// PKI) behind. Caught signals end ctx, which ends the TUI; the
			// deferred Stop then removes everything.
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			defer stop()
			fmt.Fprintln(stderr, "podtui demo: preparing the local control plane (etcd, kube-apiserver, kwok)…")
			binDir, err := harness.EnsureBinaries(ctx, stderr)
			if err != nil {
				return fmt.Errorf("building the demo control plane: %w", err)
			}
			start := time.Now()
			c, err := harness.Start(ctx, harness.Options{Nodes: nodes, Metrics: true, Debug: true, BinDir: binDir, Log: stderr})
			if err != nil {
				return fmt.Errorf("starting the demo control plane: %w", err)
			}
			defer c.Stop()
			if err := harness.SeedDemo(ctx, c, demoNamespace); err != nil {
				return fmt.Errorf("seeding the demo namespace: %w", err)
			}
			fmt.Fprintf(stderr, "podtui demo: cluster up in %s (kubeconfig %s)\n", time.Since(start).Round(100*time.Millisecond), c.Kubeconfig)
			if keep {
				fmt.Fprintf(stderr, "export KUBECONFIG=%s   # Ctrl-C stops the cluster\n", c.Kubeconfig)
				<-ctx.Done()
				return nil
			}
			flags := genericclioptions.NewConfigFlags(false)
			flags.KubeConfig = &c.Kubeconfig
			ns := demoNamespace
			flags.Namespace = &ns
			client, err := kube.NewClient(flags)
			if err != nil {
				return err
			}
			scope := kube.Scope{Namespace: demoNamespace, Selector: g.selector}
			if g.allNS {
				scope.Namespace = ""
			}
			if err := runTUI(ctx, client, scope, settings, g.triage); err != nil && ctx.Err() == nil {
				return err
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&nodes, "nodes", 2, "number of simulated nodes")
	cmd.Flags().BoolVar(&keep, "no-ui", false, "only run the cluster and print its KUBECONFIG, until Ctrl-C")
	return cmd
}
