package snapshot

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/pricechecker/pricechecker/internal/report"
)

// DiffOptions tune what a diff flags.
type DiffOptions struct {
	// FlagPct flags a price move whose absolute percentage exceeds it.
	FlagPct float64
}

// Diff compares two snapshots of the same offer and region, keyed by rate
// code. old may be nil (first snapshot: every line is added). The returned
// offer has its codes, versions and region left for the caller to fill in.
func Diff(old, cur *Snapshot, opts DiffOptions) report.Offer {
	if old == nil {
		old = &Snapshot{}
	}
	out := report.Offer{Added: []report.Line{}, Removed: []report.Line{}, Changed: []report.Change{}, Flags: []report.Flag{}}
	oldIndex := index(old)
	curIndex := index(cur)
	var touched []int // rows of cur that are new or changed

	for i, row := range cur.Rows {
		j, ok := oldIndex[row[ColRateCode]]
		if !ok {
			out.Added = append(out.Added, cur.line(row))
			touched = append(touched, i)
			out.Flags = append(out.Flags, invalidPriceFlag(row[ColRateCode], row[ColSKU], "", row[ColPrice], false)...)
			continue
		}
		prev := old.Rows[j]
		ch, changed := cur.change(old, prev, row)
		if !changed {
			continue
		}
		out.Changed = append(out.Changed, ch)
		touched = append(touched, i)
		out.Flags = append(out.Flags, invalidPriceFlag(ch.RateCode, ch.SKU, ch.OldPrice, ch.NewPrice, true)...)
		out.Flags = append(out.Flags, changeFlags(ch, opts)...)
	}
	for _, row := range old.Rows {
		if _, ok := curIndex[row[ColRateCode]]; !ok {
			out.Removed = append(out.Removed, old.line(row))
		}
	}
	out.Flags = append(out.Flags, reservedAboveOnDemand(cur, touched)...)
	return out
}

func index(s *Snapshot) map[string]int {
	m := make(map[string]int, len(s.Rows))
	for i, row := range s.Rows {
		m[row[ColRateCode]] = i
	}
	return m
}

func (s *Snapshot) attributes(row []string) map[string]string {
	return attributesOf(s.Attributes, row)
}

func (s *Snapshot) line(row []string) report.Line {
	return lineOf(s.Attributes, row)
}

// change compares a line present in both snapshots. Columns are compared by
// title, so a snapshot whose configured attributes changed compares only the
// columns both have.
func (s *Snapshot) change(old *Snapshot, prev, row []string) (report.Change, bool) {
	var fields []report.FieldChange
	for c := range numFixed {
		if c == ColPrice || prev[c] == row[c] {
			continue
		}
		fields = append(fields, report.FieldChange{Field: FixedColumns[c], Old: prev[c], New: row[c]})
	}
	oldAttrs := old.attributes(prev)
	for i, name := range s.Attributes {
		was, ok := oldAttrs[name]
		if ok && was != row[numFixed+i] {
			fields = append(fields, report.FieldChange{Field: name, Old: was, New: row[numFixed+i]})
		}
	}
	// AWS moves effective dates on republication (on-demand terms to the
	// first of the month, reserved ones to the publication date) without
	// changing anything a user pays: a line whose only move is its
	// effective date is not a change, or every version would report every
	// line. The snapshot still records the new date.
	if prev[ColPrice] == row[ColPrice] && !slices.ContainsFunc(fields, func(f report.FieldChange) bool {
		return f.Field != FixedColumns[ColEffectiveDate]
	}) {
		return report.Change{}, false
	}
	return report.Change{
		RateCode: row[ColRateCode], SKU: row[ColSKU], TermType: row[ColTermType],
		Unit: row[ColUnit], Currency: row[ColCurrency],
		OldPrice: prev[ColPrice], NewPrice: row[ColPrice],
		ChangePct:           ChangePct(prev[ColPrice], row[ColPrice]),
		LeaseContractLength: row[ColLeaseContractLength], PurchaseOption: row[ColPurchaseOption],
		OfferingClass: row[ColOfferingClass], Description: row[ColDescription],
		Attributes:       s.attributes(row),
		AttributeChanges: fields,
	}, true
}

// ChangePct returns the relative move from old to new in percent, rounded
// to two decimals, computed on exact decimals. It is nil when either price
// is not a plain decimal (see ParsePrice), the old price is zero
// (undefined) or nothing moved.
func ChangePct(oldPrice, newPrice string) *float64 {
	o, ok1 := ParsePrice(oldPrice)
	n, ok2 := ParsePrice(newPrice)
	if !ok1 || !ok2 || o.Sign() == 0 || o.Cmp(n) == 0 {
		return nil
	}
	d := new(big.Rat).Sub(n, o)
	d.Quo(d, o)
	d.Mul(d, big.NewRat(100, 1))
	// Round the exact decimal, then convert: rounding the float instead
	// would turn 0.145 into 0.14.
	f, err := strconv.ParseFloat(d.FloatString(2), 64)
	if err != nil {
		return nil
	}
	return &f
}

func isZero(price string) bool {
	r, ok := ParsePrice(price)
	return ok && r.Sign() == 0
}

func isNumber(price string) bool {
	_, ok := ParsePrice(price)
	return ok
}

// changeFlags are the flags a single changed line raises.
func changeFlags(ch report.Change, opts DiffOptions) []report.Flag {
	var flags []report.Flag
	flag := func(kind, msg string) {
		flags = append(flags, report.Flag{Kind: kind, RateCode: ch.RateCode, SKU: ch.SKU, Message: msg})
	}
	if ch.OldPrice != ch.NewPrice && isZero(ch.NewPrice) && !isZero(ch.OldPrice) {
		flag(report.FlagPriceToZero, fmt.Sprintf("price dropped to zero (was %s %s)", ch.OldPrice, ch.Currency))
	} else if ch.OldPrice != ch.NewPrice && isZero(ch.OldPrice) && isNumber(ch.NewPrice) && !isZero(ch.NewPrice) && opts.FlagPct > 0 {
		// From zero any rise is an unbounded move (its percentage is
		// undefined), so it is always worth a look.
		flag(report.FlagLargeMove, fmt.Sprintf("price rose from zero to %s %s", ch.NewPrice, ch.Currency))
	} else if ch.ChangePct != nil && opts.FlagPct > 0 && math.Abs(*ch.ChangePct) > opts.FlagPct {
		flag(report.FlagLargeMove, fmt.Sprintf("price moved %+.2f%% (%s → %s %s), more than %g%%", *ch.ChangePct, ch.OldPrice, ch.NewPrice, ch.Currency, opts.FlagPct))
	}
	var attrs []string
	for _, f := range ch.AttributeChanges {
		if f.Field == FixedColumns[ColEffectiveDate] {
			continue // AWS moves effective dates on republication; not news
		}
		attrs = append(attrs, fmt.Sprintf("%s %q → %q", f.Field, f.Old, f.New))
	}
	if len(attrs) > 0 {
		flag(report.FlagAttributesChanged, "attributes changed under the same rate code: "+strings.Join(attrs, ", "))
	}
	return flags
}

// hoursPerYear converts an upfront fee to an hourly rate the way AWS's own
// "effective hourly" figures do (365 days).
const hoursPerYear = 8760

// reservedAboveOnDemand flags Reserved offers, among the touched rows, whose
// effective hourly price (hourly rate plus upfront fee spread over the
// term) exceeds the on-demand hourly price of the same SKU.
func reservedAboveOnDemand(s *Snapshot, touched []int) []report.Flag {
	type term struct {
		hourly, upfront *big.Rat
		lease, rateCode string
		// invalid: a price of the term is not a plain decimal, so its
		// effective price is unknown (the line is flagged invalid_price).
		invalid bool
	}
	onDemand := map[string]*big.Rat{} // sku -> hourly price
	for _, row := range s.Rows {
		if row[ColTermType] == "OnDemand" && strings.HasPrefix(row[ColUnit], "Hr") {
			if p, ok := ParsePrice(row[ColPrice]); ok && p.Sign() > 0 {
				if _, dup := onDemand[row[ColSKU]]; !dup {
					onDemand[row[ColSKU]] = p
				} else {
					onDemand[row[ColSKU]] = nil // tiered: no single hourly price
				}
			}
		}
	}
	// Group the reserved dimensions of touched SKUs by offer term.
	touchedSKU := map[string]bool{}
	for _, i := range touched {
		if s.Rows[i][ColTermType] == "Reserved" {
			touchedSKU[s.Rows[i][ColSKU]] = true
		}
	}
	terms := map[string]*term{} // sku.offerTermCode -> term
	var order []string
	for _, row := range s.Rows {
		if row[ColTermType] != "Reserved" || !touchedSKU[row[ColSKU]] || onDemand[row[ColSKU]] == nil {
			continue
		}
		dot := strings.LastIndexByte(row[ColRateCode], '.')
		if dot < 0 {
			continue
		}
		key := row[ColRateCode][:dot+1]
		t := terms[key]
		if t == nil {
			t = &term{hourly: new(big.Rat), upfront: new(big.Rat), lease: row[ColLeaseContractLength]}
			terms[key] = t
			order = append(order, key)
		}
		p, ok := ParsePrice(row[ColPrice])
		if !ok {
			t.invalid = true
			continue
		}
		switch {
		case row[ColUnit] == "Quantity":
			t.upfront.Add(t.upfront, p)
		case strings.HasPrefix(row[ColUnit], "Hr"):
			t.hourly.Add(t.hourly, p)
			t.rateCode = row[ColRateCode]
		}
	}
	var flags []report.Flag
	for _, key := range order {
		t := terms[key]
		years := leaseYears(t.lease)
		if years == 0 || t.invalid {
			continue
		}
		sku := strings.SplitN(key, ".", 2)[0]
		eff := new(big.Rat).Quo(t.upfront, big.NewRat(int64(years*hoursPerYear), 1))
		eff.Add(eff, t.hourly)
		od := onDemand[sku]
		if eff.Cmp(od) > 0 {
			rate := t.rateCode
			if rate == "" {
				rate = strings.TrimSuffix(key, ".")
			}
			flags = append(flags, report.Flag{
				Kind: report.FlagReservedAboveOnDemand, RateCode: rate, SKU: sku,
				Message: fmt.Sprintf("reserved %s effective hourly price %s is above on-demand %s", t.lease, eff.FloatString(6), od.FloatString(6)),
			})
		}
	}
	return flags
}

// leaseYears reads "1yr" / "3yr" (and "1 yr", "3 years").
func leaseYears(lease string) int {
	l := strings.TrimSpace(strings.ToLower(lease))
	switch {
	case strings.HasPrefix(l, "1"):
		return 1
	case strings.HasPrefix(l, "3"):
		return 3
	}
	return 0
}
