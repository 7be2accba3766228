// Package githubapi is pricechecker's one client of the GitHub REST API:
// the relay's repository_dispatch, GitHub App installation tokens, and the
// jobs of a workflow run.
//
// A run's jobs: the notify job tells Slack which job failed and links that
// job's log. The workflow's needs context, which notify reads, holds
// only each job's id and result: the log page of a job (its html_url) is
// known only to the API. The lookup is best-effort — the notification must
// go out even when GitHub cannot answer — so [Client.Jobs] never waits out a
// rate limit, retries a 5xx answer or a network error only once after a
// short pause, reads at most 10 pages, and returns errors that say what to
// fix, leaving the caller to fall back to a link to the whole run.
//
// The token needs actions: read on the repository: in the workflow,
// `permissions: actions: read` on the notify job for GITHUB_TOKEN; a
// fine-grained token needs Actions: read, a classic token the repo scope for
// a private repository. The token is sent only to the API's own host (never
// to another host named in a Link header) and never appears in an error.
package githubapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/pricechecker/pricechecker/internal/buildinfo"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-github/v75/github"
	"github.com/pricechecker/pricechecker/internal/backoff"
)

const (
	defaultAPIURL     = "https://api.github.com"
	perPage           = 100 // GitHub's maximum for this endpoint
	maxPages          = 10  // 1,000 jobs; bounds a Link header that never ends
	maxErrorBodyBytes = 64 << 10
	retryDelay        = time.Second // the single retry waits between 0.5s and 1s
	defaultTimeout    = 10 * time.Second

	apiURLHint = "check GITHUB_API_URL (https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server)"
)

// Job is one job of a workflow run as the API lists it.
type Job struct {
	Name       string // as shown in the run, with matrix values: "transform (AmazonEC2)"
	Status     string // queued, in_progress, completed, ...
	Conclusion string // success, failure, cancelled, timed_out, skipped, ...; empty until completed
	URL        string // html_url: the job's log page
}

// Client reads workflow-run jobs from the GitHub REST API.
type Client struct {
	api   string
	token string
	http  *http.Client

	// sleep waits before the retry; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns a Client for the API at apiURL (GITHUB_API_URL; empty means
// https://api.github.com, a trailing slash is ignored) that authenticates
// with token. A nil httpClient means one with a 10-second timeout.
func New(apiURL, token string, httpClient *http.Client) *Client {
	apiURL = strings.TrimRight(strings.TrimSpace(apiURL), "/")
	if apiURL == "" {
		apiURL = defaultAPIURL
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: defaultTimeout}
	}
	return &Client{
		api:   apiURL,
		token: strings.TrimSpace(token), // a secret pasted with its newline
		http:  httpClient,
		sleep: backoff.Sleep,
	}
}

// Jobs lists the jobs of run runID in repo (owner/name), in the API's order.
// With attempt > 0 it lists that attempt's jobs
// (GITHUB_RUN_ATTEMPT); otherwise the jobs of the latest attempt.
func (c *Client) Jobs(ctx context.Context, repo string, runID, attempt int64) ([]Job, error) {
	t := target{repo: repo, runID: runID, attempt: attempt}
	jobs, err := c.jobs(ctx, t)
	if err != nil {
		return nil, c.redact(fmt.Errorf("list jobs of %s: %w", t, err))
	}
	return jobs, nil
}

// Failed returns the jobs that failed, were cancelled or timed out, in the
// order given.
func Failed(jobs []Job) []Job {
	var failed []Job
	for _, j := range jobs {
		switch j.Conclusion {
		case "failure", "cancelled", "timed_out":
			failed = append(failed, j)
		}
	}
	return failed
}

// target is what a lookup is about, for URLs and messages.
type target struct {
	repo           string
	runID, attempt int64
}

func (t target) String() string {
	if t.attempt > 0 {
		return fmt.Sprintf("run %d attempt %d in %q", t.runID, t.attempt, t.repo)
	}
	return fmt.Sprintf("run %d (latest attempt) in %q", t.runID, t.repo)
}

func (c *Client) jobs(ctx context.Context, t target) ([]Job, error) {
	base, err := url.Parse(c.api)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("API URL %q is not an absolute http(s) URL: %s", c.api, apiURLHint)
	}
	owner, name, err := splitRepo(t.repo)
	if err != nil {
		return nil, err
	}
	if t.runID <= 0 {
		return nil, fmt.Errorf("run id %d is not a positive number: check GITHUB_RUN_ID", t.runID)
	}
	if c.token == "" {
		return nil, errors.New("no GitHub token: pass the workflow's GITHUB_TOKEN, with `permissions: actions: read` on the job")
	}
	if strings.ContainsFunc(c.token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return nil, errors.New("the GitHub token contains spaces or control characters: check how the secret was pasted")
	}

	path := "/repos/" + owner + "/" + name + "/actions/runs/" + strconv.FormatInt(t.runID, 10)
	q := url.Values{"per_page": {strconv.Itoa(perPage)}}
	if t.attempt > 0 {
		path += "/attempts/" + strconv.FormatInt(t.attempt, 10) + "/jobs" // this endpoint has no filter
	} else {
		path += "/jobs"
		q.Set("filter", "latest")
	}
	first := *base
	first.Path = strings.TrimRight(base.Path, "/") + path
	first.RawPath, first.RawQuery, first.Fragment = "", q.Encode(), ""

	var jobs []Job
	seen := map[string]bool{}
	next := first.String()
	for page := 1; ; page++ {
		seen[next] = true
		p, err := c.page(ctx, next, t)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, p.jobs...)
		if p.next == "" {
			return jobs, nil
		}
		if page == maxPages {
			return nil, fmt.Errorf("GitHub still links a next page after %d pages (%d jobs read, total_count %d); this lookup stops there, so link the run instead", maxPages, len(jobs), p.total)
		}
		u, err := url.Parse(next)
		if err == nil {
			u, err = u.Parse(p.next)
		}
		switch {
		case err != nil:
			return nil, fmt.Errorf("GitHub's Link header names an invalid next page %q: %s", p.next, apiURLHint)
		case !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host):
			// Following it would send the token to another host.
			return nil, fmt.Errorf("GitHub's Link header points to %s://%s, not to the API at %s://%s: not following it; %s", u.Scheme, u.Host, base.Scheme, base.Host, apiURLHint)
		case seen[u.String()]:
			return nil, fmt.Errorf("GitHub's Link header points back to a page already read (%s): stopping", u.Redacted())
		}
		next = u.String()
	}
}

// splitRepo checks owner/name the way GitHub spells them: letters, digits,
// '-', '_' and '.', so that nothing can change the request's path.
func splitRepo(repo string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || !validName(owner) || !validName(name) {
		return "", "", fmt.Errorf("repository %q is not owner/name: check GITHUB_REPOSITORY", repo)
	}
	return owner, name, nil
}

func validName(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

type page struct {
	jobs  []Job
	total int
	next  string // the Link header's rel="next", as sent
}

// page fetches one page, retrying once after a 5xx answer or a network
// error; rate limits and client errors are returned at once.
func (c *Client) page(ctx context.Context, u string, t target) (*page, error) {
	p, err := c.get(ctx, u, t)
	var apiErr *apiError
	if err == nil || ctx.Err() != nil || !errors.As(err, &apiErr) || !apiErr.retryable {
		return p, err
	}
	if serr := c.sleep(ctx, backoff.Jittered(1, retryDelay, retryDelay)); serr != nil {
		return nil, fmt.Errorf("%w (cancelled before the retry: %w)", err, serr)
	}
	p, err = c.get(ctx, u, t)
	if errors.As(err, &apiErr) {
		apiErr.tries = 2
	}
	return p, err
}

func (c *Client) get(ctx context.Context, u string, t target) (*page, error) {
	// go-github sends the request (u is absolute: the first page, or the
	// Link header's next one, already checked to be on the API's host) and
	// decodes the answer; classify reads its status and body.
	gh := github.NewClient(withHeaders(c.http, buildinfo.UserAgent(), staticToken(c.token)))
	gh.UserAgent = buildinfo.UserAgent()
	req, err := gh.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w; %s", err, apiURLHint)
	}
	var reply struct {
		TotalCount int `json:"total_count"`
		Jobs       []struct {
			Name       string `json:"name"`
			Status     string `json:"status"`
			Conclusion string `json:"conclusion"` // null until the job completes
			HTMLURL    string `json:"html_url"`
		} `json:"jobs"`
	}
	resp, err := gh.Do(noPreemptiveLimit(ctx), req, &reply)
	if resp == nil || resp.Response == nil {
		if ctx.Err() != nil || err == nil {
			return nil, err
		}
		return nil, &apiError{cause: err, retryable: true, hint: "could not reach GitHub: " + apiURLHint + ", and the runner's network access"}
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
		return nil, classify(resp.Response, body, t)
	}
	if err != nil {
		var syntaxErr *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) {
			return nil, fmt.Errorf("the answer from %s (%s) is not GitHub's list of jobs (%v): %s",
				resp.Request.URL.Redacted(), resp.Header.Get("Content-Type"), err, apiURLHint)
		}
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, &apiError{cause: fmt.Errorf("read the answer: %w", err), retryable: true, hint: "the connection to GitHub broke"}
	}
	p := &page{total: reply.TotalCount, next: nextLink(resp.Header.Values("Link"))}
	p.jobs = make([]Job, 0, len(reply.Jobs))
	for _, j := range reply.Jobs {
		p.jobs = append(p.jobs, Job{Name: j.Name, Status: j.Status, Conclusion: j.Conclusion, URL: j.HTMLURL})
	}
	return p, nil
}

// staticToken is a token given directly (notify's GITHUB_TOKEN).
type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }

// nextLink returns the rel="next" target of RFC 8288 Link headers such as
// GitHub's `<https://api.github.com/repositories/1/...&page=2>; rel="next",
// <...&page=5>; rel="last"`. URLs are taken between angle brackets, so a
// comma inside one does not split it.
func nextLink(headers []string) string {
	for _, h := range headers {
		for {
			i := strings.IndexByte(h, '<')
			if i < 0 {
				break
			}
			j := strings.IndexByte(h[i:], '>')
			if j < 0 {
				break
			}
			target := h[i+1 : i+j]
			h = h[i+j+1:]
			params := h
			if k := strings.IndexByte(h, '<'); k >= 0 {
				params = h[:k]
			}
			for param := range strings.SplitSeq(params, ";") {
				key, val, ok := strings.Cut(param, "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(key), "rel") {
					continue
				}
				val = strings.Trim(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(val), ",")), `"`)
				for rel := range strings.FieldsSeq(val) {
					if strings.EqualFold(rel, "next") {
						return target
					}
				}
			}
		}
	}
	return ""
}

// apiError is an answer other than 200, or a network error. Its message
// says what GitHub answered and what to fix. It is not dispatch's APIError
// although it has the same shape: the two messages differ ("(tried N
// times)" and the bare network error here, "(after N attempts)" and
// "network error: …" there), notify's and the relay's logs and tests pin
// each, and the relay's callers read APIError's exported fields, which the
// job lookup (best effort, never classified) has no use for.
type apiError struct {
	status    int    // 0 for a network error
	message   string // GitHub's "message"
	cause     error  // the network error
	hint      string
	retryable bool
	tries     int
}

func (e *apiError) Error() string {
	var b strings.Builder
	if e.status == 0 {
		b.WriteString(e.cause.Error())
	} else {
		fmt.Fprintf(&b, "GitHub answered %d %s", e.status, http.StatusText(e.status))
		if e.message != "" {
			fmt.Fprintf(&b, ": %q", e.message)
		}
	}
	if e.tries > 1 {
		fmt.Fprintf(&b, " (tried %d times)", e.tries)
	}
	if e.hint != "" {
		b.WriteString("; ")
		b.WriteString(e.hint)
	}
	return b.String()
}

func (e *apiError) Unwrap() error { return e.cause }

// classify turns a non-200 answer into an apiError whose hint names the fix.
func classify(resp *http.Response, body []byte, t target) *apiError {
	var gh struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &gh) != nil {
		// Not GitHub's JSON: a proxy's or load balancer's page.
		gh.Message = truncate(strings.Join(strings.Fields(string(body)), " "), 200)
	}
	e := &apiError{status: resp.StatusCode, message: gh.Message}
	const permission = "`permissions: actions: read` on the notify job for GITHUB_TOKEN, Actions: read for a fine-grained token, the repo scope for a classic token"
	switch {
	case isRateLimit(resp, gh.Message):
		e.hint = rateLimitHint(resp.Header)
	case resp.StatusCode >= 500:
		e.retryable = true
		e.hint = "GitHub is having trouble: try again later (https://www.githubstatus.com), or " + apiURLHint
	case resp.StatusCode == http.StatusUnauthorized:
		e.hint = "the token is invalid, expired or revoked: pass the workflow's GITHUB_TOKEN (valid only while the job runs) or renew the token"
	case resp.StatusCode == http.StatusForbidden:
		e.hint = fmt.Sprintf("the token lacks actions: read (%s), or %q is not the repository of run %d: check GITHUB_REPOSITORY", permission, t.repo, t.runID)
	case resp.StatusCode == http.StatusNotFound:
		e.hint = "the repository or the run does not exist, or the token cannot see the repository (GitHub answers 404 for both): " +
			"check GITHUB_REPOSITORY, GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT (and GITHUB_API_URL on GitHub Enterprise Server), and give the token actions: read (" + permission + ")"
	default:
		e.hint = "unexpected answer from GitHub: " + apiURLHint
	}
	return e
}

// isRateLimit follows GitHub's documentation: 429 always; 403 when the
// headers say so, or the message does (a secondary rate limit may come
// without headers). Any other 403 is a permission problem.
func isRateLimit(resp *http.Response, message string) bool {
	if resp.StatusCode == http.StatusTooManyRequests {
		return true
	}
	return resp.StatusCode == http.StatusForbidden &&
		(resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-Ratelimit-Remaining") == "0" ||
			strings.Contains(strings.ToLower(message), "rate limit"))
}

func rateLimitHint(h http.Header) string {
	var when string
	if s := strings.TrimSpace(h.Get("Retry-After")); s != "" {
		if secs, err := strconv.Atoi(s); err == nil {
			when = fmt.Sprintf(" (GitHub asks to wait %s)", time.Duration(secs)*time.Second)
		} else {
			when = fmt.Sprintf(" (GitHub asks to wait until %s)", s)
		}
	} else if h.Get("X-Ratelimit-Remaining") == "0" {
		if secs, err := strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
			when = " (it resets at " + time.Unix(secs, 0).UTC().Format(time.RFC3339) + ")"
		}
	}
	return "GitHub's rate limit for this token is used up" + when +
		"; not waiting, because the job links are only a convenience: the lookup works again after the reset"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// redact removes the token from an error's message, whatever produced it
// (a proxy that echoes headers, a future library message).
func (c *Client) redact(err error) error {
	if c.token == "" || !strings.Contains(err.Error(), c.token) {
		return err
	}
	return &redacted{err: err, token: c.token}
}

type redacted struct {
	err   error
	token string
}

func (r *redacted) Error() string { return strings.ReplaceAll(r.err.Error(), r.token, "[token]") }
func (r *redacted) Unwrap() error { return r.err }
