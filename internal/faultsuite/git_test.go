package faultsuite

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// oneRegion fetches the current Redshift version of us-east-1 only.
func oneRegion(extra ...string) []string {
	return append([]string{"run", "--service", "AmazonRedshift", "--region", "us-east-1", "--progress-interval", "0"}, extra...)
}

// writeHook installs an executable git hook that prints msg and fails.
func writeHook(t *testing.T, hooksDir, name, msg string) string {
	t.Helper()
	p := filepath.Join(hooksDir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho "+msg+" >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func remove(t *testing.T, p string) {
	t.Helper()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
}

// headFiles lists the files the HEAD commit touched, sorted.
func headFiles(t *testing.T, dir string) []string {
	t.Helper()
	files := strings.Fields(Git(t, dir, "show", "--name-only", "--format=", "HEAD"))
	slices.Sort(files)
	return files
}

var usEastFiles = []string{"prices/AmazonRedshift/manifest.json", "prices/AmazonRedshift/us-east-1.csv"}

// noRequests returns a Setup step that notes the fake's request count
// and a Check that fails when the run made any request: a usage error is
// found before the network is used.
func noRequests() (mark func(f *Fixture), check func(t *testing.T, f *Fixture)) {
	var before int
	return func(f *Fixture) { before = len(f.Bulk.Fake.Requests()) },
		func(t *testing.T, f *Fixture) {
			t.Helper()
			if n := len(f.Bulk.Fake.Requests()) - before; n != 0 {
				t.Errorf("%d Bulk API requests for a run refused as a usage error", n)
			}
		}
}

// What run records is read from git (HEAD and the remote), not from the
// work tree, so a commit or push that failed is repaired by the next run,
// and what a killed run left is never recorded.
func TestGitRecording(t *testing.T) {
	markG, checkG := noRequests()
	markH, checkH := noRequests()
	RunCases(t, []Case{
		{
			Name: "a pre-commit hook refuses the commit, then the next run commits",
			Git:  true,
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				writeHook(t, filepath.Join(f.Dir, ".git", "hooks"), "pre-commit", "refused by the hook")
			},
			Args: oneRegion("--commit"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged, Git: GitUnchanged,
				Stderr: []string{`refused by the hook`, `nothing is recorded and the snapshot files are back to what git holds`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				remove(t, filepath.Join(f.Dir, ".git", "hooks", "pre-commit"))
				f.MustRun(t, oneRegion("--commit")...)
				if s := Subjects(t, f.Dir, "HEAD")[0]; !strings.HasPrefix(s, "AmazonRedshift us-east-1 20180401000000: ") {
					t.Errorf("HEAD subject %q", s)
				}
				AssertClean(t, f.Dir)
				AssertNoStrayFiles(t, f.Dir)
			},
		},
		{
			Name: "a pre-commit hook refuses the commit of a push, then the next run pushes",
			Git:  true,
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				writeHook(t, filepath.Join(f.Dir, ".git", "hooks"), "pre-commit", "refused by the hook")
			},
			Args: oneRegion("--push"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged, Git: GitUnchanged,
				Stderr: []string{`refused by the hook`, `nothing is recorded and the snapshot files are back to what git holds`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				remove(t, filepath.Join(f.Dir, ".git", "hooks", "pre-commit"))
				f.MustRun(t, oneRegion("--push")...)
				AssertRev(t, f.Remote, "main", Rev(t, f.Dir, "HEAD"))
				if got := remoteManifest(t, f.Remote)["us-east-1"]; got != "20180401000000" {
					t.Errorf("the remote records us-east-1 %s, want 20180401000000", got)
				}
				AssertClean(t, f.Dir)
			},
		},
		{
			Name: "snapshot files a killed run left uncommitted are committed as a real change",
			Git:  true,
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				// As after a kill between the rename and the commit.
				f.MustRun(t, oneRegion()...)
			},
			Args: oneRegion("--commit"),
			Want: Want{Exit: 0},
			Check: func(t *testing.T, f *Fixture, res Result) {
				s := Subjects(t, f.Dir, "HEAD")[0]
				if !strings.HasPrefix(s, "AmazonRedshift us-east-1 20180401000000: ") || strings.Contains(s, "nothing") {
					t.Errorf("HEAD subject %q, want the change from 20180309224506", s)
				}
				if got := headFiles(t, f.Dir); !slices.Equal(got, usEastFiles) {
					t.Errorf("HEAD touches %v, want %v", got, usEastFiles)
				}
				AssertClean(t, f.Dir)
			},
		},
		{
			Name: "the remote refuses the push, the commit stays local and is pushed later",
			Git:  true,
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				writeHook(t, filepath.Join(f.Remote, "hooks"), "pre-receive", "refused by the remote")
			},
			Args: oneRegion("--push"),
			Want: Want{Exit: 1, Stderr: []string{`\[remote rejected\]`, `stays local: the next run --push pushes it first`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				remoteBefore := Rev(t, f.Remote, "main")
				local := Rev(t, f.Dir, "HEAD")
				if local == remoteBefore {
					t.Fatal("nothing was committed locally")
				}
				AssertClean(t, f.Dir)
				again := f.Run(t, oneRegion("--push")...)
				CheckResult(t, again, Want{Exit: 1, Stderr: []string{`\(the local commits stay; the next run pushes them\)`}})
				AssertRev(t, f.Remote, "main", remoteBefore)

				remove(t, filepath.Join(f.Remote, "hooks", "pre-receive"))
				last := f.MustRun(t, oneRegion("--push")...)
				CheckResult(t, last, Want{Exit: 0, Stderr: []string{`pushing them first`}})
				AssertRev(t, f.Remote, "main", Rev(t, f.Dir, "HEAD"))
				AssertOnRemote(t, f.Remote, local)
				AssertClean(t, f.Dir)
			},
		},
		{
			Name: "a push URL that does not work, then repaired",
			Git:  true,
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				Git(t, f.Dir, "config", "remote.origin.pushurl", "/nonexistent/x.git")
			},
			Args: oneRegion("--push"),
			Want: Want{Exit: 1, Stderr: []string{`push to origin/main: git push: .*'/nonexistent/x\.git' does not appear to be a git repository`,
				`stays local: the next run --push pushes it first`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				AssertClean(t, f.Dir)
				Git(t, f.Dir, "config", "--unset", "remote.origin.pushurl")
				f.MustRun(t, oneRegion("--push")...)
				AssertRev(t, f.Remote, "main", Rev(t, f.Dir, "HEAD"))
				if got := remoteManifest(t, f.Remote)["us-east-1"]; got != "20180401000000" {
					t.Errorf("the remote records us-east-1 %s, want 20180401000000", got)
				}
				head := Rev(t, f.Dir, "HEAD")
				CheckResult(t, f.MustRun(t, oneRegion("--push")...), Want{Exit: 0, Stderr: []string{`already recorded`}})
				AssertRev(t, f.Dir, "HEAD", head)
				AssertClean(t, f.Dir)
			},
		},
		{
			Name: "a remote that cannot be fetched fails before anything is written",
			Git:  true,
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				Git(t, f.Dir, "remote", "set-url", "origin", "/nonexistent/y.git")
			},
			Args: oneRegion("--push"),
			Want: Want{Exit: 1, Snapshot: SnapshotUnchanged, Git: GitUnchanged,
				Stderr: []string{`fetch origin/main to see what it records \(check the network and the credentials, then run again\)`}},
		},
		{
			Name: "a detached HEAD with --push is a usage error",
			Git:  true,
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				Git(t, f.Dir, "checkout", "--quiet", "--detach")
				remove(t, filepath.Join(f.Dir, ".git", "FETCH_HEAD")) // the seed's push fetched
				markG(f)
			},
			Args: oneRegion("--push"),
			Want: Want{Exit: 2, Snapshot: SnapshotUnchanged, Git: GitUnchanged, Stderr: []string{`HEAD is detached`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				checkG(t, f)
				if fileExists(filepath.Join(f.Dir, ".git", "FETCH_HEAD")) {
					t.Error("the remote was fetched for a run refused as a usage error")
				}
			},
		},
		{
			Name: "--push to a remote that does not exist is a usage error",
			Git:  true,
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				markH(f)
			},
			Args: oneRegion("--push", "--remote", "upstream"),
			Want: Want{Exit: 2, Snapshot: SnapshotUnchanged, Git: GitUnchanged, Stderr: []string{`there is no remote named "upstream"`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				checkH(t, f)
			},
		},
		{
			Name: "temporary files of a killed run are removed, never committed",
			Git:  true,
			Setup: func(t *testing.T, f *Fixture) {
				f.Seed(t)
				f.Write(t, "prices/AmazonRedshift/.us-east-1.csv.tmp-123", "half a snapshot")
				f.Write(t, "prices/AmazonRedshift/.manifest.json.tmp-9", "{")
				f.Write(t, "prices/AmazonRedshift/notes.txt", "mine")
			},
			Args: oneRegion("--commit"),
			Want: Want{Exit: 0, Stderr: []string{`removed \.us-east-1\.csv\.tmp-123, left by a run that was stopped while writing`}},
			Check: func(t *testing.T, f *Fixture, res Result) {
				if got := headFiles(t, f.Dir); !slices.Equal(got, usEastFiles) {
					t.Errorf("HEAD touches %v, want %v", got, usEastFiles)
				}
				if st := Git(t, f.Dir, "status", "--porcelain", "--untracked-files=all"); st != "?? prices/AmazonRedshift/notes.txt" {
					t.Errorf("git status:\n%s\nwant only notes.txt untracked", st)
				}
				if data, err := os.ReadFile(filepath.Join(f.Out, "AmazonRedshift", "notes.txt")); err != nil || string(data) != "mine" {
					t.Errorf("notes.txt: %q, %v", data, err)
				}
			},
		},
		{
			Name: "temporary files of a killed run never reach the remote",
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
	})
}

// A local commit that failed to push, of a version another clone then
// pushed first: the next run pushes its pending commits first, and git's
// rebase drops the one the remote already has (the same change), so the
// version is on the remote once. (When the two commits' files differ, the
// pending commit conflicts and run drops it, saying "dropped the local
// commit(s) and fetching again on top of it"; gitstore's tests cover that
// path, and TestPushRaces the race itself.)
func TestGitLostRace(t *testing.T) {
	t.Parallel()
	a := NewFixture(t, true)
	a.Seed(t)
	hook := writeHook(t, filepath.Join(a.Remote, "hooks"), "pre-receive", "refused by the remote")
	CheckResult(t, a.Run(t, oneRegion("--push")...), Want{Exit: 1, Stderr: []string{`stays local`}})
	remove(t, hook)

	bDir := filepath.Join(filepath.Dir(a.Dir), "b")
	Clone(t, a.Remote, bDir)
	b := &Fixture{Dir: bDir, Out: filepath.Join(bDir, "prices"), Bulk: a.Bulk, Remote: a.Remote,
		Env: append(slices.Clone(a.Env), "GIT_COMMITTER_DATE=2018-04-01T12:00:09Z", "GIT_AUTHOR_DATE=2018-04-01T12:00:09Z")}
	b.MustRun(t, oneRegion("--push")...)
	won := Rev(t, a.Remote, "main")

	res := a.MustRun(t, oneRegion("--push")...)
	CheckResult(t, res, Want{Exit: 0, Stderr: []string{`1 local commit\(s\) are not on origin main yet .*; pushing them first`,
		`version 20180401000000 already recorded; skipping`}})
	AssertRev(t, a.Dir, "HEAD", Rev(t, a.Remote, "main"))
	AssertOnRemote(t, a.Remote, won)
	n := 0
	for _, s := range Subjects(t, a.Remote, "main") {
		if strings.HasPrefix(s, "AmazonRedshift us-east-1 20180401000000: ") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the remote has %d commits of us-east-1 20180401000000, want 1:\n%s", n, strings.Join(Subjects(t, a.Remote, "main"), "\n"))
	}
	AssertClean(t, a.Dir)
	AssertNoStrayFiles(t, a.Dir)
}

// A local commit of an older version that failed to push, while another
// clone pushed the newer one: the pending commit conflicts with the
// remote's, holds only snapshots, and is dropped; the run goes on from
// what the remote records instead of failing on every run.
func TestGitPendingCommitLostToNewer(t *testing.T) {
	t.Parallel()
	a := NewFixture(t, true)
	Git(t, a.Dir, "config", "remote.origin.pushurl", "/nonexistent/x.git")
	CheckResult(t, a.Run(t, oneRegion("--version", "20180309224506", "--push")...), Want{Exit: 1})
	Git(t, a.Dir, "config", "--unset", "remote.origin.pushurl")

	bDir := filepath.Join(filepath.Dir(a.Dir), "b")
	Clone(t, a.Remote, bDir)
	b := &Fixture{Dir: bDir, Out: filepath.Join(bDir, "prices"), Bulk: a.Bulk, Remote: a.Remote, Env: a.Env}
	b.MustRun(t, oneRegion("--push")...)
	won := Rev(t, a.Remote, "main")

	res := a.MustRun(t, oneRegion("--push")...)
	CheckResult(t, res, Want{Exit: 0, Stderr: []string{`dropped the local commit\(s\) and fetching again on top of it`}})
	AssertRev(t, a.Dir, "HEAD", won)
	AssertRev(t, a.Remote, "main", won)
	AssertClean(t, a.Dir)
	AssertNoStrayFiles(t, a.Dir)
}
