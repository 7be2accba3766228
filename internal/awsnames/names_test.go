package awsnames

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"testing"

	"github.com/pricechecker/pricechecker/internal/offergen"
)

// checkSpelling checks that spell turns every CSV title into the JSON key
// of the same field, for the titles the JSON has a key for.
func checkSpelling(t *testing.T, name string, spell func(string) string, titles []string, keys map[string]bool) {
	t.Helper()
	byFold := map[string]string{}
	for k := range keys {
		byFold[NormalizeName(k)] = k
	}
	matched := 0
	for _, title := range titles {
		key, ok := byFold[NormalizeName(title)]
		if !ok {
			continue // a fixed column, or a CSV-only field
		}
		matched++
		if got := spell(title); got != key {
			t.Errorf("%s: %q is spelled %q, the JSON key is %q", name, title, got, key)
		}
	}
	if matched < len(keys)/2 {
		t.Errorf("%s: only %d titles have a JSON key; the files do not pair up", name, matched)
	}
}

// csvTitles returns the header row of a CSV offer file.
func csvTitles(t *testing.T, data []byte) []string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	for {
		rec, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		if rec[0] == "SKU" {
			return rec
		}
	}
}

// offerKeys returns the attribute keys of an offer JSON's products.
func offerKeys(t *testing.T, data []byte) map[string]bool {
	t.Helper()
	var o struct {
		Products map[string]struct {
			Attributes map[string]string `json:"attributes"`
		} `json:"products"`
	}
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{"productFamily": true}
	for _, p := range o.Products {
		for k := range p.Attributes {
			keys[k] = true
		}
	}
	return keys
}

// allKeys returns every object key of a JSON document.
func allKeys(t *testing.T, data []byte) map[string]bool {
	t.Helper()
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				keys[k] = true
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	return keys
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Suggestions are given in the configuration's spelling, the JSON keys: a
// CSV title must come back as the key AWS publishes for it, checked
// against JSON and CSV files of the same price list.
func TestCSVTitlesSpellTheJSONKeys(t *testing.T) {
	redshift := "../../testdata/mirror/offers/v1.0/aws/AmazonRedshift/20180309224506/us-east-1/index."
	checkSpelling(t, "Redshift", JSONKey, csvTitles(t, readFile(t, redshift+"csv")), offerKeys(t, readFile(t, redshift+"json")))

	// offergen renders the real 2025 EC2 header and the JSON keys AWS
	// pairs with each title.
	var j, c bytes.Buffer
	for format, buf := range map[string]*bytes.Buffer{"json": &j, "csv": &c} {
		if err := offergen.Generate(buf, format, offergen.Options{TargetBytes: 256 << 10}); err != nil {
			t.Fatal(err)
		}
	}
	checkSpelling(t, "EC2", JSONKey, csvTitles(t, c.Bytes()), offerKeys(t, j.Bytes()))

	sp := "../../testdata/mirror/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20251001000000/ap-east-2/index."
	checkSpelling(t, "Savings Plans", SavingsPlanJSONKey, csvTitles(t, readFile(t, sp+"csv")), allKeys(t, readFile(t, sp+"json")))

	for title, want := range map[string]string{
		"Instance Type": "instanceType", "Pre Installed S/W": "preInstalledSw", "CapacityStatus": "capacitystatus",
		"Product Family": "productFamily", "vCPU": "vcpu", "Max IOPS/volume": "maxIopsvolume",
		"Instance Capacity - 10xlarge": "instanceCapacity10xlarge", "usageType": "usagetype", "I/O": "io",
	} {
		if got := JSONKey(title); got != want {
			t.Errorf("JSONKey(%q) = %q, want %q", title, got, want)
		}
	}
	for title, want := range map[string]string{
		"DiscountedSKU": "discountedSku", "SKU": "sku", "Instance Family": "instanceFamily",
		"LeaseContractLengthUnit": "leaseContractLengthUnit", "DiscountedUsageType": "discountedUsageType",
	} {
		if got := SavingsPlanJSONKey(title); got != want {
			t.Errorf("SavingsPlanJSONKey(%q) = %q, want %q", title, got, want)
		}
	}
}
