package tracker

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// history is a Recorded held elsewhere than the snapshot folder, as git
// holds it for `run --commit`.
type history struct{ WorkTree }

// The run skips by and compares with the Recorded it is given, not with
// what the snapshot folder holds.
func TestRunReadsTheRecordedHistory(t *testing.T) {
	ctx := context.Background()
	recorded := t.TempDir()
	if _, err := Fetch(ctx, options(t, recorded)); err != nil {
		t.Fatal(err)
	}
	// The snapshot folder holds a later version, as a run whose commit
	// failed leaves it; the history still has the first.
	out := t.TempDir()
	later := options(t, out)
	later.Version = ""
	if _, err := Fetch(ctx, later); err != nil {
		t.Fatal(err)
	}

	opts := options(t, out)
	opts.Version = ""
	opts.Recorded = history{WorkTree(recorded)}
	res, err := Fetch(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Report.Offers {
		if o.Skipped != "" || o.FromVersion != "20180309224506" || len(o.Added)+len(o.Changed)+len(o.Removed) == 0 {
			t.Errorf("%s: skipped %q, from %q, %d added, %d changed: not compared with the recorded history", o.Region, o.Skipped, o.FromVersion, len(o.Added), len(o.Changed))
		}
	}
	m, err := snapshot.LoadManifest(out, "AmazonRedshift")
	if err != nil || m.Regions["us-east-1"].Version != "20180401000000" {
		t.Errorf("manifest written: %+v, %v", m, err)
	}
}

// Temporary files a killed run left are removed by the next run that
// writes, and left alone by a dry run, which touches nothing.
func TestRunRemovesStaleTemporaryFiles(t *testing.T) {
	out := t.TempDir()
	stale := filepath.Join(out, "AmazonRedshift", ".us-east-1.csv.tmp-123")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := options(t, out)
	opts.DryRun = true
	if _, err := Fetch(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err != nil {
		t.Errorf("a dry run removed %s: %v", stale, err)
	}
	opts.DryRun = false
	if _, err := Fetch(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("%s is still there: %v", stale, err)
	}
}
