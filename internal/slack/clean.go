package slack

import (
	"net/url"
	"strings"

	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// clean replaces every character that must not reach people with U+FFFD
// (textsafe.Line): the C0 controls (tab and newline included: a message's
// line breaks are its own, put between lines, never taken from a value),
// DEL, the C1 controls, the bidi embeddings, overrides and isolates, and
// bytes that are not valid UTF-8.
func clean(s string) string { return textsafe.Line(s) }

// cleanURL percent-encodes the characters clean would replace, so that a
// link still leads where it did (url.Parse already refuses ASCII controls;
// C1 and bidi characters pass it).
func cleanURL(s string) string {
	if strings.IndexFunc(s, textsafe.Unsafe) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if textsafe.Unsafe(r) {
			b.WriteString(url.PathEscape(string(r)))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
