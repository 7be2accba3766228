package offerfile_test

import (
	"bytes"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/offergen"
	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
)

// The decoders against the bare passes the performance goals name
// (jsontext tokens, encoding/csv records), on the same in-memory EC2-shaped
// file: go test -bench . -benchmem ./internal/offerfile. scripts/bench.sh
// measures the whole run on a 480 MB file, with peak memory.
//
// Besides wall time each benchmark reports cpu-ns/op, the process's CPU
// time per operation: on a shared machine wall time swings with the load,
// CPU time much less, so compare that one (benchstat -filter
// or by unit).

var (
	benchOnce  sync.Once
	benchFiles map[string][]byte
)

func benchFile(b *testing.B, format string) []byte {
	benchOnce.Do(func() {
		benchFiles = map[string][]byte{}
		for _, f := range []string{offerfile.FormatJSON, offerfile.FormatCSV} {
			var buf bytes.Buffer
			if err := offergen.Generate(&buf, f, offergen.Options{TargetBytes: 48 << 20}); err != nil {
				b.Fatal(err)
			}
			benchFiles[f] = buf.Bytes()
		}
	})
	return benchFiles[format]
}

// typical is the benchmark's "typical filter": Linux on shared, used
// capacity, on-demand and reserved, with four attribute columns.
var typical = selection.Selection{
	Terms: []string{"OnDemand", "Reserved"},
	Filters: map[string][]string{
		"productFamily": {"Compute Instance"}, "operatingSystem": {"Linux"},
		"tenancy": {"Shared"}, "capacitystatus": {"Used"}, "preInstalledSw": {"NA"},
	},
	Attributes: []string{"instanceType", "vcpu", "memory", "operatingSystem"},
}

func BenchmarkDecode(b *testing.B) {
	for _, format := range []string{offerfile.FormatJSON, offerfile.FormatCSV} {
		data := benchFile(b, format)
		b.Run(format+"/decode", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			defer reportCPU(b)()
			for b.Loop() {
				lines := 0
				if _, err := offerfile.Decode(bytes.NewReader(data), format, typical, offerfile.Handler{Line: func(*priceline.Line) error { lines++; return nil }}); err != nil {
					b.Fatal(err)
				}
				if lines == 0 {
					b.Fatal("the typical filter kept nothing")
				}
			}
		})
		b.Run(format+"/bare", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			walk := offergen.WalkJSON
			if format == offerfile.FormatCSV {
				walk = offergen.WalkCSV
			}
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := walk(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// reportCPU starts counting the process's CPU time; the function it
// returns reports it per operation as cpu-ns/op.
func reportCPU(b *testing.B) func() {
	start := cpuTime(b)
	return func() {
		b.ReportMetric(float64((cpuTime(b)-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
