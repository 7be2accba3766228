// Package snapshot owns the files pricechecker keeps in the repository: one
// diff-friendly CSV per offer and region (<out>/<offer>/<region>.csv) and a
// manifest per offer. It encodes them deterministically (sorted by rate
// code, fixed formatting), writes them atomically, loads them back, and
// compares two snapshots into a change report.
package snapshot

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pricechecker/pricechecker/internal/priceline"
)

// Fixed columns, in file order; the configured attributes follow them.
const (
	ColRateCode = iota
	ColSKU
	ColTermType
	ColUnit
	ColPrice
	ColCurrency
	ColLeaseContractLength
	ColPurchaseOption
	ColOfferingClass
	ColBeginRange
	ColEndRange
	ColEffectiveDate
	ColDescription
	numFixed
)

// FixedColumns are the header titles of the fixed columns.
var FixedColumns = [numFixed]string{
	"rate_code", "sku", "term_type", "unit", "price", "currency",
	"lease_contract_length", "purchase_option", "offering_class",
	"begin_range", "end_range", "effective_date", "description",
}

// GitHub rejects files over 100 MB and warns over 50 MB.
const (
	MaxFileBytes  = 100 << 20
	WarnFileBytes = 50 << 20
)

// Megabytes says a snapshot's size the way the limits above are written.
func Megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// Snapshot is the price lines of one offer and region.
type Snapshot struct {
	// Attributes are the attribute column titles after the fixed columns.
	Attributes []string
	// Rows are aligned with Header(); sorted by rate code once Sort ran.
	Rows [][]string
}

// Header returns the CSV header row.
func (s *Snapshot) Header() []string {
	return append(slices.Clone(FixedColumns[:]), s.Attributes...)
}

// Add appends a decoded price line.
func (s *Snapshot) Add(l *priceline.Line) {
	row := make([]string, numFixed+len(l.Attributes))
	row[ColRateCode] = l.RateCode
	row[ColSKU] = l.SKU
	row[ColTermType] = l.TermType
	row[ColUnit] = l.Unit
	row[ColPrice] = l.Price
	row[ColCurrency] = l.Currency
	row[ColLeaseContractLength] = l.LeaseContractLength
	row[ColPurchaseOption] = l.PurchaseOption
	row[ColOfferingClass] = l.OfferingClass
	row[ColBeginRange] = l.BeginRange
	row[ColEndRange] = l.EndRange
	row[ColEffectiveDate] = l.EffectiveDate
	row[ColDescription] = l.Description
	copy(row[numFixed:], l.Attributes)
	s.Rows = append(s.Rows, row)
}

// Sort orders rows by rate code, the unique key of a price line, and
// reports a duplicate rate code (a file that lists one line twice would make
// the snapshot ambiguous).
func (s *Snapshot) Sort() error {
	slices.SortFunc(s.Rows, func(a, b []string) int { return cmp.Compare(a[ColRateCode], b[ColRateCode]) })
	for i := 1; i < len(s.Rows); i++ {
		if s.Rows[i][ColRateCode] == s.Rows[i-1][ColRateCode] {
			return fmt.Errorf("rate code %s appears twice in the offer file", s.Rows[i][ColRateCode])
		}
	}
	return nil
}

// Encode writes the snapshot as CSV. The output depends only on the rows, so
// the same prices always give the same bytes.
func (s *Snapshot) Encode(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write(s.Header()); err != nil {
		return err
	}
	for _, row := range s.Rows {
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// EncodedSize returns the size Encode would write, without keeping it.
func (s *Snapshot) EncodedSize() (int64, error) {
	var n countWriter
	err := s.Encode(&n)
	return int64(n), err
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// Load reads a snapshot file. A missing file is reported with
// os.ErrNotExist so that callers can treat it as "no previous snapshot".
func Load(path string) (*Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("read snapshot %s: %w", path, err)
	}
	return s, nil
}

// Parse decodes a snapshot from its CSV bytes; empty bytes are an empty
// snapshot.
func Parse(data []byte) (*Snapshot, error) {
	r, err := NewReader(bytes.NewReader(data))
	if errors.Is(err, io.EOF) {
		return &Snapshot{}, nil
	}
	if err != nil {
		return nil, err
	}
	s := &Snapshot{Attributes: r.Header()[numFixed:]}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		if err != nil {
			return nil, err
		}
		s.Rows = append(s.Rows, row)
	}
}

// Path returns where the snapshot of an offer and region lives under out.
func Path(out, offerCode, region string) string {
	return filepath.Join(out, fileName(offerCode), fileName(region)+".csv")
}

// fileName keeps a path under out whatever name it is given. The names
// come from AWS's indexes and the config, which are checked long before
// (bulk, config); this is the second line of defence: a name that is
// not one plain path element ("..", a separator, a leading dot that would
// pass for a temporary file) becomes a fixed, visibly invalid one instead
// of reaching outside out.
func fileName(name string) string {
	if name != "" && name[0] != '.' && filepath.IsLocal(name) && !strings.ContainsAny(name, `/\:`+"\x00") {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return "invalid-name-" + hex.EncodeToString(sum[:6])
}
