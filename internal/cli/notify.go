package cli

import (
	"context"
	"strconv"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/tracker"
)

// cmdNotify publishes a finished run (tracker.Notify) to every configured
// destination (see publishers.go): the changes go to Google Sheets, one
// Slack message says what changed, or which job failed, and a webhook
// receives it all as JSON.
func cmdNotify(ctx context.Context, env Env, args []string) error {
	var f tracker.NotifyOptions
	var reports listFlag
	var publishers publisherFlags
	dryRun := false
	fs := newFlagSet("notify", env)
	fs.Var(&reports, "report", "JSON change report of the run (repeatable)")
	fs.StringVar(&f.Base, "base", "", "publish the changes committed since this revision or date (instead of --report)")
	fs.StringVar(&f.Commit, "commit", "", "with --report: the commit that recorded the reports, for the links to its diff")
	fs.StringVar(&f.Shards, "shards", "", "with --base: the plan's matrix (JSON); publish only the offers and regions this run's shards fetched, not what a concurrent run committed")
	fs.StringVar(&f.Out, "out", "prices", "snapshot folder")
	fs.StringVar(&f.Repo, "repo", ".", "git repository (with --base)")
	fs.StringVar(&f.ConfigPath, "config", "", "configuration file, for its flagPct (default "+config.DefaultPath+" when it exists)")
	fs.Float64Var(&f.FlagPct, "flag-pct", 0, "with --base, flag price moves above this percentage (default: config flagPct, else 25)")
	fs.StringVar(&f.JobResults, "job-results", "", "the workflow's jobs and results, as toJSON(needs)")
	fs.StringVar(&f.Status, "status", "", "the run's result: success, failure or cancelled (default: from --job-results)")
	fs.BoolVar(&dryRun, "dry-run", false, "print the Sheets plan, the Slack message JSON and the webhook payload instead of sending")
	publishers.register(fs)
	if err := parse(fs, args, 0); err != nil {
		return unannotated{err}
	}
	gh := actions.New(env.Getenv, env.Stdout)
	f.Reports = reports
	if err := tracker.CheckNotify(&f); err != nil {
		return annotate(gh, err)
	}
	if ev, err := gh.Event(); err == nil && ev.DryRun {
		dryRun = true // a manual run's dry-run input covers every job
	}
	f.Publishers = publishers.publishers(env, gh, f.Out, dryRun)
	links := gh.Links()
	f.Run = tracker.RunInfo{
		Repository: links.Repository, URL: links.Run, CommitURL: links.CommitURL, CompareURL: links.CompareURL,
		APIURL: env.Getenv("GITHUB_API_URL"), Token: env.Getenv("GITHUB_TOKEN"), RepoName: env.Getenv("GITHUB_REPOSITORY"),
		IDText: env.Getenv("GITHUB_RUN_ID"),
	}
	f.Run.ID, _ = strconv.ParseInt(f.Run.IDText, 10, 64)
	f.Run.Attempt, _ = strconv.ParseInt(env.Getenv("GITHUB_RUN_ATTEMPT"), 10, 64)
	f.HeadSHA = env.Getenv("GITHUB_SHA")
	f.Log, f.Stderr = gh, env.Stderr
	// The same outputs as run's, for what this notification covers.
	f.Merged = func(r report.Report) { gh.ReportOutputs(r, "", "") }
	return annotate(gh, tracker.Notify(ctx, f))
}
