package sheets

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/snapshot"
)

func TestTabTitle(t *testing.T) {
	for _, c := range []struct{ template, offer, region, want string }{
		{"", "AmazonEC2", "us-east-1", "AmazonEC2 us-east-1"},
		{"{region}/{offer}", "AmazonEC2", "us-east-1", "us-east-1-AmazonEC2"},
		{"[{offer}]: {region}?*\\", "AmazonS3", "eu-west-1", "-AmazonS3-- eu-west-1---"},
		{"{offer}\t{region}", "A", "b", "A b"},
		{"{offer} {region}", strings.Repeat("x", 120), "r", strings.Repeat("x", 100)},
		{"{offer} {region}", strings.Repeat("é", 99), "r", strings.Repeat("é", 99)},
	} {
		if got := TabTitle(c.template, c.offer, c.region); got != c.want {
			t.Errorf("TabTitle(%q, %q, %q) = %q, want %q", c.template, c.offer, c.region, got, c.want)
		}
	}
}

func TestNumberValue(t *testing.T) {
	for _, c := range []struct {
		in       string
		ok       bool
		decimals int
	}{
		{"0.0104000000", true, 10}, {"431", true, 0}, {"0", true, 0}, {"-1.5", true, 1},
		{"1.5E-7", true, 8}, {"12e3", true, 0},
		{"Inf", false, 0}, {"NaN", false, 0}, {"", false, 0}, {"00123", false, 0},
		{"1,000.00", false, 0}, {" 1", false, 0}, {"1e400", false, 0}, {"+1", false, 0}, {".5", false, 0},
	} {
		n, d, ok := numberValue(c.in)
		if ok != c.ok || ok && (d != c.decimals || n != json.Number(c.in)) {
			t.Errorf("numberValue(%q) = %q, %d, %v; want ok=%v decimals=%d", c.in, n, d, ok, c.ok, c.decimals)
		}
	}
	if decimalPattern(0) != "0" || decimalPattern(3) != "0.000" {
		t.Error("decimalPattern")
	}
}

func TestRowSpan(t *testing.T) {
	for _, c := range []struct {
		in     string
		r0, r1 int64
		ok     bool
	}{
		{"'Changes'!A5:P10", 4, 10, true}, {"Changes!A2", 1, 2, true}, {"Changes!A:P", 0, 0, false}, {"A1:B2", 0, 0, false},
	} {
		r0, r1, ok := rowSpan(c.in)
		if r0 != c.r0 || r1 != c.r1 || ok != c.ok {
			t.Errorf("rowSpan(%q) = %d, %d, %v", c.in, r0, r1, ok)
		}
	}
}

func TestColName(t *testing.T) {
	for c, want := range map[int64]string{0: "A", 25: "Z", 26: "AA", 701: "ZZ", 702: "AAA", 18277: "ZZZ"} {
		if got := colName(c); got != want {
			t.Errorf("colName(%d) = %q, want %q", c, got, want)
		}
	}
}

func TestReadSnapshot(t *testing.T) {
	tab, err := ReadSnapshotCSV("testdata/snapshots/AmazonEC2/us-east-1.csv")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Offer != "AmazonEC2" || tab.Region != "us-east-1" || len(tab.Header) != 14 || len(tab.Rows) != 4 {
		t.Errorf("tab = %+v", tab)
	}
	if tab.Rows[0][1] != "00123ABCDE" || tab.Rows[1][12] != "=SUM(A1) looks like a formula, stays text" {
		t.Errorf("rows = %q", tab.Rows[:2])
	}
	if _, err := ReadSnapshot(strings.NewReader("")); err == nil {
		t.Error("empty file accepted")
	}
	head := strings.Join(snapshot.FixedColumns[:], ",")
	if _, err := ReadSnapshot(strings.NewReader(head + "\n1,2,3\n")); err == nil {
		t.Error("ragged row accepted")
	}
	if _, err := ReadSnapshot(strings.NewReader("a,b\n1,2\n")); err == nil {
		t.Error("a CSV that is not a snapshot accepted")
	}
	if _, err := ReadSnapshotCSV("testdata/missing.csv"); err == nil {
		t.Error("missing file accepted")
	}
}
