package kube

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/cache"

	"github.com/podtui/podtui/internal/podgen"
)

// benchPods is the pod count of the in-process scale benchmarks;
// PODTUI_BENCH_PODS overrides it.
func benchPods() int {
	if n, err := strconv.Atoi(os.Getenv("PODTUI_BENCH_PODS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// pagedPods is a ListWatch that serves n generated pods in pages, as the
// API server would: each page is encoded to protobuf and decoded again, so the
// cached objects are laid out in memory as decoded ones, and only one page
// is alive at a time. The watch never sends anything.
func pagedPods(n int, now time.Time) cache.ListerWatcher {
	codec := protobuf.NewSerializer(scheme.Scheme, scheme.Scheme)
	return listOnly{&cache.ListWatch{
		ListWithContextFunc: func(_ context.Context, o metav1.ListOptions) (k8sruntime.Object, error) {
			from, _ := strconv.Atoi(o.Continue)
			limit := int(o.Limit)
			if limit <= 0 {
				limit = n
			}
			to := min(n, from+limit)
			list := &corev1.PodList{TypeMeta: metav1.TypeMeta{Kind: "PodList", APIVersion: "v1"}, ListMeta: metav1.ListMeta{ResourceVersion: "1"}}
			for i := from; i < to; i++ {
				list.Items = append(list.Items, *podgen.Pod(i, now))
			}
			if to < n {
				list.Continue = strconv.Itoa(to)
			}
			data, err := k8sruntime.Encode(codec, list)
			if err != nil {
				return nil, err
			}
			out := &corev1.PodList{}
			if _, _, err := codec.Decode(data, nil, out); err != nil {
				return nil, err
			}
			return out, nil
		},
		WatchFuncWithContext: func(context.Context, metav1.ListOptions) (watch.Interface, error) {
			return watch.NewFake(), nil
		},
	}}
}

// listOnly tells the reflector to LIST in pages rather than stream a WatchList.
type listOnly struct{ *cache.ListWatch }

func (listOnly) IsWatchListSemanticsUnSupported() bool { return true }

// cacheHeap fills an informer like PodFeed's (namespace index, optional
// transform) with n pods and returns the heap it holds, in bytes per pod.
func cacheHeap(b *testing.B, n int, transform cache.TransformFunc) float64 {
	b.Helper()
	now := time.Now()
	runtime.GC()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	inf := cache.NewSharedIndexInformer(pagedPods(n, now), &corev1.Pod{}, 0, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	if transform != nil {
		_ = inf.SetTransform(transform)
	}
	stop := make(chan struct{})
	go inf.Run(stop)
	if !cache.WaitForCacheSync(stop, inf.HasSynced) {
		b.Fatal("informer did not sync")
	}
	if got := len(inf.GetStore().ListKeys()); got != n {
		b.Fatalf("cached %d pods, want %d", got, n)
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	perPod := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
	runtime.KeepAlive(inf)
	close(stop)
	return perPod
}

// BenchmarkPodCache measures the heap held per cached pod, raw and as the
// feed keeps it (a PodSummary), for realistic pods decoded from protobuf
// pages.
//
//	go test ./kube -run '^$' -bench PodCache -benchtime 1x
func BenchmarkPodCache(b *testing.B) {
	n := min(benchPods(), 20_000) // per-pod figures are flat beyond a few thousand
	for _, tc := range []struct {
		name      string
		transform cache.TransformFunc
	}{{"raw", nil}, {"summary", summarizeWith(time.Now, nil)}} {
		b.Run(tc.name, func(b *testing.B) {
			var perPod float64
			for b.Loop() {
				perPod = cacheHeap(b, n, tc.transform)
			}
			b.ReportMetric(perPod, "B/pod")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkSummarize measures the transform's own cost per pod: the
// columns, the diagnose engine on the pod alone, requests and limits.
func BenchmarkSummarize(b *testing.B) {
	now := time.Now()
	pods := make([]*corev1.Pod, 1000)
	for i := range pods {
		pods[i] = podgen.Pod(i, now)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Summarize(pods[i%len(pods)], now)
		i++
	}
}

// BenchmarkSnapshot measures PodFeed.Snapshot's copy of the store at 100k pods.
func BenchmarkSnapshot(b *testing.B) {
	n := benchPods()
	now := time.Now()
	inf := cache.NewSharedIndexInformer(pagedPods(n, now), &corev1.Pod{}, 0, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	_ = inf.SetTransform(summarizeWith(time.Now, nil))
	stop := make(chan struct{})
	defer close(stop)
	go inf.Run(stop)
	if !cache.WaitForCacheSync(stop, inf.HasSynced) {
		b.Fatal("informer did not sync")
	}
	f := &PodFeed{informer: inf, synced: true}
	b.ReportAllocs()
	for b.Loop() {
		if s := f.Snapshot(); len(s.Pods) != n {
			b.Fatal(fmt.Sprint(len(s.Pods)))
		}
	}
}
