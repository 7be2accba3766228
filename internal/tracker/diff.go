package tracker

import (
	"context"
	"errors"

	"github.com/pricechecker/pricechecker/internal/gitstore"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// DiffOptions configure Diff.
type DiffOptions struct {
	// Repo is the git repository, Out the snapshot folder in it.
	Repo, Out string
	// From and To are revisions or dates; without HasTo, From is compared
	// with the work tree.
	From, To string
	HasTo    bool
	FlagPct  float64
}

// Diff is the change report between two points of the git history, with
// the schema of run's.
func Diff(ctx context.Context, o DiffOptions) (report.Report, error) {
	if o.FlagPct < 0 {
		return report.Report{}, UsageError{Err: errors.New("--flag-pct must be positive")}
	}
	repo, err := gitstore.Open(ctx, o.Repo)
	if err != nil {
		return report.Report{}, err
	}
	defer repo.Close()
	dir, err := repo.Path(o.Out)
	if err != nil {
		return report.Report{}, UsageError{Err: err}
	}
	// A point that names no commit is wrong input, like a malformed date.
	from, err := repo.Resolve(ctx, o.From)
	if err != nil {
		return report.Report{}, UsageError{Err: err}
	}
	to := "" // the work tree
	if o.HasTo {
		if to, err = repo.Resolve(ctx, o.To); err != nil {
			return report.Report{}, UsageError{Err: err}
		}
	}
	return repo.Diff(ctx, dir, from, to, snapshot.DiffOptions{FlagPct: o.FlagPct})
}
