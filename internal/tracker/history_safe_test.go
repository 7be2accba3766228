package tracker

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/gitstore"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// The history table shows AWS text in a terminal: no escape sequence, NUL,
// bidi override or tab (which would shift the columns) gets through.
func TestHistoryTableCarriesNoControlCharacters(t *testing.T) {
	day := time.Date(2018, 4, 1, 0, 0, 0, 0, time.UTC)
	line := report.Line{RateCode: "R1\x1b[2J", SKU: "S", TermType: "OnDemand\u202e", Unit: "Hrs\t", Currency: "USD",
		Attributes: map[string]string{"instanceType": "dc1.large\x00\x1b[31m"}}
	rows := gitstore.Rows("AmazonRedshift", "us-east-1", line, []gitstore.Point{
		{Revision: gitstore.Revision{Date: day, Version: "1"}, Price: "0.25\x7f"},
	})
	var out bytes.Buffer
	if err := writeHistoryTable(&out, rows, []string{"instanceType"}, true, true); err != nil {
		t.Fatal(err)
	}
	if i := strings.IndexFunc(out.String(), func(r rune) bool { return r != '\n' && textsafe.Unsafe(r) }); i >= 0 {
		t.Errorf("the table carries %q:\n%q", out.String()[i:i+1], out.String())
	}
	// The columns are still the tabwriter's, the header's included.
	if !strings.HasPrefix(out.String(), "DATE        VERSION  OFFER") {
		t.Errorf("the header lost its columns: %q", out.String())
	}
	if !strings.Contains(out.String(), "dc1.large\uFFFD\uFFFD[31m") {
		t.Errorf("table = %q", out.String())
	}
}

// The chart places only plain decimals: 0x10 is not 16, NaN and a number
// beyond float64 are not points.
func TestChartSeriesPlacesOnlyPlainDecimals(t *testing.T) {
	var points []gitstore.Point
	for _, p := range []string{"0.25", "0x10", "NaN", "Inf", "1e2", "9" + strings.Repeat("9", 400), "0.125"} {
		points = append(points, gitstore.Point{Revision: gitstore.Revision{Date: time.Now()}, Price: p})
	}
	cs := chartSeries([]gitstore.Series{{Line: report.Line{RateCode: "R"}, Points: points}}, nil, false)
	var got []string
	for _, p := range cs[0].Points {
		if p.Gap {
			got = append(got, "gap")
		} else if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			got = append(got, "nan/inf")
		} else {
			got = append(got, strconv.FormatFloat(p.Value, 'f', -1, 64))
		}
	}
	if strings.Join(got, " ") != "0.25 gap gap gap gap gap 0.125" {
		t.Errorf("chart points = %v", got)
	}
}
