// Package publish owns what notify publishes about a finished run, the
// Outcome (status, jobs, links, the merged change report and the id that
// makes each publication idempotent), and the Publisher interface every
// destination implements: Google Sheets (internal/sheets), Slack
// (internal/slack) and a generic webhook (internal/webhook). Run publishes
// one Outcome to each of them, independently.
package publish

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pricechecker/pricechecker/internal/report"
)

// Status is the overall result of a workflow run, in GitHub's words.
type Status string

// Run statuses. A job's result may also be "skipped", which never makes a
// run fail.
const (
	StatusSuccess   Status = "success"
	StatusFailure   Status = "failure"
	StatusCancelled Status = "cancelled"
)

// Job is one job of the workflow run, as the notify job sees it through the
// `needs` context.
type Job struct {
	Name string
	// Result is GitHub's job result: success, failure, cancelled or skipped.
	Result string
	// URL links to the job's log. When empty a publication links to the run.
	URL string
}

// Failed reports whether the job should be named in a failure message.
func (j Job) Failed() bool {
	return j.Result == string(StatusFailure) || j.Result == string(StatusCancelled)
}

// StatusOf derives the run's status from its jobs: any failed job makes the
// run a failure; otherwise any cancelled job makes it cancelled.
func StatusOf(jobs []Job) Status {
	status := StatusSuccess
	for _, j := range jobs {
		switch j.Result {
		case string(StatusFailure):
			return StatusFailure
		case string(StatusCancelled):
			status = StatusCancelled
		}
	}
	return status
}

// Links are the URLs a publication links to. Any of them may be empty; a
// missing link simply has no button.
type Links struct {
	// Repository is the repository's web page, e.g. https://github.com/o/r.
	Repository string
	// Run is the workflow run,
	// $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID.
	Run string
	// Commit is the diff of the snapshot commit (a commit or compare URL).
	Commit string
	// Spreadsheet is the Google Sheet the run updated.
	Spreadsheet string
	// SlackTS is the ts of the Slack message that carries the run (posted
	// now, or found already posted by an earlier attempt): notify's
	// slack-ts output, to reply in its thread or update it.
	SlackTS string
}

// Outcome is everything a publication says about a finished run.
type Outcome struct {
	// Status is the run's overall result. When empty it is derived from
	// Jobs with StatusOf; see RunStatus.
	Status Status
	// Jobs are the run's jobs (all of them, or only the failed ones); a
	// failure names those whose result is failure or cancelled.
	Jobs []Job
	// Report is the change report of the run; see MergeReports when the
	// run produced several.
	Report report.Report
	Links  Links
	// Commit is the commit that recorded the changes (HEAD for --base, the
	// --commit of --report), "" when unknown.
	Commit string
	// Unpublished are the destinations published before this one that
	// failed; Run fills it in.
	Unpublished []Unpublished
	// PublicationID identifies what is published (see PublicationID): a
	// re-run of the same notification has the same id, which is how each
	// destination publishes it only once.
	PublicationID string
}

// RunStatus is the run's status: Status, derived from the jobs when empty.
// An unknown value counts as a failure, so that it never passes for
// success and stays silent.
func (o Outcome) RunStatus() Status {
	switch o.Status {
	case "":
		return StatusOf(o.Jobs)
	case StatusSuccess, StatusFailure, StatusCancelled:
		return o.Status
	}
	return StatusFailure
}

// Unpublished is a destination a notification could not update.
type Unpublished struct {
	Destination string // "Google Sheets"
	Reason      string
}

// PublicationID is a stable id for publishing rep in a given context: the
// same report with the same identity (the commits it covers, the workflow
// run, the jobs' results) always gives the same id, on any machine, and any
// difference gives another. Identity parts are taken in order.
func PublicationID(rep report.Report, identity ...string) string {
	h := sha256.New()
	// The report's JSON is deterministic: struct fields in order, map keys
	// sorted.
	data, _ := json.Marshal(rep)
	fmt.Fprintf(h, "report %d\n", len(data))
	h.Write(data)
	for _, part := range identity {
		fmt.Fprintf(h, "\n%d %s", len(part), part)
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// MergeReports combines the reports of several jobs of one run into one,
// with the offers ordered by offer code and region. Unchanged is recomputed
// from the offers, so a merged report is unchanged only if every part is.
func MergeReports(reports ...report.Report) report.Report {
	var merged report.Report
	for _, r := range reports {
		merged.Offers = append(merged.Offers, r.Offers...)
	}
	slices.SortStableFunc(merged.Offers, func(a, b report.Offer) int {
		return cmp.Or(cmp.Compare(a.OfferCode, b.OfferCode), cmp.Compare(a.Region, b.Region))
	})
	merged.Unchanged = !slices.ContainsFunc(merged.Offers, func(o report.Offer) bool { return !o.Empty() })
	return merged
}
