package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/cli"
	"github.com/pricechecker/pricechecker/internal/snapshot"
	"github.com/pricechecker/pricechecker/internal/source/bulk/bulkfake"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

// These tests inject git faults into `run --commit` and `run --push`
// (hooks that refuse, a remote that cannot be reached after the fetch, a
// detached HEAD) with real git and bare remotes, and check that a re-run
// repairs: what is recorded is what git holds, never what a failed run left
// in the work tree.

const (
	v1 = "20180309224506"
	// The subject of the commit that records the mirror's second version
	// of us-east-1 on top of the first.
	usEast1V2 = "AmazonRedshift us-east-1 20180401000000: 5 changed, 1 added, 0 removed"
)

// history is a clone of a bare remote, with a configuration for the mirror.
type history struct {
	bare, work, cfg, endpoint string
}

func newHistory(t *testing.T, regions string) *history {
	t.Helper()
	tmp := t.TempDir()
	h := &history{cfg: filepath.Join(tmp, "cfg.yml"), endpoint: "file://" + testkit.Mirror(t)}
	h.bare, h.work = testkit.CloneOfBare(t, tmp)
	must(t, os.WriteFile(h.cfg, []byte("offers:\n  - code: AmazonRedshift\n    regions: ["+regions+"]\n    terms: [OnDemand]\n    filters:\n      productFamily: Compute Instance\n    attributes: [instanceType, vcpu, memory]\n"), 0o644))
	return h
}

// run runs `pricechecker run` into the clone and returns the exit code
// and standard error.
func (h *history) run(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append([]string{"run", "--endpoint", h.endpoint, "--config", h.cfg, "--repo", h.work, "--out", filepath.Join(h.work, "prices"), "--progress-interval", "0"}, args...)
	code := cli.Main(context.Background(), args, cli.Env{Getenv: func(string) string { return "" }, Stdout: &stdout, Stderr: &stderr})
	return code, stderr.String()
}

// mustRun runs and fails the test unless the run exits with want.
func (h *history) mustRun(t *testing.T, want int, args ...string) string {
	t.Helper()
	code, stderr := h.run(t, args...)
	if code != want {
		t.Fatalf("run %s: exit %d, want %d\n%s", strings.Join(args, " "), code, want, stderr)
	}
	return stderr
}

// hook installs (or, with an empty script, removes) a git hook.
func hook(t *testing.T, gitDir, name, script string) {
	t.Helper()
	p := filepath.Join(gitDir, "hooks", name)
	if script == "" {
		must(t, os.Remove(p))
		return
	}
	must(t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(t, os.WriteFile(p, []byte("#!/bin/sh\n"+script+"\n"), 0o755))
}

// manifestAt decodes the manifest a commit holds.
func manifestAt(t *testing.T, dir, rev string) snapshot.Manifest {
	t.Helper()
	var m snapshot.Manifest
	must(t, json.Unmarshal([]byte(testkit.Git(t, dir, "show", rev+":prices/AmazonRedshift/manifest.json")), &m))
	return m
}

// A commit a pre-commit hook refused records nothing and leaves the
// snapshot files as git holds them; the next run fetches again and
// commits.
func TestRunCommitAfterFailedCommit(t *testing.T) {
	h := newHistory(t, "us-east-1, eu-west-1")
	h.mustRun(t, cli.ExitOK, "--version", v1, "--commit")
	before := testkit.Git(t, h.work, "rev-parse", "HEAD")

	hook(t, filepath.Join(h.work, ".git"), "pre-commit", "echo 'refused by the pre-commit hook' >&2; exit 1")
	if stderr := h.mustRun(t, cli.ExitError, "--commit"); !strings.Contains(stderr, "refused by the pre-commit hook") {
		t.Errorf("the failed commit does not say why:\n%s", stderr)
	}
	if head := testkit.Git(t, h.work, "rev-parse", "HEAD"); head != before {
		t.Fatalf("HEAD moved to %s; the fault is not injected", head)
	}
	if st := testkit.Git(t, h.work, "status", "--porcelain"); st != "" {
		t.Errorf("the failed run left files that are not what git records:\n%s", st)
	}
	hook(t, filepath.Join(h.work, ".git"), "pre-commit", "")

	h.mustRun(t, cli.ExitOK, "--commit")
	if got := testkit.Git(t, h.work, "log", "-1", "--format=%s"); !strings.HasPrefix(got, "AmazonRedshift us-east-1 20180401000000, AmazonRedshift eu-west-1 20180401000000: ") {
		t.Errorf("subject %q", got)
	}
	if st := testkit.Git(t, h.work, "status", "--porcelain"); st != "" {
		t.Errorf("work tree not clean:\n%s", st)
	}
}

// Snapshot files in the work tree that git does not record (a run killed
// after writing them and before committing, here made by a run without
// --commit) are not taken as recorded by `run --commit`: it compares with
// the committed snapshot and commits; a region it does not fetch keeps its
// committed state, whatever the work tree holds.
func TestRunCommitIgnoresUncommittedSnapshots(t *testing.T) {
	h := newHistory(t, "us-east-1, eu-west-1")
	h.mustRun(t, cli.ExitOK, "--version", v1, "--commit")
	h.mustRun(t, cli.ExitOK)
	if testkit.Git(t, h.work, "status", "--porcelain", "prices") == "" {
		t.Fatal("the work tree holds nothing new; the fault is not injected")
	}

	// Only us-east-1: the eu-west-1 file must not be committed, and its
	// manifest entry stays what git recorded.
	h.mustRun(t, cli.ExitOK, "--commit", "--region", "us-east-1")
	if got := testkit.Git(t, h.work, "log", "-1", "--format=%s"); got != usEast1V2 {
		t.Errorf("subject %q, want %q (the change from the committed snapshot)", got, usEast1V2)
	}
	if got := testkit.Git(t, h.work, "show", "--name-only", "--format=", "HEAD"); got != "prices/AmazonRedshift/manifest.json\nprices/AmazonRedshift/us-east-1.csv" {
		t.Errorf("committed files:\n%s", got)
	}
	if m := manifestAt(t, h.work, "HEAD"); m.Regions["eu-west-1"].Version != v1 || m.Regions["us-east-1"].Version != "20180401000000" {
		t.Errorf("manifest at HEAD: %+v", m.Regions)
	}

	// The next run records eu-west-1, compared with its committed
	// snapshot; then everything is in git and the work tree is clean.
	h.mustRun(t, cli.ExitOK, "--commit")
	if got := testkit.Git(t, h.work, "log", "-1", "--format=%s"); !strings.HasPrefix(got, "AmazonRedshift eu-west-1 20180401000000: ") {
		t.Errorf("subject %q", got)
	}
	if n := testkit.Git(t, h.work, "rev-list", "--count", "HEAD"); n != "3" {
		t.Errorf("%s commits, want 3", n)
	}
	if st := testkit.Git(t, h.work, "status", "--porcelain"); st != "" {
		t.Errorf("work tree not clean:\n%s", st)
	}
}

// A push the remote refuses (a pre-receive hook) leaves a local commit.
// The next run pushes it although AWS published nothing new, and only
// then exits 0.
func TestRunPushAfterRejectedPush(t *testing.T) {
	h := newHistory(t, "us-east-1")
	h.mustRun(t, cli.ExitOK, "--version", v1, "--push")

	hook(t, h.bare, "pre-receive", "echo 'refused by the pre-receive hook' >&2; exit 1")
	if stderr := h.mustRun(t, cli.ExitError, "--push"); !strings.Contains(stderr, "refused by the pre-receive hook") {
		t.Errorf("the failed push does not say why:\n%s", stderr)
	}
	if n := testkit.Git(t, h.bare, "rev-list", "--count", "main"); n != "1" {
		t.Fatalf("the remote has %s commits; the fault is not injected", n)
	}
	// Still refused: still exit 1, never "nothing to commit" and 0.
	h.mustRun(t, cli.ExitError, "--push")
	hook(t, h.bare, "pre-receive", "")

	stderr := h.mustRun(t, cli.ExitOK, "--push")
	if !strings.Contains(stderr, "pushing them first") {
		t.Errorf("stderr does not say the pending commit is pushed:\n%s", stderr)
	}
	if local, remote := testkit.Git(t, h.work, "rev-parse", "HEAD"), testkit.Git(t, h.bare, "rev-parse", "main"); local != remote {
		t.Errorf("remote main %s, local HEAD %s", remote, local)
	}
	if got := testkit.Git(t, h.bare, "log", "--format=%s", "main"); got != usEast1V2+"\nAmazonRedshift us-east-1 "+v1+": 0 changed, 8 added, 0 removed" {
		t.Errorf("remote log:\n%s", got)
	}
}

// The remote answers the fetch, then cannot be reached for the push (a
// push URL that goes nowhere): the run fails, and so does every re-run
// until the commit is on the remote.
func TestRunPushAfterUnreachableRemote(t *testing.T) {
	h := newHistory(t, "us-east-1")
	h.mustRun(t, cli.ExitOK, "--version", v1, "--push")

	testkit.Git(t, h.work, "config", "remote.origin.pushurl", filepath.Join(t.TempDir(), "gone.git"))
	h.mustRun(t, cli.ExitError, "--push")
	h.mustRun(t, cli.ExitError, "--push")
	testkit.Git(t, h.work, "config", "--unset", "remote.origin.pushurl")

	h.mustRun(t, cli.ExitOK, "--push")
	if got := testkit.Git(t, h.bare, "log", "-1", "--format=%s", "main"); got != usEast1V2 {
		t.Errorf("remote main: %q, want %q", got, usEast1V2)
	}
	// Recorded on the remote now: nothing more to do.
	if stderr := h.mustRun(t, cli.ExitOK, "--push"); !strings.Contains(stderr, "already recorded") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// A local commit whose push failed, while another clone recorded a newer
// version of the same price list: the pending commit conflicts with the
// remote's, holds nothing but snapshots, and is dropped; the run then
// goes on from what the remote records instead of failing forever.
func TestRunPushDropsPendingCommitThatLostToAnotherRun(t *testing.T) {
	h := newHistory(t, "us-east-1")
	testkit.Git(t, h.work, "commit", "--quiet", "--allow-empty", "-m", "start")
	testkit.Git(t, h.work, "push", "--quiet", "origin", "main")

	testkit.Git(t, h.work, "config", "remote.origin.pushurl", filepath.Join(t.TempDir(), "gone.git"))
	h.mustRun(t, cli.ExitError, "--version", v1, "--push")
	testkit.Git(t, h.work, "config", "--unset", "remote.origin.pushurl")

	other := &history{bare: h.bare, work: filepath.Join(t.TempDir(), "other"), cfg: h.cfg, endpoint: h.endpoint}
	testkit.Git(t, h.bare, "clone", "--quiet", h.bare, other.work)
	other.mustRun(t, cli.ExitOK, "--push")

	stderr := h.mustRun(t, cli.ExitOK, "--push")
	if !strings.Contains(stderr, "dropped the local commit") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if local, remote := testkit.Git(t, h.work, "rev-parse", "HEAD"), testkit.Git(t, h.bare, "rev-parse", "main"); local != remote {
		t.Errorf("remote main %s, local HEAD %s", remote, local)
	}
	if st := testkit.Git(t, h.work, "status", "--porcelain"); st != "" {
		t.Errorf("work tree not clean:\n%s", st)
	}
}

// --push that cannot push is refused before anything is fetched, from AWS
// or from the remote.
func TestRunPushRefusedBeforeFetching(t *testing.T) {
	mirror := testkit.Mirror(t)
	for _, tt := range []struct {
		name, msg string
		setup     func(t *testing.T, h *history)
		args      []string
	}{
		{"a detached HEAD", "HEAD is detached", func(t *testing.T, h *history) {
			testkit.Git(t, h.work, "commit", "--quiet", "--allow-empty", "-m", "start")
			testkit.Git(t, h.work, "checkout", "--quiet", "--detach")
		}, nil},
		{"no such remote", `no remote named "upstream"`, func(t *testing.T, h *history) {}, []string{"--remote", "upstream"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHistory(t, "us-east-1")
			srv := bulkfake.New(mirror)
			defer srv.Close()
			h.endpoint = srv.URL
			tt.setup(t, h)
			stderr := h.mustRun(t, cli.ExitUsage, append([]string{"--push"}, tt.args...)...)
			if !strings.Contains(stderr, tt.msg) {
				t.Errorf("stderr does not say %q:\n%s", tt.msg, stderr)
			}
			if reqs := srv.Requests(); len(reqs) > 0 {
				t.Errorf("AWS was asked first: %v", reqs)
			}
			if _, err := os.Stat(filepath.Join(h.work, ".git", "FETCH_HEAD")); err == nil {
				t.Error("the remote was fetched first")
			}
		})
	}
}
