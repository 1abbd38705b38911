package kube

import (
	"context"

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

// watchSourcePods runs an informer on the source's pods and sends their
// changes until ctx ends; then it closes the channel.
func (c *Client) watchSourcePods(ctx context.Context, src LogSource) <-chan PodEvent {
	out := make(chan PodEvent, 64)
	pods := c.Clientset.CoreV1().Pods(src.Namespace)
	sel := src.listSelector()
	send := func(ev PodEvent) {
		select {
		case out <- ev:
		case <-ctx.Done():
		}
	}
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = sel
			return pods.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = sel
			return pods.Watch(ctx, o)
		},
	}
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
	go func() {
		defer close(out)
		done := make(chan struct{})
		go func() {
			defer close(done)
			inf.RunWithContext(ctx)
		}()
		if cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
			send(PodEvent{Synced: true})
		}
		<-done
	}()
	return out
}

// listSourcePods lists the source's pods once.
func (c *Client) listSourcePods(ctx context.Context, src LogSource) <-chan PodEvent {
	out := make(chan PodEvent, 64)
	go func() {
		defer close(out)
		list, err := c.Clientset.CoreV1().Pods(src.Namespace).List(ctx, metav1.ListOptions{LabelSelector: src.listSelector()})
		if err != nil {
			select {
			case out <- PodEvent{Err: err}:
			case <-ctx.Done():
			}
			return
		}
		for i := range list.Items {
			select {
			case out <- PodEvent{Pod: &list.Items[i]}:
			case <-ctx.Done():
				return
			}
		}
		select {
		case out <- PodEvent{Synced: true}:
		case <-ctx.Done():
		}
	}()
	return out
}
