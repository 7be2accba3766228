package snapshot

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/report"
)

func snap(attrs []string, lines ...priceline.Line) *Snapshot {
	s := &Snapshot{Attributes: attrs}
	for i := range lines {
		s.Add(&lines[i])
	}
	if err := s.Sort(); err != nil {
		panic(err)
	}
	return s
}

func od(sku, price string, attrs ...string) priceline.Line {
	return priceline.Line{SKU: sku, RateCode: sku + ".JRTCKXETXF.6YS6EN2CT7", TermType: "OnDemand", Unit: "Hrs", Price: price, Currency: "USD", BeginRange: "0", EndRange: "Inf", Attributes: attrs}
}

func ri(sku, term, lease, unit, price string, attrs ...string) priceline.Line {
	rate := ".6YS6EN2CT7"
	if unit == "Quantity" {
		rate = ".2TG2D8R56U"
	}
	return priceline.Line{SKU: sku, RateCode: sku + "." + term + rate, TermType: "Reserved", Unit: unit, Price: price, Currency: "USD", LeaseContractLength: lease, PurchaseOption: "Partial Upfront", OfferingClass: "standard", Attributes: attrs}
}

func kinds(flags []report.Flag) string {
	var k []string
	for _, f := range flags {
		k = append(k, f.Kind+":"+f.RateCode)
	}
	return strings.Join(k, " ")
}

func TestDiff(t *testing.T) {
	attrs := []string{"instanceType"}
	old := snap(attrs,
		od("AAA", "0.1000000000", "m5.large"),
		od("BBB", "0.2000000000", "m5.xlarge"),
		od("CCC", "0.3000000000", "m5.2xlarge"),
		od("DDD", "0.0000000000", "t2.micro"),
		od("EEE", "1.0000000000", "c5.large"),
	)
	cur := snap(attrs,
		od("AAA", "0.1000000000", "m5.large"),   // unchanged
		od("BBB", "0.2100000000", "m5.xlarge"),  // +5%
		od("CCC", "0.0000000000", "m5.2xlarge"), // to zero
		od("DDD", "0.0100000000", "t2.micro"),   // from zero: pct undefined, flagged
		od("EEE", "2.0000000000", "c6.large"),   // +100% and an attribute change
		od("FFF", "0.5000000000", "r5.large"),   // added
	)
	d := Diff(old, cur, DiffOptions{FlagPct: 25})
	if len(d.Added) != 1 || d.Added[0].RateCode != "FFF.JRTCKXETXF.6YS6EN2CT7" || d.Added[0].Attributes["instanceType"] != "r5.large" {
		t.Errorf("added = %+v", d.Added)
	}
	if len(d.Removed) != 0 {
		t.Errorf("removed = %+v", d.Removed)
	}
	got := map[string]report.Change{}
	for _, c := range d.Changed {
		got[c.SKU] = c
	}
	if len(got) != 4 {
		t.Fatalf("changed = %+v", d.Changed)
	}
	if c := got["BBB"]; c.OldPrice != "0.2000000000" || c.NewPrice != "0.2100000000" || c.ChangePct == nil || *c.ChangePct != 5 {
		t.Errorf("BBB = %+v", c)
	}
	if c := got["DDD"]; c.ChangePct != nil {
		t.Errorf("from zero must have no percentage, got %v", *c.ChangePct)
	}
	if c := got["EEE"]; len(c.AttributeChanges) != 1 || c.AttributeChanges[0] != (report.FieldChange{Field: "instanceType", Old: "c5.large", New: "c6.large"}) {
		t.Errorf("EEE attribute changes = %+v", c.AttributeChanges)
	}
	want := "price_to_zero:CCC.JRTCKXETXF.6YS6EN2CT7 large_move:DDD.JRTCKXETXF.6YS6EN2CT7 large_move:EEE.JRTCKXETXF.6YS6EN2CT7 attributes_changed:EEE.JRTCKXETXF.6YS6EN2CT7"
	if k := kinds(d.Flags); k != want {
		t.Errorf("flags = %s\nwant    %s", k, want)
	}

	// Removal, and a first snapshot where everything is added.
	d = Diff(cur, old, DiffOptions{FlagPct: 25})
	if len(d.Removed) != 1 || d.Removed[0].SKU != "FFF" {
		t.Errorf("removed = %+v", d.Removed)
	}
	first := Diff(nil, cur, DiffOptions{})
	if len(first.Added) != 6 || len(first.Changed) != 0 || first.Added == nil || first.Removed == nil {
		t.Errorf("first diff = %+v", first)
	}
	if d := Diff(cur, cur, DiffOptions{FlagPct: 25}); !d.Empty() || len(d.Flags) != 0 {
		t.Errorf("self diff = %+v", d)
	}
}

func TestReservedAboveOnDemand(t *testing.T) {
	// On-demand 0.10/h. 1yr partial: 438 upfront / 8760 h = 0.05 + 0.06 = 0.11 > 0.10.
	// 3yr partial: 876 / 26280 = 0.0333 + 0.03 = 0.0633 < 0.10.
	old := snap(nil, od("AAA", "0.1000000000"), ri("AAA", "T1", "1yr", "Hrs", "0.0400000000"), ri("AAA", "T1", "1yr", "Quantity", "438"),
		ri("AAA", "T3", "3yr", "Hrs", "0.0300000000"), ri("AAA", "T3", "3yr", "Quantity", "876"))
	cur := snap(nil, od("AAA", "0.1000000000"), ri("AAA", "T1", "1yr", "Hrs", "0.0600000000"), ri("AAA", "T1", "1yr", "Quantity", "438"),
		ri("AAA", "T3", "3yr", "Hrs", "0.0300000000"), ri("AAA", "T3", "3yr", "Quantity", "876"))
	d := Diff(old, cur, DiffOptions{FlagPct: 100})
	if k := kinds(d.Flags); k != "reserved_above_on_demand:AAA.T1.6YS6EN2CT7" {
		t.Errorf("flags = %q", k)
	}
	if !strings.Contains(d.Flags[0].Message, "0.110000") || !strings.Contains(d.Flags[0].Message, "0.100000") {
		t.Errorf("message = %q", d.Flags[0].Message)
	}
	// Untouched reserved lines are not re-flagged on every run.
	if d := Diff(cur, cur, DiffOptions{}); len(d.Flags) != 0 {
		t.Errorf("unchanged snapshot raised %v", kinds(d.Flags))
	}
}

func TestChangePct(t *testing.T) {
	cases := []struct {
		old, new string
		want     *float64
	}{
		{"0.2500000000", "0.2750000000", ptr(10)},
		{"3", "1", ptr(-66.67)},
		{"0.0000000001", "0.0000000002", ptr(100)},
		{"1000", "1001.45", ptr(0.15)},
		{"100", "101.005", ptr(1.01)},
		{"3", "2", ptr(-33.33)},
		{"0.0000000000", "1", nil},
		{"1", "1.0", nil},
		{"1", "n/a", nil},
	}
	for _, c := range cases {
		got := ChangePct(c.old, c.new)
		if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
			t.Errorf("ChangePct(%s, %s) = %v, want %v", c.old, c.new, deref(got), deref(c.want))
		}
	}
}

func ptr(f float64) *float64 { return &f }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestEncodeParseRoundTripAndPrices(t *testing.T) {
	s := snap([]string{"instanceType", "description, with comma"},
		od("AAA", "0.2500000000", "m5.large", `quote " and, comma`),
		od("BBB", "34800", "", "line\nbreak"),
	)
	var buf bytes.Buffer
	if err := s.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	n, _ := s.EncodedSize()
	if int(n) != buf.Len() {
		t.Errorf("EncodedSize = %d, Encode wrote %d", n, buf.Len())
	}
	if !strings.Contains(buf.String(), ",0.2500000000,") || !strings.Contains(buf.String(), ",34800,") {
		t.Errorf("prices were not written as published:\n%s", buf.String())
	}
	back, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	back.Encode(&again)
	if again.String() != buf.String() {
		t.Errorf("round trip changed the file:\n%s\n---\n%s", buf.String(), again.String())
	}
	if _, err := Parse([]byte("a,b\n1,2\n")); err == nil {
		t.Error("Parse accepted a file that is not a snapshot")
	}
	dup := &Snapshot{}
	dup.Add(&priceline.Line{RateCode: "X"})
	dup.Add(&priceline.Line{RateCode: "X"})
	if err := dup.Sort(); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("duplicate rate code: %v", err)
	}
}

// AWS moves effective dates on every republication; a line whose only move
// is its effective date is not a change, while a real change still shows
// the date's move among its attribute changes.
func TestDiffIgnoresEffectiveDateOnlyMoves(t *testing.T) {
	dated := func(l priceline.Line, date string) priceline.Line {
		l.EffectiveDate = date
		return l
	}
	old := snap(nil, dated(od("AAA", "0.1000000000"), "2018-03-01"), dated(od("BBB", "0.2000000000"), "2018-03-01"))
	cur := snap(nil, dated(od("AAA", "0.1000000000"), "2018-04-01"), dated(od("BBB", "0.3000000000"), "2018-04-01"))
	d := Diff(old, cur, DiffOptions{FlagPct: 25})
	if len(d.Changed) != 1 || d.Changed[0].SKU != "BBB" {
		t.Fatalf("changed = %+v, want only BBB", d.Changed)
	}
	if ac := d.Changed[0].AttributeChanges; len(ac) != 1 || ac[0] != (report.FieldChange{Field: "effective_date", Old: "2018-03-01", New: "2018-04-01"}) {
		t.Errorf("BBB attribute changes = %+v", ac)
	}
	if only := Diff(old, snap(nil, dated(od("AAA", "0.1000000000"), "2018-04-01"), dated(od("BBB", "0.2000000000"), "2018-04-01")), DiffOptions{}); !only.Empty() {
		t.Errorf("effective dates alone made a change: %+v", only)
	}
}
