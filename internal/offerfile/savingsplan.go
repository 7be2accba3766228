package offerfile

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pricechecker/pricechecker/internal/awsnames"
	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
)

// TermSavingsPlan is the term type of every Savings Plans rate.
const TermSavingsPlan = "SavingsPlan"

// Savings Plans files (/savingsPlan/v1.0/aws/<code>/<version>/<region>/...)
// have their own shape: products is an array, terms.savingsPlan is an array
// of plans, each with its rates. A rate becomes one Line:
//
//	RateCode            rate.rateCode
//	SKU                 the plan's sku
//	TermType            "SavingsPlan"
//	Unit, Price         rate.unit, rate.discountedRate.price (as published)
//	Currency            rate.discountedRate.currency
//	LeaseContractLength leaseContractLength {3, year} as "3yr", like reserved terms
//	PurchaseOption      the product's purchaseOption attribute
//	Description         the plan's description
//	EffectiveDate       the plan's effectiveDate, reduced to its date
//
// Attributes and filters see every product field and attribute
// (productFamily, usageType, instanceFamily, purchaseOption, ...), every
// rate field (discountedUsageType, discountedOperation,
// discountedInstanceType, ...) and leaseContractLength in the "3yr" form.
// The unquoted CSV titles the same fields DiscountedUsageType, Instance
// Family, LeaseContractLength + LeaseContractLengthUnit; both formats give
// the same lines. A name that no product, plan or rate of the file has is
// a *selection.Error, as for offers, suggested in the JSON spelling.

// Names the savings plan decoders always need a slot for.
const (
	spPurchaseOption = "purchaseOption"
	spLease          = "leaseContractLength"
	spLeaseUnit      = "leaseContractLengthUnit"
)

// DecodeSavingsPlan reads a Savings Plans rate file in the given format.
func DecodeSavingsPlan(r io.Reader, format string, sel selection.Selection, h Handler) (Header, error) {
	switch format {
	case FormatJSON:
		return DecodeSavingsPlanJSON(r, sel, h)
	case FormatCSV:
		return DecodeSavingsPlanCSV(r, sel, h)
	default:
		return Header{}, fmt.Errorf("unknown format %q (want json or csv)", format)
	}
}

// spPlan is a plan with the slots the savings plan decoders fill whatever
// the selection.
type spPlan struct {
	*selection.Matcher
	purchaseSlot, leaseSlot, leaseUnitSlot int
}

func compileSavingsPlan(sel selection.Selection) spPlan {
	p := selection.Compile(sel)
	return spPlan{Matcher: p, purchaseSlot: p.Slot(spPurchaseOption), leaseSlot: p.Slot(spLease), leaseUnitSlot: p.Slot(spLeaseUnit)}
}

// leaseLength spells a lease as reserved terms do: {1, year} is "1yr".
func leaseLength(duration, unit string) string {
	if duration == "" && unit == "" {
		return ""
	}
	switch strings.ToLower(unit) {
	case "year", "years", "yr":
		return duration + "yr"
	case "month", "months", "mo":
		return duration + "mo"
	}
	return duration + unit
}

// DecodeSavingsPlanJSON reads a Savings Plans JSON rate file, streaming.
// AWS writes products before terms; the products' slot values are kept
// (they are few: one per plan), the rates are streamed.
func DecodeSavingsPlanJSON(r io.Reader, sel selection.Selection, h Handler) (Header, error) {
	sp := &spReader{
		jsonReader: jsonReader{
			h:      h,
			slotOf: map[string]int{},
		},
		spPlan:   compileSavingsPlan(sel),
		products: map[string][]string{},
	}
	sp.dec, sp.lim = newJSONDecoder(r)
	sp.jsonReader.match = sp.spPlan.Matcher
	sp.vals = make([]string, sp.Slots())
	if err := sp.file(); err != nil {
		return sp.header, sp.wrap(err)
	}
	return sp.header, nil
}

type spReader struct {
	jsonReader
	spPlan
	// products holds every product's slot values, by sku.
	products map[string][]string
	sawLease bool
}

func (sp *spReader) file() error {
	if err := sp.expect('{'); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("offer file is empty: %w", io.ErrUnexpectedEOF)
		}
		return err
	}
	for sp.dec.PeekKind() != '}' {
		key, err := sp.str()
		if err != nil {
			return err
		}
		switch key {
		case "formatVersion":
			sp.header.FormatVersion, err = sp.str()
		case "offerCode":
			sp.header.OfferCode, err = sp.str()
		case "version":
			sp.header.Version, err = sp.str()
		case "publicationDate":
			sp.header.PublicationDate, err = sp.str()
		case "products":
			if err = sp.sendHeader(); err == nil {
				err = sp.productsArray()
			}
		case "terms":
			if err = sp.sendHeader(); err == nil {
				err = sp.spTerms()
			}
		default:
			err = sp.dec.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	if err := sp.expect('}'); err != nil {
		return err
	}
	if _, err := sp.dec.ReadToken(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = formatError("unexpected data after the end of the offer")
		}
		return err
	}
	if sp.header.Version == "" {
		return errors.New("savings plans file has no version: not an AWS Savings Plans file")
	}
	if err := sp.sendHeader(); err != nil {
		return err
	}
	if err := sp.bad.err(); err != nil {
		return fmt.Errorf("offer file is corrupt: %w", err)
	}
	return sp.Explain()
}

// slotFor returns the slot of a raw key, or -1 when the selection does not
// need it. Every key of a product, plan or rate passes here, so this is
// also where the names the file has are recorded, once each.
func (sp *spReader) slotFor(key []byte) int {
	slot, ok := sp.slotOf[string(key)]
	if !ok {
		slot = -1
		if s, found := sp.Lookup(string(key)); found {
			slot = s
		}
		// Past the cap (junk) a key is looked up each time rather than
		// grow the cache.
		if len(sp.slotOf) < maxAttributeNames {
			sp.slotOf[string(key)] = slot
			sp.NoteName(string(key), string(key))
		}
	}
	return slot
}

func (sp *spReader) productsArray() error {
	if err := sp.expect('['); err != nil {
		return fmt.Errorf("products: %w", err)
	}
	for sp.dec.PeekKind() != ']' {
		if err := sp.spProduct(); err != nil {
			return fmt.Errorf("products: %w", err)
		}
	}
	return sp.expect(']')
}

// spProduct reads {sku, productFamily, serviceCode, usageType, operation,
// attributes{...}}: every string field is an attribute.
func (sp *spReader) spProduct() error {
	vals := make([]string, sp.Slots())
	var sku string
	if err := sp.expect('{'); err != nil {
		return err
	}
	for sp.dec.PeekKind() != '}' {
		key, err := sp.rawStr()
		if err != nil {
			return err
		}
		switch string(key) {
		case "attributes":
			clear(sp.vals)
			if err := sp.attributes(); err != nil {
				return err
			}
			for i, v := range sp.vals {
				if v != "" {
					vals[i] = v
				}
			}
			continue
		case "sku":
			if sku, err = sp.str(); err != nil {
				return err
			}
			if s := sp.slotFor([]byte("sku")); s >= 0 {
				vals[s] = sku
			}
			continue
		}
		if err := sp.field(key, vals); err != nil {
			return err
		}
	}
	if sku == "" {
		return formatError("product without sku")
	}
	if _, dup := sp.products[sku]; !dup && len(sp.products) == maxSavingsPlanProducts {
		return formatError(fmt.Sprintf("at byte %d: more than %d products (AWS writes one per plan)", sp.dec.InputOffset(), maxSavingsPlanProducts))
	}
	sp.products[sku] = vals
	return sp.expect('}')
}

// field stores a scalar field in its slot, or skips it.
func (sp *spReader) field(key []byte, vals []string) error {
	slot := sp.slotFor(key)
	if slot < 0 || sp.dec.PeekKind() == '{' || sp.dec.PeekKind() == '[' {
		return sp.dec.SkipValue()
	}
	v, err := sp.str()
	vals[slot] = v
	return err
}

func (sp *spReader) spTerms() error {
	if err := sp.expect('{'); err != nil {
		return fmt.Errorf("terms: %w", err)
	}
	for sp.dec.PeekKind() != '}' {
		termType, err := sp.str()
		if err != nil {
			return err
		}
		if termType != "savingsPlan" || !sp.KeepTerm(TermSavingsPlan) {
			if err := sp.dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		if err := sp.expect('['); err != nil {
			return fmt.Errorf("terms.savingsPlan: %w", err)
		}
		for sp.dec.PeekKind() != ']' {
			if err := sp.savingsPlan(); err != nil {
				return fmt.Errorf("terms.savingsPlan: %w", err)
			}
		}
		if err := sp.expect(']'); err != nil {
			return err
		}
	}
	return sp.expect('}')
}

// spRate is a rate waiting for its plan's fields, which may follow the
// rates.
type spRate struct {
	rateCode, unit, price, currency string
	vals                            []string // rate-level slot values; "" where unset
}

// savingsPlan reads {sku, description, effectiveDate,
// leaseContractLength{duration, unit}, rates[...]}.
func (sp *spReader) savingsPlan() error {
	var (
		sku, description, effectiveDate, duration, unit string
		rates                                           []spRate
		planVals                                        = make([]string, sp.Slots())
	)
	if err := sp.expect('{'); err != nil {
		return err
	}
	for sp.dec.PeekKind() != '}' {
		key, err := sp.rawStr()
		if err != nil {
			return err
		}
		switch string(key) {
		case "sku":
			sku, err = sp.str()
		case "description":
			description, err = sp.str()
			sp.setSlot("description", planVals, description)
		case "effectiveDate":
			effectiveDate, err = sp.str()
			sp.setSlot("effectiveDate", planVals, effectiveDate)
		case "leaseContractLength":
			duration, unit, err = sp.stringPair("duration", "unit")
			if !sp.sawLease {
				// Filled in the "3yr" spelling, and the unit as the CSV's
				// LeaseContractLengthUnit column.
				sp.sawLease = true
				sp.NoteName(spLease, spLease)
				sp.NoteName(spLeaseUnit, spLeaseUnit)
			}
		case "rates":
			rates, err = sp.rates()
		default:
			err = sp.field(key, planVals)
		}
		if err != nil {
			return err
		}
	}
	if err := sp.expect('}'); err != nil {
		return err
	}
	product, ok := sp.products[sku]
	if !ok {
		// A plan whose product is missing: AWS never writes one, but keep
		// its rates with empty product attributes rather than dropping them.
		product = make([]string, sp.Slots())
	}
	lease := leaseLength(duration, unit)
	for _, rt := range rates {
		for i := range sp.vals {
			sp.vals[i] = product[i]
			if planVals[i] != "" {
				sp.vals[i] = planVals[i]
			}
			if rt.vals[i] != "" {
				sp.vals[i] = rt.vals[i]
			}
		}
		sp.vals[sp.leaseSlot] = lease
		sp.vals[sp.leaseUnitSlot] = unit
		if !sp.Keep(sp.vals) {
			continue
		}
		sp.Kept()
		sp.line = priceline.Line{
			SKU:                 sku,
			RateCode:            rt.rateCode,
			TermType:            TermSavingsPlan,
			Description:         description,
			EffectiveDate:       dateOnly(effectiveDate),
			Unit:                rt.unit,
			Price:               rt.price,
			Currency:            rt.currency,
			LeaseContractLength: lease,
			PurchaseOption:      sp.vals[sp.purchaseSlot],
			Attributes:          sp.spPlan.Matcher.Attributes(sp.vals),
		}
		sp.bad.check(&sp.line)
		if err := sp.h.Line(&sp.line); err != nil {
			return err
		}
	}
	return nil
}

func (sp *spReader) setSlot(name string, vals []string, v string) {
	if s := sp.slotFor([]byte(name)); s >= 0 {
		vals[s] = v
	}
}

// stringPair reads an object and returns the values of two of its keys,
// skipping the others: {"duration": 3, "unit": "year"} or
// {"price": "0.05", "currency": "USD"}.
func (sp *spReader) stringPair(firstKey, secondKey string) (first, second string, err error) {
	if err := sp.expect('{'); err != nil {
		return "", "", err
	}
	for sp.dec.PeekKind() != '}' {
		key, err := sp.rawStr()
		if err != nil {
			return "", "", err
		}
		switch string(key) {
		case firstKey:
			first, err = sp.str()
		case secondKey:
			second, err = sp.str()
		default:
			err = sp.dec.SkipValue()
		}
		if err != nil {
			return "", "", err
		}
	}
	return first, second, sp.expect('}')
}

func (sp *spReader) rates() ([]spRate, error) {
	if err := sp.expect('['); err != nil {
		return nil, err
	}
	var rates []spRate
	for sp.dec.PeekKind() != ']' {
		rt := spRate{vals: make([]string, sp.Slots())}
		if err := sp.expect('{'); err != nil {
			return nil, err
		}
		for sp.dec.PeekKind() != '}' {
			key, err := sp.rawStr()
			if err != nil {
				return nil, err
			}
			switch string(key) {
			case "rateCode":
				rt.rateCode, err = sp.str()
				sp.setSlot("rateCode", rt.vals, rt.rateCode)
			case "unit":
				rt.unit, err = sp.str()
				sp.setSlot("unit", rt.vals, rt.unit)
			case "discountedRate":
				rt.price, rt.currency, err = sp.stringPair("price", "currency")
				sp.setSlot("discountedRate", rt.vals, rt.price)
				sp.setSlot("currency", rt.vals, rt.currency)
			default:
				err = sp.field(key, rt.vals)
			}
			if err != nil {
				return nil, err
			}
		}
		if err := sp.expect('}'); err != nil {
			return nil, err
		}
		if rt.rateCode == "" {
			return nil, formatError("rate without rateCode")
		}
		rates = append(rates, rt)
	}
	return rates, sp.expect(']')
}

// spColumns are the fixed columns of a Savings Plans CSV.
type spColumns struct {
	sku, rateCode, unit, effectiveDate, price, currency, lease, leaseUnit, description int
}

// DecodeSavingsPlanCSV reads a Savings Plans CSV rate file: the same five
// metadata rows as a service CSV (OfferCode spelled
// AmazonComputeSavingsPlan), then an unquoted header and one row per rate.
func DecodeSavingsPlanCSV(r io.Reader, sel selection.Selection, h Handler) (Header, error) {
	src := newCSVSource(r, true) // AWS does not quote this file; a stray quote is data

	p := compileSavingsPlan(sel)
	var header Header
	var head []string
	for i := 0; head == nil; i++ {
		rec, err := src.read()
		if errors.Is(err, io.EOF) {
			if i == 0 {
				return header, fmt.Errorf("offer file is empty: %w", io.ErrUnexpectedEOF)
			}
			return header, fmt.Errorf("offer file is truncated: no header row after %d metadata rows: %w", i, io.ErrUnexpectedEOF)
		}
		if err != nil {
			return header, csvError(err, nil)
		}
		if i >= maxPreamble {
			return header, errors.New("not an AWS Savings Plans CSV: no SKU header row in the first rows")
		}
		switch {
		case len(rec) > 0 && rec[0] == "SKU":
			head = append([]string(nil), rec...)
		case len(rec) < 2:
		case rec[0] == "FormatVersion":
			header.FormatVersion = rec[1]
		case rec[0] == "OfferCode":
			header.OfferCode = rec[1]
		case rec[0] == "Version":
			header.Version = rec[1]
		case rec[0] == "Publication Date":
			header.PublicationDate = rec[1]
		}
	}
	if header.Version == "" {
		return header, errors.New("not an AWS Savings Plans CSV: no Version row before the header")
	}
	cols, slotCol, err := spMapColumns(head, p)
	if err != nil {
		return header, err
	}
	if h.Header != nil {
		if err := h.Header(header); err != nil {
			return header, err
		}
	}
	if !p.KeepTerm(TermSavingsPlan) {
		return header, nil
	}
	vals := make([]string, p.Slots())
	var line priceline.Line
	var bad badValues
	for {
		rec, err := src.read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return header, csvError(err, src.tail)
		}
		if len(rec) != len(head) {
			row, _ := src.cr.FieldPos(0)
			return header, fmt.Errorf("offer file is malformed or truncated: line %d has %d fields, the header has %d", row, len(rec), len(head))
		}
		for slot, col := range slotCol {
			if col >= 0 {
				vals[slot] = rec[col]
			} else {
				vals[slot] = ""
			}
		}
		lease := leaseLength(field(rec, cols.lease), field(rec, cols.leaseUnit))
		vals[p.leaseSlot] = lease
		if !p.Keep(vals) {
			continue
		}
		p.Kept()
		attrs := p.Attributes(vals)
		for i := range attrs {
			attrs[i] = strings.Clone(attrs[i])
		}
		line = priceline.Line{
			SKU:                 field(rec, cols.sku),
			RateCode:            field(rec, cols.rateCode),
			TermType:            TermSavingsPlan,
			Description:         field(rec, cols.description),
			EffectiveDate:       dateOnly(field(rec, cols.effectiveDate)),
			Unit:                field(rec, cols.unit),
			Price:               field(rec, cols.price),
			Currency:            field(rec, cols.currency),
			LeaseContractLength: lease,
			PurchaseOption:      strings.Clone(vals[p.purchaseSlot]),
			Attributes:          attrs,
		}
		bad.check(&line)
		if err := h.Line(&line); err != nil {
			return header, err
		}
	}
	if src.tail.n > 0 && src.tail.last != '\n' {
		return header, errors.New("offer file is truncated: it ends in the middle of a row")
	}
	if err := bad.err(); err != nil {
		return header, fmt.Errorf("offer file is corrupt: %w", err)
	}
	return header, p.Explain()
}

func spMapColumns(head []string, p spPlan) (spColumns, []int, error) {
	col := columnIndex(head)
	cols := spColumns{
		sku: col("SKU"), rateCode: col("RateCode"), unit: col("Unit"), effectiveDate: col("EffectiveDate"),
		price: col("DiscountedRate"), currency: col("Currency"), lease: col("LeaseContractLength"),
		leaseUnit: col("LeaseContractLengthUnit"), description: col("Description"),
	}
	for name, c := range map[string]int{"RateCode": cols.rateCode, "DiscountedRate": cols.price} {
		if c < 0 {
			return cols, nil, fmt.Errorf("not an AWS Savings Plans CSV: the header has no %s column", name)
		}
	}
	slotCol := p.ColumnsOf(head, awsnames.SavingsPlanJSONKey)
	slotCol[p.leaseSlot] = -1 // filled with the "3yr" spelling
	return cols, slotCol, nil
}
