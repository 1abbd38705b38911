// Package harness runs a real, minimal Kubernetes control plane on 127.0.0.1 for podtui's
// end-to-end tests and for `podtui demo`: etcd, kube-apiserver, kwok (fake nodes and kubelets:
// pod status, logs, exec, port-forward, resource metrics) and optionally metrics-server.
// There is no controller-manager and no scheduler: pods must set spec.nodeName (CreatePod does).
//
// The binaries are built once from the Go module proxy into a cache folder outside the
// repository (EnsureBinaries, or `go run ./internal/harness/cmd/controlplane build`).
package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Versions of the control-plane components. Bumping one changes the cache folder name.
const (
	KubernetesVersion    = "v1.37.2"
	EtcdVersion          = "v3.7.3"
	KwokVersion          = "v0.8.0"
	MetricsServerVersion = "v0.8.0"

	stagingVersion = "v0.37.2" // k8s.io/* staging modules matching KubernetesVersion
	kubeMinor      = "37"
)

// kwokCRDsFile is written next to the binaries by EnsureBinaries. It is the concatenation of
// kwok's CRDs read from the kwok module in the Go module cache (never copied into the repo).
const kwokCRDsFile = "kwok-crds.yaml"

var artifacts = []string{"etcd", "kube-apiserver", "kwok", "metrics-server", kwokCRDsFile}

// ErrNoBinaries is wrapped by Start's error when the control plane has not been built.
var ErrNoBinaries = errors.New("control-plane binaries are not built")

// BinDir is the folder holding the control-plane binaries: $PODTUI_CONTROLPLANE_DIR if set,
// else <user cache dir>/podtui/controlplane/<versions>/bin.
func BinDir() (string, error) {
	if d := os.Getenv("PODTUI_CONTROLPLANE_DIR"); d != "" {
		return filepath.Abs(d)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder for the control-plane binaries (set PODTUI_CONTROLPLANE_DIR): %w", err)
	}
	v := fmt.Sprintf("k8s-%s-etcd-%s-kwok-%s-ms-%s", KubernetesVersion, EtcdVersion, KwokVersion, MetricsServerVersion)
	return filepath.Join(cache, "podtui", "controlplane", v, "bin"), nil
}

// missingArtifacts lists what is absent (or not executable) in binDir.
func missingArtifacts(binDir string) []string {
	var missing []string
	for _, name := range artifacts {
		fi, err := os.Stat(filepath.Join(binDir, name))
		if err != nil || !fi.Mode().IsRegular() || (name != kwokCRDsFile && fi.Mode().Perm()&0o111 == 0) {
			missing = append(missing, name)
		}
	}
	return missing
}

// CheckBinaries returns an error wrapping ErrNoBinaries, with the command to run, when
// something is missing in binDir. It never builds.
func CheckBinaries(binDir string) error {
	if m := missingArtifacts(binDir); len(m) > 0 {
		return fmt.Errorf("%w: %s missing in %s; run `go run ./internal/harness/cmd/controlplane build` first (takes several minutes the first time)",
			ErrNoBinaries, strings.Join(m, ", "), binDir)
	}
	return nil
}

// EnsureBinaries builds whatever is missing in BinDir() with the go command and returns BinDir().
// Binaries are built under a temporary name and renamed, so an interrupted build never leaves a
// half-written binary; a lock file serialises concurrent callers (e.g. parallel test packages).
func EnsureBinaries(ctx context.Context, progress io.Writer) (string, error) {
	if progress == nil {
		progress = io.Discard
	}
	binDir, err := BinDir()
	if err != nil {
		return "", err
	}
	if len(missingArtifacts(binDir)) == 0 {
		return binDir, nil
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return "", err
	}
	unlock, err := lockFile(ctx, filepath.Join(binDir, ".lock"), progress)
	if err != nil {
		return "", err
	}
	defer unlock()

	b := &builder{ctx: ctx, bin: binDir, work: filepath.Join(binDir, ".build"), out: progress}
	// Cold times measured on 2 cores: etcd ~40 s, kube-apiserver ~4 min, kwok ~1.5 min,
	// metrics-server ~2 min; with a warm Go build cache each is a link of seconds.
	steps := []struct {
		name, what, hint string
		fn               func() error
	}{
		{"etcd", "etcd " + EtcdVersion, "about a minute", b.etcd},
		{"kube-apiserver", "kube-apiserver " + KubernetesVersion, "several minutes", b.apiserver},
		{"kwok", "kwok " + KwokVersion, "a minute or two", func() error { return b.install("kwok", "sigs.k8s.io/kwok/cmd/kwok@"+KwokVersion) }},
		{"metrics-server", "metrics-server " + MetricsServerVersion, "a minute or two", func() error {
			return b.install("metrics-server", "sigs.k8s.io/metrics-server/cmd/metrics-server@"+MetricsServerVersion)
		}},
		{kwokCRDsFile, "kwok CRDs", "seconds", b.kwokCRDs},
	}
	for _, s := range steps {
		// Re-check after taking the lock: another process may have built it meanwhile.
		if !slices.Contains(missingArtifacts(binDir), s.name) {
			continue
		}
		if err := b.timed(s.what, s.hint, s.fn); err != nil {
			return "", fmt.Errorf("building %s: %w", s.what, err)
		}
	}
	return binDir, CheckBinaries(binDir)
}

type builder struct {
	ctx  context.Context
	bin  string // final binaries
	work string // generated wrapper modules and temp outputs
	out  io.Writer
}

// timed runs fn, printing a start line, a heartbeat every 30 s and the elapsed time.
func (b *builder) timed(what, hint string, fn func() error) error {
	start := time.Now()
	fmt.Fprintf(b.out, "building %s (first run only, %s)…\n", what, hint)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(b.out, "  still building %s… %s\n", what, time.Since(start).Round(time.Second))
			}
		}
	}()
	err := fn()
	close(done)
	if err == nil {
		fmt.Fprintf(b.out, "built %s in %s\n", what, time.Since(start).Round(time.Second))
	}
	return err
}

// goCmd runs the go command in dir and returns its stdout; on failure the error carries the
// tail of its output.
func (b *builder) goCmd(dir string, env []string, args ...string) ([]byte, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("the go command is needed to build the control plane: %w", err)
	}
	cmd := exec.CommandContext(b.ctx, goBin, args...)
	cmd.Dir = dir
	// GOWORK=off: never let a go.work above the cache folder change what is built.
	cmd.Env = append(os.Environ(), append([]string{"GOWORK=off", "GO111MODULE=on"}, env...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, tail(stderr.Bytes(), 30))
	}
	return stdout.Bytes(), nil
}

// moduleInfo is the part of `go mod download -json` we use.
type moduleInfo struct {
	Dir, GoMod string
}

func (b *builder) download(mod string) (moduleInfo, error) {
	var mi moduleInfo
	if err := os.MkdirAll(b.work, 0o755); err != nil {
		return mi, err
	}
	out, err := b.goCmd(b.work, nil, "mod", "download", "-json", mod)
	if err != nil {
		return mi, err
	}
	if err := json.Unmarshal(out, &mi); err != nil {
		return mi, fmt.Errorf("go mod download -json %s: %w", mod, err)
	}
	return mi, nil
}

// wrapper writes a throw-away module in work/<name> whose tools.go imports pkg.
func (b *builder) wrapper(name, goMod, pkg string) (string, error) {
	dir := filepath.Join(b.work, name)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tools := fmt.Sprintf("//go:build tools\n\npackage tools\n\nimport _ %q\n", pkg)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o644); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "tools.go"), []byte(tools), 0o644)
}

// buildTo builds pkg (a main package in dir's module graph) into bin/name via a temp name.
func (b *builder) buildTo(dir, name, pkg string, extra ...string) error {
	tmp := filepath.Join(b.bin, "."+name+".tmp")
	args := append([]string{"build"}, extra...)
	args = append(args, "-o", tmp, pkg)
	if _, err := b.goCmd(dir, nil, args...); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, filepath.Join(b.bin, name))
}

// etcd: `go install go.etcd.io/etcd/server/v3@…` fails (its go.mod has replace => ../api etc.),
// so its main package is built as a dependency of a wrapper module.
func (b *builder) etcd() error {
	const pkg = "go.etcd.io/etcd/server/v3"
	dir, err := b.wrapper("etcd", "module podtui-harness/etcd\n\ngo 1.26\n", pkg)
	if err != nil {
		return err
	}
	if _, err := b.goCmd(dir, nil, "get", pkg+"@"+EtcdVersion); err != nil {
		return err
	}
	if _, err := b.goCmd(dir, nil, "mod", "tidy"); err != nil {
		return err
	}
	return b.buildTo(dir, "etcd", pkg)
}

// stagingRequire matches kubernetes' `k8s.io/foo v0.0.0` requirements (its staging modules).
var stagingRequire = regexp.MustCompile(`(?m)^\s+(k8s\.io/[a-z0-9-]+) v0\.0\.0\s*$`)

// apiserver: `go install k8s.io/kubernetes/cmd/kube-apiserver@…` is refused because
// kubernetes' go.mod has replace directives. The wrapper module requires k8s.io/kubernetes and
// replaces each staging module it requires as v0.0.0 by its published version.
func (b *builder) apiserver() error {
	mi, err := b.download("k8s.io/kubernetes@" + KubernetesVersion)
	if err != nil {
		return err
	}
	kmod, err := os.ReadFile(mi.GoMod)
	if err != nil {
		return err
	}
	var gm strings.Builder
	fmt.Fprintf(&gm, "module podtui-harness/apiserver\n\ngo 1.26.0\n\ngodebug default=go1.26\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n", KubernetesVersion)
	n := 0
	for _, m := range stagingRequire.FindAllStringSubmatch(string(kmod), -1) {
		fmt.Fprintf(&gm, "\t%s => %s %s\n", m[1], m[1], stagingVersion)
		n++
	}
	gm.WriteString(")\n")
	if n == 0 {
		return fmt.Errorf("no staging modules found in %s", mi.GoMod)
	}
	const pkg = "k8s.io/kubernetes/cmd/kube-apiserver"
	dir, err := b.wrapper("apiserver", gm.String(), pkg)
	if err != nil {
		return err
	}
	if _, err := b.goCmd(dir, nil, "mod", "tidy"); err != nil {
		return err
	}
	// Without these, /version says v0.0.0-master+$Format:%H$ and clients that parse it fail.
	ldflags := strings.Join([]string{
		"-X k8s.io/component-base/version.gitVersion=" + KubernetesVersion,
		"-X k8s.io/component-base/version.gitMajor=1",
		"-X k8s.io/component-base/version.gitMinor=" + kubeMinor,
		"-X k8s.io/component-base/version.gitTreeState=clean",
	}, " ")
	return b.buildTo(dir, "kube-apiserver", pkg, "-ldflags", ldflags)
}

// install: kwok and metrics-server have no replace directives, so plain `go install` works.
func (b *builder) install(name, pkgAtVersion string) error {
	if err := os.MkdirAll(b.work, 0o755); err != nil {
		return err
	}
	gobin, err := os.MkdirTemp(b.work, name+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(gobin)
	if _, err := b.goCmd(b.work, []string{"GOBIN=" + gobin}, "install", pkgAtVersion); err != nil {
		return err
	}
	return os.Rename(filepath.Join(gobin, name), filepath.Join(b.bin, name))
}

// kwokCRDs concatenates kwok's CRDs from the module cache into bin/kwok-crds.yaml, so that
// Start needs neither the go command nor the network.
func (b *builder) kwokCRDs() error {
	mi, err := b.download("sigs.k8s.io/kwok@" + KwokVersion)
	if err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(mi.Dir, "kustomize", "crd", "bases", "*.yaml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no CRDs under %s/kustomize/crd/bases (%v)", mi.Dir, err)
	}
	var all bytes.Buffer
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		all.WriteString("---\n")
		all.Write(data)
		all.WriteString("\n")
	}
	tmp := filepath.Join(b.bin, "."+kwokCRDsFile+".tmp")
	if err := os.WriteFile(tmp, all.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(b.bin, kwokCRDsFile))
}

// tail returns the last n lines of b.
func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
