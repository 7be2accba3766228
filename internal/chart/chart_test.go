package chart

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestStepGolden(t *testing.T) {
	series := []Series{
		// A line named by its label, its rate code as a tooltip.
		{Name: "dc1.large · OnDemand · Hrs", Code: "EQZPNHDARH87W7S6.JRTCKXETXF.6YS6EN2CT7", Points: []Point{
			{Time: day("2018-03-09"), Value: 0.25}, {Time: day("2018-04-01"), Value: 0.125},
		}},
		{Name: "HG8UH9XWXYJ697H2.JRTCKXETXF.6YS6EN2CT7 dc2.large <&>", Points: []Point{
			{Time: day("2018-03-09"), Value: 0.25}, {Time: day("2018-03-20"), Gap: true},
			{Time: day("2018-04-10"), Value: 0.3},
		}},
	}
	var buf bytes.Buffer
	if err := Step(&buf, series, Options{Title: "AmazonRedshift us-east-1", YLabel: "USD/Hrs", End: day("2018-04-20")}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "step.svg")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("chart differs from %s (run go test -update and look at it):\n%s", golden, buf.String())
	}
	var again bytes.Buffer
	Step(&again, series, Options{Title: "AmazonRedshift us-east-1", YLabel: "USD/Hrs", End: day("2018-04-20")})
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("the same input gave different bytes")
	}
	if err := Step(&buf, nil, Options{}); err == nil {
		t.Error("an empty chart did not fail")
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []float64
		dec    int
	}{
		{0.125, 0.3, []float64{0.1, 0.15, 0.2, 0.25, 0.3}, 2},
		{0, 100, []float64{0, 20, 40, 60, 80, 100}, 0},
		{24000, 72000, []float64{20000, 30000, 40000, 50000, 60000, 70000, 80000}, 0},
		{5, 5, []float64{4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6}, 1},
	} {
		got, dec := niceTicks(c.lo, c.hi, 6)
		if len(got) != len(c.want) || dec != c.dec {
			t.Errorf("niceTicks(%g, %g) = %v, %d; want %v, %d", c.lo, c.hi, got, dec, c.want, c.dec)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("niceTicks(%g, %g) = %v, want %v", c.lo, c.hi, got, c.want)
				break
			}
		}
	}
}

func TestTimeTicks(t *testing.T) {
	for _, c := range []struct {
		t0, t1 time.Time
		n      int
		layout string
	}{
		{day("2018-03-09"), day("2018-04-20"), 6, time.DateOnly},
		{day("2018-01-01"), day("2018-12-31"), 6, "2006-01"},
		{day("2010-01-01"), day("2018-12-31"), 5, "2006"},
		{day("2018-03-09"), day("2018-03-09").Add(5 * time.Hour), 6, "01-02 15:04"},
	} {
		ticks, layout := timeTicks(c.t0, c.t1, 8)
		if len(ticks) != c.n || layout != c.layout {
			t.Errorf("timeTicks(%s, %s) = %v %q", c.t0, c.t1, ticks, layout)
		}
	}
}
