package faultsuite

import (
	"testing"
	"time"
)

// Paths of the Bulk API the cases aim at: the current region index and the
// current version's us-east-1 files of the mirror's Redshift offer.
const (
	regionIndexPath = "/offers/v1.0/aws/AmazonRedshift/current/region_index.json"
	usEastCSV       = "/offers/v1.0/aws/AmazonRedshift/20180401000000/us-east-1/index.csv"
	usEastJSON      = "/offers/v1.0/aws/AmazonRedshift/20180401000000/us-east-1/index.json"
	// bulkAttempts is bulk.Client's MaxAttempts: the tries of one
	// request before the run gives up.
	bulkAttempts = 5
)

// runArgs fetches the current Redshift version of the two seeded regions.
func runArgs(extra ...string) []string {
	return append([]string{"run", "--service", "AmazonRedshift", "--region", "us-east-1", "--region", "eu-west-1", "--progress-interval", "0"}, extra...)
}

// hits checks how often a path was asked for: a storm is retried, but a
// bounded number of times.
func hits(prefix string, want int) func(t *testing.T, f *Fixture, res Result) {
	return func(t *testing.T, f *Fixture, res Result) {
		if got := f.Bulk.Hits(prefix); got != want {
			t.Errorf("%s requested %d times, want %d", prefix, got, want)
		}
	}
}

// Throttling and server errors before the body are retried with backoff,
// honouring Retry-After in seconds and as an HTTP-date; a storm that
// outlasts the attempts fails the run with the URL and leaves the previous
// snapshot as it was. (The client's backoff is 0.25-0.5 s, then doubling;
// five attempts in all, so an endless storm costs 4-8 s.)
func TestStorms(t *testing.T) {
	seed := func(fault string, f Fault) func(t *testing.T, f *Fixture) {
		return func(t *testing.T, fx *Fixture) {
			fx.Seed(t)
			fx.Bulk.Rule(fault, f)
		}
	}
	RunCases(t, []Case{
		{
			Name:  "short 503 storm without Retry-After recovers",
			Setup: seed(usEastCSV, Fault{Status: 503, Times: 2}),
			Args:  runArgs(),
			Want:  Want{Exit: 0, Snapshot: SnapshotWritten},
			Check: hits(usEastCSV, 3),
		},
		{
			Name:  "short 429 storm with Retry-After seconds recovers",
			Setup: seed(regionIndexPath, Fault{Status: 429, Times: 2, RetryAfter: "1"}),
			Args:  runArgs(),
			Want:  Want{Exit: 0, Snapshot: SnapshotWritten},
			Check: func(t *testing.T, f *Fixture, res Result) {
				hits(regionIndexPath, 3)(t, f, res)
				if res.Elapsed < 2*time.Second {
					t.Errorf("took %s: Retry-After: 1 was not waited twice", res.Elapsed)
				}
			},
		},
		{
			Name:  "short 503 storm with Retry-After HTTP-date recovers",
			Setup: seed(usEastCSV, Fault{Status: 503, Times: 1, RetryAfterIn: 2 * time.Second}),
			Args:  runArgs(),
			Want:  Want{Exit: 0, Snapshot: SnapshotWritten},
			Check: hits(usEastCSV, 2),
		},
		{
			Name:  "short 429 storm with Retry-After HTTP-date in the past recovers",
			Setup: seed(usEastCSV, Fault{Status: 429, Times: 2, RetryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"}),
			Args:  runArgs(),
			Want:  Want{Exit: 0, Snapshot: SnapshotWritten},
			Check: hits(usEastCSV, 3),
		},
		{
			Name:  "endless 503 storm without Retry-After fails naming the URL",
			Setup: seed(usEastCSV, Fault{Status: 503}),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`GET http://127\.0\.0\.1:\d+/offers/v1\.0/aws/AmazonRedshift/20180401000000/us-east-1/index\.csv: HTTP 503 Service Unavailable`}},
			Check: hits(usEastCSV, bulkAttempts),
		},
		{
			Name:  "endless 429 storm with Retry-After fails naming the URL",
			Setup: seed(regionIndexPath, Fault{Status: 429, RetryAfter: "1"}),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`GET http://127\.0\.0\.1:\d+/offers/v1\.0/aws/AmazonRedshift/current/region_index\.json: HTTP 429 Too Many Requests`}},
			Check: hits(regionIndexPath, bulkAttempts),
		},
		{
			Name:  "short 503 storm with a push asked recovers and pushes",
			Git:   true,
			Setup: seed(usEastCSV, Fault{Status: 503, Times: 1, RetryAfter: "1"}),
			Args:  runArgs("--push"),
			Want: Want{Exit: 0, Snapshot: SnapshotWritten, Git: GitPushed,
				Stderr: []string{`(?m)^push: [0-9a-f]{12} to origin main$`}},
		},
		{
			Name:  "endless 500 storm with a commit asked leaves git as it was",
			Git:   true,
			Setup: seed(usEastCSV, Fault{Status: 500}),
			Args:  runArgs("--push"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged, Git: GitUnchanged,
				Stderr: []string{`GET http://\S+/20180401000000/us-east-1/index\.csv: HTTP 500 Internal Server Error`}},
		},
	})
}

// A connection dropped before the response headers is a network error
// before the body: retried like a 5xx.
func TestResets(t *testing.T) {
	RunCases(t, []Case{
		{
			Name: "resets before headers, then an answer, recover",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Bulk.Rule(usEastCSV, Fault{ResetBeforeHeaders: true, Times: 2})
			},
			Args:  runArgs(),
			Want:  Want{Exit: 0, Snapshot: SnapshotWritten},
			Check: hits(usEastCSV, 3),
		},
		{
			Name: "endless resets before headers fail naming the URL",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Bulk.Rule(usEastCSV, Fault{ResetBeforeHeaders: true})
			},
			Args: runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`GET http://\S+/20180401000000/us-east-1/index\.csv: .*(EOF|reset)`}},
		},
	})
}

// A download that goes silent after its headers and a few bytes.
func TestStalls(t *testing.T) {
	RunCases(t, []Case{
		{
			Name: "a short stall mid-body only slows the run",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Bulk.Rule(usEastCSV, Fault{StallAfter: 1000, Stall: time.Second})
			},
			Args: runArgs(),
			Want: Want{Exit: 0, Snapshot: SnapshotWritten},
			Check: func(t *testing.T, f *Fixture, res Result) {
				if res.Elapsed < time.Second {
					t.Errorf("done in %s: the stall did not happen", res.Elapsed)
				}
			},
		},
		{
			// No ETag from the middleware, so the stall cannot be resumed:
			// the idle timeout ends the run (download_test.go has the
			// resumed stalls).
			Name: "a stall that does not end, without an ETag",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Bulk.Rule(usEastCSV, Fault{StallAfter: 1000, Stall: time.Hour})
			},
			Args: runArgs("--idle-timeout", "300ms"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`us-east-1/index\.csv: the download stalled: no data for 300ms after 1000 of 63675 bytes \(cannot resume: the server sent no ETag`}},
			Check: hits(usEastCSV, 1),
		},
	})
}
