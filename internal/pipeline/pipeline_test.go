package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/pricelist"
)

func options(t *testing.T, out string) Options {
	t.Helper()
	client, err := pricelist.New("file://../../testdata/mirror", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Resolve(config.Config{}, []string{"AmazonRedshift"}, []string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	return Options{Config: cfg, Version: "20180309224506", Out: out, Client: client}
}

// A snapshot over GitHub's file limit is refused before anything is
// written; one over the warning size is written with a warning.
func TestSnapshotSizeLimits(t *testing.T) {
	out := t.TempDir()
	opts := options(t, out)
	opts.MaxFileBytes = 10_000
	_, err := Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "over GitHub's 100 MB file limit; narrow the filters") {
		t.Fatalf("Run = %v, want the file-size refusal", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a refused run wrote %d entries", len(entries))
	}

	var log bytes.Buffer
	opts = options(t, out)
	opts.WarnFileBytes = 10_000
	opts.Log = &log
	res, err := Run(context.Background(), opts)
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
	res, err := Run(context.Background(), opts)
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
	mirror := t.TempDir()
	if err := os.CopyFS(mirror, os.DirFS("../../testdata/mirror")); err != nil {
		t.Fatal(err)
	}
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
	if opts.Client, err = pricelist.New("file://"+mirror, nil); err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), opts)
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
	mirror := t.TempDir()
	if err := os.CopyFS(mirror, os.DirFS("../../testdata/mirror")); err != nil {
		t.Fatal(err)
	}
	// eu-west-1's file loses its Instance Type column.
	name := filepath.Join(mirror, "offers/v1.0/aws/AmazonRedshift/20180309224506/eu-west-1/index.csv")
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(strings.Replace(string(data), `"Instance Type"`, `"Something Else"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(filter string) (*Result, error) {
		opts := options(t, t.TempDir())
		if opts.Client, err = pricelist.New("file://"+mirror, nil); err != nil {
			t.Fatal(err)
		}
		opts.Config.Offers[0].Filters = map[string][]string{filter: {"dc2.large"}}
		return Run(context.Background(), opts)
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
