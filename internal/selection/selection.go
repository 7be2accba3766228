// Package selection says what a run keeps of an offer file: the term types,
// the attribute filters and the attributes to carry. Compile turns a
// Selection into a Matcher the decoders use per product, which also records
// what the file held so that a name the file lacks (almost always a typo) is
// explained with a did-you-mean.
package selection

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pricechecker/pricechecker/internal/awsnames"
	"github.com/pricechecker/pricechecker/internal/suggest"
)

// maxTermTypes caps the distinct term types noted to explain a selection
// (AWS has OnDemand and Reserved), so that a hostile file cannot grow the
// list without end.
const maxTermTypes = 64

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
	// no product of the file has is reported as an *Error, unless
	// DefaultAttributes says the user did not choose them.
	Attributes []string
	// DefaultAttributes marks Attributes as the defaults rather than the
	// user's list: a default some file lacks is an empty column, not a typo.
	DefaultAttributes bool `json:"-"` // not part of the selection's fingerprint
}

// Matcher is a Selection compiled for fast matching by a decoder: attribute names are
// normalised once, and every attribute the selection needs (to filter or to
// carry) gets a slot.
type Matcher struct {
	slots      map[string]int // normalised name -> slot
	nslots     int
	filters    []filter
	attrs      []string // Selection.Attributes
	checkAttrs bool     // report attrs no product has (the user chose them)
	attrSlots  []int    // Slot of each Selection.Attributes entry
	terms      map[string]bool
	familySlot int // Slot of productFamily, or -1

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

func Compile(sel Selection) *Matcher {
	p := &Matcher{slots: map[string]int{}, familySlot: -1}
	slot := p.Slot
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

// NoteName records an attribute name the file uses, and how a
// configuration spells it (the JSON key) for suggestions.
func (p *Matcher) NoteName(name, spelling string) {
	k := awsnames.NormalizeName(name)
	if _, ok := p.names[k]; !ok {
		p.names[k] = spelling
		if s, ok := p.slots[k]; ok {
			p.seen[s] = true
		}
	}
}

// NoteTerm records a term type the file has.
func (p *Matcher) NoteTerm(termType string) {
	if n := len(p.termsSeen); n == 0 || p.termsSeen[n-1] != termType && n < maxTermTypes {
		if !slices.Contains(p.termsSeen, termType) {
			p.termsSeen = append(p.termsSeen, termType)
		}
	}
}

// Error says that a selection names an attribute or term type the
// file does not have: almost always a typo. It is returned once the whole
// file was read, after the lines kept were handed out, so that a caller
// that finds the name in another region's file can keep them.
type Error struct {
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

func (e *Error) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	if e.Kept {
		return "the selection names an attribute this file does not have: " + strings.Join(msgs, "; ")
	}
	return "the selection keeps no line: " + strings.Join(msgs, "; ")
}

// Explain returns an *Error when the selection names something the
// file lacks: an attribute to carry that no product has, or, when nothing
// was kept, a filter attribute or term type. An empty result with known
// names (an instance type a region does not sell) is not an error.
func (p *Matcher) Explain() error {
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
	return &Error{Problems: problems, Kept: p.kept > 0}
}

// Slot returns the slot of an attribute name, adding one if needed.
func (p *Matcher) Slot(name string) int {
	k := awsnames.NormalizeName(name)
	if s, ok := p.slots[k]; ok {
		return s
	}
	p.slots[k] = p.nslots
	p.nslots++
	return p.nslots - 1
}

func (p *Matcher) KeepTerm(termType string) bool {
	return p.terms == nil || p.terms[termType]
}

// Keep reports whether slot values pass every filter.
func (p *Matcher) Keep(vals []string) bool {
	for _, f := range p.filters {
		if !slices.Contains(f.values, vals[f.slot]) {
			return false
		}
	}
	return true
}

// Attributes projects slot values onto Selection.Attributes.
func (p *Matcher) Attributes(vals []string) []string {
	out := make([]string, len(p.attrSlots))
	for i, s := range p.attrSlots {
		out[i] = vals[s]
	}
	return out
}

// ColumnsOf maps every slot of the matcher to its column in a CSV header, or
// -1. Columns are matched by normalised title; the first column with a
// given normalised title wins, as fixed columns come first. key spells a
// title as a configuration does, for suggestions.
func (p *Matcher) ColumnsOf(head []string, key func(title string) string) []int {
	for _, title := range head {
		p.NoteName(title, key(title))
	}
	slotCol := make([]int, p.nslots)
	for i := range slotCol {
		slotCol[i] = -1
	}
	for i := len(head) - 1; i >= 0; i-- {
		if slot, ok := p.slots[awsnames.NormalizeName(head[i])]; ok {
			slotCol[slot] = i
		}
	}
	return slotCol
}

// Slots is how many slots the matcher has: the length of the values slice
// the decoders fill per product.
func (p *Matcher) Slots() int { return p.nslots }

// Lookup returns the slot of an attribute name, in either format's
// spelling, when the selection needs it.
func (p *Matcher) Lookup(name string) (int, bool) {
	s, ok := p.slots[awsnames.NormalizeName(name)]
	return s, ok
}

// FamilySlot is the slot of productFamily, or -1 when the selection does
// not need it.
func (p *Matcher) FamilySlot() int { return p.familySlot }

// Kept counts a line handed out, so that Explain knows whether any was.
func (p *Matcher) Kept() { p.kept++ }
