package offerfile_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
)

// A minimal file of each kind the decoders read, with one price line whose
// price and ranges a test chooses: every source must judge them alike.

type priceLine struct{ rate, price, begin, end string }

func jsonOffer(lines ...priceLine) string {
	dims := map[string]any{}
	for _, l := range lines {
		dims[l.rate] = map[string]any{"rateCode": l.rate, "description": "d", "beginRange": l.begin, "endRange": l.end,
			"unit": "Hrs", "pricePerUnit": map[string]string{"USD": l.price}}
	}
	offer := map[string]any{
		"formatVersion": "v1.0", "offerCode": "AmazonTest", "version": "20250101000000", "publicationDate": "2025-01-01T00:00:00Z",
		"products": map[string]any{"SKU1": map[string]any{"sku": "SKU1", "productFamily": "Compute Instance", "attributes": map[string]string{"instanceType": "m5.large"}}},
		"terms": map[string]any{"OnDemand": map[string]any{"SKU1": map[string]any{"SKU1.TERM": map[string]any{
			"offerTermCode": "TERM", "sku": "SKU1", "effectiveDate": "2025-01-01T00:00:00Z", "priceDimensions": dims, "termAttributes": map[string]string{}}}}},
	}
	// Marshal sorts keys: products come before terms, as AWS writes them.
	b, err := json.Marshal(offer)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func csvOffer(lines ...priceLine) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll([][]string{{"FormatVersion", "v1.0"}, {"Disclaimer", "x"}, {"Publication Date", "2025-01-01T00:00:00Z"},
		{"Version", "20250101000000"}, {"OfferCode", "AmazonTest"},
		{"SKU", "OfferTermCode", "RateCode", "TermType", "PriceDescription", "EffectiveDate", "StartingRange", "EndingRange", "Unit", "PricePerUnit", "Currency", "Instance Type"}})
	for _, l := range lines {
		w.Write([]string{"SKU1", "TERM", l.rate, "OnDemand", "d", "2025-01-01", l.begin, l.end, "Hrs", l.price, "USD", "m5.large"})
	}
	w.Flush()
	return buf.String()
}

func spJSON(lines ...priceLine) string {
	var rates []any
	for _, l := range lines {
		rates = append(rates, map[string]any{"rateCode": l.rate, "unit": "Hrs", "discountedRate": map[string]string{"price": l.price, "currency": "USD"}})
	}
	b, err := json.Marshal(map[string]any{
		"version":  "20250101000000",
		"products": []any{map[string]any{"sku": "P1", "productFamily": "ComputeSavingsPlans", "attributes": map[string]string{"purchaseOption": "No Upfront"}}},
		"terms": map[string]any{"savingsPlan": []any{map[string]any{"sku": "P1", "description": "d", "effectiveDate": "2025-01-01T00:00:00Z",
			"leaseContractLength": map[string]any{"duration": 1, "unit": "year"}, "rates": rates}}},
	})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func spCSV(lines ...priceLine) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll([][]string{{"FormatVersion", "v1.0"}, {"Version", "20250101000000"}, {"OfferCode", "AmazonComputeSavingsPlan"},
		{"SKU", "RateCode", "Unit", "EffectiveDate", "DiscountedRate", "Currency", "LeaseContractLength", "LeaseContractLengthUnit", "Description"}})
	for _, l := range lines {
		w.Write([]string{"P1", l.rate, "Hrs", "2025-01-01", l.price, "USD", "1", "year", "d"})
	}
	w.Flush()
	return buf.String()
}

// apiEntries decodes GetProducts entries, one per line, as one source.
func apiEntries(lines ...priceLine) string {
	var out []string
	for _, l := range lines {
		b, err := json.Marshal(map[string]any{
			"product":     map[string]any{"sku": "SKU1", "productFamily": "Compute Instance", "attributes": map[string]string{"instanceType": "m5.large"}},
			"serviceCode": "AmazonTest", "version": "20250101000000", "publicationDate": "2025-01-01T00:00:00Z",
			"terms": map[string]any{"OnDemand": map[string]any{"SKU1.TERM": map[string]any{"offerTermCode": "TERM", "sku": "SKU1",
				"effectiveDate": "2025-01-01T00:00:00Z", "termAttributes": map[string]string{},
				"priceDimensions": map[string]any{l.rate: map[string]any{"rateCode": l.rate, "description": "d", "beginRange": l.begin,
					"endRange": l.end, "unit": "Hrs", "pricePerUnit": map[string]string{"USD": l.price}}}}}},
		})
		if err != nil {
			panic(err)
		}
		out = append(out, string(b))
	}
	return strings.Join(out, "\n")
}

type source struct {
	name   string
	file   func(...priceLine) string
	read   func(string) ([]priceline.Line, error)
	range_ bool // the source carries ranges
}

func decodeString(decode func(io.Reader, string, selection.Selection, offerfile.Handler) (offerfile.Header, error), format string) func(string) ([]priceline.Line, error) {
	return func(body string) ([]priceline.Line, error) {
		var lines []priceline.Line
		_, err := decode(strings.NewReader(body), format, selection.Selection{}, offerfile.Handler{Line: func(l *priceline.Line) error {
			lines = append(lines, *l)
			return nil
		}})
		return lines, err
	}
}

func readAPI(body string) ([]priceline.Line, error) {
	dec := offerfile.NewProductDecoder(selection.Selection{})
	var lines []priceline.Line
	for _, entry := range strings.Split(body, "\n") {
		if _, err := dec.Decode(entry, func(l *priceline.Line) error {
			lines = append(lines, *l)
			return nil
		}); err != nil {
			return lines, err
		}
	}
	return lines, nil
}

var sources = []source{
	{"offer json", jsonOffer, decodeString(offerfile.Decode, offerfile.FormatJSON), true},
	{"offer csv", csvOffer, decodeString(offerfile.Decode, offerfile.FormatCSV), true},
	{"savings plan json", spJSON, decodeString(offerfile.DecodeSavingsPlan, offerfile.FormatJSON), false},
	{"savings plan csv", spCSV, decodeString(offerfile.DecodeSavingsPlan, offerfile.FormatCSV), false},
	{"GetProducts", apiEntries, readAPI, true},
}

func TestRealPriceShapesPassExactly(t *testing.T) {
	hundred := strings.Repeat("9", 50) + "." + strings.Repeat("9", 49)
	for _, src := range sources {
		for _, price := range []string{"0.2500000000", "34800", "0.35999999999999998667732370449812151491641998291015625", "0", "0.0000000000", "000.10", hundred} {
			lines, err := src.read(src.file(priceLine{"R.T.X", price, "0", "Inf"}))
			if err != nil {
				t.Errorf("%s: price %q: %v", src.name, price, err)
				continue
			}
			if len(lines) != 1 || lines[0].Price != price {
				t.Errorf("%s: price %q read as %+v", src.name, price, lines)
			}
		}
		if !src.range_ {
			continue
		}
		for _, r := range [][2]string{{"", ""}, {"0", "10240"}, {"10240", "Inf"}, {"0.5", "1.5"}} {
			lines, err := src.read(src.file(priceLine{"R.T.X", "1.0", r[0], r[1]}))
			if err != nil {
				t.Errorf("%s: range %q: %v", src.name, r, err)
			} else if lines[0].BeginRange != r[0] || lines[0].EndRange != r[1] {
				t.Errorf("%s: range %q read as %q %q", src.name, r, lines[0].BeginRange, lines[0].EndRange)
			}
		}
	}
}

func TestGarbagePricesFailNamingTheRateCode(t *testing.T) {
	bad := []string{"", "abc", "NaN", "nan", "Infinity", "Inf", "-1", "-0", "+1", "1e5", "1E5", "0x10", " 1", "1 ", ".5", "5.", "1.2.3",
		"1,000", "1_000", "\u0661", "1\x00", strings.Repeat("1", 101), strings.Repeat("4", 400)}
	for _, src := range sources {
		for _, price := range bad {
			_, err := src.read(src.file(priceLine{"ABC.DEF.GHI", price, "0", "Inf"}))
			if err == nil {
				t.Errorf("%s: price %q accepted", src.name, price)
				continue
			}
			want := fmt.Sprintf("ABC.DEF.GHI price %q", price)
			if len(price) > 40 {
				want = fmt.Sprintf("ABC.DEF.GHI price %q… (%d bytes)", price[:40], len(price))
			}
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "not a decimal number") {
				t.Errorf("%s: price %q: error %q does not name %s", src.name, price, err, want)
			}
		}
		if !src.range_ {
			continue
		}
		for _, r := range [][2]string{{"abc", "Inf"}, {"-1", "10"}, {"Inf", "Inf"}, {"0", "1e5"}, {"0", "inf"}, {"0", " 10"}} {
			_, err := src.read(src.file(priceLine{"ABC.DEF.GHI", "1.0", r[0], r[1]}))
			if err == nil || !strings.Contains(err.Error(), "ABC.DEF.GHI") || !strings.Contains(err.Error(), "Range") {
				t.Errorf("%s: range %q: error %v, want one naming the rate code and range", src.name, r, err)
			}
		}
	}
}

func TestGarbagePricesAreCountedAndTheFirstNamed(t *testing.T) {
	lines := []priceLine{{"A.A.1", "abc", "0", "Inf"}, {"A.A.2", "1.0", "0", "Inf"}, {"A.A.3", "", "0", "Inf"}, {"A.A.4", "NaN", "0", "Inf"}, {"A.A.5", "1e5", "0", "Inf"}, {"A.A.6", "0x10", "0", "Inf"}}
	for _, src := range sources[:4] { // GetProducts fails at the first bad entry
		_, err := src.read(src.file(lines...))
		if err == nil {
			t.Fatalf("%s: garbage accepted", src.name)
		}
		msg := err.Error()
		if !strings.Contains(msg, "5 prices or ranges are not a decimal number") || !strings.Contains(msg, "and 2 more") || strings.Contains(msg, "A.A.2") {
			t.Errorf("%s: %s", src.name, msg)
		}
	}
}
