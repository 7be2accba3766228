package gitstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// Recorded is the price history as one commit holds it: the manifests and
// snapshots `run --commit` skips by and compares with. Reading them from
// git rather than from the work tree means that the files of a run whose
// commit or push failed are never taken as recorded: the next run fetches
// that version again and commits it.
type Recorded struct {
	repo *Repo
	// rev is the commit, "" when nothing is recorded yet (an unborn
	// branch, a remote without the branch).
	rev string
	// out is the snapshot folder from the top of the repository.
	out string
	// files are the names in each offer's folder at rev, read once.
	files map[string][]string
}

// OpenRecorded reads the history at commit rev ("" for an empty history)
// of the snapshot folder out (a path as given on the command line) in the
// repository that holds repoDir. Close releases it.
func OpenRecorded(ctx context.Context, repoDir, rev, out string) (*Recorded, error) {
	repo, err := Open(ctx, repoDir)
	if err != nil {
		return nil, err
	}
	rel, err := repoPath(repo, out)
	if err != nil {
		repo.Close()
		return nil, err
	}
	return &Recorded{repo: repo, rev: rev, out: rel, files: map[string][]string{}}, nil
}

// Rev is the commit read, "" when nothing is recorded.
func (r *Recorded) Rev() string { return r.rev }

// Close stops the git processes; it is safe on a nil Recorded.
func (r *Recorded) Close() error {
	if r == nil {
		return nil
	}
	return r.repo.Close()
}

// Manifest returns an offer's manifest at the commit; one that is not
// there is empty.
func (r *Recorded) Manifest(offerCode string) (*snapshot.Manifest, error) {
	m := &snapshot.Manifest{OfferCode: offerCode, Regions: map[string]snapshot.RegionState{}}
	if r.rev == "" {
		return m, nil
	}
	file := path.Join(r.out, offerCode, "manifest.json")
	data, ok, err := r.repo.read(r.rev, file)
	if err != nil || !ok {
		return m, err
	}
	parsed, err := snapshot.ParseManifest(data, offerCode)
	if err != nil {
		return nil, fmt.Errorf("read the manifest %s at %s: %w (commit a fixed one, or delete it to start over)", file, short(r.rev), err)
	}
	return parsed, nil
}

// Snapshot returns a region's snapshot at the commit, or an error wrapping
// os.ErrNotExist when it is not there.
func (r *Recorded) Snapshot(offerCode, region string) (*snapshot.Snapshot, error) {
	file := path.Join(r.out, offerCode, region+".csv")
	if r.rev == "" {
		return nil, fmt.Errorf("%s: nothing recorded yet: %w", file, os.ErrNotExist)
	}
	data, ok, err := r.repo.read(r.rev, file)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s at %s: %w", file, short(r.rev), os.ErrNotExist)
	}
	s, err := snapshot.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("read snapshot %s at %s: %w", file, short(r.rev), err)
	}
	return s, nil
}

// HasSnapshot reports whether a region's snapshot is at the commit.
func (r *Recorded) HasSnapshot(offerCode, region string) (bool, error) {
	if r.rev == "" {
		return false, nil
	}
	dir := path.Join(r.out, offerCode)
	names, ok := r.files[offerCode]
	if !ok {
		out, err := git(r.repo.ctx, r.repo.root, "ls-tree", "--name-only", "--full-tree", r.rev, "--", dir+"/")
		if err != nil {
			return false, fmt.Errorf("list %s at %s: %w", dir, short(r.rev), err)
		}
		names = lines(out)
		r.files[offerCode] = names
	}
	return slices.Contains(names, path.Join(dir, region+".csv")), nil
}

// RepoPath returns dir (a folder as given on the command line) as a path
// from the top of the repository that holds repoDir.
func RepoPath(ctx context.Context, repoDir, dir string) (string, error) {
	repo, err := Open(ctx, repoDir)
	if err != nil {
		return "", err
	}
	defer repo.Close()
	return repoPath(repo, dir)
}

// repoPath turns a folder given on the command line (relative to the
// current directory, or absolute; it need not exist yet) into a path from
// the top of repo, as git names it in a tree.
func repoPath(repo *Repo, dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	// Resolve symbolic links in the part that exists, as git's top level
	// is resolved.
	real, rest := abs, ""
	for {
		if resolved, err := filepath.EvalSymlinks(real); err == nil {
			real = filepath.Join(resolved, rest)
			break
		}
		parent := filepath.Dir(real)
		if parent == real {
			real = abs
			break
		}
		rest = filepath.Join(filepath.Base(real), rest)
		real = parent
	}
	rel, err := filepath.Rel(repo.root, real)
	if err != nil {
		return "", err
	}
	rel = filepath.ToSlash(rel)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%s is outside the git repository %s", dir, repo.root)
	}
	return rel, nil
}

// Head returns the commit HEAD is on, or "" on a branch with no commit yet.
func Head(ctx context.Context, repoDir string) (string, error) {
	out, err := git(ctx, repoDir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
	var gerr *Error
	if errors.As(err, &gerr) && gerr.Stderr == "" {
		return "", nil // unborn: rev-parse --quiet says nothing and exits 1
	}
	if err != nil {
		return "", fmt.Errorf("read HEAD: %w", err)
	}
	return strings.TrimSpace(out), nil
}

// FetchBranch fetches branch from remote and returns its commit, or ""
// when the remote has no such branch yet (the first push creates it).
func FetchBranch(ctx context.Context, repoDir, remote, branch string) (string, error) {
	_, err := git(ctx, repoDir, "fetch", "--quiet", "--no-tags", remote, "refs/heads/"+branch)
	var gerr *Error
	if errors.As(err, &gerr) && strings.Contains(gerr.Stderr, "couldn't find remote ref") {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("fetch %s/%s to see what it records (check the network and the credentials, then run again): %w", Redact(remote), branch, err)
	}
	out, err := git(ctx, repoDir, "rev-parse", "--verify", "FETCH_HEAD^{commit}")
	if err != nil {
		return "", fmt.Errorf("fetch %s/%s: %w", Redact(remote), branch, err)
	}
	return strings.TrimSpace(out), nil
}

// Pending lists the commits HEAD holds that base lacks (every commit of
// HEAD when base is ""), oldest first, and the files they change.
func Pending(ctx context.Context, repoDir, base string) (commits, files []string, err error) {
	head, err := Head(ctx, repoDir)
	if err != nil || head == "" {
		return nil, nil, err
	}
	spec := []string{head}
	if base != "" {
		spec = append(spec, "^"+base)
	}
	out, err := git(ctx, repoDir, append([]string{"rev-list", "--reverse"}, spec...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("list the commits not on the remote: %w", err)
	}
	commits = lines(out)
	if len(commits) == 0 {
		return nil, nil, nil
	}
	out, err = git(ctx, repoDir, append([]string{"log", "--format=", "--name-only", "--no-renames"}, spec...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("list the files of the commits not on the remote: %w", err)
	}
	files = lines(out)
	slices.Sort(files)
	return commits, slices.Compact(files), nil
}

// ResetTo moves the current branch to commit, keeping uncommitted changes
// in files the move does not touch (git reset --keep refuses otherwise,
// and then nothing changes).
func ResetTo(ctx context.Context, repoDir, commit string) error {
	if _, err := git(ctx, repoDir, "reset", "--quiet", "--keep", commit); err != nil {
		return fmt.Errorf("move the branch to %s: %w", short(commit), err)
	}
	return nil
}

// CheckPushTarget makes sure a push can be made before anything is
// fetched: remote is a configured remote (or a URL or path, which git
// takes as is), and with branch empty HEAD is on a branch. It returns the
// branch to push to.
func CheckPushTarget(ctx context.Context, repoDir, remote, branch string) (string, error) {
	if !strings.ContainsAny(remote, "/:") {
		out, err := git(ctx, repoDir, "remote")
		if err != nil {
			return "", fmt.Errorf("list the remotes: %w", err)
		}
		if !slices.Contains(lines(out), remote) {
			return "", fmt.Errorf("--push: there is no remote named %q (git remote -v lists them); add it with git remote add %s URL, or pass --remote", remote, remote)
		}
	}
	if branch != "" {
		return branch, nil
	}
	if _, err := git(ctx, repoDir, "symbolic-ref", "--quiet", "HEAD"); err != nil {
		return "", errors.New("--push: HEAD is detached, so there is no branch to push to; check out the branch to record on (git checkout main), or name it with --branch")
	}
	return CurrentBranch(ctx, repoDir)
}

// Restore puts paths (files relative to repoDir) back to what HEAD holds,
// in the index and the work tree; a path HEAD does not hold is unstaged and
// removed. A run whose commit failed calls it, so that the files it wrote
// are neither taken for recorded nor committed by someone else later.
func Restore(ctx context.Context, repoDir string, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	var tracked []string
	if head, err := Head(ctx, repoDir); err != nil {
		return err
	} else if head != "" {
		out, err := git(ctx, repoDir, append([]string{"ls-tree", "--name-only", head, "--"}, paths...)...)
		if err != nil {
			return fmt.Errorf("restore the snapshots: %w", err)
		}
		tracked = lines(out)
	}
	var added []string
	for _, p := range paths {
		if !slices.Contains(tracked, p) {
			added = append(added, p)
		}
	}
	if len(tracked) > 0 {
		if _, err := git(ctx, repoDir, append([]string{"checkout", "HEAD", "--"}, tracked...)...); err != nil {
			return fmt.Errorf("restore the snapshots: %w", err)
		}
	}
	if len(added) > 0 {
		if _, err := git(ctx, repoDir, append([]string{"rm", "--cached", "--quiet", "--ignore-unmatch", "--"}, added...)...); err != nil {
			return fmt.Errorf("unstage the new snapshots: %w", err)
		}
		for _, p := range added {
			if err := os.Remove(filepath.Join(repoDir, filepath.FromSlash(p))); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("remove the new snapshot %s: %w", p, err)
			}
		}
	}
	return nil
}
