package cli

import (
	"cmp"
	"context"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/gitstore"
	"github.com/pricechecker/pricechecker/internal/publish"
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
	dryRun, repoURL, siteBase := false, "", ""
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
	fs.StringVar(&repoURL, "repo-url", "", "outside GitHub Actions: the repository's web page, for the links (default: from the origin remote of --repo)")
	fs.StringVar(&siteBase, "site-base-url", "", "the price-history site's public address, for the summary's links to its pages (default $PRICECHECKER_SITE_BASE_URL)")
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
	run := gh.WorkflowRun(func() string {
		return cmp.Or(gitstore.WebURL(repoURL), gitstore.RemoteWebURL(ctx, f.Repo, "origin"))
	})
	f.Publishers = publishers.publishers(env, gh, run, f.Out, dryRun)
	f.Run = run
	f.Log, f.Stderr = gh, env.Stderr
	// The same outputs as run's, for what this notification covers.
	f.Merged = func(r report.Report) { gh.ReportOutputs(r, "", "") }
	f.Published = func(o publish.Outcome) {
		gh.SetOutput("slack-ts", o.Links.SlackTS)
		gh.Summary(tracker.NotifySummary(o, f.Run, cmp.Or(siteBase, env.Getenv("PRICECHECKER_SITE_BASE_URL"))))
	}
	return annotate(gh, tracker.Notify(ctx, f))
}
