package faultsuite

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// nested is n opening brackets, a value, and n closing brackets.
func nested(n int) string {
	return strings.Repeat("[", n) + "1" + strings.Repeat("]", n)
}

// offerHead is the start of a JSON offer file of the current version, up
// to the point where a case puts its junk.
const offerHead = `{"formatVersion":"v1.0","offerCode":"AmazonRedshift","version":"20180401000000","publicationDate":"2018-04-01T00:00:00Z",`

// Bytes that are not an offer file, or not the index asked for, fail the
// run with a message that names the URL: no crash, no snapshot.
func TestJunk(t *testing.T) {
	body := func(p string, b string) func(t *testing.T, f *Fixture) {
		return func(t *testing.T, f *Fixture) {
			f.Seed(t)
			f.Bulk.Rule(p, Fault{Body: []byte(b)})
		}
	}
	RunCases(t, []Case{
		{
			Name:  "deep JSON nesting in a skipped key of an offer",
			Setup: body(usEastJSON, offerHead+`"disclaimer":`+nested(100_000)+`,"products":{},"terms":{}}`),
			Args:  runArgs("--format", "json"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`AmazonRedshift us-east-1: read http://\S+/us-east-1/index\.json: offer file is malformed JSON: .*depth`}},
		},
		{
			Name:  "deep JSON nesting in an offer's product",
			Setup: body(usEastJSON, offerHead+`"products":{"SKU1":{"sku":"SKU1","attributes":{"x":`+nested(100_000)+`}}},"terms":{}}`),
			Args:  runArgs("--format", "json"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`AmazonRedshift us-east-1: read http://\S+/us-east-1/index\.json: offer file is malformed JSON`}},
		},
		{
			Name:  "deep JSON nesting in the region index",
			Setup: body(regionIndexPath, `{"formatVersion":"v1.0","regions":`+nested(100_000)+`}`),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`parse http://\S+/current/region_index\.json: .*depth`}},
		},
		{
			Name:  "an HTML page with status 200 instead of the region index",
			Setup: body(regionIndexPath, "<html><body>Sign in to the Wi-Fi</body></html>\n"),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`parse http://\S+/current/region_index\.json: invalid character '<'`}},
		},
		{
			Name:  "an HTML page with status 200 instead of an offer CSV",
			Setup: body(usEastCSV, "<html><body>Sign in to the Wi-Fi</body></html>\n"),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`AmazonRedshift us-east-1: read http://\S+/us-east-1/index\.csv: `}},
		},
		{
			Name:  "an HTML page with status 200 instead of an offer JSON",
			Setup: body(usEastJSON, "<html><body>Sign in to the Wi-Fi</body></html>\n"),
			Args:  runArgs("--format", "json"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`AmazonRedshift us-east-1: read http://\S+/us-east-1/index\.json: offer file is malformed JSON`}},
		},
		{
			Name: "a region code that climbs out of --out",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				index := strings.Replace(string(readMirror(t, regionIndexPath)), `"eu-west-1" : {
      "regionCode" : "eu-west-1",`, `"../../../escaped" : {
      "regionCode" : "../../../escaped",`, 1)
				f.Bulk.Rule(regionIndexPath, Fault{Body: []byte(index)})
			},
			Args: []string{"run", "--service", "AmazonRedshift", "--region", "all", "--progress-interval", "0"},
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`region index of AmazonRedshift \(current\): region "\.\./\.\./\.\./escaped" is not a region code`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				root := filepath.Dir(filepath.Dir(f.Dir))
				_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
					if err == nil && strings.Contains(d.Name(), "escaped") {
						t.Errorf("written outside --out: %s", p)
					}
					return nil
				})
			},
		},
		{
			Name:  "4 MiB of whitespace as a JSON offer",
			Setup: body(usEastJSON, offerHead+`"products":`+strings.Repeat(" ", 4<<20)+`{}}`),
			Args:  runArgs("--format", "json"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`offer file is not AWS JSON: at byte \d+, a string, number or run of whitespace is longer than 1 MiB`}},
		},
		{
			Name:  "a 4 MiB string in a JSON offer",
			Setup: body(usEastJSON, offerHead+`"disclaimer":"`+strings.Repeat("a", 4<<20)+`"}`),
			Args:  runArgs("--format", "json"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`offer file is not AWS JSON: at byte \d+, .* longer than 1 MiB`}},
		},
		{
			Name:  "one 4 MiB line as an offer CSV",
			Setup: body(usEastCSV, `"FormatVersion","v1.0`+strings.Repeat("x", 4<<20)+"\n"),
			Args:  runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`offer file is not AWS CSV: at line 1 \(byte 0\), a record is longer than 256 KiB`}},
		},
		{
			Name: "a CSV row narrower than its header",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				lines := strings.SplitAfter(string(readMirror(t, usEastCSV)), "\n")
				f.Bulk.Rule(usEastCSV, Fault{Body: []byte(strings.Join(lines[:7], "") + "x\n")})
			},
			Args: runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged, Stderr: []string{`line 8 has 1 fields, the header has`}},
		},
		{
			Name: "a price that is not a number",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Bulk.Rule(usEastCSV, Fault{Body: editCSV(t, usEastCSV, "PricePerUnit", "abc")})
			},
			Args: runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`offer file is corrupt: 1 price or range is not a decimal number as AWS writes it .*price "abc"`}},
		},
		{
			Name: "the region index cut off with Content-Length",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Bulk.Rule(regionIndexPath, Fault{CutAt: 100})
			},
			Args: runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged,
				Stderr: []string{`http://\S+/current/region_index\.json: .*unexpected EOF`}},
		},
	})
}
