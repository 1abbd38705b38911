// Package config reads podtui's config file: key overrides, theme, log view
// defaults, metrics interval, read-only mode, exec shells and the default
// namespace behaviour. An invalid file is refused as a whole, with the file,
// line and field named: podtui never starts half-configured.
package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/podtui/podtui/internal/defaults"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podtui/podtui/keymap"
)

// Config is the whole file. Zero values mean "the default".
type Config struct {
	// ReadOnly disables every action that writes to the cluster or runs code in it.
	ReadOnly bool `yaml:"readOnly"`
	// Namespace is what podtui shows without -n/-A: "context" (the
	// kubeconfig context's namespace) or "all".
	Namespace string                         `yaml:"namespace"`
	Theme     Theme                          `yaml:"theme"`
	Keys      map[string]map[string][]string `yaml:"keys"`
	Logs      Logs                           `yaml:"logs"`
	Metrics   Metrics                        `yaml:"metrics"`
	Exec      Exec                           `yaml:"exec"`
	Debug     Debug                          `yaml:"debug"`
}

// Debug holds the debug container and node shell defaults.
type Debug struct {
	// Image is the debug container's image offered first; Images the
	// short list to pick from (free text is allowed too).
	Image  string   `yaml:"image"`
	Images []string `yaml:"images"`
	// Profile is kubectl debug's profile: general, baseline, restricted,
	// netadmin or sysadmin.
	Profile string `yaml:"profile"`
	// NodeShellImage is the image of the node shell's pod.
	NodeShellImage string `yaml:"nodeShellImage"`
}

// Theme picks colours.
type Theme struct {
	// Mode is auto (from the terminal's background), dark or light.
	Mode string `yaml:"mode"`
	// Colors overrides colours by semantic name: #rrggbb, #rgb or 0-255.
	Colors map[string]string `yaml:"colors"`
}

// Logs holds the log view defaults.
type Logs struct {
	Tail        int    `yaml:"tail"`
	BufferLines int    `yaml:"bufferLines"`
	BufferBytes string `yaml:"bufferBytes"` // a quantity: 64Mi
	Wrap        bool   `yaml:"wrap"`
	Timestamps  bool   `yaml:"timestamps"`
	// MaxStreams caps the streams a workload's log view opens at once.
	MaxStreams int `yaml:"maxStreams"`
}

// Metrics holds the resource usage settings.
type Metrics struct {
	Interval Duration `yaml:"interval"`
}

// Exec holds the shells tried, in order, when opening a shell in a container.
type Exec struct {
	Shells [][]string `yaml:"shells"`
}

// Duration is a time.Duration written as "15s".
type Duration struct{ time.Duration }

// UnmarshalYAML reads "15s".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (like 15s or 1m)", n.Line, n.Value)
	}
	d.Duration = v
	return nil
}

// Semantic colour names a theme may override.
var ColorNames = []string{"healthy", "progressing", "failing", "completed", "notice", "error", "muted", "accent", "header", "selected"}

// Default returns the defaults, as written by `podtui config init`.
func Default() Config {
	return Config{
		Namespace: "context",
		Theme:     Theme{Mode: "auto"},
		Logs:      Logs{Tail: defaults.LogTail, BufferLines: defaults.LogBufferLines, BufferBytes: fmt.Sprintf("%dMi", defaults.LogBufferBytes>>20), MaxStreams: defaults.TailMaxStreams},
		Metrics:   Metrics{Interval: Duration{defaults.MetricsInterval}},
		Exec:      Exec{Shells: defaults.Shells()},
		Debug:     Debug{Image: defaults.DebugImage, Images: defaults.DebugImages(), Profile: defaults.DebugProfile, NodeShellImage: defaults.DebugImage},
	}
}

//go:embed default.yaml
var defaultFile []byte

// DefaultFile is the commented default config file.
func DefaultFile() []byte { return bytes.Clone(defaultFile) }

// Path is where the config file is read from: --config, else
// $XDG_CONFIG_HOME/podtui/config.yaml (os.UserConfigDir on macOS and Windows).
func Path(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the config folder: %w (use --config)", err)
	}
	return filepath.Join(dir, "podtui", "config.yaml"), nil
}

// Load reads the file at path. A missing file is not an error when it is
// the default path (explicit is false): the defaults apply.
func Load(path string, explicit bool) (Config, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		return Default(), nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	defer f.Close()
	return Parse(path, f)
}

// Parse reads a config from r; name is used in messages.
func Parse(name string, r io.Reader) (Config, error) {
	c := Default()
	var root yaml.Node
	if err := yaml.NewDecoder(r).Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("config %s: %s", name, yamlMessage(err))
	}
	if len(root.Content) == 0 {
		return c, nil // empty file: defaults
	}
	if err := decodeStrict(&root, &c); err != nil {
		return Config{}, fmt.Errorf("config %s: %s", name, yamlMessage(err))
	}
	if err := c.validate(); err != nil {
		// Messages start with the field's path; name its line too.
		path, _, _ := strings.Cut(err.Error(), ":")
		if line := lineOf(&root, path); line > 0 {
			return Config{}, fmt.Errorf("config %s: line %d: %w", name, line, err)
		}
		return Config{}, fmt.Errorf("config %s: %w", name, err)
	}
	return c, nil
}

// decodeStrict decodes a node refusing unknown fields (Node.Decode has no
// KnownFields switch, so the node is re-encoded and decoded strictly).
func decodeStrict(root *yaml.Node, c *Config) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(root); err != nil {
		return err
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	return dec.Decode(c)
}

// lineOf finds the line of a dotted path (theme.colors.failing,
// exec.shells[1]) in a YAML document, or 0.
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, part := range strings.Split(path, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		found := false
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == name {
					line, n, found = n.Content[i].Line, n.Content[i+1], true
					break
				}
			}
		}
		if !found {
			return line
		}
		if hasIdx {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
		}
	}
	return line
}

// yamlMessage makes yaml.v3's errors read as "line 3: field x not found".
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	return strings.ReplaceAll(msg, " in type config.", " in ")
}

var hexColor = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

func (c *Config) validate() error {
	switch c.Namespace {
	case "context", "all":
	default:
		return fmt.Errorf("namespace: %q is not one of context, all", c.Namespace)
	}
	switch c.Theme.Mode {
	case "auto", "dark", "light":
	default:
		return fmt.Errorf("theme.mode: %q is not one of auto, dark, light", c.Theme.Mode)
	}
	for name, col := range c.Theme.Colors {
		if !contains(ColorNames, name) {
			return fmt.Errorf("theme.colors.%s: unknown colour name (known: %s)", name, strings.Join(ColorNames, ", "))
		}
		if !validColor(col) {
			return fmt.Errorf("theme.colors.%s: %q is not a colour (#rrggbb, #rgb or 0-255)", name, col)
		}
	}
	if c.Logs.Tail < 0 {
		return fmt.Errorf("logs.tail: %d is negative", c.Logs.Tail)
	}
	if c.Logs.BufferLines < 1000 {
		return fmt.Errorf("logs.bufferLines: %d is below the minimum of 1000", c.Logs.BufferLines)
	}
	if c.Logs.MaxStreams < 1 || c.Logs.MaxStreams > 500 {
		return fmt.Errorf("logs.maxStreams: %d is not between 1 and 500", c.Logs.MaxStreams)
	}
	if _, err := c.LogBufferBytes(); err != nil {
		return err
	}
	if c.Metrics.Interval.Duration < 10*time.Second {
		return fmt.Errorf("metrics.interval: %s is below metrics-server's 10s resolution", c.Metrics.Interval)
	}
	if len(c.Exec.Shells) == 0 {
		return errors.New("exec.shells: give at least one shell command")
	}
	for i, sh := range c.Exec.Shells {
		if len(sh) == 0 || strings.TrimSpace(sh[0]) == "" {
			return fmt.Errorf("exec.shells[%d]: empty command", i)
		}
	}
	if profiles := defaults.DebugProfiles(); !slices.Contains(profiles, c.Debug.Profile) {
		return fmt.Errorf("debug.profile: %q is not one of %s", c.Debug.Profile, strings.Join(profiles, ", "))
	}
	if strings.TrimSpace(c.Debug.Image) == "" || strings.TrimSpace(c.Debug.NodeShellImage) == "" {
		return errors.New("debug.image: give an image (and debug.nodeShellImage)")
	}
	k := keymap.Default()
	if err := k.Override(c.Keys); err != nil {
		return err
	}
	return nil
}

// LogBufferBytes is logs.bufferBytes in bytes.
func (c *Config) LogBufferBytes() (int64, error) {
	q, err := resource.ParseQuantity(c.Logs.BufferBytes)
	if err != nil || q.Value() < 1<<20 {
		return 0, fmt.Errorf("logs.bufferBytes: %q is not a size of at least 1Mi (like 64Mi)", c.Logs.BufferBytes)
	}
	return q.Value(), nil
}

// KeyMap is the default key map with the file's overrides applied.
func (c *Config) KeyMap() keymap.Keys {
	k := keymap.Default()
	_ = k.Override(c.Keys) // validated by Parse
	return k
}

func validColor(s string) bool {
	if hexColor.MatchString(s) {
		return true
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && n <= 255
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
