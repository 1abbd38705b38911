package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/podtui/podtui/diagnose"
)

func crashLoopStatus(name string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, RestartCount: 4, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}
}

func TestCrashedContainers(t *testing.T) {
	running := corev1.ContainerStatus{Name: "ok", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	failed := corev1.ContainerStatus{Name: "job", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1}}}
	done := corev1.ContainerStatus{Name: "done", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}}}
	restarted := corev1.ContainerStatus{Name: "restarted", RestartCount: 1, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	pod := &corev1.Pod{Status: corev1.PodStatus{
		InitContainerStatuses: []corev1.ContainerStatus{done, crashLoopStatus("migrate")},
		ContainerStatuses:     []corev1.ContainerStatus{running, failed, restarted, crashLoopStatus("extra")},
	}}
	got := crashedContainers(pod)
	want := []logWant{{container: "migrate", previous: true}, {container: "job", current: true}, {container: "restarted", previous: true}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v (init first, at most %d)", got, want, maxCrashContainers)
	}
	if got := crashedContainers(&corev1.Pod{Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{running, done}}}); len(got) != 0 {
		t.Fatalf("healthy pod: %v", got)
	}
}

func TestAddCrashLogs(t *testing.T) {
	crashing := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop"},
		Status:     corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{crashLoopStatus("app"), crashLoopStatus("gone")}},
	}
	healthy := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Status:     corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "app", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}},
	}
	cs := fake.NewClientset()
	var mu sync.Mutex
	var opts []*corev1.PodLogOptions
	cs.PrependReactor("get", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "log" {
			return false, nil, nil
		}
		o := a.(k8stesting.GenericAction).GetValue().(*corev1.PodLogOptions)
		mu.Lock()
		opts = append(opts, o)
		mu.Unlock()
		if o.Container == "gone" {
			return true, nil, errors.New(`previous terminated container "gone" in pod "api" not found`)
		}
		return true, &runtime.Unknown{Raw: []byte("panic: boom\n")}, nil
	})
	ins := []diagnose.Input{{Pod: healthy}, {Pod: crashing}}
	addCrashLogs(context.Background(), cs, ins)
	if ins[0].Logs != nil {
		t.Errorf("healthy pod got logs %v", ins[0].Logs)
	}
	if got := ins[1].Logs; len(got) != 1 || got["app"].Previous != "panic: boom\n" || got["app"].Current != "" {
		t.Fatalf("crashing pod logs = %#v", got)
	}
	if len(opts) != 2 {
		t.Fatalf("%d log reads, want 2 (none for the healthy pod)", len(opts))
	}
	for _, o := range opts {
		if !o.Previous || o.TailLines == nil || *o.TailLines != diagnose.MaxLogLines || o.LimitBytes == nil || *o.LimitBytes != diagnose.MaxLogBytes || o.Timestamps {
			t.Errorf("unbounded or wrong log options: %+v", o)
		}
	}
}

func TestLogTailNoPreviousAndBound(t *testing.T) {
	cs := fake.NewClientset()
	body := strings.Repeat("x", 2*diagnose.MaxLogBytes)
	cs.PrependReactor("get", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.(k8stesting.GenericAction).GetValue().(*corev1.PodLogOptions).Previous {
			return true, nil, errors.New(`previous terminated container "app" in pod "api" not found`)
		}
		return true, &runtime.Unknown{Raw: []byte(body)}, nil
	})
	if _, err := LogTail(context.Background(), cs, "shop", "api", "app", true); !errors.Is(err, ErrNoPrevious) {
		t.Errorf("previous: err = %v, want ErrNoPrevious", err)
	}
	s, err := LogTail(context.Background(), cs, "shop", "api", "app", false)
	if err != nil || len(s) != diagnose.MaxLogBytes {
		t.Errorf("current: %d bytes, err %v; want %d bytes even when the server sends more", len(s), err, diagnose.MaxLogBytes)
	}
}
