// Package termsafe makes untrusted text (container logs) safe to print on a
// terminal. It is a security boundary: a log line must not be able to move
// the cursor, clear the screen, set the title, write the clipboard (OSC 52),
// plant hyperlinks (OSC 8), or send device control strings to the user's
// terminal. Everything that could act on the terminal is dropped; only SGR
// colours may be kept, and only when asked.
package termsafe

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// TabWidth is the distance between tab stops when tabs are expanded.
const TabWidth = 8

// maxSGR bounds a kept colour sequence; longer ones are dropped.
const maxSGR = 64

// Options choose what Sanitize keeps.
type Options struct {
	// KeepSGR keeps colour and style sequences (ESC [ digits ; : m). The
	// result then ends with a reset so colours never bleed past the line.
	KeepSGR bool
}

// Sanitize returns one line of s with every escape sequence and control
// character removed (SGR kept if opts.KeepSGR), invalid UTF-8 replaced by
// U+FFFD and tabs expanded to spaces. Newlines are dropped too: callers pass
// one line at a time.
func Sanitize(s string, opts Options) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	col := 0 // display column, for tab stops
	sgr := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
			col++
			i++
		case r == 0x1b: // ESC
			n, keep := escape(s[i:], opts.KeepSGR)
			if keep {
				b.WriteString(s[i : i+n])
				sgr = true
			}
			i += n
		case r >= 0x80 && r <= 0x9f: // C1 control, as a UTF-8 rune
			i += c1(s[i:], r, size)
		case r == '\t':
			next := (col/TabWidth + 1) * TabWidth
			b.WriteString(strings.Repeat(" ", next-col))
			col = next
			i += size
		case r < 0x20 || r == 0x7f: // other C0 controls: BEL, BS, CR, NUL, …
			i += size
		default:
			b.WriteString(s[i : i+size])
			if r < 0x80 {
				col++
			} else {
				col += ansi.StringWidth(s[i : i+size])
			}
			i += size
		}
	}
	if sgr {
		b.WriteString("\x1b[m")
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII only, the common case.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// escape measures the sequence starting with ESC at s[0] and reports whether
// it is an SGR sequence to keep.
func escape(s string, keepSGR bool) (n int, keep bool) {
	if len(s) < 2 {
		return len(s), false
	}
	switch c := s[1]; {
	case c == '[':
		n, final, sgrOnly := csi(s, 2)
		return n, keepSGR && final == 'm' && sgrOnly && n <= maxSGR
	case c == ']':
		return 2 + stringBody(s[2:], true), false
	case c == 'P' || c == 'X' || c == '^' || c == '_': // DCS, SOS, PM, APC
		return 2 + stringBody(s[2:], false), false
	case c >= 0x20 && c <= 0x2f: // nF: intermediates, then a final byte
		i := 2
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i, false
	case c >= 0x30 && c <= 0x7e: // a two-byte sequence (ESC 7, ESC c, ESC M, …)
		return 2, false
	default: // a bare ESC: drop it, look at what follows on its own
		return 1, false
	}
}

// csi measures a control sequence whose parameters start at s[i]: parameter
// bytes, intermediate bytes, a final byte. An interrupted sequence ends
// before the byte that broke it. sgrOnly says the parameters are plain
// digits, ';' and ':' (no private markers, no intermediates).
func csi(s string, i int) (n int, final byte, sgrOnly bool) {
	sgrOnly = true
	for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
		if c := s[i]; c != ';' && c != ':' && (c < '0' || c > '9') {
			sgrOnly = false
		}
		i++
	}
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		sgrOnly = false
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		return i + 1, s[i], sgrOnly
	}
	return i, 0, false
}

// stringBody measures the body of an OSC/DCS/SOS/PM/APC string up to and
// including its terminator: ST (ESC \ or U+009C), or BEL for OSC. An
// unterminated string runs to the end of s, which is dropped with it.
func stringBody(s string, bel bool) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 0x07:
			if bel {
				return i + 1
			}
		case 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		case 0xc2:
			if i+1 < len(s) && s[i+1] == 0x9c {
				return i + 2
			}
		}
	}
	return len(s)
}

// c1 measures what an 8-bit control (as a UTF-8 rune) starts: the C1 forms
// of CSI, OSC, DCS, SOS, PM and APC open sequences; the rest are dropped alone.
func c1(s string, r rune, size int) int {
	switch r {
	case 0x9b: // CSI
		n, _, _ := csi(s, size)
		return n
	case 0x9d: // OSC
		return size + stringBody(s[size:], true)
	case 0x90, 0x98, 0x9e, 0x9f: // DCS, SOS, PM, APC
		return size + stringBody(s[size:], false)
	}
	return size
}
