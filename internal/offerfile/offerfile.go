// Package offerfile decodes AWS Price List offer files, JSON or CSV, as
// streams. It keeps only the price lines a Selection asks for and hands them
// out one at a time, so that a 480 MB EC2 file is read in constant memory
// (apart from the kept products).
//
// The two formats name the same product attributes differently: the JSON
// key "instanceType" is the CSV column "Instance Type", "preInstalledSw" is
// "Pre Installed S/W". Both are matched through awsnames.NormalizeName, so one
// Selection picks the same lines, with the same values, from either format.
// Configurations use the JSON keys, so names are suggested in that spelling
// whichever format was read.
package offerfile

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pricechecker/pricechecker/internal/awsnames"
	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/suggest"
)

// Formats are the offer file formats AWS publishes.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// Header identifies an offer file, as the file itself says.
type Header struct {
	FormatVersion   string
	OfferCode       string
	Version         string
	PublicationDate string
}

// Selection says which price lines to keep and which product attributes to
// carry along with each.
type Selection struct {
	// Terms are the term types to keep (OnDemand, Reserved); empty keeps all.
	Terms []string
	// Filters keep a product when, for every key, its attribute has one of
	// the values. Keys are attribute names in either format's spelling;
	// productFamily is matched like an attribute.
	Filters map[string][]string
	// Attributes are carried into priceline.Line.Attributes, in this order. One that
	// no product of the file has is reported as a *SelectionError, unless
	// DefaultAttributes says the user did not choose them.
	Attributes []string
	// DefaultAttributes marks Attributes as the defaults rather than the
	// user's list: a default some file lacks is an empty column, not a typo.
	DefaultAttributes bool `json:"-"` // not part of the selection's fingerprint
}

// Handler receives what a decoder reads. Header is called once, before the
// first line; an error from either callback stops the decoding and is
// returned.
type Handler struct {
	Header func(Header) error
	Line   func(*priceline.Line) error
}

// Decode reads an offer file in the given format.
func Decode(r io.Reader, format string, sel Selection, h Handler) (Header, error) {
	switch format {
	case FormatJSON:
		return DecodeJSON(r, sel, h)
	case FormatCSV:
		return DecodeCSV(r, sel, h)
	default:
		return Header{}, fmt.Errorf("unknown format %q (want json or csv)", format)
	}
}

// plan is a Selection compiled for fast matching: attribute names are
// normalised once, and every attribute the selection needs (to filter or to
// carry) gets a slot.
type plan struct {
	slots      map[string]int // normalised name -> slot
	nslots     int
	filters    []filter
	attrs      []string // Selection.Attributes
	checkAttrs bool     // report attrs no product has (the user chose them)
	attrSlots  []int    // slot of each Selection.Attributes entry
	terms      map[string]bool
	familySlot int // slot of productFamily, or -1

	// What the file held, to explain a selection that names what the file
	// lacks: a filter or term name with a typo silently selects no line
	// otherwise, an attribute name with a typo gives an empty column.
	kept      int
	seen      map[int]bool      // slots some product has a value for
	names     map[string]string // normalised -> the name in config spelling
	termsSeen []string
}

type filter struct {
	name   string
	slot   int
	values []string
}

func compile(sel Selection) *plan {
	p := &plan{slots: map[string]int{}, familySlot: -1}
	slot := p.slot
	keys := make([]string, 0, len(sel.Filters))
	for k := range sel.Filters {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic slot order
	for _, k := range keys {
		p.filters = append(p.filters, filter{name: k, slot: slot(k), values: sel.Filters[k]})
	}
	p.attrs = sel.Attributes
	p.checkAttrs = !sel.DefaultAttributes
	for _, a := range sel.Attributes {
		p.attrSlots = append(p.attrSlots, slot(a))
	}
	if s, ok := p.slots[awsnames.NormalizeName("productFamily")]; ok {
		p.familySlot = s
	}
	if len(sel.Terms) > 0 {
		p.terms = map[string]bool{}
		for _, t := range sel.Terms {
			p.terms[t] = true
		}
	}
	p.seen = map[int]bool{}
	p.names = map[string]string{}
	return p
}

// noteName records an attribute name the file uses, and how a
// configuration spells it (the JSON key) for suggestions.
func (p *plan) noteName(name, spelling string) {
	k := awsnames.NormalizeName(name)
	if _, ok := p.names[k]; !ok {
		p.names[k] = spelling
		if s, ok := p.slots[k]; ok {
			p.seen[s] = true
		}
	}
}

// noteTerm records a term type the file has.
func (p *plan) noteTerm(termType string) {
	if n := len(p.termsSeen); n == 0 || p.termsSeen[n-1] != termType && n < maxTermTypes {
		if !slices.Contains(p.termsSeen, termType) {
			p.termsSeen = append(p.termsSeen, termType)
		}
	}
}

// SelectionError says that a selection names an attribute or term type the
// file does not have: almost always a typo. It is returned once the whole
// file was read, after the lines kept were handed out, so that a caller
// that finds the name in another region's file can keep them.
type SelectionError struct {
	Problems []Problem
	// Kept is whether lines were kept: a misspelt filter or term type
	// keeps none, a misspelt attribute only leaves its column empty.
	Kept bool
}

// Problem is one name of a selection that a file lacks.
type Problem struct {
	// Name is the selection entry, the same for every file:
	// "filters.instanceTyp", "attributes.instanceTyp", "terms.OnDemnd".
	Name string
	// Message says what is wrong and suggests the right name.
	Message string
}

func (e *SelectionError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	if e.Kept {
		return "the selection names an attribute this file does not have: " + strings.Join(msgs, "; ")
	}
	return "the selection keeps no line: " + strings.Join(msgs, "; ")
}

// explain returns a *SelectionError when the selection names something the
// file lacks: an attribute to carry that no product has, or, when nothing
// was kept, a filter attribute or term type. An empty result with known
// names (an instance type a region does not sell) is not an error.
func (p *plan) explain() error {
	if len(p.names) == 0 {
		return nil // no product, no attribute: nothing tells a typo apart
	}
	var problems []Problem
	known := make([]string, 0, len(p.names))
	for _, n := range p.names {
		known = append(known, n)
	}
	missing := func(kind, name string) {
		problems = append(problems, Problem{
			Name:    kind + "." + name,
			Message: fmt.Sprintf("%s.%s: no product in this file has that attribute%s", kind, name, suggest.DidYouMean(name, known)),
		})
	}
	for i, a := range p.attrs {
		if p.checkAttrs && !p.seen[p.attrSlots[i]] {
			missing("attributes", a)
		}
	}
	if p.kept == 0 {
		for _, f := range p.filters {
			if !p.seen[f.slot] {
				missing("filters", f.name)
			}
		}
		if len(p.termsSeen) > 0 {
			for t := range p.terms {
				if !slices.Contains(p.termsSeen, t) {
					problems = append(problems, Problem{
						Name:    "terms." + t,
						Message: fmt.Sprintf("terms: %q is not a term type of this file (it has %s)", t, strings.Join(p.termsSeen, ", ")),
					})
				}
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	slices.SortFunc(problems, func(a, b Problem) int { return strings.Compare(a.Name, b.Name) })
	// An attribute listed twice is one problem.
	problems = slices.CompactFunc(problems, func(a, b Problem) bool { return a.Name == b.Name })
	return &SelectionError{Problems: problems, Kept: p.kept > 0}
}

// slot returns the slot of an attribute name, adding one if needed.
func (p *plan) slot(name string) int {
	k := awsnames.NormalizeName(name)
	if s, ok := p.slots[k]; ok {
		return s
	}
	p.slots[k] = p.nslots
	p.nslots++
	return p.nslots - 1
}

func (p *plan) keepTerm(termType string) bool {
	return p.terms == nil || p.terms[termType]
}

// keep reports whether slot values pass every filter.
func (p *plan) keep(vals []string) bool {
	for _, f := range p.filters {
		if !slices.Contains(f.values, vals[f.slot]) {
			return false
		}
	}
	return true
}

// attributes projects slot values onto Selection.Attributes.
func (p *plan) attributes(vals []string) []string {
	out := make([]string, len(p.attrSlots))
	for i, s := range p.attrSlots {
		out[i] = vals[s]
	}
	return out
}

// dateOnly reduces "2025-09-12T00:00:00Z" to "2025-09-12", as the CSV has it.
func dateOnly(s string) string {
	if len(s) > 10 && s[4] == '-' && s[7] == '-' && s[10] == 'T' {
		return s[:10]
	}
	return s
}
