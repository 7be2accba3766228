// Package linelabel names a price line the way a person reads it:
// "ds2.8xlarge · Reserved 1yr standard All Upfront · Quantity" rather than
// its rate code. The site uses it; the report, Slack, Sheets and history can
// use it too, so that a line has one name everywhere.
//
// The label itself is report.Line.Label: the report's Markdown names lines
// too, and report cannot import this package (it imports report).
package linelabel

import "github.com/pricechecker/pricechecker/internal/report"

// Sep separates the parts of a label.
const Sep = report.LabelSep

// Label is the line's configured attributes (in the order of keys; every
// attribute, sorted by name, when keys is nil), then its term (type, lease
// length, offering class, purchase option), then its unit. Empty parts are
// left out; a line with nothing else to go by is named by its rate code.
func Label(l report.Line, keys []string) string { return l.Label(keys) }

// Term is the term type with the term's own attributes, in the order AWS's
// console reads them: "Reserved 1yr standard All Upfront", "OnDemand".
func Term(l report.Line) string { return l.Term() }
