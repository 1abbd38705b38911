package report

// The containers of `kubectl describe pod`: each one's name on its own line,
// its fields under it, and under those their details (a state's reason and
// times, resources, environment, mounts).

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// markSidecars gives restartPolicy Always to the init containers still
// running once an app container has started: init containers must finish
// before app containers start, sidecars alone keep running, and describe
// does not print the policy.
func markSidecars(p *corev1.Pod) {
	appStarted := false
	for _, s := range p.Status.ContainerStatuses {
		appStarted = appStarted || s.State.Running != nil || s.State.Terminated != nil || s.LastTerminationState.Terminated != nil
	}
	if !appStarted {
		return
	}
	running := map[string]bool{}
	for _, s := range p.Status.InitContainerStatuses {
		running[s.Name] = s.State.Running != nil
	}
	for i := range p.Spec.InitContainers {
		if c := &p.Spec.InitContainers[i]; running[c.Name] {
			c.RestartPolicy = ptr(corev1.ContainerRestartPolicyAlways)
		}
	}
}

// describedContainer is a container of the text, with its status when
// kubectl printed one (it prints none before the pod has a node).
type describedContainer struct {
	spec   corev1.Container
	status *corev1.ContainerStatus
}

func addContainers(p *corev1.Pod, key string, cs []describedContainer) {
	for _, c := range cs {
		switch key {
		case "Init Containers":
			p.Spec.InitContainers = append(p.Spec.InitContainers, c.spec)
		case "Containers":
			p.Spec.Containers = append(p.Spec.Containers, c.spec)
		default:
			p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon(c.spec)})
		}
		if c.status == nil {
			continue
		}
		switch key {
		case "Init Containers":
			p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, *c.status)
		case "Containers":
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, *c.status)
		default:
			p.Status.EphemeralContainerStatuses = append(p.Status.EphemeralContainerStatuses, *c.status)
		}
	}
}

// readContainers reads a Containers section: each container's name on its
// own line ("  app:"), its fields under it.
func readContainers(body []line) []describedContainer {
	var out []describedContainer
	var r *containerReader
	var msg termMessage
	nameIndent := -1
	for _, l := range body {
		inMessage := msg.see(l)
		if !inMessage && isNameLine(l) && (nameIndent < 0 || l.indent <= nameIndent) {
			if r != nil {
				out = append(out, r.done())
			}
			nameIndent = l.indent
			r = newContainerReader(strings.TrimSuffix(l.text, ":"))
			continue
		}
		if r != nil {
			r.read(l, inMessage)
		}
	}
	if r != nil {
		out = append(out, r.done())
	}
	return out
}

// isNameLine is "  app:", the line that names a container or a volume.
func isNameLine(l line) bool {
	return len(l.text) > 1 && strings.HasSuffix(l.text, ":") && !strings.ContainsAny(l.text[:len(l.text)-1], " :")
}

// containerReader reads one container's lines in order.
type containerReader struct {
	c           describedContainer
	fieldIndent int    // of "Image:", "State:" ...; -1 before the first
	field       string // the field the lines under it belong to
	state       *corev1.ContainerState
	hostPorts   string
	message     *pendingText // a Terminated message over several lines
	env         envReader
}

func newContainerReader(name string) *containerReader {
	return &containerReader{c: describedContainer{spec: corev1.Container{Name: name}}, fieldIndent: -1, env: envReader{indent: -1}}
}

// pendingText gathers a value printed over several lines and sets it once
// whole, so that long values cost linear time.
type pendingText struct {
	lines []string
	set   func(string)
}

func (p *pendingText) flush() {
	if p != nil {
		p.set(strings.Join(p.lines, "\n"))
	}
}

func (r *containerReader) read(l line, inMessage bool) {
	if inMessage {
		if r.message != nil {
			r.message.lines = append(r.message.lines, l.raw())
		}
		return
	}
	r.message.flush()
	r.message = nil
	if l.text == "" {
		return
	}
	if r.fieldIndent < 0 {
		r.fieldIndent = l.indent
	}
	if l.indent > r.fieldIndent {
		r.under(l)
		return
	}
	if key, value, ok := cutKey(l.text); ok {
		r.readField(key, value)
	}
}

func (r *containerReader) status() *corev1.ContainerStatus {
	if r.c.status == nil {
		r.c.status = &corev1.ContainerStatus{Name: r.c.spec.Name}
	}
	return r.c.status
}

func (r *containerReader) readField(key, value string) {
	r.field = key
	spec := &r.c.spec
	switch key {
	case "Container ID":
		r.status().ContainerID = value
	case "Image":
		spec.Image = value
	case "Image ID":
		r.status().ImageID = value
	case "Port", "Ports":
		spec.Ports = readPorts(value)
	case "Host Port", "Host Ports":
		r.hostPorts = value
	case "State":
		r.state = &r.status().State
		setState(r.state, value)
	case "Last State":
		r.state = &r.status().LastTerminationState
		setState(r.state, value)
	case "Ready":
		r.status().Ready = strings.EqualFold(value, "true")
	case "Restart Count":
		if n, err := strconv.ParseInt(value, 10, 32); err == nil {
			r.status().RestartCount = int32(n)
		}
	case "Started":
		if b, err := strconv.ParseBool(strings.ToLower(value)); err == nil {
			r.status().Started = &b
		}
	case "Liveness":
		spec.LivenessProbe = readProbe(value)
	case "Readiness":
		spec.ReadinessProbe = readProbe(value)
	case "Startup":
		spec.StartupProbe = readProbe(value)
	}
}

// under reads a line under the current field.
func (r *containerReader) under(l line) {
	spec := &r.c.spec
	switch r.field {
	case "Command":
		spec.Command = append(spec.Command, r.listItem(l))
	case "Args":
		spec.Args = append(spec.Args, r.listItem(l))
	case "State", "Last State":
		r.stateDetail(l)
	case "Limits":
		addQuantity(&spec.Resources.Limits, l.text)
	case "Requests":
		addQuantity(&spec.Resources.Requests, l.text)
	case "Environment":
		r.env.read(spec, l)
	case "Environment Variables from":
		if e, ok := readEnvFrom(l.text); ok {
			spec.EnvFrom = append(spec.EnvFrom, e)
		}
	case "Mounts":
		if m, ok := readMount(l.text); ok {
			spec.VolumeMounts = append(spec.VolumeMounts, m)
		}
	case "Devices":
		if path, name, ok := strings.Cut(l.text, " from "); ok {
			spec.VolumeDevices = append(spec.VolumeDevices, corev1.VolumeDevice{DevicePath: path, Name: name})
		}
	}
}

// listItem is one line of Command or Args, with its own indentation.
func (r *containerReader) listItem(l line) string {
	return strings.Repeat(" ", max(0, l.indent-r.fieldIndent-2)) + l.text
}

func setState(s *corev1.ContainerState, v string) {
	*s = corev1.ContainerState{}
	switch v {
	case "Running":
		s.Running = &corev1.ContainerStateRunning{}
	case "Terminated":
		s.Terminated = &corev1.ContainerStateTerminated{}
	default:
		s.Waiting = &corev1.ContainerStateWaiting{}
	}
}

// stateDetail reads a line under State or Last State.
func (r *containerReader) stateDetail(l line) {
	key, value, ok := cutKey(l.text)
	if !ok || r.state == nil {
		return
	}
	w, run, t := r.state.Waiting, r.state.Running, r.state.Terminated
	date, _ := parseDate(value)
	switch {
	case key == "Reason" && w != nil:
		w.Reason = value
	case key == "Reason" && t != nil:
		t.Reason = value
	case key == "Message" && w != nil:
		w.Message = value
	case key == "Message" && t != nil:
		first := strings.TrimSpace(strings.TrimPrefix(l.text, "Message:")) // verbatim, "<none>" too
		r.message = &pendingText{lines: []string{first}, set: func(s string) { t.Message = s }}
	case key == "Exit Code" && t != nil:
		n, _ := strconv.ParseInt(value, 10, 32)
		t.ExitCode = int32(n)
	case key == "Signal" && t != nil:
		n, _ := strconv.ParseInt(value, 10, 32)
		t.Signal = int32(n)
	case key == "Started" && run != nil:
		run.StartedAt = metav1.Time{Time: date}
	case key == "Started" && t != nil:
		t.StartedAt = metav1.Time{Time: date}
	case key == "Finished" && t != nil:
		t.FinishedAt = metav1.Time{Time: date}
	}
}

// done finishes the container: host ports go with the ports, in order.
func (r *containerReader) done() describedContainer {
	r.message.flush()
	r.env.flush()
	hp := readPorts(r.hostPorts)
	for i := range r.c.spec.Ports {
		if i < len(hp) {
			r.c.spec.Ports[i].HostPort = hp[i].ContainerPort
		}
	}
	if r.c.status != nil {
		r.c.status.Image = r.c.spec.Image
	}
	return r.c
}

var portItem = regexp.MustCompile(`^(\d+)/([A-Za-z]+)(?: \((.+)\))?$`)

// readPorts reads "8080/TCP", "80/TCP (http), 443/TCP (https)".
func readPorts(v string) []corev1.ContainerPort {
	var out []corev1.ContainerPort
	for item := range strings.SplitSeq(v, ", ") {
		m := portItem.FindStringSubmatch(strings.TrimSpace(item))
		if m == nil {
			continue
		}
		n, _ := strconv.ParseInt(m[1], 10, 32)
		out = append(out, corev1.ContainerPort{ContainerPort: int32(n), Protocol: corev1.Protocol(m[2]), Name: m[3]})
	}
	return out
}

var probeAttr = regexp.MustCompile(`(delay|timeout|period|#success|#failure|successThreshold|failureThreshold)=(\d+)`)

// readProbe reads kubectl's one-line probe: "http-get http://:8080/healthz
// delay=0s timeout=1s period=10s #success=1 #failure=3", "tcp-socket :5432
// ...", "exec [sh -c pg_isready] ...", "grpc <pod>:9090 ...". Newer kubectl
// writes successThreshold= and failureThreshold= for #success and #failure.
func readProbe(v string) *corev1.Probe {
	handler, attrs, _ := strings.Cut(v, " delay=")
	p := &corev1.Probe{}
	for _, m := range probeAttr.FindAllStringSubmatch("delay="+attrs, -1) {
		n64, _ := strconv.ParseInt(m[2], 10, 32)
		n := int32(n64)
		switch m[1] {
		case "delay":
			p.InitialDelaySeconds = n
		case "timeout":
			p.TimeoutSeconds = n
		case "period":
			p.PeriodSeconds = n
		case "#success", "successThreshold":
			p.SuccessThreshold = n
		case "#failure", "failureThreshold":
			p.FailureThreshold = n
		}
	}
	kind, target, _ := strings.Cut(strings.TrimSpace(handler), " ")
	target = strings.TrimSpace(target)
	switch kind {
	case "http-get", "https-get":
		p.HTTPGet = readHTTPGet(kind, target)
	case "tcp-socket":
		i := strings.LastIndexByte(target, ':')
		p.TCPSocket = &corev1.TCPSocketAction{Host: target[:max(i, 0)], Port: portOf(target[i+1:])}
	case "exec":
		p.Exec = &corev1.ExecAction{Command: strings.Fields(strings.Trim(target, "[]"))}
	case "grpc":
		addr, service, _ := strings.Cut(target, " ")
		port, _ := strconv.ParseInt(addr[strings.LastIndexByte(addr, ':')+1:], 10, 32)
		p.GRPC = &corev1.GRPCAction{Port: int32(port)}
		if service = strings.TrimSpace(service); service != "" {
			p.GRPC.Service = &service
		}
	}
	return p
}

// readHTTPGet reads "http://:8080/healthz" by hand: the port may be a
// container port's name ("http://:http/ready"), which net/url refuses.
func readHTTPGet(kind, target string) *corev1.HTTPGetAction {
	a := &corev1.HTTPGetAction{Scheme: corev1.URISchemeHTTP}
	scheme, rest, ok := strings.Cut(target, "://")
	if !ok {
		scheme, rest = "", target
	}
	if kind == "https-get" || strings.EqualFold(scheme, "https") {
		a.Scheme = corev1.URISchemeHTTPS
	}
	hostPort, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		hostPort, path = rest[:i], rest[i:]
	}
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	a.Path = path
	if i := strings.LastIndexByte(hostPort, ':'); i >= 0 && !strings.HasSuffix(hostPort, "]") {
		a.Host, a.Port = strings.Trim(hostPort[:i], "[]"), portOf(hostPort[i+1:])
	} else {
		a.Host = strings.Trim(hostPort, "[]")
	}
	return a
}

// portOf is a probe's port: a number, or a container port's name.
func portOf(s string) intstr.IntOrString {
	if n, err := strconv.ParseInt(s, 10, 32); err == nil {
		return intstr.FromInt32(int32(n))
	}
	return intstr.FromString(s)
}

// envReader reads the Environment lines: "NAME:  value" at one
// indentation, a value's further lines deeper.
type envReader struct {
	indent int // of the NAME lines; -1 before the first
	col    int // where the last value starts
	more   *pendingText
}

func (e *envReader) read(spec *corev1.Container, l line) {
	if e.indent >= 0 && l.indent > e.indent {
		if e.more != nil {
			e.more.lines = append(e.more.lines, strings.Repeat(" ", max(0, l.indent-e.col))+l.text)
		}
		return
	}
	e.flush()
	name, _, ok := cutKey(l.text)
	if !ok {
		return
	}
	e.indent, e.col = l.indent, valueColumn(l)
	value := strings.TrimSpace(l.text[len(name)+1:])
	v := envVar(name, value)
	spec.Env = append(spec.Env, v)
	if v.ValueFrom == nil {
		i := len(spec.Env) - 1
		e.more = &pendingText{lines: []string{value}, set: func(s string) { spec.Env[i].Value = s }}
	}
}

func (e *envReader) flush() {
	e.more.flush()
	e.more = nil
}

var (
	envSecret    = regexp.MustCompile(`^<set to the key '(.*)' in secret '(.*)'>(?:\s+Optional: (true|false))?$`)
	envConfigMap = regexp.MustCompile(`^<set to the key '(.*)' of config map '(.*)'>(?:\s+Optional: (true|false))?$`)
	envField     = regexp.MustCompile(`^(?:.*\s)?\((v[0-9a-z]+):([^()]+)\)$`)
	envResource  = regexp.MustCompile(`^(?:.*\s)?\(((?:limits|requests)\.[A-Za-z0-9._/-]+)\)$`)
)

// envVar reads one variable: a value, or where kubectl says it comes from.
func envVar(name, value string) corev1.EnvVar {
	v := corev1.EnvVar{Name: name}
	if m := envSecret.FindStringSubmatch(value); m != nil {
		v.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: m[2]}, Key: m[1], Optional: optional(m[3]),
		}}
	} else if m := envConfigMap.FindStringSubmatch(value); m != nil {
		v.ValueFrom = &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: m[2]}, Key: m[1], Optional: optional(m[3]),
		}}
	} else if m := envField.FindStringSubmatch(value); m != nil {
		v.ValueFrom = &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: m[1], FieldPath: m[2]}}
	} else if m := envResource.FindStringSubmatch(value); m != nil {
		v.ValueFrom = &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: m[1]}}
	} else {
		v.Value = value
	}
	return v
}

// optional reads kubectl's "Optional: true|false"; anything else is unset.
func optional(v string) *bool {
	switch v {
	case "true":
		return ptr(true)
	case "false":
		return ptr(false)
	}
	return nil
}

var envFromPrefix = regexp.MustCompile(`with prefix '([^']*)'`)

// readEnvFrom reads "app-config  ConfigMap  Optional: false" (or "Secret
// with prefix 'DB_'").
func readEnvFrom(text string) (corev1.EnvFromSource, bool) {
	f := strings.Fields(text)
	if len(f) < 2 {
		return corev1.EnvFromSource{}, false
	}
	var e corev1.EnvFromSource
	opt := (*bool)(nil)
	if _, o, ok := strings.Cut(text, "Optional: "); ok {
		opt = optional(strings.TrimSpace(o))
	}
	if m := envFromPrefix.FindStringSubmatch(text); m != nil {
		e.Prefix = m[1]
	}
	ref := corev1.LocalObjectReference{Name: f[0]}
	switch f[1] {
	case "ConfigMap":
		e.ConfigMapRef = &corev1.ConfigMapEnvSource{LocalObjectReference: ref, Optional: opt}
	case "Secret":
		e.SecretRef = &corev1.SecretEnvSource{LocalObjectReference: ref, Optional: opt}
	default:
		return e, false
	}
	return e, true
}

// readMount reads `/etc/app from config (ro)` or `/etc/nginx/nginx.conf
// from conf (rw,path="nginx.conf")`.
func readMount(text string) (corev1.VolumeMount, bool) {
	path, rest, ok := strings.Cut(text, " from ")
	if !ok {
		return corev1.VolumeMount{}, false
	}
	name, flags, _ := strings.Cut(rest, " (")
	flags = strings.TrimSuffix(flags, ")")
	m := corev1.VolumeMount{MountPath: path, Name: name, ReadOnly: strings.HasPrefix(flags, "ro")}
	if _, sub, ok := strings.Cut(flags, "path="); ok {
		if s, err := strconv.Unquote(sub); err == nil {
			m.SubPath = s
		} else {
			m.SubPath = strings.Trim(sub, `"`)
		}
	}
	return m, true
}
