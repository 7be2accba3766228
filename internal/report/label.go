package report

import (
	"maps"
	"slices"
	"strings"
)

// LabelSep separates the parts of a line's label.
const LabelSep = " · "

// Label names the line the way a person reads it: "ds2.8xlarge · Reserved
// 1yr standard All Upfront · Quantity" rather than its rate code. It is the
// line's configured attributes (in the order of keys; every attribute,
// sorted by name, when keys is nil), then its term (type, lease length,
// offering class, purchase option), then its unit. Empty parts are left out;
// a line with nothing else to go by is named by its rate code.
//
// It lives here rather than in linelabel because the report's own Markdown
// names lines with it, and linelabel imports report (the label is for
// reading only: it never feeds back into data).
func (l Line) Label(keys []string) string {
	if keys == nil {
		keys = slices.Sorted(maps.Keys(l.Attributes))
	}
	var parts []string
	for _, k := range keys {
		if v := strings.TrimSpace(l.Attributes[k]); v != "" {
			parts = append(parts, v)
		}
	}
	if t := l.Term(); t != "" {
		parts = append(parts, t)
	}
	if l.Unit != "" {
		parts = append(parts, l.Unit)
	}
	if len(parts) == 0 {
		return l.RateCode
	}
	return strings.Join(parts, LabelSep)
}

// Term is the term type with the term's own attributes, in the order AWS's
// console reads them: "Reserved 1yr standard All Upfront", "OnDemand".
func (l Line) Term() string {
	var parts []string
	for _, p := range []string{l.TermType, l.LeaseContractLength, l.OfferingClass, l.PurchaseOption} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// Line is the changed line as it reads now (new price), so that a change is
// named like any other line.
func (c Change) Line() Line {
	return Line{
		RateCode: c.RateCode, SKU: c.SKU, TermType: c.TermType, Unit: c.Unit, Price: c.NewPrice, Currency: c.Currency,
		LeaseContractLength: c.LeaseContractLength, PurchaseOption: c.PurchaseOption, OfferingClass: c.OfferingClass,
		Description: c.Description, Attributes: c.Attributes,
	}
}

// Label names the changed line (see Line.Label).
func (c Change) Label(keys []string) string { return c.Line().Label(keys) }

// Labels maps every rate code the offer names (changed, added, removed) to
// its label, so that a flag, which carries only a rate code, can be named.
func (o Offer) Labels() map[string]string {
	m := make(map[string]string, len(o.Added)+len(o.Removed)+len(o.Changed))
	for _, l := range o.Removed {
		m[l.RateCode] = l.Label(nil)
	}
	for _, l := range o.Added {
		m[l.RateCode] = l.Label(nil)
	}
	for _, c := range o.Changed {
		m[c.RateCode] = c.Label(nil)
	}
	return m
}
