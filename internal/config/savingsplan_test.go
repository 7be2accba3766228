package config

import (
	"strings"
	"testing"
)

func TestParseSavingsPlansAndSources(t *testing.T) {
	cfg, err := Parse([]byte(`
offers:
  - code: AmazonRedshift
    regions: [us-east-1]
    source: api
    api: {mode: products}
savingsPlans:
  - code: ComputeSavingsPlans
    regions: [all]
    filters:
      purchaseOption: No Upfront
      leaseContractLength: 1yr
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err = Resolve(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	o, sp := cfg.Offers[0], cfg.Offers[1]
	if o.Source != SourceAPI || o.APIMode != APIModeProducts || o.IsSavingsPlan() || o.Kind != KindOffer {
		t.Errorf("offer = %+v", o)
	}
	if sp.Code != "AWSComputeSavingsPlan" || !sp.IsSavingsPlan() || sp.Source != SourceBulk || strings.Join(sp.Attributes, ",") != strings.Join(DefaultSavingsPlanAttributes, ",") {
		t.Errorf("savings plan = %+v", sp)
	}
	// --service picks a savings plan in any spelling, configured or not.
	got, err := Resolve(cfg, []string{"AmazonComputeSavingsPlan", "AWSMachineLearningSavingsPlans"}, []string{"us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Offers[0].Filters["purchaseOption"][0] != "No Upfront" || !got.Offers[1].IsSavingsPlan() || got.Offers[1].Code != "AWSMachineLearningSavingsPlans" {
		t.Errorf("resolved = %+v", got.Offers)
	}
}

func TestSavingsPlanErrorsNameTheKey(t *testing.T) {
	cases := map[string]string{
		"savingsPlans:\n  - code: AmazonEC2\n    regions: [us-east-1]\n":                                                      `savingsPlans[0]: code: "AmazonEC2" is not a Savings Plans code`,
		"savingsPlans:\n  - code: AWSComputeSavingsPlan\n    regions: [x]\n    terms: [Reserved]\n":                           "savingsPlans[0].terms: Savings Plans have one term type",
		"savingsPlans:\n  - code: AWSComputeSavingsPlan\n    region: [x]\n":                                                   `line 3: unknown key "region" in a savings plan (known keys: code, regions, filters, attributes), or source and api`,
		"savingsPlans:\n  - code: AWSComputeSavingsPlan\n":                                                                    "savingsPlans[0].regions (AWSComputeSavingsPlan)",
		"offers:\n  - code: AmazonEC2\n    regions: [x]\n    source: s3\n":                                                    `offers[0].source (AmazonEC2): "s3" is not a source`,
		"offers:\n  - code: AmazonEC2\n    regions: [x]\n    api: {mode: files}\n":                                            "offers[0].api (AmazonEC2): api settings need source: api",
		"offers:\n  - code: AmazonEC2\n    regions: [x]\n    source: api\n    api: {mode: all}\n":                             `offers[0].api.mode (AmazonEC2): "all" is not a mode`,
		"offers:\n  - code: AmazonEC2\n    regions: [x]\n    source: api\n    api: {mod: files}\n":                            `unknown key "mod" in api (known keys: mode)`,
		"savingsPlans:\n  - code: AWSComputeSavingsPlan\n    regions: [x]\n    source: api\n    api: {mode: products}\n":      "GetProducts does not serve Savings Plans rates",
		"savingsPlans:\n  - code: AWSComputeSavingsPlan\n    regions: [x]\n  - code: ComputeSavingsPlans\n    regions: [y]\n": "savingsPlans[1].code: AWSComputeSavingsPlan is listed twice",
		"savingPlans: []\n": `unknown key "savingPlans" at the top level (known keys: offers, savingsPlans, flagPct, maxRemovedPct)`,
	}
	for in, want := range cases {
		cfg, err := Parse([]byte(in))
		if err == nil {
			_, err = Resolve(cfg, nil, nil)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %q: error %v, want it to mention %q", in, err, want)
		}
	}
}
