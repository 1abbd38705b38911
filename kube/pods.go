package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

// Scope is what the pod list shows: one namespace or all ("" = all), and a label selector.
type Scope struct {
	Namespace string
	Selector  string
}

// AllNamespaces reports whether the scope spans the cluster.
func (s Scope) AllNamespaces() bool { return s.Namespace == "" }

// Conn is the health of the connection behind a feed.
type Conn struct {
	// Stale is set while the watch is broken: the pods shown are the last known.
	Stale bool
	// Problem says what is wrong, for a person ("API server unreachable …").
	Problem string
	// Since is when the problem started.
	Since time.Time
}

// PodSnapshot is a consistent copy of what the informer knows. The pods are
// shared with the informer cache: read them, never change them.
type PodSnapshot struct {
	Pods   []*PodSummary
	Synced bool
	Conn   Conn
	Scope  Scope
	// Notice is a one-off remark about the scope, e.g. an RBAC fallback.
	Notice string
}

// PodSource is a live pod list as the UI sees it. *PodFeed implements it;
// tests implement it with fixed data.
type PodSource interface {
	// Changed fires at most once per burst of changes.
	Changed() <-chan struct{}
	// Done is closed once the source is stopped.
	Done() <-chan struct{}
	Snapshot() PodSnapshot
	Stop()
}

// PodFeed is a live pod list fed by an informer.
type PodFeed struct {
	cs     kubernetes.Interface
	scope  Scope
	notice string

	changed chan struct{}
	done    chan struct{}
	stop    sync.Once

	timing feedTiming
	// restarts keeps the terminations the informer sees (nil: none kept).
	restarts *restartHistory

	mu       sync.Mutex
	informer cache.SharedIndexInformer
	stopInf  chan struct{}
	conn     Conn
	synced   bool
	probing  bool
}

// feedTiming is how often a feed checks its connection.
type feedTiming struct {
	// heartbeat is how often a quiet but healthy-looking feed checks the
	// server with one small LIST (limit=1, served from the API server's watch
	// cache): with etcd down, the API server keeps watches open but sends
	// nothing, and the list would look fresh while it is not.
	heartbeat time.Duration
	// heartbeatTimeout is how long that LIST may take before the server
	// counts as not answering; together with heartbeat it bounds how late
	// a silent outage is shown (2 s).
	heartbeatTimeout time.Duration
	// probe is how often a broken connection is retried.
	probe time.Duration
}

func defaultFeedTiming() feedTiming {
	return feedTiming{heartbeat: time.Second, heartbeatTimeout: time.Second, probe: time.Second}
}

// WatchPods starts an informer for the scope. With an all-namespaces scope that
// RBAC forbids, it falls back to fallbackNS and says so in the snapshot's Notice.
// It blocks for one small LIST to find that out; call it from a tea.Cmd.
func WatchPods(ctx context.Context, cs kubernetes.Interface, scope Scope, fallbackNS string) (*PodFeed, error) {
	return watchPods(ctx, cs, scope, fallbackNS, defaultFeedTiming(), nil)
}

func watchPods(ctx context.Context, cs kubernetes.Interface, scope Scope, fallbackNS string, timing feedTiming, restarts *restartHistory) (*PodFeed, error) {
	f := &PodFeed{cs: cs, scope: scope, timing: timing, restarts: restarts, changed: make(chan struct{}, 1), done: make(chan struct{})}
	_, err := cs.CoreV1().Pods(scope.Namespace).List(ctx, metav1.ListOptions{Limit: 1, LabelSelector: scope.Selector})
	switch {
	case err == nil:
	case apierrors.IsForbidden(err) && scope.AllNamespaces() && fallbackNS != "":
		f.scope.Namespace = fallbackNS
		f.notice = fmt.Sprintf("not allowed to list pods in all namespaces; showing namespace %q instead", fallbackNS)
	case apierrors.IsBadRequest(err) && scope.Selector != "":
		return nil, fmt.Errorf("invalid label selector %q: %w", scope.Selector, err)
	default:
		// Not fatal: start anyway and let the feed report and recover.
		f.conn = Conn{Stale: true, Problem: Explain(err), Since: time.Now()}
	}
	f.mu.Lock()
	f.startInformerLocked()
	if f.conn.Stale {
		f.startProbeLocked()
	}
	f.mu.Unlock()
	go f.heartbeat()
	return f, nil
}

// heartbeat marks the feed stale when the server stops serving reads while
// the watch stays open (the probe then takes over and relists).
func (f *PodFeed) heartbeat() {
	for {
		select {
		case <-f.done:
			return
		case <-time.After(f.timing.heartbeat):
		}
		f.mu.Lock()
		inf, skip := f.informer, f.probing || !f.synced
		f.mu.Unlock()
		if skip {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), f.timing.heartbeatTimeout)
		_, err := f.cs.CoreV1().Pods(f.scope.Namespace).List(ctx, metav1.ListOptions{Limit: 1, LabelSelector: f.scope.Selector})
		if err != nil && ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("no answer to a %s check", f.timing.heartbeatTimeout)
		}
		cancel()
		select {
		case <-f.done:
			return
		default:
		}
		f.callFailed(inf, err)
	}
}

// Scope returns the scope actually watched (after any RBAC fallback).
func (f *PodFeed) Scope() Scope { return f.scope }

// Changed fires at most once per burst of changes.
func (f *PodFeed) Changed() <-chan struct{} { return f.changed }

// Done is closed by Stop.
func (f *PodFeed) Done() <-chan struct{} { return f.done }

// Stop ends the informer and any reconnect probe.
func (f *PodFeed) Stop() {
	f.stop.Do(func() {
		close(f.done)
		f.mu.Lock()
		close(f.stopInf)
		f.mu.Unlock()
	})
}

// Snapshot copies the current list out of the cache.
func (f *PodFeed) Snapshot() PodSnapshot {
	f.mu.Lock()
	inf, conn, synced := f.informer, f.conn, f.synced
	f.mu.Unlock()
	items := inf.GetStore().List()
	pods := make([]*PodSummary, 0, len(items))
	for _, o := range items {
		if p, ok := o.(*PodSummary); ok {
			pods = append(pods, p)
		}
	}
	return PodSnapshot{Pods: pods, Synced: synced, Conn: conn, Scope: f.scope, Notice: f.notice}
}

func (f *PodFeed) notify() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

func (f *PodFeed) startInformerLocked() {
	pods := f.cs.CoreV1().Pods(f.scope.Namespace)
	sel := f.scope.Selector
	var inf cache.SharedIndexInformer
	// The list and watch calls are wrapped to see connection errors: client-go
	// retries a failed watch inside the reflector without telling anyone.
	lw := cache.ToListWatcherWithWatchListSemantics(&cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = sel
			list, err := pods.List(ctx, o)
			f.callFailed(inf, err)
			return list, err
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = sel
			w, err := pods.Watch(ctx, o)
			f.callFailed(inf, err)
			return w, err
		},
	}, f.cs)
	inf = cache.NewSharedIndexInformer(lw, &corev1.Pod{}, 0, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	_ = inf.SetTransform(summarizeWith(time.Now, f.restarts))
	_ = inf.SetWatchErrorHandler(func(_ *cache.Reflector, err error) { f.callFailed(inf, err) })
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { f.notify() },
		UpdateFunc: func(any, any) { f.notify() },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if s, ok := obj.(*PodSummary); ok {
				f.restarts.forget(s.UID)
			}
			f.notify()
		},
	})
	stop := make(chan struct{})
	f.informer, f.stopInf, f.synced = inf, stop, false
	go inf.Run(stop)
	go func() {
		if cache.WaitForCacheSync(stop, inf.HasSynced) {
			f.mu.Lock()
			if f.informer == inf {
				f.synced = true
				if !f.probing {
					f.conn = Conn{}
				}
			}
			f.mu.Unlock()
			f.notify()
		}
	}()
}

// callFailed marks the data stale and starts probing the server. The
// reflector retries on its own with a backoff of up to 30 s; the probe notices
// a recovered server within a second and starts a fresh informer, so the list
// is relisted at once and nothing stays stale.
func (f *PodFeed) callFailed(inf cache.SharedIndexInformer, err error) {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) || apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
		return // fine, or a normal watch expiry the reflector resumes from
	}
	klog.Infof("pods (%s): %v", f.scope.Namespace, err)
	f.mu.Lock()
	if f.informer != inf {
		f.mu.Unlock()
		return
	}
	problem := Explain(err)
	if !f.conn.Stale {
		f.conn = Conn{Stale: true, Problem: problem, Since: time.Now()}
	} else {
		f.conn.Problem = problem
	}
	f.startProbeLocked()
	f.mu.Unlock()
	f.notify()
}

func (f *PodFeed) startProbeLocked() {
	if f.probing {
		return
	}
	f.probing = true
	go f.probe()
}

func (f *PodFeed) probe() {
	wait := f.timing.probe
	for {
		select {
		case <-f.done:
			return
		case <-time.After(wait):
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_, err := f.cs.CoreV1().Pods(f.scope.Namespace).List(ctx, metav1.ListOptions{Limit: 1, LabelSelector: f.scope.Selector})
		cancel()
		f.mu.Lock()
		if err != nil {
			changed := f.conn.Problem != Explain(err)
			f.conn.Problem = Explain(err)
			f.mu.Unlock()
			if changed {
				f.notify()
			}
			// Credentials do not fix themselves quickly: do not hammer the server.
			if apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err) {
				wait = 5 * f.timing.probe
			}
			continue
		}
		// Back: replace the informer so the list is relisted now, not after
		// the old reflector's backoff.
		select {
		case <-f.done:
			f.mu.Unlock()
			return
		default:
		}
		close(f.stopInf)
		f.probing = false
		f.conn.Problem = "reconnected, reloading pods"
		f.startInformerLocked()
		f.mu.Unlock()
		f.notify()
		return
	}
}

// Explain turns an API error into a short sentence for the status line.
func Explain(err error) string {
	switch {
	case err == nil:
		return ""
	case apierrors.IsUnauthorized(err):
		return "unauthorized (401): the credentials were rejected or have expired; log in again or refresh the token"
	case apierrors.IsForbidden(err):
		return "forbidden (403): " + apiMessage(err)
	case apierrors.IsServiceUnavailable(err), apierrors.IsInternalError(err), apierrors.IsTimeout(err), apierrors.IsServerTimeout(err):
		return "API server error: " + apiMessage(err) + "; retrying"
	default:
		// Drop the request URL: the cause is what matters on one line.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "API server unreachable: " + err.Error() + "; reconnecting"
	}
}

func apiMessage(err error) string {
	var se apierrors.APIStatus
	if errors.As(err, &se) && se.Status().Message != "" {
		return se.Status().Message
	}
	return err.Error()
}

// Namespaces lists namespace names, sorted.
func Namespaces(ctx context.Context, cs kubernetes.Interface) ([]string, error) {
	list, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(list.Items))
	for _, n := range list.Items {
		names = append(names, n.Name)
	}
	slices.Sort(names)
	return names, nil
}

func sortStrings(s []string) { slices.Sort(s) }
