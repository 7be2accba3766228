package textsafe

import (
	"strings"
	"testing"
)

func TestLineAndText(t *testing.T) {
	for _, tc := range []struct{ in, line, text string }{
		{"plain text, €0.10 per GB", "plain text, €0.10 per GB", "plain text, €0.10 per GB"},
		{"nul\x00byte", "nul\uFFFDbyte", "nul\uFFFDbyte"},
		{"\x1b[31mred\x1b[0m", "\uFFFD[31mred\uFFFD[0m", "\uFFFD[31mred\uFFFD[0m"},
		{"two\nlines\r\n", "two\uFFFDlines\uFFFD\uFFFD", "two\nlines\uFFFD\n"},
		{"tab\there", "tab\uFFFDhere", "tab\uFFFDhere"},
		{"del\x7f c1\u0085\u009b", "del\uFFFD c1\uFFFD\uFFFD", "del\uFFFD c1\uFFFD\uFFFD"},
		{"abc\u202edcba", "abc\uFFFDdcba", "abc\uFFFDdcba"},
		{"\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069", strings.Repeat("\uFFFD", 8), strings.Repeat("\uFFFD", 8)},
		{"bad \xff\xfe utf-8", "bad \uFFFD\uFFFD utf-8", "bad \uFFFD\uFFFD utf-8"},
		// Arabic, Hebrew and the marks that only nudge neutral characters
		// are ordinary text.
		{"سعر \u200f שקל", "سعر \u200f שקל", "سعر \u200f שקל"},
	} {
		if got := Line(tc.in); got != tc.line {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
		}
		if got := Text(tc.in); got != tc.text {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.text)
		}
	}
}

func TestUnsafeBoundaries(t *testing.T) {
	for r, want := range map[rune]bool{
		0x00: true, 0x1f: true, 0x20: false, 0x7e: false, 0x7f: true, 0x9f: true, 0xa0: false,
		0x2029: false, 0x202a: true, 0x202e: true, 0x202f: false,
		0x2065: false, 0x2066: true, 0x2069: true, 0x206a: false, 0xfffd: false,
	} {
		if Unsafe(r) != want {
			t.Errorf("Unsafe(%U) = %v, want %v", r, !want, want)
		}
	}
}

func BenchmarkLineClean(b *testing.B) {
	s := strings.Repeat("Redshift dc1.large per On Demand Linux hour | ", 20)
	b.ReportAllocs()
	for b.Loop() {
		Line(s)
	}
}
