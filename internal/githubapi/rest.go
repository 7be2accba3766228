package githubapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v75/github"
)

const (
	// APIVersion is the REST API version every request asks for.
	APIVersion = "2022-11-28"
	// acceptGitHub is GitHub's recommended media type; go-github's default
	// (application/vnd.github.v3+json) is replaced with it.
	acceptGitHub = "application/vnd.github+json"
)

// TokenSource hands out the credential for the GitHub API. Sources that
// cache (Secrets Manager, SSM, GitHub App) also implement Invalidate, so that
// a 401 after a rotation fetches a fresh token once.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// headerTransport sets what GitHub asks of every request, and the token
// when there is a source for it: fetched per request, so that a rotated
// token is used as soon as the source has it.
type headerTransport struct {
	base      http.RoundTripper
	userAgent string
	tokens    TokenSource
}

func (t *headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Accept", acceptGitHub)
	r.Header.Set("X-GitHub-Api-Version", APIVersion)
	r.Header.Set("User-Agent", t.userAgent)
	if t.tokens != nil {
		tok, err := t.tokens.Token(req.Context())
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrToken, err)
		}
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	return t.base.RoundTrip(r)
}

// withHeaders returns a copy of hc (nil: http.DefaultClient) whose requests
// carry GitHub's headers.
func withHeaders(hc *http.Client, userAgent string, tokens TokenSource) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	c := *hc
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = &headerTransport{base: base, userAgent: userAgent, tokens: tokens}
	return &c
}

// newREST returns a go-github client for the API at baseURL
// (GITHUB_API_URL: https://api.github.com, or https://HOST/api/v3 on GitHub
// Enterprise Server, taken as given).
func newREST(baseURL string, hc *http.Client, userAgent string, tokens TokenSource) (*github.Client, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(baseURL), "/") + "/")
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("API URL %q is not an absolute http(s) URL: check GITHUB_API_URL", baseURL)
	}
	gh := github.NewClient(withHeaders(hc, userAgent, tokens))
	gh.BaseURL = u
	gh.UserAgent = userAgent
	return gh, nil
}

// noPreemptiveLimit turns off go-github's refusal to send a request while
// a rate limit it saw earlier has not reset: the caller's retry decides
// when to try again (and a test's clock is not go-github's).
func noPreemptiveLimit(ctx context.Context) context.Context {
	return context.WithValue(ctx, github.BypassRateLimitCheck, true)
}

type loggerKey struct{}

// WithLogger attaches l to ctx, so that what the dispatcher logs while it
// retries carries the caller's fields (the relay's message and offer).
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// LoggerFrom is the logger WithLogger attached, or fallback.
func LoggerFrom(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	return fallback
}
