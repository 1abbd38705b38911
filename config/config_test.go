package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/podtui/podtui/internal/defaults"
)

func TestDefaultFileIsTheDefault(t *testing.T) {
	c, err := Parse("default.yaml", strings.NewReader(string(DefaultFile())))
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	d.Theme.Colors, d.Keys = map[string]string{}, map[string]map[string][]string{}
	if !reflect.DeepEqual(c, d) {
		t.Fatalf("default.yaml differs from Default():\n%+v\n%+v", c, d)
	}
}

// TestDocumentedDefaultsAreTheCode: the values the config file documents
// (default.yaml, quoted in docs/config.md) are the defaults package's, which
// the ui and kube packages fall back to.
func TestDocumentedDefaultsAreTheCode(t *testing.T) {
	c, err := Parse("default.yaml", strings.NewReader(string(DefaultFile())))
	if err != nil {
		t.Fatal(err)
	}
	bytes, err := c.LogBufferBytes()
	if err != nil {
		t.Fatal(err)
	}
	if c.Logs.Tail != defaults.LogTail || c.Logs.BufferLines != defaults.LogBufferLines || bytes != defaults.LogBufferBytes {
		t.Errorf("logs: tail %d, bufferLines %d, bufferBytes %d; the code has %d, %d, %d",
			c.Logs.Tail, c.Logs.BufferLines, bytes, defaults.LogTail, defaults.LogBufferLines, defaults.LogBufferBytes)
	}
	if c.Metrics.Interval.Duration != defaults.MetricsInterval {
		t.Errorf("metrics.interval %s; the code has %s", c.Metrics.Interval.Duration, defaults.MetricsInterval)
	}
	if !reflect.DeepEqual(c.Exec.Shells, defaults.Shells()) {
		t.Errorf("exec.shells %q; the code has %q", c.Exec.Shells, defaults.Shells())
	}
	if c.Debug.Image != defaults.DebugImage || c.Debug.NodeShellImage != defaults.DebugImage || c.Debug.Profile != defaults.DebugProfile || !reflect.DeepEqual(c.Debug.Images, defaults.DebugImages()) {
		t.Errorf("debug %+v; the code has %s, %q, %s", c.Debug, defaults.DebugImage, defaults.DebugImages(), defaults.DebugProfile)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "empty", file: "", check: func(t *testing.T, c Config) {
			if c.Logs.Tail != 1000 || c.Metrics.Interval.Duration != 15*time.Second {
				t.Errorf("defaults not applied: %+v", c)
			}
		}},
		{
			name: "overrides", file: "readOnly: true\nnamespace: all\ntheme:\n  mode: light\n  colors:\n    failing: \"#ff0000\"\n    healthy: \"42\"\nkeys:\n  podList:\n    filter: [f]\nlogs:\n  tail: 50\n  bufferBytes: 8Mi\nmetrics:\n  interval: 30s\nexec:\n  shells: [[zsh], [sh, -l]]\n",
			check: func(t *testing.T, c Config) {
				if !c.ReadOnly || c.Namespace != "all" || c.Theme.Mode != "light" || c.Logs.Tail != 50 || c.Metrics.Interval.Duration != 30*time.Second {
					t.Errorf("not applied: %+v", c)
				}
				if n, _ := c.LogBufferBytes(); n != 8<<20 {
					t.Errorf("bufferBytes = %d", n)
				}
				k := c.KeyMap()
				if k.PodList.Filter.Keys()[0] != "f" {
					t.Errorf("key override not applied")
				}
				if len(c.Exec.Shells) != 2 || c.Exec.Shells[1][1] != "-l" {
					t.Errorf("shells: %v", c.Exec.Shells)
				}
			},
		},
		{name: "bad yaml", file: "theme:\n  mode: [dark\n", wantErr: "did not find expected"},
		{name: "tab indent", file: "theme:\n\tmode: dark\n", wantErr: "line 2"},
		{name: "unknown key", file: "readOnly: true\nthem:\n  mode: dark\n", wantErr: "line 2: field them not found"},
		{name: "unknown nested key", file: "logs:\n  tial: 5\n", wantErr: "line 2: field tial not found"},
		{name: "wrong type", file: "logs:\n  tail: lots\n", wantErr: "line 2"},
		{name: "bad colour", file: "theme:\n  colors:\n    failing: reddish\n", wantErr: `line 3: theme.colors.failing: "reddish" is not a colour`},
		{name: "unknown colour name", file: "theme:\n  colors:\n    pink: \"#fff\"\n", wantErr: "line 3: theme.colors.pink: unknown colour name"},
		{name: "bad mode", file: "theme:\n  mode: neon\n", wantErr: "line 2: theme.mode"},
		{name: "key conflict", file: "keys:\n  podList:\n    filter: [o]\n", wantErr: `line 3: keys.podList.filter: key "o" is already bound to keys.podList.sort`},
		{name: "unknown binding", file: "keys:\n  podList:\n    fly: [x]\n", wantErr: "line 3: keys.podList.fly: unknown binding"},
		{name: "bad duration", file: "metrics:\n  interval: soon\n", wantErr: "line 2"},
		{name: "interval too short", file: "metrics:\n  interval: 1s\n", wantErr: "line 2: metrics.interval"},
		{name: "bad size", file: "logs:\n  bufferBytes: huge\n", wantErr: "line 2: logs.bufferBytes"},
		{name: "empty shell", file: "exec:\n  shells: [[bash], []]\n", wantErr: "line 2: exec.shells[1]: empty command"},
		{name: "unknown debug profile", file: "debug:\n  profile: legacy\n", wantErr: "line 2: debug.profile: \"legacy\" is not one of general, baseline, restricted, netadmin, sysadmin"},
		{name: "bad namespace", file: "namespace: mine\n", wantErr: "line 1: namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("/home/me/.config/podtui/config.yaml", strings.NewReader(tt.file))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "config.yaml") {
					t.Fatalf("err = %v, want the file name and %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadAndPath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	p, err := Path("")
	if err != nil || !strings.HasSuffix(p, filepath.Join("podtui", "config.yaml")) {
		t.Fatalf("Path = %q, %v", p, err)
	}
	if _, err := Load(p, false); err != nil {
		t.Fatalf("a missing default file must mean defaults: %v", err)
	}
	if _, err := Load(p, true); err == nil {
		t.Fatal("a missing --config file must be an error")
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("readOnly: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p, false)
	if err != nil || !c.ReadOnly {
		t.Fatalf("Load = %+v, %v", c, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(string(DefaultFile()))
	f.Add("keys:\n  podList:\n    filter: [o]\n")
	f.Add("theme: {colors: {failing: '#fff'}}\n")
	f.Add("exec:\n  shells: [[]]\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = Parse("fuzz.yaml", strings.NewReader(s)) // must not panic
	})
}

// docs/config.md quotes the default file; keep them in step.
func TestDocsQuoteTheDefaultFile(t *testing.T) {
	doc, err := os.ReadFile("../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```yaml\n"+string(DefaultFile())+"```") {
		t.Fatal("docs/config.md does not quote config/default.yaml verbatim: update its last section")
	}
}
