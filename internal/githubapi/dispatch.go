package githubapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/pricechecker/pricechecker/internal/buildinfo"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v75/github"
	"github.com/pricechecker/pricechecker/internal/backoff"
)

// GitHub limits on POST /repos/{owner}/{repo}/dispatches.
const (
	MaxEventTypeLen       = 100 // GitHub's limit on event_type
	maxPayloadProperties  = 10
	maxPayloadBytes       = 64 * 1024 // GitHub: "under 64 KB"
	deadlineSafetyMargin  = 2 * time.Second
	DefaultMaxAttempts    = 4
	defaultBackoff        = time.Second
	defaultRateLimitPause = time.Minute
	defaultMaxWait        = 5 * time.Minute
)

type invalidator interface {
	Invalidate()
}

// Dispatcher sends repository_dispatch events through go-github, with the
// relay's deadline-aware retry around each call.
type Dispatcher struct {
	BaseURL string // GITHUB_API_URL, e.g. https://api.github.com or https://ghe.example.com/api/v3
	Repo    string // owner/repo
	HTTP    *http.Client
	Tokens  TokenSource
	Log     *slog.Logger

	MaxAttempts    int           // total tries per dispatch (default 4)
	Backoff        time.Duration // first wait after a 5xx or network error, doubled each time (default 1s)
	RateLimitPause time.Duration // wait after a rate limit without headers, doubled each time (default 1m, as GitHub asks)
	MaxWait        time.Duration // cap on any single wait (default 5m); the invocation deadline caps it too

	// Sleep and Now are injected by tests; nil means the real clock.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
}

// APIError is a dispatch that GitHub refused or that kept failing. Its
// message says what GitHub answered and what the user can do about it.
type APIError struct {
	Status    int    // 0 for a network error
	Message   string // GitHub's "message", or the network error
	DocURL    string
	Hint      string // what the user can fix, if anything
	Retryable bool   // a transient failure that outlived the retries
	Attempts  int
}

func (e *APIError) Error() string {
	var b strings.Builder
	if e.Status == 0 {
		fmt.Fprintf(&b, "network error: %s", e.Message)
	} else {
		fmt.Fprintf(&b, "GitHub answered %d %s", e.Status, http.StatusText(e.Status))
		if e.Message != "" {
			fmt.Fprintf(&b, ": %q", e.Message)
		}
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// ValidatePayload checks GitHub's documented limits before anything is sent,
// so that a too-large payload fails with a clear message instead of a 422.
func ValidatePayload(eventType string, payload any) ([]byte, error) {
	if n := utf8.RuneCountInString(eventType); n < 1 || n > MaxEventTypeLen {
		return nil, fmt.Errorf("event type %q has %d characters; GitHub allows 1 to %d (fix RELAY_EVENT_TYPE)", truncate(eventType, 120), n, MaxEventTypeLen)
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode client_payload: %w", err)
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(raw, &props); err != nil {
		return nil, fmt.Errorf("client_payload must be a JSON object: %w", err)
	}
	if len(props) > maxPayloadProperties {
		return nil, fmt.Errorf("client_payload has %d top-level properties; GitHub allows at most %d", len(props), maxPayloadProperties)
	}
	if len(raw) >= maxPayloadBytes {
		return nil, fmt.Errorf("client_payload is %d bytes; GitHub requires under %d: payload too large", len(raw), maxPayloadBytes)
	}
	return json.Marshal(struct {
		EventType     string          `json:"event_type"`
		ClientPayload json.RawMessage `json:"client_payload"`
	}{eventType, raw})
}

// Dispatch posts one repository_dispatch. Transient failures (network, 5xx,
// rate limits) are retried with backoff, honouring retry-after and
// x-ratelimit-reset, within the context's deadline; the returned error is an
// *APIError once GitHub was reached.
func (g *Dispatcher) Dispatch(ctx context.Context, eventType string, payload any) error {
	body, err := ValidatePayload(eventType, payload)
	if err != nil {
		return err
	}
	owner, repo, ok := strings.Cut(g.Repo, "/")
	if !ok {
		return fmt.Errorf("repository %q is not owner/repo (fix GITHUB_REPOSITORY)", g.Repo)
	}

	maxAttempts := g.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	// The caller's logger (see WithLogger) names the message and offer.
	log := LoggerFrom(ctx, g.log())
	gh, err := newREST(g.BaseURL, g.HTTP, buildinfo.UserAgent(), g.Tokens)
	if err != nil {
		return err
	}
	var req github.DispatchRequestOptions
	if err := json.Unmarshal(body, &req); err != nil {
		return fmt.Errorf("encode dispatch: %w", err)
	}
	reauthorized := false
	rateLimited, failures := 0, 0
	for attempt := 1; ; attempt++ {
		resp, err := post(ctx, gh, owner, repo, req)
		var apiErr *APIError
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return fmt.Errorf("dispatch cancelled: %w", ctx.Err())
			}
			if errors.Is(err, ErrToken) {
				return err
			}
			apiErr = &APIError{Message: err.Error(), Retryable: true, Hint: "check GITHUB_API_URL and the function's network access"}
			failures++
			wait = g.backoff(failures)
		case resp.status >= 200 && resp.status < 300:
			return nil
		default:
			apiErr = classifyDispatch(resp, g.Repo)
			switch {
			case resp.isRateLimit():
				rateLimited++
				wait = g.rateLimitWait(resp, rateLimited)
			case resp.status == http.StatusUnauthorized && !reauthorized:
				// A cached token may have been rotated or expired early:
				// fetch a fresh one once before giving up.
				if inv, ok := g.Tokens.(invalidator); ok {
					inv.Invalidate()
					reauthorized = true
					log.Warn("GitHub rejected the token; fetching a fresh one", "status", resp.status)
					attempt-- // not a transient failure: does not use up a retry
					continue
				}
			case apiErr.Retryable:
				// 5xx: GitHub (or a proxy in front of it) may say when to
				// come back; otherwise back off exponentially.
				failures++
				if d, ok := g.retryAfter(resp); ok {
					wait = d
				} else {
					wait = g.backoff(failures)
				}
			}
		}
		apiErr.Attempts = attempt
		if !apiErr.Retryable {
			return apiErr
		}
		if attempt >= maxAttempts {
			apiErr.Hint = joinHint(apiErr.Hint, "giving up for this invocation; Lambda will retry the event and then send it to the dead-letter queue")
			return apiErr
		}
		if limit := g.maxWait(ctx); wait > limit {
			apiErr.Hint = joinHint(apiErr.Hint, fmt.Sprintf("GitHub asks to wait %s, more than this invocation has left (%s); Lambda will retry the event later", wait.Round(time.Second), limit.Round(time.Second)))
			return apiErr
		}
		log.Warn("dispatch failed; retrying", "status", apiErr.Status, "attempt", attempt, "wait", wait.String(), "error", apiErr.Message)
		if err := g.sleep(ctx, wait); err != nil {
			return fmt.Errorf("dispatch cancelled while waiting to retry (%v): %w", apiErr, err)
		}
	}
}

// ErrToken marks a failure to obtain the credential: retrying the request
// does not help, the credential source has its own message.
var ErrToken = errors.New("get GitHub credential")

type response struct {
	status int
	header http.Header
	body   []byte
}

// isRateLimit follows GitHub's documentation: 429 always, 403 when the
// rate-limit headers say so or the message does (a secondary rate limit
// may come without headers); any other 403 is a permission problem.
func (r *response) isRateLimit() bool {
	return isRateLimit(&http.Response{StatusCode: r.status, Header: r.header}, string(r.body))
}

// post sends one dispatch. An answer from GitHub, whatever its status, is
// a response; the error is for a request that got none.
func post(ctx context.Context, gh *github.Client, owner, repo string, req github.DispatchRequestOptions) (*response, error) {
	_, resp, err := gh.Repositories.Dispatch(noPreemptiveLimit(ctx), owner, repo, req)
	if resp == nil || resp.Response == nil {
		return nil, err
	}
	return readResponse(resp.Response), nil
}

// readResponse keeps what classify needs of an answer. go-github has
// already read an error's body and put it back.
func readResponse(r *http.Response) *response {
	defer r.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(r.Body, maxErrorBodyBytes))
	return &response{status: r.StatusCode, header: r.Header, body: b}
}

// classifyDispatch turns a non-2xx answer into an APIError with a hint naming the fix.
func classifyDispatch(r *response, repo string) *APIError {
	var ghErr struct {
		Message string `json:"message"`
		DocURL  string `json:"documentation_url"`
	}
	_ = json.Unmarshal(r.body, &ghErr) // a non-JSON body (proxy error page) leaves Message empty
	if ghErr.Message == "" && len(r.body) > 0 && !json.Valid(r.body) {
		ghErr.Message = truncate(strings.TrimSpace(string(r.body)), 200)
	}
	e := &APIError{Status: r.status, Message: ghErr.Message, DocURL: ghErr.DocURL}
	switch {
	case r.isRateLimit():
		e.Retryable = true
		e.Hint = "GitHub rate limit reached"
	case r.status >= 500:
		e.Retryable = true
		e.Hint = "GitHub is having trouble"
	case r.status == http.StatusUnauthorized:
		e.Hint = "the token is invalid, expired or revoked: renew it in the configured credential source (PRICECHECKER_DISPATCH_TOKEN, the secret or parameter, or the GitHub App key)"
	case r.status == http.StatusForbidden:
		e.Hint = fmt.Sprintf("the token may not dispatch to %s: a classic token needs the repo scope, a fine-grained token or GitHub App needs Contents: read and write on the repository", repo)
	case r.status == http.StatusNotFound:
		e.Hint = fmt.Sprintf("repository %s does not exist or the token cannot see it: check GITHUB_REPOSITORY (owner/repo) and GITHUB_API_URL, and give the token access to the repository (repo scope, or Contents: read and write)", repo)
	case r.status == http.StatusUnprocessableEntity:
		e.Hint = "GitHub rejected the dispatch body: check RELAY_EVENT_TYPE (1-100 characters); the client_payload must have at most 10 top-level properties and be under 64 KB (payload too large?)"
	default:
		e.Hint = "unexpected answer from GitHub; check GITHUB_API_URL"
	}
	return e
}

func joinHint(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// backoff is the wait before retry n of a 5xx or network error: Backoff
// doubled per retry, without jitter. It stays apart from backoff.Policy,
// whose Delay is jittered, because the relay's retries are planned against
// the Lambda deadline (maxWait) and their waits are pinned by its tests:
// one relay invocation retries alone, so there is no herd to spread.
func (g *Dispatcher) backoff(n int) time.Duration {
	base := g.Backoff
	if base <= 0 {
		base = defaultBackoff
	}
	return base << min(n-1, 10)
}

// retryAfter reads a Retry-After header in either of its forms, as every
// client does (backoff.RetryAfter).
func (g *Dispatcher) retryAfter(r *response) (time.Duration, bool) {
	return backoff.RetryAfter(r.header, g.now())
}

// rateLimitWait follows GitHub's order: retry-after, else x-ratelimit-reset
// when nothing remains, else at least a minute, growing exponentially.
func (g *Dispatcher) rateLimitWait(r *response, n int) time.Duration {
	if d, ok := g.retryAfter(r); ok {
		return d
	}
	if r.header.Get("X-Ratelimit-Remaining") == "0" {
		if secs, err := strconv.ParseInt(r.header.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
			// One extra second because the reset time is rounded down.
			return max(time.Unix(secs, 0).Sub(g.now())+time.Second, 0)
		}
	}
	base := g.RateLimitPause
	if base <= 0 {
		base = defaultRateLimitPause
	}
	return base << min(n-1, 10) // deterministic, as backoff's

}

// maxWait is how long one wait may last: the configured cap, and never past
// the invocation deadline, so that the invocation fails cleanly (and Lambda
// retries later) instead of being killed mid-wait.
func (g *Dispatcher) maxWait(ctx context.Context) time.Duration {
	limit := g.MaxWait
	if limit <= 0 {
		limit = defaultMaxWait
	}
	if dl, ok := ctx.Deadline(); ok {
		limit = min(limit, time.Until(dl)-deadlineSafetyMargin)
	}
	return max(limit, 0)
}

func (g *Dispatcher) sleep(ctx context.Context, d time.Duration) error {
	if g.Sleep != nil {
		return g.Sleep(ctx, d)
	}
	return backoff.Sleep(ctx, d)
}

func (g *Dispatcher) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

func (g *Dispatcher) log() *slog.Logger {
	if g.Log != nil {
		return g.Log
	}
	return slog.New(slog.DiscardHandler)
}
