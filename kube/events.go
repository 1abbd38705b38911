package kube

import (
	"context"
	"errors"
	"io"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/podtui/podtui/diagnose"
)

// EventSource is a live view of one namespace's events, as the UI sees it.
// *EventFeed implements it; tests implement it with fixed data.
type EventSource interface {
	// Changed fires at most once per burst of changes.
	Changed() <-chan struct{}
	// Done is closed once the source is stopped.
	Done() <-chan struct{}
	// For returns the events whose involvedObject is the object with uid,
	// unfolded and unsorted (diagnose.EventsFor folds and sorts).
	For(uid string) []diagnose.Event
	// Synced reports whether the first list has arrived.
	Synced() bool
	// Problem says why the events cannot be listed or watched (RBAC, a
	// failing server); "" while they can.
	Problem() string
	Stop()
}

// involvedUIDIndex indexes events by the UID of the object they are about,
// so a pod's events are found without scanning the namespace.
const involvedUIDIndex = "involvedObject.uid"

func involvedUID(obj any) ([]string, error) {
	if e, ok := obj.(*corev1.Event); ok && e.InvolvedObject.UID != "" {
		return []string{string(e.InvolvedObject.UID)}, nil
	}
	return nil, nil
}

// EventFeed is a live list of a namespace's pod events, fed by an informer.
type EventFeed struct {
	informer cache.SharedIndexInformer
	changed  chan struct{}
	done     chan struct{}
	stop     sync.Once

	mu      sync.Mutex
	problem string
}

// WatchEvents starts an informer on the core/v1 events about pods in ns. It
// does not block: Synced says when the first list is in.
func WatchEvents(cs kubernetes.Interface, ns string) *EventFeed {
	events := cs.CoreV1().Events(ns)
	const onlyPods = "involvedObject.kind=Pod"
	// The wrapper lets the reflector know whether the client can stream a
	// watch-list (fake clients cannot), as for pods.
	lw := cache.ToListWatcherWithWatchListSemantics(&cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = onlyPods
			return events.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = onlyPods
			return events.Watch(ctx, o)
		},
	}, cs)
	f := &EventFeed{changed: make(chan struct{}, 1), done: make(chan struct{})}
	f.informer = cache.NewSharedIndexInformer(lw, &corev1.Event{}, 0, cache.Indexers{involvedUIDIndex: involvedUID})
	_ = f.informer.SetTransform(trimEvent)
	_, _ = f.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { f.setProblem("") },
		UpdateFunc: func(any, any) { f.setProblem("") },
		DeleteFunc: func(any) { f.setProblem("") },
	})
	// The reflector retries for ever; the page must say why nothing comes.
	_ = f.informer.SetWatchErrorHandler(func(_ *cache.Reflector, err error) {
		if !errors.Is(err, io.EOF) && !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
			f.setProblem(Explain(err))
		}
	})
	go f.informer.Run(f.done)
	go func() {
		if cache.WaitForCacheSync(f.done, f.informer.HasSynced) {
			f.setProblem("")
		}
	}()
	return f
}

// trimEvent drops managedFields, which podtui never reads.
func trimEvent(obj any) (any, error) {
	if e, ok := obj.(*corev1.Event); ok && e.ManagedFields != nil {
		c := *e
		c.ManagedFields = nil
		return &c, nil
	}
	return obj, nil
}

func (f *EventFeed) notify() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// setProblem records why the feed fails ("" once it works) and tells the
// page.
func (f *EventFeed) setProblem(p string) {
	f.mu.Lock()
	f.problem = p
	f.mu.Unlock()
	f.notify()
}

// Problem says why the events cannot be read; "" while they can.
func (f *EventFeed) Problem() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.problem
}

// Changed fires at most once per burst of changes.
func (f *EventFeed) Changed() <-chan struct{} { return f.changed }

// Done is closed by Stop.
func (f *EventFeed) Done() <-chan struct{} { return f.done }

// Synced reports whether the first list has arrived.
func (f *EventFeed) Synced() bool { return f.informer.HasSynced() }

// Stop ends the informer.
func (f *EventFeed) Stop() { f.stop.Do(func() { close(f.done) }) }

// For returns the events about the object with uid.
func (f *EventFeed) For(uid string) []diagnose.Event {
	objs, err := f.informer.GetIndexer().ByIndex(involvedUIDIndex, uid)
	if err != nil {
		return nil
	}
	out := make([]diagnose.Event, 0, len(objs))
	for _, o := range objs {
		if e, ok := o.(*corev1.Event); ok {
			out = append(out, diagnose.FromCoreEvent(e))
		}
	}
	return out
}

// WatchEvents starts a live list of the pod events of a namespace.
func (c *Client) WatchEvents(ns string) EventSource {
	return WatchEvents(c.Clientset, ns)
}
