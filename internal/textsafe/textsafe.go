// Package textsafe makes text that came from outside (AWS descriptions,
// attribute values, rate codes) safe to show to people: in commit messages,
// Markdown reports, job summaries, annotations and terminal tables.
//
// Snapshots keep AWS's bytes; only what is displayed goes through here.
// A NUL byte makes `git commit` refuse the message, an escape sequence
// recolours or rewrites a terminal, and a bidi override makes text read
// differently from what it is, so each of them is replaced with U+FFFD,
// the same mark Go and encoding/xml use for bytes that are not valid
// UTF-8 (which are replaced too).
package textsafe

import (
	"strings"
	"unicode/utf8"
)

// Replacement stands in for every character this package removes.
const Replacement = '\uFFFD'

// Unsafe reports whether r must not be displayed as is: the C0 controls
// (tab, newline and carriage return included), DEL, the C1 controls, and
// the bidi embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) that can disguise text.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// Line returns s for a single line or a table cell: every unsafe
// character, line breaks and tabs included, becomes U+FFFD.
func Line(s string) string { return clean(s, false) }

// Text returns s for multi-line text: like Line, but newlines are kept.
func Text(s string) string { return clean(s, true) }

func clean(s string, keepNewline bool) string {
	// Ranging over a string yields utf8.RuneError for a byte that is not
	// valid UTF-8; writing the rune back writes U+FFFD.
	bad := func(r rune) bool {
		return (Unsafe(r) || r == utf8.RuneError) && !(keepNewline && r == '\n')
	}
	i := strings.IndexFunc(s, bad)
	if i < 0 {
		return s // the common case: nothing to copy
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if bad(r) {
			r = Replacement
		}
		b.WriteRune(r)
	}
	return b.String()
}
