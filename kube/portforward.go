package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"k8s.io/apimachinery/pkg/util/httpstream" //nolint:staticcheck // client-go portforward still takes this package's Dialer
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// ForwardRequest asks to forward a local port to a pod's port.
type ForwardRequest struct {
	Namespace string
	Pod       string
	PodPort   int
	// LocalPort 0 picks a free port.
	LocalPort int
}

// Forward is a running port-forward. It ends on Stop, or when the pod or
// the connection goes away (Done closes, Err says why).
type Forward struct {
	Req       ForwardRequest
	LocalPort int // the port actually listened on (127.0.0.1)

	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
	mu       sync.Mutex
	err      error
}

// Stop ends the forward and waits until its listener is closed.
func (f *Forward) Stop() {
	f.stopOnce.Do(func() { close(f.stop) })
	<-f.done
}

// Done is closed once the forward ended.
func (f *Forward) Done() <-chan struct{} { return f.done }

// Err says why the forward ended on its own; nil after Stop.
func (f *Forward) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// String reads like kubectl's message.
func (f *Forward) String() string {
	return fmt.Sprintf("127.0.0.1:%d → %s/%s:%d", f.LocalPort, f.Req.Namespace, f.Req.Pod, f.Req.PodPort)
}

// PortForward starts forwarding and returns once the local port listens.
// It tunnels SPDY over a WebSocket and falls back to plain SPDY when the
// server cannot upgrade, as kubectl does.
func (c *Client) PortForward(ctx context.Context, req ForwardRequest) (*Forward, error) {
	u := c.Clientset.CoreV1().RESTClient().Post().
		Resource("pods").Namespace(req.Namespace).Name(req.Pod).SubResource("portforward").URL()
	transport, upgrader, err := spdy.RoundTripperFor(c.Config)
	if err != nil {
		return nil, err
	}
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, "POST", u)
	if ws, err := portforward.NewSPDYOverWebsocketDialer(u, c.Config); err == nil {
		dialer = portforward.NewFallbackDialer(ws, dialer, func(err error) bool {
			return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
		})
	}
	return startForward(ctx, dialer, req)
}

func startForward(ctx context.Context, dialer httpstream.Dialer, req ForwardRequest) (*Forward, error) {
	f := &Forward{Req: req, stop: make(chan struct{}), done: make(chan struct{})}
	ready := make(chan struct{})
	pf, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{fmt.Sprintf("%d:%d", req.LocalPort, req.PodPort)},
		f.stop, ready, io.Discard, io.Discard)
	if err != nil {
		return nil, err
	}
	failed := make(chan error, 1)
	go func() {
		defer close(f.done)
		err := pf.ForwardPorts()
		select {
		case <-f.stop:
			err = nil // stopped on purpose
		default:
			if err == nil {
				err = errors.New("the connection to the pod closed")
			}
		}
		f.mu.Lock()
		f.err = err
		f.mu.Unlock()
		failed <- err
	}()
	select {
	case <-ready:
	case err := <-failed:
		return nil, fmt.Errorf("port-forward to %s/%s:%d: %w", req.Namespace, req.Pod, req.PodPort, err)
	case <-ctx.Done():
		f.Stop()
		return nil, ctx.Err()
	}
	ports, err := pf.GetPorts()
	if err != nil || len(ports) == 0 {
		f.Stop()
		return nil, fmt.Errorf("port-forward: no local port: %v", err)
	}
	f.LocalPort = int(ports[0].Local)
	return f, nil
}

// NewForward returns a forward that carries nothing and ends on Stop; fake
// clusters in tests hand it out.
func NewForward(req ForwardRequest, localPort int) *Forward {
	f := &Forward{Req: req, LocalPort: localPort, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		<-f.stop
		close(f.done)
	}()
	return f
}
