package diagnose

import (
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
)

// Severity of a finding. Higher is worse.
type Severity int

const (
	SeverityInfo Severity = iota
	SeverityWarning
	SeverityError
)

func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return "info"
}

// Category is one of a fixed list; scripts and the UI may rely on the values.
type Category string

const (
	CatImagePull        Category = "image-pull"
	CatInvalidImage     Category = "invalid-image"
	CatConfigMissing    Category = "config-missing"
	CatContainerCreate  Category = "container-create"
	CatContainerStart   Category = "container-start"
	CatCrashLoop        Category = "crash-loop"
	CatOOM              Category = "oom"
	CatEvicted          Category = "evicted"
	CatUnschedulable    Category = "unschedulable"
	CatVolumeMount      Category = "volume-mount"
	CatSandboxNetwork   Category = "sandbox-network"
	CatProbeLiveness    Category = "probe-liveness"
	CatProbeReadiness   Category = "probe-readiness"
	CatProbeStartup     Category = "probe-startup"
	CatInitContainer    Category = "init-container"
	CatLifecycleHook    Category = "lifecycle-hook"
	CatDeadline         Category = "deadline"
	CatTerminatingStuck Category = "terminating-stuck"
	CatNodeLost         Category = "node-lost"
	CatPreempted        Category = "preempted"
	CatAdmission        Category = "admission-rejected"
	CatRollout          Category = "rollout"
)

// Categories lists every category in a stable order.
func Categories() []Category {
	return []Category{
		CatImagePull, CatInvalidImage, CatConfigMissing, CatContainerCreate, CatContainerStart,
		CatCrashLoop, CatOOM, CatEvicted, CatUnschedulable, CatVolumeMount, CatSandboxNetwork, CatProbeLiveness,
		CatProbeReadiness, CatProbeStartup, CatInitContainer, CatLifecycleHook, CatDeadline, CatTerminatingStuck,
		CatNodeLost, CatPreempted, CatAdmission, CatRollout,
	}
}

// Action is what the UI can do for a finding without leaving the app.
type Action int

const (
	ActionNone Action = iota
	ActionPreviousLogs
	ActionLogs
	ActionEvents
	ActionExec
)

func (a Action) String() string {
	switch a {
	case ActionPreviousLogs:
		return "previous-logs"
	case ActionLogs:
		return "logs"
	case ActionEvents:
		return "events"
	case ActionExec:
		return "exec"
	}
	return "none"
}

// Finding is one explained problem.
type Finding struct {
	Rule        string
	Category    Category
	Severity    Severity
	Container   string // empty for pod-level findings
	Summary     string
	Explanation string
	Evidence    []string // verbatim kubelet/scheduler messages and the fields read
	Next        []string // commands with real names filled in
	Action      Action
}

// Input is everything the engine looks at. Nothing else is fetched.
type Input struct {
	Pod    *corev1.Pod
	Events []Event // may hold events of other objects; Diagnose keeps the pod's own
	// EventsProblem says why the events could not be read (RBAC, a server
	// error); "" when they were, or were not asked for. Causes only events
	// show (a volume that does not mount, no node that fits) are then unseen.
	EventsProblem string
	Related       Related // may be nil: everything is then "unknown"
	Now           time.Time
	// Usage is the pod's latest metrics.k8s.io sample; nil when unknown.
	Usage *Usage
	// NodeRequested is, per node, the summed requests of the non-terminated
	// pods bound to it (see NodeRequests); nil when unknown.
	NodeRequested map[string]corev1.ResourceList
	// Logs holds, by container name, the tails of the logs of containers
	// that crashed or restarted; nil when not read. The engine quotes the
	// crash cause it finds there (see CrashCauseOf).
	Logs map[string]ContainerLogs
	// History holds the revisions of the pod's workload (its Deployment's
	// ReplicaSets, its StatefulSet's or DaemonSet's ControllerRevisions),
	// for "what changed" (see Changes); nil when not read.
	History *History
	// Restarts are the container terminations podtui saw while it ran
	// (oldest first), beyond the one previous termination the API keeps;
	// they may include those the status shows. nil when none were seen.
	Restarts []Termination
}

// Termination is one end of a container instance, as seen by podtui.
type Termination struct {
	Container             string
	Reason                string
	ExitCode, Signal      int32
	StartedAt, FinishedAt time.Time
	// MemoryBefore is the container's last memory sample (metrics.k8s.io)
	// before it ended, in bytes, taken at MemoryAt; 0 when none was near.
	MemoryBefore int64
	MemoryAt     time.Time
}

// ContainerLogs is the tail of a container's logs, as `kubectl logs` prints
// it (no timestamps). Previous is the log of the container's previous
// instance (--previous), Current the log of its current or last instance;
// either may be empty. Untrusted text: the engine reads only the last
// MaxLogLines lines and MaxLogBytes bytes of each, removes escape sequences
// and control characters, and cuts what it quotes.
type ContainerLogs struct {
	Previous string
	Current  string
}

// Presence is what is known about a referenced object.
type Presence int

const (
	// Unknown means not visible (RBAC, offline files without it). Never report it as missing.
	Unknown Presence = iota
	Exists
	Missing
)

func (p Presence) String() string {
	switch p {
	case Exists:
		return "exists"
	case Missing:
		return "missing"
	}
	return "unknown"
}

// Kinds of related objects the engine asks about.
const (
	KindSecret         = "Secret"
	KindConfigMap      = "ConfigMap"
	KindPVC            = "PersistentVolumeClaim"
	KindStorageClass   = "StorageClass"
	KindNode           = "Node"
	KindServiceAccount = "ServiceAccount"
)

// Related answers questions about objects a pod refers to. Secrets are only
// ever known by their key names, never their values.
type Related interface {
	// Lookup says whether namespace/name of kind exists. For Secrets and
	// ConfigMaps keys holds their key names (sorted) when it exists.
	Lookup(kind, namespace, name string) (p Presence, keys []string)
	// Names lists the names of kind known in namespace, for "did you mean".
	Names(kind, namespace string) []string
	PVC(namespace, name string) (*corev1.PersistentVolumeClaim, Presence)
	StorageClass(name string) (*storagev1.StorageClass, Presence)
	Node(name string) (*corev1.Node, Presence)
	// Nodes returns all known nodes; ok is false when the node list is not known.
	Nodes() (nodes []*corev1.Node, ok bool)
}

// Store is a simple Related built from objects in hand: offline files or what
// the kube package fetched. An object absent from the store is Unknown unless
// its namespace was marked complete for that kind (a list was allowed) or it
// was marked missing (a get answered 404).
type Store struct {
	objects  map[string][]string // kind/ns/name -> keys
	missing  map[string]bool     // kind/ns/name
	complete map[string]bool     // kind/ns
	pvcs     map[string]*corev1.PersistentVolumeClaim
	classes  map[string]*storagev1.StorageClass
	nodes    map[string]*corev1.Node
	allNodes bool
}

// NewStore returns an empty store where everything is Unknown.
func NewStore() *Store {
	return &Store{
		objects: map[string][]string{}, missing: map[string]bool{}, complete: map[string]bool{},
		pvcs: map[string]*corev1.PersistentVolumeClaim{}, classes: map[string]*storagev1.StorageClass{}, nodes: map[string]*corev1.Node{},
	}
}

func key(kind, ns, name string) string { return kind + "/" + ns + "/" + name }

// AddSecret records a Secret by its key names only; values are dropped here.
func (s *Store) AddSecret(sec *corev1.Secret) {
	keys := make([]string, 0, len(sec.Data)+len(sec.StringData))
	for k := range sec.Data {
		keys = append(keys, k)
	}
	for k := range sec.StringData {
		if _, dup := sec.Data[k]; !dup {
			keys = append(keys, k)
		}
	}
	s.Add(KindSecret, sec.Namespace, sec.Name, keys)
}

// AddConfigMap records a ConfigMap by its key names.
func (s *Store) AddConfigMap(cm *corev1.ConfigMap) {
	keys := make([]string, 0, len(cm.Data)+len(cm.BinaryData))
	for k := range cm.Data {
		keys = append(keys, k)
	}
	for k := range cm.BinaryData {
		keys = append(keys, k)
	}
	s.Add(KindConfigMap, cm.Namespace, cm.Name, keys)
}

// Add records that an object exists (keys may be nil).
func (s *Store) Add(kind, ns, name string, keys []string) {
	keys = append([]string(nil), keys...)
	sort.Strings(keys)
	if keys == nil {
		keys = []string{}
	}
	s.objects[key(kind, ns, name)] = keys
	delete(s.missing, key(kind, ns, name))
}

// AddPVC records a PersistentVolumeClaim.
func (s *Store) AddPVC(pvc *corev1.PersistentVolumeClaim) {
	s.pvcs[pvc.Namespace+"/"+pvc.Name] = pvc
	s.Add(KindPVC, pvc.Namespace, pvc.Name, nil)
}

// AddStorageClass records a StorageClass.
func (s *Store) AddStorageClass(sc *storagev1.StorageClass) {
	s.classes[sc.Name] = sc
	s.Add(KindStorageClass, "", sc.Name, nil)
}

// AddNode records a Node.
func (s *Store) AddNode(n *corev1.Node) {
	s.nodes[n.Name] = n
	s.Add(KindNode, "", n.Name, nil)
}

// AddServiceAccount records a ServiceAccount.
func (s *Store) AddServiceAccount(sa *corev1.ServiceAccount) {
	s.Add(KindServiceAccount, sa.Namespace, sa.Name, nil)
}

// SetMissing records that a get answered "not found".
func (s *Store) SetMissing(kind, ns, name string) {
	if _, ok := s.objects[key(kind, ns, name)]; !ok {
		s.missing[key(kind, ns, name)] = true
	}
}

// SetComplete records that every object of kind in ns is in the store (a list
// was allowed), so an absent one is Missing. Use ns "" for cluster-scoped kinds.
func (s *Store) SetComplete(kind, ns string) {
	s.complete[kind+"/"+ns] = true
	if kind == KindNode {
		s.allNodes = true
	}
}

func (s *Store) Lookup(kind, ns, name string) (Presence, []string) {
	if s == nil {
		return Unknown, nil
	}
	if keys, ok := s.objects[key(kind, ns, name)]; ok {
		return Exists, keys
	}
	if s.missing[key(kind, ns, name)] || s.complete[kind+"/"+ns] {
		return Missing, nil
	}
	return Unknown, nil
}

func (s *Store) Names(kind, ns string) []string {
	var names []string
	prefix := kind + "/" + ns + "/"
	for k := range s.objects {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			names = append(names, k[len(prefix):])
		}
	}
	sort.Strings(names)
	return names
}

func (s *Store) PVC(ns, name string) (*corev1.PersistentVolumeClaim, Presence) {
	p, _ := s.Lookup(KindPVC, ns, name)
	return s.pvcs[ns+"/"+name], p
}

func (s *Store) StorageClass(name string) (*storagev1.StorageClass, Presence) {
	p, _ := s.Lookup(KindStorageClass, "", name)
	return s.classes[name], p
}

func (s *Store) Node(name string) (*corev1.Node, Presence) {
	p, _ := s.Lookup(KindNode, "", name)
	return s.nodes[name], p
}

func (s *Store) Nodes() ([]*corev1.Node, bool) {
	if len(s.nodes) == 0 && !s.allNodes {
		return nil, false
	}
	out := make([]*corev1.Node, 0, len(s.nodes))
	for _, n := range s.nodes {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, true
}

// unknownRelated is used when Input.Related is nil.
type unknownRelated struct{}

func (unknownRelated) Lookup(string, string, string) (Presence, []string) { return Unknown, nil }
func (unknownRelated) Names(string, string) []string                      { return nil }
func (unknownRelated) PVC(string, string) (*corev1.PersistentVolumeClaim, Presence) {
	return nil, Unknown
}

func (unknownRelated) StorageClass(string) (*storagev1.StorageClass, Presence) { return nil, Unknown }

func (unknownRelated) Node(string) (*corev1.Node, Presence) { return nil, Unknown }
func (unknownRelated) Nodes() ([]*corev1.Node, bool)        { return nil, false }

// EventsMissing says, for a person, that a pod's events could not be read
// (Input.EventsProblem) and what that hides.
func EventsMissing(problem string) string {
	return "events could not be read (" + problem + "): causes only events show " +
		"(a volume that does not mount, no node that fits, an image that does not pull) may be missing"
}
