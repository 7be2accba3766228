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
	"time"

	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// Repo reads the price history of a git repository.
type Repo struct {
	root   string // the work tree's top level
	prefix string // where the opening directory sits inside root, "" or "dir/"
	cat    *catFile
	ctx    context.Context
}

// Open opens the repository that contains dir. Close releases it.
func Open(ctx context.Context, dir string) (*Repo, error) {
	out, err := git(ctx, dir, "rev-parse", "--show-toplevel", "--show-prefix")
	if err != nil {
		return nil, fmt.Errorf("open git repository %s: %w", dir, err)
	}
	parts := strings.SplitN(out, "\n", 3)
	if len(parts) < 2 {
		return nil, fmt.Errorf("open git repository %s: unexpected rev-parse output %q", dir, out)
	}
	return &Repo{root: parts[0], prefix: parts[1], ctx: ctx}, nil
}

// Close stops the git processes the repository started.
func (r *Repo) Close() error {
	if r.cat == nil {
		return nil
	}
	err := r.cat.close()
	r.cat = nil
	return err
}

// Path turns a path given on the command line (relative to the directory
// Open was given, or absolute) into a path from the top of the repository,
// with forward slashes, as git names files in commits.
func (r *Repo) Path(p string) (string, error) {
	var rel string
	if filepath.IsAbs(p) {
		real := p
		if resolved, err := filepath.EvalSymlinks(p); err == nil {
			real = resolved
		}
		var err error
		if rel, err = filepath.Rel(r.root, real); err != nil {
			return "", err
		}
		rel = filepath.ToSlash(rel)
	} else {
		rel = path.Clean(r.prefix + filepath.ToSlash(p))
	}
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%s is outside the git repository %s", p, r.root)
	}
	return rel, nil
}

// read returns the content of file at commit (valid until the next read),
// or ok false when the file does not exist there.
func (r *Repo) read(commit, file string) ([]byte, bool, error) {
	if r.cat == nil {
		c, err := startCatFile(r.ctx, r.root, "4m")
		if err != nil {
			return nil, false, err
		}
		r.cat = c
	}
	return r.cat.read(commit + ":" + file)
}

// ErrNoCommit is returned when no commit matches a date.
var ErrNoCommit = errors.New("no commit")

// ParseDate reads the dates the commands accept: a day (2018-04-01,
// meaning the end of that day, UTC), RFC 3339 (2018-04-01T12:00:00Z), or a
// date and time without zone (UTC).
func ParseDate(s string) (time.Time, bool) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.AddDate(0, 0, 1).Add(-time.Second), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// gitDate formats t for git's --before and --since.
func gitDate(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05 +0000")
}

// CommitAt returns the last commit reachable from HEAD whose commit date is
// at or before t and, when file is not empty, that changed file: the commit
// that set what was in force at t. It wraps ErrNoCommit when there is none.
func (r *Repo) CommitAt(ctx context.Context, t time.Time, file string) (string, error) {
	args := []string{"rev-list", "-1", "--before=" + gitDate(t), "HEAD"}
	if file != "" {
		args = append(args, "--", file)
	}
	out, err := git(ctx, r.root, args...)
	if err != nil {
		return "", err
	}
	sha := strings.TrimSpace(out)
	if sha == "" {
		what := ""
		if file != "" {
			what = " of " + file
		}
		return "", fmt.Errorf("%w%s at or before %s", ErrNoCommit, what, t.UTC().Format(time.RFC3339))
	}
	return sha, nil
}

// Resolve turns a revision or a date into a commit id. A date (see
// ParseDate) means the last commit at or before it; anything else is a git
// revision: a commit id, a tag, a branch, HEAD~2.
func (r *Repo) Resolve(ctx context.Context, revOrDate string) (string, error) {
	if t, ok := ParseDate(revOrDate); ok {
		return r.CommitAt(ctx, t, "")
	}
	out, err := git(ctx, r.root, "rev-parse", "--verify", "--quiet", "--end-of-options", revOrDate+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("%q is neither a git revision nor a date (2018-04-01, 2018-04-01T12:00:00Z)", revOrDate)
	}
	return strings.TrimSpace(out), nil
}

// Snapshots lists the snapshot files (<out>/<offer>/<region>.csv, paths
// from the top of the repository) at commit, or in the work tree when
// commit is empty. out is a path from the top of the repository.
func (r *Repo) Snapshots(ctx context.Context, commit, out string) ([]string, error) {
	var names []string
	if commit == "" {
		matches, err := filepath.Glob(filepath.Join(r.root, filepath.FromSlash(out), "*", "*.csv"))
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			rel, err := filepath.Rel(r.root, m)
			if err != nil {
				return nil, err
			}
			names = append(names, filepath.ToSlash(rel))
		}
	} else {
		ls, err := git(ctx, r.root, "ls-tree", "-r", "--name-only", "--full-tree", commit, "--", out)
		if err != nil {
			return nil, err
		}
		names = lines(ls)
	}
	var files []string
	for _, n := range names {
		rel, ok := strings.CutPrefix(n, out+"/")
		if ok && strings.HasSuffix(rel, ".csv") && strings.Count(rel, "/") == 1 {
			files = append(files, n)
		}
	}
	slices.Sort(files)
	return files, nil
}

// SnapshotFile splits a snapshot path into its offer code and region.
func SnapshotFile(file string) (offerCode, region string) {
	dir, base := path.Split(file)
	return path.Base(dir), strings.TrimSuffix(base, ".csv")
}

// regionState reads the manifest entry of a snapshot file at commit (the
// work tree when commit is empty); a missing manifest or region is a zero
// state.
func (r *Repo) regionState(commit, file string) (snapshot.RegionState, error) {
	mpath := path.Join(path.Dir(file), "manifest.json")
	var data []byte
	if commit == "" {
		d, err := os.ReadFile(filepath.Join(r.root, filepath.FromSlash(mpath)))
		if errors.Is(err, os.ErrNotExist) {
			return snapshot.RegionState{}, nil
		}
		if err != nil {
			return snapshot.RegionState{}, err
		}
		data = d
	} else {
		d, ok, err := r.read(commit, mpath)
		if err != nil || !ok {
			return snapshot.RegionState{}, err
		}
		data = d
	}
	_, region := SnapshotFile(file)
	st, err := regionOf(data, region)
	if err != nil {
		return snapshot.RegionState{}, fmt.Errorf("read %s at %s: %w", mpath, short(commit), err)
	}
	return st, nil
}

// regionOf decodes a manifest and returns a region's entry.
func regionOf(manifest []byte, region string) (snapshot.RegionState, error) {
	m, err := snapshot.ParseManifest(manifest, "")
	if err != nil {
		return snapshot.RegionState{}, err
	}
	return m.Regions[region], nil
}

func short(commit string) string {
	if commit == "" {
		return "the work tree"
	}
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
