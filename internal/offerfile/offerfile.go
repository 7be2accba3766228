// Package offerfile decodes AWS Price List offer files, JSON or CSV, as
// streams. It keeps only the price lines a selection.Selection asks for and hands them
// out one at a time, so that a 480 MB EC2 file is read in constant memory
// (apart from the kept products).
//
// The two formats name the same product attributes differently: the JSON
// key "instanceType" is the CSV column "Instance Type", "preInstalledSw" is
// "Pre Installed S/W". Both are matched through awsnames.NormalizeName, so one
// selection picks the same lines, with the same values, from either format.
// Configurations use the JSON keys, so names are suggested in that spelling
// whichever format was read.
package offerfile

import (
	"fmt"
	"io"

	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
)

// Formats are the offer file formats AWS publishes.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// Header identifies an offer file, as the file itself says.
type Header struct {
	FormatVersion   string
	OfferCode       string
	Version         string
	PublicationDate string
}

// Handler receives what a decoder reads. Header is called once, before the
// first line; an error from either callback stops the decoding and is
// returned.
type Handler struct {
	Header func(Header) error
	Line   func(*priceline.Line) error
}

// Decode reads an offer file in the given format.
func Decode(r io.Reader, format string, sel selection.Selection, h Handler) (Header, error) {
	switch format {
	case FormatJSON:
		return DecodeJSON(r, sel, h)
	case FormatCSV:
		return DecodeCSV(r, sel, h)
	default:
		return Header{}, fmt.Errorf("unknown format %q (want json or csv)", format)
	}
}

// dateOnly reduces "2025-09-12T00:00:00Z" to "2025-09-12", as the CSV has it.
func dateOnly(s string) string {
	if len(s) > 10 && s[4] == '-' && s[7] == '-' && s[10] == 'T' {
		return s[:10]
	}
	return s
}
