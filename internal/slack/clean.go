package slack

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// clean replaces every character that must not reach people with U+FFFD:
// the C0 controls (tab and newline included: a message's line breaks are
// its own, put between lines, never taken from a value), DEL, the C1
// controls, the bidi embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) that make text read differently from what it is, and
// bytes that are not valid UTF-8. It is the rule of internal/textsafe's
// Line, for the Slack message.
func clean(s string) string {
	i := strings.IndexFunc(s, unsafeRune)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if unsafeRune(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f, r == utf8.RuneError:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// cleanURL percent-encodes the characters clean would replace, so that a
// link still leads where it did (url.Parse already refuses ASCII controls;
// C1 and bidi characters pass it).
func cleanURL(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			b.WriteString(url.PathEscape(string(r)))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
