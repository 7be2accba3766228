package offerfile

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pricechecker/pricechecker/internal/awsnames"
	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
)

// maxPreamble bounds the metadata rows before the header; real files have
// five.
const maxPreamble = 20

// csvColumns are the fixed columns of a service CSV, by header title.
type csvColumns struct {
	sku, offerTermCode, rateCode, termType, description, effectiveDate,
	beginRange, endRange, unit, price, currency, lease, purchase, class int
	width int // the header's columns: every row has as many
}

// DecodeCSV reads a CSV offer file: a few "Name","Value" metadata rows, the
// header row, then one row per price dimension with the product's
// attributes repeated on every row.
func DecodeCSV(r io.Reader, sel selection.Selection, h Handler) (Header, error) {
	src := newCSVSource(r, false)
	p := selection.Compile(sel)
	header, cols, slotCol, err := readCSVHead(src, p)
	if err != nil {
		return header, err
	}
	if h.Header != nil {
		if err := h.Header(header); err != nil {
			return header, err
		}
	}
	vals := make([]string, p.Slots())
	width := cols.width
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
		if len(rec) != width {
			row, _ := src.cr.FieldPos(0)
			return header, fmt.Errorf("offer file is malformed or truncated: line %d has %d fields, the header has %d", row, len(rec), width)
		}
		if !p.KeepTerm(rec[cols.termType]) {
			p.NoteTerm(rec[cols.termType])
			continue
		}
		for slot, col := range slotCol {
			if col >= 0 {
				vals[slot] = rec[col]
			} else {
				vals[slot] = ""
			}
		}
		if !p.Keep(vals) {
			continue
		}
		// encoding/csv slices every field of a row out of one string; clone
		// what is kept so that a kept line does not pin the whole row.
		attrs := p.Attributes(vals)
		for i := range attrs {
			attrs[i] = strings.Clone(attrs[i])
		}
		line = priceline.Line{
			SKU:                 strings.Clone(rec[cols.sku]),
			OfferTermCode:       strings.Clone(rec[cols.offerTermCode]),
			RateCode:            strings.Clone(rec[cols.rateCode]),
			TermType:            strings.Clone(rec[cols.termType]),
			Description:         field(rec, cols.description),
			EffectiveDate:       dateOnly(field(rec, cols.effectiveDate)),
			BeginRange:          field(rec, cols.beginRange),
			EndRange:            field(rec, cols.endRange),
			Unit:                field(rec, cols.unit),
			Price:               field(rec, cols.price),
			Currency:            field(rec, cols.currency),
			LeaseContractLength: field(rec, cols.lease),
			PurchaseOption:      field(rec, cols.purchase),
			OfferingClass:       field(rec, cols.class),
			Attributes:          attrs,
		}
		p.Kept()
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

// csvSource reads the records of a CSV file through caps on their length
// and width, and remembers what tells a truncated file apart.
type csvSource struct {
	cr   *csv.Reader
	lim  *boundedReader
	tail *lastByte
	line int // the line the last record read ends on
}

func newCSVSource(r io.Reader, lazyQuotes bool) *csvSource {
	tail := &lastByte{r: r}
	lim := &boundedReader{r: tail, limit: maxCSVRecord}
	cr := csv.NewReader(bufio.NewReaderSize(lim, 1<<20))
	cr.FieldsPerRecord = -1 // the preamble rows are shorter than the header
	cr.ReuseRecord = true
	cr.LazyQuotes = lazyQuotes
	return &csvSource{cr: cr, lim: lim, tail: tail}
}

// read returns the next record, or io.EOF after the last.
func (s *csvSource) read() ([]string, error) {
	rec, err := s.cr.Read()
	if err != nil {
		var long *pieceTooLongError
		if errors.As(s.lim.err, &long) {
			// encoding/csv may report the read error in its own words;
			// the cap is what happened.
			return nil, fmt.Errorf("offer file is not AWS CSV: at line %d (byte %d), a record is longer than %s (AWS's longest is under 2 KB)", s.line+1, long.offset, sizeName(long.limit))
		}
		return nil, err
	}
	// Everything past here belongs to the next record: the cap counts
	// from here.
	s.lim.mark = s.cr.InputOffset()
	s.line, _ = s.cr.FieldPos(len(rec) - 1) // a record has at least one field
	if len(rec) > maxCSVFields {
		first, _ := s.cr.FieldPos(0)
		return nil, fmt.Errorf("offer file is not AWS CSV: line %d has %d fields, more than %d (AWS's widest files have about a hundred columns)", first, len(rec), maxCSVFields)
	}
	return rec, nil
}

// readCSVHead reads the metadata rows and the header row, and maps every
// column the selection needs.
func readCSVHead(src *csvSource, p *selection.Matcher) (Header, csvColumns, []int, error) {
	var h Header
	for i := 0; ; i++ {
		rec, err := src.read()
		if errors.Is(err, io.EOF) {
			if i == 0 {
				return h, csvColumns{}, nil, fmt.Errorf("offer file is empty: %w", io.ErrUnexpectedEOF)
			}
			if h.Version == "" {
				return h, csvColumns{}, nil, errors.New("not an AWS offer CSV: no Version row and no SKU header row")
			}
			return h, csvColumns{}, nil, fmt.Errorf("offer file is truncated: no header row after %d metadata rows: %w", i, io.ErrUnexpectedEOF)
		}
		if err != nil {
			return h, csvColumns{}, nil, csvError(err, nil)
		}
		if i >= maxPreamble {
			return h, csvColumns{}, nil, errors.New("not an AWS offer CSV: no SKU header row in the first rows")
		}
		if len(rec) > 0 && rec[0] == "SKU" {
			cols, slotCol, err := mapColumns(rec, p)
			if h.Version == "" && err == nil {
				err = errors.New("not an AWS offer CSV: no Version row before the header")
			}
			return h, cols, slotCol, err
		}
		if len(rec) < 2 {
			continue
		}
		switch rec[0] {
		case "FormatVersion":
			h.FormatVersion = rec[1]
		case "OfferCode":
			h.OfferCode = rec[1]
		case "Version":
			h.Version = rec[1]
		case "Publication Date":
			h.PublicationDate = rec[1]
		}
	}
}

func mapColumns(head []string, p *selection.Matcher) (csvColumns, []int, error) {
	col := columnIndex(head)
	cols := csvColumns{
		sku: col("SKU"), offerTermCode: col("OfferTermCode"), rateCode: col("RateCode"),
		termType: col("TermType"), description: col("PriceDescription"), effectiveDate: col("EffectiveDate"),
		beginRange: col("StartingRange"), endRange: col("EndingRange"), unit: col("Unit"),
		price: col("PricePerUnit"), currency: col("Currency"), lease: col("LeaseContractLength"),
		purchase: col("PurchaseOption"), class: col("OfferingClass"),
		width: len(head),
	}
	for name, c := range map[string]int{"OfferTermCode": cols.offerTermCode, "RateCode": cols.rateCode, "TermType": cols.termType, "PricePerUnit": cols.price} {
		if c < 0 {
			return cols, nil, fmt.Errorf("not an AWS offer CSV: the header has no %s column", name)
		}
	}
	return cols, p.ColumnsOf(head, awsnames.JSONKey), nil
}

// columnIndex returns a lookup of a header's columns by exact title (-1
// when absent); the first of duplicate titles wins.
func columnIndex(head []string) func(title string) int {
	index := map[string]int{}
	for i, name := range head {
		if _, dup := index[name]; !dup {
			index[name] = i
		}
	}
	return func(title string) int {
		if i, ok := index[title]; ok {
			return i
		}
		return -1
	}
}

func field(rec []string, i int) string {
	if i < 0 {
		return ""
	}
	return strings.Clone(rec[i])
}

// csvError labels a parse error. At the very end of the input a broken
// quote is what a cut-off download looks like, so say so.
func csvError(err error, tail *lastByte) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	if tail != nil && tail.eof {
		return fmt.Errorf("offer file is truncated or malformed at its end: %w", err)
	}
	return fmt.Errorf("offer file is malformed CSV: %w", err)
}

// lastByte remembers the last byte read, to tell a file that ends with its
// final newline from one cut off mid-row (encoding/csv accepts both).
type lastByte struct {
	r    io.Reader
	last byte
	n    int64
	eof  bool
}

func (l *lastByte) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if n > 0 {
		l.last = p[n-1]
		l.n += int64(n)
	}
	if err == io.EOF {
		l.eof = true
	}
	return n, err
}
