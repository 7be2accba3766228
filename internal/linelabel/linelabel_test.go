package linelabel

import (
	"testing"

	"github.com/pricechecker/pricechecker/internal/report"
)

func TestLabel(t *testing.T) {
	reserved := report.Line{
		RateCode: "54HCHMYAK66DCEQX.38NPMPTW36.2TG2D8R56U", TermType: "Reserved", Unit: "Quantity",
		LeaseContractLength: "1yr", PurchaseOption: "All Upfront", OfferingClass: "standard",
		Attributes: map[string]string{"instanceType": "ds2.8xlarge", "location": ""},
	}
	for _, tc := range []struct {
		name string
		line report.Line
		keys []string
		want string
	}{
		{"reserved, configured keys", reserved, []string{"instanceType"}, "ds2.8xlarge · Reserved 1yr standard All Upfront · Quantity"},
		{"every attribute, empty skipped", reserved, nil, "ds2.8xlarge · Reserved 1yr standard All Upfront · Quantity"},
		{"on demand, key order kept", report.Line{RateCode: "A.B.C", TermType: "OnDemand", Unit: "Hrs",
			Attributes: map[string]string{"instanceType": "m5.large", "operatingSystem": "Linux"}},
			[]string{"operatingSystem", "instanceType"}, "Linux · m5.large · OnDemand · Hrs"},
		{"nothing but a rate code", report.Line{RateCode: "A.B.C"}, nil, "A.B.C"},
	} {
		if got := Label(tc.line, tc.keys); got != tc.want {
			t.Errorf("%s: Label = %q, want %q", tc.name, got, tc.want)
		}
	}
}
