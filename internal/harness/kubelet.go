package harness

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// What kwok v0.8.0 does not do for ephemeral containers, and what the harness does instead.
//
// kwok never writes spec.ephemeralContainers into status.ephemeralContainerStatuses (its
// stages only template container and init-container statuses), so an ephemeral container
// added through pods/ephemeralcontainers would wait for ever. And kwok serves pods/attach
// from its Attach rules by streaming a log file, read-only: there is no terminal to attach
// to. The harness therefore plays the kubelet's part for both:
//
//   - watchEphemeral gives each new ephemeral container a running status (or ErrImagePull
//     for an image under the reserved .invalid domain, e.g. registry.invalid/x:1);
//   - the kubelet front, a reverse proxy on the port the nodes advertise, passes everything
//     to kwok except an attach to a container started with stdin and a TTY (a debug
//     container, a node shell): that becomes an exec of the container's command (sh when it
//     has none), which kwok serves by running it on the host like any exec.

// startKubeletFront serves the nodes' kubelet port (KwokPort) and forwards to kwok's own
// server on inner.
func (c *Cluster) startKubeletFront(inner int) error {
	cert, err := tls.LoadX509KeyPair(c.pki.path("kwok.crt"), c.pki.path("kwok.key"))
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AddCert(c.pki.ca.cert)
	target := &url.URL{Scheme: "https", Host: "127.0.0.1:" + strconv.Itoa(inner)}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			c.attachAsExec(r.Out)
		},
		// HTTP/1.1 only: the streams upgrade the connection.
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}}},
		FlushInterval: -1, // followed logs flow at once
		ErrorLog:      log.New(c.log, "harness: kubelet front: ", 0),
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:"+strconv.Itoa(c.KwokPort), &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	c.onStop(func() { _ = srv.Close() })
	return nil
}

// attachAsExec rewrites /attach/<ns>/<pod>[/<uid>]/<container> to an exec of the container's
// command when the container is interactive (stdin and TTY).
func (c *Cluster) attachAsExec(r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 4 || parts[0] != "attach" {
		return
	}
	ns, pod, container := parts[1], parts[2], parts[len(parts)-1]
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	p, err := c.client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return
	}
	var ctr *corev1.Container
	for i := range p.Spec.Containers {
		if p.Spec.Containers[i].Name == container {
			ctr = &p.Spec.Containers[i]
		}
	}
	for i := range p.Spec.EphemeralContainers {
		if p.Spec.EphemeralContainers[i].Name == container {
			ctr = (*corev1.Container)(&p.Spec.EphemeralContainers[i].EphemeralContainerCommon)
		}
	}
	if ctr == nil || !ctr.Stdin || !ctr.TTY {
		return
	}
	cmd := append(append([]string{}, ctr.Command...), ctr.Args...)
	if len(cmd) == 0 {
		cmd = []string{"sh"}
	}
	q := r.URL.Query()
	for _, a := range cmd {
		q.Add("command", a)
	}
	parts[0] = "exec"
	r.URL.Path = "/" + strings.Join(parts, "/")
	r.URL.RawPath = ""
	r.URL.RawQuery = q.Encode()
}

// watchEphemeral gives new ephemeral containers a status, as a kubelet would, until ctx ends.
func (c *Cluster) watchEphemeral(ctx context.Context) {
	for ctx.Err() == nil {
		w, err := c.client.CoreV1().Pods("").Watch(ctx, metav1.ListOptions{})
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		for ev := range w.ResultChan() {
			if p, ok := ev.Object.(*corev1.Pod); ok && (ev.Type == watch.Added || ev.Type == watch.Modified) {
				c.startEphemeral(ctx, p)
			}
		}
		w.Stop()
	}
}

// startEphemeral writes the status of the pod's ephemeral containers that have none.
func (c *Cluster) startEphemeral(ctx context.Context, p *corev1.Pod) {
	have := map[string]bool{}
	for _, s := range p.Status.EphemeralContainerStatuses {
		have[s.Name] = true
	}
	statuses := append([]corev1.ContainerStatus{}, p.Status.EphemeralContainerStatuses...)
	for _, ec := range p.Spec.EphemeralContainers {
		if have[ec.Name] {
			continue
		}
		ctr := corev1.Container(ec.EphemeralContainerCommon)
		s := running(p, ctr, time.Now())
		s.Ready = false
		if host, _, _ := strings.Cut(ec.Image, "/"); strings.HasSuffix(host, ".invalid") {
			s = waiting(ctr, "ErrImagePull", PullError(ec.Image))
		}
		statuses = append(statuses, s)
	}
	if len(statuses) == len(p.Status.EphemeralContainerStatuses) {
		return
	}
	patch, err := json.Marshal(map[string]any{"status": map[string]any{"ephemeralContainerStatuses": statuses}})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = c.client.CoreV1().Pods(p.Namespace).Patch(ctx, p.Name, types.MergePatchType, patch, metav1.PatchOptions{}, "status")
	if err != nil && !errors.Is(err, context.Canceled) {
		c.logf("ephemeral status of %s/%s: %v", p.Namespace, p.Name, err)
	}
}
