package faultsuite

import (
	"bytes"
	"testing"
)

// rowEnd is the offset just after the first line break at or after n in a
// mirror file: a cut there leaves a well-formed but short CSV.
func rowEnd(t *testing.T, p string, n int) int64 {
	data := readMirror(t, p)
	return int64(n + bytes.IndexByte(data[n:], '\n') + 1)
}

// A body that ends before the file does is never a snapshot: whatever
// signal says so (Content-Length, the gzip trailer, the last chunk), the
// run fails and the previous snapshot stays byte for byte.
func TestTruncation(t *testing.T) {
	cut := func(p string, f Fault) func(t *testing.T, fx *Fixture) {
		return func(t *testing.T, fx *Fixture) {
			fx.Seed(t)
			fx.Bulk.Rule(p, f)
		}
	}
	RunCases(t, []Case{
		// The middleware sends no ETag, so the cut cannot be resumed (a
		// Range answer could not be pinned to the same file): the run
		// fails at once. download_test.go has the resumable cuts.
		{
			Name:  "CSV cut mid-body with Content-Length and no ETag (FIN)",
			Setup: cut(usEastCSV, Fault{CutAt: 20000}),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`AmazonRedshift us-east-1: read http://\S+/20180401000000/us-east-1/index\.csv: the download was cut off after 20000 of 63675 bytes \(cannot resume: the server sent no ETag to pin the rest of the file to\); run again`}},
			Check: hits(usEastCSV, 1),
		},
		{
			Name:  "CSV cut mid-body with Content-Length and no ETag (connection reset)",
			Setup: cut(usEastCSV, Fault{CutAt: 20000, Reset: true}),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`AmazonRedshift us-east-1: read http://\S+/20180401000000/us-east-1/index\.csv: the download was cut off after 20000 of 63675 bytes \(cannot resume: the server sent no ETag to pin the rest of the file to\); run again: .*connection reset by peer`}},
			Check: hits(usEastCSV, 1),
		},
		{
			Name:  "CSV whole but Content-Length says more",
			Setup: cut(usEastCSV, Fault{Length: 63675 + 4096}),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`the download was cut off after 63675 of 67771 bytes`}},
		},
		{
			Name:  "JSON cut mid-body with Content-Length",
			Setup: cut(usEastJSON, Fault{CutAt: 50000}),
			Args:  runArgs("--format", "json"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`us-east-1/index\.json: the download was cut off after 50000 of 135194 bytes`}},
		},
		{
			Name:  "JSON gzip stream cut short",
			Setup: cut(usEastJSON, Fault{Gzip: true, CutAt: 4000}),
			Args:  runArgs("--format", "json"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`AmazonRedshift us-east-1: read http://\S+/us-east-1/index\.json: the download was cut off after \d+ bytes \(cannot resume: the server compressed the body, so offsets are not the file's\)`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				if f.Bulk.Hits(usEastJSON) == 0 {
					t.Error("the faulty file was never asked for")
				}
			},
		},
		{
			Name:  "JSON gzip whole, Content-Length says more",
			Setup: cut(usEastJSON, Fault{Gzip: true, Length: 1 << 20}),
			Args:  runArgs("--format", "json"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`us-east-1/index\.json: `}},
		},
		{
			Name:  "JSON chunked, last chunk missing",
			Setup: cut(usEastJSON, Fault{Chunked: true, CutAt: 50000}),
			Args:  runArgs("--format", "json"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`AmazonRedshift us-east-1: read http://\S+/us-east-1/index\.json: the download was cut off after 50000 bytes \(cannot resume: the server sent no ETag`}},
		},
		{
			Name:  "CSV chunked, last chunk missing",
			Setup: cut(usEastCSV, Fault{Chunked: true, CutAt: 20000}),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`AmazonRedshift us-east-1: read http://\S+/us-east-1/index\.csv: .*unexpected EOF`}},
		},
		{
			Name:  "JSON without length, cut by closing the connection",
			Setup: cut(usEastJSON, Fault{NoLength: true, CutAt: 50000}),
			Args:  runArgs("--format", "json"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`offer file is truncated \(JSON ends after \d+ bytes\)`}},
		},
		{
			Name:  "chunked and gzip, whole: a clean control that must succeed",
			Setup: cut(usEastJSON, Fault{Chunked: true, Gzip: true}),
			Args:  runArgs("--format", "json"),
			Want:  Want{Exit: 0, Snapshot: SnapshotWritten},
		},
		{
			// No length and no ETag: nothing in the transfer says the
			// file is short, so the pipeline's removal guard catches it.
			Name: "CSV without length or ETag cut at a row boundary",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Bulk.Rule(usEastCSV, Fault{NoLength: true, CutAt: rowEnd(t, usEastCSV, 40000)})
			},
			Args: runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged, Stderr: []string{`would be removed, over maxRemovedPct 20`}},
		},
		{
			Name: "CSV with a Content-Length shorter than the file and no ETag",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Bulk.Rule(usEastCSV, Fault{Length: rowEnd(t, usEastCSV, 40000)})
			},
			Args: runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged, Stderr: []string{`would be removed, over maxRemovedPct 20`}},
		},
	})
}
