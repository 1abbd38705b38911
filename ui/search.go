package ui

import (
	"fmt"
	"regexp"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/podtui/podtui/keymap"
)

// searchEvent says what a message did to a text search.
type searchEvent int

const (
	searchIgnored searchEvent = iota // not for the search: the page handles it
	searchTyping                     // it went to the open prompt
	searchEntered                    // a query was entered: find the matches, show one
	searchNext                       // n: the next match
	searchPrev                       // N: the previous match
	searchCleared                    // esc cleared the query
)

// textSearch is the search of the text pages (logs, YAML), so that they
// behave alike: / opens the prompt, enter searches, n/N move between
// matches, esc clears, and matching is smart-case (see index). A query
// "re:PATTERN" is a regular expression (smart-case too), and a leading "!"
// matches the lines without it: with the log filter, an exclude.
type textSearch struct {
	prompt textPrompt
	keys   keymap.TextSearch
	query  string // as typed
	needle string // what to find: the query without "!" and "re:"
	re     *regexp.Regexp
	invert bool
	bad    string // why the query is not a valid regexp
}

// parseQuery sets the query and what it means.
func (s *textSearch) parseQuery(q string) {
	s.query, s.needle, s.re, s.invert, s.bad = q, q, nil, false, ""
	rest, inv := strings.CutPrefix(q, "!")
	pattern, isRe := strings.CutPrefix(rest, "re:")
	if rest == "" || isRe && pattern == "" {
		return
	}
	s.invert, s.needle = inv, rest
	if !isRe {
		return
	}
	if !hasUpper(pattern) {
		pattern = "(?i)" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		s.bad = strings.TrimPrefix(err.Error(), "error parsing regexp: ")
		s.needle = "" // matches nothing until fixed
		return
	}
	s.re = re
}

func newTextSearch(keys keymap.TextSearch, prompt keymap.Prompt) textSearch {
	return textSearch{keys: keys, prompt: newTextPrompt(prompt, "/", "search")}
}

// typing reports whether the prompt is open (keys are text then).
func (s *textSearch) typing() bool { return s.prompt.open }

// update handles the search's keys, and every message while typing.
func (s *textSearch) update(msg tea.Msg) (searchEvent, tea.Cmd) {
	if s.prompt.open {
		res, cmd := s.prompt.Update(msg)
		if res == promptSubmitted {
			s.parseQuery(s.prompt.Value())
			return searchEntered, cmd
		}
		return searchTyping, cmd
	}
	k, ok := msg.(tea.KeyPressMsg)
	switch {
	case !ok:
		return searchIgnored, nil
	case key.Matches(k, s.keys.Search):
		return searchTyping, s.prompt.Open(s.query)
	case key.Matches(k, s.keys.Next):
		return searchNext, nil
	case key.Matches(k, s.keys.Prev):
		return searchPrev, nil
	case s.query != "" && key.Matches(k, s.prompt.keys.Cancel):
		// esc clears the search first, as in less; the next one goes back.
		s.parseQuery("")
		return searchCleared, nil
	}
	return searchIgnored, nil
}

// matches reports whether text holds the query (or, with "!", does not).
func (s *textSearch) matches(text string) bool {
	if s.needle == "" {
		return false
	}
	i, _ := s.span(text)
	return i >= 0 != s.invert
}

// span is the first match of the needle or regexp in text: start and end,
// -1 when there is none.
func (s *textSearch) span(text string) (int, int) {
	if s.re != nil {
		if m := s.re.FindStringIndex(text); m != nil && m[1] > m[0] {
			return m[0], m[1]
		}
		return -1, -1
	}
	i := index(text, s.needle)
	if i < 0 {
		return -1, -1
	}
	return i, i + len(s.needle)
}

// highlight marks the query's occurrences in a row of plain text; those of
// the current match stand out more.
func (s *textSearch) highlight(text string, current bool, st lipgloss.Style) string {
	if s.needle == "" || s.invert {
		return text // a line without the query has nothing to mark
	}
	if current {
		st = st.Bold(true).Underline(true)
	}
	var b strings.Builder
	rest := text
	for {
		i, j := s.span(rest)
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:i])
		b.WriteString(st.Render(rest[i:j]))
		rest = rest[j:]
	}
}

// status sums the search up: "/query: 3/10", or "/query: 10 matches"
// before one is chosen (current < 0).
func (s *textSearch) status(current, total int) string {
	if s.bad != "" {
		return fmt.Sprintf("/%s: not a regexp: %s", oneLine(s.query), s.bad)
	}
	if current >= 0 {
		return fmt.Sprintf("/%s: %d/%d", oneLine(s.query), current+1, total)
	}
	return fmt.Sprintf("/%s: %d matches", oneLine(s.query), total)
}

// Matching is smart-case: a query without capitals ignores (ASCII) case.
// Folding only ASCII keeps byte offsets, so highlights line up.

func index(s, q string) int {
	if hasUpper(q) {
		return strings.Index(s, q)
	}
	return indexFold(s, q)
}

// indexFold finds the lower-case q in s ignoring ASCII case, without
// allocating: a search runs over every line of the buffer.
func indexFold(s, q string) int {
	n := len(q)
	if n == 0 {
		return 0
	}
	lo, up := q[0], q[0]
	if lo >= 'a' && lo <= 'z' {
		up = lo - 'a' + 'A'
	}
	for i := 0; i+n <= len(s); i++ {
		if c := s[i]; c != lo && c != up {
			continue
		}
		j := 1
		for ; j < n; j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != q[j] {
				break
			}
		}
		if j == n {
			return i
		}
	}
	return -1
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}
