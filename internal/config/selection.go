package config

import "github.com/pricechecker/pricechecker/internal/selection"

// Selection is what a run keeps of the offer's files, for the decoders.
func (o Offer) Selection() selection.Selection {
	return selection.Selection{Terms: o.Terms, Filters: o.Filters, Attributes: o.Attributes, DefaultAttributes: o.DefaultAttributes}
}
