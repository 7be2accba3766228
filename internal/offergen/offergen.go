// Package offergen writes synthetic AWS Price List offer files of the size
// and shape of a real regional EC2 offer, and the Bulk API mirror layout
// around them, so that the streaming decoders can be measured and tested on
// realistic data without downloading half a gigabyte.
//
// The output is deterministic: the same Options give the same bytes. The
// JSON and CSV renderings of one Options carry exactly the same products,
// terms, rate codes and prices, laid out the way AWS lays them out: JSON
// pretty-printed with two-space indentation and `"key" : value`, products
// before terms, upfront fees without range keys; CSV with the five-row
// preamble, the real EC2 header, every non-empty field quoted.
//
// Each product is rebuilt from (seed, index) whenever it is needed, so
// nothing holds the offer in memory; output goes through a bufio.Writer.
//
// The package also owns the two baseline readers the performance goals are
// measured against (WalkJSON, WalkCSV): a bare pass of a fast JSON
// tokenizer and of encoding/csv over a file.
package offergen

import (
	"bufio"
	"fmt"
	"io"
	"time"
)

// Defaults for Options fields left empty.
const (
	DefaultOfferCode       = "AmazonEC2"
	DefaultRegion          = "us-east-1"
	DefaultPublicationDate = "2025-09-12T22:53:08Z"
	// DefaultTargetBytes is the JSON size of AmazonEC2's us-east-1 offer
	// (about 482 MB in 2025); the CSV of the same products is about 300 MB.
	DefaultTargetBytes = 480_000_000
)

const (
	formatVersion = "v1.0"
	disclaimer    = "This pricing list is for informational purposes only. All prices are subject to the additional terms included in the pricing pages on http://aws.amazon.com. All Free Tier prices are also subject to the terms included at https://aws.amazon.com/free/"
	versionLayout = "20060102150405"
)

// Options says what offer file to write.
type Options struct {
	// OfferCode is the service code (the file's offerCode and the products'
	// servicecode). Default AmazonEC2.
	OfferCode string
	// Region is the region code of a regional offer file. Default us-east-1.
	// Any code is accepted; unknown ones get a location named after the code.
	Region string
	// Version is the 14-digit offer version ("20250912225308"). Default: made
	// from PublicationDate.
	Version string
	// PublicationDate is RFC 3339 UTC ("2025-09-12T22:53:08Z"). Default: made
	// from Version, or DefaultPublicationDate when both are empty.
	PublicationDate string
	// Products is the number of products. When zero, the count is the
	// smallest whose JSON rendering reaches TargetBytes.
	Products int
	// TargetBytes is the size of the JSON rendering to aim for; the CSV of
	// the same products is about 0.63 of it. It sizes both formats so that
	// they carry the same products. Default DefaultTargetBytes.
	TargetBytes int64
	// Seed selects the data; the same seed gives the same bytes.
	Seed uint64
}

// Resolve fills in defaults, validates, and fixes Products, so that
// several renderings of the result need not size the offer again.
func (o Options) Resolve() (Options, error) {
	if o.OfferCode == "" {
		o.OfferCode = DefaultOfferCode
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	switch {
	case o.Version == "" && o.PublicationDate == "":
		o.PublicationDate = DefaultPublicationDate
		fallthrough
	case o.Version == "":
		t, err := time.Parse(time.RFC3339, o.PublicationDate)
		if err != nil {
			return o, fmt.Errorf("publication date %q: want RFC 3339 such as %s", o.PublicationDate, DefaultPublicationDate)
		}
		o.Version = t.UTC().Format(versionLayout)
	case o.PublicationDate == "":
		t, err := time.Parse(versionLayout, o.Version)
		if err != nil {
			return o, fmt.Errorf("version %q: want 14 digits such as 20250912225308", o.Version)
		}
		o.PublicationDate = t.Format(time.RFC3339)
	}
	if _, err := time.Parse(versionLayout, o.Version); err != nil || len(o.Version) != 14 {
		return o, fmt.Errorf("version %q: want 14 digits such as 20250912225308", o.Version)
	}
	t, err := time.Parse(time.RFC3339, o.PublicationDate)
	if err != nil {
		return o, fmt.Errorf("publication date %q: want RFC 3339 such as %s", o.PublicationDate, DefaultPublicationDate)
	}
	o.PublicationDate = t.UTC().Format(time.RFC3339)
	switch {
	case o.Products < 0:
		return o, fmt.Errorf("products %d: want a positive count", o.Products)
	case o.TargetBytes < 0:
		return o, fmt.Errorf("target size %d: want a positive size", o.TargetBytes)
	case o.Products == 0:
		if o.TargetBytes == 0 {
			o.TargetBytes = DefaultTargetBytes
		}
		o.Products = productsFor(o)
	}
	return o, nil
}

// productsFor renders the JSON product by product, without writing it, and
// returns the smallest count that reaches o.TargetBytes (at least one).
func productsFor(o Options) int {
	b := newBuilder(o)
	j := jsonWriter{currency: b.currency}
	size := int64(len(j.header(nil, o))) + int64(len(jsonMiddle)) + int64(len(jsonReservedOpen)) + int64(len(jsonEnd))
	n := 0
	for size < o.TargetBytes || n == 0 {
		p := b.build(n)
		// Each block is preceded by ",\n" (or "\n" for the first).
		j.scratch = j.product(j.scratch[:0], p)
		size += int64(len(j.scratch)) + 2
		j.scratch = j.terms(j.scratch[:0], p.sku, p.onDemand)
		size += int64(len(j.scratch)) + 2
		if len(p.reserved) > 0 {
			j.scratch = j.terms(j.scratch[:0], p.sku, p.reserved...)
			size += int64(len(j.scratch)) + 2
		}
		n++
	}
	return n
}

// Generate writes one offer file, "json" or "csv", to w.
func Generate(w io.Writer, format string, opts Options) error {
	o, err := opts.Resolve()
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	switch format {
	case "json":
		err = writeJSON(bw, o)
	case "csv":
		err = writeCSV(bw, o)
	default:
		return fmt.Errorf("format %q: want json or csv", format)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// errWriter remembers the first write error so the renderers can write
// without checking every call.
type errWriter struct {
	w   *bufio.Writer
	err error
}

func (e *errWriter) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}
