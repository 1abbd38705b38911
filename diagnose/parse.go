package diagnose

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Parsers for kubelet and scheduler messages. They never panic on any input
// (fuzzed) and return ok=false when the message is not of their kind.

// FitReason is one entry of the scheduler's per-node histogram.
type FitReason struct {
	Count  int    // nodes that gave this reason; 0 for a pre-filter message that applies to all
	Reason string // e.g. "Insufficient cpu", "node(s) had untolerated taint(s)"
}

// FitError is a parsed "0/N nodes are available: ..." message.
type FitError struct {
	Nodes      int
	Reasons    []FitReason
	Preemption string // the text after "preemption:", if any
}

var (
	fitHead  = regexp.MustCompile(`^0/(\d+) nodes are available:?\s*`)
	fitCount = regexp.MustCompile(`(?:^|, )(\d+) `)
)

// ParseFitError parses the scheduler's FailedScheduling message, in its older
// and newer wordings. "no nodes available to schedule pods" gives Nodes=0.
func ParseFitError(msg string) (FitError, bool) {
	var fe FitError
	msg = stripCombined(msg)
	if strings.HasPrefix(msg, "no nodes available to schedule pods") {
		return fe, true
	}
	if fe, ok := parseLegacyFit(msg); ok {
		return fe, true
	}
	m := fitHead.FindStringSubmatch(msg)
	if m == nil {
		return fe, false
	}
	fe.Nodes, _ = strconv.Atoi(m[1])
	if fe.Nodes < 0 || fe.Nodes > 1<<24 {
		fe.Nodes = 0
	}
	body := msg[len(m[0]):]
	for _, sep := range []string{" preemption: ", " pod group preemption: "} {
		if i := strings.Index(body, sep); i >= 0 {
			fe.Preemption = strings.TrimSpace(body[i+len(sep):])
			body = body[:i]
			break
		}
	}
	body = strings.TrimSpace(body)
	body = strings.TrimSuffix(body, ".")
	if body == "" {
		return fe, true
	}
	locs := fitCount.FindAllStringSubmatchIndex(body, -1)
	if len(locs) == 0 || locs[0][0] != 0 {
		// A pre-filter message ("pod has unbound immediate PersistentVolumeClaims")
		// applies to every node and carries no count.
		fe.Reasons = append(fe.Reasons, FitReason{Count: fe.Nodes, Reason: body})
		return fe, true
	}
	for i, l := range locs {
		end := len(body)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		n, _ := strconv.Atoi(body[l[2]:l[3]])
		r := strings.TrimSpace(body[l[1]:end])
		if r != "" {
			fe.Reasons = append(fe.Reasons, FitReason{Count: n, Reason: r})
		}
	}
	return fe, true
}

var (
	legacyFitHead = regexp.MustCompile(`^(?:No nodes are available that match all of the following predicates::?|fit failure summary on nodes ?:)\s*`)
	legacyFitItem = regexp.MustCompile(`([A-Za-z][^,(]*?) \((\d+)\)`)
	// Predicate names of schedulers before 1.10, in today's wording so
	// that Kind reads them.
	legacyPredicates = map[string]string{
		"MatchNodeSelector":      "node(s) didn't match node selector",
		"PodToleratesNodeTaints": "node(s) had taints that the pod didn't tolerate",
		"PodFitsHostPorts":       "node(s) didn't have free ports for the requested pod ports",
		"NodeUnschedulable":      "node(s) were unschedulable",
		"MatchInterPodAffinity":  "node(s) didn't match pod affinity/anti-affinity",
		"NoVolumeZoneConflict":   "node(s) had no available volume zone",
		"NoVolumeNodeConflict":   "node(s) had volume node affinity conflict",
		"CheckVolumeBinding":     "node(s) didn't find available persistent volumes to bind",
	}
)

// parseLegacyFit reads the scheduler's wording before 1.10: "No nodes are
// available that match all of the following predicates:: Insufficient cpu
// (9), MatchNodeSelector (18)." It never says how many nodes there are, so
// Nodes is the largest count: at least that many.
func parseLegacyFit(msg string) (FitError, bool) {
	var fe FitError
	m := legacyFitHead.FindString(msg)
	if m == "" {
		return fe, false
	}
	for _, it := range legacyFitItem.FindAllStringSubmatch(msg[len(m):], -1) {
		n, _ := strconv.Atoi(it[2])
		if n < 0 || n > 1<<24 {
			continue
		}
		r := strings.TrimSpace(it[1])
		if now, ok := legacyPredicates[r]; ok {
			r = now
		}
		fe.Reasons = append(fe.Reasons, FitReason{Count: n, Reason: r})
		fe.Nodes = max(fe.Nodes, n)
	}
	return fe, len(fe.Reasons) > 0
}

// FitKind groups scheduler reasons into what a person can act on.
type FitKind string

const (
	FitResources    FitKind = "resources"
	FitTaint        FitKind = "taint"
	FitSelector     FitKind = "selector"
	FitVolume       FitKind = "volume"
	FitTooManyPods  FitKind = "pods"
	FitHostPort     FitKind = "hostport"
	FitPodAffinity  FitKind = "pod-affinity"
	FitTopology     FitKind = "topology"
	FitUnschedNode  FitKind = "cordoned"
	FitNodeName     FitKind = "nodename"
	FitOther        FitKind = "other"
	fitInsufficient         = "Insufficient "
)

// Kind classifies a scheduler reason.
func (r FitReason) Kind() FitKind {
	s := r.Reason
	switch {
	case s == "Too many pods":
		return FitTooManyPods
	case strings.HasPrefix(s, fitInsufficient):
		return FitResources
	case strings.Contains(s, "taint"):
		return FitTaint
	case strings.Contains(s, "node affinity/selector"), strings.Contains(s, "didn't match node selector"):
		return FitSelector
	case strings.Contains(s, "PersistentVolumeClaim"), strings.Contains(s, "persistentvolumeclaim"),
		strings.Contains(s, "persistent volumes"), strings.Contains(s, "PersistentVolume's node affinity"),
		strings.Contains(s, "volume node affinity"), strings.Contains(s, "pv(s)"), strings.Contains(s, "volume zone"),
		strings.Contains(s, "max volume count"), strings.Contains(s, "available disk"), strings.Contains(s, "free storage"):
		return FitVolume
	case strings.Contains(s, "free ports"):
		return FitHostPort
	case strings.Contains(s, "pod affinity"), strings.Contains(s, "anti-affinity"):
		return FitPodAffinity
	case strings.Contains(s, "topology spread"):
		return FitTopology
	case strings.Contains(s, "were unschedulable"), strings.Contains(s, "unknown condition"):
		return FitUnschedNode
	case strings.Contains(s, "requested node name"):
		return FitNodeName
	}
	return FitOther
}

// Resource returns "cpu" for "Insufficient cpu".
func (r FitReason) Resource() string {
	if strings.HasPrefix(r.Reason, fitInsufficient) {
		return strings.TrimSpace(r.Reason[len(fitInsufficient):])
	}
	return ""
}

// TaintKeys returns the taints ("key" or "key=value") named in older wordings:
// "node(s) had taint {key: value}, that the pod didn't tolerate" and
// "node(s) had untolerated taint {key: value}". Newer schedulers name none.
func (r FitReason) TaintKeys() []string {
	var out []string
	s := r.Reason
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return out
		}
		inner := s[i+1 : i+j]
		k, v, _ := strings.Cut(inner, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k != "" && v != "" {
			out = append(out, k+"="+v)
		} else if k != "" {
			out = append(out, k)
		}
		s = s[i+j+1:]
	}
}

// Eviction is a parsed kubelet eviction message (pkg/kubelet/eviction/helpers.go).
type Eviction struct {
	Resource       string // "memory", "ephemeral-storage", "nodefs"...
	Threshold      string
	Available      string
	NodeConditions []string
	Containers     []ContainerUsage
	// Limit evictions: a container or pod over its ephemeral-storage limit, or an emptyDir over its sizeLimit.
	LimitContainer string
	Limit          string
	PodLimit       string
	EmptyDir       string
}

// ContainerUsage is "Container app was using 1Gi, request is 256Mi".
type ContainerUsage struct {
	Name, Usage, Request string
}

var (
	evLow       = regexp.MustCompile(`The node was low on resource: ([^.\s]+)\.`)
	evThreshold = regexp.MustCompile(`Threshold quantity: ([^,]+), available: ([^.\s]+)\.`)
	evCond      = regexp.MustCompile(`The node had condition: \[([^\]]*)\]`)
	// newer "request is", older "which exceeds its request of"
	evContainer = regexp.MustCompile(`Container (\S+) was using (\S+?), (?:request is (\S+?), has larger consumption of \S+?|which exceeds its request of (\S+?))\.(?:\s|$)`)
	evCLimit    = regexp.MustCompile(`Container (\S+) exceeded its local ephemeral storage limit "([^"]*)"`)
	evPodLimit  = regexp.MustCompile(`Pod ephemeral local storage usage exceeds the total limit of containers (\S+?)\.(?:\s|$)`)
	evEmptyDir  = regexp.MustCompile(`Usage of EmptyDir volume "([^"]*)" exceeds the limit "([^"]*)"`)
)

// ParseEviction reads an Evicted pod's status message.
func ParseEviction(msg string) (Eviction, bool) {
	var ev Eviction
	ok := false
	if m := evLow.FindStringSubmatch(msg); m != nil {
		ev.Resource, ok = m[1], true
	}
	if m := evThreshold.FindStringSubmatch(msg); m != nil {
		ev.Threshold, ev.Available = strings.TrimSpace(m[1]), m[2]
	}
	if m := evCond.FindStringSubmatch(msg); m != nil {
		ev.NodeConditions, ok = strings.Fields(m[1]), true
	}
	for _, m := range evContainer.FindAllStringSubmatch(msg, -1) {
		req := m[3]
		if req == "" {
			req = m[4]
		}
		ev.Containers = append(ev.Containers, ContainerUsage{Name: m[1], Usage: m[2], Request: req})
	}
	if m := evCLimit.FindStringSubmatch(msg); m != nil {
		ev.LimitContainer, ev.Limit, ev.Resource, ok = m[1], m[2], "ephemeral-storage", true
	}
	if m := evPodLimit.FindStringSubmatch(msg); m != nil {
		ev.PodLimit, ev.Resource, ok = m[1], "ephemeral-storage", true
	}
	if m := evEmptyDir.FindStringSubmatch(msg); m != nil {
		ev.EmptyDir, ev.Limit, ev.Resource, ok = m[1], m[2], "ephemeral-storage", true
	}
	return ev, ok
}

// MountKind classifies a FailedMount / FailedAttachVolume message.
type MountKind string

const (
	MountSecretMissing    MountKind = "secret-missing"
	MountConfigMapMissing MountKind = "configmap-missing"
	MountSecretKey        MountKind = "secret-key-missing"
	MountConfigMapKey     MountKind = "configmap-key-missing"
	MountTimeout          MountKind = "timeout"
	MountNFS              MountKind = "nfs"
	MountCSIDriver        MountKind = "csi-driver-missing"
	MountCSI              MountKind = "csi"
	MountMultiAttach      MountKind = "multi-attach"
	MountAttach           MountKind = "attach"
	MountPVC              MountKind = "pvc"
	MountHostPathType     MountKind = "hostpath-type"
	MountOther            MountKind = "other"
)

// Mount is a parsed volume error.
type Mount struct {
	Kind       MountKind
	Volume     string   // the volume named in "for volume \"x\""
	Object     string   // secret/configmap/driver/key/host path named by the message
	Want       string   // hostPath type check: what the path should be ("socket file")
	Unmounted  []string // "unmounted volumes=[...]"
	Unattached []string
	UsedBy     []string // Multi-Attach: pods holding the volume
}

var (
	mVolume     = regexp.MustCompile(`for volume "([^"]*)"`)
	mSecret     = regexp.MustCompile(`secrets? "([^"]*)" not found`)
	mConfigMap  = regexp.MustCompile(`configmaps? "([^"]*)" not found`)
	mSecretKey  = regexp.MustCompile(`references non-existent secret key: (\S+)`)
	mCMKey      = regexp.MustCompile(`references non-existent config key: (\S+)`)
	mUnmounted  = regexp.MustCompile(`unmounted volumes=\[([^\]]*)\]`)
	mUnattached = regexp.MustCompile(`unattached volumes=\[([^\]]*)\]`)
	mDriver     = regexp.MustCompile(`driver name (\S+) not found in the list of registered CSI drivers`)
	mUsedBy     = regexp.MustCompile(`already used by pod\(s\) (.*?)(?: and \d+ pod\(s\) in different namespaces)?$`)
	mPVC        = regexp.MustCompile(`persistentvolumeclaim "([^"]*)" (?:not found|is being deleted)`)
	// An NFS mount's own words, not a volume merely named "nfs-…" (which
	// the generic "Unable to attach or mount volumes" lists too).
	mNFS = regexp.MustCompile(`-t nfs|mount\.nfs|kubernetes\.io~nfs|\bnfs4?: |nfs server|\(e\.g\. nfs`)
	// pkg/volume/hostpath: "hostPath type check failed: /var/run/docker.sock
	// is not a socket file", and the Windows/newer "…, it's a directory" and
	// "hostPath /x doesn't exist".
	mHostPathType = regexp.MustCompile(`hostPath type check failed[:,] (\S+) is not a (socket file|directory|file|character device|block device)`)
	mHostPathGone = regexp.MustCompile(`hostPath (\S+) doesn't exist`)
)

// ParseMount classifies FailedMount, FailedAttachVolume and FailedMapVolume messages.
func ParseMount(msg string) Mount {
	msg = stripCombined(msg)
	var m Mount
	if s := mVolume.FindStringSubmatch(msg); s != nil {
		m.Volume = s[1]
	}
	if s := mUnmounted.FindStringSubmatch(msg); s != nil {
		m.Unmounted = strings.Fields(s[1])
	}
	if s := mUnattached.FindStringSubmatch(msg); s != nil {
		m.Unattached = strings.Fields(s[1])
	}
	low := strings.ToLower(msg)
	switch {
	case hasMatch(mSecret, msg, &m.Object):
		m.Kind = MountSecretMissing
	case hasMatch(mConfigMap, msg, &m.Object):
		m.Kind = MountConfigMapMissing
	case hasMatch(mSecretKey, msg, &m.Object):
		m.Kind = MountSecretKey
	case hasMatch(mCMKey, msg, &m.Object):
		m.Kind = MountConfigMapKey
	case hasMatch(mPVC, msg, &m.Object):
		m.Kind = MountPVC
	case mHostPathType.MatchString(msg):
		sm := mHostPathType.FindStringSubmatch(msg)
		m.Kind, m.Object, m.Want = MountHostPathType, sm[1], sm[2]
	case hasMatch(mHostPathGone, msg, &m.Object):
		m.Kind = MountHostPathType
	case strings.HasPrefix(msg, "Multi-Attach error"), strings.HasPrefix(msg, "Waiting for detach"):
		m.Kind = MountMultiAttach
		if s := mUsedBy.FindStringSubmatch(msg); s != nil {
			for _, p := range strings.Split(s[1], ",") {
				if p = strings.TrimSpace(p); p != "" {
					m.UsedBy = append(m.UsedBy, p)
				}
			}
		}
	case hasMatch(mDriver, msg, &m.Object):
		m.Kind = MountCSIDriver
	case mNFS.MatchString(low):
		m.Kind = MountNFS
	case strings.HasPrefix(msg, "AttachVolume.Attach failed"):
		m.Kind = MountAttach
	case strings.Contains(msg, "kubernetes.io/csi"), strings.Contains(msg, "rpc error"):
		m.Kind = MountCSI
	case strings.Contains(low, "timed out waiting for the condition"), strings.Contains(low, "context deadline exceeded"):
		m.Kind = MountTimeout
	default:
		m.Kind = MountOther
	}
	return m
}

func hasMatch(re *regexp.Regexp, s string, out *string) bool {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	*out = m[1]
	return true
}

// PullCause is why an image pull failed, read from the runtime's message.
type PullCause string

const (
	PullNotFound     PullCause = "not-found"
	PullAuth         PullCause = "unauthorized"
	PullTLS          PullCause = "tls"
	PullNetwork      PullCause = "network"
	PullRateLimit    PullCause = "rate-limit"
	PullPlatform     PullCause = "platform"
	PullDiskPressure PullCause = "no-space"
	PullThrottled    PullCause = "kubelet-throttled" // the kubelet's own registryPullQPS
	PullCutOff       PullCause = "cut-off"           // canceled or out of time with no network error
	PullUnknown      PullCause = "unknown"
)

// ClassifyPull reads containerd, CRI-O and dockershim wordings.
func ClassifyPull(msg string) PullCause {
	l := strings.ToLower(msg)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(l, s) {
				return true
			}
		}
		return false
	}
	network := has("no such host", "i/o timeout", "connection refused", "network is unreachable", "dial tcp",
		"timeout exceeded while awaiting headers", "temporary failure in name resolution", "connection reset by peer", "eof")
	switch {
	case has("pull qps exceeded"):
		return PullThrottled
	case has("toomanyrequests", "429 too many requests", "rate limit"):
		return PullRateLimit
	case has("x509:", "tls:", "certificate signed by unknown authority", "server gave http response to https client", "certificate has expired", "certificate is not valid"):
		return PullTLS
	case has("no match for platform", "no matching manifest for"):
		return PullPlatform
	case has("no space left on device"):
		return PullDiskPressure
	case has("pull access denied", "unauthorized", "authorization failed", "authentication required",
		"401 ", "403 forbidden", "denied:", "access to the requested resource is not authorized", "insufficient_scope",
		"requested access to the resource is denied", "may require 'docker login'", "may require authorization"):
		return PullAuth
	case has("manifest unknown", ": not found", "manifest for ", "not found: manifest", "name unknown", "reading manifest"):
		return PullNotFound
	case !network && has("context canceled", "context deadline exceeded", "code = deadlineexceeded", "no progress in"):
		// The runtime's deadline, or the kubelet giving up on a pull
		// that was still going: a big image or a slow registry.
		return PullCutOff
	case network || has("context deadline exceeded"):
		return PullNetwork
	}
	return PullUnknown
}

var (
	hostLookup = regexp.MustCompile(`lookup ([A-Za-z0-9][-A-Za-z0-9.]*)(?: on \S+)?: `)
	hostURL    = regexp.MustCompile(`(?:Get|Head|Post|GET|HEAD) "?https?://([^/"\s]+)`)
	hostDial   = regexp.MustCompile(`dial tcp ([A-Za-z0-9][-A-Za-z0-9.]*:\d+)`)
)

// pullHost returns the host a pull failed to reach, as the runtime's message
// names it (a DNS lookup, the URL it requested, the address it dialled):
// often not the image's registry but a mirror, a redirect or a proxy.
func pullHost(msg string) string {
	for _, re := range []*regexp.Regexp{hostLookup, hostURL, hostDial} {
		if m := re.FindStringSubmatch(msg); m != nil {
			return m[1]
		}
	}
	return ""
}

// cniPods maps a word of a sandbox error to the label of that network
// plugin's node pods.
var cniPods = []struct{ word, label string }{
	{"calico", "k8s-app=calico-node"},
	{"cilium", "k8s-app=cilium"},
	{"flannel", "app=flannel"},
	{"weave", "name=weave-net"},
	{"aws-node", "k8s-app=aws-node"},
	{"amazon-vpc-cni", "k8s-app=aws-node"},
	{"aws-cni", "k8s-app=aws-node"},
	{"ipamd", "k8s-app=aws-node"},
	{"azure", "k8s-app=azure-cns"},
}

// CNILabel guesses the network plugin from a sandbox error and returns the
// label selector of its pods; "" when the message names none.
func CNILabel(msg string) string {
	l := strings.ToLower(msg)
	for _, c := range cniPods {
		if strings.Contains(l, c.word) {
			return c.label
		}
	}
	return ""
}

var (
	preemptedByName = regexp.MustCompile(`Preempted by ([a-z0-9][-a-z0-9.]*)/([a-z0-9][-a-z0-9.]*) on node`)
	preemptedByUID  = regexp.MustCompile(`Preempted by pod ([0-9a-f-]{36}) on node`)
)

// Preemptor returns the preempting pod a Preempted event names: its name
// (with its namespace) in Kubernetes 1.23-1.26, its UID since; "" when the
// event says only "a pod".
func Preemptor(msg string) (namespace, name string) {
	if m := preemptedByName.FindStringSubmatch(msg); m != nil {
		return m[1], m[2]
	}
	if m := preemptedByUID.FindStringSubmatch(msg); m != nil {
		return "", m[1]
	}
	return "", ""
}

var waitSvcDNS = regexp.MustCompile(`\b([a-z0-9][-a-z0-9]*)\.([a-z0-9][-a-z0-9]*)\.svc(?:\.cluster\.local)?\b`)

// Tools an init container waits with: those that take the host as their
// first operand, and those that take it after -h.
var (
	hostFirst = map[string]bool{
		"nslookup": true, "host": true, "dig": true, "nc": true, "ncat": true, "telnet": true,
		"wait-for-it": true, "wait-for-it.sh": true, "wait-for": true, "wait-for.sh": true, "curl": true, "wget": true,
	}
	hostFlag = map[string]bool{"pg_isready": true, "psql": true, "mysqladmin": true, "mysql": true, "redis-cli": true}
)

// WaitedService reads an init container's command for the Service it waits
// for: "nslookup db", "until nc -z db 5432", "wait-for-it db:5432",
// "pg_isready -h db", or a db.ns.svc.cluster.local name. namespace is ""
// unless the name carries one.
func WaitedService(cmd string) (namespace, name string) {
	if m := waitSvcDNS.FindStringSubmatch(cmd); m != nil {
		return m[2], m[1]
	}
	toks := strings.FieldsFunc(cmd, func(r rune) bool { return strings.ContainsRune(" \t\n;&|\"'()`", r) })
	for i, t := range toks {
		tool := t[strings.LastIndexByte(t, '/')+1:]
		var host string
		for j := i + 1; j < len(toks) && host == ""; j++ {
			a := toks[j]
			switch {
			case a == "do" || a == "then" || a == "done":
				j = len(toks)
			case hostFlag[tool] && a == "-h" && j+1 < len(toks):
				host = toks[j+1]
			case hostFlag[tool] && strings.HasPrefix(a, "--host="):
				host = a[len("--host="):]
			case hostFirst[tool] && !strings.HasPrefix(a, "-") && strings.Trim(a, "0123456789") != "":
				host = a
			}
		}
		if ns, svc := serviceName(host); svc != "" {
			return ns, svc
		}
	}
	return "", ""
}

// serviceName reads "db", "db:5432", "http://db.other:8080/x" as a Service
// name and the namespace it names (""); IPs and localhost are none.
func serviceName(host string) (namespace, name string) {
	if _, rest, ok := strings.Cut(host, "://"); ok {
		host = rest
	}
	host, _, _ = strings.Cut(host, "/")
	host, _, _ = strings.Cut(host, ":")
	host, _, _ = strings.Cut(host, "$")
	host = strings.TrimSuffix(host, ".")
	parts := strings.Split(host, ".")
	if host == "" || host == "localhost" || strings.Trim(host, "0123456789.") == "" || len(parts) > 2 {
		return "", ""
	}
	for _, r := range host {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return "", ""
		}
	}
	if len(parts) == 2 {
		return parts[1], parts[0]
	}
	return "", host
}

var backoffRe = regexp.MustCompile(`back-off (\S+?) restarting failed container`)

// ParseBackoff reads the current delay from the kubelet's CrashLoopBackOff
// message: "back-off 5m0s restarting failed container=app pod=...".
func ParseBackoff(msg string) (time.Duration, bool) {
	m := backoffRe.FindStringSubmatch(msg)
	if m == nil {
		return 0, false
	}
	d, err := time.ParseDuration(m[1])
	if err != nil || d < 0 {
		return 0, false
	}
	return d, true
}

// Hook is a parsed lifecycle hook failure (pkg/kubelet/lifecycle/handlers.go).
type Hook struct {
	Handler string // Exec, HTTP or Sleep
	Target  string // the command, path or seconds
	Error   string
	Output  string // the hook's output, unescaped
}

var hookRe = regexp.MustCompile(`(?s)^(Exec|HTTP|Sleep) lifecycle hook \((.*?)\) for Container "[^"]*" in Pod "[^"]*" failed - error: (.*?)(?:, message: ("(?:[^"\\]|\\.)*"))?\s*$`)

// ParseHook reads "Exec lifecycle hook ([sh -c ...]) for Container ... failed -
// error: ..., message: \"...\"". The output is %q-quoted by the kubelet, so
// escaped newlines are turned back into real ones.
func ParseHook(msg string) (Hook, bool) {
	msg = stripCombined(msg)
	m := hookRe.FindStringSubmatch(msg)
	if m == nil {
		return Hook{}, false
	}
	h := Hook{Handler: m[1], Target: m[2], Error: strings.TrimRight(strings.TrimSpace(m[3]), ":, ")}
	if m[4] != "" {
		if s, err := strconv.Unquote(m[4]); err == nil {
			h.Output = strings.TrimSpace(s)
		} else {
			h.Output = strings.Trim(m[4], `"`)
		}
	}
	return h, true
}

// ConfigRef is what a CreateContainerConfigError message names.
type ConfigRef struct {
	Kind string // KindSecret or KindConfigMap; "" when not about one
	Name string
	Key  string // set when a key is missing
	// NonRoot is set for the runAsNonRoot checks.
	NonRoot string // "root", "non-numeric", "invalid"
	// SubPath is set when the kubelet could not set up a volumeMount's
	// subPath: "create" (the directory) or "prepare"; Mount names it.
	SubPath, Mount string
}

var (
	cfgNotFound = regexp.MustCompile(`(secret|configmap)s? "([^"]*)" not found`)
	// pkg/kubelet/kubelet_pods.go makeMounts; the cause stays in the kubelet's log.
	cfgSubPath = regexp.MustCompile(`failed to (create|prepare) subPath (?:directory )?for volumeMount "([^"]*)" of container`)
	cfgKey     = regexp.MustCompile(`[Cc]ouldn't find key (\S+) in (Secret|ConfigMap) ([^/\s]+)/(\S+)`)
)

// ParseConfigError reads CreateContainerConfigError messages from
// makeEnvironmentVariables and the runAsNonRoot verification.
func ParseConfigError(msg string) (ConfigRef, bool) {
	if m := cfgKey.FindStringSubmatch(msg); m != nil {
		kind := KindSecret
		if m[2] == "ConfigMap" {
			kind = KindConfigMap
		}
		return ConfigRef{Kind: kind, Name: m[4], Key: m[1]}, true
	}
	if m := cfgNotFound.FindStringSubmatch(msg); m != nil {
		kind := KindSecret
		if m[1] == "configmap" {
			kind = KindConfigMap
		}
		return ConfigRef{Kind: kind, Name: m[2]}, true
	}
	if m := cfgSubPath.FindStringSubmatch(msg); m != nil {
		return ConfigRef{SubPath: m[1], Mount: m[2]}, true
	}
	switch {
	case strings.Contains(msg, "runAsNonRoot and image will run as root"):
		return ConfigRef{NonRoot: "root"}, true
	case strings.Contains(msg, "runAsNonRoot and image has non-numeric user"):
		return ConfigRef{NonRoot: "non-numeric"}, true
	case strings.Contains(msg, "runAsNonRoot and image has an invalid user id"):
		return ConfigRef{NonRoot: "invalid"}, true
	}
	return ConfigRef{}, false
}

// RuntimeCause classifies OCI runtime errors from CreateContainerError,
// RunContainerError and StartError.
type RuntimeCause string

const (
	RuntimeNotFound     RuntimeCause = "executable-not-found"
	RuntimeNoSuchFile   RuntimeCause = "no-such-file"
	RuntimePermission   RuntimeCause = "permission-denied"
	RuntimeNoCommand    RuntimeCause = "no-command"
	RuntimeExecFormat   RuntimeCause = "exec-format"
	RuntimeNameReserved RuntimeCause = "name-reserved"
	RuntimeMount        RuntimeCause = "mount"
	RuntimeDeadline     RuntimeCause = "deadline"
	RuntimeOther        RuntimeCause = "other"
)

var execName = regexp.MustCompile(`exec(?:: | )"?([^":]+?)"?: (?:executable file not found|permission denied|no such file or directory|exec format error|stat )`)

// ClassifyRuntime reads the runc/crun/containerd/CRI-O wording and returns
// the cause and the executable it names, when it names one.
func ClassifyRuntime(msg string) (RuntimeCause, string) {
	exe := ""
	if m := execName.FindStringSubmatch(msg); m != nil {
		exe = strings.TrimSpace(m[1])
	}
	l := strings.ToLower(msg)
	switch {
	case strings.Contains(l, "executable file not found"):
		return RuntimeNotFound, exe
	case strings.Contains(l, "no command specified"):
		return RuntimeNoCommand, ""
	case strings.Contains(l, "exec format error"):
		return RuntimeExecFormat, exe
	case strings.Contains(l, "failed to reserve container name"), strings.Contains(l, "is reserved for"):
		return RuntimeNameReserved, ""
	case strings.Contains(l, "context deadline exceeded") && exe == "":
		return RuntimeDeadline, ""
	case strings.Contains(l, "error mounting"), strings.Contains(l, "not a directory"), strings.Contains(l, "mount "):
		if exe == "" {
			return RuntimeMount, ""
		}
	}
	switch {
	case strings.Contains(l, "permission denied"):
		return RuntimePermission, exe
	case strings.Contains(l, "no such file or directory"):
		return RuntimeNoSuchFile, exe
	}
	return RuntimeOther, exe
}

// MountFailure is what an OCI runtime's "error mounting … not a directory"
// says: which volume (and, for a subPath, which container and volumeMount)
// it was mounting, and where in the container.
type MountFailure struct {
	Volume    string // the pod volume's name, "" when the source does not say
	Container string // for a subPath mount: the container
	Index     int    // for a subPath mount: the index in its volumeMounts, else -1
	Target    string // the path in the container, "" when not found
}

var (
	// /var/lib/kubelet/pods/<uid>/volume-subpaths/<volume>/<container>/<index>
	subPathSource = regexp.MustCompile(`volume-subpaths/([^/"\\` + "`" + `\s]+)/([^/"\\` + "`" + `\s]+)/(\d+)`)
	// /var/lib/kubelet/pods/<uid>/volumes/kubernetes.io~configmap/<volume>
	volumeDirSource = regexp.MustCompile(`/volumes/[^/"\\` + "`" + `\s]+~[^/"\\` + "`" + `\s]+/([^/"\\` + "`" + `\s]+)`)
	mountTargets    = []*regexp.Regexp{
		regexp.MustCompile(`to rootfs at \\*"([^"\\]+)`),                  // runc 1.1+
		regexp.MustCompile(`/merged(/[^"\\]+)\\*" caused`),                // runc before 1.1 (docker)
		regexp.MustCompile("mount `[^`]*` to `([^`]+)`"),                  // crun
		regexp.MustCompile(`mount [^\s:]+:(/[^\s]+) \(via /proc/self/fd`), // runc, the mount line
	}
)

// ParseMountFailure reads an OCI runtime's failure to mount a volume into
// a container over a path of the other type ("not a directory", or docker's
// "Are you trying to mount a directory onto a file (or vice-versa)?").
func ParseMountFailure(msg string) (MountFailure, bool) {
	l := strings.ToLower(msg)
	if !strings.Contains(l, "not a directory") && !strings.Contains(l, "mount a directory onto a file") {
		return MountFailure{}, false
	}
	m := MountFailure{Index: -1}
	if s := subPathSource.FindStringSubmatch(msg); s != nil {
		m.Volume, m.Container = s[1], s[2]
		m.Index, _ = strconv.Atoi(s[3])
	} else if s := volumeDirSource.FindStringSubmatch(msg); s != nil {
		m.Volume = s[1]
	}
	for _, re := range mountTargets {
		if s := re.FindStringSubmatch(msg); s != nil {
			m.Target = s[1]
			if !strings.HasPrefix(m.Target, "/") {
				m.Target = "/" + m.Target
			}
			break
		}
	}
	return m, m.Volume != "" || m.Target != ""
}
