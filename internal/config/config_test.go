package config

import (
	"strings"
	"testing"
)

func TestParseIssueExample(t *testing.T) {
	cfg, err := Parse([]byte(`
offers:
  - code: AmazonEC2
    regions: [us-east-1, eu-west-1]      # or [all]
    terms: [OnDemand, Reserved]          # default: all term types
    filters:                             # attribute -> value or list of values (any of)
      productFamily: Compute Instance
      operatingSystem: [Linux, Windows]
    attributes: [instanceType, vcpu, memory, operatingSystem]   # extra snapshot columns
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err = Resolve(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Offers[0]
	if o.Code != "AmazonEC2" || strings.Join(o.Regions, ",") != "us-east-1,eu-west-1" || strings.Join(o.Terms, ",") != "OnDemand,Reserved" {
		t.Errorf("offer = %+v", o)
	}
	if strings.Join(o.Filters["productFamily"], ",") != "Compute Instance" || strings.Join(o.Filters["operatingSystem"], ",") != "Linux,Windows" {
		t.Errorf("filters = %v", o.Filters)
	}
	if strings.Join(o.Attributes, ",") != "instanceType,vcpu,memory,operatingSystem" || cfg.FlagPct != DefaultFlagPct {
		t.Errorf("attributes = %v, flagPct = %v", o.Attributes, cfg.FlagPct)
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	cases := map[string]string{
		"offers:\n  - code: AmazonEC2\n    region: [us-east-1]\n":                                                 `line 3: unknown key "region" in an offer`,
		"offers:\n  - regions: [us-east-1]\n":                                                                     "offers[0].code: missing offer code",
		"offers:\n  - code: AmazonEC2\n":                                                                          "offers[0].regions (AmazonEC2)",
		"offers:\n  - code: AmazonEC2\n    regions: [all, us-east-1]\n":                                           "cannot be combined",
		"offers:\n  - code: AmazonEC2\n    regions: [us-east-1]\n    filters:\n      tenancy: []\n":               "filters.tenancy: empty list",
		"offers:\n  - code: AmazonEC2\n    regions: [us-east-1]\n    filters:\n      tenancy: {a: b}\n":           "filters.tenancy",
		"offers:\n  - code: AmazonEC2\n    regions: [us-east-1]\n  - code: AmazonEC2\n    regions: [eu-west-1]\n": "offers[1].code: AmazonEC2 is listed twice",
		"offers:\n  - code: AmazonEC2\n    regions: [us-east-1]\n    attributes: [instanceType, Instance Type]\n": "listed twice",
		"offers: [":                 "invalid YAML",
		"flagPct: -3\noffers: []\n": "flagPct",
		"":                          "nothing to track",
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

func TestResolveOverrides(t *testing.T) {
	cfg, err := Parse([]byte("offers:\n  - code: AmazonEC2\n    regions: [us-east-1]\n    attributes: [instanceType]\n  - code: AmazonS3\n    regions: [all]\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Resolve(cfg, []string{"AmazonEC2", "AmazonRDS"}, []string{"eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Offers) != 2 || got.Offers[0].Attributes[0] != "instanceType" || got.Offers[1].Code != "AmazonRDS" {
		t.Errorf("offers = %+v", got.Offers)
	}
	for _, o := range got.Offers {
		if strings.Join(o.Regions, ",") != "eu-west-1" {
			t.Errorf("%s regions = %v", o.Code, o.Regions)
		}
	}
	if strings.Join(got.Offers[1].Attributes, ",") != strings.Join(DefaultAttributes, ",") || !got.Offers[1].DefaultAttributes {
		t.Errorf("default attributes = %v (marked default: %v)", got.Offers[1].Attributes, got.Offers[1].DefaultAttributes)
	}
	if got.Offers[0].DefaultAttributes {
		t.Error("an offer's own attributes are marked as defaults")
	}
	if cfg.Offers[0].Regions[0] != "us-east-1" {
		t.Error("Resolve modified its input")
	}
	if _, err := Resolve(Config{}, []string{"AmazonEC2"}, nil); err == nil || !strings.Contains(err.Error(), "--region") {
		t.Errorf("service without region: %v", err)
	}
}

func TestNormalizeName(t *testing.T) {
	pairs := [][2]string{
		{"instanceType", "Instance Type"}, {"preInstalledSw", "Pre Installed S/W"},
		{"capacitystatus", "CapacityStatus"}, {"vcpu", "vCPU"}, {"productFamily", "Product Family"},
		{"maxIopsvolume", "Max IOPS/volume"}, {"usagetype", "usageType"},
	}
	for _, p := range pairs {
		if NormalizeName(p[0]) != NormalizeName(p[1]) {
			t.Errorf("%q and %q normalise differently: %q vs %q", p[0], p[1], NormalizeName(p[0]), NormalizeName(p[1]))
		}
	}
}

func TestShapeErrorsInUserTerms(t *testing.T) {
	cases := map[string]string{
		"offers:\n  - code: AmazonEC2\n    regions: us-east-1\n":            `offers[0].regions (line 3): expected a list such as [us-east-1, eu-west-1], found "us-east-1"`,
		"offers:\n  code: AmazonEC2\n":                                      `offers (line 2): expected a list of entries`,
		"flagPct: lots\noffers:\n  - code: AmazonEC2\n    regions: [all]\n": `flagPct (line 1): expected a number, found "lots"`,
		// The key's own example, and the whole value the library shortens.
		"offers:\n  - code: AmazonEC2\n    regions: [all]\n    terms: OnDemand\n":                       `offers[0].terms (line 4): expected a list such as [OnDemand, Reserved], found "OnDemand"`,
		"offers:\n  - code: AmazonEC2\n    regions: [all]\n    attributes: instanceTypeWithALongName\n": `offers[0].attributes (line 4): expected a list such as [instanceType, vcpu, memory], found "instanceTypeWithALongName"`,
		"savingsPlans:\n  - code: AWSComputeSavingsPlan\n    regions: ap-east-2\n":                      `savingsPlans[0].regions (line 3): expected a list`,
	}
	for in, want := range cases {
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %q: error %v, want it to contain %q", in, err, want)
		}
	}
}
