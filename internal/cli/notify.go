package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/githubapi"
	"github.com/pricechecker/pricechecker/internal/gitstore"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/slack"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

type notifyFlags struct {
	reports          listFlag
	base             string
	commit           string
	shards           string
	out              string
	repo             string
	jobResults       string
	status           string
	dryRun           bool
	notifyOnNoChange bool
	maxChanges       int
	slackChannel     string
	slackAPIURL      string
	config           string
	flagPct          float64
	sheet            sheetFlags
}

// cmdNotify publishes a finished run: the changes go to Google Sheets and
// one Slack message says what changed, or which job failed.
func cmdNotify(ctx context.Context, env Env, args []string) error {
	var f notifyFlags
	fs := newFlagSet("notify", env)
	fs.Var(&f.reports, "report", "JSON change report of the run (repeatable)")
	fs.StringVar(&f.base, "base", "", "publish the changes committed since this revision or date (instead of --report)")
	fs.StringVar(&f.commit, "commit", "", "with --report: the commit that recorded the reports, for the links to its diff")
	fs.StringVar(&f.shards, "shards", "", "with --base: the plan's matrix (JSON); publish only the offers and regions this run's shards fetched, not what a concurrent run committed")
	fs.StringVar(&f.out, "out", "prices", "snapshot folder")
	fs.StringVar(&f.repo, "repo", ".", "git repository (with --base)")
	fs.StringVar(&f.config, "config", "", "configuration file, for its flagPct (default "+config.DefaultPath+" when it exists)")
	fs.Float64Var(&f.flagPct, "flag-pct", 0, "with --base, flag price moves above this percentage (default: config flagPct, else 25)")
	fs.StringVar(&f.jobResults, "job-results", "", "the workflow's jobs and results, as toJSON(needs)")
	fs.StringVar(&f.status, "status", "", "the run's result: success, failure or cancelled (default: from --job-results)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the Slack message JSON and the Sheets plan instead of sending")
	fs.BoolVar(&f.notifyOnNoChange, "notify-on-no-change", false, "post to Slack even when nothing changed")
	fs.IntVar(&f.maxChanges, "max-changes", slack.DefaultMaxChanges, "largest changes listed in the Slack message")
	fs.StringVar(&f.slackChannel, "slack-channel", "", "channel ID for the bot token ($SLACK_BOT_TOKEN)")
	fs.StringVar(&f.slackAPIURL, "slack-api-url", "", "Slack Web API base URL (default "+slack.DefaultAPIURL+")")
	f.sheet.register(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	gh := actions.New(env.Getenv, env.Stdout)
	if f.commit != "" && f.base != "" {
		return annotated(gh, usageError{errors.New("--commit goes with --report; with --base the commits are those since the base")})
	}
	if f.base != "" && len(f.reports) > 0 {
		return annotated(gh, usageError{errors.New("--base and --report are alternatives: --base publishes what was committed since a revision, --report the reports a run wrote; together they would count the same changes twice")})
	}
	f.reports = uniquePaths(f.reports)
	if f.base == "" && len(f.reports) == 0 && f.jobResults == "" && f.status == "" {
		// (A workflow whose plan failed has no base, but its job results
		// still make a failure message.)
		return annotated(gh, usageError{errors.New("nothing to publish: give --base REV_OR_DATE (the changes committed since) or --report FILE, and in a workflow --job-results")})
	}
	switch slack.Status(f.status) {
	case "", slack.StatusSuccess, slack.StatusFailure, slack.StatusCancelled:
	default:
		return annotated(gh, usageError{fmt.Errorf("--status %q: want success, failure or cancelled", f.status)})
	}
	if ev, err := gh.Event(); err == nil && ev.DryRun {
		f.dryRun = true // a manual run's dry-run input covers every job
	}
	slackCfg := slack.Config{
		WebhookURL: env.Getenv("SLACK_WEBHOOK_URL"),
		Token:      env.Getenv("SLACK_BOT_TOKEN"),
		Channel:    f.slackChannel,
		APIURL:     f.slackAPIURL,
	}
	for _, s := range slackCfg.Secrets() {
		gh.Mask(s)
	}
	jobs, err := parseJobResults(f.jobResults, gh.Links().Run)
	if err != nil {
		return annotated(gh, usageError{err})
	}
	jobResults := jobs // before linking: what needs said, the same on a re-run
	jobs = linkJobLogs(ctx, env, jobs)
	rep, span, err := f.loadReport(ctx)
	if err != nil {
		gh.Error(err)
		return err
	}
	// The same outputs as run's, for what this notification covers.
	publishOutputs(gh, rep, "", "")

	links := slack.LinksFromEnv(env.Getenv)
	links.Commit = gh.Links().CompareURL(span.from, span.to)
	if f.commit != "" {
		span.to = f.commit
		links.Commit = gh.Links().CommitURL(f.commit)
	}
	// Each destination is published on its own: one that fails does not
	// keep the other from being updated, and is named in what the other
	// shows. The run fails when any of them failed, naming each.
	var errs []error
	var unpublished []slack.Unpublished
	if rep.Unchanged {
		fmt.Fprintln(env.Stderr, "sheets: nothing changed; the spreadsheet is up to date")
	} else {
		end := gh.Group("Google Sheets")
		sheetURL, err := f.sheet.publish(ctx, env, gh, rep, f.out, span.to, f.dryRun)
		end()
		if err != nil {
			gh.Error(err)
			errs = append(errs, fmt.Errorf("Google Sheets was not updated: %w", err))
			// One line: some errors (the token endpoint's) hold the
			// answer's body on lines of their own.
			reason := strings.Join(strings.Fields(err.Error()), " ")
			unpublished = append(unpublished, slack.Unpublished{Destination: "Google Sheets", Reason: reason})
		}
		links.Spreadsheet = sheetURL
	}

	end := gh.Group("Slack")
	err = f.sendSlack(ctx, env, gh, slackCfg, slack.Outcome{
		Status: slack.Status(f.status), Jobs: jobs, Report: rep, Links: links,
		NotifyOnNoChange: f.notifyOnNoChange, MaxChanges: f.maxChanges,
		Unpublished:   unpublished,
		PublicationID: publicationID(env, rep, span.from, f.commit, f.status, jobResults),
	})
	end()
	if err != nil {
		gh.Error(err)
		errs = append(errs, fmt.Errorf("Slack was not notified: %w", err))
	}
	return errors.Join(errs...)
}

// publicationID identifies this notification across re-runs: the merged
// report, the revision it was computed from (--base) or recorded at
// (--commit), the workflow run (GITHUB_RUN_ID, the same for every attempt
// of a run) and what the jobs' results said. A re-run of the same
// notification ("re-run failed jobs") gets the same id and posts nothing
// new; a re-run whose shards now succeeded reports something else and gets
// another. HEAD is left out: the notify job checks out the branch's latest
// commit, which another workflow may have moved between attempts.
func publicationID(env Env, rep report.Report, base, commit, status string, jobs []slack.Job) string {
	identity := []string{
		"base " + base, "commit " + commit, "status " + status,
		"repository " + env.Getenv("GITHUB_REPOSITORY"), "run " + env.Getenv("GITHUB_RUN_ID"),
	}
	for _, j := range jobs {
		identity = append(identity, "job "+j.Name+"="+j.Result)
	}
	return slack.PublicationID(rep, identity...)
}

// uniquePaths drops repeated report paths, which would count the same
// changes twice.
func uniquePaths(paths []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// commitSpan is the range of commits a notification covers.
type commitSpan struct{ from, to string }

func (f *notifyFlags) loadReport(ctx context.Context) (report.Report, commitSpan, error) {
	var reports []report.Report
	var span commitSpan
	for _, path := range f.reports {
		data, err := os.ReadFile(path)
		if err != nil {
			return report.Report{}, span, err
		}
		var r report.Report
		if err := json.Unmarshal(data, &r); err != nil {
			return report.Report{}, span, fmt.Errorf("read report %s: %w", path, err)
		}
		reports = append(reports, r)
	}
	if f.base != "" {
		cfg, err := loadConfig(f.config)
		if err != nil {
			return report.Report{}, span, usageError{err}
		}
		flagPct := cmp.Or(f.flagPct, cfg.FlagPct, config.DefaultFlagPct)
		r, s, err := changesSince(ctx, f.repo, f.out, f.base, flagPct)
		if err != nil {
			return report.Report{}, span, err
		}
		if f.shards != "" {
			if r, err = onlyShards(r, f.shards); err != nil {
				return report.Report{}, span, usageError{err}
			}
		}
		reports = append(reports, r)
		span = s
	}
	return slack.MergeReports(reports...), span, nil
}

func (f *notifyFlags) sendSlack(ctx context.Context, env Env, gh *actions.Runner, cfg slack.Config, o slack.Outcome) error {
	if cfg.WebhookURL == "" && cfg.Token == "" && !f.dryRun {
		fmt.Fprintln(env.Stderr, "slack: no SLACK_WEBHOOK_URL or SLACK_BOT_TOKEN; not posting")
		return nil
	}
	msg, skip := slack.BuildMessage(o)
	if skip {
		fmt.Fprintln(env.Stderr, "slack: nothing changed; staying silent (use --notify-on-no-change to post anyway)")
		return nil
	}
	if f.dryRun {
		// A setup that would fail to send fails the dry run too.
		if cfg.WebhookURL != "" || cfg.Token != "" {
			if _, err := slack.NewSender(cfg); err != nil {
				return err
			}
		}
		data, err := slack.RenderJSON(msg)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s\n", data)
		return nil
	}
	sender, err := slack.NewSender(cfg)
	if err != nil {
		return err
	}
	res, err := sender.SendOnce(ctx, msg)
	if res.Unchecked != "" {
		warning := "slack: " + res.Unchecked
		fmt.Fprintln(env.Stderr, warning)
		// On a re-run of the job the message may now be a duplicate:
		// worth an annotation. A first attempt cannot have posted before.
		if attempt, _ := strconv.Atoi(env.Getenv("GITHUB_RUN_ATTEMPT")); attempt > 1 {
			gh.Warning(warning)
		}
	}
	if err != nil {
		return err
	}
	if res.AlreadyPosted != "" {
		fmt.Fprintf(env.Stderr, "slack: this report was already posted (message %s, publication %s); not posting it again\n", res.AlreadyPosted, msg.PublicationID)
		return nil
	}
	fmt.Fprintf(env.Stderr, "slack: message posted (publication %s)\n", msg.PublicationID)
	return nil
}

// parseJobResults reads toJSON(needs): {"job": {"result": "success", ...}}.
// Job pages are not in that context, so each links to the run.
func parseJobResults(s, runURL string) ([]slack.Job, error) {
	if s == "" {
		return nil, nil
	}
	var needs map[string]struct {
		Result string `json:"result"`
	}
	if err := json.Unmarshal([]byte(s), &needs); err != nil {
		return nil, fmt.Errorf("--job-results: want toJSON(needs), got %.40q: %w", s, err)
	}
	var jobs []slack.Job
	for name, n := range needs {
		jobs = append(jobs, slack.Job{Name: name, Result: n.Result, URL: runURL})
	}
	slices.SortFunc(jobs, func(a, b slack.Job) int { return strings.Compare(a.Name, b.Name) })
	return jobs, nil
}

// linkJobLogs points each failed job at its own log. needs holds only job
// ids and results, so the log pages (and the matrix jobs behind an id, such
// as "shard (AmazonEC2, us-east-1)") come from the GitHub API, with the
// workflow's GITHUB_TOKEN (permissions: actions: read). The lookup is best
// effort: without a token, or when GitHub does not answer, the jobs keep
// their link to the run.
func linkJobLogs(ctx context.Context, env Env, jobs []slack.Job) []slack.Job {
	failedJob := func(j slack.Job) bool {
		return j.Result == string(slack.StatusFailure) || j.Result == string(slack.StatusCancelled)
	}
	if !slices.ContainsFunc(jobs, failedJob) {
		return jobs
	}
	token, repo := env.Getenv("GITHUB_TOKEN"), env.Getenv("GITHUB_REPOSITORY")
	runID, _ := strconv.ParseInt(env.Getenv("GITHUB_RUN_ID"), 10, 64)
	attempt, _ := strconv.ParseInt(env.Getenv("GITHUB_RUN_ATTEMPT"), 10, 64)
	if token == "" || repo == "" || runID <= 0 {
		return jobs
	}
	listed, err := githubapi.New(env.Getenv("GITHUB_API_URL"), token, nil).Jobs(ctx, repo, runID, attempt)
	if err != nil {
		fmt.Fprintf(env.Stderr, "notify: the failed jobs link the run, not their logs: %v\n", err)
		return jobs
	}
	failed := githubapi.Failed(listed)
	var out []slack.Job
	for _, j := range jobs {
		if !failedJob(j) {
			out = append(out, j)
			continue
		}
		var matched []slack.Job
		for _, l := range failed {
			// A matrix job is listed as "id (values…)".
			if l.Name == j.Name || strings.HasPrefix(l.Name, j.Name+" (") {
				result := l.Conclusion
				if result == "timed_out" {
					result = string(slack.StatusFailure)
				}
				matched = append(matched, slack.Job{Name: l.Name, Result: result, URL: l.URL})
			}
		}
		if len(matched) == 0 {
			matched = []slack.Job{j}
		}
		out = append(out, matched...)
	}
	return out
}

// onlyShards keeps the offers and regions of the plan's matrix: other
// workflow runs (for other offers) may have pushed between base and HEAD,
// and their notify reports those.
func onlyShards(r report.Report, matrix string) (report.Report, error) {
	var shards []Shard
	if err := json.Unmarshal([]byte(matrix), &shards); err != nil {
		return r, fmt.Errorf("--shards: want the plan's matrix, a JSON list of {offer, region}: %w", err)
	}
	keep := func(o report.Offer) bool {
		return slices.ContainsFunc(shards, func(s Shard) bool {
			return s.Offer == o.OfferCode && (s.Region == o.Region || s.Region == config.AllRegions)
		})
	}
	var kept []report.Offer
	for _, o := range r.Offers {
		if keep(o) {
			kept = append(kept, o)
		}
	}
	return slack.MergeReports(report.Report{Offers: kept}), nil
}

// changesSince is the report of everything committed under out since base
// (a revision or a date) up to HEAD: in a fanned-out workflow, what every
// shard committed during this run.
func changesSince(ctx context.Context, repoDir, out, base string, flagPct float64) (report.Report, commitSpan, error) {
	repo, err := gitstore.Open(ctx, repoDir)
	if err != nil {
		return report.Report{}, commitSpan{}, err
	}
	defer repo.Close()
	from, err := repo.Resolve(ctx, base)
	if err != nil {
		return report.Report{}, commitSpan{}, err
	}
	head, err := repo.Resolve(ctx, "HEAD")
	if err != nil {
		return report.Report{}, commitSpan{}, err
	}
	rep, err := repo.Diff(ctx, out, from, head, snapshot.DiffOptions{FlagPct: flagPct})
	if err != nil {
		return report.Report{}, commitSpan{}, fmt.Errorf("changes since %s: %w", base, err)
	}
	return rep, commitSpan{from: from, to: head}, nil
}
