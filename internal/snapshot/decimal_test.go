package snapshot

import (
	"strings"
	"testing"
)

func TestParsePrice(t *testing.T) {
	long := "0.35999999999999998667732370449812151491641998291015625"
	for s, want := range map[string]string{ // price -> exact value, "" for refused
		"0.2500000000": "1/4", "34800": "34800", "0": "0", "0.0000000000": "0", "007.50": "15/2",
		long: "exact",
		// What strconv.ParseFloat or big.Rat.SetString would accept, and
		// AWS never writes.
		"0x10": "", "0X1p4": "", "0b101": "", "0o17": "", "1e3": "", "1E-2": "", "1/3": "", "NaN": "", "nan": "",
		"Inf": "", "+Inf": "", "Infinity": "", "-1": "", "+1": "", "1_000": "", " 1": "", "1 ": "", "1.": "", ".5": "",
		"1.2.3": "", "": "", ".": "", "abc": "", "١٢": "", "１": "", "1,5": "",
	} {
		r, ok := ParsePrice(s)
		if s == long {
			// Exact: the value is the decimal itself, not the float64
			// nearest to it (which is the same float as 0.36).
			if !ok || r.FloatString(len(s)-2) != s {
				t.Errorf("ParsePrice(%s) = %v, %v; want exact", s, r, ok)
			}
			continue
		}
		if ok != (want != "") || (ok && r.RatString() != want) {
			t.Errorf("ParsePrice(%q) = %v, %v; want %q", s, r, ok, want)
		}
	}
}

func TestChangePctRefusesWhatIsNotAPlainDecimal(t *testing.T) {
	for _, c := range [][2]string{
		{"0x10", "32"}, {"8", "0x10"}, {"1e1", "20"}, {"10", "2e1"}, {"1/2", "1"}, {"1", "NaN"}, {"Inf", "1"}, {"4.80", "abc"}, {"4.80", ""},
	} {
		if got := ChangePct(c[0], c[1]); got != nil {
			t.Errorf("ChangePct(%q, %q) = %v, want none", c[0], c[1], *got)
		}
	}
	// Exact on long decimals: a price 10^-330 is not zero (float64 reads
	// it as 0), and a move smaller than float64 can tell is still a move.
	tiny := "0." + strings.Repeat("0", 329) + "1"
	if got := ChangePct("1", tiny); got == nil || *got != -100 {
		t.Errorf("ChangePct(1, 1e-330) = %v, want -100", deref(got))
	}
	long := "0.35999999999999998667732370449812151491641998291015625"
	if got := ChangePct("0.36", long); got == nil || *got != 0 {
		t.Errorf("ChangePct(0.36, %s) = %v, want a change rounding to 0", long, deref(got))
	}
}

// A price that is not a plain decimal never reads as a number: it raises
// invalid_price and no price flag computed from a misread value.
func TestDiffFlagsInvalidPrices(t *testing.T) {
	old := snap(nil,
		od("AAA", "4.80"), od("BBB", "1"), od("CCC", "2"), od("DDD", "0.0000000000"), od("EEE", "abc"),
		od("RRR", "0.1000000000"), ri("RRR", "T1", "1yr", "Hrs", "0.0400000000"), ri("RRR", "T1", "1yr", "Quantity", "0"),
	)
	cur := snap(nil,
		od("AAA", "abc"),                                                                                          // was: null change, no flag
		od("BBB", "0x0"),                                                                                          // was: price_to_zero (0x0 read as 0)
		od("CCC", "1e0"),                                                                                          // was: large_move -50% (1e0 read as 1)
		od("DDD", "NaN"),                                                                                          // was: nothing
		od("EEE", "4.80"),                                                                                         // an old invalid price
		od("FFF", "Infinity"),                                                                                     // added
		od("GGG", "0.1000000000"),                                                                                 // added, fine
		od("RRR", "0.1000000000"), ri("RRR", "T1", "1yr", "Hrs", "0x10"), ri("RRR", "T1", "1yr", "Quantity", "0"), // was: reserved above on-demand (16/h)
	)
	d := Diff(old, cur, DiffOptions{FlagPct: 25})
	want := "invalid_price:AAA.JRTCKXETXF.6YS6EN2CT7 invalid_price:BBB.JRTCKXETXF.6YS6EN2CT7 invalid_price:CCC.JRTCKXETXF.6YS6EN2CT7 " +
		"invalid_price:DDD.JRTCKXETXF.6YS6EN2CT7 invalid_price:EEE.JRTCKXETXF.6YS6EN2CT7 invalid_price:FFF.JRTCKXETXF.6YS6EN2CT7 " +
		"invalid_price:RRR.T1.6YS6EN2CT7"
	if k := kinds(d.Flags); k != want {
		t.Errorf("flags = %s\nwant    %s", k, want)
	}
	for _, c := range d.Changed {
		if c.ChangePct != nil {
			t.Errorf("%s %s → %s has change %v", c.SKU, c.OldPrice, c.NewPrice, *c.ChangePct)
		}
	}
	msgs := map[string]string{}
	for _, f := range d.Flags {
		msgs[f.SKU] = f.Message
	}
	if m := msgs["AAA"]; m != `price "abc" is not a plain decimal number; no change is computed` {
		t.Errorf("AAA message = %q", m)
	}
	if m := msgs["EEE"]; !strings.HasPrefix(m, `previous price "abc" is`) {
		t.Errorf("EEE message = %q", m)
	}
	huge := strings.Repeat("9", 400) + "x"
	f := invalidPriceFlag("R", "S", "", huge, false)
	if len(f) != 1 || len(f[0].Message) > 120 {
		t.Errorf("a long invalid price is not cut in the message: %v", f)
	}
	if f := invalidPriceFlag("R", "S", "1", "2", true); f != nil {
		t.Errorf("valid prices flagged: %v", f)
	}
}

// A reserved term with a price that is not a plain decimal has no known
// effective price: it is not compared with on-demand on the prices that
// remain (here the upfront fee alone, 0.15/h, is above on-demand 0.10/h,
// but the hourly rate is unknown).
func TestReservedAboveOnDemandSkipsAnInvalidTerm(t *testing.T) {
	old := snap(nil, od("AAA", "0.1000000000"), ri("AAA", "T1", "1yr", "Hrs", "0.0100000000"), ri("AAA", "T1", "1yr", "Quantity", "1314"))
	cur := snap(nil, od("AAA", "0.1000000000"), ri("AAA", "T1", "1yr", "Hrs", "-0.05"), ri("AAA", "T1", "1yr", "Quantity", "1314"))
	d := Diff(old, cur, DiffOptions{FlagPct: 1000})
	if k := kinds(d.Flags); k != "invalid_price:AAA.T1.6YS6EN2CT7" {
		t.Errorf("flags = %s", k)
	}
}
