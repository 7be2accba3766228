package offergen

import (
	"bytes"
	"strings"
	"testing"
)

func TestWalkJSON(t *testing.T) {
	n, err := WalkJSON(strings.NewReader(`{"a" : [1, "x", {"b" : null}], "c" : true}`))
	// { "a" [ 1 "x" { "b" null } ] "c" true }
	if err != nil || n != 13 {
		t.Errorf("WalkJSON = %d, %v; want 13 tokens", n, err)
	}
	if _, err := WalkJSON(strings.NewReader(`{"a" : }`)); err == nil {
		t.Error("invalid JSON: no error")
	}
	data := generate(t, "json", Options{Products: 100})
	if _, err := WalkJSON(bytes.NewReader(data)); err != nil {
		t.Errorf("generated JSON: %v", err)
	}
}

func TestWalkCSV(t *testing.T) {
	data := generate(t, "csv", Options{Products: 100})
	n, err := WalkCSV(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := int64(bytes.Count(data, []byte("\n")))
	if n != want {
		t.Errorf("WalkCSV = %d records, want %d (5 preamble + header + rows)", n, want)
	}
	if _, err := WalkCSV(strings.NewReader("\"a\n")); err == nil {
		t.Error("invalid CSV: no error")
	}
}
