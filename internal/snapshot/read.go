package snapshot

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"

	"github.com/pricechecker/pricechecker/internal/report"
)

// errNotSnapshot is returned for a CSV whose header is not a snapshot's.
var errNotSnapshot = errors.New("not a pricechecker snapshot: unexpected header")

// checkHeader reports whether head starts with the fixed columns.
func checkHeader(head []string) error {
	if len(head) < numFixed || !slices.Equal(head[:numFixed], FixedColumns[:]) {
		return errNotSnapshot
	}
	return nil
}

// Reader reads a snapshot CSV one row at a time, for readers that do not
// need the whole file in memory at once.
type Reader struct {
	cr     *csv.Reader
	header []string
}

// NewReader reads and checks the header row. An empty input returns io.EOF,
// which callers treat as they see fit (Parse: an empty snapshot).
func NewReader(r io.Reader) (*Reader, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, err
	}
	if err := checkHeader(head); err != nil {
		return nil, err
	}
	return &Reader{cr: cr, header: head}, nil
}

// Header returns the header row: the fixed columns, then the attributes.
func (r *Reader) Header() []string { return r.header }

// Read returns the next row, or io.EOF after the last. A row whose width
// differs from the header's is an error.
func (r *Reader) Read() ([]string, error) { return r.cr.Read() }

// Scanner finds rows in a snapshot held in memory without decoding every
// one: it splits the CSV into records on line ends (minding quoted
// newlines), hands out each record's bytes so that the caller can reject
// most with a byte comparison, and decodes only the records asked for.
type Scanner struct {
	header []string
	rest   []byte
	rec    []byte
}

// NewScanner reads and checks the header of data. Empty data is a snapshot
// with no header and no rows.
func NewScanner(data []byte) (*Scanner, error) {
	rec, rest := nextRecord(data)
	s := &Scanner{rest: rest}
	if len(rec) == 0 {
		return s, nil
	}
	header, err := parseRecord(rec)
	if err != nil {
		return nil, err
	}
	if err := checkHeader(header); err != nil {
		return nil, err
	}
	s.header = header
	return s, nil
}

// Header returns the header row; nil for empty data.
func (s *Scanner) Header() []string { return s.header }

// Column returns the index of the column titled name, or -1.
func (s *Scanner) Column(name string) int { return slices.Index(s.header, name) }

// Next moves to the next record and reports whether there is one.
func (s *Scanner) Next() bool {
	if len(s.rest) == 0 {
		return false
	}
	s.rec, s.rest = nextRecord(s.rest)
	return true
}

// Raw returns the current record as CSV bytes, line end included. Its
// first field is the rate code.
func (s *Scanner) Raw() []byte { return s.rec }

// Row decodes the current record.
func (s *Scanner) Row() ([]string, error) { return parseRecord(s.rec) }

// Line returns a row of this snapshot as a report line.
func (s *Scanner) Line(row []string) report.Line {
	var attrs []string
	if len(s.header) > numFixed {
		attrs = s.header[numFixed:]
	}
	return lineOf(attrs, row)
}

// nextRecord splits off the first CSV record (with its line end). A line
// with an odd number of quotes opens or closes a quoted field, so the
// record goes on until the quotes balance.
func nextRecord(data []byte) (rec, rest []byte) {
	open := false
	i := 0
	for i < len(data) {
		nl := bytes.IndexByte(data[i:], '\n')
		end := len(data)
		if nl >= 0 {
			end = i + nl + 1
		}
		if bytes.Count(data[i:end], []byte{'"'})%2 == 1 {
			open = !open
		}
		i = end
		if !open {
			break
		}
	}
	return data[:i], data[i:]
}

func parseRecord(rec []byte) ([]string, error) {
	row, err := csv.NewReader(bytes.NewReader(rec)).Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	return row, err
}

// lineOf returns a row as a report line, its attributes keyed by the titles
// in attrs (the columns after the fixed ones); nil attributes when there
// are none.
func lineOf(attrs, row []string) report.Line {
	l := report.Line{
		RateCode: row[ColRateCode], SKU: row[ColSKU], TermType: row[ColTermType],
		Unit: row[ColUnit], Price: row[ColPrice], Currency: row[ColCurrency],
		LeaseContractLength: row[ColLeaseContractLength], PurchaseOption: row[ColPurchaseOption],
		OfferingClass: row[ColOfferingClass], Description: row[ColDescription],
		Attributes: attributesOf(attrs, row),
	}
	return l
}

// attributesOf maps the attribute titles to the row's values; nil when there
// are no attributes.
func attributesOf(attrs, row []string) map[string]string {
	if len(attrs) == 0 {
		return nil
	}
	m := make(map[string]string, len(attrs))
	for i, name := range attrs {
		if numFixed+i < len(row) {
			m[name] = row[numFixed+i]
		}
	}
	return m
}
