package tracker

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

// runMirror runs the pipeline against the shipped mirror into out.
func runMirror(t *testing.T, out, version string) *FetchResult {
	t.Helper()
	client, err := bulk.New("file://"+testkit.Mirror(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Resolve(config.Config{}, []string{"AmazonRedshift"}, []string{"us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Fetch(context.Background(), FetchOptions{Config: cfg, Version: version, Out: out, Client: client})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestCommitAndPush records two runs of the mirror in a clone and pushes
// them to a bare remote; a third run that finds nothing new commits nothing.
func TestCommitAndPush(t *testing.T) {
	tmp := t.TempDir()
	bare, work := testkit.CloneOfBare(t, tmp)
	out := filepath.Join(work, "prices")

	var stderr bytes.Buffer
	opts := CommitOptions{RepoDir: work, Out: out, Push: true, AuthorName: "Price Bot", AuthorEmail: "bot@example.com"}
	ctx := context.Background()

	for _, version := range []string{"20180309224506", ""} {
		res := runMirror(t, out, version)
		sha, err := commitAndPush(ctx, &stderr, opts, res)
		if err != nil {
			t.Fatalf("commitAndPush: %v\n%s", err, stderr.String())
		}
		if len(sha) != 40 || testkit.Git(t, bare, "rev-parse", "main") != sha {
			t.Errorf("sha %q is not the remote's main", sha)
		}
	}
	log := testkit.Git(t, bare, "log", "--format=%an|%s", "main")
	want := "Price Bot|AmazonRedshift us-east-1 20180401000000: 9 changed, 10 added, 1 removed\n" +
		"Price Bot|AmazonRedshift us-east-1 20180309224506: 0 changed, 141 added, 0 removed"
	if log != want {
		t.Errorf("remote log:\n%s\nwant\n%s", log, want)
	}
	if body := testkit.Git(t, bare, "log", "-1", "--format=%b", "main"); !strings.HasPrefix(body, "## AWS price changes") {
		t.Errorf("body:\n%s", body)
	}
	if files := testkit.Git(t, bare, "show", "--name-only", "--format=", "main"); files != "prices/AmazonRedshift/manifest.json\nprices/AmazonRedshift/us-east-1.csv" {
		t.Errorf("files: %s", files)
	}

	// The version is recorded: the region is skipped, nothing to commit.
	res := runMirror(t, out, "")
	if sha, err := commitAndPush(ctx, &stderr, opts, res); err != nil || sha != "" {
		t.Errorf("unchanged run: %q, %v", sha, err)
	}
	if n := testkit.Git(t, bare, "rev-list", "--count", "main"); n != "2" {
		t.Errorf("remote has %s commits, want 2", n)
	}

	// A snapshot folder outside the repository is refused.
	res.Written = []string{filepath.Join(tmp, "AmazonRedshift", "us-east-1.csv")}
	if _, err := commitAndPush(ctx, &stderr, CommitOptions{RepoDir: work, Out: tmp}, res); err == nil || !strings.Contains(err.Error(), "not inside the repository") {
		t.Errorf("out outside the repository: %v", err)
	}
}
