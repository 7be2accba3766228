package faultsuite

import (
	"maps"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/source/bulk/bulkfake"
)

// direct seeds the previous snapshot, then points the binary straight at
// the fake and installs its fault on p: the fake sends the ETag (the MD5
// of the file), Content-Length and Accept-Ranges, and answers Range with
// If-Match, as S3 does.
func direct(p string, f bulkfake.Fault) func(t *testing.T, fx *Fixture) {
	return func(t *testing.T, fx *Fixture) {
		fx.Seed(t)
		fx.Direct()
		fx.Bulk.Fake.SetFault(p, f)
	}
}

// gets checks how often the fake served p.
func gets(p string, want int) func(t *testing.T, f *Fixture, res Result) {
	return func(t *testing.T, f *Fixture, res Result) {
		t.Helper()
		if got := requestsOf(f.Bulk, p); got != want {
			t.Errorf("%s requested %d times, want %d", p, got, want)
		}
	}
}

// sameAsClean fails unless the snapshot's price files equal a fault-free
// run's (the manifest differs by its fetch times): a resumed download
// splices to exactly the file.
func sameAsClean(t *testing.T, f *Fixture, res Result) {
	t.Helper()
	clean := NewFixture(t, false)
	clean.Seed(t)
	clean.MustRun(t, runArgs()...)
	got, want := HashTree(t, f.Out), HashTree(t, clean.Out)
	delete(got, "AmazonRedshift/manifest.json")
	delete(want, "AmazonRedshift/manifest.json")
	if !maps.Equal(got, want) {
		AssertSameTree(t, f.Out, want, got)
	}
}

// A body that drops, resets or stalls is resumed with a Range request
// pinned to the ETag (each resumption an attempt of five); a body that is
// short by every framing signal is caught by the MD5 the ETag names; a
// server that cannot resume fails the run. The previous snapshot stays byte
// for byte whenever the run fails.
func TestDownloads(t *testing.T) {
	const stall = "--idle-timeout"
	RunCases(t, []Case{
		{
			Name: "clean close at a row boundary, no Content-Length",
			Setup: func(t *testing.T, f *Fixture) {
				direct(usEastCSV, bulkfake.Fault{CutAt: rowEnd(t, usEastCSV, 40000), Cut: bulkfake.CutClose})(t, f)
			},
			Args: runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`us-east-1/index\.csv: the download is not the file AWS published: the MD5 of its \d+ bytes is [0-9a-f]{32}, the ETag says "[0-9a-f]{32}"`}},
		},
		{
			Name: "Content-Length shorter than the file, ending at a row boundary",
			Setup: func(t *testing.T, f *Fixture) {
				direct(usEastCSV, bulkfake.Fault{CutAt: rowEnd(t, usEastCSV, 40000), Cut: bulkfake.CutShortLength})(t, f)
			},
			Args: runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`us-east-1/index\.csv: the download is not the file AWS published: the MD5 of its`}},
		},
		{
			Name:  "one drop mid-body is resumed",
			Setup: direct(usEastCSV, bulkfake.Fault{CutAt: 20000, Cut: bulkfake.CutAbort, Times: 1}),
			Args:  runArgs(),
			Want: Want{Exit: 0, Snapshot: SnapshotWritten,
				Stderr: []string{`the connection dropped at .*; resuming \(attempt 2 of 5\)`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				gets(usEastCSV, 2)(t, f, res)
				sameAsClean(t, f, res)
			},
		},
		{
			Name:  "one reset mid-body is resumed",
			Setup: direct(usEastCSV, bulkfake.Fault{CutAt: 20000, Cut: bulkfake.CutReset, Times: 1}),
			Args:  runArgs(),
			Want: Want{Exit: 0, Snapshot: SnapshotWritten,
				Stderr: []string{`resuming \(attempt 2 of 5\)`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				gets(usEastCSV, 2)(t, f, res)
				sameAsClean(t, f, res)
			},
		},
		{
			Name:  "a drop on every request fails after five attempts",
			Setup: direct(usEastCSV, bulkfake.Fault{CutAt: 20000, Cut: bulkfake.CutAbort}),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`us-east-1/index\.csv: the download was cut off after 20000 of 63675 bytes \(5 attempts\); run again`}},
			Check: gets(usEastCSV, bulkAttempts),
		},
		{
			Name:  "a server that ignores Range is not spliced",
			Setup: direct(usEastCSV, bulkfake.Fault{CutAt: 20000, Cut: bulkfake.CutAbort, IgnoreRange: true}),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`GET http://\S+/us-east-1/index\.csv from byte 20000: the server sent the whole file \(200\) instead of the rest \(206\); not splicing`}},
		},
		{
			Name:  "one stall mid-body is resumed",
			Setup: direct(usEastCSV, bulkfake.Fault{StallAt: 1000, Times: 1}),
			Args:  runArgs(stall, "300ms"),
			Want: Want{Exit: 0, Snapshot: SnapshotWritten,
				Stderr: []string{`the download is stalled`, `stalled: no data for 300ms at .*; resuming \(attempt 2 of 5\)`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				gets(usEastCSV, 2)(t, f, res)
				sameAsClean(t, f, res)
			},
		},
		{
			Name:  "a stall that does not end fails the run",
			Setup: direct(usEastCSV, bulkfake.Fault{StallAt: 1000}),
			Args:  runArgs(stall, "300ms"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`us-east-1/index\.csv: the download stalled: no data for 300ms after 1000 of 63675 bytes \(5 attempts\)`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				gets(usEastCSV, bulkAttempts)(t, f, res)
				if res.Elapsed > time.Minute {
					t.Errorf("took %s", res.Elapsed)
				}
			},
		},
		{
			Name: "a missing key answered 403 AccessDenied is a name to correct",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Direct()
				f.Bulk.Fake.SetMissingStatus(403)
			},
			Args: []string{"run", "--service", "AmazonRedshit", "--region", "us-east-1", "--progress-interval", "0"},
			Want: Want{Exit: 2, Snapshot: SnapshotUnchanged, Stderr: []string{`unknown offer "AmazonRedshit"; did you mean AmazonRedshift\b`}},
		},
		{
			Name: "with 403 for missing keys a normal run still works",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Direct()
				f.Bulk.Fake.SetMissingStatus(403)
			},
			Args: runArgs(),
			Want: Want{Exit: 0, Snapshot: SnapshotWritten},
		},
	})
}
