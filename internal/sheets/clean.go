package sheets

import (
	"strings"
	"unicode/utf8"

	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// Text from AWS reaches the spreadsheet in two ways, cleaned differently:
//
//   - the Changes and Status tabs are pricechecker's own text for people:
//     every control character (C0 including tab and newline, DEL, C1) and
//     every bidi embedding, override or isolate, which can make a line read
//     differently from what it is, becomes U+FFFD (textsafe.Line);
//   - a price tab mirrors the snapshot, which keeps AWS's bytes: only the
//     control characters become U+FFFD there, since a cell cannot show
//     them and Google documents no handling for them; a bidi character is
//     text AWS published and stays.
//
// Bytes that are not valid UTF-8 become U+FFFD in both, as JSON encoding
// would make them anyway.

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) }

// cellText cleans text for the Changes and Status tabs.
func cellText(s string) string { return textsafe.Line(s) }

// snapshotText cleans a snapshot value for a price tab.
func snapshotText(s string) string {
	bad := func(r rune) bool { return isControl(r) || r == utf8.RuneError }
	i := strings.IndexFunc(s, bad)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if bad(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}
