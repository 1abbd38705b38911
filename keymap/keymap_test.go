package keymap

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/keys.md")

func TestKeysDoc(t *testing.T) {
	k := Default()
	want := k.Markdown()
	const path = "../docs/keys.md"
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./keymap -run TestKeysDoc -update)", err)
	}
	if string(got) != want {
		t.Fatal("docs/keys.md is stale: run go test ./keymap -run TestKeysDoc -update")
	}
}

func TestEveryBindingHasKeysAndHelp(t *testing.T) {
	k := Default()
	for _, n := range k.All() {
		if len(n.Binding.Keys()) == 0 || n.Binding.Help().Desc == "" || n.Binding.Help().Key == "" {
			t.Errorf("keys.%s.%s lacks keys or help", n.View, n.Name)
		}
	}
}

func TestOverride(t *testing.T) {
	tests := []struct {
		name    string
		over    map[string]map[string][]string
		wantErr string
	}{
		{name: "remap keeps help", over: map[string]map[string][]string{"podList": {"filter": {"f"}}}},
		{name: "unknown view", over: map[string]map[string][]string{"nope": {"filter": {"f"}}}, wantErr: "keys.nope: unknown view"},
		{name: "unknown binding", over: map[string]map[string][]string{"podList": {"nope": {"f"}}}, wantErr: "keys.podList.nope: unknown binding"},
		{name: "conflict in view", over: map[string]map[string][]string{"podList": {"filter": {"o"}}}, wantErr: `keys.podList.filter: key "o" is already bound to keys.podList.sort`},
		{name: "conflict with global", over: map[string]map[string][]string{"podList": {"filter": {"q"}}}, wantErr: `key "q" is already bound to keys.global.quit`},
		{name: "no keys", over: map[string]map[string][]string{"podList": {"filter": {}}}, wantErr: "give at least one key"},
		{name: "swap is fine", over: map[string]map[string][]string{"podList": {"sort": {"s"}, "reverse": {"S"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := Default()
			err := k.Override(tt.over)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	k := Default()
	if err := k.Override(map[string]map[string][]string{"podList": {"filter": {"f", "ctrl+f"}}}); err == nil {
		t.Fatal("ctrl+f is page down: want a conflict")
	}
	k = Default()
	if err := k.Override(map[string]map[string][]string{"podList": {"filter": {"f"}}}); err != nil {
		t.Fatal(err)
	}
	if h := k.PodList.Filter.Help(); h.Key != "f" || h.Desc != "filter" {
		t.Fatalf("help after remap = %+v", h)
	}
}
