// Package report owns the change report: what changed between two snapshots
// of an AWS price list, as JSON (for tools) and as Markdown (for people: job
// summaries, commit messages, Slack).
//
// The JSON field names are a public contract documented in README; other
// tools and the GitHub Action read them. Prices are the strings AWS published;
// only change_pct is a computed number.
package report

import "slices"

// Report is the outcome of one run (or one diff) over any number of
// offer/region snapshots.
type Report struct {
	// Unchanged is true when no offer/region has any added, removed or
	// changed line (including runs that skipped every region because its
	// version was already recorded).
	Unchanged bool    `json:"unchanged"`
	Offers    []Offer `json:"offers"`
}

// Offer is the change in one offer/region snapshot.
type Offer struct {
	OfferCode string `json:"offer_code"`
	Region    string `json:"region"`
	// FromVersion is empty when there was no previous snapshot.
	FromVersion     string `json:"from_version"`
	ToVersion       string `json:"to_version"`
	PublicationDate string `json:"publication_date,omitempty"`
	// Skipped says why a region was not fetched (for example
	// "version already recorded"); such entries carry no changes.
	Skipped string   `json:"skipped,omitempty"`
	Added   []Line   `json:"added"`
	Removed []Line   `json:"removed"`
	Changed []Change `json:"changed"`
	// Flags are the lines that deserve a human look.
	Flags []Flag `json:"flags"`
}

// Counts returns how many lines were added, removed and changed.
func (o Offer) Counts() (added, removed, changed int) {
	return len(o.Added), len(o.Removed), len(o.Changed)
}

// Empty reports whether the offer has no added, removed or changed line.
func (o Offer) Empty() bool {
	return len(o.Added) == 0 && len(o.Removed) == 0 && len(o.Changed) == 0
}

// Line is one price line (one price dimension) of a snapshot.
type Line struct {
	RateCode            string            `json:"rate_code"`
	SKU                 string            `json:"sku"`
	TermType            string            `json:"term_type"`
	Unit                string            `json:"unit"`
	Price               string            `json:"price"`
	Currency            string            `json:"currency"`
	LeaseContractLength string            `json:"lease_contract_length,omitempty"`
	PurchaseOption      string            `json:"purchase_option,omitempty"`
	OfferingClass       string            `json:"offering_class,omitempty"`
	Description         string            `json:"description,omitempty"`
	Attributes          map[string]string `json:"attributes,omitempty"`
}

// Change is a line present in both snapshots whose price or attributes
// differ. ChangePct is nil when it is undefined (the old price was zero) or
// the price did not move.
type Change struct {
	RateCode            string            `json:"rate_code"`
	SKU                 string            `json:"sku"`
	TermType            string            `json:"term_type"`
	Unit                string            `json:"unit"`
	Currency            string            `json:"currency"`
	OldPrice            string            `json:"old_price"`
	NewPrice            string            `json:"new_price"`
	ChangePct           *float64          `json:"change_pct"`
	LeaseContractLength string            `json:"lease_contract_length,omitempty"`
	PurchaseOption      string            `json:"purchase_option,omitempty"`
	OfferingClass       string            `json:"offering_class,omitempty"`
	Description         string            `json:"description,omitempty"`
	Attributes          map[string]string `json:"attributes,omitempty"`
	// AttributeChanges lists snapshot columns other than the price whose
	// value differs under the same rate code.
	AttributeChanges []FieldChange `json:"attribute_changes,omitempty"`
}

// FieldChange is one column whose value changed.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Flag kinds.
const (
	FlagPriceToZero           = "price_to_zero"
	FlagLargeMove             = "large_move"
	FlagReservedAboveOnDemand = "reserved_above_on_demand"
	FlagAttributesChanged     = "attributes_changed"
	// FlagLargeRemoval marks an offer/region (no rate code) where more
	// lines than maxRemovedPct vanished and the run was told to accept it
	// (--accept-removals).
	FlagLargeRemoval = "large_removal"
	// FlagAttributeDropped marks an offer/region (no rate code) whose
	// files no longer publish a configured attribute that an earlier
	// snapshot had; its column is written empty.
	FlagAttributeDropped = "attribute_dropped"
)

// Flag marks a line that deserves a human look.
type Flag struct {
	Kind     string `json:"kind"`
	RateCode string `json:"rate_code"`
	SKU      string `json:"sku"`
	Message  string `json:"message"`
}

// Totals sums the counts over every offer in the report.
func (r Report) Totals() (added, removed, changed int) {
	for _, o := range r.Offers {
		a, rm, c := o.Counts()
		added += a
		removed += rm
		changed += c
	}
	return added, removed, changed
}

// AddRegionFlag adds a flag of the whole offer/region (no rate code) ahead
// of the per-line flags: it explains them (a dropped attribute changes every
// line), and every reader that cuts a long list of flags (Markdown, Slack)
// must still show it.
func (o *Offer) AddRegionFlag(f Flag) {
	i := 0
	for i < len(o.Flags) && o.Flags[i].RateCode == "" {
		i++
	}
	o.Flags = slices.Insert(o.Flags, i, f)
}
