package offerfile_test

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

const (
	spExcerptCSV = "../../testdata/bulk/AWSComputeSavingsPlan-ap-east-2-excerpt-2025.csv"
	spMirror     = "../../testdata/mirror/savingsPlan/v1.0/aws/AWSComputeSavingsPlan"
)

func decodeSP(t *testing.T, path, format string, sel selection.Selection) (offerfile.Header, []priceline.Line) {
	t.Helper()
	return decodeWith(t, offerfile.DecodeSavingsPlan, path, format, sel)
}

// The real, unquoted Savings Plans CSV AWS publishes.
func TestDecodeRealSavingsPlanCSV(t *testing.T) {
	sel := selection.Selection{Attributes: []string{"discountedUsageType", "Instance Family", "leaseContractLength", "productFamily", "DiscountedInstanceType"}}
	h, lines := decodeSP(t, spExcerptCSV, offerfile.FormatCSV, sel)
	if h.Version != "20250911184447" || h.OfferCode != "AmazonComputeSavingsPlan" || h.PublicationDate != "2025-09-11T18:44:47Z" {
		t.Errorf("header = %+v", h)
	}
	if len(lines) != 44 {
		t.Fatalf("got %d rates, want 44", len(lines))
	}
	l := byRate(lines)["2JT7C3ZD2AXA73Q4.23PWZ6X8AQE4NKNR"]
	want := priceline.Line{
		SKU: "2JT7C3ZD2AXA73Q4", RateCode: "2JT7C3ZD2AXA73Q4.23PWZ6X8AQE4NKNR", TermType: "SavingsPlan",
		Description:   "3 year Partial Upfront r7g EC2 Instance Savings Plan in ap-east-2",
		EffectiveDate: "2025-06-05", Unit: "Hrs", Price: "0.0425", Currency: "USD",
		LeaseContractLength: "3yr", PurchaseOption: "Partial Upfront",
	}
	got := l
	got.Attributes = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("line = %+v\nwant %+v", got, want)
	}
	if strings.Join(l.Attributes, "|") != "APE2-DedicatedUsage:r7g.medium|r7g|3yr|EC2InstanceSavingsPlans|r7g.medium" {
		t.Errorf("attributes = %q", l.Attributes)
	}
	// A price is the published string: "2.254", not 2.2540.
	if p := byRate(lines)["2JT7C3ZD2AXA73Q4.3HUPX784SX9MRB88"].Price; p != "2.254" {
		t.Errorf("price = %q, want 2.254 as published", p)
	}
}

func TestSavingsPlanFilters(t *testing.T) {
	sel := selection.Selection{Filters: map[string][]string{
		"discountedInstanceType": {"r7g.metal"}, "Lease Contract Length": {"3yr"}, "purchaseOption": {"Partial Upfront"},
	}}
	_, lines := decodeSP(t, spExcerptCSV, offerfile.FormatCSV, sel)
	if len(lines) != 4 {
		t.Errorf("r7g.metal 3yr Partial Upfront: %d rates, want 4", len(lines))
	}
	sel.Filters["leaseContractLength"] = []string{"1yr"}
	delete(sel.Filters, "Lease Contract Length")
	if _, lines := decodeSP(t, spExcerptCSV, offerfile.FormatCSV, sel); len(lines) != 0 {
		t.Errorf("1yr filter kept %d rates of a 3yr plan", len(lines))
	}
	if _, lines := decodeSP(t, spExcerptCSV, offerfile.FormatCSV, selection.Selection{Terms: []string{"OnDemand"}}); len(lines) != 0 {
		t.Errorf("terms [OnDemand] kept %d savings plan rates", len(lines))
	}
}

// Every field of the mirror's JSON twin matches its CSV, column for
// column, in both versions.
func TestSavingsPlanCSVAndJSONSnapshotsAreIdentical(t *testing.T) {
	attrs := []string{"discountedInstanceType", "discountedUsageType", "discountedOperation", "discountedServiceCode", "discountedSku",
		"instanceFamily", "leaseContractLength", "leaseContractLengthUnit", "purchaseOption", "productFamily", "usageType", "operation",
		"serviceCode", "location", "locationType", "granularity", "discountedRegionCode", "sku", "rateCode", "unit", "currency",
		"discountedRate", "description", "effectiveDate"}
	for _, v := range []string{"20250911184447", "20251001000000"} {
		var out [2]bytes.Buffer
		for i, format := range []string{offerfile.FormatCSV, offerfile.FormatJSON} {
			h, lines := decodeSP(t, spMirror+"/"+v+"/ap-east-2/index."+format, format, selection.Selection{Attributes: attrs})
			if h.Version != v {
				t.Errorf("%s %s: version %q", v, format, h.Version)
			}
			snap := &snapshot.Snapshot{Attributes: attrs}
			for i := range lines {
				snap.Add(&lines[i])
			}
			if err := snap.Sort(); err != nil {
				t.Fatal(err)
			}
			if err := snap.Encode(&out[i]); err != nil {
				t.Fatal(err)
			}
			for _, row := range snap.Rows {
				for c, val := range row[len(row)-len(attrs):] {
					if val == "" && attrs[c] != "operation" {
						t.Fatalf("%s %s: %s is empty in %v", v, format, attrs[c], row)
					}
				}
			}
		}
		if out[0].String() != out[1].String() {
			t.Errorf("version %s: CSV and JSON snapshots differ:\n%s\n---\n%s", v, firstDiff(out[0].String(), out[1].String()), "")
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return al[i] + "\n" + bl[i]
		}
	}
	return "lengths differ"
}

func TestSavingsPlanBrokenFiles(t *testing.T) {
	data, err := os.ReadFile(spExcerptCSV)
	if err != nil {
		t.Fatal(err)
	}
	jsonData, err := os.ReadFile(spMirror + "/20250911184447/ap-east-2/index.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		format, body, want string
	}{
		"csv cut mid-row":  {offerfile.FormatCSV, string(data[:len(data)-40]), "truncated"},
		"csv no header":    {offerfile.FormatCSV, "FormatVersion,v1.0\nVersion,1\n", "no header row"},
		"json cut":         {offerfile.FormatJSON, string(jsonData[:len(jsonData)/2]), "truncated"},
		"json not a plan":  {offerfile.FormatJSON, `{"products": {}}`, "malformed"},
		"json no version":  {offerfile.FormatJSON, `{"products": [], "terms": {"savingsPlan": []}}`, "no version"},
		"csv empty":        {offerfile.FormatCSV, "", "empty"},
		"json rate broken": {offerfile.FormatJSON, `{"version":"1","products":[],"terms":{"savingsPlan":[{"sku":"A","rates":[{"unit":"Hrs"}]}]}}`, "without rateCode"},
	}
	for name, c := range cases {
		_, err := offerfile.DecodeSavingsPlan(strings.NewReader(c.body), c.format, selection.Selection{}, offerfile.Handler{Line: func(*priceline.Line) error { return nil }})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", name, err, c.want)
		}
	}
}

// A name no product, plan or rate of a Savings Plans file has is a typo:
// without this check a misspelt filter silently kept nothing. The
// suggestion is in the configuration's (JSON) spelling in both formats.
func TestSavingsPlanTyposAreReported(t *testing.T) {
	cases := []struct {
		sel  selection.Selection
		want string
		kept bool // lines are still handed out
	}{
		{selection.Selection{Filters: map[string][]string{"instanceFamly": {"r7g"}}}, "filters.instanceFamly: no product in this file has that attribute; did you mean instanceFamily?", false},
		{selection.Selection{Filters: map[string][]string{"discountedUsgeType": {"x"}}}, "filters.discountedUsgeType: no product in this file has that attribute; did you mean discountedUsageType", false},
		{selection.Selection{Filters: map[string][]string{"leaseContractLenght": {"3yr"}}}, "did you mean leaseContractLength", false},
		{selection.Selection{Filters: map[string][]string{"discountedSkus": {"x"}}}, "did you mean discountedSku", false},
		{selection.Selection{Attributes: []string{"discountedInstanceTyp"}}, "attributes.discountedInstanceTyp: no product in this file has that attribute; did you mean discountedInstanceType", true},
		{selection.Selection{Attributes: []string{"usageType", "locationTyp"}}, "attributes.locationTyp: no product in this file has that attribute; did you mean locationType", true},
	}
	msgs := map[string]string{} // by selection: the same from either format
	for _, format := range []string{offerfile.FormatCSV, offerfile.FormatJSON} {
		for _, c := range cases {
			lines, err := decodeErr(t, offerfile.DecodeSavingsPlan, spMirror+"/20251001000000/ap-east-2/index."+format, format, c.sel)
			var se *selection.Error
			if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s %+v: error %v, want a selection.Error containing %q", format, c.sel, err, c.want)
				continue
			}
			if prev, ok := msgs[c.want]; ok && prev != err.Error() {
				t.Errorf("%+v: the formats disagree:\n%s\n%s", c.sel, prev, err)
			}
			msgs[c.want] = err.Error()
			if (len(lines) > 0) != c.kept {
				t.Errorf("%s %+v: %d lines handed out", format, c.sel, len(lines))
			}
		}
		// A value no rate has is not a typo: the plan may not cover it.
		if lines, err := decodeErr(t, offerfile.DecodeSavingsPlan, spMirror+"/20251001000000/ap-east-2/index."+format, format,
			selection.Selection{Filters: map[string][]string{"instanceFamily": {"x9z"}, "Instance Family": {"x9z"}}}); err != nil || len(lines) != 0 {
			t.Errorf("%s: unknown value: %d lines, error %v", format, len(lines), err)
		}
	}
}
