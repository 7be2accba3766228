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
	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

type notifyFlags struct {
	reports    listFlag
	base       string
	commit     string
	shards     string
	out        string
	repo       string
	jobResults string
	status     string
	dryRun     bool
	config     string
	flagPct    float64
	publishers publisherFlags
}

// cmdNotify publishes a finished run to every configured destination (see
// publishers.go): the changes go to Google Sheets, one Slack message says
// what changed, or which job failed, and a webhook receives it all as JSON.
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
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the Sheets plan, the Slack message JSON and the webhook payload instead of sending")
	f.publishers.register(fs)
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
	switch publish.Status(f.status) {
	case "", publish.StatusSuccess, publish.StatusFailure, publish.StatusCancelled:
	default:
		return annotated(gh, usageError{fmt.Errorf("--status %q: want success, failure or cancelled", f.status)})
	}
	if ev, err := gh.Event(); err == nil && ev.DryRun {
		f.dryRun = true // a manual run's dry-run input covers every job
	}
	pubs := f.publishers.publishers(env, gh, f.out, f.dryRun)
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

	run := gh.Links()
	links := publish.Links{Repository: run.Repository, Run: run.Run, Commit: run.CompareURL(span.from, span.to)}
	if f.commit != "" {
		span.to = f.commit
		links.Commit = run.CommitURL(f.commit)
	}
	return publish.Run(ctx, publish.Outcome{
		Status: publish.Status(f.status), Jobs: jobs, Report: rep, Links: links,
		Commit:        cmp.Or(span.to, env.Getenv("GITHUB_SHA")),
		PublicationID: publicationID(env, rep, span.from, f.commit, f.status, jobResults),
	}, pubs, gh)
}

// publicationID identifies this notification across re-runs: the merged
// report, the revision it was computed from (--base) or recorded at
// (--commit), the workflow run (GITHUB_RUN_ID, the same for every attempt
// of a run) and what the jobs' results said. A re-run of the same
// notification ("re-run failed jobs") gets the same id and posts nothing
// new; a re-run whose shards now succeeded reports something else and gets
// another. HEAD is left out: the notify job checks out the branch's latest
// commit, which another workflow may have moved between attempts.
func publicationID(env Env, rep report.Report, base, commit, status string, jobs []publish.Job) string {
	identity := []string{
		"base " + base, "commit " + commit, "status " + status,
		"repository " + env.Getenv("GITHUB_REPOSITORY"), "run " + env.Getenv("GITHUB_RUN_ID"),
	}
	for _, j := range jobs {
		identity = append(identity, "job "+j.Name+"="+j.Result)
	}
	return publish.PublicationID(rep, identity...)
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
	return publish.MergeReports(reports...), span, nil
}

// parseJobResults reads toJSON(needs): {"job": {"result": "success", ...}}.
// Job pages are not in that context, so each links to the run.
func parseJobResults(s, runURL string) ([]publish.Job, error) {
	if s == "" {
		return nil, nil
	}
	var needs map[string]struct {
		Result string `json:"result"`
	}
	if err := json.Unmarshal([]byte(s), &needs); err != nil {
		return nil, fmt.Errorf("--job-results: want toJSON(needs), got %.40q: %w", s, err)
	}
	var jobs []publish.Job
	for name, n := range needs {
		jobs = append(jobs, publish.Job{Name: name, Result: n.Result, URL: runURL})
	}
	slices.SortFunc(jobs, func(a, b publish.Job) int { return strings.Compare(a.Name, b.Name) })
	return jobs, nil
}

// linkJobLogs points each failed job at its own log. needs holds only job
// ids and results, so the log pages (and the matrix jobs behind an id, such
// as "shard (AmazonEC2, us-east-1)") come from the GitHub API, with the
// workflow's GITHUB_TOKEN (permissions: actions: read). The lookup is best
// effort: without a token, or when GitHub does not answer, the jobs keep
// their link to the run.
func linkJobLogs(ctx context.Context, env Env, jobs []publish.Job) []publish.Job {
	failedJob := func(j publish.Job) bool {
		return j.Result == string(publish.StatusFailure) || j.Result == string(publish.StatusCancelled)
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
	var out []publish.Job
	for _, j := range jobs {
		if !failedJob(j) {
			out = append(out, j)
			continue
		}
		var matched []publish.Job
		for _, l := range failed {
			// A matrix job is listed as "id (values…)".
			if l.Name == j.Name || strings.HasPrefix(l.Name, j.Name+" (") {
				result := l.Conclusion
				if result == "timed_out" {
					result = string(publish.StatusFailure)
				}
				matched = append(matched, publish.Job{Name: l.Name, Result: result, URL: l.URL})
			}
		}
		if len(matched) == 0 {
			matched = []publish.Job{j}
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
	return publish.MergeReports(report.Report{Offers: kept}), nil
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
