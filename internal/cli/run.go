package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/tracker"
)

// runFlags are run's flags: most bind straight to the run's options.
type runFlags struct {
	run                    tracker.RunOptions
	config, endpoint       string
	services, regions      listFlag
	flagPct, maxRemovedPct float64
	idleTimeout            time.Duration
	// set are the flags given, so that a --flag-pct of 0 or NaN is
	// refused, not ignored, and the event chooses only what they do not.
	set map[string]bool
	// sel is what to fetch: the flags, and the triggering event where
	// they say nothing.
	sel tracker.Selection
}

func cmdRun(ctx context.Context, env Env, args []string) error {
	_, err := runCommand(ctx, env, args)
	return err
}

// runCommand is run, returning the commit it made (empty when none).
func runCommand(ctx context.Context, env Env, args []string) (commitSHA string, err error) {
	f := runFlags{set: map[string]bool{}}
	o, git := &f.run.Fetch, &f.run.Git
	fs := newFlagSet("run", env)
	fs.StringVar(&f.config, "config", "", "configuration file (default "+config.DefaultPath+" when it exists)")
	fs.Var(&f.services, "service", "offer code to fetch, e.g. AmazonEC2 (repeatable; overrides the config)")
	fs.Var(&f.regions, "region", "region code, e.g. us-east-1, or all (repeatable; overrides the config)")
	fs.StringVar(&o.Version, "version", "", "fetch this published version (YYYYMMDDhhmmss) instead of the current one")
	fs.StringVar(&o.Format, "format", offerfile.FormatCSV, "offer file format to read: csv or json")
	fs.StringVar(&f.endpoint, "endpoint", "", "Bulk API base URL, or file://DIR for a local mirror (default $PRICECHECKER_ENDPOINT or "+bulk.DefaultEndpoint+")")
	fs.StringVar(&o.Out, "out", "prices", "snapshot folder")
	fs.StringVar(&f.run.Report, "report", "", "write the JSON change report to this file")
	fs.BoolVar(&o.DryRun, "dry-run", false, "fetch and compare, but write no snapshot or manifest")
	fs.BoolVar(&o.Force, "force", false, "fetch even when the manifest already records the version")
	fs.Float64Var(&f.flagPct, "flag-pct", 0, fmt.Sprintf("flag price moves above this percentage (default: config flagPct, else %g)", config.DefaultFlagPct))
	fs.Float64Var(&f.maxRemovedPct, "max-removed-pct", 0, fmt.Sprintf("stop when a version removes more than this percentage of a region's lines, 0 to 100 (default: config maxRemovedPct, else %g; 100: never)", config.DefaultMaxRemovedPct))
	fs.BoolVar(&o.AcceptRemovals, "accept-removals", false, "record a version even when it removes more than maxRemovedPct of a region's lines, or all of them (the report flags it)")
	fs.BoolVar(&f.run.Commit, "commit", false, "commit the snapshots and manifests, with the change report as message")
	fs.BoolVar(&git.Push, "push", false, "push the commit (implies --commit), rebasing over concurrent pushes")
	fs.StringVar(&git.RepoDir, "repo", ".", "git repository to commit to")
	fs.StringVar(&git.Remote, "remote", "origin", "remote to push to")
	fs.StringVar(&git.Branch, "branch", "", "branch to push (default the current branch)")
	fs.StringVar(&git.AuthorName, "author-name", "", "commit author and committer name (default github-actions[bot])")
	fs.StringVar(&git.AuthorEmail, "author-email", "", "commit author and committer email (default the github-actions[bot] noreply address)")
	fs.DurationVar(&o.ProgressInterval, "progress-interval", 5*time.Second, "how often to report download progress (0: only the final line)")
	fs.DurationVar(&f.idleTimeout, "idle-timeout", bulk.DefaultIdleTimeout, "resume a download that sends no byte for this long (counted in the retries)")
	if err := parse(fs, args, 0); err != nil {
		return "", unannotated{err}
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	gh := actions.New(env.Getenv, env.Stdout)
	res, err := f.execute(ctx, env, gh)
	if err != nil || res == nil {
		return "", annotate(gh, err)
	}
	markdown := res.Report.Markdown(0)
	fmt.Fprint(env.Stdout, markdown)
	gh.ReportOutputs(res.Report, f.run.Report, res.Commit)
	gh.Summary(markdown, gh.Links().Footer(res.Commit))
	return res.Commit, nil
}

// execute runs the use case and writes the report; nil without error is a
// dispatch for nothing the configuration tracks.
func (f *runFlags) execute(ctx context.Context, env Env, gh *actions.Runner) (*tracker.RunResult, error) {
	err := f.applyEvent(gh)
	if err == nil {
		err = f.options(ctx, env)
	}
	if errors.Is(err, tracker.ErrNotTracked) {
		fmt.Fprintln(env.Stderr, err)
		gh.ReportOutputs(report.Report{Unchanged: true}, "", "")
		return nil, nil
	}
	if err == nil {
		err = tracker.CheckRun(ctx, f.run)
	}
	if err != nil {
		return nil, err
	}
	f.run.Stage = gh.Group
	res, err := tracker.Run(ctx, f.run)
	if err != nil {
		return nil, err
	}
	annotate(gh, nil, res.Warnings...)
	if f.run.Report != "" {
		if err := tracker.WriteReport(f.run.Report, res.Report); err != nil {
			return nil, unannotated{err} // run has never annotated this one; the log says it
		}
	}
	return res, nil
}

// applyEvent lets the triggering GitHub event choose what to fetch where
// the command line does not, and ask for a forced or dry run.
func (f *runFlags) applyEvent(gh *actions.Runner) error {
	ev, err := gh.Event()
	if err != nil {
		return err
	}
	f.sel = tracker.Selection{Services: f.services, Regions: f.regions}
	f.sel.FromEvent(ev, &f.run.Fetch.Version, func(name string) bool { return f.set[name] })
	f.run.Fetch.Force = f.run.Fetch.Force || ev.Force
	f.run.Fetch.DryRun = f.run.Fetch.DryRun || ev.DryRun
	return nil
}

// options completes the run's options from the flags, the environment and
// the configuration file, reporting every problem as a usage error.
func (f *runFlags) options(ctx context.Context, env Env) error {
	o := &f.run.Fetch
	if o.Format != offerfile.FormatCSV && o.Format != offerfile.FormatJSON {
		return usageError{Err: fmt.Errorf("--format %q: want csv or json", o.Format)}
	}
	if err := tracker.CheckVersion(o.Version); err != nil {
		return err
	}
	sel := f.sel
	sel.ConfigPath, sel.Log, sel.Version = f.config, env.Stderr, o.Version
	if f.set["flag-pct"] {
		sel.FlagPct = &f.flagPct
	}
	if f.set["max-removed-pct"] {
		sel.MaxRemovedPct = &f.maxRemovedPct
	}
	var err error
	if o.Config, err = tracker.Resolve(sel); err != nil {
		return err
	}
	o.Log = env.Stderr
	return o.Connect(ctx, tracker.Connection{
		Endpoint: cmp.Or(f.endpoint, env.Getenv("PRICECHECKER_ENDPOINT")), IdleTimeout: f.idleTimeout,
		Getenv: env.Getenv,
	})
}
