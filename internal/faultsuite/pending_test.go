package faultsuite

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The cases in this file inject faults of issue 11 that are not handled
// yet; each is skipped with the item that will handle it, and fails today
// when the Skip is removed. When the item lands, remove the Skip and set
// Want to the message and exit code the fix gives.

// editCSV returns a mirror CSV with column col of the first data row set
// to value (the header is the row that starts with "SKU").
func editCSV(t *testing.T, p, col, value string) []byte {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(readMirror(t, p)))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	at, header := -1, -1
	for i, row := range rows {
		if len(row) > 0 && row[0] == "SKU" {
			header = i
			for j, name := range row {
				if name == col {
					at = j
				}
			}
			break
		}
	}
	if at < 0 {
		t.Fatalf("%s has no column %q", p, col)
	}
	rows[header+1][at] = value
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPending(t *testing.T) {
	RunCases(t, []Case{
		{
			Name: "a region code that climbs out of --out",
			Skip: "pending item 3: a region code from region_index.json is used as a file name unchecked",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				index := strings.Replace(string(readMirror(t, regionIndexPath)), `"eu-west-1" : {
      "regionCode" : "eu-west-1",`, `"../../../escaped" : {
      "regionCode" : "../../../escaped",`, 1)
				f.Bulk.Rule(regionIndexPath, Fault{Body: []byte(index)})
			},
			Args: []string{"run", "--service", "AmazonRedshift", "--region", "all", "--progress-interval", "0"},
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged, Stderr: []string{`\.\./\.\./\.\./escaped`}},
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
			Name: "debris of a killed run is not committed",
			Skip: "pending item 4: stale .<region>.csv.tmp-* files stay and the whole offer folder is staged",
			Git:  true,
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Write(t, "prices/AmazonRedshift/.us-east-1.csv.tmp-4242", "half a snapshot")
			},
			Args: runArgs("--push"),
			Want: Want{Exit: 0, Snapshot: SnapshotWritten, Git: GitPushed},
			Check: func(t *testing.T, f *Fixture, res Result) {
				if files := Git(t, f.Remote, "ls-tree", "-r", "--name-only", "main"); strings.Contains(files, ".tmp-") {
					t.Errorf("a temporary file reached the remote:\n%s", files)
				}
			},
		},
		{
			Name: "a price that is not a number",
			Skip: "pending item 7: PricePerUnit \"abc\" is accepted with exit 0",
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Bulk.Rule(usEastCSV, Fault{Body: editCSV(t, usEastCSV, "PricePerUnit", "abc")})
			},
			Args: runArgs(),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged, Stderr: []string{`abc`}},
		},
	})
}

// A commit that git refuses (a failing pre-commit hook) is committed by
// the next run once git accepts it.
func TestPendingFailedCommitIsRetried(t *testing.T) {
	t.Skip("pending item 1: the re-run reads the version as recorded and commits nothing")
	t.Parallel()
	f := NewFixture(t, true)
	f.Seed(t)
	hook := filepath.Join(f.Dir, ".git", "hooks", "pre-commit")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho refused by the hook >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	head := Rev(t, f.Dir, "HEAD")
	res := f.Run(t, runArgs("--push")...)
	CheckResult(t, res, Want{Exit: 1, Stderr: []string{`refused by the hook`}})
	AssertRev(t, f.Remote, "main", head)

	if err := os.Remove(hook); err != nil {
		t.Fatal(err)
	}
	res = f.Run(t, runArgs("--push")...)
	CheckResult(t, res, Want{Exit: 0})
	if Rev(t, f.Remote, "main") == head {
		t.Error("the version refused by the hook never reached the remote")
	}
	AssertClean(t, f.Dir)
	AssertNoStrayFiles(t, f.Dir)
}
