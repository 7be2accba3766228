package offergen

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

func generate(t testing.TB, format string, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Generate(&buf, format, o); err != nil {
		t.Fatalf("Generate %s: %v", format, err)
	}
	return buf.Bytes()
}

// line is what a reader keeps of one price dimension: enough to tell
// whether both renderings select the same lines with the same prices.
type line struct {
	SKU, TermType, OfferTermCode, Description, Begin, End, Unit, Price, Currency string
	Lease, Class, Purchase, Family, Effective                                    string
	Attrs                                                                        string // sorted key=value of non-empty attributes
}

type offerJSON struct {
	FormatVersion, Disclaimer, OfferCode, Version, PublicationDate string
	Products                                                       map[string]struct {
		SKU           string            `json:"sku"`
		ProductFamily *string           `json:"productFamily"`
		Attributes    map[string]string `json:"attributes"`
	} `json:"products"`
	Terms map[string]map[string]map[string]struct {
		OfferTermCode   string `json:"offerTermCode"`
		SKU             string `json:"sku"`
		EffectiveDate   string `json:"effectiveDate"`
		PriceDimensions map[string]struct {
			RateCode     string            `json:"rateCode"`
			Description  string            `json:"description"`
			BeginRange   *string           `json:"beginRange"`
			EndRange     *string           `json:"endRange"`
			Unit         string            `json:"unit"`
			PricePerUnit map[string]string `json:"pricePerUnit"`
			AppliesTo    []string          `json:"appliesTo"`
		} `json:"priceDimensions"`
		TermAttributes map[string]string `json:"termAttributes"`
	} `json:"terms"`
}

func attrString(m map[string]string) string {
	var kvs []string
	for k, v := range m {
		if v != "" {
			kvs = append(kvs, k+"="+v)
		}
	}
	slices.Sort(kvs)
	return strings.Join(kvs, ";")
}

// linesFromJSON reads a JSON offer the way a client would, keyed by rate
// code, with attribute keys turned into the CSV's column names.
func linesFromJSON(t *testing.T, data []byte) map[string]line {
	t.Helper()
	var o offerJSON
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatalf("JSON does not parse: %v", err)
	}
	out := map[string]line{}
	for termType, bySKU := range o.Terms {
		for sku, byTerm := range bySKU {
			p, ok := o.Products[sku]
			if !ok {
				t.Fatalf("terms name SKU %s, which products lack", sku)
			}
			family := ""
			if p.ProductFamily != nil {
				family = *p.ProductFamily
			}
			attrs := map[string]string{}
			for k, v := range p.Attributes {
				h, ok := AttributeHeader(k)
				if !ok {
					t.Fatalf("attribute %q has no CSV column", k)
				}
				attrs[h] = v
			}
			for termKey, tm := range byTerm {
				if termKey != sku+"."+tm.OfferTermCode || tm.SKU != sku {
					t.Fatalf("term key %s: offerTermCode %s sku %s", termKey, tm.OfferTermCode, tm.SKU)
				}
				for rateKey, d := range tm.PriceDimensions {
					if rateKey != d.RateCode || !strings.HasPrefix(d.RateCode, termKey+".") {
						t.Fatalf("rate key %s: rateCode %s", rateKey, d.RateCode)
					}
					if (d.BeginRange == nil) != (d.Unit == "Quantity") || (d.EndRange == nil) != (d.Unit == "Quantity") {
						t.Errorf("%s: unit %s with beginRange %v endRange %v; only upfront fees lack ranges", d.RateCode, d.Unit, d.BeginRange, d.EndRange)
					}
					if d.AppliesTo == nil || len(d.AppliesTo) != 0 {
						t.Errorf("%s: appliesTo %v, want []", d.RateCode, d.AppliesTo)
					}
					if len(d.PricePerUnit) != 1 {
						t.Fatalf("%s: pricePerUnit %v", d.RateCode, d.PricePerUnit)
					}
					var cur, price string
					for cur, price = range d.PricePerUnit {
					}
					l := line{
						SKU: sku, TermType: termType, OfferTermCode: tm.OfferTermCode,
						Description: d.Description, Unit: d.Unit, Price: price, Currency: cur,
						Lease:     tm.TermAttributes["LeaseContractLength"],
						Class:     tm.TermAttributes["OfferingClass"],
						Purchase:  tm.TermAttributes["PurchaseOption"],
						Family:    family,
						Effective: tm.EffectiveDate[:10],
						Attrs:     attrString(attrs),
					}
					if d.BeginRange != nil {
						l.Begin, l.End = *d.BeginRange, *d.EndRange
					}
					if _, dup := out[d.RateCode]; dup {
						t.Fatalf("rate code %s twice", d.RateCode)
					}
					out[d.RateCode] = l
				}
			}
		}
	}
	return out
}

func linesFromCSV(t *testing.T, data []byte) map[string]line {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if len(rows) < 6 {
		t.Fatalf("CSV has %d rows", len(rows))
	}
	header := rows[5]
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	out := map[string]line{}
	for _, row := range rows[6:] {
		if len(row) != len(header) {
			t.Fatalf("row has %d fields, header %d", len(row), len(header))
		}
		get := func(h string) string { return row[col[h]] }
		attrs := map[string]string{}
		for _, h := range header[len(csvFixed):] {
			attrs[h] = get(h)
		}
		l := line{
			SKU: get("SKU"), TermType: get("TermType"), OfferTermCode: get("OfferTermCode"),
			Description: get("PriceDescription"), Begin: get("StartingRange"), End: get("EndingRange"),
			Unit: get("Unit"), Price: get("PricePerUnit"), Currency: get("Currency"),
			Lease: get("LeaseContractLength"), Class: get("OfferingClass"), Purchase: get("PurchaseOption"),
			Family: get("Product Family"), Effective: get("EffectiveDate"),
			Attrs: attrString(attrs),
		}
		rc := get("RateCode")
		if _, dup := out[rc]; dup {
			t.Fatalf("rate code %s twice", rc)
		}
		out[rc] = l
	}
	return out
}

func TestFormatsCarryTheSameLines(t *testing.T) {
	for _, region := range []string{"us-east-1", "cn-north-1", "xx-nowhere-9"} {
		t.Run(region, func(t *testing.T) {
			o := Options{Products: 400, Seed: 7, Region: region}
			fromJSON := linesFromJSON(t, generate(t, "json", o))
			fromCSV := linesFromCSV(t, generate(t, "csv", o))
			if len(fromJSON) != len(fromCSV) {
				t.Errorf("JSON has %d lines, CSV %d", len(fromJSON), len(fromCSV))
			}
			for rc, j := range fromJSON {
				c, ok := fromCSV[rc]
				if !ok {
					t.Errorf("rate code %s only in JSON", rc)
					continue
				}
				if j != c {
					t.Errorf("rate code %s differs:\njson %+v\ncsv  %+v", rc, j, c)
				}
			}
			for rc := range fromCSV {
				if _, ok := fromJSON[rc]; !ok {
					t.Errorf("rate code %s only in CSV", rc)
				}
			}
		})
	}
}

// TestContent checks that a small offer already has what the decoders must
// handle: every product family, Reserved terms of all twelve kinds, upfront
// fees, tiers, zero prices, a product without productFamily, and the
// variants the typical filter must tell apart.
func TestContent(t *testing.T) {
	lines := linesFromJSON(t, generate(t, "json", Options{Products: 3000}))
	families := map[string]bool{}
	offerings := map[string]bool{}
	var upfront, tiered, zero, typical int
	for rc, l := range lines {
		families[l.Family] = true
		if l.TermType == "Reserved" {
			offerings[l.Lease+"/"+l.Class+"/"+l.Purchase] = true
		}
		if l.Unit == "Quantity" {
			upfront++
			if strings.Contains(l.Price, ".") || l.Description != "Upfront Fee" || !strings.HasSuffix(rc, "."+upfrontRate) {
				t.Errorf("upfront fee %s: %+v", rc, l)
			}
		} else if len(l.Price) < 12 || l.Price[len(l.Price)-11] != '.' {
			t.Errorf("%s: price %q, want ten decimals", rc, l.Price)
		}
		if l.Begin != "" && l.Begin != "0" {
			tiered++
		}
		if l.Price == "0.0000000000" {
			zero++
		}
		if l.Family == "Compute Instance" && strings.Contains(l.Attrs, "Operating System=Linux;") &&
			strings.Contains(l.Attrs, "Tenancy=Shared") && strings.Contains(l.Attrs, "CapacityStatus=Used") &&
			strings.Contains(l.Attrs, "Pre Installed S/W=NA") {
			typical++
		}
	}
	for _, f := range []string{"Compute Instance", "Compute Instance (bare metal)", "Storage", "Storage Snapshot",
		"System Operation", "Provisioned Throughput", "Data Transfer", "IP Address", "NAT Gateway", "CPU Credits", "Dedicated Host", ""} {
		if !families[f] {
			t.Errorf("no product of family %q in 3000 products", f)
		}
	}
	if len(offerings) != 12 {
		t.Errorf("%d kinds of Reserved offering, want 12: %v", len(offerings), slices.Sorted(maps.Keys(offerings)))
	}
	if upfront == 0 || tiered == 0 || zero == 0 || typical < 20 {
		t.Errorf("upfront %d, tiered %d, zero %d, typical-filter lines %d: want some of each", upfront, tiered, zero, typical)
	}
}

func TestDeterministic(t *testing.T) {
	for _, format := range []string{"json", "csv"} {
		a := generate(t, format, Options{Products: 200, Seed: 3})
		b := generate(t, format, Options{Products: 200, Seed: 3})
		c := generate(t, format, Options{Products: 200, Seed: 4})
		if !bytes.Equal(a, b) {
			t.Errorf("%s: same seed, different bytes", format)
		}
		if bytes.Equal(a, c) {
			t.Errorf("%s: different seeds, same bytes", format)
		}
	}
}

func TestJSONLayout(t *testing.T) {
	o := Options{Products: 50, Version: "20250912225308"}
	data := generate(t, "json", o)
	s := string(data)
	head := `{
  "formatVersion" : "v1.0",
  "disclaimer" : "` + disclaimer + `",
  "offerCode" : "AmazonEC2",
  "version" : "20250912225308",
  "publicationDate" : "2025-09-12T22:53:08Z",
  "products" : {
    "`
	if !strings.HasPrefix(s, head) {
		t.Errorf("JSON starts\n%s\nwant\n%s", s[:min(len(s), len(head)+40)], head)
	}
	if !strings.HasSuffix(s, "\n        }\n      }\n    }\n  }\n}") {
		t.Errorf("JSON ends %q", s[len(s)-60:])
	}
	if strings.Index(s, `"products" : {`) > strings.Index(s, `"terms" : {`) ||
		strings.Index(s, `"OnDemand" : {`) > strings.Index(s, `"Reserved" : {`) {
		t.Error("want products, then terms.OnDemand, then terms.Reserved")
	}
	for _, want := range []string{
		`"termAttributes" : { }`, `"appliesTo" : [ ]`, `"description" : "Upfront Fee",` + "\n" + `              "unit" : "Quantity",`,
		`"beginRange" : "0",` + "\n" + `              "endRange" : "Inf",`,
		`"LeaseContractLength" : "3yr",` + "\n" + `            "OfferingClass" : "convertible",` + "\n" + `            "PurchaseOption" : "Partial Upfront"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %q", want)
		}
	}
	// Every key is followed by " : ", and indentation is in steps of two.
	for n, ln := range strings.Split(s, "\n") {
		trimmed := strings.TrimLeft(ln, " ")
		if (len(ln)-len(trimmed))%2 != 0 {
			t.Fatalf("line %d: odd indentation: %q", n+1, ln)
		}
		if strings.HasPrefix(trimmed, `"`) && !strings.Contains(trimmed, `" : `) {
			t.Fatalf("line %d: key without space before colon: %q", n+1, ln)
		}
		if strings.Contains(ln, `":`) {
			t.Fatalf("line %d: %q", n+1, ln)
		}
	}
}

func TestCSVLayout(t *testing.T) {
	data := generate(t, "csv", Options{Products: 50})
	lines := strings.Split(string(data), "\n")
	want := []string{
		`"FormatVersion","v1.0"`,
		`"Disclaimer","` + disclaimer + `"`,
		`"Publication Date","2025-09-12T22:53:08Z"`,
		`"Version","20250912225308"`,
		`"OfferCode","AmazonEC2"`,
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("row %d = %q, want %q", i+1, lines[i], w)
		}
	}
	if lines[len(lines)-1] != "" {
		t.Error("CSV does not end with a newline")
	}
	if strings.Contains(string(data), "\r") {
		t.Error("CSV has CR")
	}
	// Every non-empty field is quoted; empty ones are bare.
	for n, ln := range lines[5 : len(lines)-1] {
		for _, f := range splitRaw(ln) {
			if f != "" && (len(f) < 2 || f[0] != '"' || f[len(f)-1] != '"') {
				t.Fatalf("row %d: field %q not quoted", n+6, f)
			}
			if f == `""` {
				t.Fatalf("row %d: empty field quoted", n+6)
			}
		}
	}
}

// The CSV header is the real EC2 header, column for column.
func TestCSVHeaderIsTheRealOne(t *testing.T) {
	f, err := os.Open("../../testdata/bulk/AmazonEC2-offer-excerpt-2025.csv")
	if err != nil {
		t.Skipf("real excerpt: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	var header []string
	for range 6 {
		if header, err = r.Read(); err != nil {
			t.Fatal(err)
		}
	}
	if got := CSVHeader(); !slices.Equal(got, header) {
		t.Errorf("header differs from the real one:\n got %q\nwant %q", got, header)
	}
}

func TestTargetBytes(t *testing.T) {
	for _, target := range []int64{4 << 10, 64 << 10, 1 << 20} {
		o, err := Options{TargetBytes: target}.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		j := generate(t, "json", o)
		c := generate(t, "csv", o)
		// The last product may overshoot by one product's worth.
		if int64(len(j)) < target || int64(len(j)) > target+64<<10 {
			t.Errorf("target %d: JSON is %d bytes", target, len(j))
		}
		t.Logf("target %d: %d products, JSON %d, CSV %d (%.2f)", target, o.Products, len(j), len(c), float64(len(c))/float64(len(j)))
	}
}

func TestOptions(t *testing.T) {
	o, err := Options{Version: "20240102030405", Products: 1}.Resolve()
	if err != nil || o.PublicationDate != "2024-01-02T03:04:05Z" {
		t.Errorf("version only: %+v, %v", o, err)
	}
	o, err = Options{PublicationDate: "2024-01-02T03:04:05Z", Products: 1}.Resolve()
	if err != nil || o.Version != "20240102030405" {
		t.Errorf("date only: %+v, %v", o, err)
	}
	for _, bad := range []Options{
		{Version: "2024"}, {PublicationDate: "yesterday"}, {Products: -1}, {TargetBytes: -1},
		{Version: "20240102030405", PublicationDate: "nope"},
	} {
		if _, err := bad.Resolve(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	if err := Generate(io.Discard, "xml", Options{Products: 1}); err == nil {
		t.Error("format xml: no error")
	}
}

type failWriter struct{ after int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after -= len(p); f.after < 0 {
		return 0, fmt.Errorf("disk full")
	}
	return len(p), nil
}

func TestWriteErrorIsReturned(t *testing.T) {
	for _, format := range []string{"json", "csv"} {
		err := Generate(&failWriter{after: 300 << 10}, format, Options{Products: 2000})
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: err = %v", format, err)
		}
	}
}

func TestUniqueSKUs(t *testing.T) {
	o, _ := Options{Products: 130000}.Resolve() // more than the default 480 MB offer has
	b := newBuilder(o)
	seen := map[string]int{}
	for i := range o.Products {
		sku := b.build(i).sku
		if j, dup := seen[sku]; dup {
			t.Fatalf("products %d and %d share SKU %s", j, i, sku)
		}
		seen[sku] = i
	}
}

// splitRaw splits a CSV line at the commas outside quotes, keeping quotes.
func splitRaw(ln string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(ln); i++ {
		switch {
		case ln[i] == '"':
			quoted = !quoted
		case ln[i] == ',' && !quoted:
			out = append(out, ln[start:i])
			start = i + 1
		}
	}
	return append(out, ln[start:])
}
