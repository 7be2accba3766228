package tracker

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/snapshot"
	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

// newVersionFile is a region's file of the mirror's newer version.
const newVersionFile = "offers/v1.0/aws/AmazonRedshift/20180401000000/%s/index.%s"

// guardMirror copies the mirror, lets edit change the newer version's
// files, and returns options whose Out already holds the older version's
// snapshots (the run the guard compares with).
func guardMirror(t *testing.T, edit func(mirror string)) (FetchOptions, map[string][]byte) {
	t.Helper()
	mirror := testkit.MirrorCopy(t)
	opts := options(t, t.TempDir())
	if _, err := Fetch(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	edit(mirror)
	client, err := bulk.New("file://"+mirror, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts.Client, opts.Version = client, ""
	return opts, readTree(t, opts.Out)
}

// readTree returns every file under dir with its bytes.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		files[path] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func assertUnchanged(t *testing.T, dir string, before map[string][]byte) {
	t.Helper()
	after := readTree(t, dir)
	if len(after) != len(before) {
		t.Errorf("%d files under out, want the %d there before", len(after), len(before))
	}
	for path, data := range before {
		if !bytes.Equal(after[path], data) {
			t.Errorf("%s changed", path)
		}
	}
}

func rewrite(t *testing.T, path string, edit func(string) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(data))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// csvHead keeps a CSV offer file's preamble, header and first n rows.
func csvHead(n int) func(string) string {
	return func(s string) string {
		lines := strings.SplitAfter(s, "\n")
		return strings.Join(lines[:6+n], "")
	}
}

// emptyJSON is an offer file whose products and terms are empty, with the
// header of the newer version.
const emptyJSON = `{"formatVersion":"v1.0","offerCode":"AmazonRedshift","version":"20180401000000","publicationDate":"2018-04-01T00:00:00Z","products":{},"terms":{}}`

// A file that yields no line where the previous snapshot had some (a CSV
// with only its preamble and header, a JSON with no product) is refused:
// nothing under out changes, and the message says what to do.
func TestEmptyFileNeverBecomesASnapshot(t *testing.T) {
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			var name string
			opts, before := guardMirror(t, func(mirror string) {
				name = filepath.Join(mirror, fmt.Sprintf(newVersionFile, "us-east-1", format))
				if format == "csv" {
					rewrite(t, name, csvHead(0))
				} else {
					rewrite(t, name, func(string) string { return emptyJSON })
				}
			})
			opts.Format = format
			_, err := Fetch(context.Background(), opts)
			for _, want := range []string{"AmazonRedshift us-east-1: ", name, "yields no price line for the selection, where the previous snapshot (version 20180309224506) has 141", "AWS may have published a broken file; run again later", "--accept-removals"} {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("Run = %v, want it to contain %q", err, want)
				}
			}
			assertUnchanged(t, opts.Out, before)

			// Accepted: written empty, and the report says so.
			opts.AcceptRemovals = true
			res, err := Fetch(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			o := offerFor(t, res.Report, "us-east-1")
			if len(o.Removed) != 141 || !hasFlag(o, report.FlagLargeRemoval, "all 141 lines removed") {
				t.Errorf("accepted report: %d removed, flags %+v", len(o.Removed), o.Flags)
			}
		})
	}
}

// A selection that keeps nothing today and kept nothing before (a filter
// value no product has) is not a loss; nor is a filter the user narrowed:
// the guard compares snapshots of the same selection only.
func TestEmptySelectionIsNotALoss(t *testing.T) {
	opts := options(t, t.TempDir())
	opts.Config.Offers[0].Filters = map[string][]string{"instanceType": {"x9.none"}}
	if _, err := Fetch(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	opts.Version = "20180401000000"
	if _, err := Fetch(context.Background(), opts); err != nil {
		t.Errorf("an empty selection on a new version: %v", err)
	}

	opts = options(t, t.TempDir())
	if _, err := Fetch(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	opts.Config.Offers[0].Filters = map[string][]string{"instanceType": {"x9.none"}}
	res, err := Fetch(context.Background(), opts)
	if err != nil {
		t.Fatalf("narrowing the filters: %v", err)
	}
	if o := offerFor(t, res.Report, "us-east-1"); len(o.Removed) != 141 || hasFlag(o, report.FlagLargeRemoval, "") {
		t.Errorf("narrowed selection: %d removed, flags %+v", len(o.Removed), o.Flags)
	}
}

// More than maxRemovedPct of a region's lines vanishing in one version
// (here a CSV cut at a row boundary) stops the run before anything is
// written; --accept-removals records it with a flag, and 100 turns the
// guard off. The counts are those of the files.
func TestRemovalGuard(t *testing.T) {
	const keep = 100
	var kept []byte
	opts, before := guardMirror(t, func(mirror string) {
		name := filepath.Join(mirror, fmt.Sprintf(newVersionFile, "us-east-1", "csv"))
		rewrite(t, name, csvHead(keep))
		kept, _ = os.ReadFile(name)
	})
	old, err := snapshot.Load(snapshot.Path(opts.Out, "AmazonRedshift", "us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	removed := len(old.Rows) - sharedRateCodes(t, old, kept)
	pct := float64(removed) * 100 / float64(len(old.Rows))
	if pct <= config.DefaultMaxRemovedPct {
		t.Fatalf("the cut removes only %.1f%%; cut more", pct)
	}
	counts := fmt.Sprintf("%d of %d lines (%.1f%%)", removed, len(old.Rows), pct)

	_, err = Fetch(context.Background(), opts)
	for _, want := range []string{"AmazonRedshift us-east-1: " + counts + " would be removed, over maxRemovedPct 20", "--accept-removals", "raise maxRemovedPct"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Run = %v, want it to contain %q", err, want)
		}
	}
	assertUnchanged(t, opts.Out, before)

	limit := 50.0
	opts.Config.MaxRemovedPct = &limit
	res, err := Fetch(context.Background(), opts)
	if err != nil {
		t.Fatalf("under a raised maxRemovedPct: %v", err)
	}
	if o := offerFor(t, res.Report, "us-east-1"); len(o.Removed) != removed || hasFlag(o, report.FlagLargeRemoval, "") {
		t.Errorf("under the limit: %d removed, flags %+v", len(o.Removed), o.Flags)
	}
	// The other region's ordinary version change was never in question.
	if o := offerFor(t, res.Report, "eu-west-1"); hasFlag(o, report.FlagLargeRemoval, "") {
		t.Errorf("eu-west-1 flags %+v", o.Flags)
	}
}

func TestAcceptedRemovalsAreFlagged(t *testing.T) {
	opts, _ := guardMirror(t, func(mirror string) {
		rewrite(t, filepath.Join(mirror, fmt.Sprintf(newVersionFile, "us-east-1", "csv")), csvHead(100))
	})
	opts.AcceptRemovals = true
	res, err := Fetch(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	o := offerFor(t, res.Report, "us-east-1")
	want := fmt.Sprintf("%d of 141 lines", len(o.Removed))
	if !hasFlag(o, report.FlagLargeRemoval, want) || !hasFlag(o, report.FlagLargeRemoval, "over maxRemovedPct 20; accepted with --accept-removals") {
		t.Errorf("flags %+v, want a large_removal naming %q", o.Flags, want)
	}
	if md := res.Report.Markdown(0); !strings.Contains(md, "large_removal") {
		t.Errorf("Markdown lacks the flag:\n%s", md)
	}
	data, err := os.ReadFile(snapshot.Path(opts.Out, "AmazonRedshift", "us-east-1"))
	if err != nil || strings.Count(string(data), "\n") != 101 {
		t.Errorf("accepted snapshot: %d lines, %v", strings.Count(string(data), "\n"), err)
	}

	// 100 turns the guard off: no stop, no flag.
	opts, _ = guardMirror(t, func(mirror string) {
		rewrite(t, filepath.Join(mirror, fmt.Sprintf(newVersionFile, "us-east-1", "csv")), csvHead(100))
	})
	off := 100.0
	opts.Config.MaxRemovedPct = &off
	res, err = Fetch(context.Background(), opts)
	if err != nil {
		t.Fatalf("maxRemovedPct 100: %v", err)
	}
	if o := offerFor(t, res.Report, "us-east-1"); hasFlag(o, report.FlagLargeRemoval, "") {
		t.Errorf("guard off, flags %+v", o.Flags)
	}
}

// sharedRateCodes counts the old snapshot's rate codes an offer CSV has.
func sharedRateCodes(t *testing.T, old *snapshot.Snapshot, file []byte) int {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(file))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	inFile := map[string]bool{}
	for _, rec := range records[6:] {
		inFile[rec[2]] = true // RateCode
	}
	n := 0
	for _, row := range old.Rows {
		if inFile[row[snapshot.ColRateCode]] {
			n++
		}
	}
	return n
}

func offerFor(t *testing.T, r report.Report, region string) report.Offer {
	t.Helper()
	for _, o := range r.Offers {
		if o.Region == region {
			return o
		}
	}
	t.Fatalf("no report entry for %s", region)
	return report.Offer{}
}

// hasFlag reports whether o has a flag of kind whose message contains msg.
func hasFlag(o report.Offer, kind, msg string) bool {
	for _, f := range o.Flags {
		if f.Kind == kind && strings.Contains(f.Message, msg) {
			return true
		}
	}
	return false
}

// An attribute AWS stops publishing (no region's file of the new version
// has it) is not a typo when an earlier snapshot of the offer had it: the
// column is written empty, with a warning and a flag, on that version and
// on the ones after it. A name no snapshot and no file had stays a typo.
func TestDroppedAttribute(t *testing.T) {
	mirror := testkit.MirrorCopy(t)
	out := t.TempDir()
	opts := options(t, out)
	opts.Config.Offers[0].Attributes = []string{"transferType"}
	opts.Config.Offers[0].DefaultAttributes = false
	if _, err := Fetch(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		rewrite(t, filepath.Join(mirror, fmt.Sprintf(newVersionFile, region, "csv")), func(s string) string {
			return strings.Replace(s, `"Transfer Type"`, `"Something Else"`, 1)
		})
	}
	var err error
	if opts.Client, err = bulk.New("file://"+mirror, nil); err != nil {
		t.Fatal(err)
	}
	opts.Version = ""
	var log bytes.Buffer
	opts.Log = &log
	res, err := Fetch(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run = %v, want the dropped attribute written empty", err)
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		if o := offerFor(t, res.Report, region); !hasFlag(o, report.FlagAttributeDropped, "attribute transferType: no product of version 20180401000000 has it") {
			t.Errorf("%s flags %+v", region, o.Flags)
		}
		snap, err := snapshot.Load(snapshot.Path(out, "AmazonRedshift", region))
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Attributes) != 1 || snap.Attributes[0] != "transferType" || len(snap.Rows) < 100 {
			t.Errorf("%s: columns %v, %d rows", region, snap.Attributes, len(snap.Rows))
		}
		for _, row := range snap.Rows {
			if v := row[len(row)-1]; v != "" {
				t.Fatalf("%s: transferType %q, want empty", region, v)
			}
		}
	}
	if len(res.Warnings) != 2 || !strings.Contains(log.String(), "warning: AmazonRedshift us-east-1: attributes.transferType: no product of version 20180401000000 has that attribute, but an earlier snapshot of AmazonRedshift had it") {
		t.Errorf("warnings %q", res.Warnings)
	}

	// The next run: the recorded column is all empty now, and still says
	// a file once had it. Nothing is lost this time: a warning, no flag.
	opts.Force = true
	res, err = Fetch(context.Background(), opts)
	if err != nil {
		t.Fatalf("the run after the drop: %v", err)
	}
	if o := offerFor(t, res.Report, "us-east-1"); hasFlag(o, report.FlagAttributeDropped, "") || len(res.Warnings) != 2 {
		t.Errorf("the run after the drop: flags %+v, warnings %q", o.Flags, res.Warnings)
	}

	// A name no snapshot and no file ever had is still a typo.
	opts.Config.Offers[0].Attributes = []string{"transferTyp"}
	if _, err := Fetch(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "attributes.transferTyp: no product in this file has that attribute") {
		t.Errorf("a typo: %v", err)
	}
}

// The manifest speaks for regions the run does not read: a region newly
// configured whose file lacks the attribute is not a typo when a region
// recorded with the same selection (skipped now) had it.
func TestDroppedAttributeFromTheManifest(t *testing.T) {
	mirror := testkit.MirrorCopy(t)
	client, err := bulk.New("file://"+mirror, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse([]byte("offers:\n  - code: AmazonRedshift\n    regions: [eu-west-1]\n    attributes: [transferType]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err = config.Resolve(cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
	opts := FetchOptions{Config: cfg, Out: t.TempDir(), Client: client}
	if _, err := Fetch(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	rewrite(t, filepath.Join(mirror, fmt.Sprintf(newVersionFile, "us-east-1", "csv")), func(s string) string {
		return strings.Replace(s, `"Transfer Type"`, `"Something Else"`, 1)
	})
	opts.Config.Offers[0].Regions = []string{"us-east-1", "eu-west-1"}
	res, err := Fetch(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run = %v, want us-east-1 recorded with the column empty", err)
	}
	// No value was lost in us-east-1 (it had no snapshot): a warning only.
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "AmazonRedshift us-east-1: attributes.transferType: no product of version 20180401000000 has that attribute") {
		t.Errorf("warnings %q", res.Warnings)
	}
	if o := offerFor(t, res.Report, "eu-west-1"); o.Skipped != SkippedRecorded {
		t.Errorf("eu-west-1 was read again: %+v", o)
	}
}
