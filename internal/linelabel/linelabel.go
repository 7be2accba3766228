// Package linelabel names a price line the way a person reads it:
// "ds2.8xlarge · Reserved 1yr standard All Upfront · Quantity" rather than
// its rate code. The site uses it; the report, Slack, Sheets and history can
// use it too, so that a line has one name everywhere.
package linelabel

import (
	"maps"
	"slices"
	"strings"

	"github.com/pricechecker/pricechecker/internal/report"
)

// Sep separates the parts of a label.
const Sep = " · "

// Label is the line's configured attributes (in the order of keys; every
// attribute, sorted by name, when keys is nil), then its term (type, lease
// length, offering class, purchase option), then its unit. Empty parts are
// left out; a line with nothing else to go by is named by its rate code.
func Label(l report.Line, keys []string) string {
	if keys == nil {
		keys = slices.Sorted(maps.Keys(l.Attributes))
	}
	var parts []string
	for _, k := range keys {
		if v := strings.TrimSpace(l.Attributes[k]); v != "" {
			parts = append(parts, v)
		}
	}
	if t := Term(l); t != "" {
		parts = append(parts, t)
	}
	if l.Unit != "" {
		parts = append(parts, l.Unit)
	}
	if len(parts) == 0 {
		return l.RateCode
	}
	return strings.Join(parts, Sep)
}

// Term is the term type with the term's own attributes, in the order AWS's
// console reads them: "Reserved 1yr standard All Upfront", "OnDemand".
func Term(l report.Line) string {
	var parts []string
	for _, p := range []string{l.TermType, l.LeaseContractLength, l.OfferingClass, l.PurchaseOption} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}
