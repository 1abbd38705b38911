package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/podtui/podtui/internal/defaults"
	"github.com/podtui/podtui/kube"
)

// DebugSettings are the debug container and node shell defaults from the
// config file.
type DebugSettings struct {
	Image     string   // the image offered first
	Images    []string // the short list to pick from (free text is allowed too)
	Profile   string   // kubectl debug profile
	NodeImage string   // the node shell's image
}

// DefaultDebugSettings are used when the config file sets none.
func DefaultDebugSettings() DebugSettings {
	return DebugSettings{Image: defaults.DebugImage, Images: defaults.DebugImages(), Profile: defaults.DebugProfile, NodeImage: defaults.DebugImage}
}

// startWait bounds the wait for a debug container or node shell to run
// (an image pull included).
const startWait = 2 * time.Minute

// debugStartedMsg: the debug container or node-shell pod runs (pod), or
// could not be made to (err).
type debugStartedMsg struct {
	Ticket
	pod *corev1.Pod
	err error
}

// nodeShellEndedMsg: the node shell's session ended; its pod is deleted next.
type nodeShellEndedMsg struct {
	pod *corev1.Pod
	err error
}

// debugPage makes a debug session: an ephemeral container in a pod (a form:
// target, image, profile), or, with node set, a node-shell pod (a
// confirmation naming what it creates). It starts it, waits until it runs,
// then closes and hands the terminal to the attach session.
type debugPage struct {
	env      PageEnv
	pod      *corev1.Pod // the pod to debug; nil for a node shell
	node     string      // the node of a node shell
	why      string      // why it is offered (a container that is not running)
	name     string      // the debug container's or the node-shell pod's name
	nodeNS   string
	settings DebugSettings

	targets []string
	target  int
	images  []string
	image   textinput.Model
	profile int
	field   int // 0 target, 1 image, 2 profile

	starts   asks
	starting bool
	cancel   context.CancelFunc
	err      error
	width    int
	height   int
}

const (
	fieldTarget = iota
	fieldImage
	fieldProfile
	fieldCount
)

// newDebugPage offers a debug container in pod, targeting target (the
// failing container, or "" for kubectl's default).
func newDebugPage(env PageEnv, pod *corev1.Pod, target, why string, set DebugSettings) *debugPage {
	p := &debugPage{env: env, pod: pod, why: why, settings: set, starts: newAsks(env.ID), name: kube.DebugContainerName(pod)}
	for _, c := range pod.Spec.Containers {
		p.targets = append(p.targets, c.Name)
	}
	if target == "" {
		target = defaultExecContainer(pod)
	}
	p.target = max(0, slices.Index(p.targets, target))
	p.images = set.Images
	if !slices.Contains(p.images, set.Image) {
		p.images = append([]string{set.Image}, p.images...)
	}
	p.image = textinput.New()
	p.image.Prompt = ""
	p.image.SetValue(set.Image)
	p.profile = max(0, slices.Index(kube.DebugProfiles, set.Profile))
	p.field = fieldImage
	return p
}

// newNodeShellPage asks before making a node-shell pod on node in ns.
func newNodeShellPage(env PageEnv, node, ns string, set DebugSettings) *debugPage {
	return &debugPage{env: env, node: node, nodeNS: ns, settings: set, starts: newAsks(env.ID), name: kube.NodeShellName(node)}
}

func (p *debugPage) Init() tea.Cmd {
	if p.pod != nil {
		return p.image.Focus()
	}
	return nil
}

// Capturing: typed text is the image, not app keys.
func (p *debugPage) Capturing() bool { return true }

func (p *debugPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case debugStartedMsg:
		if !p.starts.current(msg.Ticket) {
			return p, nil
		}
		p.starting = false
		if msg.err != nil {
			p.err = msg.err
			return p, nil
		}
		return p, tea.Sequence(ClosePage, p.attach(msg.pod))
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	if p.pod != nil && p.field == fieldImage && !p.starting {
		var cmd tea.Cmd
		p.image, cmd = p.image.Update(msg)
		return p, cmd
	}
	return p, nil
}

func (p *debugPage) key(k tea.KeyPressMsg) (Page, tea.Cmd) {
	d, c := p.env.Keys.Debug, p.env.Keys.Confirm
	if p.starting || p.err != nil {
		if key.Matches(k, d.Cancel) || key.Matches(k, c.No) {
			return p, p.leave()
		}
		return p, nil
	}
	if p.node != "" { // the node shell's confirmation
		switch {
		case key.Matches(k, c.Yes), key.Matches(k, d.Start):
			return p, p.start()
		case key.Matches(k, c.No), key.Matches(k, d.Cancel):
			return p, tea.Batch(ClosePage, SetStatus("node shell cancelled: nothing created", false))
		}
		return p, nil
	}
	switch {
	case key.Matches(k, d.Cancel):
		return p, tea.Batch(ClosePage, SetStatus("debug container cancelled: nothing created", false))
	case key.Matches(k, d.Start):
		if strings.TrimSpace(p.image.Value()) == "" {
			p.err = errors.New("no image: pick one with ←/→ or type one")
			return p, nil
		}
		return p, p.start()
	case key.Matches(k, d.Down):
		p.field = (p.field + 1) % fieldCount
	case key.Matches(k, d.Up):
		p.field = (p.field + fieldCount - 1) % fieldCount
	case key.Matches(k, d.Next), key.Matches(k, d.Prev):
		step := 1
		if key.Matches(k, d.Prev) {
			step = -1
		}
		p.choose(step)
	case p.field == fieldImage:
		var cmd tea.Cmd
		p.image, cmd = p.image.Update(k)
		return p, cmd
	}
	if p.field == fieldImage {
		return p, p.image.Focus()
	}
	p.image.Blur()
	return p, nil
}

// choose moves the field's choice by step.
func (p *debugPage) choose(step int) {
	wrap := func(i, n int) int { return ((i+step)%n + n) % n }
	switch p.field {
	case fieldTarget:
		if len(p.targets) > 0 {
			p.target = wrap(p.target, len(p.targets))
		}
	case fieldImage:
		i := slices.Index(p.images, p.image.Value())
		if i < 0 && step < 0 {
			i = 0
		}
		p.image.SetValue(p.images[wrap(i, len(p.images))])
		p.image.CursorEnd()
	case fieldProfile:
		p.profile = wrap(p.profile, len(kube.DebugProfiles))
	}
}

// start makes the debug container (or node-shell pod) and waits until it
// runs. Closing the page cancels the wait; a node-shell pod is then deleted.
func (p *debugPage) start() tea.Cmd {
	p.starting, p.err = true, nil
	ctx, cancel := context.WithTimeout(context.Background(), startWait)
	p.cancel = cancel
	c, t := p.env.Cluster, p.starts.next()
	if p.node != "" {
		req := kube.NodeShellRequest{Node: p.node, Namespace: p.nodeNS, Image: p.settings.NodeImage, Name: p.name}
		return func() tea.Msg {
			pod, err := c.StartNodeShell(ctx, req)
			return debugStartedMsg{Ticket: t, pod: pod, err: err}
		}
	}
	req := p.request()
	return func() tea.Msg {
		if _, err := c.AddDebugContainer(ctx, req); err != nil {
			return debugStartedMsg{Ticket: t, err: err}
		}
		pod, err := c.WaitRunning(ctx, req.Namespace, req.Pod, req.Name)
		return debugStartedMsg{Ticket: t, pod: pod, err: err}
	}
}

func (p *debugPage) request() kube.DebugRequest {
	target := ""
	if len(p.targets) > 0 {
		target = p.targets[p.target]
	}
	return kube.DebugRequest{
		Namespace: p.pod.Namespace, Pod: p.pod.Name, Name: p.name, Target: target,
		Image: strings.TrimSpace(p.image.Value()), Profile: kube.DebugProfiles[p.profile],
	}
}

// attach hands the terminal to the session in the running container.
func (p *debugPage) attach(pod *corev1.Pod) tea.Cmd {
	if p.node != "" {
		r := p.env.Cluster.Attach(kube.AttachRequest{Namespace: pod.Namespace, Pod: pod.Name, Container: kube.NodeShellContainer})
		return tea.Exec(r, func(err error) tea.Msg { return nodeShellEndedMsg{pod: pod, err: err} })
	}
	r := p.env.Cluster.Attach(kube.AttachRequest{Namespace: pod.Namespace, Pod: pod.Name, Container: p.name})
	return tea.Exec(r, p.leaveMsg)
}

// leaveMsg is the status line after the debug container's session.
func (p *debugPage) leaveMsg(err error) tea.Msg {
	failed := err != nil && !errors.As(err, new(*kube.ExitError))
	text := fmt.Sprintf("left debug container %s in %s/%s", p.name, p.pod.Namespace, p.pod.Name)
	if failed {
		text += ": " + oneLine(err.Error())
	}
	return statusMsg{text: text + "; ephemeral containers cannot be removed: it stays until the pod is deleted", isErr: failed}
}

// leave closes the page, saying what was left behind.
func (p *debugPage) leave() tea.Cmd {
	if p.starting && p.pod != nil {
		return tea.Batch(ClosePage, SetStatus(fmt.Sprintf("stopped waiting; debug container %s stays in %s/%s until the pod is deleted", p.name, p.pod.Namespace, p.pod.Name), false))
	}
	if p.starting {
		return tea.Batch(ClosePage, SetStatus("node shell cancelled: its pod "+p.nodeNS+"/"+p.name+" is being deleted", false))
	}
	return ClosePage
}

func (p *debugPage) SetCovered(bool) tea.Cmd { return nil }

// Close stops the wait; a node-shell pod being made is deleted by it.
func (p *debugPage) Close() {
	if p.cancel != nil {
		p.cancel()
	}
}

func (p *debugPage) View() string {
	if p.node != "" {
		return p.nodeView()
	}
	s := p.env.Styles
	lines := []string{s.Title.Render("Debug container in " + oneLine(p.pod.Namespace) + "/" + oneLine(p.pod.Name)), ""}
	if p.why != "" {
		lines = append(lines, s.Error.Render(p.why), "")
	}
	row := func(f int, label, value, note string) string {
		head := "  " + pad(label, 9)
		if f == p.field && !p.starting {
			head = s.Selected.Render("▸ "+pad(label, 8)) + " "
		}
		return head + pad(value, 30) + " " + s.Muted.Render(note)
	}
	target := "-"
	if len(p.targets) > 0 {
		target = "‹ " + oneLine(p.targets[p.target]) + " ›"
	}
	image := oneLine(p.image.Value())
	if p.field == fieldImage && !p.starting {
		image = p.image.View()
	}
	profile := kube.DebugProfiles[p.profile]
	lines = append(lines,
		row(fieldTarget, "target", target, "sees this container's processes"),
		row(fieldImage, "image", image, "←/→: "+strings.Join(p.images, " · ")+", or type one"),
		row(fieldProfile, "profile", "‹ "+profile+" ›", kube.ProfileSummary(profile)),
		"",
	)
	lines = append(lines, p.footer(fmt.Sprintf("enter adds ephemeral container %s and attaches to it. Ephemeral containers cannot be removed: it stays in the pod until the pod is deleted.", p.name))...)
	return strings.Join(wrapLines(lines, max(20, p.width)), "\n")
}

func (p *debugPage) nodeView() string {
	s := p.env.Styles
	lines := []string{
		s.Error.Render("Open a shell on node " + oneLine(p.node) + "?"), "",
		fmt.Sprintf("This creates pod %s in namespace %s on node %s (image %s):", p.name, oneLine(p.nodeNS), oneLine(p.node), oneLine(p.settings.NodeImage)),
		"privileged, in the host's PID, network and IPC namespaces, with the node's root filesystem at /host.",
		"The pod is deleted when the shell ends.", "",
	}
	lines = append(lines, p.footer(s.Muted.Render("y/enter: create and attach   n/esc: no"))...)
	return strings.Join(wrapLines(lines, max(20, p.width)), "\n")
}

// footer is the progress, the error, or the hint when idle.
func (p *debugPage) footer(idle string) []string {
	s := p.env.Styles
	switch {
	case p.starting && p.node != "":
		return []string{s.Muted.Render(fmt.Sprintf("creating pod %s/%s and waiting for it to run…  (esc: cancel and delete it)", p.nodeNS, p.name))}
	case p.starting:
		req := p.request()
		return []string{s.Muted.Render(fmt.Sprintf("adding %s (image %s, profile %s) and waiting for it to run…  (esc: stop waiting)", req.Name, req.Image, req.Profile))}
	case p.err != nil:
		return []string{s.Error.Render(debugFailure(p.err, p.pod != nil, p.name)), "", s.Muted.Render("esc: back")}
	}
	return []string{idle}
}

// debugFailure explains why a debug session could not start, and what was
// left behind.
func debugFailure(err error, ephemeral bool, name string) string {
	var fe *kube.ForbiddenError
	var de *kube.EphemeralDisabledError
	var ie *kube.ImagePullError
	stays := ""
	if ephemeral {
		stays = " Debug container " + name + " stays in the pod (ephemeral containers cannot be removed) but will not run."
	} else {
		stays = " The pod was deleted."
	}
	switch {
	case errors.As(err, &fe):
		return oneLine(fe.Error()) + ": ask your cluster admin for that permission. Nothing was created."
	case errors.As(err, &de):
		return oneLine(de.Error()) + ": the cluster must run Kubernetes 1.25 or later with the feature on. Nothing was created."
	case errors.As(err, &ie):
		return oneLine(ie.Error()) + "." + stays + " Pick another image."
	case errors.As(err, new(*kube.StartError)):
		return oneLine(err.Error()) + "." + stays
	}
	return "could not start: " + oneLine(kube.Explain(err))
}

func (p *debugPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.image.SetWidth(26)
}

func (p *debugPage) Title() string {
	if p.node != "" {
		return "node shell " + p.node
	}
	return "debug " + p.pod.Namespace + "/" + p.pod.Name
}

func (p *debugPage) ShortHelp() []key.Binding {
	d := p.env.Keys.Debug
	if p.node != "" {
		return []key.Binding{p.env.Keys.Confirm.Yes, p.env.Keys.Confirm.No}
	}
	return []key.Binding{d.Down, d.Next, d.Start, d.Cancel}
}

func (p *debugPage) FullHelp() [][]key.Binding {
	d := p.env.Keys.Debug
	if p.node != "" {
		return [][]key.Binding{p.ShortHelp()}
	}
	return [][]key.Binding{{d.Up, d.Down, d.Prev, d.Next}, {d.Start, d.Cancel}}
}

// endNodeShell deletes the node-shell pod after its session.
func (a *App) endNodeShell(m nodeShellEndedMsg) tea.Cmd {
	c, pod := a.cluster, m.pod
	return func() tea.Msg {
		where := fmt.Sprintf("node shell on %s ended", pod.Spec.NodeName)
		if m.err != nil && !errors.As(m.err, new(*kube.ExitError)) {
			where = fmt.Sprintf("node shell on %s failed: %s", pod.Spec.NodeName, oneLine(m.err.Error()))
		}
		if err := c.DeleteNodeShell(pod); err != nil {
			return statusMsg{text: fmt.Sprintf("%s; deleting pod %s/%s failed: %s (podtui removes it at its next start)", where, pod.Namespace, pod.Name, oneLine(kube.Explain(err))), isErr: true}
		}
		return statusMsg{text: fmt.Sprintf("%s; deleted pod %s/%s", where, pod.Namespace, pod.Name), isErr: m.err != nil && !errors.As(m.err, new(*kube.ExitError))}
	}
}

// cleanupNodeShells removes node-shell pods a crashed podtui left behind.
func cleanupNodeShells(c Cluster) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		gone, _ := c.CleanupNodeShells(ctx)
		if len(gone) == 0 {
			return nil
		}
		return statusMsg{text: "removed node-shell pod(s) left by an earlier podtui: " + strings.Join(gone, ", ")}
	}
}

// openNodeShellMsg asks the app for a shell on a node (from the node page).
type openNodeShellMsg struct{ node string }

// openNodeShell asks before making a node-shell pod on the node, in the
// context's namespace.
func (a *App) openNodeShell(node string) tea.Cmd {
	if a.opts.ReadOnly {
		return SetStatus(readOnlyRefusal, true)
	}
	ns := cmp.Or(a.info.Namespace, "default")
	return a.open(func(env PageEnv) Page { return newNodeShellPage(env, node, ns, a.opts.Debug) })
}
