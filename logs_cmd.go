package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/podtui/podtui/kube"
)

// logsSetupTimeout bounds the first contact and the read of the workload;
// the tail itself runs until it ends or is interrupted.
const logsSetupTimeout = 30 * time.Second

// logsFlags are the flags of podtui logs.
type logsFlags struct {
	output     string
	since      time.Duration
	tail       int64
	previous   bool
	noFollow   bool
	maxStreams int
	container  string
	timestamps bool
}

func newLogsCmd(g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var f logsFlags
	cmd := &cobra.Command{
		Use:   "logs [KIND/NAME | POD]",
		Short: "Print the logs of a workload's pods, interleaved by time and followed (like stern)",
		Long: `logs prints the logs of every container of a workload's pods, or of the pods a
label selector picks (-l), interleaved in timestamp order, for scripts and
pipes. It follows them until Ctrl-C (exit 0): pods that start later join,
pods that go leave. --no-follow prints what is there and exits.

KIND is deployment (deploy), statefulset (sts), daemonset (ds), replicaset
(rs), job, cronjob (cj) or pod (po); a bare NAME is a pod.

Output (-o): text prints POD CONTAINER LINE, the pod without the workload's
name in front, coloured on a terminal (NO_COLOR turns it off); raw prints
the lines alone; json prints one object per line (docs/logs-json.md). In
text and raw, notes (a pod joined or went, a container restarted, a stream
failed or was left out under the cap, lines dropped) go to stderr as
"podtui: ..." lines; in json they are objects on stdout too. Escape
sequences in log lines are removed before they reach a terminal (json keeps
the text as it is, escaped).

Exit code: 0 at the end of the logs (--no-follow) or on Ctrl-C/SIGTERM, also
when no pod matches (said on stderr; following, it waits for pods); 1 when
the workload cannot be read, the pods cannot be listed, or (--no-follow) a
container's log could not be read.`,
		Example: `  podtui logs deployment/api -n shop                 # follow every pod of the Deployment
  podtui logs deployment/api -n shop --since 10m --previous -o json
  podtui logs -l app=web -n shop -o raw | grep ERROR
  podtui logs sts/db -c '^postgres$' --no-follow --tail -1`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return fmt.Errorf("one KIND/NAME or POD at a time (got %d); use -l SELECTOR for pods of several workloads", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			target := ""
			if len(args) == 1 {
				target = args[0]
			}
			src, filter, err := f.check(g, target)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			context.AfterFunc(ctx, stop) // a second Ctrl-C ends podtui at once
			client, err := kube.NewClient(g.config)
			if err != nil {
				return err
			}
			if src, err = resolveLogSource(ctx, client, g, src, target); err != nil {
				return err
			}
			p := newLogPrinter(stdout, stderr, f.output, src, filter)
			p.timestamps = f.timestamps
			p.color = f.output == logsText && colorOK(stdout)
			tail := client.TailLogs(ctx, src, kube.TailOptions{
				TailLines: f.tail, Since: f.since, Previous: f.previous, Follow: !f.noFollow, MaxStreams: f.maxStreams,
			})
			defer tail.Stop()
			return (&logsRun{tail: tail, printer: p, src: src, follow: !f.noFollow}).run()
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", logsText, "output format: text, raw or json")
	fl.DurationVar(&f.since, "since", 0, "start with the lines of this last duration (e.g. 10m) instead of --tail")
	fl.Int64Var(&f.tail, "tail", 0, fmt.Sprintf("lines of each container's log to start with: 0 for %d, -1 for all", kube.DefaultTailLines))
	fl.BoolVar(&f.previous, "previous", false, fmt.Sprintf("also the last %d lines of the previous instance of containers that restarted, marked previous", kube.DefaultPreviousLines))
	fl.BoolVar(&f.noFollow, "no-follow", false, "print the logs there are and exit")
	fl.IntVar(&f.maxStreams, "max-streams", kube.DefaultMaxStreams, "log streams open at once at most (one per container)")
	fl.StringVarP(&f.container, "container", "c", "", "only containers whose name matches this regular expression (e.g. '^app$')")
	fl.BoolVar(&f.timestamps, "timestamps", false, "text and raw: start each line with its timestamp (RFC3339, UTC), as kubectl logs --timestamps")
	return cmd
}

// check validates the flags before anything talks to a cluster. The source
// of -l is returned without its namespace; a target's is read later.
func (f *logsFlags) check(g *globalFlags, target string) (kube.LogSource, containerFilter, error) {
	var src kube.LogSource
	var filter containerFilter
	switch f.output {
	case logsText, logsRaw, logsJSON:
	default:
		return src, filter, fmt.Errorf("unknown output format %q (want text, raw or json)", f.output)
	}
	switch {
	case target == "" && g.selector == "":
		return src, filter, errors.New("name a workload (deployment/api), a pod, or a label selector (-l app=web)")
	case target != "" && g.selector != "":
		return src, filter, fmt.Errorf("give %s or -l %s, not both", target, g.selector)
	case target != "" && g.allNS:
		return src, filter, fmt.Errorf("%s is in one namespace: use -n instead of -A", target)
	case target != "":
		if _, _, err := kube.ParseWorkload(target); err != nil {
			return src, filter, err
		}
	default:
		var err error
		if src, err = kube.SelectorLogSource("", g.selector); err != nil {
			return src, filter, err
		}
	}
	switch {
	case f.since < 0:
		return src, filter, fmt.Errorf("--since %s: want a positive duration", f.since)
	case f.since > 0 && f.tail != 0:
		return src, filter, errors.New("--since and --tail cannot be combined: --since starts with every line of that last duration")
	case f.tail < -1:
		return src, filter, fmt.Errorf("--tail %d: want a number of lines, or -1 for all", f.tail)
	case f.maxStreams < 1:
		return src, filter, fmt.Errorf("--max-streams %d: want at least 1", f.maxStreams)
	}
	if f.container != "" {
		re, err := regexp.Compile(f.container)
		if err != nil {
			return src, filter, fmt.Errorf("-c %q: %v", f.container, err)
		}
		filter.re = re
	}
	return src, filter, nil
}

// resolveLogSource checks that the API server answers, then reads the
// workload a target names, or puts the -l source in its namespace.
func resolveLogSource(ctx context.Context, c *kube.Client, g *globalFlags, src kube.LogSource, target string) (kube.LogSource, error) {
	ctx, cancel := context.WithTimeout(ctx, logsSetupTimeout)
	defer cancel()
	if err := c.Preflight(ctx); err != nil {
		return src, err
	}
	if target != "" {
		return c.ResolveLogSource(ctx, c.Namespace(), target)
	}
	src.Namespace = c.Namespace()
	if g.allNS {
		src.Namespace = ""
	}
	return src, nil
}

// logsRun prints a tail until it ends, and says on stderr what a script's
// user needs to know besides the lines: no pods, a watch in trouble.
type logsRun struct {
	tail    *kube.Tail
	printer *logPrinter
	src     kube.LogSource
	follow  bool

	excluded map[kube.StreamKey]bool // containers -c left out
	empty    bool                    // no pod was there at the last state
	problem  string                  // the pod watch's trouble, last said
}

// run reads the tail's batches until the last one (--no-follow) or until
// the tail's context ends (Ctrl-C: a clean end).
func (r *logsRun) run() error {
	for b := range r.tail.C {
		if b.State != nil {
			if err := r.state(b.State); err != nil {
				return err
			}
		}
		if err := r.printer.print(b); err != nil {
			return err
		}
		if !b.Done {
			continue
		}
		switch {
		case b.Err != nil:
			return fmt.Errorf("listing the pods of %s: %v", r.src.Name, b.Err)
		case b.State != nil && len(b.State.Pods) == 0:
			r.printer.say("no pods match " + r.where())
		case r.printer.failed > 0:
			return fmt.Errorf("the logs of %d containers could not be read (see above)", r.printer.failed)
		}
		return nil
	}
	return nil
}

// state leaves out the containers -c does not pick, so that no stream stays
// open for them, and says when the pods go or the watch is in trouble.
func (r *logsRun) state(st *kube.TailState) error {
	r.exclude(st)
	if !st.Synced {
		if r.follow && st.Problem != "" {
			// Before the first list: the pods cannot be read at all (RBAC,
			// most likely, as the server answered the preflight).
			return fmt.Errorf("listing the pods of %s: %s", r.src.Name, st.Problem)
		}
		return nil
	}
	if st.Problem != r.problem {
		if st.Problem != "" {
			r.printer.say("watching the pods: " + st.Problem)
		}
		r.problem = st.Problem
	}
	empty := true
	for _, p := range st.Pods {
		empty = empty && p.Gone
	}
	if r.follow && empty && !r.empty {
		r.printer.say("no pods match " + r.where() + "; waiting for some to start")
	}
	r.empty = empty
	return nil
}

// exclude tells the tail to stop the streams of the containers -c does not
// pick. Their first lines may have come already; the printer drops them.
func (r *logsRun) exclude(st *kube.TailState) {
	if r.printer.container.re == nil {
		return
	}
	if r.excluded == nil {
		r.excluded = map[kube.StreamKey]bool{}
	}
	for _, p := range st.Pods {
		for _, c := range p.Containers {
			k := kube.StreamKey{Namespace: p.Namespace, Pod: p.Name, Container: c.Name}
			if p.Gone || c.Excluded || r.excluded[k] || r.printer.container.picks(c.Name) {
				continue
			}
			r.excluded[k] = true
			r.tail.SetExcluded(k, true)
		}
	}
}

// where is the source for a message: "deployment/api in namespace shop".
func (r *logsRun) where() string {
	if r.src.Namespace == "" {
		return r.src.Name + " in any namespace"
	}
	return r.src.Name + " in namespace " + r.src.Namespace
}
