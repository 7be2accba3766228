package offergen

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// WalkJSON reads every token of a JSON document with jsontext's Decoder and
// returns how many there were. It is the JSON baseline: the least work any
// streaming reader of an offer file must do.
func WalkJSON(r io.Reader) (int64, error) {
	d := jsontext.NewDecoder(r)
	var n int64
	for {
		_, err := d.ReadToken()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("json token %d: %w", n, err)
		}
		n++
	}
}

// WalkCSV reads every record with encoding/csv (ReuseRecord, any number of
// fields per record, so the preamble rows pass) and returns how many there
// were. It is the CSV baseline.
func WalkCSV(r io.Reader) (int64, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 256<<10))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	var n int64
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("csv record %d: %w", n+1, err)
		}
		n++
	}
}
