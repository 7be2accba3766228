package report

import (
	"fmt"
	"strings"
	"testing"
)

func pct(f float64) *float64 { return &f }

func TestSubject(t *testing.T) {
	one := Report{Offers: []Offer{{OfferCode: "AmazonEC2", Region: "us-east-1", ToVersion: "20261115000000",
		Added: make([]Line, 3), Removed: make([]Line, 1), Changed: make([]Change, 12)}}}
	if got, want := one.Subject(), "AmazonEC2 us-east-1 20261115000000: 12 changed, 3 added, 1 removed"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	// A skipped region does not count as a second offer.
	one.Offers = append(one.Offers, Offer{OfferCode: "AmazonEC2", Region: "eu-west-1", Skipped: "version already recorded"})
	if got := one.Subject(); !strings.HasPrefix(got, "AmazonEC2 us-east-1 20261115000000:") {
		t.Errorf("Subject with a skipped region = %q", got)
	}
	many := Report{}
	for i := range 5 {
		many.Offers = append(many.Offers, Offer{OfferCode: fmt.Sprintf("Offer%d", i), Region: "us-east-1", ToVersion: "2026111500000" + fmt.Sprint(i), Added: make([]Line, 1)})
	}
	if got, want := many.Subject(), "Offer0 us-east-1 20261115000000, Offer1 us-east-1 20261115000001, Offer2 us-east-1 20261115000002, 2 more: 0 changed, 5 added, 0 removed"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	if got := (Report{Unchanged: true}).Subject(); got != "AWS prices: no change" {
		t.Errorf("empty Subject = %q", got)
	}
}

func TestLargestOrder(t *testing.T) {
	got := Largest([]Change{
		{RateCode: "b", ChangePct: pct(5)},
		{RateCode: "nil2"},
		{RateCode: "a", ChangePct: pct(-50)},
		{RateCode: "c", ChangePct: pct(5)},
		{RateCode: "nil1"},
	})
	var order []string
	for _, c := range got {
		order = append(order, c.RateCode)
	}
	if strings.Join(order, ",") != "a,b,c,nil1,nil2" {
		t.Errorf("order = %v; want largest |pct| first, ties and nil by rate code", order)
	}
}

func TestMarkdownCapsAndEscapes(t *testing.T) {
	o := Offer{OfferCode: "AmazonEC2", Region: "us-east-1", FromVersion: "1", ToVersion: "2"}
	for i := range 120 {
		o.Changed = append(o.Changed, Change{RateCode: fmt.Sprintf("R%03d", i), OldPrice: "1", NewPrice: "2", ChangePct: pct(float64(i)), Description: "a | b\nc"})
	}
	md := Report{Offers: []Offer{o}}.Markdown(10)
	if !strings.Contains(md, "| AmazonEC2 | us-east-1 | 1 → 2 | 0 | 0 | 120 | 0 |") {
		t.Errorf("summary row missing:\n%s", md)
	}
	if !strings.Contains(md, "| …and 110 more |") {
		t.Error("the table is not capped with '…and 110 more'")
	}
	if !strings.Contains(md, "| R119 | `R119` | a \\| b c | 1 | 2 | +119.00% |") {
		t.Errorf("largest change first, with the description escaped:\n%s", md[:min(len(md), 800)])
	}
	if strings.Count(md, " | `R") != 10 {
		t.Errorf("want 10 change rows, got %d", strings.Count(md, " | `R"))
	}
	unchanged := Report{Unchanged: true, Offers: []Offer{{OfferCode: "X", Region: "r", ToVersion: "2", Skipped: "version already recorded"}}}.Markdown(0)
	if !strings.Contains(unchanged, "No price changed.") || !strings.Contains(unchanged, "version already recorded") {
		t.Errorf("unchanged report:\n%s", unchanged)
	}
}

// A flag of a whole offer/region has no rate code: its line must not carry
// an empty code where the rate code would go.
func TestMarkdownOfferLevelFlag(t *testing.T) {
	r := Report{Offers: []Offer{{
		OfferCode: "AmazonRedshift", Region: "us-east-1", ToVersion: "20180401000000",
		Removed: []Line{{RateCode: "A.B.C", Price: "1"}},
		Flags:   []Flag{{Kind: FlagLargeRemoval, Message: "31 of 150 lines removed"}},
	}}}
	md := r.Markdown(0)
	if want := "- `large_removal`: 31 of 150 lines removed\n"; !strings.Contains(md, want) {
		t.Errorf("Markdown lacks %q:\n%s", want, md)
	}
}

// A line reads by its label (attributes, term, unit) in every table and in
// the flags; the rate code stays next to it as code.
func TestMarkdownNamesLinesByLabel(t *testing.T) {
	attrs := map[string]string{"instanceType": "ds2.8xlarge"}
	r := Report{Offers: []Offer{{
		OfferCode: "AmazonRedshift", Region: "us-east-1", FromVersion: "1", ToVersion: "2",
		Changed: []Change{{RateCode: "54HCHMYAK66DCEQX.38NPMPTW36.2TG2D8R56U", TermType: "Reserved", Unit: "Quantity",
			LeaseContractLength: "1yr", OfferingClass: "standard", PurchaseOption: "All Upfront", Currency: "USD",
			OldPrice: "24000", NewPrice: "72000", ChangePct: pct(200), Description: "Upfront Fee", Attributes: attrs}},
		Added: []Line{{RateCode: "A.B.C", TermType: "OnDemand", Unit: "Hrs", Price: "0.0120000000", Currency: "USD",
			Attributes: map[string]string{"instanceType": "m5.large"}}},
		Flags: []Flag{
			{Kind: FlagLargeMove, RateCode: "54HCHMYAK66DCEQX.38NPMPTW36.2TG2D8R56U", Message: "+200.00%"},
			{Kind: FlagReservedAboveOnDemand, RateCode: "X.Y.Z", Message: "not in this report"},
		},
	}}}
	md := r.Markdown(0)
	for _, want := range []string{
		"| Line | Rate code | Description | Old | New | Change |",
		"| ds2.8xlarge · Reserved 1yr standard All Upfront · Quantity | `54HCHMYAK66DCEQX.38NPMPTW36.2TG2D8R56U` | Upfront Fee | 24000 | 72000 | +200.00% |",
		"| Line | Rate code | Description | Price |",
		// The price is exactly as AWS wrote it.
		"| m5.large · OnDemand · Hrs | `A.B.C` |  | 0.0120000000 USD/Hrs |",
		"- `large_move` ds2.8xlarge · Reserved 1yr standard All Upfront · Quantity (`54HCHMYAK66DCEQX.38NPMPTW36.2TG2D8R56U`): +200.00%\n",
		// A flag on a line the report does not list keeps its rate code.
		"- `reserved_above_on_demand` `X.Y.Z`: not in this report\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}

// A flag of the whole offer/region goes ahead of the line flags, so that a
// report that cuts a long list of flags still shows it.
func TestRegionFlagSurvivesTheCut(t *testing.T) {
	o := Offer{OfferCode: "AmazonRedshift", Region: "us-east-1", ToVersion: "20180401000000",
		Changed: []Change{{RateCode: "A.B.C", OldPrice: "1", NewPrice: "2"}}}
	for i := range 40 {
		o.Flags = append(o.Flags, Flag{Kind: FlagAttributesChanged, RateCode: fmt.Sprintf("R%02d.B.C", i), Message: "transferType: x → "})
	}
	o.AddRegionFlag(Flag{Kind: FlagAttributeDropped, Message: "attribute transferType: no product has it any more"})
	o.AddRegionFlag(Flag{Kind: FlagLargeRemoval, Message: "31 of 150 lines removed"})
	if o.Flags[0].Kind != FlagAttributeDropped || o.Flags[1].Kind != FlagLargeRemoval {
		t.Fatalf("region flags are not first, in the order added: %+v", o.Flags[:3])
	}
	md := Report{Offers: []Offer{o}}.Markdown(5)
	for _, want := range []string{"`attribute_dropped`: attribute transferType", "`large_removal`: 31 of 150"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown cut to 5 rows lacks %q:\n%s", want, md)
		}
	}
}
