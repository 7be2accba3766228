package config

import (
	"fmt"
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

// The file gets the same checks as --flag-pct and --max-removed-pct: a
// value YAML reads as NaN or infinity is refused with its key and line,
// not taken for a threshold every comparison fails.
func TestPercentagesAreChecked(t *testing.T) {
	const offers = "offers:\n  - code: AmazonEC2\n    regions: [us-east-1]\n"
	cases := map[string]string{
		"flagPct: .nan\n":          `flagPct (line 1): want a positive percentage such as 25, got ".nan"`,
		"flagPct: .inf\n":          `flagPct (line 1): want a positive percentage such as 25, got ".inf"`,
		"flagPct: -.inf\n":         `flagPct (line 1): want a positive percentage such as 25, got "-.inf"`,
		"flagPct: 0\n":             `flagPct (line 1): want a positive percentage`,
		"flagPct: -3\n":            `flagPct (line 1): want a positive percentage`,
		"maxRemovedPct: .nan\n":    `maxRemovedPct (line 1): want a percentage from 0 to 100`,
		"maxRemovedPct: .inf\n":    `maxRemovedPct (line 1): want a percentage from 0 to 100`,
		"maxRemovedPct: -1\n":      `maxRemovedPct (line 1): want a percentage from 0 to 100 (100 turns the removal guard off), got "-1"`,
		"maxRemovedPct: 100.5\n":   `maxRemovedPct (line 1): want a percentage from 0 to 100`,
		"maxRemovedPct: lots\n":    `maxRemovedPct (line 1): expected a number, found "lots"`,
		offers + "flagPct: .NaN\n": `flagPct (line 4)`,
	}
	for in, want := range cases {
		if !strings.HasPrefix(in, "offers") {
			in += offers
		}
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %q: error %v, want it to contain %q", in, err, want)
		}
	}
	for in, want := range map[string]float64{"": DefaultMaxRemovedPct, "maxRemovedPct: 0\n": 0, "maxRemovedPct: 100\n": 100, "maxRemovedPct: 2.5\n": 2.5} {
		cfg, err := Parse([]byte(in + offers))
		if err == nil {
			cfg, err = Resolve(cfg, nil, nil)
		}
		if err != nil || cfg.RemovalLimit() != want {
			t.Errorf("config %q: limit %v, %v; want %v", in, cfg.RemovalLimit(), err, want)
		}
	}
}

// A second document would be ignored by the decoder: refused, naming
// where it starts.
func TestSecondDocumentIsRefused(t *testing.T) {
	for in, want := range map[string]string{
		"offers:\n  - code: AmazonEC2\n    regions: [us-east-1]\n---\nflagPct: 3\n":  "line 4: a second YAML document",
		"---\noffers:\n  - code: AmazonEC2\n    regions: [us-east-1]\n---\n":         "line 5: a second YAML document",
		"offers:\n  - code: AmazonEC2\n    regions: [us-east-1]\n---\nflagPct: [3\n": "invalid YAML",
	} {
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %q: error %v, want it to contain %q", in, err, want)
		}
	}
	// One document with explicit markers is fine.
	if _, err := Parse([]byte("---\noffers:\n  - code: AmazonEC2\n    regions: [us-east-1]\n...\n")); err != nil {
		t.Errorf("one marked document: %v", err)
	}
}

// Aliases that expand to billions of values are refused before anything
// expands them; a few shared lists are fine.
func TestAliasBombIsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("offers:\n  - code: AmazonEC2\n    regions: [us-east-1]\n    filters:\n      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "      a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	_, err := Parse([]byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "anchors and aliases expand to over 100000 values") {
		t.Errorf("alias bomb: %v", err)
	}
	cfg, err := Parse([]byte("offers:\n  - code: AmazonEC2\n    regions: &r [us-east-1, eu-west-1]\n  - code: AmazonRDS\n    regions: *r\n"))
	if err != nil || len(cfg.Offers) != 2 || len(cfg.Offers[1].Regions) != 2 {
		t.Errorf("shared regions list: %+v, %v", cfg, err)
	}
}
