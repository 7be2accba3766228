package gitstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/snapshot"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

// What Recorded reads is the commit's, whatever the work tree holds: a
// failed run's files are not recorded.
func TestRecordedReadsTheCommitNotTheWorkTree(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	dir := clone(t, remote(t))
	write(t, dir, "prices/AmazonEC2/manifest.json", `{"offerCode":"AmazonEC2","regions":{"us-east-1":{"version":"20250101000000"}}}`+"\n")
	header := strings.Join(snapshot.FixedColumns[:], ",") + "\n"
	write(t, dir, "prices/AmazonEC2/us-east-1.csv", header+"A.B.C,A,OnDemand,Hrs,1.00,USD,,,,,,2025-01-01,one hour\n")
	testkit.Git(t, dir, "add", "prices")
	testkit.Git(t, dir, "commit", "--quiet", "-m", "record")
	head := testkit.Git(t, dir, "rev-parse", "HEAD")
	// What a run that could not commit leaves behind.
	write(t, dir, "prices/AmazonEC2/manifest.json", `{"offerCode":"AmazonEC2","regions":{"us-east-1":{"version":"20260101000000"},"eu-west-1":{"version":"20260101000000"}}}`+"\n")
	write(t, dir, "prices/AmazonEC2/us-east-1.csv", "garbage\n")
	write(t, dir, "prices/AmazonEC2/eu-west-1.csv", "garbage\n")

	// --out as given on the command line: relative to the current
	// directory, here a subfolder of the repository.
	t.Chdir(filepath.Join(dir, "prices"))
	rec, err := OpenRecorded(ctx, dir, head, ".")
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	m, err := rec.Manifest("AmazonEC2")
	if err != nil || m.OfferCode != "AmazonEC2" || len(m.Regions) != 1 || m.Regions["us-east-1"].Version != "20250101000000" {
		t.Errorf("Manifest = %+v, %v", m, err)
	}
	s, err := rec.Snapshot("AmazonEC2", "us-east-1")
	if err != nil || len(s.Rows) != 1 || s.Rows[0][4] != "1.00" {
		t.Errorf("Snapshot = %+v, %v", s, err)
	}
	if _, err := rec.Snapshot("AmazonEC2", "eu-west-1"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a snapshot only the work tree has: %v", err)
	}
	for region, want := range map[string]bool{"us-east-1": true, "eu-west-1": false} {
		if has, err := rec.HasSnapshot("AmazonEC2", region); err != nil || has != want {
			t.Errorf("HasSnapshot(%s) = %v, %v", region, has, err)
		}
	}
	if m, err := rec.Manifest("AmazonS3"); err != nil || len(m.Regions) != 0 || m.OfferCode != "AmazonS3" {
		t.Errorf("an offer never recorded: %+v, %v", m, err)
	}

	// Nothing recorded yet (an unborn branch, a remote without it).
	empty, err := OpenRecorded(ctx, dir, "", ".")
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if m, err := empty.Manifest("AmazonEC2"); err != nil || len(m.Regions) != 0 {
		t.Errorf("empty history: %+v, %v", m, err)
	}
	if has, err := empty.HasSnapshot("AmazonEC2", "us-east-1"); err != nil || has {
		t.Errorf("empty history has a snapshot: %v, %v", has, err)
	}
}

func TestFetchBranchAndPending(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	bare := remote(t)
	dir := clone(t, bare)
	up, err := FetchBranch(ctx, dir, "origin", "main")
	if err != nil || up != testkit.Git(t, bare, "rev-parse", "main") {
		t.Fatalf("FetchBranch = %q, %v", up, err)
	}
	if commits, _, err := Pending(ctx, dir, up); err != nil || len(commits) != 0 {
		t.Errorf("Pending after a clone = %q, %v", commits, err)
	}
	write(t, dir, "prices/X/r.csv", "a\n")
	if _, _, err := Commit(ctx, dir, []string{"prices/X/r.csv"}, "one", "", Identity{}); err != nil {
		t.Fatal(err)
	}
	commits, files, err := Pending(ctx, dir, up)
	if err != nil || len(commits) != 1 || strings.Join(files, ",") != "prices/X/r.csv" {
		t.Errorf("Pending = %q, %q, %v", commits, files, err)
	}
	// A remote without the branch records nothing: every commit is pending.
	if up, err := FetchBranch(ctx, dir, "origin", "other"); err != nil || up != "" {
		t.Errorf("FetchBranch of a missing branch = %q, %v", up, err)
	}
	if commits, _, err := Pending(ctx, dir, ""); err != nil || len(commits) != 2 {
		t.Errorf("Pending with no remote branch = %q, %v", commits, err)
	}
	// A remote that cannot be reached is an error, not "nothing recorded".
	testkit.Git(t, dir, "remote", "add", "gone", filepath.Join(t.TempDir(), "gone.git"))
	if _, err := FetchBranch(ctx, dir, "gone", "main"); err == nil {
		t.Error("FetchBranch from a missing remote succeeded")
	}
}

func TestCheckPushTarget(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	dir := clone(t, remote(t))
	if b, err := CheckPushTarget(ctx, dir, "origin", ""); err != nil || b != "main" {
		t.Errorf("on main: %q, %v", b, err)
	}
	if _, err := CheckPushTarget(ctx, dir, "upstream", ""); err == nil || !strings.Contains(err.Error(), `no remote named "upstream"`) {
		t.Errorf("a missing remote: %v", err)
	}
	testkit.Git(t, dir, "checkout", "--quiet", "--detach")
	if _, err := CheckPushTarget(ctx, dir, "origin", ""); err == nil || !strings.Contains(err.Error(), "HEAD is detached") {
		t.Errorf("a detached HEAD: %v", err)
	}
	if b, err := CheckPushTarget(ctx, dir, "origin", "main"); err != nil || b != "main" {
		t.Errorf("a detached HEAD with --branch: %q, %v", b, err)
	}
}

// Restore puts the files a run wrote back to what HEAD holds, and takes
// away the ones HEAD does not hold; nothing else changes.
func TestRestore(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	dir := clone(t, remote(t))
	write(t, dir, "prices/X/manifest.json", "old\n")
	testkit.Git(t, dir, "add", "prices")
	testkit.Git(t, dir, "commit", "--quiet", "-m", "record")
	write(t, dir, "prices/X/manifest.json", "new\n")
	write(t, dir, "prices/X/r.csv", "new\n")
	write(t, dir, "prices/X/notes.txt", "mine\n")
	testkit.Git(t, dir, "add", "prices/X/manifest.json", "prices/X/r.csv", "prices/X/notes.txt")

	if err := Restore(ctx, dir, []string{"prices/X/manifest.json", "prices/X/r.csv"}); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "prices/X/manifest.json")); err != nil || string(data) != "old\n" {
		t.Errorf("manifest.json = %q, %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "prices/X/r.csv")); !os.IsNotExist(err) {
		t.Errorf("r.csv is still there: %v", err)
	}
	if got := testkit.Git(t, dir, "status", "--porcelain"); got != "A  prices/X/notes.txt" {
		t.Errorf("status:\n%s", got)
	}
}
