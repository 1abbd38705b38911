// Command podtui is a terminal UI for finding out why a Kubernetes pod is
// broken and what to do next.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/klog/v2"

	"github.com/podtui/podtui/config"
	"github.com/podtui/podtui/kube"
	"github.com/podtui/podtui/ui"
)

// Set by the release build (-ldflags -X main.version=…).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

// preflightTimeout bounds the first contact with the API server.
const preflightTimeout = 10 * time.Second

// errSilent marks an error whose message was already printed.
var errSilent = errors.New("")

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	closeLog := setupLogging()
	defer closeLog()
	stopProfiles := startProfiles(stderr)
	defer stopProfiles()
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	var ec exitCodeError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ec):
		if ec.msg != "" {
			fmt.Fprintln(stderr, "podtui: "+ec.msg)
		}
		return ec.code
	case errors.Is(err, errSilent):
		return 1
	default:
		fmt.Fprintln(stderr, "podtui: "+err.Error())
		return 1
	}
}

// exitCodeError ends podtui with a given exit code.
type exitCodeError struct {
	code int
	msg  string
}

func (e exitCodeError) Error() string { return e.msg }

// globalFlags are the kubectl-compatible flags shared by all commands.
type globalFlags struct {
	config     *genericclioptions.ConfigFlags
	allNS      bool
	selector   string
	configFile string // --config
	readOnly   bool   // --readonly
	triage     bool   // --triage
}

// settings loads the config file (--config, or the default path).
func (g *globalFlags) settings() (config.Config, error) {
	path, err := config.Path(g.configFile)
	if err != nil {
		return config.Config{}, err
	}
	c, err := config.Load(path, g.configFile != "")
	if err != nil {
		return config.Config{}, err
	}
	c.ReadOnly = c.ReadOnly || g.readOnly
	return c, nil
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	g := &globalFlags{config: genericclioptions.NewConfigFlags(true)}
	root := &cobra.Command{
		Use:   "podtui",
		Short: "A terminal UI that shows why a Kubernetes pod is broken and what to do next",
		Long: `podtui shows the live pod list of the current kubeconfig context, with each
pod's status exactly as kubectl prints it. It takes kubectl's flags.

Run "podtui demo" to try it on a local demo cluster with broken pods.`,
		Example: `  podtui                      # pods of the context's namespace
  podtui -A                   # pods of all namespaces
  podtui -n shop -l app=api   # one namespace, filtered by label
  podtui --context staging`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			settings, err := g.settings()
			if err != nil {
				return err
			}
			client, err := kube.NewClient(g.config)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), preflightTimeout)
			defer cancel()
			if err := client.Preflight(ctx); err != nil {
				return err
			}
			return runTUI(cmd.Context(), client, g.scope(client, settings), settings, g.triage)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	g.config.AddFlags(root.PersistentFlags())
	root.PersistentFlags().BoolVarP(&g.allNS, "all-namespaces", "A", false, "show pods of all namespaces")
	root.PersistentFlags().StringVarP(&g.selector, "selector", "l", "", "label selector to filter pods (e.g. app=web,tier!=db)")
	root.PersistentFlags().StringVar(&g.configFile, "config", "", "config file (default $XDG_CONFIG_HOME/podtui/config.yaml; see `podtui config path`)")
	root.PersistentFlags().BoolVar(&g.triage, "triage", false, "open on the triage screen: what is broken, grouped by root cause and owner")
	root.PersistentFlags().BoolVar(&g.readOnly, "readonly", false, "never write to the cluster or run code in it: no exec, port-forward, delete or debug")
	root.AddCommand(newVersionCmd(stdout), newDemoCmd(g, stderr), newConfigCmd(g, stdout))
	addExtraCommands(root, g, stdout, stderr)
	return root
}

// scope turns the flags and settings into what the list shows: -n wins,
// then -A, then the config file's namespace behaviour.
func (g *globalFlags) scope(c *kube.Client, settings config.Config) kube.Scope {
	s := kube.Scope{Namespace: c.Namespace(), Selector: g.selector}
	nsFlag := g.config.Namespace != nil && *g.config.Namespace != ""
	if g.allNS || (!nsFlag && settings.Namespace == "all") {
		s.Namespace = ""
	}
	return s
}

// runTUI runs the UI until the user quits or ctx ends.
func runTUI(ctx context.Context, c *kube.Client, scope kube.Scope, settings config.Config, triage bool) error {
	if settings.ReadOnly {
		// Besides hiding the actions, the client itself refuses writes.
		ro, err := c.ReadOnly()
		if err != nil {
			return err
		}
		c = ro
	}
	bufBytes, _ := settings.LogBufferBytes() // validated on load
	opts := ui.Options{
		Scope:      scope,
		Keys:       settings.KeyMap(),
		Dark:       settings.Theme.Mode != "light",
		FixedTheme: settings.Theme.Mode != "auto",
		Colors:     settings.Theme.Colors,
		ReadOnly:   settings.ReadOnly,
		Logs: ui.LogSettings{
			Tail: settings.Logs.Tail, BufferLines: settings.Logs.BufferLines, BufferBytes: bufBytes,
			Wrap: settings.Logs.Wrap, Timestamps: settings.Logs.Timestamps, MaxStreams: settings.Logs.MaxStreams,
		},
		Shells: settings.Exec.Shells,
		Debug: ui.DebugSettings{
			Image: settings.Debug.Image, Images: settings.Debug.Images,
			Profile: settings.Debug.Profile, NodeImage: settings.Debug.NodeShellImage,
		},
		StartTriage:     triage,
		MetricsInterval: settings.Metrics.Interval.Duration,
		Contexts:        c.Contexts(),
		Connect:         ui.Connector(c.ForContext),
	}
	// The kube side refuses to poll faster than this too.
	c.MetricsInterval = settings.Metrics.Interval.Duration
	_, err := tea.NewProgram(ui.New(c, opts), tea.WithContext(ctx)).Run()
	return err
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print podtui's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			switch output {
			case "json":
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]string{"version": version, "commit": commit, "date": date})
			case "", "text":
				fmt.Fprintf(stdout, "podtui %s (commit %s, built %s)\n", version, commit, date)
				return nil
			}
			return fmt.Errorf("unknown output format %q (want text or json)", output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

// setupLogging keeps client-go and klog off the screen. With PODTUI_DEBUG set
// to a path, they log there instead (mode 0600: logs may name resources).
func setupLogging() func() {
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	// Errors (e.g. client-go's "Copying stdin failed" after an exec) would
	// still reach stderr, i.e. the TUI's screen, through the threshold.
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	_ = fs.Set("logtostderr", "false")
	_ = fs.Set("stderrthreshold", "FATAL")
	path := os.Getenv("PODTUI_DEBUG")
	if path == "" {
		return func() {}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintf(os.Stderr, "podtui: cannot open debug log %s: %v\n", path, err)
		return func() {}
	}
	klog.SetOutput(f)
	return func() { klog.Flush(); f.Close() }
}

// startProfiles writes a CPU profile of the whole run to PODTUI_CPUPROFILE
// and a heap profile at exit to PODTUI_MEMPROFILE, when set: how the
// performance figures of docs/performance.md are explained.
func startProfiles(stderr io.Writer) func() {
	var stops []func()
	if path := os.Getenv("PODTUI_CPUPROFILE"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "PODTUI_CPUPROFILE: %v\n", err)
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if path := os.Getenv("PODTUI_MEMPROFILE"); path != "" {
		stops = append(stops, func() {
			f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
			if err == nil {
				runtime.GC() // the live heap, not the garbage
				err = pprof.WriteHeapProfile(f)
				f.Close()
			}
			if err != nil {
				fmt.Fprintf(stderr, "PODTUI_MEMPROFILE: %v\n", err)
			}
		})
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}
