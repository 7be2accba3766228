package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/source/pricingapi"
	"github.com/pricechecker/pricechecker/internal/tracker"
)

type runFlags struct {
	config   string
	services listFlag
	regions  listFlag
	version  string
	format   string
	endpoint string
	out      string
	report   string
	dryRun   bool
	force    bool
	flagPct  float64
	// flagPctSet is true when --flag-pct was given, so that 0 or NaN is
	// refused rather than silently ignored.
	flagPctSet bool
	progress   time.Duration
	// idleTimeout is how long a download may send nothing before it is
	// resumed.
	idleTimeout time.Duration
	commit      bool
	git         tracker.CommitOptions
	// dispatch is the repository_dispatch that started the run, if any:
	// its offers are checked against the config once that is loaded.
	dispatch *actions.Event

	// maxRemovedPct is --max-removed-pct when maxRemovedSet; 0 is a
	// threshold there (any removal stops the run), not "unset".
	maxRemovedPct  float64
	maxRemovedSet  bool
	acceptRemovals bool
}

func cmdRun(ctx context.Context, env Env, args []string) error {
	_, err := runCommand(ctx, env, args)
	return err
}

// runCommand is run, returning the commit it made (empty when none).
func runCommand(ctx context.Context, env Env, args []string) (commitSHA string, err error) {
	var f runFlags
	fs := newFlagSet("run", env)
	fs.StringVar(&f.config, "config", "", "configuration file (default "+config.DefaultPath+" when it exists)")
	fs.Var(&f.services, "service", "offer code to fetch, e.g. AmazonEC2 (repeatable; overrides the config)")
	fs.Var(&f.regions, "region", "region code, e.g. us-east-1, or all (repeatable; overrides the config)")
	fs.StringVar(&f.version, "version", "", "fetch this published version (YYYYMMDDhhmmss) instead of the current one")
	fs.StringVar(&f.format, "format", offerfile.FormatCSV, "offer file format to read: csv or json")
	fs.StringVar(&f.endpoint, "endpoint", "", "Bulk API base URL, or file://DIR for a local mirror (default $PRICECHECKER_ENDPOINT or "+bulk.DefaultEndpoint+")")
	fs.StringVar(&f.out, "out", "prices", "snapshot folder")
	fs.StringVar(&f.report, "report", "", "write the JSON change report to this file")
	fs.BoolVar(&f.dryRun, "dry-run", false, "fetch and compare, but write no snapshot or manifest")
	fs.BoolVar(&f.force, "force", false, "fetch even when the manifest already records the version")
	fs.Float64Var(&f.flagPct, "flag-pct", 0, fmt.Sprintf("flag price moves above this percentage (default: config flagPct, else %g)", config.DefaultFlagPct))
	fs.Float64Var(&f.maxRemovedPct, "max-removed-pct", 0, fmt.Sprintf("stop when a version removes more than this percentage of a region's lines, 0 to 100 (default: config maxRemovedPct, else %g; 100: never)", config.DefaultMaxRemovedPct))
	fs.BoolVar(&f.acceptRemovals, "accept-removals", false, "record a version even when it removes more than maxRemovedPct of a region's lines, or all of them (the report flags it)")
	fs.BoolVar(&f.commit, "commit", false, "commit the snapshots and manifests, with the change report as message")
	fs.BoolVar(&f.git.Push, "push", false, "push the commit (implies --commit), rebasing over concurrent pushes")
	fs.StringVar(&f.git.RepoDir, "repo", ".", "git repository to commit to")
	fs.StringVar(&f.git.Remote, "remote", "origin", "remote to push to")
	fs.StringVar(&f.git.Branch, "branch", "", "branch to push (default the current branch)")
	fs.StringVar(&f.git.AuthorName, "author-name", "", "commit author and committer name (default github-actions[bot])")
	fs.StringVar(&f.git.AuthorEmail, "author-email", "", "commit author and committer email (default the github-actions[bot] noreply address)")
	fs.DurationVar(&f.progress, "progress-interval", 5*time.Second, "how often to report download progress (0: only the final line)")
	fs.DurationVar(&f.idleTimeout, "idle-timeout", bulk.DefaultIdleTimeout, "resume a download that sends no byte for this long (counted in the retries)")
	if err := parse(fs, args, 0); err != nil {
		return "", unannotated{err}
	}
	fs.Visit(func(fl *flag.Flag) {
		f.flagPctSet = f.flagPctSet || fl.Name == "flag-pct"
		f.maxRemovedSet = f.maxRemovedSet || fl.Name == "max-removed-pct"
	})
	gh := actions.New(env.Getenv, env.Stdout)
	if err := f.applyEvent(gh, fs); err != nil {
		return "", annotate(gh, err)
	}
	opts, err := f.options(ctx, env)
	if errors.Is(err, tracker.ErrNotTracked) {
		fmt.Fprintln(env.Stderr, err)
		publishOutputs(gh, report.Report{Unchanged: true}, "", "")
		return "", nil
	}
	if err != nil {
		return "", annotate(gh, err)
	}
	if err := tracker.CheckRun(ctx, opts); err != nil {
		return "", annotate(gh, err)
	}
	if f.report != "" {
		if err := checkWritable(f.report); err != nil {
			return "", annotate(gh, err)
		}
	}
	opts.Stage = gh.Group
	res, err := tracker.Run(ctx, opts)
	if err != nil {
		return "", annotate(gh, err)
	}
	annotate(gh, nil, res.Warnings...)
	if f.report != "" {
		if err := tracker.WriteReport(f.report, res.Report); err != nil {
			return "", unannotated{err}
		}
	}
	markdown := res.Report.Markdown(0)
	fmt.Fprint(env.Stdout, markdown)
	publishOutputs(gh, res.Report, f.report, res.Commit)
	gh.Summary(markdown, runLinks(gh.Links(), res.Commit))
	return res.Commit, nil
}

// applyEvent lets the triggering GitHub event choose what to fetch when the
// command line does not: a repository_dispatch names an offer and version,
// a workflow_dispatch carries the manual inputs.
func (f *runFlags) applyEvent(gh *actions.Runner, fs *flag.FlagSet) error {
	ev, err := gh.Event()
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if !set["service"] && ev.Name == "repository_dispatch" {
		f.dispatch = &ev
	} else if !set["service"] && len(ev.Services) > 0 {
		f.services = ev.Services
	}
	if !set["region"] && len(ev.Regions) > 0 {
		f.regions = ev.Regions
	}
	if !set["version"] && ev.Version != "" {
		f.version = ev.Version
	}
	f.force = f.force || ev.Force
	f.dryRun = f.dryRun || ev.DryRun
	return nil
}

// publishOutputs sets the step outputs other steps and jobs read.
func publishOutputs(gh *actions.Runner, r report.Report, reportPath, commitSHA string) {
	added, removed, changed := r.Totals()
	gh.SetOutput("changed", strconv.FormatBool(!r.Unchanged))
	gh.SetOutput("added-count", strconv.Itoa(added))
	gh.SetOutput("removed-count", strconv.Itoa(removed))
	gh.SetOutput("changed-count", strconv.Itoa(changed))
	gh.SetOutput("report-path", reportPath)
	gh.SetOutput("commit-sha", commitSHA)
}

// runLinks is the job summary's footer.
func runLinks(l actions.Links, commitSHA string) string {
	var parts []string
	if u := l.CommitURL(commitSHA); u != "" {
		parts = append(parts, fmt.Sprintf("[commit %s](%s)", commitSHA[:min(7, len(commitSHA))], u))
	}
	if l.Run != "" {
		parts = append(parts, fmt.Sprintf("[workflow run](%s)", l.Run))
	}
	if len(parts) == 0 {
		return ""
	}
	return "\n" + strings.Join(parts, " · ") + "\n"
}

// options resolves flags, environment and configuration file into the
// run's options, reporting every problem as a usage error.
func (f *runFlags) options(ctx context.Context, env Env) (tracker.RunOptions, error) {
	if f.format != offerfile.FormatCSV && f.format != offerfile.FormatJSON {
		return tracker.RunOptions{}, usageError{Err: fmt.Errorf("--format %q: want csv or json", f.format)}
	}
	if err := tracker.CheckVersion(f.version); err != nil {
		return tracker.RunOptions{}, err
	}
	sel := tracker.Selection{ConfigPath: f.config, Services: f.services, Regions: f.regions, Log: env.Stderr}
	if f.dispatch != nil {
		sel.Dispatched, sel.DispatchAction, sel.DispatchedServices = true, f.dispatch.Action, f.dispatch.Services
	}
	cfg, err := tracker.Resolve(sel)
	if err != nil {
		return tracker.RunOptions{}, err
	}
	if f.version != "" {
		for _, o := range cfg.Offers {
			if tracker.CurrentOnly(o) {
				return tracker.RunOptions{}, usageError{Err: fmt.Errorf("%s: --version %s: GetProducts serves only the current version; use api mode files (or the Bulk API) for a published version", o.Code, f.version)}
			}
		}
	}
	if f.flagPctSet {
		if !(f.flagPct > 0) || math.IsInf(f.flagPct, 0) {
			return tracker.RunOptions{}, usageError{Err: fmt.Errorf("--flag-pct %v: want a positive percentage such as 25", f.flagPct)}
		}
		cfg.FlagPct = f.flagPct
	}
	if f.maxRemovedSet {
		if !(f.maxRemovedPct >= 0 && f.maxRemovedPct <= 100) {
			return tracker.RunOptions{}, usageError{Err: fmt.Errorf("--max-removed-pct %v: want a percentage from 0 to 100 such as 20 (100 turns the removal guard off)", f.maxRemovedPct)}
		}
		cfg.MaxRemovedPct = &f.maxRemovedPct
	}
	endpoint := f.endpoint
	if endpoint == "" {
		endpoint = env.Getenv("PRICECHECKER_ENDPOINT")
	}
	client, err := bulk.New(endpoint, nil)
	if err != nil {
		return tracker.RunOptions{}, usageError{Err: err}
	}
	if f.idleTimeout <= 0 {
		return tracker.RunOptions{}, usageError{Err: fmt.Errorf("--idle-timeout %v: want a positive duration such as 60s", f.idleTimeout)}
	}
	client.IdleTimeout = f.idleTimeout
	opts := tracker.FetchOptions{
		Config: cfg, Version: f.version, Format: f.format, Out: f.out,
		DryRun: f.dryRun, Force: f.force, Client: client,
		Log: env.Stderr, ProgressInterval: f.progress,
	}
	opts.AcceptRemovals = f.acceptRemovals
	if slices.ContainsFunc(cfg.Offers, tracker.NeedsPricingAPI) {
		if opts.Pricing, err = pricingClient(ctx, env); err != nil {
			return tracker.RunOptions{}, err
		}
	}
	return tracker.RunOptions{Fetch: opts, Commit: f.commit, Git: f.git}, nil
}

// pricingClient makes the Pricing API client for entries with source: api:
// the default AWS credential chain, the API in PRICECHECKER_PRICING_REGION
// (default us-east-1) or at PRICECHECKER_PRICING_ENDPOINT.
func pricingClient(ctx context.Context, env Env) (*pricingapi.Client, error) {
	opts := pricingapi.Options{
		Endpoint: env.Getenv("PRICECHECKER_PRICING_ENDPOINT"),
		Region:   env.Getenv("PRICECHECKER_PRICING_REGION"),
	}
	if opts.Region != "" && !slices.Contains(pricingapi.Regions, opts.Region) {
		return nil, usageError{Err: fmt.Errorf("PRICECHECKER_PRICING_REGION %q: the Pricing API is served from %s only", opts.Region, strings.Join(pricingapi.Regions, ", "))}
	}
	if v := env.Getenv("PRICECHECKER_PRICING_MAX_BACKOFF"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, usageError{Err: fmt.Errorf("PRICECHECKER_PRICING_MAX_BACKOFF %q: want a duration such as 20s", v)}
		}
		opts.MaxBackoff = d
	}
	return pricingapi.New(ctx, opts)
}

// checkWritable makes sure a file can be written at path (its folder exists
// and takes new files) without touching path itself.
func checkWritable(path string) error {
	dir := filepath.Dir(path)
	probe, err := os.CreateTemp(dir, ".pricechecker-probe-*")
	if err != nil {
		return usageError{Err: fmt.Errorf("--report %s: cannot write in %s: %w", path, dir, err)}
	}
	probe.Close()
	return os.Remove(probe.Name())
}
