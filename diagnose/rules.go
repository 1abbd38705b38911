package diagnose

// Rule is one row of the rule table: what it catches and what to do next.
// Detection code refers to rules by ID; the table order is the tie-break
// for ordering findings (most likely root cause first).
type Rule struct {
	ID          string
	Category    Category
	Severity    Severity
	Trigger     string   // when it fires, for docs
	Explanation string   // why this happens, in plain words
	Commands    []string // templates: <pod> <namespace> <container> <node> <secret> ...
	Action      Action
}

// Placeholders a command template may use. A command whose placeholder has
// no value for a finding is left out of that finding.
var placeholders = []string{
	"pod", "namespace", "container", "node", "secret", "configmap", "key", "pvc",
	"storageclass", "image", "registry", "pullsecret", "serviceaccount", "owner", "volume", "csidriver", "job", "port", "path",
	"service", "servicens", "labelkey", "otherpod", "host", "cnilabel", "preemptor", "scheduler",
	"envvar", "dir", "revision", "newrevision",
}

const (
	cmdDescribePod    = "kubectl describe pod <pod> -n <namespace>"
	cmdEvents         = "kubectl get events -n <namespace> --field-selector involvedObject.name=<pod> --sort-by=.lastTimestamp"
	cmdPrevLogs       = "kubectl logs <pod> -n <namespace> -c <container> --previous"
	cmdLogs           = "kubectl logs <pod> -n <namespace> -c <container>"
	cmdDescribeNode   = "kubectl describe node <node>"
	cmdOwner          = "kubectl describe <owner> -n <namespace>"
	cmdForceDelete    = "kubectl delete pod <pod> -n <namespace> --grace-period=0 --force"
	cmdManifest       = "docker manifest inspect <image>"
	cmdSecurityCtx    = "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.securityContext} {.spec.containers[?(@.name==\"<container>\")].securityContext}'"
	cmdNodeImage      = "kubectl debug node/<node> -it --image=busybox -- chroot /host crictl inspecti <image>"
	cmdRolloutUndo    = "kubectl rollout undo <owner> -n <namespace> --to-revision=<revision>"
	cmdRolloutHistory = "kubectl rollout history <owner> -n <namespace> --revision=<newrevision>"
	cmdCNIPods        = "kubectl get pods -A -l <cnilabel> -o wide --field-selector spec.nodeName=<node>"
)

var rules = []Rule{
	// Pod-level causes come first: when the node is gone or the pod was
	// evicted, everything else is a consequence.
	{
		ID: "node/lost", Category: CatNodeLost, Severity: SeverityError,
		Trigger:     "status.reason NodeLost, or the pod's node is NotReady/Unknown or no longer exists",
		Explanation: "The node running this pod stopped reporting to the control plane (powered off, network partition, or kubelet down). Its pods cannot be observed or stopped until it returns; after the eviction timeout they are marked for deletion and replaced elsewhere.",
		Commands:    []string{cmdDescribeNode, "kubectl get node <node> -o wide", "kubectl get pods -A -o wide --field-selector spec.nodeName=<node>", cmdOwner, cmdForceDelete},
		Action:      ActionEvents,
	},
	{
		ID: "node/container-status-unknown", Category: CatNodeLost, Severity: SeverityError,
		Trigger:     "a container terminated with reason ContainerStatusUnknown",
		Explanation: "The kubelet could not find the container any more when the pod was stopped, usually after the node was restarted, the runtime lost state, or the pod was evicted. Its exit code (137) is made up by the kubelet, not returned by the process.",
		Commands:    []string{cmdDescribeNode, cmdDescribePod},
		Action:      ActionEvents,
	},
	{
		ID: "terminating/stuck", Category: CatTerminatingStuck, Severity: SeverityError,
		Trigger:     "metadata.deletionTimestamp is past (the grace period is over) and the pod still exists",
		Explanation: "A deleted pod disappears once the kubelet confirms its containers stopped and every finalizer is removed. When it lingers, either a finalizer's controller has not removed its finalizer, or the node is unreachable so the kubelet never confirms.",
		Commands: []string{
			"kubectl get pod <pod> -n <namespace> -o jsonpath='{.metadata.finalizers}'", cmdDescribeNode, cmdOwner, cmdForceDelete,
		},
		Action: ActionEvents,
	},
	{
		ID: "evicted/node-pressure", Category: CatEvicted, Severity: SeverityError,
		Trigger:     "status.reason Evicted with \"The node was low on resource: ...\" or \"The node had condition: ...\"",
		Explanation: "The kubelet evicts pods when the node runs low on memory, disk or PIDs. It picks pods using more than they requested first, so a pod without requests (BestEffort) or far above its request goes first. The pod object stays as Failed; its controller makes a new one.",
		Commands:    []string{cmdDescribeNode, "kubectl top pod <pod> -n <namespace> --containers", "kubectl get pods -n <namespace> --field-selector=status.phase=Failed", cmdOwner},
		Action:      ActionEvents,
	},
	{
		ID: "evicted/ephemeral-storage-limit", Category: CatEvicted, Severity: SeverityError,
		Trigger:     "status.reason Evicted because a container, the pod, or an emptyDir went over its ephemeral-storage limit",
		Explanation: "Writes to the container's writable layer, its logs and emptyDir volumes count as ephemeral storage. Going over a container's ephemeral-storage limit, the pod's total, or an emptyDir sizeLimit gets the pod evicted at once.",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[*].resources}'", cmdDescribeNode},
		Action:      ActionEvents,
	},
	{
		ID: "evicted/other", Category: CatEvicted, Severity: SeverityError,
		Trigger:     "status.reason Evicted with another message",
		Explanation: "The pod was evicted from its node. The pod object stays as Failed until it is garbage-collected; its controller, if any, creates a replacement.",
		Commands:    []string{cmdDescribePod, cmdDescribeNode},
		Action:      ActionEvents,
	},
	{
		ID: "admission/out-of-resources", Category: CatAdmission, Severity: SeverityError,
		Trigger:     "phase Failed with reason OutOfcpu, OutOfmemory, OutOfpods, OutOfephemeral-storage or OutOf<resource>",
		Explanation: "The kubelet refused to run the pod because the node did not have the requested resources left. This happens when a pod is bound to a node directly (spec.nodeName, static or DaemonSet pods) or when the scheduler's view was stale.",
		Commands:    []string{cmdDescribeNode, cmdOwner},
		Action:      ActionEvents,
	},
	{
		ID: "admission/node-affinity", Category: CatAdmission, Severity: SeverityError,
		Trigger:     "phase Failed with reason NodeAffinity",
		Explanation: "The kubelet refused the pod because the node's labels do not match the pod's nodeSelector or required node affinity. This happens when spec.nodeName is set by hand, or node labels changed right after scheduling.",
		Commands:    []string{"kubectl get node <node> -L <labelkey>", "kubectl get node <node> --show-labels", "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.nodeSelector} {.spec.affinity.nodeAffinity}'", cmdOwner},
		Action:      ActionEvents,
	},
	{
		ID: "admission/rejected", Category: CatAdmission, Severity: SeverityError,
		Trigger:     "phase Failed with another kubelet admission reason (UnexpectedAdmissionError, TopologyAffinityError, SysctlForbidden, ...) or \"Pod was rejected:\"",
		Explanation: "The kubelet rejected the pod before starting it. The reason names the admission check that failed; device plugins, the topology manager and sysctl policy are the usual sources.",
		Commands:    []string{cmdDescribePod, cmdDescribeNode},
		Action:      ActionEvents,
	},
	{
		ID: "preempted/scheduler", Category: CatPreempted, Severity: SeverityWarning,
		Trigger:     "DisruptionTarget condition with reason PreemptionByScheduler, a Preempted event, or status.reason Preempting",
		Explanation: "A higher-priority pod needed room, so this pod was stopped to make space. It is expected with priority classes; if it keeps happening, give this workload a higher priority or reserve capacity for it.",
		Commands:    []string{"kubectl get pods -A -o custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,UID:.metadata.uid,NODE:.spec.nodeName,PRIORITY:.spec.priority | grep <preemptor>", cmdEvents, "kubectl get priorityclass", cmdOwner},
		Action:      ActionEvents,
	},
	{
		ID: "preempted/disruption", Category: CatPreempted, Severity: SeverityWarning,
		Trigger:     "DisruptionTarget condition with reason EvictionByEvictionAPI, DeletionByTaintManager, DeletionByPodGC or TerminationByKubelet",
		Explanation: "The pod is being stopped on purpose by the control plane: a drain or eviction call, a NoExecute taint on its node, garbage collection of a pod whose node is gone, or the kubelet shutting down the node.",
		Commands:    []string{cmdDescribeNode, cmdEvents, cmdOwner},
		Action:      ActionEvents,
	},
	{
		ID: "deadline/exceeded", Category: CatDeadline, Severity: SeverityError,
		Trigger:     "status.reason DeadlineExceeded",
		Explanation: "The pod ran longer than spec.activeDeadlineSeconds and the kubelet killed it. For Job pods the Job's activeDeadlineSeconds sets it.",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.activeDeadlineSeconds}'", "kubectl describe job <job> -n <namespace>"},
		Action:      ActionPreviousLogs,
	},

	// Scheduling.
	{
		ID: "schedule/gated", Category: CatUnschedulable, Severity: SeverityWarning,
		Trigger:     "PodScheduled condition with reason SchedulingGated (spec.schedulingGates not empty)",
		Explanation: "The scheduler ignores a pod while it has scheduling gates. The controller that added them (a queue such as Kueue, or a custom one) must remove them.",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.schedulingGates}'"},
		Action:      ActionEvents,
	},
	{
		ID: "schedule/insufficient-resources", Category: CatUnschedulable, Severity: SeverityError,
		Trigger:     "FailedScheduling \"0/N nodes are available: ... Insufficient cpu|memory|...\"",
		Explanation: "No node has enough unrequested capacity for the pod's requests. Scheduling counts requests, not real usage: lower the requests, remove other pods, or add nodes (a cluster autoscaler adds them only if a node group could fit the pod).",
		Commands:    []string{"kubectl describe nodes | grep -A 8 'Allocated resources'", "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[*].resources.requests}'"},
		Action:      ActionEvents,
	},
	{
		ID: "schedule/taints", Category: CatUnschedulable, Severity: SeverityError,
		Trigger:     "FailedScheduling with \"node(s) had untolerated taint(s)\" (older: \"had taint {...}, that the pod didn't tolerate\")",
		Explanation: "Nodes with a NoSchedule or NoExecute taint only take pods that tolerate it. For a taint you or your platform set (dedicated=gpu), add a matching toleration or run the pod on other nodes; a taint Kubernetes sets from a node's state (not-ready, disk-pressure, unschedulable) is fixed on the node.",
		Commands:    []string{"kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints", "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.tolerations}'"},
		Action:      ActionEvents,
	},
	{
		ID: "schedule/node-selector", Category: CatUnschedulable, Severity: SeverityError,
		Trigger:     "FailedScheduling with \"node(s) didn't match Pod's node affinity/selector\"",
		Explanation: "The pod's nodeSelector or required node affinity matches no schedulable node's labels. Check the label keys and values for typos, or label the nodes.",
		Commands:    []string{"kubectl get nodes -L <labelkey>", "kubectl get nodes --show-labels", "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.nodeSelector} {.spec.affinity.nodeAffinity}'"},
		Action:      ActionEvents,
	},
	{
		ID: "schedule/volume", Category: CatUnschedulable, Severity: SeverityError,
		Trigger:     "FailedScheduling about PersistentVolumeClaims: unbound immediate PVCs, a PVC not found, no PV to bind, a PV's node affinity or zone",
		Explanation: "The pod cannot be placed until its volumes can be: a claim must exist and be bound (or bindable on the chosen node), and a PersistentVolume tied to a zone or node limits where the pod can run.",
		Commands:    []string{"kubectl describe pvc <pvc> -n <namespace>", "kubectl get storageclass", "kubectl get pv"},
		Action:      ActionEvents,
	},
	{
		ID: "schedule/too-many-pods", Category: CatUnschedulable, Severity: SeverityError,
		Trigger:     "FailedScheduling with \"Too many pods\"",
		Explanation: "Each node accepts at most its allocatable pod count (kubelet maxPods, or the IP limit of the CNI on cloud providers). Those nodes are full, whatever their CPU and memory.",
		Commands:    []string{"kubectl get nodes -o custom-columns=NAME:.metadata.name,PODS:.status.allocatable.pods"},
		Action:      ActionEvents,
	},
	{
		ID: "schedule/host-port", Category: CatUnschedulable, Severity: SeverityError,
		Trigger:     "FailedScheduling with \"node(s) didn't have free ports for the requested pod ports\"",
		Explanation: "A hostPort can be used by only one pod per node. Another pod (often an older replica of the same workload) already holds it on every candidate node.",
		Commands:    []string{"kubectl get pods -A -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name,NODE:.spec.nodeName,HOSTPORTS:.spec.containers[*].ports[*].hostPort", cmdOwner},
		Action:      ActionEvents,
	},
	{
		ID: "schedule/pod-affinity", Category: CatUnschedulable, Severity: SeverityError,
		Trigger:     "FailedScheduling with pod affinity or anti-affinity reasons",
		Explanation: "Required pod (anti-)affinity rules rule out every node: with anti-affinity per hostname you need at least as many nodes as replicas.",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.affinity}'", cmdOwner},
		Action:      ActionEvents,
	},
	{
		ID: "schedule/topology-spread", Category: CatUnschedulable, Severity: SeverityError,
		Trigger:     "FailedScheduling with \"node(s) didn't match pod topology spread constraints\"",
		Explanation: "A topologySpreadConstraint with whenUnsatisfiable: DoNotSchedule would be broken by every node. Check maxSkew and the topology key against the labels your nodes have.",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.topologySpreadConstraints}'", "kubectl get nodes -L <labelkey>", cmdOwner},
		Action:      ActionEvents,
	},
	{
		ID: "schedule/nodes-unschedulable", Category: CatUnschedulable, Severity: SeverityError,
		Trigger:     "FailedScheduling with \"node(s) were unschedulable\"",
		Explanation: "Those nodes are cordoned (spec.unschedulable), usually during a drain or an upgrade.",
		Commands:    []string{"kubectl get nodes", "kubectl uncordon <node>"},
		Action:      ActionEvents,
	},
	{
		ID: "schedule/no-nodes", Category: CatUnschedulable, Severity: SeverityError,
		Trigger:     "FailedScheduling \"0/0 nodes are available\" or \"no nodes available to schedule pods\"",
		Explanation: "The cluster has no nodes the scheduler can use.",
		Commands:    []string{"kubectl get nodes"},
		Action:      ActionEvents,
	},
	{
		ID: "schedule/other", Category: CatUnschedulable, Severity: SeverityError,
		Trigger:     "FailedScheduling with another reason, or PodScheduled=False (Unschedulable) with no message at hand",
		Explanation: "The scheduler could not place the pod. Its message lists, per reason, how many nodes were ruled out.",
		Commands:    []string{cmdEvents, "kubectl get pod <pod> -n <namespace> -o jsonpath='{.status.conditions[?(@.type==\"PodScheduled\")].message}'"},
		Action:      ActionEvents,
	},
	{
		ID: "schedule/waiting", Category: CatUnschedulable, Severity: SeverityWarning,
		Trigger:     "Pending for over a minute with no node, no scheduling gate and no FailedScheduling event or condition",
		Explanation: "No scheduler has looked at this pod. Check that spec.schedulerName names a running scheduler and that the scheduler is healthy.",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.schedulerName}'", "kubectl get pods -A -o wide | grep <scheduler>", "kubectl get events -A --field-selector source=<scheduler>", "kubectl get pods -n kube-system -l component=kube-scheduler"},
		Action:      ActionEvents,
	},

	// Referenced configuration.
	{
		ID: "config/secret-missing", Category: CatConfigMissing, Severity: SeverityError,
		Trigger:     "CreateContainerConfigError or FailedMount with `secret \"X\" not found`",
		Explanation: "A Secret used in env, envFrom or a volume does not exist in the pod's namespace. The kubelet retries, so the pod starts by itself once the Secret exists; mark the reference optional if it may be absent.",
		Commands:    []string{"kubectl get secret <secret> -n <namespace>", "kubectl get secrets -n <namespace>"},
		Action:      ActionEvents,
	},
	{
		ID: "config/configmap-missing", Category: CatConfigMissing, Severity: SeverityError,
		Trigger:     "CreateContainerConfigError or FailedMount with `configmap \"X\" not found`",
		Explanation: "A ConfigMap used in env, envFrom or a volume does not exist in the pod's namespace. The kubelet retries, so the pod starts by itself once it exists; mark the reference optional if it may be absent.",
		Commands:    []string{"kubectl get configmap <configmap> -n <namespace>", "kubectl get configmaps -n <namespace>"},
		Action:      ActionEvents,
	},
	{
		ID: "config/secret-key-missing", Category: CatConfigMissing, Severity: SeverityError,
		Trigger:     "CreateContainerConfigError \"couldn't find key K in Secret ns/name\" or FailedMount \"references non-existent secret key\"",
		Explanation: "The Secret exists but has no key of that name. Key names are case-sensitive and must match exactly.",
		Commands:    []string{"kubectl get secret <secret> -n <namespace> -o jsonpath='{.data}' | jq 'keys'"},
		Action:      ActionEvents,
	},
	{
		ID: "config/configmap-key-missing", Category: CatConfigMissing, Severity: SeverityError,
		Trigger:     "CreateContainerConfigError \"couldn't find key K in ConfigMap ns/name\" or FailedMount \"references non-existent config key\"",
		Explanation: "The ConfigMap exists but has no key of that name. Key names are case-sensitive and must match exactly.",
		Commands:    []string{"kubectl get configmap <configmap> -n <namespace> -o yaml"},
		Action:      ActionEvents,
	},
	{
		ID: "config/subpath-missing", Category: CatConfigMissing, Severity: SeverityError,
		Trigger:     "a volumeMount's subPath names no file of its ConfigMap, Secret or projected volume (the object's keys, or its items' paths, are known)",
		Explanation: "The kubelet does not refuse a subPath that is not in the volume: it makes an empty directory there and mounts that. Where the image has a file at the mountPath the runtime cannot mount the directory over it (\"not a directory\") and the container never starts; elsewhere the program finds an empty directory where it expects its file (\"Is a directory\", or config not found). Fix the key name in subPath, or the key in the object, or list it under items.",
		Commands:    []string{"kubectl get configmap <configmap> -n <namespace> -o yaml", "kubectl get secret <secret> -n <namespace> -o jsonpath='{.data}'", "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].volumeMounts}'"},
		Action:      ActionEvents,
	},
	{
		ID: "config/subpath-failed", Category: CatContainerCreate, Severity: SeverityError,
		Trigger:     "CreateContainerConfigError \"failed to create subPath directory for volumeMount …\" or \"failed to prepare subPath for volumeMount …\"",
		Explanation: "The kubelet keeps the reason out of the pod's status, so as not to expose the node's filesystem; it is in the kubelet's log on the node. It retries with every sync, and the container starts once the subPath can be set up.",
		Commands: []string{
			"kubectl debug node/<node> -it --image=busybox -- chroot /host sh -c 'journalctl -u kubelet --since -1h | grep -i subpath'",
			"kubectl describe pvc <pvc> -n <namespace>",
			"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].volumeMounts}'",
		},
		Action: ActionEvents,
	},
	{
		ID: "config/serviceaccount-missing", Category: CatConfigMissing, Severity: SeverityError,
		Trigger:     "the pod's ServiceAccount does not exist (lookup, or `serviceaccounts \"X\" not found` in an event)",
		Explanation: "The ServiceAccount named in spec.serviceAccountName is gone, so its token cannot be projected into the pod and new pods of the workload are refused.",
		Commands:    []string{"kubectl get serviceaccount <serviceaccount> -n <namespace>", "kubectl get serviceaccounts -n <namespace>"},
		Action:      ActionEvents,
	},
	{
		ID: "config/run-as-non-root", Category: CatContainerCreate, Severity: SeverityError,
		Trigger:     "CreateContainerConfigError \"container has runAsNonRoot and image will run as root\" (or non-numeric / invalid user)",
		Explanation: "securityContext.runAsNonRoot is true but the image's USER is root, or a name the kubelet cannot check. Set securityContext.runAsUser to a non-zero UID, or build the image with a numeric non-root USER.",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.securityContext} {.spec.containers[*].securityContext}'"},
		Action:      ActionEvents,
	},
	{
		ID: "config/other", Category: CatContainerCreate, Severity: SeverityError,
		Trigger:     "CreateContainerConfigError with another message",
		Explanation: "The kubelet could not build the container's configuration (environment, mounts, security settings) from the pod spec.",
		Commands:    []string{cmdDescribePod},
		Action:      ActionEvents,
	},

	// Volumes.
	{
		ID: "volume/multi-attach", Category: CatVolumeMount, Severity: SeverityError,
		Trigger:     "FailedAttachVolume \"Multi-Attach error for volume ...\" (newer: \"Waiting for detach for volume ...\")",
		Explanation: "A ReadWriteOnce volume can be attached to one node at a time and is still attached elsewhere, usually to an old pod of the same workload (RollingUpdate with an RWO volume) or a node that went away. It frees up when that pod stops and the volume detaches (up to 6 minutes for a lost node).",
		Commands:    []string{"kubectl get pod <otherpod> -n <namespace> -o wide", "kubectl get volumeattachments", "kubectl describe pvc <pvc> -n <namespace>", cmdOwner},
		Action:      ActionEvents,
	},
	{
		ID: "volume/csi-driver-missing", Category: CatVolumeMount, Severity: SeverityError,
		Trigger:     "FailedMount \"driver name X not found in the list of registered CSI drivers\"",
		Explanation: "The CSI driver for this volume is not running on the node (its node DaemonSet pod is missing, crashing, or not scheduled there).",
		Commands:    []string{"kubectl get csidrivers", "kubectl get pods -A -o wide --field-selector spec.nodeName=<node>"},
		Action:      ActionEvents,
	},
	{
		ID: "volume/nfs", Category: CatVolumeMount, Severity: SeverityError,
		Trigger:     "FailedMount of an NFS volume (mount failed: exit status 32, timeouts, wrong fs type)",
		Explanation: "The node could not mount the NFS export: the server is unreachable from the node, the export path or permissions are wrong, or the node lacks the NFS client (nfs-common / nfs-utils).",
		Commands:    []string{cmdDescribePod, "kubectl debug node/<node> -it --image=busybox -- mount"},
		Action:      ActionEvents,
	},
	{
		ID: "volume/attach-failed", Category: CatVolumeMount, Severity: SeverityError,
		Trigger:     "FailedAttachVolume \"AttachVolume.Attach failed for volume ...\"",
		Explanation: "The storage provider could not attach the disk to the node: wrong zone, attach limit reached, permissions of the CSI controller, or the disk is in use.",
		Commands:    []string{"kubectl get volumeattachments", "kubectl describe pvc <pvc> -n <namespace>", cmdDescribeNode},
		Action:      ActionEvents,
	},
	{
		ID: "volume/csi-failed", Category: CatVolumeMount, Severity: SeverityError,
		Trigger:     "FailedMount from a CSI driver (MountVolume.MountDevice/SetUp failed ... rpc error)",
		Explanation: "The CSI driver returned an error while staging or mounting the volume; its own node pod logs say why.",
		Commands:    []string{"kubectl get csidrivers", "kubectl describe pvc <pvc> -n <namespace>", "kubectl get pods -A -o wide --field-selector spec.nodeName=<node>"},
		Action:      ActionEvents,
	},
	{
		ID: "volume/mount-timeout", Category: CatVolumeMount, Severity: SeverityError,
		Trigger:     "FailedMount \"Unable to attach or mount volumes: unmounted volumes=[...] ...: timed out waiting for the condition\" (newer: context deadline exceeded)",
		Explanation: "The kubelet waited two minutes for the listed volumes and gave up for now; it keeps retrying. This message is a symptom: the cause is the volume it lists (a missing Secret/ConfigMap, a Pending PVC, an attach problem).",
		Commands:    []string{cmdEvents, "kubectl describe pvc <pvc> -n <namespace>", "kubectl get configmap <configmap> -n <namespace>", "kubectl get secret <secret> -n <namespace>", cmdDescribeNode},
		Action:      ActionEvents,
	},
	{
		ID: "volume/hostpath-type", Category: CatVolumeMount, Severity: SeverityError,
		Trigger:     "FailedMount \"hostPath type check failed: … is not a …\" or \"hostPath … doesn't exist\"",
		Explanation: "A hostPath volume with a type (Socket, File, Directory, CharDevice, BlockDevice) is mounted only when the path on the node exists and is of that type; the kubelet retries until it is. The path is missing on this node, or it is something else: software the pod expects (a runtime socket, a device driver) is not installed there, or it runs only on some nodes, which a nodeSelector should then pick.",
		Commands:    []string{"kubectl debug node/<node> -it --image=busybox -- ls -l /host<path>", "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.volumes[?(@.name==\"<volume>\")]}'", cmdDescribeNode},
		Action:      ActionEvents,
	},
	{
		ID: "volume/mount-failed", Category: CatVolumeMount, Severity: SeverityError,
		Trigger:     "FailedMount or FailedMapVolume with another message",
		Explanation: "A volume could not be mounted, so the containers cannot be created.",
		Commands:    []string{cmdEvents},
		Action:      ActionEvents,
	},

	// Pod sandbox and network.
	{
		ID: "sandbox/network-not-ready", Category: CatSandboxNetwork, Severity: SeverityError,
		Trigger:     "NetworkNotReady event, or a sandbox error saying the CNI plugin is not initialized",
		Explanation: "The node's network plugin (CNI) is not ready, so no pod network can be set up there. The CNI DaemonSet pod on that node is missing or failing.",
		Commands:    []string{cmdDescribeNode, cmdCNIPods, "kubectl get pods -n kube-system -o wide --field-selector spec.nodeName=<node>"},
		Action:      ActionEvents,
	},
	{
		ID: "sandbox/ip-exhausted", Category: CatSandboxNetwork, Severity: SeverityError,
		Trigger:     "FailedCreatePodSandBox with \"no IP addresses available\" / \"failed to allocate for range\"",
		Explanation: "The node's pod IP range (or the cloud subnet) is out of addresses, often because of leaked IP reservations from crashed sandboxes.",
		Commands:    []string{cmdDescribeNode, cmdCNIPods, "kubectl get pods -A -o wide --field-selector spec.nodeName=<node>"},
		Action:      ActionEvents,
	},
	{
		ID: "sandbox/cni-failed", Category: CatSandboxNetwork, Severity: SeverityError,
		Trigger:     "FailedCreatePodSandBox \"failed to setup network for sandbox ...\"",
		Explanation: "The CNI plugin failed while wiring the pod's network. Its own logs on that node explain why.",
		Commands:    []string{cmdCNIPods, "kubectl get pods -n kube-system -o wide --field-selector spec.nodeName=<node>", cmdDescribeNode},
		Action:      ActionEvents,
	},
	{
		ID: "sandbox/pause-image", Category: CatSandboxNetwork, Severity: SeverityError,
		Trigger:     "FailedCreatePodSandBox \"failed to get sandbox image … failed to pull\"",
		Explanation: "Every pod's sandbox is a tiny pause container, and the node's runtime pulls its image before any pod there can start, so every new pod on this node is stuck the same way. On nodes without access to that registry (air-gapped, behind a proxy, a private mirror only) mirror the pause image and point the runtime at it (containerd: sandbox_image, or sandbox in containerd 2; CRI-O: pause_image).",
		Commands:    []string{"kubectl debug node/<node> -it --image=busybox -- chroot /host crictl pull <image>", "kubectl get pods -A -o wide --field-selector spec.nodeName=<node>,status.phase=Pending", cmdDescribeNode},
		Action:      ActionEvents,
	},
	{
		ID: "sandbox/failed", Category: CatSandboxNetwork, Severity: SeverityError,
		Trigger:     "FailedCreatePodSandBox with another message (runtime handler, cgroup, image of the pause container)",
		Explanation: "The container runtime could not create the pod sandbox, the environment every container of the pod runs in.",
		Commands:    []string{cmdDescribeNode, cmdEvents},
		Action:      ActionEvents,
	},

	// Images.
	{
		ID: "image/invalid-name", Category: CatInvalidImage, Severity: SeverityError,
		Trigger:     "waiting reason InvalidImageName",
		Explanation: "The image reference cannot be parsed: upper-case letters in the repository, a stray space, a tag with invalid characters, or a scheme such as https://. Fix the image field; pulling is never attempted.",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[*].image}'"},
		Action:      ActionEvents,
	},
	{
		ID: "image/never-pull", Category: CatImagePull, Severity: SeverityError,
		Trigger:     "waiting reason ErrImageNeverPull",
		Explanation: "imagePullPolicy is Never and the image is not on this node. Load the image onto the node (kind load, minikube image load, ctr import) or change the pull policy.",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[*].imagePullPolicy}'", cmdNodeImage},
		Action:      ActionEvents,
	},
	{
		ID: "image/not-found", Category: CatImagePull, Severity: SeverityError,
		Trigger:     "ErrImagePull/ImagePullBackOff with \"not found\" / \"manifest unknown\"",
		Explanation: "The registry answered but has no such tag or digest. Check the tag for typos and that it was pushed (CI may not have published it yet).",
		Commands:    []string{"docker manifest inspect <image>", cmdDescribePod},
		Action:      ActionEvents,
	},
	{
		ID: "image/unauthorized", Category: CatImagePull, Severity: SeverityError,
		Trigger:     "ErrImagePull/ImagePullBackOff with \"pull access denied\", \"unauthorized\", \"401\", \"403\", \"insufficient_scope\"",
		Explanation: "The registry refused the pull. Registries answer the same for a repository that does not exist and for one that needs credentials, so check both the name and the pod's imagePullSecrets (or its ServiceAccount's).",
		Commands:    []string{cmdManifest, "kubectl get secret <pullsecret> -n <namespace>", "kubectl get serviceaccount <serviceaccount> -n <namespace> -o jsonpath='{.imagePullSecrets}'", "kubectl create secret docker-registry regcred -n <namespace> --docker-server=<registry> --docker-username=USER --docker-password=TOKEN"},
		Action:      ActionEvents,
	},
	{
		ID: "image/tls", Category: CatImagePull, Severity: SeverityError,
		Trigger:     "ErrImagePull with x509 / tls errors",
		Explanation: "The node does not trust the registry's TLS certificate (self-signed or private CA), or the registry speaks plain HTTP. Install the CA on the nodes' container runtime, or configure the registry as insecure there.",
		Commands:    []string{"kubectl debug node/<node> -it --image=curlimages/curl -- curl -v https://<registry>/v2/", "openssl s_client -connect <host> -showcerts", cmdManifest},
		Action:      ActionEvents,
	},
	{
		ID: "image/network", Category: CatImagePull, Severity: SeverityError,
		Trigger:     "ErrImagePull with \"no such host\", \"i/o timeout\", \"connection refused\", \"dial tcp\"",
		Explanation: "The node could not reach the registry: DNS does not resolve it, or a firewall, proxy or missing NAT route blocks it.",
		Commands:    []string{"kubectl debug node/<node> -it --image=busybox -- nslookup <registry>", "kubectl debug node/<node> -it --image=curlimages/curl -- curl -sv https://<registry>/v2/", cmdManifest},
		Action:      ActionEvents,
	},
	{
		ID: "image/rate-limit", Category: CatImagePull, Severity: SeverityError,
		Trigger:     "ErrImagePull with \"toomanyrequests\" / 429",
		Explanation: "The registry is rate-limiting pulls (Docker Hub limits anonymous pulls per IP). Authenticate with an imagePullSecret, use a mirror or pull-through cache, or pin images to avoid re-pulls.",
		Commands:    []string{"kubectl create secret docker-registry regcred -n <namespace> --docker-server=<registry> --docker-username=USER --docker-password=TOKEN", cmdManifest},
		Action:      ActionEvents,
	},
	{
		ID: "image/kubelet-throttled", Category: CatImagePull, Severity: SeverityWarning,
		Trigger:     "ErrImagePull \"pull QPS exceeded\"",
		Explanation: "Not the registry: the kubelet limits how many pulls it starts (registryPullQPS, 5 per second with a burst of 10 by default), and more pods than that began pulling on this node at once, as after a node restart or a mass reschedule. It retries by itself with back-off; if it lasts, raise registryPullQPS/registryBurst in the kubelet configuration or pre-pull the images.",
		Commands:    []string{"kubectl get pods -A -o wide --field-selector spec.nodeName=<node>", cmdDescribeNode},
		Action:      ActionEvents,
	},
	{
		ID: "image/pull-cut-off", Category: CatImagePull, Severity: SeverityError,
		Trigger:     "ErrImagePull \"context canceled\" or \"context deadline exceeded\" with no network error",
		Explanation: "The pull was still running when it was stopped: the kubelet's runtime request deadline (runtimeRequestTimeout, 2 minutes by default) or the runtime's no-progress timeout (containerd's image_pull_progress_timeout) ran out. The image is large or the registry or mirror is slow from this node; each retry may start over. Make the image smaller, use a registry closer to the nodes, pre-pull it, or raise the timeout.",
		Commands:    []string{"kubectl debug node/<node> -it --image=busybox -- chroot /host crictl pull <image>", cmdManifest, cmdEvents},
		Action:      ActionEvents,
	},
	{
		ID: "image/platform", Category: CatImagePull, Severity: SeverityError,
		Trigger:     "ErrImagePull with \"no match for platform in manifest\"",
		Explanation: "The image has no variant for the node's OS/architecture (e.g. an amd64-only image on an arm64 node). Build a multi-arch image, or schedule on matching nodes with a kubernetes.io/arch nodeSelector.",
		Commands:    []string{"docker manifest inspect <image>", "kubectl get node <node> -L kubernetes.io/arch"},
		Action:      ActionEvents,
	},
	{
		ID: "image/registry-unavailable", Category: CatImagePull, Severity: SeverityError,
		Trigger:     "waiting reason RegistryUnavailable",
		Explanation: "The container runtime reported the registry as unavailable (down, or unreachable from the node).",
		Commands:    []string{"kubectl debug node/<node> -it --image=busybox -- nslookup <registry>", cmdManifest},
		Action:      ActionEvents,
	},
	{
		ID: "image/signature", Category: CatImagePull, Severity: SeverityError,
		Trigger:     "waiting reason SignatureValidationFailed",
		Explanation: "The runtime's image signature policy rejected the image: it is unsigned, or signed with a key the node's policy does not trust.",
		Commands:    []string{"cosign verify <image>", cmdManifest, cmdDescribePod},
		Action:      ActionEvents,
	},
	{
		ID: "image/inspect-error", Category: CatImagePull, Severity: SeverityError,
		Trigger:     "waiting reason ImageInspectError",
		Explanation: "The image is on the node but the runtime cannot read it, usually a corrupted image store on that node.",
		Commands:    []string{cmdDescribeNode, cmdNodeImage},
		Action:      ActionEvents,
	},
	{
		ID: "image/pull-failed", Category: CatImagePull, Severity: SeverityError,
		Trigger:     "ErrImagePull/ImagePullBackOff with another message",
		Explanation: "The image could not be pulled. After each failure the kubelet waits longer before retrying (ImagePullBackOff, up to 5 minutes).",
		Commands:    []string{cmdDescribePod, cmdManifest, "kubectl debug node/<node> -it --image=busybox -- chroot /host crictl pull <image>", cmdDescribeNode},
		Action:      ActionEvents,
	},
	{
		ID: "image/pull-secret-missing", Category: CatImagePull, Severity: SeverityWarning,
		Trigger:     "an imagePullSecret of the pod does not exist, or a FailedToRetrieveImagePullSecret event",
		Explanation: "The pod names an image pull secret that is not in its namespace, so private images are pulled without credentials. Secrets are namespaced: copy it into this namespace.",
		Commands:    []string{"kubectl get secret <pullsecret> -n <namespace>", "kubectl get secrets -n <namespace> --field-selector type=kubernetes.io/dockerconfigjson"},
		Action:      ActionEvents,
	},

	// Creating and starting the container process.
	{
		ID: "start/executable-not-found", Category: CatContainerStart, Severity: SeverityError,
		Trigger:     "RunContainerError, CreateContainerError or StartError with \"executable file not found in $PATH\"",
		Explanation: "The program to run does not exist in the image. `command` replaces the image ENTRYPOINT and `args` replaces its CMD; with only `args` set, the ENTRYPOINT still runs (and if the image has none, args[0] becomes the program).",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].command} {.spec.containers[?(@.name==\"<container>\")].args}'", "docker image inspect <image> --format '{{.Config.Entrypoint}} {{.Config.Cmd}}'"},
		Action:      ActionEvents,
	},
	{
		ID: "start/no-such-file", Category: CatContainerStart, Severity: SeverityError,
		Trigger:     "start error with \"no such file or directory\"",
		Explanation: "A path the runtime needs does not exist in the image: the program itself, its interpreter (a script with #!/bin/bash on an image without bash, or CRLF line endings), or the workingDir.",
		Commands:    []string{"docker image inspect <image> --format '{{.Config.Entrypoint}} {{.Config.Cmd}} {{.Config.WorkingDir}}'"},
		Action:      ActionEvents,
	},
	{
		ID: "start/permission-denied", Category: CatContainerStart, Severity: SeverityError,
		Trigger:     "start error with \"permission denied\"",
		Explanation: "The program exists but cannot be executed: it lacks the executable bit, sits on a noexec mount, or the container's user may not read it.",
		Commands:    []string{"docker run --rm --entrypoint ls <image> -l <path>", cmdSecurityCtx},
		Action:      ActionEvents,
	},
	{
		ID: "start/exec-format", Category: CatContainerStart, Severity: SeverityError,
		Trigger:     "start error or termination message with \"exec format error\"",
		Explanation: "The binary was built for another CPU architecture than the node's (amd64 vs arm64), or a script lacks its #! line.",
		Commands:    []string{"kubectl get node <node> -L kubernetes.io/arch", "docker manifest inspect <image>"},
		Action:      ActionEvents,
	},
	{
		ID: "create/no-command", Category: CatContainerCreate, Severity: SeverityError,
		Trigger:     "CreateContainerError \"no command specified\"",
		Explanation: "Neither the pod (command/args) nor the image (ENTRYPOINT/CMD) says what to run. Set `command` in the container spec.",
		Commands:    []string{"docker image inspect <image> --format '{{.Config.Entrypoint}} {{.Config.Cmd}}'"},
		Action:      ActionEvents,
	},
	{
		ID: "create/name-reserved", Category: CatContainerCreate, Severity: SeverityWarning,
		Trigger:     "CreateContainerError \"failed to reserve container name ... is reserved for ...\"",
		Explanation: "The runtime is still busy creating an earlier attempt of this container (slow disk or image unpacking) and the kubelet retried meanwhile. It usually resolves itself; if not, the node's disk or runtime is overloaded.",
		Commands:    []string{cmdDescribeNode},
		Action:      ActionEvents,
	},
	{
		ID: "create/timeout", Category: CatContainerCreate, Severity: SeverityWarning,
		Trigger:     "CreateContainerError, RunContainerError or StartError \"context deadline exceeded\"",
		Explanation: "The kubelet gave up waiting for the container runtime (runtimeRequestTimeout, 2 minutes by default) while it created or started the container: the node's disk is slow or saturated (unpacking layers, overlay mounts), or the runtime is overloaded. The runtime usually finishes in the background, so the next try often meets \"name is reserved\" and then succeeds; if it keeps happening, look at the node's disk and the runtime.",
		Commands:    []string{cmdDescribeNode, "kubectl debug node/<node> -it --image=busybox -- chroot /host sh -c 'journalctl -u containerd --since -30min | tail -50'"},
		Action:      ActionEvents,
	},
	{
		ID: "create/failed", Category: CatContainerCreate, Severity: SeverityError,
		Trigger:     "CreateContainerError with another message",
		Explanation: "The runtime could not create the container from its spec (mounts, devices, security options).",
		Commands:    []string{cmdDescribePod},
		Action:      ActionEvents,
	},
	{
		ID: "create/stuck", Category: CatContainerCreate, Severity: SeverityWarning,
		Trigger:     "on a node for 5 minutes with no container started (ContainerCreating, PodInitializing, Init:0/N) and no event that explains it",
		Explanation: "Before any container starts, the kubelet mounts the pod's volumes, makes its sandbox and network, and pulls the images; none of these waits changes the pod's status. The kubelet reports their failures only as events (FailedMount, FailedCreatePodSandBox, Failed), and the API server drops events after an hour, so a pod stuck this long often has none left: look at its volumes, its node and the kubelet there.",
		Commands: []string{
			cmdEvents, cmdDescribePod, "kubectl describe pvc <pvc> -n <namespace>",
			"kubectl get events -n <namespace> --field-selector involvedObject.kind=PersistentVolumeClaim,involvedObject.name=<pvc>",
			cmdDescribeNode, "kubectl debug node/<node> -it --image=busybox -- chroot /host sh -c 'journalctl -u kubelet --since -1h | grep <pod>'",
		},
		Action: ActionEvents,
	},
	{
		ID: "start/mount-type", Category: CatContainerStart, Severity: SeverityError,
		Trigger:     "RunContainerError, StartError or CreateContainerError: the OCI runtime's \"error mounting … not a directory\" (\"Are you trying to mount a directory onto a file (or vice-versa)?\")",
		Explanation: "A volume is mounted where the image has the other kind of path: a directory over a file, or a single file (a subPath) over a directory. The usual causes: a whole ConfigMap or Secret volume mounted at the path of a file, where a subPath was meant; a subPath naming a key the object lacks (the kubelet then mounts an empty directory); or a hostPath of the wrong type.",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].volumeMounts}'", "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.volumes[?(@.name==\"<volume>\")]}'", cmdDescribePod},
		Action:      ActionEvents,
	},
	{
		ID: "start/failed", Category: CatContainerStart, Severity: SeverityError,
		Trigger:     "RunContainerError, StartError or ContainerCannotRun with another message",
		Explanation: "The runtime created the container but the OCI runtime could not start its process.",
		Commands:    []string{cmdDescribePod},
		Action:      ActionEvents,
	},

	// Lifecycle hooks.
	{
		ID: "hook/post-start", Category: CatLifecycleHook, Severity: SeverityError,
		Trigger:     "waiting reason PostStartHookError or a FailedPostStartHook event",
		Explanation: "The postStart hook failed, so the kubelet killed the container and will restart it. The hook runs at the same time as the entrypoint, so it must not rely on the app being ready.",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].lifecycle}'", cmdEvents},
		Action:      ActionEvents,
	},
	{
		ID: "hook/pre-stop", Category: CatLifecycleHook, Severity: SeverityWarning,
		Trigger:     "a FailedPreStopHook event",
		Explanation: "The preStop hook failed; the container was stopped anyway, without the graceful step the hook was meant to do.",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].lifecycle}'"},
		Action:      ActionEvents,
	},

	// Init containers.
	{
		ID: "init/crash-loop", Category: CatInitContainer, Severity: SeverityError,
		Trigger:     "an init container in CrashLoopBackOff (STATUS Init:CrashLoopBackOff)",
		Explanation: "An init container keeps failing, so the app containers never start. Init containers run in order and each must exit 0. Its own logs say why.",
		Commands:    []string{cmdPrevLogs, cmdLogs},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "init/failed", Category: CatInitContainer, Severity: SeverityError,
		Trigger:     "an init container terminated with a non-zero exit code (STATUS Init:Error, Init:ExitCode:N, Init:Signal:N)",
		Explanation: "An init container failed. With restartPolicy Never the pod fails for good; otherwise it is retried with back-off.",
		Commands:    []string{cmdLogs},
		Action:      ActionLogs,
	},
	{
		ID: "init/stuck", Category: CatInitContainer, Severity: SeverityWarning,
		Trigger:     "an init container has been running for over 5 minutes (STATUS Init:N/M)",
		Explanation: "The pod waits for this init container to exit. Init containers that wait for a dependency (a database, a Service's DNS name) loop until it appears.",
		Commands:    []string{cmdLogs, "kubectl get svc <service> -n <servicens>", "kubectl get endpointslices -n <servicens> -l kubernetes.io/service-name=<service>", "kubectl exec -it <pod> -n <namespace> -c <container> -- sh"},
		Action:      ActionLogs,
	},

	// Probes and the container's own failures.
	{
		ID: "probe/startup-failing", Category: CatProbeStartup, Severity: SeverityError,
		Trigger:     "Unhealthy \"Startup probe failed: ...\" events, with a Killing \"failed startup probe\" event, a restart by signal (exit 137/143) while they failed, or a running container that has not started (started: false)",
		Explanation: "The app did not pass its startup probe within failureThreshold × periodSeconds, so the kubelet killed and restarted it. Give slow starters a higher failureThreshold rather than a long initialDelaySeconds.",
		Commands:    []string{cmdLogs, cmdPrevLogs, "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].startupProbe}'", "kubectl port-forward pod/<pod> -n <namespace> <port>:<port> & curl -sv http://localhost:<port><path>", cmdEvents},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "probe/liveness-killing", Category: CatProbeLiveness, Severity: SeverityError,
		Trigger:     "Unhealthy \"Liveness probe failed: ...\" events with Killing \"Container X failed liveness probe, will be restarted\", or a restart by signal (exit 137/143) while they failed",
		Explanation: "The container did not crash by itself: the kubelet killed it because its liveness probe failed failureThreshold times in a row. Either the app really hangs, or the probe is wrong (port, path, a timeout too short, or no startup probe for a slow start).",
		Commands:    []string{cmdPrevLogs, "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].livenessProbe}'", "kubectl port-forward pod/<pod> -n <namespace> <port>:<port> & curl -sv http://localhost:<port><path>", cmdEvents},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "oom/killed", Category: CatOOM, Severity: SeverityError,
		Trigger:     "state or lastState terminated with reason OOMKilled while the container crash-loops or keeps restarting (restarted again within 10 minutes)",
		Explanation: "The container used more memory than its limit and the kernel killed it (exit code 137). Raise the memory limit, or find the leak or unbounded cache; for the JVM, Node.js and similar, size the heap below the limit.",
		Commands:    []string{cmdPrevLogs, "kubectl top pod <pod> -n <namespace> --containers"},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "oom/restarted", Category: CatOOM, Severity: SeverityWarning,
		Trigger:     "a container running again whose lastState is terminated with reason OOMKilled, at any age",
		Explanation: "The container ran out of memory and was killed (exit code 137); the kubelet restarted it and it runs now. It will be killed again when its memory grows back to the limit: compare the usage with the limit, and raise the limit or find what grows.",
		Commands:    []string{cmdPrevLogs, "kubectl top pod <pod> -n <namespace> --containers", "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].resources}'"},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "oom/near-limit", Category: CatOOM, Severity: SeverityWarning,
		Trigger:     "a running container's memory usage (metrics.k8s.io) at or above 90% of its memory limit",
		Explanation: "The kernel kills a container the moment it needs more memory than its limit (OOMKilled, exit code 137). Raise the limit before that happens, or find what keeps growing; page cache counts too, but the kernel reclaims it first.",
		Commands:    []string{"kubectl top pod <pod> -n <namespace> --containers", "kubectl logs <pod> -n <namespace> -c <container>"},
		Action:      ActionLogs,
	},
	{
		ID: "crash/exit-zero", Category: CatCrashLoop, Severity: SeverityError,
		Trigger:     "CrashLoopBackOff with last exit code 0 and restartPolicy Always",
		Explanation: "The process finished successfully, but a Deployment's containers must keep running: with restartPolicy Always every exit is restarted, even a clean one. The program probably runs once and quits, or starts a daemon in the background and returns. Run it in the foreground, or use a Job for run-once work.",
		Commands:    []string{cmdPrevLogs},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "crash/exit-error", Category: CatCrashLoop, Severity: SeverityError,
		Trigger:     "CrashLoopBackOff or a failed container with exit code 1, 2 or another application code",
		Explanation: "The application exited with an error by itself. Its last log lines, from the previous container, nearly always say why (bad config, missing dependency, failed connection).",
		Commands:    []string{cmdPrevLogs},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "crash/not-executable", Category: CatCrashLoop, Severity: SeverityError,
		Trigger:     "exit code 126",
		Explanation: "A shell found the command but could not execute it: missing executable bit, a directory, or a binary for another architecture.",
		Commands:    []string{cmdPrevLogs, cmdSecurityCtx},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "crash/command-not-found", Category: CatCrashLoop, Severity: SeverityError,
		Trigger:     "exit code 127",
		Explanation: "A shell could not find a command: a typo in command/args, a tool missing from the image, or a PATH that does not include it.",
		Commands:    []string{cmdPrevLogs},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "crash/sigkill", Category: CatCrashLoop, Severity: SeverityError,
		Trigger:     "exit code 137 (SIGKILL) without OOMKilled",
		Explanation: "Something sent SIGKILL: the kubelet after a failed liveness/startup probe or an expired termination grace period, the runtime, or the node's OOM killer acting on the whole pod.",
		Commands:    []string{cmdPrevLogs, cmdEvents},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "crash/segfault", Category: CatCrashLoop, Severity: SeverityError,
		Trigger:     "exit code 139 (SIGSEGV)",
		Explanation: "The process crashed with a segmentation fault: a bug in native code, or a binary built against other libraries (e.g. glibc vs musl) than the image has.",
		Commands:    []string{cmdPrevLogs},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "crash/sigterm", Category: CatCrashLoop, Severity: SeverityError,
		Trigger:     "exit code 143 (SIGTERM)",
		Explanation: "The process was asked to stop with SIGTERM and did. Outside a deletion this is usually the kubelet restarting it after a failed probe.",
		Commands:    []string{cmdPrevLogs, cmdEvents},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "crash/signal", Category: CatCrashLoop, Severity: SeverityError,
		Trigger:     "exit code 128+n for another signal n (134 SIGABRT, 130 SIGINT, ...)",
		Explanation: "The process was ended by a signal. SIGABRT usually comes from the program itself (a failed assertion or a runtime panic).",
		Commands:    []string{cmdPrevLogs},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "crash/recent-restarts", Category: CatCrashLoop, Severity: SeverityWarning,
		Trigger:     "a running container whose last termination was an error exit (at any age), or any exit within the last hour",
		Explanation: "The container is running now, but its previous instance ended badly and the kubelet restarted it; the previous container's logs show how it ended. It is an error instead (crash-loop) while it keeps restarting.",
		Commands:    []string{cmdPrevLogs},
		Action:      ActionPreviousLogs,
	},
	{
		ID: "crash/node-restart", Category: CatCrashLoop, Severity: SeverityWarning,
		Trigger:     "a running container whose last termination has reason Unknown or ContainerStatusUnknown",
		Explanation: "The kubelet found the previous container gone after its node rebooted or the container runtime restarted, and started a new one; the exit code (255, or 137) is made up by the kubelet, not returned by the app. Look at the node's events and uptime, not the app.",
		Commands:    []string{cmdDescribeNode, "kubectl get events -A --field-selector involvedObject.kind=Node,involvedObject.name=<node>", cmdPrevLogs},
		Action:      ActionEvents,
	},
	{
		ID: "probe/liveness-failing", Category: CatProbeLiveness, Severity: SeverityWarning,
		Trigger:     "Unhealthy \"Liveness probe failed\" events without a restart yet",
		Explanation: "The liveness probe is failing; after failureThreshold failures in a row the kubelet will kill and restart the container.",
		Commands:    []string{cmdLogs, "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].livenessProbe}'", "kubectl port-forward pod/<pod> -n <namespace> <port>:<port> & curl -sv http://localhost:<port><path>", cmdEvents},
		Action:      ActionLogs,
	},
	{
		ID: "probe/readiness-failing", Category: CatProbeReadiness, Severity: SeverityWarning,
		Trigger:     "a running container that is not ready, with Unhealthy \"Readiness probe failed\" events",
		Explanation: "The container runs but fails its readiness probe, so the pod is removed from Service endpoints and gets no traffic. It is not restarted for this.",
		Commands:    []string{cmdLogs, "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].readinessProbe}'", "kubectl port-forward pod/<pod> -n <namespace> <port>:<port> & curl -sv http://localhost:<port><path>", "kubectl get endpointslices -n <namespace> -l kubernetes.io/service-name=<service>"},
		Action:      ActionExec,
	},
	{
		ID: "probe/readiness-gate", Category: CatProbeReadiness, Severity: SeverityWarning,
		Trigger:     "every container ready for 2 minutes, but a readinessGates condition is missing or not True",
		Explanation: "A readiness gate is a pod condition another controller sets, such as a load balancer's target health; until each is True the pod is not Ready, gets no Service traffic, and a rolling update waits on it. When the condition is missing, that controller is not running or does not handle this pod; when it is False, its reason says why (the load balancer's health check fails, registration is slow).",
		Commands:    []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{\"\\n\"}{end}'"},
		Action:      ActionEvents,
	},
	{
		ID: "probe/not-ready", Category: CatProbeReadiness, Severity: SeverityWarning,
		Trigger:     "a container running for over a minute that is not ready, without readiness events (or unmet readiness gates)",
		Explanation: "The pod is Running but not Ready, so Services do not send it traffic. Events expire after an hour, so the probe failures may no longer be listed.",
		Commands:    []string{cmdLogs, cmdDescribePod},
		Action:      ActionLogs,
	},
	// What changed: said after what is wrong, as its likely cause.
	{
		ID: "rollout/changed", Category: CatRollout, Severity: SeverityWarning,
		Trigger:     "a pod with an error or warning runs its workload's newest revision, and the pods of the revision before it were ready (ReplicaSet status)",
		Explanation: "Most breakages follow a change. The pod template differs from the previous revision's as listed, and that revision's pods ran; rolling back restores the previous template while the change is looked into.",
		Commands:    []string{cmdRolloutUndo, cmdRolloutHistory, "kubectl rollout status <owner> -n <namespace>"},
	},
	{
		ID: "rollout/changed-unverified", Category: CatRollout, Severity: SeverityInfo,
		Trigger:     "as rollout/changed, but whether the previous revision's pods ran is not known (its ReplicaSet is scaled to 0, or a StatefulSet or DaemonSet revision)",
		Explanation: "The pod template differs from the previous revision's as listed. Whether that revision ran well is not recorded, so the change is a suspect, not a verdict.",
		Commands:    []string{cmdRolloutHistory, cmdRolloutUndo},
	},
}

// Rules returns the rule table (a copy), in priority order.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	copy(out, rules)
	for i := range out {
		out[i].Commands = append([]string(nil), rules[i].Commands...)
	}
	return out
}

var ruleIndex = func() map[string]int {
	m := make(map[string]int, len(rules))
	for i, r := range rules {
		if _, dup := m[r.ID]; dup {
			panic("diagnose: duplicate rule " + r.ID)
		}
		m[r.ID] = i
	}
	return m
}()
