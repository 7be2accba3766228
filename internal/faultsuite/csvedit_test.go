package faultsuite

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// editCSV returns a mirror CSV with column col of the first data row set
// to value (the header is the row that starts with "SKU").
func editCSV(t *testing.T, p, col, value string) []byte {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(readMirror(t, p)))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	at, header := -1, -1
	for i, row := range rows {
		if len(row) > 0 && row[0] == "SKU" {
			header = i
			for j, name := range row {
				if name == col {
					at = j
				}
			}
			break
		}
	}
	if at < 0 {
		t.Fatalf("%s has no column %q", p, col)
	}
	rows[header+1][at] = value
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
