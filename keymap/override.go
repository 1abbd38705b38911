package keymap

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
)

// Named is one binding with the names a config file uses for it:
// keys.<view>.<name>, e.g. keys.podList.filter.
type Named struct {
	View    string
	Name    string
	Binding *key.Binding
}

// All lists every binding of k by view, in declaration order. It walks the
// struct, so a binding added to any view is configurable and documented
// without a second list to keep in step.
func (k *Keys) All() []Named {
	var out []Named
	kv := reflect.ValueOf(k).Elem()
	for i := range kv.NumField() {
		view := kv.Field(i)
		if view.Kind() != reflect.Struct {
			continue
		}
		vname := lowerFirst(kv.Type().Field(i).Name)
		out = appendBindings(out, vname, view)
	}
	return out
}

// appendBindings adds the bindings of one view, those of the key sets it
// embeds (Scroll, TextSearch) included, under the view's name.
func appendBindings(out []Named, view string, v reflect.Value) []Named {
	for j := range v.NumField() {
		f := v.Type().Field(j)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = appendBindings(out, view, v.Field(j))
			continue
		}
		if b, ok := v.Field(j).Addr().Interface().(*key.Binding); ok {
			out = append(out, Named{View: view, Name: lowerFirst(f.Name), Binding: b})
		}
	}
	return out
}

// Views lists the view names in declaration order.
func (k *Keys) Views() []string {
	var views []string
	for _, n := range k.All() {
		if !slices.Contains(views, n.View) {
			views = append(views, n.View)
		}
	}
	return views
}

// Override gives bindings new keys; overrides maps view -> name -> keys. The
// help text keeps its description. A new key that another binding of the
// same view (or a global binding) already uses is refused, naming both.
func (k *Keys) Override(overrides map[string]map[string][]string) error {
	all := k.All()
	find := func(view, name string) *Named {
		for i := range all {
			if all[i].View == view && all[i].Name == name {
				return &all[i]
			}
		}
		return nil
	}
	changed := map[*key.Binding]bool{}
	for _, view := range sortedKeys(overrides) {
		if !slices.Contains(k.Views(), view) {
			return fmt.Errorf("keys.%s: unknown view (known: %s)", view, strings.Join(k.Views(), ", "))
		}
		for _, name := range sortedKeys(overrides[view]) {
			keys := overrides[view][name]
			n := find(view, name)
			if n == nil {
				return fmt.Errorf("keys.%s.%s: unknown binding (known in %s: %s)", view, name, view, strings.Join(namesIn(all, view), ", "))
			}
			if len(keys) == 0 {
				return fmt.Errorf("keys.%s.%s: give at least one key", view, name)
			}
			for _, key := range keys {
				if strings.TrimSpace(key) == "" {
					return fmt.Errorf("keys.%s.%s: empty key name", view, name)
				}
			}
			help := n.Binding.Help()
			n.Binding.SetKeys(keys...)
			n.Binding.SetHelp(strings.Join(keys, "/"), help.Desc)
			changed[n.Binding] = true
		}
	}
	// Conflicts are checked only for what the user changed: the defaults
	// share keys across views on purpose (esc, arrows).
	for _, a := range all {
		if !changed[a.Binding] {
			continue
		}
		for _, b := range all {
			if a.Binding == b.Binding || !(b.View == a.View || b.View == "global" || a.View == "global") {
				continue
			}
			for _, key := range a.Binding.Keys() {
				if slices.Contains(b.Binding.Keys(), key) {
					return fmt.Errorf("keys.%s.%s: key %q is already bound to keys.%s.%s (%s)", a.View, a.Name, key, b.View, b.Name, b.Binding.Help().Desc)
				}
			}
		}
	}
	return nil
}

func namesIn(all []Named, view string) []string {
	var names []string
	for _, n := range all {
		if n.View == view {
			names = append(names, n.Name)
		}
	}
	return names
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func lowerFirst(s string) string {
	r := []rune(s)
	// "PodList" -> "podList"; all-caps prefixes stay readable ("AllNS" -> "allNS").
	r[0] = unicode.ToLower(r[0])
	return string(r)
}
