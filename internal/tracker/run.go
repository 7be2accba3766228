package tracker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pricechecker/pricechecker/internal/atomicfile"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/report"
)

// maxReruns bounds how often run fetches again after losing a push race
// for the same price list.
const maxReruns = 3

// RunOptions configure `pricechecker run`.
type RunOptions struct {
	Fetch FetchOptions
	// Commit records the run in git as Git says (Git.Push pushes it too);
	// a dry run records nothing.
	Commit bool
	Git    CommitOptions
	// Report is where the caller writes the JSON change report, if
	// anywhere: CheckRun makes sure it can.
	Report string
	// Stage opens a titled section of the log and returns its end
	// (default: none).
	Stage func(title string) (end func())
}

// recording reports whether the run is recorded in git.
func (o RunOptions) recording() bool { return (o.Commit || o.Git.Push) && !o.Fetch.DryRun }

// git is where the run is recorded: Git, with the run's snapshot folder.
func (o RunOptions) git() CommitOptions {
	g := o.Git
	g.Out = o.Fetch.Out
	return g
}

// RunResult is what a run produced and the commit that recorded it (empty
// when none).
type RunResult struct {
	*FetchResult
	Commit string
}

// CheckRun fails on what would fail after the snapshots are written, before
// anything is fetched: a run whose snapshot landed but whose commit or
// report did not would skip that version next time.
func CheckRun(ctx context.Context, o RunOptions) error {
	if o.recording() {
		if err := checkCommitTarget(ctx, o.git()); err != nil {
			return err
		}
	}
	if o.Report != "" {
		return checkWritable(o.Report)
	}
	return nil
}

// checkWritable makes sure a file can be written at path (its folder exists
// and takes new files) without touching path itself.
func checkWritable(path string) error {
	dir := filepath.Dir(path)
	probe, err := os.CreateTemp(dir, ".pricechecker-probe-*")
	if err != nil {
		return UsageError{Err: fmt.Errorf("--report %s: cannot write in %s: %w", path, dir, err)}
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// Run fetches, compares and writes the configured price lists and, with
// Commit, records them in git. A push that conflicts with another run's
// snapshot of the same price list rewinds onto that run's commit; fetching
// again then compares with what it recorded.
func Run(ctx context.Context, o RunOptions) (*RunResult, error) {
	if o.Fetch.Log == nil {
		o.Fetch.Log = io.Discard
	}
	stage := o.Stage
	if stage == nil {
		stage = func(string) func() { return func() {} }
	}
	for attempt := 1; ; attempt++ {
		end := stage("Fetch and compare AWS price lists")
		res, err := fetchRecorded(ctx, o)
		end()
		if err != nil {
			return nil, err
		}
		if !o.recording() {
			return &RunResult{FetchResult: res}, nil
		}
		end = stage("Commit to git")
		sha, err := commitAndPush(ctx, o.Fetch.Log, o.git(), res)
		end()
		var rerun *rerunError
		if errors.As(err, &rerun) && attempt < maxReruns {
			fmt.Fprintf(o.Fetch.Log, "push: another run recorded the same price list first (%s); fetching again on top of it\n", strings.Join(rerun.conflict.Files, ", "))
			continue
		}
		if err != nil {
			return nil, err
		}
		return &RunResult{FetchResult: res, Commit: sha}, nil
	}
}

// LoadConfig reads the named file, or the default one when it exists; with
// neither, the command line alone must say what to fetch.
func LoadConfig(path string) (config.Config, error) {
	if path == "" {
		if _, err := os.Stat(config.DefaultPath); err != nil {
			return config.Config{}, nil
		}
		path = config.DefaultPath
	}
	return config.Load(path)
}

// WriteReport writes the JSON change report to path, atomically.
func WriteReport(path string, r report.Report) error {
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	})
}
