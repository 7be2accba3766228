package githubapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/buildinfo"
	"github.com/pricechecker/pricechecker/internal/testkit"

	"github.com/pricechecker/pricechecker/internal/githubapi/githubfake"
)

// sleeps records the waits instead of sleeping.
type sleeps = testkit.Sleeps

func newTestClient(apiURL, token string) (*Client, *sleeps) {
	s := &sleeps{}
	c := New(apiURL, token, &http.Client{Timeout: 5 * time.Second})
	c.sleep = s.Sleep
	return c, s
}

func TestNew(t *testing.T) {
	hc := &http.Client{Timeout: time.Second}
	tests := []struct {
		apiURL, want string
	}{
		{"", "https://api.github.com"},
		{"https://api.github.com", "https://api.github.com"},
		{"https://api.github.com/", "https://api.github.com"},
		{"https://ghe.example.com/api/v3/", "https://ghe.example.com/api/v3"},
	}
	for _, tt := range tests {
		if c := New(tt.apiURL, testToken, hc); c.api != tt.want || c.http != hc {
			t.Errorf("New(%q).api = %q, want %q", tt.apiURL, c.api, tt.want)
		}
	}
	if c := New("", testToken+"\n", nil); c.http == nil || c.http.Timeout == 0 || c.token != testToken {
		t.Errorf("New with nil client: timeout %v, token trimmed %v", c.http.Timeout, c.token == testToken)
	}
}

// TestJobsPaths checks the URL of every page and what each request carries,
// for a given attempt, for the latest attempt, and under a GitHub Enterprise
// Server prefix.
func TestJobsPaths(t *testing.T) {
	tests := []struct {
		name      string
		prefix    string // the fake's API prefix
		apiSuffix string // appended to GITHUB_API_URL
		attempt   int64
		want      []string // path?query of each request
		wantJobs  []githubfake.Job
		wantAtt   int64 // the attempt whose job URLs come back
	}{
		{
			name: "attempt 1, one page", attempt: 1,
			want:     []string{"/repos/octo-org/prices/actions/runs/9001/attempts/1/jobs?per_page=100"},
			wantJobs: firstAttempt(), wantAtt: 1,
		},
		{
			name: "attempt 2, two pages", attempt: 2,
			want: []string{
				"/repos/octo-org/prices/actions/runs/9001/attempts/2/jobs?per_page=100",
				"/repositories/4242/actions/runs/9001/attempts/2/jobs?page=2&per_page=100",
			},
			wantJobs: secondAttempt(), wantAtt: 2,
		},
		{
			name: "latest", attempt: 0,
			want: []string{
				"/repos/octo-org/prices/actions/runs/9001/jobs?filter=latest&per_page=100",
				"/repositories/4242/actions/runs/9001/jobs?filter=latest&page=2&per_page=100",
			},
			wantJobs: secondAttempt(), wantAtt: 2,
		},
		{
			name: "negative attempt means latest", attempt: -1,
			want: []string{
				"/repos/octo-org/prices/actions/runs/9001/jobs?filter=latest&per_page=100",
				"/repositories/4242/actions/runs/9001/jobs?filter=latest&page=2&per_page=100",
			},
			wantJobs: secondAttempt(), wantAtt: 2,
		},
		{
			name: "GitHub Enterprise Server with a trailing slash", prefix: "/api/v3", apiSuffix: "/", attempt: 1,
			want:     []string{"/api/v3/repos/octo-org/prices/actions/runs/9001/attempts/1/jobs?per_page=100"},
			wantJobs: firstAttempt(), wantAtt: 1,
		},
		{
			name: "GitHub Enterprise Server, two pages", prefix: "/api/v3", attempt: 0,
			want: []string{
				"/api/v3/repos/octo-org/prices/actions/runs/9001/jobs?filter=latest&per_page=100",
				"/api/v3/repositories/4242/actions/runs/9001/jobs?filter=latest&page=2&per_page=100",
			},
			wantJobs: secondAttempt(), wantAtt: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGitHub(t, tt.prefix)
			c, s := newTestClient(f.URL()+tt.apiSuffix, testToken)
			jobs, err := c.Jobs(context.Background(), testRepo, testRunID, tt.attempt)
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Seen()
			var got []string
			for _, r := range reqs {
				got = append(got, r.Path+"?"+r.Query)
				for k, want := range map[string]string{
					"Accept":               "application/vnd.github+json",
					"X-Github-Api-Version": "2022-11-28",
					"Authorization":        "Bearer " + testToken,
					"User-Agent":           buildinfo.UserAgent(),
				} {
					if v := r.Header.Get(k); v != want {
						t.Errorf("%s: header %s = %q, want %q", r.Path, k, v, want)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("requests:\n got %q\nwant %q", got, tt.want)
			}
			if len(jobs) != len(tt.wantJobs) {
				t.Fatalf("got %d jobs, want %d", len(jobs), len(tt.wantJobs))
			}
			for i, w := range tt.wantJobs {
				want := Job{Name: w.Name, Status: w.Status, Conclusion: w.Conclusion, URL: jobURL(tt.wantAtt, i)}
				if jobs[i] != want {
					t.Errorf("job %d = %+v, want %+v", i, jobs[i], want)
				}
			}
			if len(s.All()) != 0 {
				t.Errorf("slept %v without a failure", s.All())
			}
		})
	}
}

func TestFailed(t *testing.T) {
	job := func(name, conclusion string) Job { return Job{Name: name, Conclusion: conclusion} }
	tests := []struct {
		name string
		jobs []Job
		want []string
	}{
		{name: "none", jobs: nil, want: nil},
		{name: "all green", jobs: []Job{job("fetch", "success"), job("publish", "skipped")}, want: nil},
		{
			name: "each failing conclusion, in the API's order",
			jobs: []Job{
				job("a", "success"), job("b", "timed_out"), job("c", "failure"), job("d", "skipped"),
				job("e", "cancelled"), job("f", "neutral"), job("g", "action_required"), job("notify", ""),
			},
			want: []string{"b", "c", "e"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, j := range Failed(tt.jobs) {
				got = append(got, j.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Failed = %q, want %q", got, tt.want)
			}
		})
	}

	// Across the two pages of a real answer.
	f := newFakeGitHub(t, "")
	c, _ := newTestClient(f.URL(), testToken)
	jobs, err := c.Jobs(context.Background(), testRepo, testRunID, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Job{
		{Name: "transform (AmazonEC2)", Status: "completed", Conclusion: "failure", URL: jobURL(2, 1)},
		{Name: "shard (60)", Status: "completed", Conclusion: "timed_out", URL: jobURL(2, 61)},
		{Name: "shard (110)", Status: "completed", Conclusion: "cancelled", URL: jobURL(2, 111)},
	}
	if got := Failed(jobs); !slices.Equal(got, want) {
		t.Errorf("Failed across pages =\n%+v\nwant\n%+v", got, want)
	}
}

const (
	rateLimitDocs = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
	resetEpoch    = "1748782800" // 2025-06-01T13:00:00Z
)

// TestJobsErrors drives the client through GitHub's error answers and
// checks that each message names the fix, that only 5xx answers are
// retried (once), that rate limits are not waited out, and that the token
// never appears.
func TestJobsErrors(t *testing.T) {
	const wrongToken = "ghp_wrongWrongWrong0123456789abcdefABCD"
	serverError := githubfake.Response{Status: 500, Body: `{"message":"Server Error","documentation_url":"https://docs.github.com/rest","status":"500"}`}
	tests := []struct {
		name      string
		token     string
		repo      string
		runID     int64
		attempt   int64
		configure func(*githubfake.GitHub)
		script    []githubfake.Response
		want      []string
		wantReqs  int
		wantSleep int
	}{
		{
			name: "401 bad credentials", token: wrongToken,
			want:     []string{"401 Unauthorized", `"Bad credentials"`, "token is invalid, expired or revoked", "GITHUB_TOKEN"},
			wantReqs: 1,
		},
		{
			name: "404 unknown repository", repo: "octo-org/no-such-repo",
			want: []string{
				"404 Not Found", `"Not Found"`, `"octo-org/no-such-repo"`, "GITHUB_REPOSITORY", "GITHUB_RUN_ID",
				"cannot see the repository", "actions: read",
			},
			wantReqs: 1,
		},
		{
			name: "404 unknown run", runID: 12345,
			want:     []string{"404 Not Found", "run 12345 (latest attempt)", "GITHUB_RUN_ID", "actions: read"},
			wantReqs: 1,
		},
		{
			name: "404 unknown attempt", attempt: 7,
			want:     []string{"404 Not Found", "run 9001 attempt 7", "GITHUB_RUN_ATTEMPT"},
			wantReqs: 1,
		},
		{
			name:      "403 token without actions: read",
			configure: func(f *githubfake.GitHub) { f.DenyActions = true },
			want: []string{
				"403 Forbidden", `"Resource not accessible by integration"`, "lacks actions: read",
				"`permissions: actions: read`", "fine-grained", "GITHUB_REPOSITORY",
			},
			wantReqs: 1,
		},
		{
			name: "403 primary rate limit is not waited out",
			script: []githubfake.Response{{Status: 403, Header: map[string]string{
				"X-Ratelimit-Limit": "1000", "X-Ratelimit-Remaining": "0", "X-Ratelimit-Used": "1000",
				"X-Ratelimit-Reset": resetEpoch, "X-Ratelimit-Resource": "core",
			}, Body: `{"message":"API rate limit exceeded for installation ID 4242.","documentation_url":"` + rateLimitDocs + `","status":"403"}`}},
			want:     []string{"403 Forbidden", "rate limit", "resets at 2025-06-01T13:00:00Z", "not waiting"},
			wantReqs: 1,
		},
		{
			name: "403 secondary rate limit with retry-after",
			script: []githubfake.Response{{Status: 403, Header: map[string]string{"Retry-After": "60"},
				Body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"` + rateLimitDocs + `#about-secondary-rate-limits","status":"403"}`}},
			want:     []string{"403 Forbidden", "secondary rate limit", "wait 1m0s", "not waiting"},
			wantReqs: 1,
		},
		{
			name: "429 with retry-after",
			script: []githubfake.Response{{Status: 429, Header: map[string]string{"Retry-After": "30"},
				Body: `{"message":"API rate limit exceeded","documentation_url":"` + rateLimitDocs + `","status":"429"}`}},
			want:     []string{"429 Too Many Requests", "wait 30s", "not waiting"},
			wantReqs: 1,
		},
		{
			name:      "500 twice",
			script:    []githubfake.Response{serverError, serverError},
			want:      []string{"500 Internal Server Error", `"Server Error"`, "tried 2 times", "githubstatus.com"},
			wantReqs:  2,
			wantSleep: 1,
		},
		{
			name: "502 from a proxy, then 503",
			script: []githubfake.Response{
				{Status: 502, Header: map[string]string{"Content-Type": "text/html"}, Body: "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n</body>\n</html>\n"},
				{Status: 503, Body: `{"message":"Service Unavailable","documentation_url":"https://docs.github.com/rest","status":"503"}`},
			},
			want:      []string{"503 Service Unavailable", "tried 2 times", "githubstatus.com", "GITHUB_API_URL"},
			wantReqs:  2,
			wantSleep: 1,
		},
		{
			name: "an HTML page where the API should be",
			script: []githubfake.Response{{Status: 200, Header: map[string]string{"Content-Type": "text/html; charset=utf-8"},
				Body: "<!DOCTYPE html>\n<html lang=\"en\"><head><title>GitHub</title></head></html>"}},
			want:     []string{"not GitHub's list of jobs", "text/html", "GITHUB_API_URL", "/api/v3"},
			wantReqs: 1,
		},
		{
			name: "a proxy that echoes the token",
			script: []githubfake.Response{{Status: 400,
				Body: `{"message":"Bad request: header Authorization: Bearer ` + testToken + ` not allowed","documentation_url":"https://docs.github.com/rest","status":"400"}`}},
			want:     []string{"400 Bad Request", "Bearer [token]", "GITHUB_API_URL"},
			wantReqs: 1,
		},
		{
			name: "422 validation failed",
			script: []githubfake.Response{{Status: 422,
				Body: `{"message":"Invalid request.\n\nNo subschema in \"anyOf\" matched.","documentation_url":"` + docsJobsURL + `","status":"422"}`}},
			want:     []string{"422 Unprocessable Entity", "unexpected answer", "GITHUB_API_URL"},
			wantReqs: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGitHub(t, "")
			f.Script(tt.script...)
			if tt.configure != nil {
				tt.configure(f)
			}
			token, repo, runID := tt.token, tt.repo, tt.runID
			if token == "" {
				token = testToken
			}
			if repo == "" {
				repo = testRepo
			}
			if runID == 0 {
				runID = testRunID
			}
			c, s := newTestClient(f.URL(), token)
			start := time.Now()
			jobs, err := c.Jobs(context.Background(), repo, runID, tt.attempt)
			if err == nil {
				t.Fatalf("Jobs = %d jobs, want an error", len(jobs))
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %v: a best-effort lookup must not wait", time.Since(start))
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.HasPrefix(msg, "list jobs of run ") {
				t.Errorf("error does not say what was being done: %s", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			assertNoToken(t, msg, testToken, wrongToken)
			if n := len(f.Seen()); n != tt.wantReqs {
				t.Errorf("GitHub saw %d requests, want %d", n, tt.wantReqs)
			}
			sl := s.All()
			if len(sl) != tt.wantSleep {
				t.Errorf("slept %v, want %d short waits", sl, tt.wantSleep)
			}
			for _, d := range sl {
				if d < 500*time.Millisecond || d > time.Second {
					t.Errorf("retry waited %v, want 0.5s to 1s", d)
				}
			}
		})
	}
}

func assertNoToken(t *testing.T, msg string, tokens ...string) {
	t.Helper()
	for _, tok := range tokens {
		if strings.Contains(msg, tok) {
			t.Errorf("error contains the token %q:\n%s", tok, msg)
		}
	}
}

// TestJobsRejectsBadInput checks that configuration mistakes fail before any
// request, with the setting to fix.
func TestJobsRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		apiURL  string // "" means the fake
		token   string
		repo    string
		runID   int64
		want    string
		noToken bool
	}{
		{name: "repo without owner", repo: "prices", want: "GITHUB_REPOSITORY"},
		{name: "empty owner", repo: "/prices", want: "GITHUB_REPOSITORY"},
		{name: "empty name", repo: "octo-org/", want: "GITHUB_REPOSITORY"},
		{name: "extra segment", repo: "octo-org/prices/actions", want: "GITHUB_REPOSITORY"},
		{name: "dot-dot", repo: "octo-org/..", want: "GITHUB_REPOSITORY"},
		{name: "query in name", repo: "octo-org/prices?x=1", want: "GITHUB_REPOSITORY"},
		{name: "url as repo", repo: "https://github.com/octo-org/prices", want: "GITHUB_REPOSITORY"},
		{name: "zero run id", runID: -1, want: "GITHUB_RUN_ID"},
		{name: "no token", noToken: true, want: "`permissions: actions: read`"},
		{name: "token with inner newline", token: testToken + "\n" + testToken, want: "spaces or control characters"},
		{name: "relative API URL", apiURL: "api.github.com", want: "GITHUB_API_URL"},
		{name: "ftp API URL", apiURL: "ftp://api.github.com", want: "GITHUB_API_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGitHub(t, "")
			apiURL, token, repo, runID := tt.apiURL, tt.token, tt.repo, tt.runID
			if apiURL == "" {
				apiURL = f.URL()
			}
			if token == "" && !tt.noToken {
				token = testToken
			}
			if repo == "" {
				repo = testRepo
			}
			if runID == 0 {
				runID = testRunID
			}
			c, _ := newTestClient(apiURL, token)
			_, err := c.Jobs(context.Background(), repo, runID, 0)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error lacks %q: %v", tt.want, err)
			}
			assertNoToken(t, err.Error(), testToken)
			if n := len(f.Seen()); n != 0 {
				t.Errorf("GitHub saw %d requests, want none", n)
			}
		})
	}
}

func TestJobsRetriesOnce(t *testing.T) {
	tests := []struct {
		name   string
		script []githubfake.Response
	}{
		{name: "500 then 200", script: []githubfake.Response{{Status: 500, Body: `{"message":"Server Error","documentation_url":"https://docs.github.com/rest","status":"500"}`}}},
		{name: "dropped connection then 200", script: []githubfake.Response{{Close: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGitHub(t, "")
			f.Script(tt.script...)
			c, s := newTestClient(f.URL(), testToken)
			jobs, err := c.Jobs(context.Background(), testRepo, testRunID, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(jobs) != len(firstAttempt()) {
				t.Errorf("got %d jobs, want %d", len(jobs), len(firstAttempt()))
			}
			if n := len(f.Seen()); n != 2 {
				t.Errorf("GitHub saw %d requests, want 2", n)
			}
			if sl := s.All(); len(sl) != 1 {
				t.Errorf("slept %v, want one short wait", sl)
			}
		})
	}
}

func TestJobsNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	apiURL := srv.URL
	srv.Close() // nothing listens there any more
	c, s := newTestClient(apiURL, testToken)
	_, err := c.Jobs(context.Background(), testRepo, testRunID, 0)
	if err == nil {
		t.Fatal("no error")
	}
	t.Log(err)
	for _, w := range []string{"could not reach GitHub", "GITHUB_API_URL", "network access", "tried 2 times"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	assertNoToken(t, err.Error(), testToken)
	if sl := s.All(); len(sl) != 1 {
		t.Errorf("slept %v, want one short wait", sl)
	}
}

func TestJobsStopsWhenCancelled(t *testing.T) {
	t.Run("before the request", func(t *testing.T) {
		f := newFakeGitHub(t, "")
		c, s := newTestClient(f.URL(), testToken)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Jobs(ctx, testRepo, testRunID, 0)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if len(s.All()) != 0 {
			t.Errorf("slept %v after cancellation", s.All())
		}
	})
	t.Run("while waiting to retry", func(t *testing.T) {
		f := newFakeGitHub(t, "")
		f.Script(githubfake.Response{Status: 502, Body: `{"message":"Server Error"}`})
		c, _ := newTestClient(f.URL(), testToken)
		ctx, cancel := context.WithCancel(context.Background())
		c.sleep = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
		_, err := c.Jobs(ctx, testRepo, testRunID, 0)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "502") {
			t.Fatalf("err = %v, want the 502 and context.Canceled", err)
		}
		if n := len(f.Seen()); n != 1 {
			t.Errorf("GitHub saw %d requests, want 1", n)
		}
	})
}

// TestJobsLinkSafety checks the pagination guards: a Link header that never
// ends, one that loops, and one that points at another host, which must not
// receive the token.
func TestJobsLinkSafety(t *testing.T) {
	t.Run("endless pages stop at the bound", func(t *testing.T) {
		f := newFakeGitHub(t, "")
		f.EndlessPages = true
		c, _ := newTestClient(f.URL(), testToken)
		_, err := c.Jobs(context.Background(), testRepo, testRunID, 0)
		if err == nil || !strings.Contains(err.Error(), "after 10 pages") || !strings.Contains(err.Error(), "link the run instead") {
			t.Fatalf("err = %v, want the page bound", err)
		}
		if n := len(f.Seen()); n != maxPages {
			t.Errorf("GitHub saw %d requests, want %d", n, maxPages)
		}
	})
	t.Run("a Link back to the same page", func(t *testing.T) {
		f := newFakeGitHub(t, "")
		loop := `<` + f.URL() + `/repos/octo-org/prices/actions/runs/9001/attempts/1/jobs?per_page=100>; rel="next"`
		f.Script(githubfake.Response{Status: 200, Header: map[string]string{"Link": loop}, Body: `{"total_count":1,"jobs":[{"name":"fetch","status":"completed","conclusion":"success","html_url":"https://github.com/x"}]}`})
		c, _ := newTestClient(f.URL(), testToken)
		_, err := c.Jobs(context.Background(), testRepo, testRunID, 1)
		if err == nil || !strings.Contains(err.Error(), "already read") {
			t.Fatalf("err = %v, want a loop error", err)
		}
		if n := len(f.Seen()); n != 1 {
			t.Errorf("GitHub saw %d requests, want 1", n)
		}
	})
	t.Run("a Link to another host", func(t *testing.T) {
		var mu sync.Mutex
		var stolen []string
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			stolen = append(stolen, r.Header.Get("Authorization"))
			mu.Unlock()
		}))
		defer other.Close()
		f := newFakeGitHub(t, "")
		f.LinkBase = other.URL
		c, _ := newTestClient(f.URL(), testToken)
		_, err := c.Jobs(context.Background(), testRepo, testRunID, 0)
		if err == nil || !strings.Contains(err.Error(), "not following it") || !strings.Contains(err.Error(), "GITHUB_API_URL") {
			t.Fatalf("err = %v, want a refusal to follow the Link", err)
		}
		assertNoToken(t, err.Error(), testToken)
		mu.Lock()
		defer mu.Unlock()
		if len(stolen) != 0 {
			t.Errorf("the other host got %d requests", len(stolen))
		}
	})
	t.Run("a relative Link", func(t *testing.T) {
		f := newFakeGitHub(t, "")
		f.Script(githubfake.Response{Status: 200,
			Header: map[string]string{"Link": `</repositories/4242/actions/runs/9001/attempts/1/jobs?page=2&per_page=100>; rel="next"`},
			Body:   `{"total_count":5,"jobs":[{"name":"first","status":"completed","conclusion":"success","html_url":"https://github.com/x"}]}`})
		c, _ := newTestClient(f.URL(), testToken)
		jobs, err := c.Jobs(context.Background(), testRepo, testRunID, 1)
		if err != nil {
			t.Fatal(err)
		}
		// The script's page, then the fake's page 2 of attempt 1 (empty: it has 4 jobs at 100 a page).
		if len(jobs) != 1 || jobs[0].Name != "first" {
			t.Errorf("jobs = %+v", jobs)
		}
		if reqs := f.Seen(); len(reqs) != 2 || reqs[1].Path != "/repositories/4242/actions/runs/9001/attempts/1/jobs" {
			t.Errorf("requests = %+v", reqs)
		}
	})
}

func TestNextLink(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		want   string
	}{
		{name: "none", header: nil, want: ""},
		{
			name:   "GitHub's first page",
			header: []string{`<https://api.github.com/repositories/4242/actions/runs/9001/jobs?filter=latest&per_page=100&page=2>; rel="next", <https://api.github.com/repositories/4242/actions/runs/9001/jobs?filter=latest&per_page=100&page=3>; rel="last"`},
			want:   "https://api.github.com/repositories/4242/actions/runs/9001/jobs?filter=latest&per_page=100&page=2",
		},
		{
			name:   "GitHub's last page",
			header: []string{`<https://api.github.com/x?page=2>; rel="prev", <https://api.github.com/x?page=1>; rel="first"`},
			want:   "",
		},
		{
			name:   "next after prev, comma in a URL, unquoted rel",
			header: []string{`<https://api.github.com/x?page=1&labels=a,b>; rel=prev, <https://api.github.com/x?page=3&labels=a,b>; rel=next`},
			want:   "https://api.github.com/x?page=3&labels=a,b",
		},
		{
			name:   "several headers and relation types",
			header: []string{`<https://a/1>; rel="first"`, `<https://a/2>; title="x"; rel="next last"`},
			want:   "https://a/2",
		},
		{name: "malformed", header: []string{`https://a/2; rel="next"`, `<https://a/3; rel="next"`}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextLink(tt.header); got != tt.want {
				t.Errorf("nextLink = %q, want %q", got, tt.want)
			}
		})
	}
}
