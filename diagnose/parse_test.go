package diagnose

import (
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
)

func TestParseFitError(t *testing.T) {
	tests := []struct {
		msg     string
		nodes   int
		reasons []FitReason
		kinds   []FitKind
	}{
		{
			// Schedulers before 1.10 (argo-workflows#190).
			"No nodes are available that match all of the following predicates:: Insufficient cpu (9), Insufficient memory (15), MatchNodeSelector (18).",
			18,
			[]FitReason{{9, "Insufficient cpu"}, {15, "Insufficient memory"}, {18, "node(s) didn't match node selector"}},
			[]FitKind{FitResources, FitResources, FitSelector},
		},
		{
			"0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
			3,
			[]FitReason{{1, "node(s) had untolerated taint(s)"}, {2, "Insufficient cpu"}},
			[]FitKind{FitTaint, FitResources},
		},
		{
			"0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 4 Insufficient memory.",
			5,
			[]FitReason{{1, "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"}, {4, "Insufficient memory"}},
			[]FitKind{FitTaint, FitResources},
		},
		{
			"0/2 nodes are available: 2 node(s) had taint {dedicated: gpu}, that the pod didn't tolerate.",
			2,
			[]FitReason{{2, "node(s) had taint {dedicated: gpu}, that the pod didn't tolerate"}},
			[]FitKind{FitTaint},
		},
		{
			"(combined from similar events): 0/4 nodes are available: 2 Too many pods, 2 node(s) didn't have free ports for the requested pod ports.",
			4,
			[]FitReason{{2, "Too many pods"}, {2, "node(s) didn't have free ports for the requested pod ports"}},
			[]FitKind{FitTooManyPods, FitHostPort},
		},
		{
			"0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
			3,
			[]FitReason{{3, "pod has unbound immediate PersistentVolumeClaims"}},
			[]FitKind{FitVolume},
		},
		{
			`0/3 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`,
			3,
			[]FitReason{{3, `persistentvolumeclaim "data" not found`}},
			[]FitKind{FitVolume},
		},
		{
			"0/6 nodes are available: 3 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable, 2 node(s) didn't match pod anti-affinity rules.",
			6,
			[]FitReason{{3, "node(s) didn't match Pod's node affinity/selector"}, {1, "node(s) were unschedulable"}, {2, "node(s) didn't match pod anti-affinity rules"}},
			[]FitKind{FitSelector, FitUnschedNode, FitPodAffinity},
		},
		{"0/3 nodes are available: 3 node(s) had volume node affinity conflict.", 3, []FitReason{{3, "node(s) had volume node affinity conflict"}}, []FitKind{FitVolume}},
		{"0/3 nodes are available: 3 node(s) didn't match pod topology spread constraints.", 3, []FitReason{{3, "node(s) didn't match pod topology spread constraints"}}, []FitKind{FitTopology}},
		{"no nodes available to schedule pods", 0, nil, nil},
	}
	for _, tt := range tests {
		fe, ok := ParseFitError(tt.msg)
		if !ok {
			t.Errorf("not parsed: %q", tt.msg)
			continue
		}
		if fe.Nodes != tt.nodes || !reflect.DeepEqual(fe.Reasons, tt.reasons) {
			t.Errorf("%q\n got %d %#v\nwant %d %#v", tt.msg, fe.Nodes, fe.Reasons, tt.nodes, tt.reasons)
		}
		for i, k := range tt.kinds {
			if i < len(fe.Reasons) && fe.Reasons[i].Kind() != k {
				t.Errorf("%q: reason %d kind %s, want %s", tt.msg, i, fe.Reasons[i].Kind(), k)
			}
		}
	}
	if _, ok := ParseFitError(`running PreBind plugin "VolumeBinding": binding volumes: timed out waiting for the condition`); ok {
		t.Error("PreBind message is not a fit error")
	}
}

func TestParseEviction(t *testing.T) {
	e, ok := ParseEviction("The node was low on resource: memory. Threshold quantity: 100Mi, available: 87472Ki. Container app was using 1843Mi, request is 256Mi, has larger consumption of memory. Container sidecar was using 20Mi, request is 0, has larger consumption of memory. ")
	want := Eviction{
		Resource: "memory", Threshold: "100Mi", Available: "87472Ki",
		Containers: []ContainerUsage{{"app", "1843Mi", "256Mi"}, {"sidecar", "20Mi", "0"}},
	}
	if !ok || !reflect.DeepEqual(e, want) {
		t.Errorf("got %#v", e)
	}
	// Older wording.
	e, _ = ParseEviction("The node was low on resource: ephemeral-storage. Container app was using 12Gi, which exceeds its request of 0. ")
	if len(e.Containers) != 1 || e.Containers[0].Request != "0" || e.Resource != "ephemeral-storage" {
		t.Errorf("older wording: %#v", e)
	}
	e, _ = ParseEviction("The node had condition: [DiskPressure]. ")
	if !reflect.DeepEqual(e.NodeConditions, []string{"DiskPressure"}) {
		t.Errorf("condition: %#v", e)
	}
	e, _ = ParseEviction(`Usage of EmptyDir volume "cache" exceeds the limit "1Gi". `)
	if e.EmptyDir != "cache" || e.Limit != "1Gi" {
		t.Errorf("emptyDir: %#v", e)
	}
	e, _ = ParseEviction("Pod ephemeral local storage usage exceeds the total limit of containers 2Gi. ")
	if e.PodLimit != "2Gi" {
		t.Errorf("pod limit: %#v", e)
	}
}

func TestParseMount(t *testing.T) {
	tests := []struct {
		msg  string
		kind MountKind
		obj  string
	}{
		{`MountVolume.SetUp failed for volume "tls" : secret "api-tls" not found`, MountSecretMissing, "api-tls"},
		{`MountVolume.SetUp failed for volume "config" : configmap "app-config" not found`, MountConfigMapMissing, "app-config"},
		{`MountVolume.SetUp failed for volume "creds" : references non-existent secret key: password`, MountSecretKey, "password"},
		{`MountVolume.SetUp failed for volume "cfg" : configmap references non-existent config key: app.yaml`, MountConfigMapKey, "app.yaml"},
		{`Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) web-0, web-1`, MountMultiAttach, ""},
		{`Waiting for detach for volume "pvc-1" Volume is already used by pod(s) web-0 and 2 pod(s) in different namespaces`, MountMultiAttach, ""},
		{`MountVolume.MountDevice failed for volume "pvc-2" : kubernetes.io/csi: attacher.MountDevice failed to create newCsiDriverClient: driver name ebs.csi.aws.com not found in the list of registered CSI drivers`, MountCSIDriver, "ebs.csi.aws.com"},
		{"MountVolume.SetUp failed for volume \"nfs\" : mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs 10.0.0.5:/x /var/lib\nOutput: mount.nfs: Connection timed out", MountNFS, ""},
		{`MountVolume.MountDevice failed for volume "pvc-3" : rpc error: code = DeadlineExceeded desc = context deadline exceeded`, MountCSI, ""},
		{`AttachVolume.Attach failed for volume "pvc-4" : rpc error: code = Internal desc = Could not attach volume "vol-0abc" to node "i-0def"`, MountAttach, ""},
		{"Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data kube-api-access-x]: timed out waiting for the condition", MountTimeout, ""},
		{"Unable to attach or mount volumes: unmounted volumes=[nfs-client-root], unattached volumes=[nfs-client-root kube-api-access-7x9lq]: timed out waiting for the condition", MountTimeout, ""},
		{"Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process volumes=[]: context deadline exceeded", MountTimeout, ""},
		{`MountVolume.SetUp failed for volume "docker-sock" : hostPath type check failed: /var/run/docker.sock is not a socket file`, MountHostPathType, "/var/run/docker.sock"},
		{`MountVolume.SetUp failed for volume "dev-fuse" : hostPath type check failed: /dev/fuse is not a character device`, MountHostPathType, "/dev/fuse"},
		{`MountVolume.SetUp failed for volume "data" : hostPath type check failed: /mnt/data is not a directory`, MountHostPathType, "/mnt/data"},
		{`MountVolume.SetUp failed for volume "logs" : hostPath C:\var\log doesn't exist`, MountHostPathType, `C:\var\log`},
	}
	for _, tt := range tests {
		m := ParseMount(tt.msg)
		if m.Kind != tt.kind || m.Object != tt.obj {
			t.Errorf("%q: got %s %q, want %s %q", tt.msg, m.Kind, m.Object, tt.kind, tt.obj)
		}
	}
	m := ParseMount(`Waiting for detach for volume "pvc-1" Volume is already used by pod(s) web-0 and 2 pod(s) in different namespaces`)
	if !reflect.DeepEqual(m.UsedBy, []string{"web-0"}) || m.Volume != "pvc-1" {
		t.Errorf("usedBy: %#v", m)
	}
}

func TestClassifyPull(t *testing.T) {
	tests := map[string]PullCause{
		`rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.99": failed to resolve reference "docker.io/library/nginx:1.99": docker.io/library/nginx:1.99: not found`: PullNotFound,
		`Error response from daemon: manifest for nginx:1.99 not found: manifest unknown: manifest unknown`:                                                                                                     PullNotFound,
		`reading manifest 1.99 in quay.io/org/app: manifest unknown`:                                                                                                                                            PullNotFound,
		`pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`:                                                                  PullAuth,
		`Error response from daemon: pull access denied for private/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`:                           PullAuth,
		`failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://auth.example/token: 401 Unauthorized`:                                                                  PullAuth,
		`tls: failed to verify certificate: x509: certificate signed by unknown authority`:                                                                                                                      PullTLS,
		`http: server gave HTTP response to HTTPS client`:                                                                                                                                                       PullTLS,
		`dial tcp: lookup registry.example.co on 10.96.0.10:53: no such host`:                                                                                                                                   PullNetwork,
		`dial tcp 34.1.2.3:443: i/o timeout`: PullNetwork,
		`429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.`: PullRateLimit,
		`no match for platform in manifest: not found`:                                                    PullPlatform,
		`failed to extract layer: write /var/lib/containerd/x: no space left on device`:                   PullDiskPressure,
		`something else entirely`: PullUnknown,
		`pull QPS exceeded`:       PullThrottled,
		`rpc error: code = Canceled desc = failed to pull and unpack image "registry.example.com/ml/trainer:2.1": failed to copy: httpReadSeeker: failed open: failed to do request: context canceled`: PullCutOff,
		`rpc error: code = DeadlineExceeded desc = context deadline exceeded`:                                                                         PullCutOff,
		`failed to do request: Head "https://registry.example.com/v2/app/manifests/1": dial tcp 10.0.0.9:443: i/o timeout: context deadline exceeded`: PullNetwork,
		`read tcp 10.0.0.5:41234->10.0.0.9:443: read: connection reset by peer: context canceled`:                                                     PullNetwork,
	}
	for msg, want := range tests {
		if got := ClassifyPull(msg); got != want {
			t.Errorf("%q: got %s, want %s", msg, got, want)
		}
	}
	if h := pullHost("dial tcp: lookup registry.example.co on 10.96.0.10:53: no such host"); h != "registry.example.co" {
		t.Errorf("pullHost = %q", h)
	}
}

func TestClassifyRuntime(t *testing.T) {
	tests := []struct {
		msg   string
		cause RuntimeCause
		exe   string
	}{
		{`OCI runtime create failed: runc create failed: unable to start container process: exec: "gunicorn": executable file not found in $PATH: unknown`, RuntimeNotFound, "gunicorn"},
		{`unable to start container process: error during container init: exec: "/app/server": stat /app/server: no such file or directory: unknown`, RuntimeNoSuchFile, "/app/server"},
		{`unable to start container process: exec: "/entrypoint.sh": permission denied: unknown`, RuntimePermission, "/entrypoint.sh"},
		{`failed to generate container "x" spec: failed to generate spec: no command specified`, RuntimeNoCommand, ""},
		{`exec /usr/local/bin/app: exec format error`, RuntimeExecFormat, "/usr/local/bin/app"},
		{`failed to reserve container name "app_api-0_shop_1234_0": name "app_api-0_shop_1234_0" is reserved for "abc"`, RuntimeNameReserved, ""},
		{`container create failed: executable file not found in $PATH`, RuntimeNotFound, ""},
		{`context deadline exceeded`, RuntimeDeadline, ""},
	}
	for _, tt := range tests {
		c, exe := ClassifyRuntime(tt.msg)
		if c != tt.cause || exe != tt.exe {
			t.Errorf("%q: got %s %q, want %s %q", tt.msg, c, exe, tt.cause, tt.exe)
		}
	}
}

func TestParseMountFailure(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want MountFailure
		ok   bool
	}{
		{
			"runc 1.1+, a subPath", `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error mounting "/var/lib/kubelet/pods/0b5c/volume-subpaths/conf/nginx/1" to rootfs at "/etc/nginx/nginx.conf": mount /var/lib/kubelet/pods/0b5c/volume-subpaths/conf/nginx/1:/etc/nginx/nginx.conf (via /proc/self/fd/6), flags: 0x5001: not a directory: unknown`,
			MountFailure{Volume: "conf", Container: "nginx", Index: 1, Target: "/etc/nginx/nginx.conf"},
			true,
		},
		{
			"docker, a whole volume", `OCI runtime create failed: container_linux.go:348: starting container process caused "process_linux.go:402: container init caused \"rootfs_linux.go:58: mounting \\\"/var/lib/kubelet/pods/5c8d/volumes/kubernetes.io~configmap/nginx-config\\\" to rootfs \\\"/var/lib/docker/overlay2/9a9b/merged\\\" at \\\"/var/lib/docker/overlay2/9a9b/merged/etc/nginx/nginx.conf\\\" caused \\\"not a directory\\\"\"": unknown: Are you trying to mount a directory onto a file (or vice-versa)? Check if the specified host path exists and is the expected type`,
			MountFailure{Volume: "nginx-config", Index: -1, Target: "/etc/nginx/nginx.conf"},
			true,
		},
		{
			"crun (CRI-O)", "container create failed: mount `/var/lib/kubelet/pods/77aa/volume-subpaths/settings/app/0` to `app/settings.json`: Not a directory",
			MountFailure{Volume: "settings", Container: "app", Index: 0, Target: "/app/settings.json"},
			true,
		},
		{"another runtime error", `exec: "gunicorn": executable file not found in $PATH: unknown`, MountFailure{}, false},
		{"not a directory without a mount", `exec: "/app/run": stat /app/run: not a directory: unknown`, MountFailure{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseMountFailure(tt.msg)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("%s: got %+v %v, want %+v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseHookAndBackoff(t *testing.T) {
	h, ok := ParseHook(`Exec lifecycle hook ([/bin/sh -c /app/register.sh]) for Container "app" in Pod "api_shop(uid)" failed - error: command '/bin/sh -c /app/register.sh' exited with 126: , message: "/bin/sh: /app/register.sh: Permission denied\n"`)
	if !ok || h.Handler != "Exec" || h.Output != "/bin/sh: /app/register.sh: Permission denied" || !strings.Contains(h.Error, "exited with 126") {
		t.Errorf("hook: %#v", h)
	}
	h, ok = ParseHook(`HTTP lifecycle hook (/drain) for Container "app" in Pod "api_shop(uid)" failed - error: Get "http://10.0.0.1:8080/drain": dial tcp 10.0.0.1:8080: connect: connection refused`)
	if !ok || h.Handler != "HTTP" || h.Target != "/drain" {
		t.Errorf("http hook: %#v", h)
	}
	if _, ok := ParseHook("PostStartHook failed"); ok {
		t.Error("newer short wording has nothing to parse")
	}
	d, ok := ParseBackoff("back-off 5m0s restarting failed container=app pod=api_shop(uid)")
	if !ok || d != 5*time.Minute {
		t.Errorf("backoff = %v %v", d, ok)
	}
}

func TestParseConfigError(t *testing.T) {
	tests := map[string]ConfigRef{
		`secret "db-creds" not found`:                              {Kind: KindSecret, Name: "db-creds"},
		`configmap "app" not found`:                                {Kind: KindConfigMap, Name: "app"},
		"couldn't find key password in Secret shop/db-credentials": {Kind: KindSecret, Name: "db-credentials", Key: "password"},
		"couldn't find key queue_url in ConfigMap shop/worker-cfg": {Kind: KindConfigMap, Name: "worker-cfg", Key: "queue_url"},
		// Kubernetes 1.8 and older capitalised it.
		"Couldn't find key contiv_etcd in ConfigMap kube-system/contiv-config": {Kind: KindConfigMap, Name: "contiv-config", Key: "contiv_etcd"},
		`container has runAsNonRoot and image will run as root (x)`:            {NonRoot: "root"},
	}
	for msg, want := range tests {
		if got, ok := ParseConfigError(msg); !ok || got != want {
			t.Errorf("%q: got %#v", msg, got)
		}
	}
	if r, ok := ParseConfigError(`failed to create subPath directory for volumeMount "media" of container "web"`); !ok || r.SubPath != "create" || r.Mount != "media" {
		t.Errorf("subPath create: %+v %v", r, ok)
	}
	if r, ok := ParseConfigError(`failed to prepare subPath for volumeMount "data" of container "app"`); !ok || r.SubPath != "prepare" || r.Mount != "data" {
		t.Errorf("subPath prepare: %+v %v", r, ok)
	}
}

func TestClosest(t *testing.T) {
	names := []string{"db-credentials", "default-token-x7k", "api-tls-cert", "api-config"}
	for in, want := range map[string]string{"db-creds": "db-credentials", "api-tls": "api-tls-cert", "redis": "", "api-confg": "api-config"} {
		if got := Closest(in, names); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
	if Distance("kitten", "sitting") != 3 || Distance("", "abc") != 3 {
		t.Error("Distance")
	}
}

func TestEventsFor(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop", UID: "u1"}}
	at := func(s int) metav1.Time { return metav1.NewTime(testNow.Add(time.Duration(s) * time.Second)) }
	core := func(uid, name, msg string, count int32, last int) *corev1.Event {
		return &corev1.Event{
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: name, UID: types(uid)},
			Reason:         "FailedMount", Message: msg, Count: count, Type: "Warning", FirstTimestamp: at(last - 100), LastTimestamp: at(last),
		}
	}
	all := []Event{
		FromCoreEvent(core("u1", "api", "Unable to attach or mount volumes: unmounted volumes=[a b], unattached volumes=[b a]: timed out", 3, -50)),
		FromCoreEvent(core("u1", "api", "(combined from similar events): Unable to attach or mount volumes: unmounted volumes=[b a], unattached volumes=[a b]: timed out", 40, -10)),
		FromCoreEvent(core("u0", "api", "from an older pod with the same name", 1, -5)), // other UID
		FromCoreEvent(core("", "api", "no uid: matched by name", 1, -20)),
		FromCoreEvent(core("", "other", "another pod", 1, -20)),
	}
	series := &eventsv1.Event{
		Regarding: corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: "api", UID: "u1"}, Reason: "FailedScheduling",
		Note: "0/1 nodes are available: 1 Too many pods.", Type: "Warning", EventTime: metav1.NewMicroTime(testNow.Add(-time.Hour)),
		Series: &eventsv1.EventSeries{Count: 1000000, LastObservedTime: metav1.NewMicroTime(testNow.Add(-time.Second))}, ReportingController: "default-scheduler",
	}
	all = append(all, FromEventsV1(series))
	got := EventsFor(pod, all)
	if len(got) != 3 {
		t.Fatalf("got %d events: %#v", len(got), got)
	}
	if got[0].Reason != "FailedScheduling" || got[0].Count != 1000000 || got[0].Source != "default-scheduler" {
		t.Errorf("events.k8s.io/v1 conversion: %#v", got[0])
	}
	if got[1].Count != 43 || !strings.HasPrefix(got[1].Message, "(combined") {
		t.Errorf("merged repeats: %#v", got[1])
	}
	if got[2].Message != "no uid: matched by name" {
		t.Errorf("name match: %#v", got[2])
	}
}

func types(s string) k8stypes.UID { return k8stypes.UID(s) }

func TestPullHost(t *testing.T) {
	for msg, want := range map[string]string{
		`failed to do request: Head "https://registry.example.co/v2/shop/api/manifests/1.4.2": dial tcp: lookup registry.example.co on 10.96.0.10:53: no such host`: "registry.example.co",
		`Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: Temporary failure in name resolution`:                                       "registry-1.docker.io",
		`Get "https://harbor.internal.example:8443/v2/": x509: certificate signed by unknown authority`:                                                             "harbor.internal.example:8443",
		`Error response from daemon: Get https://k8s.gcr.io/v2/: net/http: request canceled while waiting for connection`:                                           "k8s.gcr.io",
		`failed to copy: httpReadSeeker: failed open: failed to do request: dial tcp 10.0.0.5:5000: i/o timeout`:                                                    "10.0.0.5:5000",
		`manifest unknown`: "",
	} {
		if got := pullHost(msg); got != want {
			t.Errorf("pullHost(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestCNILabel(t *testing.T) {
	for msg, want := range map[string]string{
		`failed to setup network for sandbox "265b": plugin type="calico" failed (add): error getting ClusterInformation: Get "https://172.20.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": Service Unavailable`: "k8s-app=calico-node",
		`failed to setup network for sandbox "9a1f": plugin type="cilium-cni" name="cilium" failed (add): unable to connect to Cilium daemon`:                                                                                          "k8s-app=cilium",
		`failed to setup network for sandbox "5c2e": plugin type="flannel" failed (add): loadFlannelSubnetEnv failed: open /run/flannel/subnet.env: no such file or directory`:                                                         "app=flannel",
		`failed to setup network for sandbox "77aa": plugin type="aws-cni" name="aws-cni" failed (add): add cmd: Error received from AddNetwork gRPC call: rpc error: code = Unavailable desc = connection error`:                      "k8s-app=aws-node",
		`failed to setup network for sandbox "0b3c": plugin type="bridge" failed (add): failed to set bridge addr`:                                                                                                                     "",
	} {
		if got := CNILabel(msg); got != want {
			t.Errorf("CNILabel(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestPreemptor(t *testing.T) {
	for msg, want := range map[string][2]string{
		"Preempted by pod 4f1a2b3c-0000-4000-8000-00000000beef on node worker-1": {"", "4f1a2b3c-0000-4000-8000-00000000beef"},
		"Preempted by ml/trainer-0 on node gpu-3":                                {"ml", "trainer-0"},
		"Preempted by a pod on node worker-1":                                    {"", ""},
	} {
		ns, name := Preemptor(msg)
		if ns != want[0] || name != want[1] {
			t.Errorf("Preemptor(%q) = %q %q, want %q", msg, ns, name, want)
		}
	}
}

func TestWaitedService(t *testing.T) {
	for cmd, want := range map[string][2]string{
		"sh -c until nc -z postgres 5432; do sleep 2; done":                                                                                 {"", "postgres"},
		"sh -c until nslookup mydb; do echo waiting for mydb; sleep 2; done":                                                                {"", "mydb"},
		"sh -c until nslookup myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do sleep 2; done": {"", "myservice"},
		"/wait-for-it.sh rabbitmq:5672 -t 0":                                                                                                {"", "rabbitmq"},
		"sh -c until pg_isready -h db-primary -p 5432; do sleep 1; done":                                                                    {"", "db-primary"},
		"sh -c until nc -z -w 2 redis-master.cache 6379; do sleep 2; done":                                                                  {"cache", "redis-master"},
		"sh -c while ! wget -q -O- http://keycloak.auth.svc.cluster.local:8080/health; do sleep 5; done":                                    {"auth", "keycloak"},
		"sh -c sleep 3600": {"", ""},
		"sh -c until nc -z 10.0.0.5 5432; do sleep 2; done": {"", ""},
	} {
		ns, name := WaitedService(cmd)
		if ns != want[0] || name != want[1] {
			t.Errorf("WaitedService(%q) = %q %q, want %q", cmd, ns, name, want)
		}
	}
}

func TestOfficialTypo(t *testing.T) {
	tests := map[string]string{
		"ngnix:1.27":                   " (did you mean nginx?)",
		"postgress:16":                 " (did you mean postgres?)",
		"docker.io/library/reddis":     " (did you mean redis?)",
		"busybx":                       " (did you mean busybox?)",
		"nginx:1.99":                   "",
		"registry.example.com/ngnix:1": "",
		"myorg/ngnix":                  "",
		"api":                          "",
		"node-exporter":                "",
	}
	for image, want := range tests {
		if got := officialTypo(image); got != want {
			t.Errorf("officialTypo(%q) = %q, want %q", image, got, want)
		}
	}
}

func TestAttachCause(t *testing.T) {
	tests := map[string]string{
		`rpc error: code = Internal desc = Could not attach volume "vol-0abc" to node "i-0def": could not attach volume "vol-0abc" to node "i-0def": UnauthorizedOperation: You are not authorized to perform this operation.`: "may not attach disks",
		`rpc error: code = Internal desc = Could not attach volume "vol-0abc" to node "i-0def": AttachmentLimitExceeded: attachment limit exceeded`:                                                                            "as many disks attached",
		`rpc error: code = Internal desc = Could not attach volume "vol-0abc" to node "i-0def": InvalidVolume.NotFound: The volume 'vol-0abc' does not exist.`:                                                                 "does not exist",
		`rpc error: code = Internal desc = Could not attach volume "vol-0abc" to node "i-0def"`:                                                                                                                                "",
	}
	for msg, want := range tests {
		got := attachCause(msg)
		if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("attachCause(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestImagePath(t *testing.T) {
	tests := map[string]string{
		"nginx":                               "nginx",
		"nginx:1.27":                          "nginx",
		"docker.io/library/nginx:1.27":        "library/nginx",
		"myorg/api@sha256:0d17b565c37b":       "myorg/api",
		"registry.local:5000/tools/busybox:1": "tools/busybox",
		"localhost/app":                       "app",
	}
	for image, want := range tests {
		if got := imagePath(image); got != want {
			t.Errorf("imagePath(%q) = %q, want %q", image, got, want)
		}
	}
	if !shellImage("registry.local:5000/tools/busybox:1.36") {
		t.Error("a busybox behind a registry with a port is not seen as a shell image")
	}
}
