package tracker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pricechecker/pricechecker/internal/gitstore"
)

// CommitOptions say where and how `run --commit` records a run in git.
type CommitOptions struct {
	// RepoDir is the git work tree (default ".").
	RepoDir string
	// Out is the snapshot folder, as given to run.
	Out string
	// Push pushes the commit, rebasing over concurrent runs.
	Push bool
	// Remote defaults to origin, Branch to the current branch.
	Remote, Branch string
	// AuthorName and AuthorEmail default to the GitHub Actions bot.
	AuthorName, AuthorEmail string
	// MaxAttempts bounds the push retries (default gitstore.DefaultPushAttempts).
	MaxAttempts int
}

// commitAndPush records a run's snapshots in git: one commit with the
// folders of the offers the run fetched (snapshots and manifest), the
// report's one-line summary as subject and its Markdown as body, then, with
// Push, pushes it. When the run changed nothing there is no commit (and no
// push) and sha is empty; that is not an error.
func commitAndPush(ctx context.Context, log io.Writer, opts CommitOptions, res *FetchResult) (sha string, err error) {
	if opts.RepoDir == "" {
		opts.RepoDir = "."
	}
	if opts.Remote == "" {
		opts.Remote = "origin"
	}
	paths, err := commitPaths(opts, res)
	if err != nil {
		return "", err
	}
	if len(paths) == 0 {
		fmt.Fprintln(log, "commit: nothing fetched, nothing to commit")
		return "", nil
	}
	folders := offerFolders(paths)
	author := gitstore.Identity{Name: opts.AuthorName, Email: opts.AuthorEmail}
	sha, committed, err := gitstore.Commit(ctx, opts.RepoDir, paths, res.Report.Subject(), res.Report.Markdown(0), author)
	if err != nil {
		// Put the files back to what git records: nothing of this run
		// is recorded, and nothing of it may be committed by accident.
		if rerr := gitstore.Restore(ctx, opts.RepoDir, paths); rerr != nil {
			return "", errors.Join(err, rerr)
		}
		return "", fmt.Errorf("%w (nothing is recorded and the snapshot files are back to what git holds: fix the cause and run again)", err)
	}
	if !committed {
		fmt.Fprintln(log, "commit: no change in the snapshots, nothing to commit")
		return "", nil
	}
	fmt.Fprintf(log, "commit: %s %s\n", sha[:12], res.Report.Subject())
	if !opts.Push {
		return sha, nil
	}
	branch := opts.Branch
	if branch == "" {
		if branch, err = gitstore.CurrentBranch(ctx, opts.RepoDir); err != nil {
			return sha, err
		}
	}
	if err := gitstore.Push(ctx, opts.RepoDir, opts.Remote, branch, opts.MaxAttempts); err != nil {
		var conflict *gitstore.ConflictError
		if errors.As(err, &conflict) && within(conflict.Files, folders) {
			// Another run recorded the same price list first: start again
			// from its commit.
			if rerr := gitstore.Rewind(ctx, opts.RepoDir, opts.Remote, branch); rerr != nil {
				return "", errors.Join(err, rerr)
			}
			return "", &rerunError{conflict}
		}
		return sha, fmt.Errorf("%w (commit %s stays local: the next run --push pushes it first)", err, sha[:12])
	}
	// A rebase gives the commit a new id.
	if repo, err := gitstore.Open(ctx, opts.RepoDir); err == nil {
		if head, err := repo.Resolve(ctx, "HEAD"); err == nil {
			sha = head
		}
		repo.Close()
	}
	fmt.Fprintf(log, "push: %s to %s %s\n", sha[:12], opts.Remote, branch)
	return sha, nil
}

// checkCommitTarget makes sure a commit can be made before anything is
// fetched or written: a snapshot written into a folder git cannot commit
// would be recorded in the manifest, and the next run would skip its
// version and never commit it.
func checkCommitTarget(ctx context.Context, opts CommitOptions) error {
	if opts.RepoDir == "" {
		opts.RepoDir = "."
	}
	repo, err := gitstore.Open(ctx, opts.RepoDir)
	if err != nil {
		return UsageError{Err: fmt.Errorf("--commit: %s is not inside a git work tree (run git init or clone, or pass --repo): %w", opts.RepoDir, err)}
	}
	repo.Close()
	if _, err := insideRepo(opts.RepoDir, opts.Out); err != nil {
		return UsageError{Err: err}
	}
	if opts.Push {
		if _, err := gitstore.CheckPushTarget(ctx, opts.RepoDir, remoteOrDefault(opts.Remote), opts.Branch); err != nil {
			return UsageError{Err: err}
		}
	}
	return nil
}

func remoteOrDefault(remote string) string {
	if remote == "" {
		return "origin"
	}
	return remote
}

// fetchRecorded runs the fetch stage; when the run is recorded in git (not
// on a dry run) it skips by and compares with what git records rather than
// what the snapshot folder holds.
func fetchRecorded(ctx context.Context, o RunOptions) (*FetchResult, error) {
	if !o.recording() {
		return Fetch(ctx, o.Fetch)
	}
	recorded, err := recordedState(ctx, o.Fetch.Log, o.git())
	if err != nil {
		return nil, err
	}
	defer recorded.Close()
	opts := o.Fetch
	opts.Recorded = recorded
	return Fetch(ctx, opts)
}

// recordedState is what the history holds, read from git and never from
// the work tree: the commit at HEAD or, with Push, the remote branch after
// a fetch, since a commit that never reached the remote is not recorded
// there. Commits HEAD holds and the remote lacks (a run whose push failed)
// are pushed first, whether or not AWS published anything since: only once
// they landed is the history what the remote says.
func recordedState(ctx context.Context, log io.Writer, opts CommitOptions) (*gitstore.Recorded, error) {
	if opts.RepoDir == "" {
		opts.RepoDir = "."
	}
	if !opts.Push {
		head, err := gitstore.Head(ctx, opts.RepoDir)
		if err != nil {
			return nil, err
		}
		return gitstore.OpenRecorded(ctx, opts.RepoDir, head, opts.Out)
	}
	remote := remoteOrDefault(opts.Remote)
	branch, err := gitstore.CheckPushTarget(ctx, opts.RepoDir, remote, opts.Branch)
	if err != nil {
		return nil, UsageError{Err: err}
	}
	upstream, err := gitstore.FetchBranch(ctx, opts.RepoDir, remote, branch)
	if err != nil {
		return nil, err
	}
	if upstream, err = pushPending(ctx, log, opts, remote, branch, upstream); err != nil {
		return nil, err
	}
	return gitstore.OpenRecorded(ctx, opts.RepoDir, upstream, opts.Out)
}

// pushPending pushes the commits HEAD holds that the remote branch
// (upstream) lacks, and returns the remote branch's commit afterwards.
// Commits that conflict with what another run pushed meanwhile, and that
// hold nothing but snapshots, are dropped instead: the remote recorded
// those price lists first, and snapshots are derived data, so the run
// fetches and compares again on top of the remote's.
func pushPending(ctx context.Context, log io.Writer, opts CommitOptions, remote, branch, upstream string) (string, error) {
	commits, files, err := gitstore.Pending(ctx, opts.RepoDir, upstream)
	if err != nil || len(commits) == 0 {
		return upstream, err
	}
	fmt.Fprintf(log, "push: %d local commit(s) are not on %s %s yet (an earlier push failed?); pushing them first\n", len(commits), gitstore.Redact(remote), branch)
	err = gitstore.Push(ctx, opts.RepoDir, remote, branch, opts.MaxAttempts)
	var conflict *gitstore.ConflictError
	if errors.As(err, &conflict) {
		out, oerr := gitstore.RepoPath(ctx, opts.RepoDir, opts.Out)
		if oerr != nil || !within(files, []string{out}) {
			return "", fmt.Errorf("%w; the local commits change more than snapshots, so they are not dropped: rebase them onto %s/%s by hand, then run again", err, gitstore.Redact(remote), branch)
		}
		fresh, ferr := gitstore.FetchBranch(ctx, opts.RepoDir, remote, branch)
		if ferr != nil {
			return "", errors.Join(err, ferr)
		}
		if rerr := gitstore.ResetTo(ctx, opts.RepoDir, fresh); rerr != nil {
			return "", errors.Join(err, rerr)
		}
		fmt.Fprintf(log, "push: another run recorded the same price list first (%s); dropped the local commit(s) and fetching again on top of it\n", strings.Join(conflict.Files, ", "))
		return fresh, nil
	}
	if err != nil {
		return "", fmt.Errorf("%w (the local commits stay; the next run pushes them)", err)
	}
	head, err := gitstore.Head(ctx, opts.RepoDir)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(log, "push: %s to %s %s\n", head[:12], gitstore.Redact(remote), branch)
	return head, nil
}

// insideRepo returns dir relative to the repository folder, or an error
// when it lies outside.
func insideRepo(repoDir, dir string) (string, error) {
	repo, err := filepath.Abs(repoDir)
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(repo, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("the snapshot folder %s is not inside the repository %s; pass --out inside it (or --repo)", dir, repoDir)
	}
	return rel, nil
}

// rerunError asks Run to fetch and commit again: its snapshot conflicted
// with another run's and the repository was moved onto that run's commit.
type rerunError struct{ conflict *gitstore.ConflictError }

func (e *rerunError) Error() string { return e.conflict.Error() }
func (e *rerunError) Unwrap() error { return e.conflict }

// within reports whether every file is under one of the folders.
func within(files, folders []string) bool {
	for _, f := range files {
		if !slices.ContainsFunc(folders, func(dir string) bool {
			return strings.HasPrefix(f, filepath.ToSlash(dir)+"/")
		}) {
			return false
		}
	}
	return len(files) > 0
}

// commitPaths returns the snapshots and manifests the run wrote, relative
// to the repository: exactly those are staged, so that nothing else in an
// offer folder (a file left by a killed run, a file of the user's) is
// ever committed with them.
func commitPaths(opts CommitOptions, res *FetchResult) ([]string, error) {
	var paths []string
	for _, f := range res.Written {
		rel, err := insideRepo(opts.RepoDir, f)
		if err != nil {
			return nil, err
		}
		paths = append(paths, filepath.ToSlash(rel))
	}
	slices.Sort(paths)
	return slices.Compact(paths), nil
}

// offerFolders returns the folders that hold files.
func offerFolders(files []string) []string {
	var dirs []string
	for _, f := range files {
		dirs = append(dirs, path.Dir(f))
	}
	slices.Sort(dirs)
	return slices.Compact(dirs)
}
