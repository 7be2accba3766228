package tracker

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/selection"
	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

func options(t *testing.T, out string) FetchOptions {
	t.Helper()
	client, err := bulk.New("file://../../testdata/mirror", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Resolve(config.Config{}, []string{"AmazonRedshift"}, []string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	return FetchOptions{Config: cfg, Version: "20180309224506", Out: out, Client: client}
}

// A snapshot over GitHub's file limit is refused before anything is
// written; one over the warning size is written with a warning.
func TestSnapshotSizeLimits(t *testing.T) {
	out := t.TempDir()
	opts := options(t, out)
	opts.MaxFileBytes = 10_000
	_, err := Fetch(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "over GitHub's 100 MB file limit; narrow the filters") {
		t.Fatalf("Run = %v, want the file-size refusal", err)
	}
	// Refused while reading, not after holding the whole snapshot.
	if !strings.Contains(err.Error(), "the snapshot would be over") {
		t.Errorf("Run = %v, want the refusal from the streaming check", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a refused run wrote %d entries", len(entries))
	}

	var log bytes.Buffer
	opts = options(t, out)
	opts.WarnFileBytes = 10_000
	opts.Log = &log
	res, err := Fetch(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 2 || !strings.Contains(log.String(), "warning: AmazonRedshift us-east-1: the snapshot is") {
		t.Errorf("warnings = %q, log:\n%s", res.Warnings, log.String())
	}
	for _, f := range []string{"us-east-1.csv", "eu-west-1.csv", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, "AmazonRedshift", f)); err != nil {
			t.Error(err)
		}
	}
}

// A dry run computes the report and writes nothing.
func TestDryRunWritesNothing(t *testing.T) {
	out := t.TempDir()
	opts := options(t, out)
	opts.DryRun = true
	res, err := Fetch(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Unchanged || len(res.Report.Offers) != 2 || len(res.Written) != 0 {
		t.Errorf("dry run result = %+v", res)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a dry run wrote %d entries", len(entries))
	}
}

// The file must be the version the index named: when current/ moves on
// while a run downloads, or a mirror is inconsistent, the run fails rather
// than recording one version's prices under another's number.
func TestFileVersionMustMatchTheIndex(t *testing.T) {
	mirror := testkit.MirrorCopy(t)
	base := filepath.Join(mirror, "offers/v1.0/aws/AmazonRedshift")
	old, err := os.ReadFile(filepath.Join(base, "20180309224506/us-east-1/index.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "20180401000000/us-east-1/index.csv"), old, 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	opts := options(t, out)
	opts.Version = ""
	if opts.Client, err = bulk.New("file://"+mirror, nil); err != nil {
		t.Fatal(err)
	}
	_, err = Fetch(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "the file is version 20180309224506, the region index names 20180401000000") {
		t.Fatalf("Run = %v, want a version mismatch", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a failed run wrote %d entries", len(entries))
	}
}

// A filter attribute one region's file lacks is not a typo when another
// region has it: that region is recorded empty, with a warning. When no
// region has it, the run fails and names it.
func TestSelectionNamesMissingInOneRegionOnly(t *testing.T) {
	client := mirrorWithout(t) // eu-west-1's file lacks the Instance Type column
	run := func(filter string) (*FetchResult, error) {
		opts := options(t, t.TempDir())
		opts.Client = client
		opts.Config.Offers[0].Filters = map[string][]string{filter: {"dc2.large"}}
		return Fetch(context.Background(), opts)
	}
	res, err := run("instanceType")
	if err != nil {
		t.Fatalf("Run = %v, want eu-west-1 recorded empty", err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "AmazonRedshift eu-west-1") || !strings.Contains(res.Warnings[0], "recorded as empty") {
		t.Errorf("warnings = %q", res.Warnings)
	}
	if _, err := run("instanceTyp"); err == nil || !strings.Contains(err.Error(), "filters.instanceTyp") {
		t.Errorf("a name no region has: %v", err)
	}
}

// mirrorWithout copies the mirror with eu-west-1's 20180309224506 CSV
// titling its Instance Type column differently, as a region whose file
// lacks the attribute.
func mirrorWithout(t *testing.T) *bulk.Client {
	t.Helper()
	mirror := testkit.MirrorCopy(t)
	name := filepath.Join(mirror, "offers/v1.0/aws/AmazonRedshift/20180309224506/eu-west-1/index.csv")
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(strings.Replace(string(data), `"Instance Type"`, `"Something Else"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	client, err := bulk.New("file://"+mirror, nil)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// The rule is per name: a name is a typo only when no region's file has
// it, even when the region that has it keeps nothing (it does not sell
// the value the filter names).
func TestSelectionNameOneRegionHasButKeepsNothing(t *testing.T) {
	opts := options(t, t.TempDir())
	opts.Client = mirrorWithout(t)
	opts.Config.Offers[0].Filters = map[string][]string{"instanceType": {"x9.none"}}
	res, err := Fetch(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run = %v, want both regions recorded empty", err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "AmazonRedshift eu-west-1") || !strings.Contains(res.Warnings[0], "recorded as empty") {
		t.Errorf("warnings = %q", res.Warnings)
	}
}

// A misspelt attributes: entry would write an all-empty column: it fails
// the run like a misspelt filter, unless another region's file has the
// attribute; then the lacking region keeps its lines with the column
// empty, and says so.
// The default columns are not the user's words: an offer whose products
// lack one gets an empty column, not an error.
func TestDefaultAttributesAreNotChecked(t *testing.T) {
	opts := options(t, t.TempDir())
	opts.Config.Offers[0].Attributes = []string{"productFamily", "noSuchDefault"}
	opts.Config.Offers[0].DefaultAttributes = true
	if _, err := Fetch(context.Background(), opts); err != nil {
		t.Fatalf("Run with a default column no product has = %v, want success", err)
	}
}

func TestMisspeltAttributes(t *testing.T) {
	out := t.TempDir()
	opts := options(t, out)
	opts.Config.Offers[0].Attributes = []string{"instanceTyp"}
	opts.Config.Offers[0].DefaultAttributes = false
	_, err := Fetch(context.Background(), opts)
	var se *selection.Error
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "attributes.instanceTyp: no product in this file has that attribute; did you mean instanceType?") {
		t.Fatalf("Run = %v, want a selection.Error naming attributes.instanceTyp", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a failed run wrote %d entries", len(entries))
	}

	opts = options(t, out)
	opts.Client = mirrorWithout(t)
	opts.Config.Offers[0].Attributes = []string{"instanceType"}
	opts.Config.Offers[0].DefaultAttributes = false
	res, err := Fetch(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run = %v, want eu-west-1 recorded with an empty column", err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "AmazonRedshift eu-west-1") || !strings.Contains(res.Warnings[0], "attributes.instanceType") || !strings.Contains(res.Warnings[0], "column is empty") {
		t.Errorf("warnings = %q", res.Warnings)
	}
	data, err := os.ReadFile(filepath.Join(out, "AmazonRedshift", "eu-west-1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(string(data), "\n") - 1; rows < 100 {
		t.Errorf("eu-west-1 has %d rows, want all of them", rows)
	}
	if !strings.HasSuffix(strings.SplitN(string(data), "\n", 2)[0], ",instanceType") {
		t.Errorf("eu-west-1 header: %q", strings.SplitN(string(data), "\n", 2)[0])
	}
}

// A typo in a Savings Plans filter is reported in the configuration's
// spelling, from either format, instead of an empty snapshot.
func TestSavingsPlanTypos(t *testing.T) {
	cfg, err := config.Parse([]byte("savingsPlans:\n  - code: AWSComputeSavingsPlan\n    regions: [ap-east-2]\n    filters: {instanceFamly: r7g}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"csv", "json"} {
		opts := options(t, t.TempDir())
		opts.Config, opts.Version, opts.Format, opts.DryRun = cfg, "", format, true
		_, err := Fetch(context.Background(), opts)
		var se *selection.Error
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "AWSComputeSavingsPlan ap-east-2") || !strings.Contains(err.Error(), "filters.instanceFamly: no product in this file has that attribute; did you mean instanceFamily?") {
			t.Errorf("%s: Run = %v, want a selection.Error naming filters.instanceFamly", format, err)
		}
	}
}
