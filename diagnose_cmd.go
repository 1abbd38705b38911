package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/podtui/podtui/diagnose"
	"github.com/podtui/podtui/diagnose/report"
	"github.com/podtui/podtui/kube"
)

// diagnoseTimeout bounds the API calls of a live diagnosis.
const diagnoseTimeout = 60 * time.Second

func newDiagnoseCmd(g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var output string
	var files []string
	var group, noLogs, timeline bool
	var logFiles, previousFiles []string
	cmd := &cobra.Command{
		Use:   "diagnose [POD...]",
		Short: "Explain why pods are broken, with the next commands to run",
		Long: `diagnose explains what is wrong with pods, most likely root cause first,
with the evidence (the kubelet's and scheduler's own messages) and the next
commands with real names filled in. It works against the cluster, or offline
(-f FILE, "-f -" for stdin) on what "kubectl get ... -o yaml|json" printed or
on the text of "kubectl describe pod" (one pod or several, as pasted in an
issue or a chat). Describe text gives event ages, not times: they are judged
as of when it was printed, estimated from its dates.

For a container that crashed or restarted it reads the tail of its previous
log (and of a failed container's current log) and quotes the crash cause it
finds there: a panic, an exception, a missing module, variable or file, a
refused connection. --no-logs skips that; offline, give the logs with
--previous CONTAINER=FILE and --logs CONTAINER=FILE.

For a pod of a Deployment, StatefulSet or DaemonSet it compares the pod
template with the workload's previous revision (ReplicaSets, or
ControllerRevisions; offline, when the files hold them) and says what
changed, when, and how to roll back: the "changes" field of the JSON
(docs/diagnose-json.md), and a rollout/changed finding for a broken pod.

Exit code: 0 when no pod has an error finding, 1 when one does, 2 on bad input.`,
		Example: `  podtui diagnose                     # every pod of the namespace
  podtui diagnose api-7d9c5-x2k4p -n shop
  podtui diagnose -A -o json          # all namespaces, for scripts
  podtui diagnose -A --group          # what is broken, grouped by root cause and owner
  kubectl get pods,events,secrets -n shop -o yaml | podtui diagnose -f -
  kubectl get pods,replicasets,events -n shop -o yaml | podtui diagnose -f -   # with what changed
  kubectl describe pod api-7d9c5-x2k4p -n shop | podtui diagnose -f -
  podtui diagnose -f pod.yaml --previous app=app-previous.log --logs migrate=migrate.log`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return exitCodeError{code: report.ExitBadInput, msg: fmt.Sprintf("unknown output format %q (want text or json)", output)}
			}
			var inputs []diagnose.Input
			var err error
			now := time.Now()
			switch {
			case len(files) > 0:
				inputs, now, err = offlineInputs(g, files, args, cmd.InOrStdin(), stderr)
				if err == nil {
					err = addLogFiles(inputs, logFiles, previousFiles)
				}
			case len(logFiles)+len(previousFiles) > 0:
				err = fmt.Errorf("--logs and --previous are for offline input: use them with -f")
			default:
				inputs, err = liveInputs(cmd.Context(), g, args, !noLogs)
			}
			if err != nil {
				return exitCodeError{code: report.ExitBadInput, msg: err.Error()}
			}
			if group {
				tr := report.Group(inputs, now)
				if output == "json" {
					err = report.WriteGroupsJSON(stdout, tr)
				} else {
					err = report.WriteGroupsText(stdout, tr, report.TextOptions{Color: colorOK(stdout)}, now)
				}
				if err != nil {
					return err
				}
				if code := report.GroupExitCode(tr); code != report.ExitOK {
					return exitCodeError{code: code}
				}
				return nil
			}
			reports := report.Diagnose(inputs)
			if output == "json" {
				err = report.WriteJSON(stdout, reports)
			} else if len(reports) == 0 {
				_, err = fmt.Fprintln(stdout, "No pods found.")
			} else {
				err = report.WriteText(stdout, reports, report.TextOptions{Color: colorOK(stdout), Timeline: timeline})
			}
			if err != nil {
				return err
			}
			if code := report.ExitCode(reports); code != report.ExitOK {
				return exitCodeError{code: code}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	cmd.Flags().BoolVar(&group, "group", false, "group broken pods by root cause and owner (triage); JSON shape in docs/triage.md")
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, `read pods from FILE instead of the cluster ("-" for stdin): YAML/JSON, or the text of kubectl describe pod; repeatable`)
	cmd.Flags().BoolVar(&timeline, "timeline", false, "text output: also print each pod's timeline (the JSON always has it)")
	cmd.Flags().BoolVar(&noLogs, "no-logs", false, "do not read the logs of crashed containers")
	cmd.Flags().StringArrayVar(&logFiles, "logs", nil, "with -f: CONTAINER=FILE, the container's current log (kubectl logs); repeatable")
	cmd.Flags().StringArrayVar(&previousFiles, "previous", nil, "with -f: CONTAINER=FILE, the container's previous log (kubectl logs --previous); repeatable")
	return cmd
}

func liveInputs(ctx context.Context, g *globalFlags, names []string, logs bool) ([]diagnose.Input, error) {
	if len(names) > 0 && g.allNS {
		return nil, fmt.Errorf("pod names need one namespace: use -n instead of -A")
	}
	client, err := kube.NewClient(g.config)
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, diagnoseTimeout)
	defer cancel()
	if err := client.Preflight(ctx); err != nil {
		return nil, err
	}
	inputs, err := client.DiagnoseInputs(ctx, client.Namespace(), g.allNS, g.selector, names)
	if err == nil && logs {
		client.AddCrashLogs(ctx, inputs)
	}
	return inputs, err
}

// addLogFiles gives each pod with a container of that name the logs read
// from CONTAINER=FILE arguments: current logs, then previous ones.
func addLogFiles(inputs []diagnose.Input, current, previous []string) error {
	for _, set := range []struct {
		args     []string
		previous bool
	}{{current, false}, {previous, true}} {
		for _, arg := range set.args {
			name, file, ok := strings.Cut(arg, "=")
			if !ok || name == "" || file == "" {
				return fmt.Errorf("%q: want CONTAINER=FILE", arg)
			}
			text, err := readLogTail(file)
			if err != nil {
				return err
			}
			found := false
			for i := range inputs {
				if !hasContainer(inputs[i].Pod, name) {
					continue
				}
				found = true
				if inputs[i].Logs == nil {
					inputs[i].Logs = map[string]diagnose.ContainerLogs{}
				}
				l := inputs[i].Logs[name]
				if set.previous {
					l.Previous = text
				} else {
					l.Current = text
				}
				inputs[i].Logs[name] = l
			}
			if !found {
				return fmt.Errorf("%s: no pod in the given files has a container named %q", file, name)
			}
		}
	}
	return nil
}

// readLogTail reads the last diagnose.MaxLogBytes of a log file (or pipe):
// the engine reads no more, and memory stays bounded however large it is.
func readLogTail(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, 0, 2*diagnose.MaxLogBytes)
	chunk := make([]byte, 32<<10)
	for {
		n, err := f.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if len(buf) > diagnose.MaxLogBytes {
			buf = append(buf[:0], buf[len(buf)-diagnose.MaxLogBytes:]...)
		}
		if err == io.EOF {
			return string(buf), nil
		}
		if err != nil {
			return "", err
		}
	}
}

func hasContainer(p *corev1.Pod, name string) bool {
	for _, list := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for _, c := range list {
			if c.Name == name {
				return true
			}
		}
	}
	return false
}

// offlineInputs loads files; objects not in them are "unknown" to the engine.
// It also returns the time to judge them at: now, or when the kubectl
// describe text read was printed (its event ages count back from then).
func offlineInputs(g *globalFlags, files, names []string, stdin io.Reader, stderr io.Writer) ([]diagnose.Input, time.Time, error) {
	b, err := loadFiles(files, stdin)
	if err != nil {
		return nil, time.Time{}, err
	}
	if len(b.Pods) == 0 && b.Objects > 0 {
		// Only other kinds: most likely the wrong file, not an empty namespace
		// (an empty List reads as no objects at all and is fine).
		what := fmt.Sprintf("%d object", b.Objects)
		if b.Objects != 1 {
			what += "s"
		}
		if s := b.IgnoredSummary(); s != "" {
			what += ", including kinds diagnose does not use: " + s
		}
		return nil, time.Time{}, fmt.Errorf("%s: no pods in it, only other objects (%s); give it pods, e.g. kubectl get pods,events -o yaml", strings.Join(files, ", "), what)
	}
	if s := b.IgnoredSummary(); s != "" {
		fmt.Fprintf(stderr, "podtui: ignored objects of kinds diagnose does not use: %s\n", s)
	}
	now := judgedAt(b, stderr)
	sel := labels.Everything()
	if g.selector != "" {
		if sel, err = labels.Parse(g.selector); err != nil {
			return nil, time.Time{}, fmt.Errorf("invalid selector %q: %v", g.selector, err)
		}
	}
	ns := ""
	if g.config.Namespace != nil && !g.allNS {
		ns = *g.config.Namespace // only an explicit -n filters offline input
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var inputs []diagnose.Input
	for _, in := range b.Inputs(now) {
		p := in.Pod
		if (ns != "" && p.Namespace != ns) || (len(want) > 0 && !want[p.Name]) || !sel.Matches(labels.Set(p.Labels)) {
			continue
		}
		delete(want, p.Name)
		inputs = append(inputs, in)
	}
	for n := range want {
		return nil, time.Time{}, fmt.Errorf("pod %q is not in the given files", n)
	}
	return inputs, now, nil
}

// loadFiles reads the files ("-" is stdin) into one bundle. Describe text
// with no date at all is judged as of now.
func loadFiles(files []string, stdin io.Reader) (*report.Bundle, error) {
	b := report.NewBundle()
	b.Clock = time.Now
	for _, f := range files {
		if f == "-" {
			if err := b.Load("<stdin>", stdin); err != nil {
				return nil, err
			}
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		err = b.Load(f, fh)
		fh.Close()
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}

// judgedAt is the time to judge the bundle's pods at. kubectl describe
// prints event ages, not times: those count back from when it ran, which
// the bundle estimated, and the user is told so.
func judgedAt(b *report.Bundle, stderr io.Writer) time.Time {
	if b.Now.IsZero() {
		return time.Now()
	}
	at := b.Now.UTC().Format("2006-01-02 15:04:05 UTC")
	if b.NowFromClock {
		fmt.Fprintf(stderr, "podtui: read kubectl describe output; its times are relative and it holds no date, judged as of now, %s\n", at)
	} else {
		fmt.Fprintf(stderr, "podtui: read kubectl describe output; its times are relative, judged as of %s (estimated from the text)\n", at)
	}
	return b.Now
}

// colorOK reports whether w is a terminal that wants colour.
func colorOK(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
