package snapshot

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// Every reader of a snapshot goes through Reader or Scanner: both must
// refuse what is not a snapshot and tell an empty file apart.
func TestReaderAndScannerCheckTheFormat(t *testing.T) {
	head := strings.Join(FixedColumns[:], ",") + ",instanceType\n"
	row := "A.B.C,A,OnDemand,Hrs,0.1,USD,,,,0,Inf,2025-01-01,\"two\nlines\",m5.large\n"

	if _, err := NewReader(strings.NewReader("")); !errors.Is(err, io.EOF) {
		t.Errorf("empty: %v, want io.EOF", err)
	}
	for _, bad := range []string{"a,b\n1,2\n", "rate_code\n"} {
		if _, err := NewReader(strings.NewReader(bad)); err == nil {
			t.Errorf("NewReader(%q) accepted", bad)
		}
		if _, err := NewScanner([]byte(bad)); err == nil {
			t.Errorf("NewScanner(%q) accepted", bad)
		}
	}
	r, err := NewReader(strings.NewReader(head + row + "X,Y\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.Read(); err != nil || got[ColDescription] != "two\nlines" {
		t.Errorf("row = %q, %v", got, err)
	}
	if _, err := r.Read(); err == nil {
		t.Error("ragged row accepted")
	}

	sc, err := NewScanner([]byte(head + row))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Column("instanceType") != numFixed || sc.Column("missing") != -1 {
		t.Errorf("columns of %q", sc.Header())
	}
	var lines []string
	for sc.Next() {
		if string(sc.Raw()) != row {
			t.Errorf("raw = %q, want the whole quoted record", sc.Raw())
		}
		got, err := sc.Row()
		if err != nil {
			t.Fatal(err)
		}
		l := sc.Line(got)
		lines = append(lines, l.RateCode+" "+l.Attributes["instanceType"])
	}
	if !slices.Equal(lines, []string{"A.B.C m5.large"}) {
		t.Errorf("lines = %q", lines)
	}
	if sc, err := NewScanner(nil); err != nil || sc.Header() != nil || sc.Next() {
		t.Errorf("empty data: %v", err)
	}
}
