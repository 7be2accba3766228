package report

import (
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// hostile is AWS text carrying what must never reach a commit message, a
// job summary or a terminal: a NUL byte (git refuses the message), an
// escape sequence, a bidi override, DEL, a C1 control, a tab, a carriage
// return and a line break, a pipe and a backslash (which would break a
// table cell).
const hostile = "a\x00b \x1b[31mred\x1b[0m \u202egnp.exe\u2066 del\x7f c1\u009b tab\tcr\rnl\nback\\|pipe"

func hostileReport() Report {
	line := Line{RateCode: "R1`x|y", SKU: "S\x00", TermType: "OnDemand", Unit: "Hrs\x1b", Price: "0.1\u202e", Currency: "USD\x00", Description: hostile}
	return Report{Offers: []Offer{{
		OfferCode: "Amazon\x00EC2", Region: "us-east-1\u202e", FromVersion: "1\x1b", ToVersion: "2\n3",
		Added:   []Line{line},
		Removed: []Line{line},
		Changed: []Change{{RateCode: "R2\x00", OldPrice: "1\x7f", NewPrice: "2", Currency: "USD", Description: hostile,
			AttributeChanges: []FieldChange{{Field: "memory\x1b", Old: "1", New: "2"}}}},
		Flags: []Flag{{Kind: FlagLargeMove, RateCode: "R2\x00", Message: hostile}},
	}, {OfferCode: "X", Region: "r", ToVersion: "2", Skipped: hostile}}}
}

func TestMarkdownAndSubjectCarryNoControlCharacters(t *testing.T) {
	r := hostileReport()
	md := r.Markdown(0)
	for _, bad := range []rune{0, 0x1b, 0x7f, 0x9b, '\t', '\r', 0x202e, 0x2066} {
		if strings.ContainsRune(md, bad) {
			t.Errorf("Markdown carries %U:\n%q", bad, md)
		}
	}
	if strings.ContainsFunc(md, func(r rune) bool { return r != '\n' && textsafe.Unsafe(r) }) {
		t.Errorf("Markdown carries an unsafe character:\n%q", md)
	}
	// The text stays readable around what was replaced.
	if !strings.Contains(md, "a\uFFFDb \uFFFD[31mred") {
		t.Errorf("Markdown lost the text around the control characters:\n%s", md)
	}
	subject := r.Subject()
	if strings.ContainsFunc(subject, textsafe.Unsafe) {
		t.Errorf("Subject carries an unsafe character: %q", subject)
	}
	if subject != "Amazon\uFFFDEC2 us-east-1\uFFFD 2\uFFFD3: 1 changed, 1 added, 1 removed" {
		t.Errorf("Subject = %q", subject)
	}
}

// Every table row keeps its columns whatever the AWS text holds: an
// unescaped pipe, one escaped by a backslash in the text itself, or a line
// break would shift or end the row.
func TestMarkdownCellsStayInTheirColumn(t *testing.T) {
	md := hostileReport().Markdown(0)
	want := map[string]int{"| Offer |": 7, "| Line | Rate code | Description | Old |": 6, "| Line | Rate code | Description | Price |": 4}
	cols := 0
	for _, row := range strings.Split(md, "\n") {
		if !strings.HasPrefix(row, "|") {
			cols = 0
			continue
		}
		for head, n := range want {
			if strings.HasPrefix(row, head) {
				cols = n
			}
		}
		if got := cells(row); got != cols {
			t.Errorf("row has %d cells, want %d: %q", got, cols, row)
		}
	}
	if !strings.Contains(md, `back\\\|pipe`) {
		t.Errorf("the backslash and the pipe are not both escaped:\n%s", md)
	}
	// A rate code that does not have AWS's shape is not put in a code span
	// it could break out of.
	if strings.Contains(md, "`R1`") || !strings.Contains(md, "| R1`x\\|y |") {
		t.Errorf("odd rate code not escaped as text:\n%s", md)
	}
}

// cells counts a GFM table row's cells the way GitHub splits them: a
// backslash escapes the next character, an unescaped pipe separates.
func cells(row string) int {
	n := 0
	for i := 0; i < len(row); i++ {
		switch row[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n - 1
}
