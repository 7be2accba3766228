package githubapi

import (
	"fmt"
	"testing"

	"github.com/pricechecker/pricechecker/internal/githubapi/githubfake"
)

const (
	testRepo    = "octo-org/prices"
	testRepoID  = 4242
	testRunID   = 9001
	testToken   = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
	docsJobsURL = "https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run"
)

// newFakeGitHub starts the GitHub fake with one run of two attempts;
// prefix is "/api/v3" for GitHub Enterprise Server.
func newFakeGitHub(t *testing.T, prefix string) *githubfake.GitHub {
	t.Helper()
	f := githubfake.New(t, testRepo, testToken)
	f.Prefix = prefix
	f.RepoID = testRepoID
	f.RunID = testRunID
	f.Attempts = map[int64][]githubfake.Job{
		1: firstAttempt(),
		2: secondAttempt(),
	}
	return f
}

// firstAttempt is a failed first run.
func firstAttempt() []githubfake.Job {
	return []githubfake.Job{
		fakeJob("fetch", "completed", "success"),
		fakeJob("transform (AmazonEC2)", "completed", "failure"),
		fakeJob("publish", "completed", "cancelled"),
		fakeJob("notify", "in_progress", ""),
	}
}

// secondAttempt has 130 jobs, so that it takes two pages of 100, with
// failures on both pages.
func secondAttempt() []githubfake.Job {
	jobs := []githubfake.Job{
		fakeJob("fetch", "completed", "success"),
		fakeJob("transform (AmazonEC2)", "completed", "failure"),
	}
	for i := 1; i <= 125; i++ {
		j := fakeJob(fmt.Sprintf("shard (%d)", i), "completed", "success")
		switch i {
		case 60:
			j.Conclusion = "timed_out"
		case 110:
			j.Conclusion = "cancelled"
		}
		jobs = append(jobs, j)
	}
	return append(jobs,
		fakeJob("publish", "completed", "skipped"),
		fakeJob("sheets", "completed", "neutral"),
		fakeJob("notify", "in_progress", ""),
	)
}

// jobURL is the html_url GitHub gives job number i of attempt n.
func jobURL(attempt int64, i int) string {
	return fmt.Sprintf("https://github.com/%s/actions/runs/%d/job/%d", testRepo, testRunID, githubfake.JobID(attempt, i))
}

func fakeJob(name, status, conclusion string) githubfake.Job {
	return githubfake.Job{Name: name, Status: status, Conclusion: conclusion}
}
