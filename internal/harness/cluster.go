package harness

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ContextName is the context (and cluster) name in every kubeconfig the harness writes.
const ContextName = "podtui-harness"

// Options for Start.
type Options struct {
	Nodes   int  // fake kwok nodes kwok-node-0..Nodes-1 (default 1)
	Metrics bool // also run metrics-server behind the metrics.k8s.io APIService
	// Debug plays the kubelet's part for ephemeral debug containers, which
	// kwok does not: their status, and attach to them (kubelet.go). It runs
	// in the calling process (a pod watch and a proxy in front of kwok), so
	// only clusters that debug containers ask for it.
	Debug  bool
	Log    io.Writer // progress lines (default: discarded)
	Dir    string    // run folder (default: a new temp dir, removed by Stop)
	BinDir string    // control-plane binaries (default: BinDir())
}

// Cluster is a running control plane. Its fields are read-only.
type Cluster struct {
	Dir        string   // run folder: pki/, logs/, pids/, etcd-data/, podlogs/, kubeconfigs
	Kubeconfig string   // admin kubeconfig (system:masters), context "podtui-harness", namespace default
	Server     string   // https://127.0.0.1:<port>
	Nodes      []string // fake node names
	BinDir     string

	EtcdPort, APIServerPort, KwokPort, MetricsPort int

	opts      Options
	log       io.Writer
	ownDir    bool
	pki       *pki
	cfg       *rest.Config
	client    kubernetes.Interface
	dyn       dynamic.Interface
	mapper    *restmapper.DeferredDiscoveryRESTMapper
	etcdArgs  []string
	apiArgs   []string
	mu        sync.Mutex
	procs     map[string]*proc
	stopOnce  sync.Once
	logsMu    sync.Mutex // SetLogs/AppendLog
	startTime time.Time
	kwokInner int      // kwok's own server; with Options.Debug, KwokPort is the kubelet front (kubelet.go)
	stops     []func() // in-process helpers to stop, under mu
}

// onStop registers an in-process helper's stop for Stop.
func (c *Cluster) onStop(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stops = append(c.stops, f)
}

// Start brings up etcd, kube-apiserver, kwok with Options.Nodes fake nodes and, with
// Options.Metrics, metrics-server. It never builds: without binaries it fails with an error
// wrapping ErrNoBinaries. On failure everything already started is stopped and the error
// carries the tail of the failing component's log.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	for attempt := 1; ; attempt++ {
		c, err := start(ctx, opts)
		// A free port can be taken by another process between picking it and the component
		// binding it (rare): start over on new ports.
		if err == nil || attempt == 3 || opts.Dir != "" || !strings.Contains(err.Error(), "address already in use") {
			return c, err
		}
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "harness: port clash, starting over: %v\n", err)
		}
	}
}

func start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	if err := platformErr(); err != nil {
		return nil, err
	}
	if opts.Nodes <= 0 {
		opts.Nodes = 1
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	binDir := opts.BinDir
	if binDir == "" {
		if binDir, err = BinDir(); err != nil {
			return nil, err
		}
	}
	if err := CheckBinaries(binDir); err != nil {
		return nil, err
	}
	c := &Cluster{BinDir: binDir, opts: opts, log: opts.Log, procs: map[string]*proc{}, startTime: time.Now()}
	if opts.Dir == "" {
		if c.Dir, err = os.MkdirTemp("", "podtui-harness-"); err != nil {
			return nil, err
		}
		c.ownDir = true
	} else if c.Dir, err = filepath.Abs(opts.Dir); err != nil {
		return nil, err
	}
	register(c)
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	for _, d := range []string{"logs", "pids", "podlogs", "kwok-home"} {
		if err := os.MkdirAll(filepath.Join(c.Dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	ports, err := freePorts(7)
	if err != nil {
		return nil, err
	}
	etcdPeer, etcdMetrics := ports[1], ports[2]
	c.EtcdPort, c.APIServerPort, c.KwokPort, c.MetricsPort = ports[0], ports[3], ports[4], ports[5]
	c.kwokInner = ports[6]
	c.Server = "https://127.0.0.1:" + strconv.Itoa(c.APIServerPort)
	if c.pki, err = newPKI(filepath.Join(c.Dir, "pki")); err != nil {
		return nil, err
	}

	c.etcdArgs = c.etcdCmd(etcdPeer, etcdMetrics)
	if err := c.startEtcd(ctx); err != nil {
		return nil, err
	}
	c.apiArgs = c.apiserverCmd()
	if err := c.StartAPIServer(ctx); err != nil {
		return nil, err
	}
	if err := c.initClients(); err != nil {
		return nil, err
	}
	if err := c.startKwok(ctx); err != nil {
		return nil, err
	}
	if opts.Metrics {
		if err := c.startMetricsServer(ctx); err != nil {
			return nil, err
		}
	}
	c.logf("cluster ready in %s (kubeconfig %s)", time.Since(c.startTime).Round(10*time.Millisecond), c.Kubeconfig)
	return c, nil
}

func (c *Cluster) logf(format string, args ...any) {
	fmt.Fprintf(c.log, "harness: "+format+"\n", args...)
}

// Ports handed out by this process, never handed out twice (clusters started in parallel
// in one test binary would otherwise be able to get the same just-released port).
var usedPorts = struct {
	sync.Mutex
	m map[int]bool
}{m: map[int]bool{}}

// freePorts asks the kernel for n free loopback ports. All listeners stay open until every
// port is picked, so the n ports are distinct.
func freePorts(n int) ([]int, error) {
	usedPorts.Lock()
	defer usedPorts.Unlock()
	var ports []int
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		p := l.Addr().(*net.TCPAddr).Port
		if !usedPorts.m[p] {
			usedPorts.m[p] = true
			ports = append(ports, p)
		}
	}
	return ports, nil
}

func loopURL(port int) string { return "http://127.0.0.1:" + strconv.Itoa(port) }

func (c *Cluster) etcdCmd(peer, metrics int) []string {
	return []string{
		filepath.Join(c.BinDir, "etcd"),
		"--name=podtui", "--data-dir=" + filepath.Join(c.Dir, "etcd-data"),
		"--listen-client-urls=" + loopURL(c.EtcdPort), "--advertise-client-urls=" + loopURL(c.EtcdPort),
		"--listen-peer-urls=" + loopURL(peer), "--initial-advertise-peer-urls=" + loopURL(peer),
		"--initial-cluster=podtui=" + loopURL(peer), "--listen-metrics-urls=" + loopURL(metrics),
		"--unsafe-no-fsync", "--quota-backend-bytes=4294967296", "--log-level=warn",
	}
}

func (c *Cluster) apiserverCmd() []string {
	pk := c.pki.path
	return []string{
		filepath.Join(c.BinDir, "kube-apiserver"),
		"--etcd-servers=" + loopURL(c.EtcdPort),
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + strconv.Itoa(c.APIServerPort),
		// A loopback advertise address is refused by the default endpoint reconciler.
		"--endpoint-reconciler-type=none",
		"--tls-cert-file=" + pk("apiserver.crt"), "--tls-private-key-file=" + pk("apiserver.key"),
		"--client-ca-file=" + pk("ca.crt"), "--token-auth-file=" + pk("tokens.csv"),
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + pk("sa.pub"), "--service-account-signing-key-file=" + pk("sa.key"),
		"--service-cluster-ip-range=10.0.0.0/24",
		"--kubelet-client-certificate=" + pk("apiserver-kubelet-client.crt"), "--kubelet-client-key=" + pk("apiserver-kubelet-client.key"),
		// With kwok's --node-ip=127.0.0.1 this makes the apiserver dial kwok for logs/exec.
		"--kubelet-preferred-address-types=InternalIP,Hostname",
		// Aggregation layer (metrics.k8s.io).
		"--requestheader-client-ca-file=" + pk("front-proxy-ca.crt"), "--requestheader-allowed-names=front-proxy-client",
		"--requestheader-username-headers=X-Remote-User", "--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file=" + pk("front-proxy-client.crt"), "--proxy-client-key-file=" + pk("front-proxy-client.key"),
		"--allow-privileged=true", "--profiling=false",
		// No controller-manager creates the "default" ServiceAccount; without this every pod create fails.
		"--disable-admission-plugins=ServiceAccount",
	}
}

// waitFor polls check every 100 ms until it succeeds, the process exits, or timeout. Errors
// carry the tail of the component's log.
func (c *Cluster) waitFor(ctx context.Context, name string, timeout time.Duration, check func(context.Context) error) error {
	c.mu.Lock()
	p := c.procs[name]
	c.mu.Unlock()
	deadline := time.Now().Add(timeout)
	for {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := check(cctx)
		cancel()
		if err == nil {
			return nil
		}
		if p != nil && p.exited() {
			return c.withLog(name, fmt.Errorf("exited (%v)", p.err))
		}
		if time.Now().After(deadline) {
			return c.withLog(name, fmt.Errorf("not ready after %s: %w", timeout, err))
		}
		select {
		case <-ctx.Done():
			return c.withLog(name, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// httpGet returns nil when GET url answers 200.
func httpGet(ctx context.Context, client *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, body)
	}
	return nil
}

func (c *Cluster) startEtcd(ctx context.Context) error {
	t := time.Now()
	if _, err := c.startProc("etcd", c.etcdArgs, nil); err != nil {
		return err
	}
	health := loopURL(c.EtcdPort) + "/health"
	if err := c.waitFor(ctx, "etcd", 30*time.Second, func(ctx context.Context) error {
		return httpGet(ctx, http.DefaultClient, health)
	}); err != nil {
		return err
	}
	c.logf("etcd ready on :%d in %s", c.EtcdPort, time.Since(t).Round(10*time.Millisecond))
	return nil
}

// adminHTTP is an HTTP client authenticated as the admin, trusting the cluster CA.
func (c *Cluster) adminHTTP() (*http.Client, error) {
	cert, err := tls.X509KeyPair(c.pki.adminCert, c.pki.adminKey)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(c.pki.ca.cert)
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
		DisableKeepAlives: true,
	}}, nil
}

// StopAPIServer stops kube-apiserver, e.g. to test how a client copes with an unreachable
// server; etcd, kwok and the data stay. It closes its port at once on SIGTERM but would drain
// open watches for up to 60 s, so it gets SIGKILL after 1 s.
func (c *Cluster) StopAPIServer() error {
	return c.stopProc("kube-apiserver", time.Second)
}

// StartAPIServer (re)starts kube-apiserver on the same port with the same flags and waits
// for /readyz.
func (c *Cluster) StartAPIServer(ctx context.Context) error {
	t := time.Now()
	if _, err := c.startProc("kube-apiserver", c.apiArgs, nil); err != nil {
		return err
	}
	hc, err := c.adminHTTP()
	if err != nil {
		return err
	}
	if err := c.waitFor(ctx, "kube-apiserver", 90*time.Second, func(ctx context.Context) error {
		return httpGet(ctx, hc, c.Server+"/readyz")
	}); err != nil {
		return err
	}
	c.logf("kube-apiserver ready on :%d in %s", c.APIServerPort, time.Since(t).Round(10*time.Millisecond))
	return nil
}

// RestartEtcd stops etcd and starts it again with the same data dir and ports. etcd waits up
// to ~7 s for the apiserver's gRPC streams on SIGTERM, so it gets SIGKILL after 1 s; the data
// survives (it has been written, only not fsynced).
func (c *Cluster) RestartEtcd(ctx context.Context) error {
	if err := c.stopProc("etcd", time.Second); err != nil {
		return err
	}
	return c.startEtcd(ctx)
}

// StopEtcd stops etcd and leaves it down: the API server stays up and answers
// requests that need storage with errors (5xx or timeouts) until StartEtcd.
func (c *Cluster) StopEtcd() error {
	return c.stopProc("etcd", time.Second)
}

// StartEtcd starts etcd again (same data dir and ports) and waits until the
// API server reports ready.
func (c *Cluster) StartEtcd(ctx context.Context) error {
	if err := c.startEtcd(ctx); err != nil {
		return err
	}
	hc, err := c.adminHTTP()
	if err != nil {
		return err
	}
	return c.waitFor(ctx, "kube-apiserver", 90*time.Second, func(ctx context.Context) error {
		return httpGet(ctx, hc, c.Server+"/readyz")
	})
}

// initClients writes the admin kubeconfig and builds the clients the harness uses itself.
func (c *Cluster) initClients() error {
	c.Kubeconfig = filepath.Join(c.Dir, "kubeconfig")
	if err := c.writeKubeconfig(c.Kubeconfig, "admin", &clientcmdapi.AuthInfo{
		ClientCertificateData: c.pki.adminCert, ClientKeyData: c.pki.adminKey,
	}); err != nil {
		return err
	}
	c.cfg = &rest.Config{
		Host: c.Server,
		TLSClientConfig: rest.TLSClientConfig{
			CAData: c.pki.ca.certPEM, CertData: c.pki.adminCert, KeyData: c.pki.adminKey,
		},
		// Tests create many objects quickly; client-go's default 5 QPS would throttle them.
		QPS: 1000, Burst: 2000,
	}
	var err error
	if c.client, err = kubernetes.NewForConfig(c.cfg); err != nil {
		return err
	}
	if c.dyn, err = dynamic.NewForConfig(c.cfg); err != nil {
		return err
	}
	c.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(c.client.Discovery()))
	return nil
}

func (c *Cluster) writeKubeconfig(path, user string, auth *clientcmdapi.AuthInfo) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[ContextName] = &clientcmdapi.Cluster{Server: c.Server, CertificateAuthorityData: c.pki.ca.certPEM}
	cfg.AuthInfos[user] = auth
	cfg.Contexts[ContextName] = &clientcmdapi.Context{Cluster: ContextName, AuthInfo: user, Namespace: "default"}
	cfg.CurrentContext = ContextName
	return clientcmd.WriteToFile(*cfg, path)
}

// RESTConfig returns a copy of the admin rest.Config (QPS 1000, Burst 2000).
func (c *Cluster) RESTConfig() *rest.Config { return rest.CopyConfig(c.cfg) }

// Client returns an admin clientset (QPS 1000, Burst 2000).
func (c *Cluster) Client() kubernetes.Interface { return c.client }

// Dynamic returns an admin dynamic client.
func (c *Cluster) Dynamic() dynamic.Interface { return c.dyn }

// AdminToken is the static bearer token of the admin user (system:masters).
func (c *Cluster) AdminToken() string { return c.pki.adminToken }

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// KubeconfigFor writes a kubeconfig authenticating as user (member of groups) with a client
// certificate signed by the cluster CA, and returns its path. Grant it rights with RBAC.
func (c *Cluster) KubeconfigFor(user string, groups []string) (string, error) {
	crt, key, err := c.pki.ca.issue(leaf{cn: user, orgs: groups, client: true})
	if err != nil {
		return "", err
	}
	path := filepath.Join(c.Dir, "kubeconfig-"+unsafeFileChars.ReplaceAllString(user, "_"))
	return path, c.writeKubeconfig(path, user, &clientcmdapi.AuthInfo{ClientCertificateData: crt, ClientKeyData: key})
}

// Stop stops every process and removes the run folder if Start created it (kept when
// PODTUI_HARNESS_KEEP is set, for debugging). Clients go first: kube-apiserver drains open
// watches for up to 60 s on SIGTERM and etcd waits for the apiserver's streams, so each gets
// SIGTERM and, after a short grace, SIGKILL (nothing is kept anyway). Idempotent; safe to pass
// to t.Cleanup.
func (c *Cluster) Stop() {
	c.stopOnce.Do(func() {
		t := time.Now()
		c.mu.Lock()
		stops := c.stops
		c.mu.Unlock()
		for _, f := range stops {
			f()
		}
		var errs []error
		for _, stage := range [][]string{{"metrics-server", "kwok"}, {"kube-apiserver"}, {"etcd"}} {
			var wg sync.WaitGroup
			stageErrs := make([]error, len(stage))
			for i, n := range stage {
				wg.Add(1)
				go func() { defer wg.Done(); stageErrs[i] = c.stopProc(n, time.Second) }()
			}
			wg.Wait()
			errs = append(errs, stageErrs...)
		}
		if err := errors.Join(errs...); err != nil {
			c.logf("stop: %v", err)
		}
		unregister(c)
		if os.Getenv("PODTUI_HARNESS_KEEP") != "" {
			c.logf("stopped in %s; kept %s (PODTUI_HARNESS_KEEP)", time.Since(t).Round(10*time.Millisecond), c.Dir)
			return
		}
		if c.ownDir {
			if err := os.RemoveAll(c.Dir); err != nil {
				c.logf("remove %s: %v", c.Dir, err)
			}
		}
		c.logf("stopped in %s", time.Since(t).Round(10*time.Millisecond))
	})
}

// PIDs returns the PIDs of the processes started so far, by component name (including ones
// that have exited since).
func (c *Cluster) PIDs() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := map[string]int{}
	for n, p := range c.procs {
		m[n] = p.cmd.Process.Pid
	}
	return m
}

// Alive reports whether a process with this PID exists (test helper for leak checks).
func Alive(pid int) bool { return alive(pid) }
