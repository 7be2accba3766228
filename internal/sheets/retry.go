package sheets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"cloud.google.com/go/auth"
	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"

	"github.com/pricechecker/pricechecker/internal/backoff"
)

// Retry is the backoff for 429 and 5xx answers and broken connections (see
// retryable), which the generated client does not retry: backoff's Policy,
// exponential with equal jitter (a random wait between half and all of
// min(MaxDelay, BaseDelay·2^(retry-1))), raised to a Retry-After header up
// to MaxDelay, at most MaxAttempts attempts in all. The defaults wait
// at least 63 s in all, longer than the per-minute quota window, so a run
// that exhausted the quota outlasts it rather than failing just short.
type Retry struct {
	MaxAttempts int           // default 8
	BaseDelay   time.Duration // default 1s
	MaxDelay    time.Duration // default 64s: the per-minute quota refills in a minute
	// Sleep waits d or until ctx is done (default: a timer). Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, 1) (default math/rand/v2).
	Rand func() float64
}

func (r Retry) withDefaults() Retry {
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 8
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = time.Second
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = 64 * time.Second
	}
	if r.Sleep == nil {
		r.Sleep = backoff.Sleep
	}
	if r.Rand == nil {
		r.Rand = rand.Float64
	}
	return r
}

// policy is Retry as backoff's Policy: a Retry-After is honoured up to
// MaxDelay.
func (r Retry) policy() backoff.Policy {
	return backoff.Policy{MaxAttempts: r.MaxAttempts, Base: r.BaseDelay, Cap: r.MaxDelay, MaxRetryAfter: r.MaxDelay, Sleep: r.Sleep, Rand: r.Rand}
}

// do runs fn until it succeeds, fails for good, or runs out of attempts.
// Each attempt gets its own timeout. It returns the number of attempts.
func (r Retry) do(ctx context.Context, timeout time.Duration, fn func(context.Context) error) (int, error) {
	return r.policy().Do(ctx, func(backoff.Attempt) (backoff.Verdict, error) {
		actx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		err := fn(actx)
		return verdict(err), err
	})
}

// verdict judges a failed call: whether it is retryable, and how long
// Google's Retry-After asks to wait.
func verdict(err error) backoff.Verdict {
	v := backoff.Verdict{Retry: retryable(err)}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) && gerr.Header != nil {
		v.After, _ = backoff.RetryAfter(gerr.Header, time.Now())
	}
	return v
}

// retryable reports whether a failed attempt may succeed when made again:
// Sheets' own 429 and 5xx answers, the same answers from the OAuth token
// endpoint a service-account key is exchanged at (the token is fetched
// inside the call, so its failure is the call's), and failures of the
// connection itself (refused, reset, cut short, timed out). A 4xx other
// than 408 and 429 is the request's or the credentials' fault, and
// repeating it changes nothing.
func retryable(err error) bool {
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		return transientStatus(gerr.Code)
	}
	var aerr *auth.Error
	if errors.As(err, &aerr) && aerr.Response != nil {
		return transientStatus(aerr.Response.StatusCode)
	}
	var rerr *oauth2.RetrieveError
	if errors.As(err, &rerr) && rerr.Response != nil {
		return transientStatus(rerr.Response.StatusCode)
	}
	return transportFailure(err)
}

func transientStatus(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500
}

// transportFailure reports whether err is the connection failing rather
// than a server's answer: nothing, or only part of an answer, arrived.
func transportFailure(err error) bool {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		// The attempt's own timeout; do stops when the run's context ends.
		errors.Is(err, context.DeadlineExceeded):
		return true
	}
	var nerr net.Error
	return errors.As(err, &nerr) && nerr.Timeout()
}

// maybeApplied reports whether a failed write may nevertheless have taken
// effect: the server failed after receiving it (5xx), or the connection
// broke before its answer arrived. A 429 was refused before any work.
func maybeApplied(err error) bool {
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		return gerr.Code >= 500 || gerr.Code == http.StatusRequestTimeout
	}
	return retryable(err)
}

// apiError keeps Google's error reachable (errors.As *googleapi.Error) under
// a message that says what to do.
type apiError struct {
	msg string
	err error
}

func (e *apiError) Error() string { return e.msg }
func (e *apiError) Unwrap() error { return e.err }

// explain turns a failed call into an error that says what to do, always
// with Google's own message.
func (p *publisher) explain(what string, attempts int, err error) error {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		if retryable(err) {
			return fmt.Errorf("sheets: %s: Google Sheets or its token endpoint could not be reached %d times in a row; retry later: %w", what, attempts, err)
		}
		return fmt.Errorf("sheets: %s: %w", what, err)
	}
	google := gerr.Message
	if google == "" {
		google = strings.TrimSpace(gerr.Body)
		if len(google) > 300 {
			google = google[:300] + "..."
		}
	}
	if google == "" {
		google = http.StatusText(gerr.Code)
	}
	id := p.o.SpreadsheetID
	var advice string
	switch {
	case gerr.Code == http.StatusForbidden && (strings.Contains(google, "has not been used") || strings.Contains(google, "is disabled")):
		advice = "enable the Google Sheets API for the Google Cloud project of the credentials"
	case gerr.Code == http.StatusForbidden:
		who := p.o.ServiceAccountEmail
		if who == "" {
			who = "the service account's email (client_email in its key, or the account Workload Identity Federation impersonates)"
		}
		advice = fmt.Sprintf("the credentials cannot edit spreadsheet %s: share the spreadsheet with %s as Editor", id, who)
	case gerr.Code == http.StatusNotFound:
		advice = fmt.Sprintf("spreadsheet %s was not found: check the spreadsheet ID (the part between /d/ and /edit in its URL)", id)
	case gerr.Code == http.StatusUnauthorized:
		advice = "the credentials were refused: check the service-account key or the Workload Identity Federation setup"
	case gerr.Code == http.StatusTooManyRequests:
		advice = fmt.Sprintf("quota exhausted (still after %d attempts): 60 write requests per minute per user; retry later or reduce tabs", attempts)
	case gerr.Code >= 500:
		advice = fmt.Sprintf("Google Sheets failed %d times in a row; retry later", attempts)
	}
	msg := fmt.Sprintf("sheets: %s: %s", what, google)
	if advice != "" {
		msg = fmt.Sprintf("sheets: %s: %s (Google said %d: %s)", what, advice, gerr.Code, google)
	}
	return &apiError{msg: msg, err: err}
}
