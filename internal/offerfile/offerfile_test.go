package offerfile_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

const (
	redshiftJSON = "../../testdata/bulk/AmazonRedshift-20180309224506-offer.json"
	ec2CSV       = "../../testdata/bulk/AmazonEC2-offer-excerpt-2025.csv"
	mirror       = "../../testdata/mirror/offers/v1.0/aws/AmazonRedshift"
)

func decodeFile(t *testing.T, path, format string, sel selection.Selection) (offerfile.Header, []priceline.Line) {
	t.Helper()
	return decodeWith(t, offerfile.Decode, path, format, sel)
}

// decodeWith decodes a file with one of the package's decoders and
// collects the lines.
func decodeWith(t *testing.T, decode func(io.Reader, string, selection.Selection, offerfile.Handler) (offerfile.Header, error), path, format string, sel selection.Selection) (offerfile.Header, []priceline.Line) {
	t.Helper()
	h, lines, err := decodeAll(t, decode, path, format, sel)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return h, lines
}

func byRate(lines []priceline.Line) map[string]priceline.Line {
	m := map[string]priceline.Line{}
	for _, l := range lines {
		m[l.RateCode] = l
	}
	return m
}

func TestDecodeRealRedshiftJSON(t *testing.T) {
	h, lines := decodeFile(t, redshiftJSON, offerfile.FormatJSON, selection.Selection{Attributes: []string{"productFamily", "instanceType"}})
	if h.Version != "20180309224506" || h.OfferCode != "AmazonRedshift" || h.PublicationDate != "2018-03-09T22:45:06Z" {
		t.Errorf("header = %+v", h)
	}
	if len(lines) != 2368 {
		t.Errorf("got %d price lines, want 2368 (every dimension of every term)", len(lines))
	}
	m := byRate(lines)
	if len(m) != len(lines) {
		t.Errorf("rate codes are not unique: %d distinct of %d", len(m), len(lines))
	}
	l := m["Q5CNESP65QAQJHJM.JRTCKXETXF.6YS6EN2CT7"]
	want := priceline.Line{
		SKU: "Q5CNESP65QAQJHJM", OfferTermCode: "JRTCKXETXF", RateCode: "Q5CNESP65QAQJHJM.JRTCKXETXF.6YS6EN2CT7",
		TermType: "OnDemand", Description: "$0.040 per GB - EU (Paris) Amazon S3 accelerated data transfer from EU (London)",
		EffectiveDate: "2018-03-01", BeginRange: "0", EndRange: "Inf", Unit: "GB", Price: "0.0400000000", Currency: "USD",
	}
	if l.SKU != want.SKU || l.Price != want.Price || l.EffectiveDate != want.EffectiveDate || l.BeginRange != "0" || l.EndRange != "Inf" || l.Description != want.Description || l.TermType != "OnDemand" {
		t.Errorf("line = %+v\nwant %+v", l, want)
	}
	if l.Attributes[0] != "Data Transfer" || l.Attributes[1] != "" {
		t.Errorf("attributes = %q, want [Data Transfer \"\"]", l.Attributes)
	}
	// Upfront fees: unit Quantity, no range keys, integer-looking strings.
	upfront := 0
	for _, l := range lines {
		if l.Unit == "Quantity" {
			upfront++
			if l.BeginRange != "" || l.EndRange != "" || l.TermType != "Reserved" || l.Description != "Upfront Fee" {
				t.Errorf("upfront fee line %+v", l)
			}
			if l.LeaseContractLength == "" || l.PurchaseOption == "" || l.OfferingClass == "" {
				t.Errorf("reserved line without term attributes: %+v", l)
			}
		}
	}
	if upfront == 0 {
		t.Error("no upfront fee lines found; the Redshift file has reserved upfront fees")
	}
}

func TestFilters(t *testing.T) {
	sel := selection.Selection{
		Terms:      []string{"Reserved"},
		Filters:    map[string][]string{"productFamily": {"Compute Instance"}, "instanceType": {"ds2.8xlarge", "dc2.large"}},
		Attributes: []string{"instanceType", "location"},
	}
	_, lines := decodeFile(t, redshiftJSON, offerfile.FormatJSON, sel)
	if len(lines) == 0 {
		t.Fatal("filter kept nothing")
	}
	for _, l := range lines {
		if l.TermType != "Reserved" || (l.Attributes[0] != "ds2.8xlarge" && l.Attributes[0] != "dc2.large") {
			t.Fatalf("line escaped the filter: %+v", l)
		}
	}
	// A value no product has selects nothing, and that is not an error (a
	// region may not sell an instance type).
	_, none := decodeFile(t, redshiftJSON, offerfile.FormatJSON, selection.Selection{Filters: map[string][]string{"instanceType": {"x9.huge"}}})
	if len(none) != 0 {
		t.Errorf("unknown value kept %d lines", len(none))
	}
	// Products without productFamily are kept by an empty-value filter only.
	_, missing := decodeFile(t, redshiftJSON, offerfile.FormatJSON, selection.Selection{Filters: map[string][]string{"productFamily": {""}}})
	if len(missing) == 0 {
		t.Error("products without productFamily were not matched by an empty value")
	}
}

// The real EC2 CSV titles attributes differently from the JSON keys the
// config uses; the same names must select the same lines.
func TestCSVMatchesJSONAttributeNames(t *testing.T) {
	sel := selection.Selection{
		Filters:    map[string][]string{"capacitystatus": {"Used"}, "preInstalledSw": {"SQL Web"}, "instanceType": {"c6i.large"}},
		Attributes: []string{"instanceType", "preInstalledSw", "capacitystatus", "vcpu", "memory", "operatingSystem", "productFamily"},
	}
	h, lines := decodeFile(t, ec2CSV, offerfile.FormatCSV, sel)
	if h.Version != "20250912225308" || h.OfferCode != "AmazonEC2" {
		t.Errorf("header = %+v", h)
	}
	if len(lines) == 0 {
		t.Fatal("no line selected from the EC2 excerpt")
	}
	l := byRate(lines)["2223B6PCG6QAUYY6.38NPMPTW36.2TG2D8R56U"]
	if l.Price != "2750" || l.Unit != "Quantity" || l.BeginRange != "" || l.EffectiveDate != "2025-09-12" {
		t.Errorf("upfront line = %+v", l)
	}
	want := []string{"c6i.large", "SQL Web", "Used", "2", "4 GiB", "Windows", "Compute Instance"}
	if strings.Join(l.Attributes, "|") != strings.Join(want, "|") {
		t.Errorf("attributes = %q, want %q", l.Attributes, want)
	}
}

// Reading the CSV or the JSON of the same version gives byte-identical
// snapshots.
func TestFormatsGiveIdenticalSnapshots(t *testing.T) {
	sels := map[string]selection.Selection{
		"everything": {Attributes: []string{"productFamily", "usagetype", "instanceType", "vcpu", "memory", "location"}},
		"filtered": {
			Terms:      []string{"OnDemand", "Reserved"},
			Filters:    map[string][]string{"productFamily": {"Compute Instance"}},
			Attributes: []string{"instanceType", "currentGeneration"},
		},
	}
	dirs, _ := filepath.Glob(filepath.Join(mirror, "2*", "*-*-*"))
	if len(dirs) < 4 {
		t.Fatalf("mirror has %d region folders, want 4", len(dirs))
	}
	for _, dir := range dirs {
		for name, sel := range sels {
			encode := func(format string) []byte {
				_, lines := decodeFile(t, filepath.Join(dir, "index."+format), format, sel)
				s := &snapshot.Snapshot{Attributes: sel.Attributes}
				for i := range lines {
					s.Add(&lines[i])
				}
				if err := s.Sort(); err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := s.Encode(&buf); err != nil {
					t.Fatal(err)
				}
				return buf.Bytes()
			}
			j, c := encode("json"), encode("csv")
			if len(j) < 200 {
				t.Fatalf("%s %s: snapshot suspiciously small (%d bytes)", dir, name, len(j))
			}
			if !bytes.Equal(j, c) {
				t.Errorf("%s %s: JSON and CSV snapshots differ", dir, name)
			}
		}
	}
}

func TestBrokenFiles(t *testing.T) {
	jsonData, _ := os.ReadFile(filepath.Join(mirror, "20180309224506/us-east-1/index.json"))
	csvData, _ := os.ReadFile(filepath.Join(mirror, "20180309224506/us-east-1/index.csv"))
	cases := []struct {
		name, format string
		data         string
		want         string
	}{
		{"json cut in terms", "json", string(jsonData[:len(jsonData)*3/4]), "truncated"},
		{"json cut in products", "json", string(jsonData[:2000]), "truncated"},
		{"json empty", "json", "", "empty"},
		{"json garbage", "json", `{"version":"1", "products": [}`, "malformed"},
		{"json not an offer", "json", `{"hello":"world"}`, "no version"},
		{"json trailing data", "json", string(jsonData) + "{}", "after the end"},
		{"csv cut mid-row", "csv", string(csvData[:len(csvData)-40]), "truncated"},
		{"csv no header", "csv", "\"FormatVersion\",\"v1.0\"\n\"Version\",\"1\"\n", "no header row"},
		{"csv short row", "csv", string(csvData) + "\"A\",\"B\"\n", "has 2 fields"},
		{"csv bad quote", "csv", string(csvData) + "\"A\"x,\"B\n", "malformed"},
		{"csv not an offer", "csv", "a,b,c\n1,2,3\n", "no SKU header"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := offerfile.Decode(strings.NewReader(c.data), c.format, selection.Selection{}, offerfile.Handler{Line: func(*priceline.Line) error { return nil }})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

// A selection that keeps nothing because it names an attribute or a term
// type the file does not have is an error that suggests the right name, in
// either format; it never selects everything.
func TestTyposInTheSelectionAreReported(t *testing.T) {
	cases := []struct {
		file, format string
		sel          selection.Selection
		want         string
	}{
		{redshiftJSON, "json", selection.Selection{Filters: map[string][]string{"productFamly": {"Compute Instance"}}}, "filters.productFamly: no product in this file has that attribute; did you mean productFamily?"},
		{redshiftJSON, "json", selection.Selection{Terms: []string{"OnDemnd"}}, `terms: "OnDemnd" is not a term type of this file (it has OnDemand, Reserved)`},
		{ec2CSV, "csv", selection.Selection{Filters: map[string][]string{"instanceTyp": {"c6i.large"}}}, "filters.instanceTyp: no product in this file has that attribute; did you mean instanceType"},
		{ec2CSV, "csv", selection.Selection{Terms: []string{"Reservd"}}, `terms: "Reservd" is not a term type of this file`},
	}
	for _, c := range cases {
		f, err := os.Open(c.file)
		if err != nil {
			t.Fatal(err)
		}
		_, err = offerfile.Decode(f, c.format, c.sel, offerfile.Handler{Line: func(*priceline.Line) error { return nil }})
		f.Close()
		var se *selection.Error
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %+v: error %v, want a selection.Error containing %q", c.format, c.sel, err, c.want)
		}
	}
}

// decodeErr decodes a file and returns the lines handed out and the error.
func decodeErr(t *testing.T, decode func(io.Reader, string, selection.Selection, offerfile.Handler) (offerfile.Header, error), path, format string, sel selection.Selection) ([]priceline.Line, error) {
	t.Helper()
	_, lines, err := decodeAll(t, decode, path, format, sel)
	return lines, err
}

// decodeAll decodes a file and returns its header, the lines handed out
// and the decoder's error.
func decodeAll(t *testing.T, decode func(io.Reader, string, selection.Selection, offerfile.Handler) (offerfile.Header, error), path, format string, sel selection.Selection) (offerfile.Header, []priceline.Line, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []priceline.Line
	h, err := decode(f, format, sel, offerfile.Handler{Line: func(l *priceline.Line) error {
		lines = append(lines, *l)
		return nil
	}})
	return h, lines, err
}

// Configurations use the JSON attribute keys, so a suggestion is given in
// that spelling whichever format was read: the CSV's "Pre Installed S/W"
// is suggested as preInstalledSw.
func TestSuggestionsUseTheConfigSpelling(t *testing.T) {
	cases := []struct {
		file, format, filter, want string
	}{
		{mirror + "/20180309224506/us-east-1/index.csv", "csv", "productFamly", "filters.productFamly: no product in this file has that attribute; did you mean productFamily?"},
		{mirror + "/20180309224506/us-east-1/index.json", "json", "productFamly", "filters.productFamly: no product in this file has that attribute; did you mean productFamily?"},
		{mirror + "/20180309224506/us-east-1/index.csv", "csv", "usageFamly", "did you mean usageFamily?"},
		{mirror + "/20180309224506/us-east-1/index.csv", "csv", "servicenme", "did you mean servicename"},
		{ec2CSV, "csv", "preInstaledSw", "did you mean preInstalledSw?"},
		{ec2CSV, "csv", "capacitystats", "did you mean capacitystatus?"},
		{ec2CSV, "csv", "operatingSytem", "did you mean operatingSystem?"},
		{ec2CSV, "csv", "maxIopsvolum", "did you mean maxIopsvolume"},
	}
	for _, c := range cases {
		_, err := decodeErr(t, offerfile.Decode, c.file, c.format, selection.Selection{Filters: map[string][]string{c.filter: {"x"}}})
		var se *selection.Error
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: error %v, want a selection.Error containing %q", c.format, c.filter, err, c.want)
		}
	}
}

// An attributes: entry no product of the file has would be an all-empty
// column: it is reported like a misspelt filter, after every line was
// handed out. An attribute some products have is fine, even when every
// kept line lacks it.
func TestMisspeltAttributesAreReported(t *testing.T) {
	for _, format := range []string{"json", "csv"} {
		file := mirror + "/20180309224506/us-east-1/index." + format
		lines, err := decodeErr(t, offerfile.Decode, file, format, selection.Selection{Attributes: []string{"instanceType", "instanceTyp"}})
		var se *selection.Error
		want := "attributes.instanceTyp: no product in this file has that attribute; did you mean instanceType?"
		if !errors.As(err, &se) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want a selection.Error containing %q", format, err, want)
			continue
		}
		if len(se.Problems) != 1 || se.Problems[0].Name != "attributes.instanceTyp" {
			t.Errorf("%s: problems %+v, want only attributes.instanceTyp", format, se.Problems)
		}
		_, all := decodeFile(t, file, format, selection.Selection{Attributes: []string{"instanceType"}})
		if len(lines) != len(all) || len(lines) == 0 {
			t.Errorf("%s: %d lines handed out with the error, want all %d", format, len(lines), len(all))
		}

		sel := selection.Selection{Filters: map[string][]string{"productFamily": {"Compute Instance"}}, Attributes: []string{"fromLocation"}}
		_, kept := decodeFile(t, file, format, sel)
		if len(kept) == 0 {
			t.Fatalf("%s: no compute instance line", format)
		}
		for _, l := range kept {
			if l.Attributes[0] != "" {
				t.Fatalf("%s: a compute instance has fromLocation %q", format, l.Attributes[0])
			}
		}
	}
}

func TestHeaderCallbackStopsEarly(t *testing.T) {
	f, err := os.Open(redshiftJSON)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	_, err = offerfile.DecodeJSON(f, selection.Selection{}, offerfile.Handler{
		Header: func(h offerfile.Header) error { return os.ErrInvalid },
		Line:   func(*priceline.Line) error { lines++; return nil },
	})
	if err != os.ErrInvalid || lines != 0 {
		t.Fatalf("err = %v after %d lines; the header callback must stop the decoder before any line", err, lines)
	}
}
