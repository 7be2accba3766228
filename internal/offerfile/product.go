package offerfile

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
)

// ProductDecoder reads the entries of the Pricing API's GetProducts answer:
// each a JSON string holding one product with its terms, one level flatter
// than the bulk file (terms.<type>.<offerTermCode> instead of
// terms.<type>.<sku>.<offerTermCode>). It yields the same Lines as the bulk
// JSON and CSV decoders for the same product, so that snapshots from either
// source are byte-identical.
type ProductDecoder struct {
	match *selection.Matcher
	vals  []string
}

// ProductInfo is what an entry says about the price list it comes from.
type ProductInfo struct {
	ServiceCode     string
	Version         string
	PublicationDate string
}

// NewProductDecoder compiles a selection for GetProducts entries.
func NewProductDecoder(sel selection.Selection) *ProductDecoder {
	p := selection.Compile(sel)
	return &ProductDecoder{match: p, vals: make([]string, p.Slots())}
}

type apiEntry struct {
	Product struct {
		SKU           string            `json:"sku"`
		ProductFamily *string           `json:"productFamily"`
		Attributes    map[string]string `json:"attributes"`
	} `json:"product"`
	ServiceCode     string                        `json:"serviceCode"`
	Terms           map[string]map[string]apiTerm `json:"terms"`
	Version         string                        `json:"version"`
	PublicationDate string                        `json:"publicationDate"`
}

type apiTerm struct {
	OfferTermCode   string            `json:"offerTermCode"`
	SKU             string            `json:"sku"`
	EffectiveDate   string            `json:"effectiveDate"`
	PriceDimensions map[string]apiDim `json:"priceDimensions"`
	TermAttributes  map[string]string `json:"termAttributes"`
}

type apiDim struct {
	RateCode     string            `json:"rateCode"`
	Description  string            `json:"description"`
	BeginRange   string            `json:"beginRange"`
	EndRange     string            `json:"endRange"`
	Unit         string            `json:"unit"`
	PricePerUnit map[string]string `json:"pricePerUnit"`
}

// Decode reads one entry and hands its selected lines to line.
func (d *ProductDecoder) Decode(entry string, line func(*priceline.Line) error) (ProductInfo, error) {
	var e apiEntry
	if err := json.Unmarshal([]byte(entry), &e); err != nil {
		return ProductInfo{}, fmt.Errorf("GetProducts entry is not a product: %w", err)
	}
	info := ProductInfo{ServiceCode: e.ServiceCode, Version: e.Version, PublicationDate: e.PublicationDate}
	sku := e.Product.SKU
	if sku == "" {
		return info, fmt.Errorf("GetProducts entry without product sku")
	}
	p := d.match
	clear(d.vals)
	if e.Product.ProductFamily != nil && p.FamilySlot() >= 0 {
		d.vals[p.FamilySlot()] = *e.Product.ProductFamily
	}
	keys := make([]string, 0, len(e.Product.Attributes))
	for k := range e.Product.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic should two keys normalise alike
	for _, k := range keys {
		if s, ok := p.Lookup(k); ok {
			d.vals[s] = e.Product.Attributes[k]
		}
	}
	if !p.Keep(d.vals) {
		return info, nil
	}
	attrs := p.Attributes(d.vals)
	termTypes := make([]string, 0, len(e.Terms))
	for t := range e.Terms {
		termTypes = append(termTypes, t)
	}
	slices.Sort(termTypes)
	var bad badValues
	for _, termType := range termTypes {
		if !p.KeepTerm(termType) {
			continue
		}
		codes := make([]string, 0, len(e.Terms[termType]))
		for c := range e.Terms[termType] {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		for _, c := range codes {
			t := e.Terms[termType][c]
			dimKeys := make([]string, 0, len(t.PriceDimensions))
			for k := range t.PriceDimensions {
				dimKeys = append(dimKeys, k)
			}
			slices.Sort(dimKeys)
			for _, k := range dimKeys {
				dim := t.PriceDimensions[k]
				if dim.RateCode == "" {
					return info, fmt.Errorf("GetProducts entry %s: price dimension without rateCode", sku)
				}
				currency, price := firstCurrency(dim.PricePerUnit)
				l := priceline.Line{
					SKU:                 sku,
					OfferTermCode:       t.OfferTermCode,
					RateCode:            dim.RateCode,
					TermType:            termType,
					Description:         dim.Description,
					EffectiveDate:       dateOnly(t.EffectiveDate),
					BeginRange:          dim.BeginRange,
					EndRange:            dim.EndRange,
					Unit:                dim.Unit,
					Price:               price,
					Currency:            currency,
					LeaseContractLength: t.TermAttributes["LeaseContractLength"],
					PurchaseOption:      t.TermAttributes["PurchaseOption"],
					OfferingClass:       t.TermAttributes["OfferingClass"],
					Attributes:          attrs,
				}
				bad.check(&l)
				if err := line(&l); err != nil {
					return info, err
				}
			}
		}
	}
	if err := bad.err(); err != nil {
		return info, fmt.Errorf("GetProducts entry %s: %w", printable(sku, false), err)
	}
	return info, nil
}

// firstCurrency picks the alphabetically first currency, as the bulk JSON
// decoder does.
func firstCurrency(prices map[string]string) (currency, price string) {
	for cur, p := range prices {
		if currency == "" || cur < currency {
			currency, price = cur, p
		}
	}
	return currency, price
}
