package kube

import (
	"fmt"
	"net/http"
	"strings"

	"k8s.io/client-go/rest"
)

// ReadOnly returns a client for --readonly whose requests fail before they
// leave the process unless they only read: any method but GET, HEAD and
// OPTIONS, and exec, attach and port-forward (which may be a GET upgraded
// to a WebSocket) are refused. The UI hides those actions too; this is the
// second line, so a bug there cannot write to the cluster.
func (c *Client) ReadOnly() (*Client, error) {
	cfg := rest.CopyConfig(c.Config)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return readOnlyTransport{rt} })
	ro, err := newClient(cfg, c.info)
	if err == nil {
		ro.flags, ro.readOnly = c.flags, true
	}
	return ro, err
}

// ErrReadOnly is returned for any request that would write in read-only mode.
type ErrReadOnly struct{ Method, Path string }

func (e *ErrReadOnly) Error() string {
	return fmt.Sprintf("read-only mode: %s %s refused", e.Method, e.Path)
}

type readOnlyTransport struct{ next http.RoundTripper }

func (t readOnlyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkReadOnly(req); err != nil {
		return nil, err
	}
	return t.next.RoundTrip(req)
}

func checkReadOnly(req *http.Request) error {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		return &ErrReadOnly{Method: req.Method, Path: req.URL.Path}
	}
	// A subresource is the segment after <resource>/<name>; checking its
	// position keeps a pod that is merely named "exec" readable.
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	for i := 2; i < len(parts); i++ {
		switch parts[i-2] {
		case "pods", "services", "nodes":
			switch parts[i] {
			case "exec", "attach", "portforward", "proxy":
				return &ErrReadOnly{Method: req.Method, Path: req.URL.Path}
			}
		}
	}
	return nil
}
