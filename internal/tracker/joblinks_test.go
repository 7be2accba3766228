package tracker

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/publish"
)

// A failed job links its own log, found through the GitHub API; a matrix
// job id stands for each of its failed shards.
func TestLinkJobLogs(t *testing.T) {
	var calls int
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.URL.Path != "/repos/acme/prices/actions/runs/77/attempts/2/jobs" || r.Header.Get("Authorization") != "Bearer ghs_test" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"total_count": 4, "jobs": []map[string]any{
			{"name": "plan", "status": "completed", "conclusion": "success", "html_url": "https://github.com/acme/prices/actions/runs/77/job/1"},
			{"name": "shard (AmazonEC2, us-east-1)", "status": "completed", "conclusion": "failure", "html_url": "https://github.com/acme/prices/actions/runs/77/job/2"},
			{"name": "shard (AmazonEC2, eu-west-1)", "status": "completed", "conclusion": "success", "html_url": "https://github.com/acme/prices/actions/runs/77/job/3"},
			{"name": "shard (AmazonS3, us-east-1)", "status": "completed", "conclusion": "timed_out", "html_url": "https://github.com/acme/prices/actions/runs/77/job/4"},
		}})
	}))
	defer api.Close()
	runURL := "https://github.com/acme/prices/actions/runs/77"
	needs := []publish.Job{{Name: "plan", Result: "success", URL: runURL}, {Name: "shard", Result: "failure", URL: runURL}}
	vars := map[string]string{
		"GITHUB_TOKEN": "ghs_test", "GITHUB_REPOSITORY": "acme/prices", "GITHUB_RUN_ID": "77",
		"GITHUB_RUN_ATTEMPT": "2", "GITHUB_API_URL": api.URL,
	}
	var stderr bytes.Buffer
	// The run as notify's command line reads it from these variables.
	run := func() actions.WorkflowRun {
		id, _ := strconv.ParseInt(vars["GITHUB_RUN_ID"], 10, 64)
		attempt, _ := strconv.ParseInt(vars["GITHUB_RUN_ATTEMPT"], 10, 64)
		return actions.WorkflowRun{APIURL: vars["GITHUB_API_URL"], Token: vars["GITHUB_TOKEN"], Repository: vars["GITHUB_REPOSITORY"], ID: id, Attempt: attempt}
	}

	got := linkJobLogs(context.Background(), &stderr, run(), needs)
	want := []publish.Job{
		{Name: "plan", Result: "success", URL: runURL},
		{Name: "shard (AmazonEC2, us-east-1)", Result: "failure", URL: "https://github.com/acme/prices/actions/runs/77/job/2"},
		{Name: "shard (AmazonS3, us-east-1)", Result: "failure", URL: "https://github.com/acme/prices/actions/runs/77/job/4"},
	}
	if len(got) != len(want) {
		t.Fatalf("jobs = %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("job %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	// GitHub refusing (a token without actions: read answers 404) keeps the
	// run link and says why, without the token.
	vars["GITHUB_RUN_ID"] = "78"
	got = linkJobLogs(context.Background(), &stderr, run(), needs)
	if len(got) != 2 || got[1].URL != runURL {
		t.Errorf("after a refusal: %+v", got)
	}
	if !bytes.Contains(stderr.Bytes(), []byte("link the run")) || bytes.Contains(stderr.Bytes(), []byte("ghs_test")) {
		t.Errorf("stderr = %q", stderr.String())
	}

	// Nothing failed, or no token: no call at all.
	before := calls
	linkJobLogs(context.Background(), &stderr, run(), needs[:1])
	vars["GITHUB_TOKEN"] = ""
	linkJobLogs(context.Background(), &stderr, run(), needs)
	if calls != before {
		t.Errorf("%d calls without a failed job or a token", calls-before)
	}
}
