package offerfile

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
)

// jsonReader walks an offer file token by token. AWS writes products before
// terms, so by the time terms arrive every kept product is known and every
// other product's terms can be skipped without decoding them.
type jsonReader struct {
	dec   *jsontext.Decoder
	lim   *boundedReader
	match *selection.Matcher
	h     Handler
	bad   badValues

	header     Header
	headerSent bool

	// products holds the attributes of kept products only.
	products map[string][]string
	// slotOf caches the slot of each raw attribute key (-1: not needed), so
	// that a key is normalised once per file, not once per product.
	slotOf    map[string]int
	vals      []string
	buf       []byte
	line      priceline.Line
	sawFamily bool
}

// DecodeJSON reads a JSON offer file.
func DecodeJSON(r io.Reader, sel selection.Selection, h Handler) (Header, error) {
	jr := &jsonReader{
		match:    selection.Compile(sel),
		h:        h,
		products: map[string][]string{},
		slotOf:   map[string]int{},
	}
	jr.dec, jr.lim = newJSONDecoder(r)
	jr.vals = make([]string, jr.match.Slots())
	err := jr.file()
	if err != nil {
		return jr.header, jr.wrap(err)
	}
	return jr.header, nil
}

// newJSONDecoder returns a token decoder that reads r through a cap on
// the length of a token.
func newJSONDecoder(r io.Reader) (*jsontext.Decoder, *boundedReader) {
	lim := &boundedReader{r: r, limit: maxJSONToken}
	// Duplicate-name tracking costs time on every object and AWS files
	// have none; invalid UTF-8 is passed through as published.
	dec := jsontext.NewDecoder(lim, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	// The end of the last token read: what jsontext holds past it is the
	// token it is reading and the whitespace before it.
	lim.progress = dec.InputOffset
	return dec, lim
}

// wrap turns decoder errors into messages that say what is wrong with the
// file: a stream that ended early is a truncated download.
func (jr *jsonReader) wrap(err error) error {
	var se *jsontext.SyntacticError
	var fe formatError
	var long *pieceTooLongError
	switch {
	case errors.As(jr.lim.err, &long):
		// jsontext may report the read error in its own words; the cap is
		// what happened.
		return fmt.Errorf("offer file is not AWS JSON: at byte %d, a string, number or run of whitespace is longer than %s (AWS's longest is a few hundred bytes)", long.offset, sizeName(long.limit))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("offer file is truncated (JSON ends after %d bytes): %w", jr.dec.InputOffset(), err)
	case errors.As(err, &se), errors.As(err, &fe):
		return fmt.Errorf("offer file is malformed JSON: %w", err)
	}
	return err
}

func (jr *jsonReader) file() error {
	if err := jr.expect('{'); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("offer file is empty: %w", io.ErrUnexpectedEOF)
		}
		return err
	}
	for jr.dec.PeekKind() != '}' {
		key, err := jr.str()
		if err != nil {
			return err
		}
		switch key {
		case "formatVersion":
			jr.header.FormatVersion, err = jr.str()
		case "offerCode":
			jr.header.OfferCode, err = jr.str()
		case "version":
			jr.header.Version, err = jr.str()
		case "publicationDate":
			jr.header.PublicationDate, err = jr.str()
		case "products":
			if err = jr.sendHeader(); err == nil {
				err = jr.productsObject()
			}
		case "terms":
			if err = jr.sendHeader(); err == nil {
				err = jr.termsObject()
			}
		default:
			// disclaimer, attributesList and keys AWS may add later.
			err = jr.dec.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	if err := jr.expect('}'); err != nil {
		return err
	}
	if _, err := jr.dec.ReadToken(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = formatError("unexpected data after the end of the offer")
		}
		return err
	}
	if jr.header.Version == "" {
		return errors.New("offer file has no version: not an AWS offer file")
	}
	if err := jr.sendHeader(); err != nil {
		return err
	}
	if err := jr.bad.err(); err != nil {
		return fmt.Errorf("offer file is corrupt: %w", err)
	}
	return jr.match.Explain()
}

func (jr *jsonReader) sendHeader() error {
	if jr.headerSent {
		return nil
	}
	jr.headerSent = true
	if jr.h.Header != nil {
		return jr.h.Header(jr.header)
	}
	return nil
}

func (jr *jsonReader) productsObject() error {
	if err := jr.expect('{'); err != nil {
		return fmt.Errorf("products: %w", err)
	}
	for jr.dec.PeekKind() != '}' {
		sku, err := jr.str()
		if err != nil {
			return err
		}
		if err := jr.product(sku); err != nil {
			return fmt.Errorf("product %s: %w", sku, err)
		}
	}
	return jr.expect('}')
}

func (jr *jsonReader) product(sku string) error {
	clear(jr.vals)
	if err := jr.expect('{'); err != nil {
		return err
	}
	for jr.dec.PeekKind() != '}' {
		key, err := jr.rawStr()
		if err != nil {
			return err
		}
		switch string(key) {
		case "productFamily":
			family, err := jr.str()
			if err != nil {
				return err
			}
			if !jr.sawFamily {
				jr.sawFamily = true
				jr.match.NoteName("productFamily", "productFamily")
			}
			if jr.match.FamilySlot() >= 0 {
				jr.vals[jr.match.FamilySlot()] = family
			}
		case "attributes":
			if err := jr.attributes(); err != nil {
				return err
			}
		default:
			if err := jr.dec.SkipValue(); err != nil {
				return err
			}
		}
	}
	if err := jr.expect('}'); err != nil {
		return err
	}
	if jr.match.Keep(jr.vals) {
		jr.products[sku] = jr.match.Attributes(jr.vals)
	}
	return nil
}

func (jr *jsonReader) attributes() error {
	if err := jr.expect('{'); err != nil {
		return err
	}
	for jr.dec.PeekKind() != '}' {
		key, err := jr.rawStr()
		if err != nil {
			return err
		}
		slot, ok := jr.slotOf[string(key)]
		if !ok {
			slot = -1
			if s, found := jr.match.Lookup(string(key)); found {
				slot = s
			}
			// Past the cap (junk: AWS has about 80 names) a key is
			// looked up each time rather than grow the cache.
			if len(jr.slotOf) < maxAttributeNames {
				jr.slotOf[string(key)] = slot
				jr.match.NoteName(string(key), string(key))
			}
		}
		if slot < 0 {
			if err := jr.dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		if jr.vals[slot], err = jr.str(); err != nil {
			return err
		}
	}
	return jr.expect('}')
}

func (jr *jsonReader) termsObject() error {
	if err := jr.expect('{'); err != nil {
		return fmt.Errorf("terms: %w", err)
	}
	for jr.dec.PeekKind() != '}' {
		termType, err := jr.str()
		if err != nil {
			return err
		}
		jr.match.NoteTerm(termType)
		if !jr.match.KeepTerm(termType) {
			if err := jr.dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		if err := jr.termsOfType(termType); err != nil {
			return fmt.Errorf("terms.%s: %w", termType, err)
		}
	}
	return jr.expect('}')
}

// termsOfType reads {sku: {offerTermCode: term}}.
func (jr *jsonReader) termsOfType(termType string) error {
	if err := jr.expect('{'); err != nil {
		return err
	}
	for jr.dec.PeekKind() != '}' {
		sku, err := jr.rawStr()
		if err != nil {
			return err
		}
		attrs, ok := jr.products[string(sku)]
		if !ok {
			if err := jr.dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		skuStr := string(sku)
		if err := jr.expect('{'); err != nil {
			return err
		}
		for jr.dec.PeekKind() != '}' {
			if err := jr.dec.SkipValue(); err != nil { // the "<sku>.<offerTermCode>" key
				return err
			}
			if err := jr.term(termType, skuStr, attrs); err != nil {
				return fmt.Errorf("%s: %w", skuStr, err)
			}
		}
		if err := jr.expect('}'); err != nil {
			return err
		}
	}
	return jr.expect('}')
}

// dimension is a price dimension waiting for its term's attributes, which
// AWS writes after the dimensions.
type dimension struct {
	rateCode, description, beginRange, endRange, unit, price, currency string
}

func (jr *jsonReader) term(termType, sku string, attrs []string) error {
	var (
		offerTermCode, effectiveDate string
		lease, purchase, class       string
		dims                         []dimension
	)
	if err := jr.expect('{'); err != nil {
		return err
	}
	for jr.dec.PeekKind() != '}' {
		key, err := jr.rawStr()
		if err != nil {
			return err
		}
		switch string(key) {
		case "offerTermCode":
			offerTermCode, err = jr.str()
		case "effectiveDate":
			effectiveDate, err = jr.str()
		case "priceDimensions":
			dims, err = jr.priceDimensions()
		case "termAttributes":
			lease, purchase, class, err = jr.termAttributes()
		default:
			err = jr.dec.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	if err := jr.expect('}'); err != nil {
		return err
	}
	for _, d := range dims {
		jr.line = priceline.Line{
			SKU:                 sku,
			OfferTermCode:       offerTermCode,
			RateCode:            d.rateCode,
			TermType:            termType,
			Description:         d.description,
			EffectiveDate:       dateOnly(effectiveDate),
			BeginRange:          d.beginRange,
			EndRange:            d.endRange,
			Unit:                d.unit,
			Price:               d.price,
			Currency:            d.currency,
			LeaseContractLength: lease,
			PurchaseOption:      purchase,
			OfferingClass:       class,
			Attributes:          attrs,
		}
		jr.match.Kept()
		jr.bad.check(&jr.line)
		if err := jr.h.Line(&jr.line); err != nil {
			return err
		}
	}
	return nil
}

func (jr *jsonReader) priceDimensions() ([]dimension, error) {
	if err := jr.expect('{'); err != nil {
		return nil, err
	}
	var dims []dimension
	for jr.dec.PeekKind() != '}' {
		if err := jr.dec.SkipValue(); err != nil { // key repeats rateCode
			return nil, err
		}
		var d dimension
		if err := jr.expect('{'); err != nil {
			return nil, err
		}
		for jr.dec.PeekKind() != '}' {
			key, err := jr.rawStr()
			if err != nil {
				return nil, err
			}
			switch string(key) {
			case "rateCode":
				d.rateCode, err = jr.str()
			case "description":
				d.description, err = jr.str()
			case "beginRange":
				d.beginRange, err = jr.str()
			case "endRange":
				d.endRange, err = jr.str()
			case "unit":
				d.unit, err = jr.str()
			case "pricePerUnit":
				d.currency, d.price, err = jr.pricePerUnit()
			default:
				err = jr.dec.SkipValue()
			}
			if err != nil {
				return nil, err
			}
		}
		if err := jr.expect('}'); err != nil {
			return nil, err
		}
		if d.rateCode == "" {
			return nil, formatError("price dimension without rateCode")
		}
		if len(dims) == maxDimensions {
			return nil, formatError(fmt.Sprintf("at byte %d: more than %d price dimensions in one term (AWS's most tiered prices have about ten)", jr.dec.InputOffset(), maxDimensions))
		}
		dims = append(dims, d)
	}
	return dims, jr.expect('}')
}

// pricePerUnit reads {"USD": "0.25"}. AWS publishes one currency per
// dimension; should a file ever carry several, the alphabetically first
// currency wins so that the choice is deterministic.
func (jr *jsonReader) pricePerUnit() (currency, price string, err error) {
	if err := jr.expect('{'); err != nil {
		return "", "", err
	}
	for jr.dec.PeekKind() != '}' {
		cur, err := jr.str()
		if err != nil {
			return "", "", err
		}
		p, err := jr.str()
		if err != nil {
			return "", "", err
		}
		if currency == "" || cur < currency {
			currency, price = cur, p
		}
	}
	return currency, price, jr.expect('}')
}

func (jr *jsonReader) termAttributes() (lease, purchase, class string, err error) {
	if err := jr.expect('{'); err != nil {
		return "", "", "", err
	}
	for jr.dec.PeekKind() != '}' {
		key, err := jr.rawStr()
		if err != nil {
			return "", "", "", err
		}
		switch string(key) {
		case "LeaseContractLength":
			lease, err = jr.str()
		case "PurchaseOption":
			purchase, err = jr.str()
		case "OfferingClass":
			class, err = jr.str()
		default:
			err = jr.dec.SkipValue()
		}
		if err != nil {
			return "", "", "", err
		}
	}
	return lease, purchase, class, jr.expect('}')
}

// expect reads a '{' or '}' (or '[' / ']') delimiter.
func (jr *jsonReader) expect(kind jsontext.Kind) error {
	tok, err := jr.dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != kind {
		return formatError(fmt.Sprintf("at byte %d: expected %v, found %v", jr.dec.InputOffset(), kind, tok.Kind()))
	}
	return nil
}

// formatError is a file that is valid JSON but not shaped like an offer.
type formatError string

func (e formatError) Error() string { return string(e) }

// rawStr returns the next string (name or value) without copying when it
// needs no unescaping. The bytes are valid until the next read.
func (jr *jsonReader) rawStr() ([]byte, error) {
	v, err := jr.dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if v.Kind() != '"' {
		return nil, formatError(fmt.Sprintf("at byte %d: expected a string, found %s", jr.dec.InputOffset(), v.Kind()))
	}
	inner := v[1 : len(v)-1]
	if !slices.Contains(inner, '\\') {
		return inner, nil
	}
	jr.buf, err = jsontext.AppendUnquote(jr.buf[:0], v)
	return jr.buf, err
}

// str returns the next value as a string. AWS quotes every value; a bare
// number, true/false or null is taken as its literal text (null as "") so
// that a file that starts publishing numbers does not lose lines.
func (jr *jsonReader) str() (string, error) {
	v, err := jr.dec.ReadValue()
	if err != nil {
		return "", err
	}
	switch v.Kind() {
	case '"':
		inner := v[1 : len(v)-1]
		if !slices.Contains(inner, '\\') {
			return string(inner), nil
		}
		jr.buf, err = jsontext.AppendUnquote(jr.buf[:0], v)
		return string(jr.buf), err
	case '0', 't', 'f':
		return string(v), nil
	case 'n':
		return "", nil
	default:
		return "", formatError(fmt.Sprintf("at byte %d: expected a string, found %v", jr.dec.InputOffset(), v.Kind()))
	}
}
