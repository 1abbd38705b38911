package main

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDiagnoseMalformedInput feeds `podtui diagnose -f` the broken files an
// on-call engineer may hand it: each must end with exit code 2 and a message
// naming the file, never a panic or a hang.
func TestDiagnoseMalformedInput(t *testing.T) {
	dir := t.TempDir()
	pod, err := os.ReadFile(fixture("healthy-running.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	binary := make([]byte, 64<<10)
	if _, err := rand.Read(binary); err != nil {
		t.Fatal(err)
	}
	binary = append([]byte("\x7fELF\x02\x01\x01\x00"), binary...)
	// 100 MB: a pod followed by a huge block of junk, valid YAML up to the junk.
	huge := bytes.NewBuffer(make([]byte, 0, 100<<20+len(pod)))
	huge.Write(pod)
	huge.WriteString("---\n")
	line := bytes.Repeat([]byte("x"), 1023)
	for huge.Len() < 100<<20 {
		huge.Write(line)
		huge.WriteByte('\n')
	}
	cases := []struct {
		name, file string
		data       []byte
		want       string // in stderr besides the file name
	}{
		{"invalid YAML", "invalid.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: [web\nspec: : :\n"), ""},
		{"truncated JSON", "truncated.json", []byte(`{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "app", "ima`), ""},
		{"non-pod kind only", "deploy.yaml", []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 1\n"), "pod"},
		{"config maps only", "cm.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: shop\ndata:\n  a: b\n"), "no pods"},
		{"empty", "empty.yaml", []byte("# nothing here\n"), ""},
		{"binary", "binary.bin", binary, ""},
		{"100 MB", "huge.yaml", huge.Bytes(), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.file)
			if err := os.WriteFile(path, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			code, out, errOut := runCLI(t, "diagnose", "-f", path)
			took := time.Since(start)
			t.Logf("exit %d in %s: %s", code, took.Round(time.Millisecond), firstLine(errOut))
			if code != 2 {
				t.Errorf("exit code %d, want 2; stdout %q, stderr %q", code, trim(out), trim(errOut))
			}
			if !strings.Contains(errOut, c.file) {
				t.Errorf("the message does not name the file %s: %q", c.file, trim(errOut))
			}
			if c.want != "" && !strings.Contains(strings.ToLower(errOut), c.want) {
				t.Errorf("the message does not mention %q: %q", c.want, trim(errOut))
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Errorf("panic:\n%s", trim(errOut))
			}
			if len(errOut) > 2000 {
				t.Errorf("the message is %d bytes long; it should be a short line", len(errOut))
			}
			if took > 30*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

func trim(s string) string {
	if len(s) > 500 {
		return s[:500] + "…"
	}
	return s
}

// TestDebugLogIsPrivate: the debug log may hold API errors naming objects
// and users; it is created readable by its owner only.
func TestDebugLogIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "podtui-debug.log")
	t.Setenv("PODTUI_DEBUG", path)
	if code, _, errOut := runCLI(t, "version"); code != 0 {
		t.Fatalf("version: exit %d, %s", code, errOut)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the debug log was not created: %v", err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("debug log mode %o, want 600", perm)
	}
}

// PODTUI_CPUPROFILE and PODTUI_MEMPROFILE write readable profiles of a run,
// private like the debug log; a path that cannot be written is said, and the
// command still works.
func TestProfilesAreWritten(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.out"), filepath.Join(dir, "mem.out")
	t.Setenv("PODTUI_CPUPROFILE", cpu)
	t.Setenv("PODTUI_MEMPROFILE", mem)
	if code, _, stderr := runCLI(t, "version"); code != 0 {
		t.Fatalf("version: exit %d: %s", code, stderr)
	}
	for _, path := range []string{cpu, mem} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		// A pprof profile is a gzipped protobuf.
		zr, err := gzip.NewReader(f)
		if err == nil {
			var n int64
			n, err = io.Copy(io.Discard, zr)
			if err == nil && n == 0 {
				err = io.ErrUnexpectedEOF
			}
		}
		if err != nil {
			t.Errorf("%s is not a profile: %v", path, err)
		}
		f.Close()
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
		}
	}
	t.Setenv("PODTUI_CPUPROFILE", filepath.Join(dir, "missing", "cpu.out"))
	t.Setenv("PODTUI_MEMPROFILE", "")
	code, _, stderr := runCLI(t, "version")
	if code != 0 || !strings.Contains(stderr, "PODTUI_CPUPROFILE") {
		t.Errorf("unwritable profile path: exit %d, stderr %q", code, stderr)
	}
}
