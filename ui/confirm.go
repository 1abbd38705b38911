package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
)

// confirmPage asks before deleting. A force delete asks twice: the second
// question warns what skipping the grace period means.
type confirmPage struct {
	stillPage
	env    PageEnv
	pod    *corev1.Pod
	force  bool
	stage  int // 0: first question; 1: the force warning
	onYes  tea.Cmd
	width  int
	height int
}

func newConfirmPage(env PageEnv, pod *corev1.Pod, force bool, onYes tea.Cmd) *confirmPage {
	return &confirmPage{env: env, pod: pod, force: force, onYes: onYes}
}

func (c *confirmPage) Init() tea.Cmd { return nil }

// Capturing keeps ? from toggling help: only yes or no mean anything here.
func (c *confirmPage) Capturing() bool { return true }

func (c *confirmPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return c, nil
	}
	switch {
	case key.Matches(k, c.env.Keys.Confirm.Yes):
		if c.force && c.stage == 0 {
			c.stage = 1
			return c, nil
		}
		return c, tea.Batch(ClosePage, c.onYes)
	case key.Matches(k, c.env.Keys.Confirm.No):
		return c, tea.Batch(ClosePage, SetStatus("delete cancelled", false))
	}
	return c, nil
}

func (c *confirmPage) View() string {
	s := c.env.Styles
	name := fmt.Sprintf("pod %s in namespace %s", oneLine(c.pod.Name), oneLine(c.pod.Namespace))
	var lines []string
	switch {
	case !c.force:
		lines = []string{
			s.Error.Render("Delete " + name + "?"), "",
			"The pod gets its grace period to stop. A controller (Deployment, Job, …) creates a new one; a bare pod is gone.",
		}
	case c.stage == 0:
		lines = []string{
			s.Error.Render("Force delete " + name + "?"), "",
			"The API object is removed at once, without waiting for the kubelet to confirm the containers stopped.",
		}
	default:
		lines = []string{
			s.Error.Render("Really force delete " + name + "? Second confirmation."), "",
			"⚠ The containers may keep running on the node after the pod is gone from the API.",
			"⚠ For a StatefulSet pod this can start a second pod with the same identity and storage while the",
			"  first still runs: data corruption. Only do it when the node is known to be down.",
		}
	}
	lines = append(lines, "", s.Muted.Render("y: yes   n/esc: no"))
	return strings.Join(wrapLines(lines, max(20, c.width)), "\n")
}

func (c *confirmPage) SetSize(w, h int) { c.width, c.height = w, h }

func (c *confirmPage) Title() string {
	if c.force {
		return "force delete " + c.pod.Namespace + "/" + c.pod.Name
	}
	return "delete " + c.pod.Namespace + "/" + c.pod.Name
}

func (c *confirmPage) ShortHelp() []key.Binding {
	return []key.Binding{c.env.Keys.Confirm.Yes, c.env.Keys.Confirm.No}
}

func (c *confirmPage) FullHelp() [][]key.Binding { return [][]key.Binding{c.ShortHelp()} }
