package faultsuite

import (
	"bytes"
	"io"
	"testing"
)

// memoryCase is junk input whose cost is memory: the benchmark reports the
// child's peak RSS (peak-RSS-MiB), and fails only when the exit code is
// not Exit. It is a benchmark, never a timed or memory-asserting test:
//
//	go test -count=1 -run '^$' -bench PeakRSS -benchtime 1x ./internal/faultsuite/
type memoryCase struct {
	name  string
	setup func(t testing.TB, f *Fixture)
	args  []string
	exit  int
}

// whitespace streams n bytes of spaces after prefix.
func whitespace(prefix string, n int64) func(w io.Writer) error {
	return func(w io.Writer) error {
		if _, err := io.WriteString(w, prefix); err != nil {
			return err
		}
		_, err := io.CopyN(w, spaces{}, n)
		return err
	}
}

type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	copy(p, bytes.Repeat([]byte{' '}, len(p)))
	return len(p), nil
}

func BenchmarkPeakRSS(b *testing.B) {
	config := func(yml string) func(t testing.TB, f *Fixture) {
		return func(t testing.TB, f *Fixture) { f.Write(t, "c.yml", yml) }
	}
	body := func(p string, fault Fault) func(t testing.TB, f *Fixture) {
		return func(t testing.TB, f *Fixture) { f.Bulk.Rule(p, fault) }
	}
	const junkSize = 256 << 20
	cases := []memoryCase{
		{name: "yaml billion laughs", setup: config(billionLaughs("regions")), args: []string{"run", "--config", "c.yml"}, exit: 2},
		{name: "yaml bomb in a filter", setup: config(bombInFilter()), args: []string{"run", "--config", "c.yml"}, exit: 2},
		{name: "yaml nested 100k", setup: config("offers:\n  - code: AmazonRedshift\n    regions: " + nested(100_000) + "\n"), args: []string{"run", "--config", "c.yml"}, exit: 2},
		{
			name:  "json offer nested 100k",
			setup: body(usEastJSON, Fault{Body: []byte(offerHead + `"disclaimer":` + nested(100_000) + `}`)}),
			args:  runArgs("--format", "json"), exit: 1,
		},
		// The decoders refuse a token over 1 MiB and a CSV record over
		// 256 KiB, so these stay small whatever the size (issue 11 item 5;
		// scripts/bench-junk.sh runs them at 2 GB).
		{
			name:  "json offer 256MiB of whitespace",
			setup: body(usEastJSON, Fault{BodyFunc: whitespace(offerHead+`"products":`, junkSize), BodySize: -1}),
			args:  runArgs("--format", "json"), exit: 1,
		},
		{
			name:  "csv offer 256MiB single line",
			setup: body(usEastCSV, Fault{BodyFunc: whitespace(`"FormatVersion","v1.0`, junkSize), BodySize: -1}),
			args:  runArgs(), exit: 1,
		},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			f := NewFixture(b, false)
			c.setup(b, f)
			var results []Result
			for b.Loop() {
				res := f.Run(b, c.args...)
				if res.Code != c.exit {
					b.Fatalf("exit %d, want %d\nstderr:\n%s", res.Code, c.exit, res.Stderr)
				}
				results = append(results, res)
			}
			ReportPeakRSS(b, results)
		})
	}
}
