package offerfile_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
)

// Junk bodies: each is 16 MiB (the real faults are gigabytes; see
// scripts/bench-junk.sh for the memory they cost) and must be refused
// after reading little more than the cap, which is what keeps the
// decoders' buffers small whatever arrives.

const junkSize = 16 << 20

// counting counts the bytes a decoder took from its source.
type counting struct {
	r io.Reader
	n int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func repeat(s string, n int) string { return strings.Repeat(s, n/len(s)) }

type decodeFunc func(io.Reader, string, selection.Selection, offerfile.Handler) (offerfile.Header, error)

func TestJunkIsRefusedAfterTheCap(t *testing.T) {
	csvHead := "\"FormatVersion\",\"v1.0\"\n\"Version\",\"20250101000000\"\n\"OfferCode\",\"AmazonTest\"\n" +
		"\"SKU\",\"OfferTermCode\",\"RateCode\",\"TermType\",\"PricePerUnit\",\"DiscountedRate\"\n"
	cases := []struct {
		name    string
		decode  decodeFunc
		format  string
		body    string
		want    string
		maxRead int64
	}{
		// JSON: jsontext holds the token it reads and the whitespace
		// before it, whatever that is.
		{"json whitespace", offerfile.Decode, offerfile.FormatJSON, repeat(" \n\t\r", junkSize), "at byte 0, a string, number or run of whitespace is longer than 1 MiB", 3 << 20},
		{"json whitespace inside", offerfile.Decode, offerfile.FormatJSON, `{"version":"1",` + repeat(" ", junkSize) + `}`, "at byte 14, a string", 3 << 20},
		{"json string", offerfile.Decode, offerfile.FormatJSON, `{"version":"` + repeat("a", junkSize) + `"}`, "at byte 10, a string", 3 << 20},
		{"json key", offerfile.Decode, offerfile.FormatJSON, `{"` + repeat("k", junkSize) + `":1}`, "at byte 1, a string", 3 << 20},
		{"json number", offerfile.Decode, offerfile.FormatJSON, `{"a":` + repeat("1", junkSize) + `}`, "at byte 4, a string", 3 << 20},
		{"json skipped value", offerfile.Decode, offerfile.FormatJSON, `{"disclaimer":"` + repeat("d", junkSize) + `"}`, "longer than 1 MiB", 3 << 20},
		{"json value where a string goes", offerfile.Decode, offerfile.FormatJSON, `{"version":[` + repeat("1,", junkSize) + `1]}`, "longer than 1 MiB", 3 << 20},
		{"json attribute", offerfile.Decode, offerfile.FormatJSON, `{"version":"1","products":{"S":{"attributes":{"a":"` + repeat("v", junkSize) + `"}}}}`, "longer than 1 MiB", 3 << 20},
		{"json deep", offerfile.Decode, offerfile.FormatJSON, `{"products":` + repeat("[", junkSize), "malformed JSON", 3 << 20},
		{"savings plan json string", offerfile.DecodeSavingsPlan, offerfile.FormatJSON, `{"version":"` + repeat("a", junkSize) + `"}`, "at byte 10, a string", 3 << 20},
		{"savings plan json whitespace", offerfile.DecodeSavingsPlan, offerfile.FormatJSON, repeat(" ", junkSize), "at byte 0", 3 << 20},
		// CSV: encoding/csv holds a whole record, across quoted newlines.
		{"csv whitespace", offerfile.Decode, offerfile.FormatCSV, repeat(" \t", junkSize), "at line 1 (byte 0), a record is longer than 256 KiB", 2 << 20},
		{"csv blank lines", offerfile.Decode, offerfile.FormatCSV, repeat("\n", junkSize), "at line 1 (byte 0), a record is longer than 256 KiB", 2 << 20},
		{"csv one line", offerfile.Decode, offerfile.FormatCSV, csvHead + repeat("x", junkSize) + "\n", "at line 5 (byte 151), a record is longer than 256 KiB", 2 << 20},
		{"csv fields", offerfile.Decode, offerfile.FormatCSV, csvHead + repeat(",", junkSize) + "\n", "at line 5 (byte 151), a record is longer", 2 << 20},
		{"csv quoted newlines", offerfile.Decode, offerfile.FormatCSV, csvHead + `"` + repeat("a\n", junkSize) + "\"\n", "at line 5 (byte 151), a record is longer", 2 << 20},
		{"csv wide header", offerfile.Decode, offerfile.FormatCSV, repeat("a,", 20000) + "\n", "line 1 has 10001 fields, more than 4096", 2 << 20},
		{"savings plan csv one line", offerfile.DecodeSavingsPlan, offerfile.FormatCSV, csvHead + repeat("x", junkSize) + "\n", "at line 5 (byte 151), a record is longer", 2 << 20},
		{"savings plan csv quotes", offerfile.DecodeSavingsPlan, offerfile.FormatCSV, csvHead + `"` + repeat("a\n", junkSize), "at line 5 (byte 151), a record is longer", 2 << 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := &counting{r: strings.NewReader(c.body)}
			_, err := c.decode(src, c.format, selection.Selection{}, offerfile.Handler{Line: func(*priceline.Line) error { return nil }})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
			if src.n > c.maxRead {
				t.Errorf("read %d bytes of junk before refusing it, want at most %d", src.n, c.maxRead)
			}
		})
	}
}

// The caps are far above what AWS writes: values and records many times
// AWS's longest are read whole and exact.
func TestLongValuesUnderTheCapsPass(t *testing.T) {
	long := strings.Repeat("é", 200<<10) // 400 KB of description
	body := jsonOffer(priceLine{"R.T.X", "1.0", "0", "Inf"})
	body = strings.Replace(body, `"description":"d"`, `"description":"`+long+`"`, 1)
	body = strings.Replace(body, `{`, "{"+strings.Repeat(" ", 900<<10), 1) // 900 KB of indentation
	lines, err := decodeString(offerfile.Decode, offerfile.FormatJSON)(body)
	if err != nil || len(lines) != 1 || lines[0].Description != long {
		t.Fatalf("json: %d lines, %v", len(lines), err)
	}

	long = strings.Repeat("x", 120<<10)
	body = csvOffer(priceLine{"R.T.X", "1.0", "0", "Inf"})
	body = strings.Replace(body, ",d,", ","+long+",", 1)
	body = strings.Replace(body, "\nSKU", strings.Repeat("\n", 100<<10)+"SKU", 1) // blank lines, under the cap
	lines, err = decodeString(offerfile.Decode, offerfile.FormatCSV)(body)
	if err != nil || len(lines) != 1 || lines[0].Description != long {
		t.Fatalf("csv: %d lines, %v", len(lines), err)
	}
	// A quoted field over many lines is one record, and legal.
	multi := strings.Repeat("line\n", 40<<10)
	body = strings.Replace(csvOffer(priceLine{"R.T.X", "1.0", "0", "Inf"}), ",d,", `,"`+multi+`",`, 1)
	lines, err = decodeString(offerfile.Decode, offerfile.FormatCSV)(body)
	if err != nil || len(lines) != 1 || lines[0].Description != multi {
		t.Fatalf("csv multi-line field: %d lines, %v", len(lines), err)
	}
}

// A file of ever new attribute names or term types is read with a bounded
// cache (the names past the cap are looked up each time) and gives the
// same lines.
func TestManyAttributeNamesAndTermTypes(t *testing.T) {
	var attrs bytes.Buffer
	for i := range 30000 {
		attrs.WriteString(`"a` + strings.Repeat("b", i%7) + string(rune('0'+i%10)) + itoa(i) + `":"v",`)
	}
	body := jsonOffer(priceLine{"R.T.X", "1.0", "0", "Inf"})
	body = strings.Replace(body, `"attributes":{`, `"attributes":{`+attrs.String(), 1)
	lines, err := decodeString(offerfile.Decode, offerfile.FormatJSON)(body)
	if err != nil || len(lines) != 1 {
		t.Fatalf("%d lines, %v", len(lines), err)
	}
}

func itoa(i int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		if i /= 10; i == 0 {
			return string(b)
		}
	}
}

// What a decoder must hold until later keys arrive is capped in count: the
// dimensions of a term, the products of a Savings Plans file.
func TestHeldPiecesAreCapped(t *testing.T) {
	var many []priceLine
	for i := range 10001 {
		many = append(many, priceLine{"R.T." + itoa(i), "1.0", "0", "Inf"})
	}
	if _, err := decodeString(offerfile.Decode, offerfile.FormatJSON)(jsonOffer(many...)); err == nil || !strings.Contains(err.Error(), "more than 10000 price dimensions in one term") {
		t.Errorf("10001 dimensions in a term: %v", err)
	}
	if lines, err := decodeString(offerfile.Decode, offerfile.FormatJSON)(jsonOffer(many[:10000]...)); err != nil || len(lines) != 10000 {
		t.Errorf("10000 dimensions in a term: %d lines, %v", len(lines), err)
	}

	var products strings.Builder
	for i := range 100001 {
		products.WriteString(`{"sku":"P` + itoa(i) + `"},`)
	}
	body := strings.Replace(spJSON(priceLine{"P1.R1", "1.0", "", ""}), `"products":[`, `"products":[`+products.String(), 1)
	if _, err := decodeString(offerfile.DecodeSavingsPlan, offerfile.FormatJSON)(body); err == nil || !strings.Contains(err.Error(), "more than 100000 products") {
		t.Errorf("100001 products: %v", err)
	}
}

// A row narrower than the header is refused, not indexed past its end.
func TestShortCSVRowIsRefused(t *testing.T) {
	body := csvOffer() + "x\n"
	_, err := decodeString(offerfile.Decode, offerfile.FormatCSV)(body)
	if err == nil || !strings.Contains(err.Error(), "line 7 has 1 fields, the header has 12") {
		t.Errorf("short row: %v", err)
	}
}
