package gitstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/pricechecker/pricechecker/internal/backoff"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// Commit stages paths (relative to repoDir, or absolute inside it) with
// `git add -A`, so that new, changed and deleted files are all recorded, and
// commits exactly those paths: whatever else is staged stays staged and out
// of the commit. The message is subject, a blank line and body, passed on
// standard input because a change report can be large; lines starting with
// # (Markdown headings) are kept.
//
// When the paths hold no change, Commit makes no commit and returns
// committed false: an unchanged price list is not an error and never an
// empty commit. A zero author is DefaultIdentity; it is also the committer.
func Commit(ctx context.Context, repoDir string, paths []string, subject, body string, author Identity) (sha string, committed bool, err error) {
	if len(paths) == 0 {
		return "", false, nil
	}
	author = author.orDefault()
	spec := append([]string{"--"}, paths...)
	if _, err := git(ctx, repoDir, append([]string{"add", "-A"}, spec...)...); err != nil {
		return "", false, fmt.Errorf("stage snapshots: %w", err)
	}
	_, err = git(ctx, repoDir, append([]string{"diff", "--cached", "--quiet"}, spec...)...)
	var gerr *Error
	switch {
	case err == nil:
		return "", false, nil
	case !errors.As(err, &gerr) || gerr.Stderr != "":
		return "", false, fmt.Errorf("look for staged changes: %w", err)
	}
	msg := strings.TrimSpace(subject) + "\n"
	if body = strings.TrimSpace(body); body != "" {
		msg += "\n" + body + "\n"
	}
	args := append(author.args(), "commit", "--quiet", "--cleanup=whitespace", "--file=-")
	c := gitCmd{dir: repoDir, args: append(args, spec...), env: author.env(), stdin: strings.NewReader(msg)}
	if _, err := c.run(ctx); err != nil {
		return "", false, fmt.Errorf("commit snapshots: %w", err)
	}
	out, err := git(ctx, repoDir, "rev-parse", "HEAD")
	if err != nil {
		return "", false, err
	}
	return strings.TrimSpace(out), true, nil
}

// CurrentBranch returns the branch HEAD is on, or an error on a detached
// HEAD.
func CurrentBranch(ctx context.Context, repoDir string) (string, error) {
	out, err := git(ctx, repoDir, "symbolic-ref", "--quiet", "--short", "HEAD")
	if err != nil {
		return "", fmt.Errorf("HEAD is not on a branch (detached?); name the branch to push to: %w", err)
	}
	return strings.TrimSpace(out), nil
}

// ConflictError is a rebase that could not replay the local commits over
// the remote branch because both changed the same files.
type ConflictError struct {
	Remote, Branch string
	Files          []string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("push to %s/%s: the remote branch changed the same files; rebase aborted, resolve by hand: %s",
		e.Remote, e.Branch, strings.Join(e.Files, ", "))
}

// DefaultPushAttempts is how many times Push tries when maxAttempts is 0:
// enough for a few dozen shards of one run pushing at once (every
// rejected push loses to one that landed, so each round lands at least
// one), with the backoff below spreading them out.
const DefaultPushAttempts = 12

// Push pushes HEAD to branch on remote. When the push is rejected because
// the remote moved on (another workflow run pushed first), it fetches the
// branch, rebases the local commits onto it and tries again, up to
// maxAttempts times with a randomised exponential backoff. Runs for different
// offers write different files, so the rebase goes through; when it does
// not, the rebase is aborted (the repository is left as before) and the
// error is a *ConflictError naming the files.
func Push(ctx context.Context, repoDir, remote, branch string, maxAttempts int) error {
	if maxAttempts <= 0 {
		maxAttempts = DefaultPushAttempts
	}
	_, err := pushPolicy(maxAttempts).Do(ctx, func(a backoff.Attempt) (backoff.Verdict, error) {
		if a.N > 1 {
			if err := rebaseOnto(ctx, repoDir, remote, branch); err != nil {
				return backoff.Verdict{}, err
			}
		}
		_, err := git(ctx, repoDir, "push", remote, "HEAD:refs/heads/"+branch)
		switch {
		case err == nil:
			return backoff.Verdict{}, nil
		case protected(err):
			return backoff.Verdict{}, fmt.Errorf("push to %s/%s: %s: %w", remote, branch, ProtectedAdvice, err)
		case !retryable(err):
			return backoff.Verdict{}, fmt.Errorf("push to %s/%s: %w", remote, branch, err)
		case a.Last:
			return backoff.Verdict{}, fmt.Errorf("push to %s/%s: still rejected after %d attempts (other runs keep pushing; run again): %w", remote, branch, a.N, err)
		}
		return backoff.Verdict{Retry: true}, err
	})
	if we, ok := err.(*backoff.WaitError); ok {
		return we.Cause // the run is ending while it waited its turn
	}
	return err
}

// retryable reports whether a push failed because the remote branch moved,
// as opposed to authentication, protection rules or a missing remote.
func retryable(err error) bool {
	var gerr *Error
	if !errors.As(err, &gerr) {
		return false
	}
	for _, s := range []string{"[rejected]", "Updates were rejected", "non-fast-forward", "fetch first", "cannot lock ref", "failed to update ref", "incorrect old value"} {
		if strings.Contains(gerr.Stderr, s) {
			return true
		}
	}
	return false
}

// pushPolicy waits before the next push: exponentially longer from 250 ms
// up to 8 s, with jitter so that the losers of one round do not collide
// again in the next.
func pushPolicy(maxAttempts int) backoff.Policy {
	return backoff.Policy{MaxAttempts: maxAttempts, Base: 250 * time.Millisecond, Cap: 8 * time.Second}
}

// rebaseOnto fetches remote's branch and replays the local commits on it.
func rebaseOnto(ctx context.Context, repoDir, remote, branch string) error {
	if _, err := git(ctx, repoDir, "fetch", "--quiet", remote, "refs/heads/"+branch); err != nil {
		return fmt.Errorf("fetch %s/%s: %w", remote, branch, err)
	}
	upstream, err := git(ctx, repoDir, "rev-parse", "--verify", "FETCH_HEAD^{commit}")
	if err != nil {
		return err
	}
	// The rebased commits keep their author; the committer is whoever made
	// the last local commit, so no global identity is needed.
	who, err := git(ctx, repoDir, "log", "-1", "--format=%cn%n%ce", "HEAD")
	if err != nil {
		return err
	}
	name, email, _ := strings.Cut(strings.TrimSpace(who), "\n")
	id := Identity{Name: name, Email: email}.orDefault()
	c := gitCmd{dir: repoDir, args: append(id.args(), "rebase", "--autostash", "--quiet", strings.TrimSpace(upstream)), env: []string{"GIT_COMMITTER_NAME=" + id.Name, "GIT_COMMITTER_EMAIL=" + id.Email}}
	_, rerr := c.run(ctx)
	var files []string
	// Shards of one offer (one per region) each rewrite the offer's
	// manifest: merge those per region and carry on; anything else is a
	// real conflict.
	for i := 0; rerr != nil && i < 100; i++ {
		out, _ := git(ctx, repoDir, "diff", "--name-only", "--diff-filter=U")
		files = lines(out)
		if len(files) == 0 || !allManifests(files) {
			break
		}
		if err := mergeManifests(ctx, repoDir, files); err != nil {
			rerr = err
			break
		}
		cont := gitCmd{dir: repoDir, args: append(id.args(), "rebase", "--continue"), env: []string{"GIT_EDITOR=true", "GIT_COMMITTER_NAME=" + id.Name, "GIT_COMMITTER_EMAIL=" + id.Email}}
		_, rerr = cont.run(ctx)
		files = nil
	}
	if rerr == nil {
		return nil
	}
	git(ctx, repoDir, "rebase", "--abort") // best effort: leave the repository as it was
	if len(files) == 0 {
		return fmt.Errorf("rebase onto %s/%s: %w", remote, branch, rerr)
	}
	return &ConflictError{Remote: Redact(remote), Branch: branch, Files: files}
}

func allManifests(files []string) bool {
	for _, f := range files {
		if path.Base(f) != "manifest.json" {
			return false
		}
	}
	return true
}

// mergeManifests resolves conflicting manifests during a rebase: the
// upstream manifest (stage 2, what other runs pushed) plus every region
// that the commit being replayed (stage 3) changed relative to their common
// base (stage 1). Regions are independent, so this loses nothing.
func mergeManifests(ctx context.Context, repoDir string, files []string) error {
	for _, f := range files {
		base, _ := readManifestStage(ctx, repoDir, 1, f) // absent when both runs created the file
		upstream, err := readManifestStage(ctx, repoDir, 2, f)
		if err != nil {
			return err
		}
		mine, err := readManifestStage(ctx, repoDir, 3, f)
		if err != nil {
			return err
		}
		for region, st := range mine.Regions {
			if was, ok := base.Regions[region]; !ok || was != st {
				upstream.Regions[region] = st
			}
		}
		for region := range base.Regions {
			if _, kept := mine.Regions[region]; !kept {
				delete(upstream.Regions, region)
			}
		}
		data, err := upstream.Encode()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(repoDir, filepath.FromSlash(f)), data, 0o644); err != nil {
			return err
		}
		if _, err := git(ctx, repoDir, "add", "--", f); err != nil {
			return err
		}
	}
	return nil
}

func readManifestStage(ctx context.Context, repoDir string, stage int, file string) (*snapshot.Manifest, error) {
	out, err := git(ctx, repoDir, "show", fmt.Sprintf(":%d:%s", stage, file))
	if err != nil {
		return &snapshot.Manifest{Regions: map[string]snapshot.RegionState{}}, err
	}
	m, err := snapshot.ParseManifest([]byte(out), "")
	if err != nil {
		return &snapshot.Manifest{Regions: map[string]snapshot.RegionState{}}, fmt.Errorf("merge %s: %w", file, err)
	}
	return m, nil
}

// lines splits git's line-per-item output.
func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Rewind undoes the commit Commit just made (its files go back to what the
// previous commit holds) and fast-forwards to the remote branch. A run
// whose snapshot conflicts with one another run pushed first is then made
// again on top of that run's: snapshots are derived data, so fetching and
// comparing again is the right resolution, not a merge.
func Rewind(ctx context.Context, repoDir, remote, branch string) error {
	if _, err := git(ctx, repoDir, "reset", "--quiet", "--keep", "HEAD~1"); err != nil {
		return fmt.Errorf("undo the local commit: %w", err)
	}
	if _, err := git(ctx, repoDir, "pull", "--quiet", "--ff-only", remote, branch); err != nil {
		return fmt.Errorf("fast-forward to %s/%s: %w", Redact(remote), branch, err)
	}
	return nil
}
