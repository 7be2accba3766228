package offergen

import (
	"bufio"
	"slices"
)

// The fixed parts of the JSON layout between the per-product blocks.
const (
	jsonMiddle       = "\n  },\n  \"terms\" : {\n    \"OnDemand\" : {"
	jsonReservedOpen = "\n    },\n    \"Reserved\" : {"
	jsonEnd          = "\n    }\n  }\n}"
)

// jsonWriter renders the AWS pretty-printed layout: two-space indentation,
// `"key" : value`, empty objects and arrays as `{ }` and `[ ]`, no newline
// at the end of the file.
type jsonWriter struct {
	currency string // the pricePerUnit key
	scratch  []byte
	dims     []*dim
}

func writeJSON(w *bufio.Writer, o Options) error {
	b := newBuilder(o)
	j := jsonWriter{currency: b.currency}
	ew := &errWriter{w: w}
	ew.write(j.header(j.scratch[:0], o))
	for i := range o.Products {
		buf := j.scratch[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '\n')
		j.scratch = j.product(buf, b.build(i))
		ew.write(j.scratch)
	}
	ew.write([]byte(jsonMiddle))
	for i := range o.Products {
		p := b.build(i)
		buf := j.scratch[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '\n')
		j.scratch = j.terms(buf, p.sku, p.onDemand)
		ew.write(j.scratch)
	}
	any := false
	ew.write([]byte(jsonReservedOpen))
	for i := range o.Products {
		p := b.build(i)
		if len(p.reserved) == 0 {
			continue
		}
		buf := j.scratch[:0]
		if any {
			buf = append(buf, ',')
		}
		any = true
		buf = append(buf, '\n')
		j.scratch = j.terms(buf, p.sku, p.reserved...)
		ew.write(j.scratch)
	}
	if !any {
		// `"Reserved" : { }`, as AWS writes an empty object.
		ew.write([]byte(" }\n  }\n}"))
	} else {
		ew.write([]byte(jsonEnd))
	}
	return ew.err
}

func (j *jsonWriter) header(buf []byte, o Options) []byte {
	buf = append(buf, "{\n"...)
	buf = field(buf, 2, "formatVersion", formatVersion, true)
	buf = field(buf, 2, "disclaimer", disclaimer, true)
	buf = field(buf, 2, "offerCode", o.OfferCode, true)
	buf = field(buf, 2, "version", o.Version, true)
	buf = field(buf, 2, "publicationDate", o.PublicationDate, true)
	buf = append(buf, `  "products" : {`...)
	return buf
}

// product renders one entry of "products", without separators.
func (j *jsonWriter) product(buf []byte, p *product) []byte {
	buf = key(buf, 4, p.sku)
	buf = append(buf, "{\n"...)
	buf = field(buf, 6, "sku", p.sku, true)
	if p.family != "" {
		buf = field(buf, 6, "productFamily", p.family, true)
	}
	buf = key(buf, 6, "attributes")
	if len(p.attrs) == 0 {
		buf = append(buf, "{ }\n"...)
	} else {
		buf = append(buf, "{\n"...)
		for k, a := range p.attrs {
			buf = field(buf, 8, a.key, a.val, k < len(p.attrs)-1)
		}
		buf = append(buf, "      }\n"...)
	}
	return append(buf, "    }"...)
}

// terms renders one SKU's entry of "OnDemand" or "Reserved", without
// separators.
func (j *jsonWriter) terms(buf []byte, sku string, terms ...term) []byte {
	buf = key(buf, 6, sku)
	buf = append(buf, "{\n"...)
	for k := range terms {
		t := &terms[k]
		buf = indent(buf, 8)
		buf = append(buf, '"')
		buf = append(buf, sku...)
		buf = append(buf, '.')
		buf = append(buf, t.code...)
		buf = append(buf, "\" : {\n"...)
		buf = field(buf, 10, "offerTermCode", t.code, true)
		buf = field(buf, 10, "sku", sku, true)
		buf = field(buf, 10, "effectiveDate", t.effective, true)
		buf = key(buf, 10, "priceDimensions")
		buf = append(buf, "{\n"...)
		// AWS's dimensions come out ordered by rate code: the upfront fee
		// (…2TG2D8R56U) before the hourly rate (…6YS6EN2CT7).
		j.dims = j.dims[:0]
		for d := range t.dims {
			j.dims = append(j.dims, &t.dims[d])
		}
		slices.SortFunc(j.dims, func(a, b *dim) int {
			switch {
			case a.rate < b.rate:
				return -1
			case a.rate > b.rate:
				return 1
			}
			return 0
		})
		for n, d := range j.dims {
			buf = key(buf, 12, d.rate)
			buf = append(buf, "{\n"...)
			buf = field(buf, 14, "rateCode", d.rate, true)
			buf = field(buf, 14, "description", d.desc, true)
			if d.begin != "" || d.end != "" {
				buf = field(buf, 14, "beginRange", d.begin, true)
				buf = field(buf, 14, "endRange", d.end, true)
			}
			buf = field(buf, 14, "unit", d.unit, true)
			buf = key(buf, 14, "pricePerUnit")
			buf = append(buf, "{\n"...)
			buf = field(buf, 16, j.currency, d.price, false)
			buf = append(buf, "              },\n"...)
			buf = append(buf, "              \"appliesTo\" : [ ]\n"...)
			buf = append(buf, "            }"...)
			if n < len(j.dims)-1 {
				buf = append(buf, ',')
			}
			buf = append(buf, '\n')
		}
		buf = append(buf, "          },\n"...)
		buf = key(buf, 10, "termAttributes")
		if t.lease == "" {
			buf = append(buf, "{ }\n"...)
		} else {
			buf = append(buf, "{\n"...)
			buf = field(buf, 12, "LeaseContractLength", t.lease, true)
			buf = field(buf, 12, "OfferingClass", t.class, true)
			buf = field(buf, 12, "PurchaseOption", t.purchase, false)
			buf = append(buf, "          }\n"...)
		}
		buf = append(buf, "        }"...)
		if k < len(terms)-1 {
			buf = append(buf, ',')
		}
		buf = append(buf, '\n')
	}
	return append(buf, "      }"...)
}

func indent(buf []byte, n int) []byte {
	for range n {
		buf = append(buf, ' ')
	}
	return buf
}

// key appends `<indent>"k" : `.
func key(buf []byte, n int, k string) []byte {
	buf = indent(buf, n)
	buf = appendString(buf, k)
	return append(buf, " : "...)
}

// field appends `<indent>"k" : "v"` with a comma when more follow.
func field(buf []byte, n int, k, v string, more bool) []byte {
	buf = key(buf, n, k)
	buf = appendString(buf, v)
	if more {
		buf = append(buf, ',')
	}
	return append(buf, '\n')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\t':
			buf = append(buf, '\\', 't')
		default:
			buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		start = i + 1
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
