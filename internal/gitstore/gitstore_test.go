package gitstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pricechecker/pricechecker/internal/snapshot"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

// isolate keeps the tests away from the user's git configuration: no
// global or system config, so identity must come from the code under test.
func isolate(t *testing.T) {
	t.Helper()
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("HOME", t.TempDir())
	for _, k := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE", "GIT_DIR", "GIT_WORK_TREE"} {
		os.Unsetenv(k) // t.Setenv first so that the value comes back after the test
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

// remote makes a bare repository with one commit on main, and returns it.
func remote(t *testing.T) string {
	t.Helper()
	bare := filepath.Join(t.TempDir(), "remote.git")
	testkit.Git(t, ".", "init", "--quiet", "--bare", "--initial-branch=main", bare)
	seed := clone(t, bare)
	write(t, seed, "README.md", "prices\n")
	testkit.Git(t, seed, "add", "README.md")
	testkit.Git(t, seed, "commit", "--quiet", "-m", "start")
	testkit.Git(t, seed, "push", "--quiet", "origin", "HEAD:main")
	return bare
}

func clone(t *testing.T, bare string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "work")
	testkit.Git(t, ".", "clone", "--quiet", bare, dir)
	testkit.Git(t, dir, "checkout", "--quiet", "-B", "main")
	return dir
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCommit(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	dir := clone(t, remote(t))
	write(t, dir, "prices/AmazonEC2/us-east-1.csv", "a\n")
	write(t, dir, "prices/AmazonEC2/manifest.json", "{}\n")
	// Something else staged must stay out of the commit.
	write(t, dir, "notes.txt", "unrelated\n")
	testkit.Git(t, dir, "add", "notes.txt")

	body := "## AWS price changes\n\n| a | b |\n|---|---|\n"
	sha, committed, err := Commit(ctx, dir, []string{"prices/AmazonEC2"}, "AmazonEC2 us-east-1 1: 0 changed, 1 added, 0 removed", body, Identity{})
	if err != nil || !committed || len(sha) != 40 {
		t.Fatalf("Commit = %q, %v, %v", sha, committed, err)
	}
	if got := testkit.Git(t, dir, "show", "--name-only", "--format=", "HEAD"); got != "prices/AmazonEC2/manifest.json\nprices/AmazonEC2/us-east-1.csv" {
		t.Errorf("committed files:\n%s", got)
	}
	if got := testkit.Git(t, dir, "diff", "--cached", "--name-only"); got != "notes.txt" {
		t.Errorf("still staged: %q", got)
	}
	if got := testkit.Git(t, dir, "log", "-1", "--format=%an <%ae>|%cn <%ce>"); got != "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>" {
		t.Errorf("identity = %s", got)
	}
	if got := testkit.Git(t, dir, "log", "-1", "--format=%B"); !strings.Contains(got, "## AWS price changes") || !strings.HasPrefix(got, "AmazonEC2 us-east-1 1: 0 changed") {
		t.Errorf("message lost its Markdown:\n%s", got)
	}

	// Nothing changed: no commit, no error.
	before := testkit.Git(t, dir, "rev-parse", "HEAD")
	if sha, committed, err := Commit(ctx, dir, []string{"prices/AmazonEC2"}, "again", "", Identity{}); err != nil || committed || sha != "" {
		t.Errorf("unchanged Commit = %q, %v, %v", sha, committed, err)
	}
	if testkit.Git(t, dir, "rev-parse", "HEAD") != before {
		t.Error("an empty commit was made")
	}

	// A deleted file is recorded; the author is configurable.
	os.Remove(filepath.Join(dir, "prices/AmazonEC2/us-east-1.csv"))
	if _, committed, err := Commit(ctx, dir, []string{"prices/AmazonEC2"}, "drop", "", Identity{Name: "Price Bot", Email: "bot@example.com"}); err != nil || !committed {
		t.Fatalf("Commit deletion = %v, %v", committed, err)
	}
	if got := testkit.Git(t, dir, "log", "-1", "--format=%an <%ae>", "--name-status"); !strings.Contains(got, "Price Bot <bot@example.com>") || !strings.Contains(got, "D\tprices/AmazonEC2/us-east-1.csv") {
		t.Errorf("deletion commit:\n%s", got)
	}
}

func TestCommitInEmptyRepository(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	testkit.Git(t, ".", "init", "--quiet", "--initial-branch=main", dir)
	write(t, dir, "prices/X/r.csv", "a\n")
	if _, committed, err := Commit(context.Background(), dir, []string{"prices"}, "first", "", Identity{}); err != nil || !committed {
		t.Fatalf("Commit = %v, %v", committed, err)
	}
}

// TestPushRace has several runs, each for its own offer, commit and push at
// the same moment from their own clones. Every push after the first is
// rejected, rebased and retried; all of them must land.
func TestPushRace(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	bare := remote(t)
	const runs = 4
	dirs := make([]string, runs)
	for i := range dirs {
		dirs[i] = clone(t, bare)
		offer := fmt.Sprintf("Offer%d", i)
		write(t, dirs[i], "prices/"+offer+"/us-east-1.csv", offer+"\n")
		if _, _, err := Commit(ctx, dirs[i], []string{"prices/" + offer}, offer+" us-east-1", "", Identity{}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, runs)
	for i := range dirs {
		wg.Go(func() { errs[i] = Push(ctx, dirs[i], "origin", "main", 10) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("run %d: %v", i, err)
		}
	}
	log := testkit.Git(t, bare, "log", "--format=%s", "main")
	for i := range runs {
		if !strings.Contains(log, fmt.Sprintf("Offer%d us-east-1", i)) {
			t.Errorf("the commit of Offer%d did not land:\n%s", i, log)
		}
	}
	if n := len(strings.Split(log, "\n")); n != runs+1 {
		t.Errorf("remote has %d commits, want %d:\n%s", n, runs+1, log)
	}
}

// TestPushRaceSameOfferManifests has the shards of one offer (one per
// region) push at once. Each rewrote the offer's manifest.json; the rebase
// merges the manifests region by region instead of failing.
func TestPushRaceSameOfferManifests(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	bare := remote(t)
	seed := clone(t, bare)
	manifest := func(regions ...string) string {
		m := &snapshot.Manifest{OfferCode: "AmazonEC2", Regions: map[string]snapshot.RegionState{}}
		for _, r := range regions {
			m.Regions[r] = snapshot.RegionState{Version: "2", File: r + ".csv", Rows: len(r)}
		}
		data, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	// An existing region, recorded before the race.
	write(t, seed, "prices/AmazonEC2/ap-south-1.csv", "old\n")
	write(t, seed, "prices/AmazonEC2/manifest.json", strings.Replace(manifest("ap-south-1"), `"version": "2"`, `"version": "1"`, 1))
	if _, _, err := Commit(ctx, seed, []string{"prices"}, "seed", "", Identity{}); err != nil {
		t.Fatal(err)
	}
	if err := Push(ctx, seed, "origin", "main", 1); err != nil {
		t.Fatal(err)
	}
	regions := []string{"us-east-1", "eu-west-1", "ap-south-1"}
	dirs := make([]string, len(regions))
	for i, r := range regions {
		dirs[i] = clone(t, bare)
		// Each shard's manifest: what it cloned plus its own region.
		was := &snapshot.Manifest{}
		if err := json.Unmarshal([]byte(testkit.Git(t, dirs[i], "show", "HEAD:prices/AmazonEC2/manifest.json")), was); err != nil {
			t.Fatal(err)
		}
		was.Regions[r] = snapshot.RegionState{Version: "2", File: r + ".csv", Rows: len(r)}
		data, _ := was.Encode()
		write(t, dirs[i], "prices/AmazonEC2/manifest.json", string(data))
		write(t, dirs[i], "prices/AmazonEC2/"+r+".csv", r+"\n")
		if _, _, err := Commit(ctx, dirs[i], []string{"prices"}, "AmazonEC2 "+r, "", Identity{}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(dirs))
	for i := range dirs {
		wg.Go(func() { errs[i] = Push(ctx, dirs[i], "origin", "main", 10) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("shard %s: %v", regions[i], err)
		}
	}
	if got, want := testkit.Git(t, bare, "show", "main:prices/AmazonEC2/manifest.json")+"\n", manifest(regions...); got != want {
		t.Errorf("merged manifest:\n%s\nwant:\n%s", got, want)
	}
	if n := len(strings.Split(testkit.Git(t, bare, "log", "--format=%s", "main"), "\n")); n != 2+len(regions) {
		t.Errorf("remote has %d commits, want %d", n, 2+len(regions))
	}
}

func TestPushConflict(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	bare := remote(t)
	a, b := clone(t, bare), clone(t, bare)
	for i, dir := range []string{a, b} {
		write(t, dir, "prices/AmazonEC2/us-east-1.csv", fmt.Sprintf("version %d\n", i))
		if _, _, err := Commit(ctx, dir, []string{"prices"}, "AmazonEC2", "", Identity{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := Push(ctx, a, "origin", "main", 3); err != nil {
		t.Fatal(err)
	}
	head := testkit.Git(t, b, "rev-parse", "HEAD")
	err := Push(ctx, b, "origin", "main", 3)
	var conflict *ConflictError
	if !errors.As(err, &conflict) || len(conflict.Files) != 1 || conflict.Files[0] != "prices/AmazonEC2/us-east-1.csv" {
		t.Fatalf("Push = %v, want a conflict naming the file", err)
	}
	if !strings.Contains(err.Error(), "prices/AmazonEC2/us-east-1.csv") {
		t.Errorf("message does not name the file: %v", err)
	}
	if testkit.Git(t, b, "rev-parse", "HEAD") != head || testkit.Git(t, b, "status", "--porcelain") != "" {
		t.Error("the aborted rebase left the clone changed")
	}
}

func TestPushErrors(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	dir := clone(t, remote(t))
	err := Push(ctx, dir, "nowhere", "main", 3)
	if err == nil || strings.Contains(err.Error(), "still rejected") {
		t.Errorf("push to a missing remote: %v (must fail at once)", err)
	}
	testkit.Git(t, dir, "checkout", "--quiet", "--detach")
	if _, err := CurrentBranch(ctx, dir); err == nil {
		t.Error("CurrentBranch on a detached HEAD did not fail")
	}
}

func TestRedact(t *testing.T) {
	got := Redact("fatal: unable to access 'https://x-access-token:ghs_secret@github.com/o/r.git/': 403 and http://u@h/")
	if strings.Contains(got, "ghs_secret") || !strings.Contains(got, "https://***@github.com/o/r.git/") || !strings.Contains(got, "http://***@h/") {
		t.Errorf("Redact = %s", got)
	}
	e := &Error{Args: []string{"-c", "user.name=x", "push", "https://a:b@h/r"}, Stderr: Redact("denied https://a:b@h/r"), Err: errors.New("exit status 128")}
	if e.Error() != "git push: denied https://***@h/r (exit status 128)" {
		t.Errorf("Error = %s", e.Error())
	}
}
