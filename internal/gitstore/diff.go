package gitstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// Diff compares every snapshot under out (a path from the top of the
// repository) at commit from with the same at commit to, or with the work
// tree when to is empty. It gives the report `pricechecker run` would have
// given going from one to the other: one offer per offer/region present at
// either point, ordered by path, with versions from the manifests. A file
// present at only one point is all added or all removed.
func (r *Repo) Diff(ctx context.Context, out, from, to string, opts snapshot.DiffOptions) (report.Report, error) {
	before, err := r.Snapshots(ctx, from, out)
	if err != nil {
		return report.Report{}, err
	}
	after, err := r.Snapshots(ctx, to, out)
	if err != nil {
		return report.Report{}, err
	}
	files := slices.Compact(slices.Sorted(slices.Values(append(before, after...))))
	rep := report.Report{Unchanged: true, Offers: []report.Offer{}}
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return report.Report{}, err
		}
		old, err := r.load(from, file)
		if err != nil {
			return report.Report{}, err
		}
		cur, err := r.load(to, file)
		if err != nil {
			return report.Report{}, err
		}
		if cur == nil {
			cur = &snapshot.Snapshot{}
		}
		o := snapshot.Diff(old, cur, opts)
		o.OfferCode, o.Region = SnapshotFile(file)
		was, err := r.regionState(from, file)
		if err != nil {
			return report.Report{}, err
		}
		now, err := r.regionState(to, file)
		if err != nil {
			return report.Report{}, err
		}
		o.FromVersion, o.ToVersion, o.PublicationDate = was.Version, now.Version, now.PublicationDate
		if !o.Empty() {
			rep.Unchanged = false
		}
		rep.Offers = append(rep.Offers, o)
	}
	return rep, nil
}

// load reads a whole snapshot at commit (the work tree when empty); nil when
// the file does not exist there.
func (r *Repo) load(commit, file string) (*snapshot.Snapshot, error) {
	if commit == "" {
		s, err := snapshot.Load(filepath.Join(r.root, filepath.FromSlash(file)))
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return s, err
	}
	data, ok, err := r.read(commit, file)
	if err != nil || !ok {
		return nil, err
	}
	s, err := snapshot.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", file, short(commit), err)
	}
	return s, nil
}
