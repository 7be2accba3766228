// Package priceline holds the one type the offer file decoders produce and
// the snapshot stores: a price line. It sits below both, so that snapshot
// does not depend on the decoders nor the decoders on the snapshot format.
package priceline

// Line is one price dimension that passed a selection. Every value is the
// string AWS published; EffectiveDate is reduced to its date (the CSV
// publishes only the date).
type Line struct {
	SKU                 string
	OfferTermCode       string
	RateCode            string
	TermType            string
	Description         string
	EffectiveDate       string
	BeginRange          string
	EndRange            string
	Unit                string
	Price               string
	Currency            string
	LeaseContractLength string
	PurchaseOption      string
	OfferingClass       string
	// Attributes holds the values of the selection's Attributes, in order; ""
	// where the product lacks the attribute.
	Attributes []string
}
