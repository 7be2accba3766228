package offergen

import (
	"bytes"
	"io"
	"testing"
)

// benchProducts gives about 8 MB of JSON: big enough for steady-state
// throughput, small enough for a quick -bench run. The full-size figures
// come from scripts/bench.sh.
const benchProducts = 2000

func BenchmarkGenerate(b *testing.B) {
	o, err := Options{Products: benchProducts}.Resolve()
	if err != nil {
		b.Fatal(err)
	}
	for _, format := range []string{"json", "csv"} {
		b.Run(format, func(b *testing.B) {
			var c countWriter
			if err := Generate(&c, format, o); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(c.n)
			b.ReportAllocs()
			for b.Loop() {
				if err := Generate(io.Discard, format, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWalk measures the two baselines on in-memory data.
func BenchmarkWalk(b *testing.B) {
	o, err := Options{Products: benchProducts}.Resolve()
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		format string
		walk   func(io.Reader) (int64, error)
	}{{"json", WalkJSON}, {"csv", WalkCSV}} {
		b.Run(tc.format, func(b *testing.B) {
			data := generate(b, tc.format, o)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tc.walk(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
