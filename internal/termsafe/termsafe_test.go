package termsafe

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
		keepSGR        bool
	}{
		{"plain", "GET /healthz 200", "GET /healthz 200", false},
		{"clear screen and home", "a\x1b[2J\x1b[Hb", "ab", false},
		{"cursor moves", "x\x1b[10;20Hy\x1b[3Az\x1b[?25l", "xyz", false},
		{"OSC 52 clipboard, BEL", "pre\x1b]52;c;ZXZpbA==\x07post", "prepost", false},
		{"OSC 52 clipboard, ST", "pre\x1b]52;c;ZXZpbA==\x1b\\post", "prepost", false},
		{"OSC 2 title", "\x1b]2;pwned\x07ok", "ok", false},
		{"OSC 0 title", "\x1b]0;pwned\x1b\\ok", "ok", false},
		{"OSC 8 link keeps its text", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click", false},
		{"unterminated OSC eats the line", "ok\x1b]52;c;ZXZpbA==", "ok", false},
		{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab", false},
		{"APC PM SOS", "a\x1b_apc\x1b\\b\x1b^pm\x1b\\c\x1bXsos\x1b\\d", "abcd", false},
		{"C1 CSI", "a\u009b2Jb", "ab", false},
		{"C1 OSC with C1 ST", "a\u009d52;c;eA==\u009cb", "ab", false},
		{"C1 others", "a\u0085\u008db", "ab", false},
		{"bare ESC", "a\x1b", "a", false},
		{"ESC c reset, ESC 7, charset", "a\x1bcb\x1b7c\x1b(Bd", "abcd", false},
		{"BEL BS CR NUL DEL", "a\x07b\x08c\rd\x00e\x7ff", "abcdef", false},
		{"invalid UTF-8", "a\xffb\xc3(c", "a\ufffdb\ufffd(c", false},
		{"raw 8-bit CSI byte is invalid UTF-8", "a\x9b2Jb", "a\ufffd2Jb", false},
		{"tabs to stops", "a\tbc\td", "a       bc      d", false},
		{"tab after wide rune", "世\tx", "世      x", false},
		{"SGR dropped by default", "\x1b[31mred\x1b[0m", "red", false},
		{"SGR kept when asked, reset added", "\x1b[1;31mred\x1b[0m", "\x1b[1;31mred\x1b[0m\x1b[m", true},
		{"truecolor SGR kept", "\x1b[38:2::1:2:3mx", "\x1b[38:2::1:2:3mx\x1b[m", true},
		{"non-SGR CSI dropped in SGR mode", "\x1b[2J\x1b[?1049hx", "x", true},
		{"private SGR-looking dropped", "\x1b[>4;1mx", "x", true},
		{"OSC dropped in SGR mode", "\x1b]52;c;eA==\x07x", "x", true},
		{"interrupted CSI", "\x1b[12\x07x", "x", false},
		{"unicode kept", "naïve – 日本 🚀", "naïve – 日本 🚀", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sanitize(tt.in, Options{KeepSGR: tt.keepSGR})
			if got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkSafe(t, tt.in, got, tt.keepSGR)
		})
	}
}

var sgrRE = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// checkSafe is the property every output must have.
func checkSafe(t *testing.T, in, out string, keepSGR bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 out of %q: %q", in, out)
	}
	rest := out
	if keepSGR {
		rest = sgrRE.ReplaceAllString(out, "")
	}
	for _, r := range rest {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Fatalf("control %U left in the output of %q: %q", r, in, out)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"plain", "\x1b[2J", "\x1b]52;c;ZXZpbA==\x07", "\x1b]8;;http://x\x1b\\y\x1b]8;;\x1b\\",
		"\x1bPq\x1b\\", "\u009b31m", "\xff\xfe", "\x1b[31mred\x1b[m", "\t\tx",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, in string, keepSGR bool) {
		out := Sanitize(in, Options{KeepSGR: keepSGR})
		checkSafe(t, in, out, keepSGR)
		if !keepSGR && strings.ContainsRune(out, 0x1b) {
			t.Fatalf("ESC left in %q", out)
		}
		// Sanitising twice changes nothing more (tabs are already spaces).
		if again := Sanitize(out, Options{KeepSGR: keepSGR}); !keepSGR && again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
	})
}

func BenchmarkSanitize(b *testing.B) {
	line := "2026-11-25T12:00:00Z level=info msg=\"request\" path=/api/v1/orders status=200 took=12ms"
	hostile := "\x1b[31mERROR\x1b[0m \x1b]52;c;ZXZpbA==\x07 cut\there\xff"
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			Sanitize(line, Options{})
		}
	})
	b.Run("hostile", func(b *testing.B) {
		for b.Loop() {
			Sanitize(hostile, Options{})
		}
	})
}
