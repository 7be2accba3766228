package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pricechecker/pricechecker/internal/gitstore"
	"github.com/pricechecker/pricechecker/internal/pipeline"
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
func commitAndPush(ctx context.Context, env Env, opts CommitOptions, res *pipeline.Result) (sha string, err error) {
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
		fmt.Fprintln(env.Stderr, "commit: nothing fetched, nothing to commit")
		return "", nil
	}
	author := gitstore.Identity{Name: opts.AuthorName, Email: opts.AuthorEmail}
	sha, committed, err := gitstore.Commit(ctx, opts.RepoDir, paths, res.Report.Subject(), res.Report.Markdown(0), author)
	if err != nil {
		return "", err
	}
	if !committed {
		fmt.Fprintln(env.Stderr, "commit: no change in the snapshots, nothing to commit")
		return "", nil
	}
	fmt.Fprintf(env.Stderr, "commit: %s %s\n", sha[:12], res.Report.Subject())
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
		if errors.As(err, &conflict) && within(conflict.Files, paths) {
			// Another run recorded the same price list first: start again
			// from its commit.
			if rerr := gitstore.Rewind(ctx, opts.RepoDir, opts.Remote, branch); rerr != nil {
				return "", errors.Join(err, rerr)
			}
			return "", &rerunError{conflict}
		}
		return sha, err
	}
	// A rebase gives the commit a new id.
	if repo, err := gitstore.Open(ctx, opts.RepoDir); err == nil {
		if head, err := repo.Resolve(ctx, "HEAD"); err == nil {
			sha = head
		}
		repo.Close()
	}
	fmt.Fprintf(env.Stderr, "push: %s to %s %s\n", sha[:12], opts.Remote, branch)
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
		return usageError{fmt.Errorf("--commit: %s is not inside a git work tree (run git init or clone, or pass --repo): %w", opts.RepoDir, err)}
	}
	repo.Close()
	if _, err := insideRepo(opts.RepoDir, opts.Out); err != nil {
		return usageError{err}
	}
	return nil
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

// rerunError asks run to fetch and commit again: its snapshot conflicted
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

// commitPaths returns the offer folders the run fetched, relative to the
// repository: each holds the snapshots and the manifest, so that new,
// changed and removed files are all staged.
func commitPaths(opts CommitOptions, res *pipeline.Result) ([]string, error) {
	var paths []string
	for _, o := range res.Report.Offers {
		if o.Skipped != "" {
			continue
		}
		rel, err := insideRepo(opts.RepoDir, filepath.Join(opts.Out, o.OfferCode))
		if err != nil {
			return nil, err
		}
		paths = append(paths, rel)
	}
	slices.Sort(paths)
	return slices.Compact(paths), nil
}
