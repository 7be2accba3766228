package githubapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeGitHub answers GET .../actions/runs/{run_id}[/attempts/{n}]/jobs as
// GitHub does: under /repos/{owner}/{repo} and under /repositories/{id}
// (the form GitHub's own Link headers use), case-insensitive owner and
// name, per_page defaulting to 30 and capped at 100, Link headers with
// absolute URLs, and GitHub's JSON error bodies for a bad token, a missing
// repository or run, and a token without actions: read.
type fakeGitHub struct {
	srv    *httptest.Server
	prefix string // "/api/v3" on GitHub Enterprise Server

	repo     string
	repoID   int64
	token    string
	runID    int64
	attempts map[int64][]fakeJob // the latest attempt is the highest

	denyActions  bool    // the token lacks actions: read
	script       []reply // served in order to authenticated requests first
	endlessPages bool    // every page links a next one
	linkBase     string  // when set, Link headers point there instead of to the fake

	mu       sync.Mutex
	requests []request
}

type fakeJob struct {
	name, status, conclusion string
}

type reply struct {
	status int
	header map[string]string
	body   string
	close  bool // drop the connection: a network error
}

type request struct {
	path, query string
	header      http.Header
}

const (
	testRepo    = "octo-org/prices"
	testRepoID  = 4242
	testRunID   = 9001
	testToken   = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
	docsJobsURL = "https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run"
)

func newFakeGitHub(t *testing.T, prefix string) *fakeGitHub {
	t.Helper()
	f := &fakeGitHub{
		prefix: prefix,
		repo:   testRepo,
		repoID: testRepoID,
		token:  testToken,
		runID:  testRunID,
		attempts: map[int64][]fakeJob{
			1: firstAttempt(),
			2: secondAttempt(),
		},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// apiURL is what GITHUB_API_URL would hold.
func (f *fakeGitHub) apiURL() string { return f.srv.URL + f.prefix }

func (f *fakeGitHub) seen() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

// firstAttempt is a failed first run.
func firstAttempt() []fakeJob {
	return []fakeJob{
		{"fetch", "completed", "success"},
		{"transform (AmazonEC2)", "completed", "failure"},
		{"publish", "completed", "cancelled"},
		{"notify", "in_progress", ""},
	}
}

// secondAttempt has 130 jobs, so that it takes two pages of 100, with
// failures on both pages.
func secondAttempt() []fakeJob {
	jobs := []fakeJob{
		{"fetch", "completed", "success"},
		{"transform (AmazonEC2)", "completed", "failure"},
	}
	for i := 1; i <= 125; i++ {
		j := fakeJob{fmt.Sprintf("shard (%d)", i), "completed", "success"}
		switch i {
		case 60:
			j.conclusion = "timed_out"
		case 110:
			j.conclusion = "cancelled"
		}
		jobs = append(jobs, j)
	}
	return append(jobs,
		fakeJob{"publish", "completed", "skipped"},
		fakeJob{"sheets", "completed", "neutral"},
		fakeJob{"notify", "in_progress", ""},
	)
}

// jobURL is the html_url GitHub gives job number i of attempt n.
func jobURL(attempt int64, i int) string {
	return fmt.Sprintf("https://github.com/%s/actions/runs/%d/job/%d", testRepo, testRunID, jobID(attempt, i))
}

func jobID(attempt int64, i int) int64 { return 30000000000 + attempt*1000 + int64(i) }

var jobsPath = regexp.MustCompile(`^/(?:repos/([^/]+)/([^/]+)|repositories/(\d+))/actions/runs/(\d+)(?:/attempts/(\d+))?/jobs$`)

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, request{path: r.URL.Path, query: r.URL.RawQuery, header: r.Header.Clone()})
	f.mu.Unlock()

	if r.Header.Get("User-Agent") == "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		ghError(w, http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
		return
	}
	f.mu.Lock()
	var next *reply
	if len(f.script) > 0 {
		next = &f.script[0]
		f.script = f.script[1:]
	}
	f.mu.Unlock()
	if next != nil {
		if next.close {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		for k, v := range next.header {
			w.Header().Set(k, v)
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(next.status)
		fmt.Fprint(w, next.body)
		return
	}

	path, ok := strings.CutPrefix(r.URL.Path, f.prefix)
	m := jobsPath.FindStringSubmatch(path)
	if !ok || m == nil || r.Method != http.MethodGet {
		ghError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
		return
	}
	owner, name, _ := strings.Cut(f.repo, "/")
	repoOK := strings.EqualFold(m[1], owner) && strings.EqualFold(m[2], name) || m[3] == strconv.FormatInt(f.repoID, 10)
	runID, _ := strconv.ParseInt(m[4], 10, 64)
	if !repoOK || runID != f.runID {
		ghError(w, http.StatusNotFound, "Not Found", docsJobsURL)
		return
	}
	if f.denyActions {
		ghError(w, http.StatusForbidden, "Resource not accessible by integration", docsJobsURL)
		return
	}
	q := r.URL.Query()
	latest := int64(0)
	for n := range f.attempts {
		latest = max(latest, n)
	}
	attempt := latest
	if m[5] != "" {
		attempt, _ = strconv.ParseInt(m[5], 10, 64)
	} else if filter := q.Get("filter"); filter != "" && filter != "latest" && filter != "all" {
		ghError(w, http.StatusUnprocessableEntity, "Invalid request.\n\nNo subschema in \"anyOf\" matched.", docsJobsURL)
		return
	}
	jobs, ok := f.attempts[attempt]
	if !ok {
		ghError(w, http.StatusNotFound, "Not Found", docsJobsURL)
		return
	}

	size := 30
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 {
		size = min(n, 100)
	}
	pageNo := 1
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		pageNo = n
	}
	lastPage := max((len(jobs)+size-1)/size, 1)
	if f.endlessPages {
		lastPage = pageNo + 1
	}

	type step struct {
		Name       string  `json:"name"`
		Status     string  `json:"status"`
		Conclusion *string `json:"conclusion"`
		Number     int     `json:"number"`
	}
	type job struct {
		ID           int64    `json:"id"`
		RunID        int64    `json:"run_id"`
		RunURL       string   `json:"run_url"`
		NodeID       string   `json:"node_id"`
		HeadSHA      string   `json:"head_sha"`
		URL          string   `json:"url"`
		HTMLURL      string   `json:"html_url"`
		Status       string   `json:"status"`
		Conclusion   *string  `json:"conclusion"`
		StartedAt    string   `json:"started_at"`
		CompletedAt  *string  `json:"completed_at"`
		Name         string   `json:"name"`
		Steps        []step   `json:"steps"`
		Labels       []string `json:"labels"`
		RunnerName   string   `json:"runner_name"`
		RunAttempt   int64    `json:"run_attempt"`
		WorkflowName string   `json:"workflow_name"`
		HeadBranch   string   `json:"head_branch"`
	}
	body := struct {
		TotalCount int   `json:"total_count"`
		Jobs       []job `json:"jobs"`
	}{TotalCount: len(jobs), Jobs: []job{}}
	for i := (pageNo - 1) * size; i < min(pageNo*size, len(jobs)); i++ {
		j := jobs[i]
		var concl, done *string
		if j.conclusion != "" {
			concl = &j.conclusion
			done = new("2025-06-01T12:05:00Z")
		}
		apiBase := "http://" + r.Host + f.prefix
		body.Jobs = append(body.Jobs, job{
			ID: jobID(attempt, i), RunID: f.runID,
			RunURL:  fmt.Sprintf("%s/repos/%s/actions/runs/%d", apiBase, f.repo, f.runID),
			NodeID:  "CR_kwDOABCD" + strconv.Itoa(i),
			HeadSHA: "f0e1d2c3b4a5968778695a4b3c2d1e0f12345678",
			URL:     fmt.Sprintf("%s/repos/%s/actions/jobs/%d", apiBase, f.repo, jobID(attempt, i)),
			HTMLURL: jobURL(attempt, i),
			Status:  j.status, Conclusion: concl, StartedAt: "2025-06-01T12:00:00Z", CompletedAt: done,
			Name:       j.name,
			Steps:      []step{{Name: "Set up job", Status: "completed", Conclusion: new("success"), Number: 1}},
			Labels:     []string{"ubuntu-latest"},
			RunnerName: "GitHub Actions 12", RunAttempt: attempt, WorkflowName: "prices", HeadBranch: "main",
		})
	}

	if lastPage > 1 {
		base := f.linkBase
		if base == "" {
			base = "http://" + r.Host + f.prefix
		}
		link := func(p int, rel string) string {
			lq := r.URL.Query()
			lq.Set("page", strconv.Itoa(p))
			u := fmt.Sprintf("%s/repositories/%d/actions/runs/%d", base, f.repoID, f.runID)
			if m[5] != "" {
				u += "/attempts/" + m[5]
			}
			return fmt.Sprintf(`<%s/jobs?%s>; rel="%s"`, u, lq.Encode(), rel)
		}
		var links []string
		if pageNo > 1 {
			links = append(links, link(pageNo-1, "prev"))
		}
		if pageNo < lastPage {
			links = append(links, link(pageNo+1, "next"), link(lastPage, "last"))
		}
		if pageNo > 1 {
			links = append(links, link(1, "first"))
		}
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	w.Header().Set("X-Ratelimit-Limit", "1000")
	w.Header().Set("X-Ratelimit-Remaining", "998")
	_ = json.NewEncoder(w).Encode(body)
}

// ghError writes GitHub's error body.
func ghError(w http.ResponseWriter, status int, message, docURL string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"message":           message,
		"documentation_url": docURL,
		"status":            strconv.Itoa(status),
	})
}
