package tracker

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/githubapi"
	"github.com/pricechecker/pricechecker/internal/gitstore"
	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// NotifyOptions configure Notify.
type NotifyOptions struct {
	// Reports are the JSON change reports a run wrote; Commit, the commit
	// that recorded them, for the links to its diff.
	Reports []string
	Commit  string
	// Base publishes instead the changes committed under Out in Repo since
	// this revision or date, limited to the offers and regions of the
	// matrix Shards (JSON) when set. Their moves are flagged above FlagPct
	// (default: the configuration's at ConfigPath, else the default).
	Base, Shards, Out, Repo, ConfigPath string
	FlagPct                             float64
	// Status is the run's result (default: from the jobs), JobResults the
	// workflow's jobs and results as toJSON(needs).
	Status, JobResults string
	// Run is the workflow run: its links, where to find the logs of its
	// failed jobs, and the commit the outcome names when no other is
	// known (HeadSHA).
	Run        actions.WorkflowRun
	Publishers []publish.Publisher
	// Log receives the publishers' sections and errors; Stderr notes.
	Log    publish.Log
	Stderr io.Writer
	// Merged is called with the merged report before it is published.
	Merged func(report.Report)
	// Published is called with what was published, its links completed by
	// the publishers (the spreadsheet, the Slack message's ts) and its
	// Unpublished naming every destination that failed, even when one
	// failed.
	Published func(publish.Outcome)
}

// CheckNotify refuses options that do not say what to publish, or say it
// twice; it drops repeated report paths.
func CheckNotify(o *NotifyOptions) error {
	if o.Commit != "" && o.Base != "" {
		return UsageError{Err: errors.New("--commit goes with --report; with --base the commits are those since the base")}
	}
	if o.Base != "" && len(o.Reports) > 0 {
		return UsageError{Err: errors.New("--base and --report are alternatives: --base publishes what was committed since a revision, --report the reports a run wrote; together they would count the same changes twice")}
	}
	o.Reports = uniquePaths(o.Reports)
	if o.Base == "" && len(o.Reports) == 0 && o.JobResults == "" && o.Status == "" {
		// (A workflow whose plan failed has no base, but its job results
		// still make a failure message.)
		return UsageError{Err: errors.New("nothing to publish: give --base REV_OR_DATE (the changes committed since) or --report FILE, and in a workflow --job-results")}
	}
	switch publish.Status(o.Status) {
	case "", publish.StatusSuccess, publish.StatusFailure, publish.StatusCancelled:
		return nil
	}
	return UsageError{Err: fmt.Errorf("--status %q: want success, failure or cancelled", o.Status)}
}

// Notify publishes a finished run to every publisher: what it changed
// (from its reports, or from the commits since Base), the jobs that failed
// with links to their logs, and the run's status.
func Notify(ctx context.Context, o NotifyOptions) error {
	jobs, err := parseJobResults(o.JobResults, o.Run.Links.Run)
	if err != nil {
		return UsageError{Err: err}
	}
	jobResults := jobs // before linking: what needs said, the same on a re-run
	jobs = linkJobLogs(ctx, o.Stderr, o.Run, jobs)
	rep, span, err := o.loadReport(ctx)
	if err != nil {
		return err
	}
	if o.Merged != nil {
		o.Merged(rep)
	}
	links := publish.Links{Repository: o.Run.Links.Repository, Run: o.Run.Links.Run, Commit: o.Run.Links.CompareURL(span.from, span.to)}
	if o.Commit != "" {
		span.to = o.Commit
		links.Commit = o.Run.Links.CommitURL(o.Commit)
	}
	outcome := publish.Outcome{
		Status: publish.Status(o.Status), Jobs: jobs, Report: rep, Links: links,
		Commit:        cmp.Or(span.to, o.Run.HeadSHA),
		PublicationID: publicationID(o.Run, rep, span.from, o.Commit, o.Status, jobResults),
	}
	// The completed outcome: its links, and the destinations that failed
	// (Unpublished), which the job summary names.
	outcome, err = publish.RunOutcome(ctx, outcome, o.Publishers, o.Log)
	if o.Published != nil {
		o.Published(outcome)
	}
	if err != nil {
		return &PublishError{err}
	}
	return nil
}

// PublishError says which destinations failed; each was already logged
// through NotifyOptions.Log as it failed.
type PublishError struct{ Err error }

func (e *PublishError) Error() string { return e.Err.Error() }
func (e *PublishError) Unwrap() error { return e.Err }

// publicationID identifies this notification across re-runs: the merged
// report, the revision it was computed from (--base) or recorded at
// (--commit), the workflow run (GITHUB_RUN_ID, the same for every attempt
// of a run) and what the jobs' results said. A re-run of the same
// notification ("re-run failed jobs") gets the same id and posts nothing
// new; a re-run whose shards now succeeded reports something else and gets
// another. HEAD is left out: the notify job checks out the branch's latest
// commit, which another workflow may have moved between attempts.
func publicationID(run actions.WorkflowRun, rep report.Report, base, commit, status string, jobs []publish.Job) string {
	identity := []string{
		"base " + base, "commit " + commit, "status " + status,
		"repository " + run.Repository, "run " + run.IDText,
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

func (f NotifyOptions) loadReport(ctx context.Context) (report.Report, commitSpan, error) {
	var reports []report.Report
	var span commitSpan
	for _, path := range f.Reports {
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
	if f.Base != "" {
		cfg, err := LoadConfig(f.ConfigPath)
		if err != nil {
			return report.Report{}, span, UsageError{Err: err}
		}
		flagPct := cmp.Or(f.FlagPct, cfg.FlagPct, config.DefaultFlagPct)
		r, s, err := changesSince(ctx, f.Repo, f.Out, f.Base, flagPct)
		if err != nil {
			return report.Report{}, span, err
		}
		if f.Shards != "" {
			if r, err = onlyShards(r, f.Shards); err != nil {
				return report.Report{}, span, UsageError{Err: err}
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
func linkJobLogs(ctx context.Context, log io.Writer, run actions.WorkflowRun, jobs []publish.Job) []publish.Job {
	failedJob := func(j publish.Job) bool {
		return j.Result == string(publish.StatusFailure) || j.Result == string(publish.StatusCancelled)
	}
	if !slices.ContainsFunc(jobs, failedJob) {
		return jobs
	}
	if run.Token == "" || run.Repository == "" || run.ID <= 0 {
		return jobs
	}
	listed, err := githubapi.New(run.APIURL, run.Token, nil).Jobs(ctx, run.Repository, run.ID, run.Attempt)
	if err != nil {
		fmt.Fprintf(log, "notify: the failed jobs link the run, not their logs: %v\n", err)
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
