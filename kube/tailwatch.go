package kube

import (
	"context"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// TailLogs tails the logs of a source's pods through the API: a pod watch
// (or, without follow, one list) of the source's namespace and selector, and
// a stream per container.
func (c *Client) TailLogs(ctx context.Context, src LogSource, opts TailOptions) *Tail {
	ctx, cancel := context.WithCancel(ctx)
	var pods <-chan PodEvent
	if opts.Follow {
		pods = c.watchSourcePods(ctx, src)
	} else {
		pods = c.listSourcePods(ctx, src)
	}
	t := StartTail(ctx, src, opts, pods, c.openLogs)
	stop := t.cancel
	t.cancel = func() { stop(); cancel() }
	return t
}

// trimForTail keeps what a tail reads of a pod: names, labels, owners and
// the container statuses; pods of the namespace the source does not pick
// keep only their names.
func trimForTail(src LogSource) cache.TransformFunc {
	return func(obj any) (any, error) {
		p, ok := obj.(*corev1.Pod)
		if !ok {
			return obj, nil
		}
		p.ManagedFields, p.Annotations = nil, nil
		p.Spec = corev1.PodSpec{}
		if !src.Matches(p) {
			p.Labels, p.Status = nil, corev1.PodStatus{}
		}
		return p, nil
	}
}

// maxTailNamespaces bounds the per-namespace watches of a fixed set of pods
// in several namespaces; beyond it one cluster-wide watch is cheaper.
const maxTailNamespaces = 20

// namespaces are where the source's pods are watched: its namespace, the
// namespaces of a fixed set (up to maxTailNamespaces), or "" for all.
func (s LogSource) namespaces() []string {
	if s.Namespace != "" || s.Pods == nil {
		return []string{s.Namespace}
	}
	seen := map[string]bool{}
	var out []string
	for p := range s.Pods {
		if !seen[p.Namespace] {
			seen[p.Namespace] = true
			out = append(out, p.Namespace)
		}
	}
	if len(out) == 0 || len(out) > maxTailNamespaces {
		return []string{""}
	}
	slices.Sort(out)
	return out
}

// watchSourcePods runs an informer per namespace of the source and sends
// their pods' changes until ctx ends; then it closes the channel.
func (c *Client) watchSourcePods(ctx context.Context, src LogSource) <-chan PodEvent {
	out := make(chan PodEvent, 64)
	send := func(ev PodEvent) {
		select {
		case out <- ev:
		case <-ctx.Done():
		}
	}
	var infs []cache.SharedIndexInformer
	for _, ns := range src.namespaces() {
		infs = append(infs, c.sourceInformer(ns, src, send))
	}
	go func() {
		defer close(out)
		var wg sync.WaitGroup
		synced := make([]cache.InformerSynced, 0, len(infs))
		for _, inf := range infs {
			wg.Go(func() { inf.RunWithContext(ctx) })
			synced = append(synced, inf.HasSynced)
		}
		if cache.WaitForCacheSync(ctx.Done(), synced...) {
			send(PodEvent{Synced: true})
		}
		wg.Wait()
	}()
	return out
}

// sourceInformer is an informer on the source's pods of one namespace
// (the server filters by the selector), its objects trimmed.
func (c *Client) sourceInformer(ns string, src LogSource, send func(PodEvent)) cache.SharedIndexInformer {
	pods := c.Clientset.CoreV1().Pods(ns)
	sel := src.listSelector()
	// The wrapper tells the reflector whether the client streams a
	// watch-list (fake clients do not), as for the pod feed.
	lw := cache.ToListWatcherWithWatchListSemantics(&cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = sel
			return pods.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = sel
			return pods.Watch(ctx, o)
		},
	}, c.Clientset)
	inf := cache.NewSharedIndexInformer(lw, &corev1.Pod{}, 0, cache.Indexers{})
	_ = inf.SetTransform(trimForTail(src))
	_ = inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		send(PodEvent{Err: err})
	})
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o any) { send(PodEvent{Pod: o.(*corev1.Pod)}) },
		UpdateFunc: func(_, o any) { send(PodEvent{Pod: o.(*corev1.Pod)}) },
		DeleteFunc: func(o any) {
			if d, ok := o.(cache.DeletedFinalStateUnknown); ok {
				o = d.Obj
			}
			if p, ok := o.(*corev1.Pod); ok {
				send(PodEvent{Pod: p, Deleted: true})
			}
		},
	})
	return inf
}

// listSourcePods lists the source's pods once, namespace by namespace.
func (c *Client) listSourcePods(ctx context.Context, src LogSource) <-chan PodEvent {
	out := make(chan PodEvent, 64)
	send := func(ev PodEvent) bool {
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	go func() {
		defer close(out)
		for _, ns := range src.namespaces() {
			list, err := c.Clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: src.listSelector()})
			if err != nil {
				send(PodEvent{Err: err})
				return
			}
			for i := range list.Items {
				if !send(PodEvent{Pod: &list.Items[i]}) {
					return
				}
			}
		}
		send(PodEvent{Synced: true})
	}()
	return out
}
