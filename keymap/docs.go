package keymap

import (
	"fmt"
	"strings"
)

// Markdown renders the key reference (docs/keys.md) from the bindings.
func (k *Keys) Markdown() string {
	var b strings.Builder
	b.WriteString("# Keys\n\n")
	b.WriteString("Generated from `keymap.Default()` by `go test ./keymap -run TestKeysDoc -update`; do not edit.\n")
	b.WriteString("Every binding can be changed in the config file under `keys.<view>.<name>` (see config.md).\n")
	all := k.All()
	for _, view := range k.Views() {
		fmt.Fprintf(&b, "\n## %s\n\n| keys | does | config name |\n|---|---|---|\n", view)
		for _, n := range all {
			if n.View != view {
				continue
			}
			keys := make([]string, 0, len(n.Binding.Keys()))
			for _, key := range n.Binding.Keys() {
				keys = append(keys, "`"+strings.ReplaceAll(key, "|", `\|`)+"`")
			}
			fmt.Fprintf(&b, "| %s | %s | `keys.%s.%s` |\n", strings.Join(keys, ", "), n.Binding.Help().Desc, n.View, n.Name)
		}
	}
	return b.String()
}
