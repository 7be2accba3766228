package githubfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Job is one job of a run attempt, as the fake lists it.
type Job struct {
	Name, Status, Conclusion string
}

// Request is one request the fake received.
type Request struct {
	Path, Query string
	Header      http.Header
}

const docsJobsURL = "https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run"

// JobID is the id GitHub gives job number i of attempt n.
func JobID(attempt int64, i int) int64 { return 30000000000 + attempt*1000 + int64(i) }

// jobURL is the html_url GitHub gives job number i of attempt n.
func (g *GitHub) jobURL(attempt int64, i int) string {
	return fmt.Sprintf("https://github.com/%s/actions/runs/%d/job/%d", g.Repo, g.RunID, JobID(attempt, i))
}

// serveJobs answers GET .../actions/runs/{run_id}[/attempts/{n}]/jobs as
// GitHub does: under /repos/{owner}/{repo} and under /repositories/{id}
// (the form GitHub's own Link headers use), case-insensitive owner and
// name, per_page defaulting to 30 and capped at 100, Link headers with
// absolute URLs, and GitHub's JSON error bodies for a missing repository or
// run, and a token without actions: read. It runs under g.mu, after
// authentication and the scripted answers.
func (g *GitHub) serveJobs(w http.ResponseWriter, r *http.Request, m []string) {
	owner, name, _ := strings.Cut(g.Repo, "/")
	repoOK := strings.EqualFold(m[1], owner) && strings.EqualFold(m[2], name) || m[3] == strconv.FormatInt(g.RepoID, 10)
	runID, _ := strconv.ParseInt(m[4], 10, 64)
	if !repoOK || runID != g.RunID {
		writeError(w, http.StatusNotFound, "Not Found", docsJobsURL, nil)
		return
	}
	if g.DenyActions {
		writeError(w, http.StatusForbidden, "Resource not accessible by integration", docsJobsURL, nil)
		return
	}
	q := r.URL.Query()
	latest := int64(0)
	for n := range g.Attempts {
		latest = max(latest, n)
	}
	attempt := latest
	if m[5] != "" {
		attempt, _ = strconv.ParseInt(m[5], 10, 64)
	} else if filter := q.Get("filter"); filter != "" && filter != "latest" && filter != "all" {
		writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\nNo subschema in \"anyOf\" matched.", docsJobsURL, nil)
		return
	}
	jobs, ok := g.Attempts[attempt]
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found", docsJobsURL, nil)
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
	if g.EndlessPages {
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
		if j.Conclusion != "" {
			concl = &j.Conclusion
			done = new("2025-06-01T12:05:00Z")
		}
		apiBase := "http://" + r.Host + g.Prefix
		body.Jobs = append(body.Jobs, job{
			ID: JobID(attempt, i), RunID: g.RunID,
			RunURL:  fmt.Sprintf("%s/repos/%s/actions/runs/%d", apiBase, g.Repo, g.RunID),
			NodeID:  "CR_kwDOABCD" + strconv.Itoa(i),
			HeadSHA: "f0e1d2c3b4a5968778695a4b3c2d1e0f12345678",
			URL:     fmt.Sprintf("%s/repos/%s/actions/jobs/%d", apiBase, g.Repo, JobID(attempt, i)),
			HTMLURL: g.jobURL(attempt, i),
			Status:  j.Status, Conclusion: concl, StartedAt: "2025-06-01T12:00:00Z", CompletedAt: done,
			Name:       j.Name,
			Steps:      []step{{Name: "Set up job", Status: "completed", Conclusion: new("success"), Number: 1}},
			Labels:     []string{"ubuntu-latest"},
			RunnerName: "GitHub Actions 12", RunAttempt: attempt, WorkflowName: "prices", HeadBranch: "main",
		})
	}

	if lastPage > 1 {
		base := g.LinkBase
		if base == "" {
			base = "http://" + r.Host + g.Prefix
		}
		link := func(p int, rel string) string {
			lq := r.URL.Query()
			lq.Set("page", strconv.Itoa(p))
			u := fmt.Sprintf("%s/repositories/%d/actions/runs/%d", base, g.RepoID, g.RunID)
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
	if g.RateLimit <= 0 { // else rateLimited has set them
		w.Header().Set("X-Ratelimit-Limit", "1000")
		w.Header().Set("X-Ratelimit-Remaining", "998")
	}
	_ = json.NewEncoder(w).Encode(body)
}
