// Package backoff holds the waiting every client of a remote service needs:
// one retry Policy (attempts, exponential delays with jitter, a cap, the
// server's Retry-After honoured), the loop that applies it, and a sleep that
// gives up when the context does. Each client keeps only its own judgement
// of which failures may pass when the call is made again.
package backoff

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sleep waits for d, or returns the context's error as soon as it is done.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Jittered returns the delay before retry number attempt (1 for the first
// retry) of Policy{Base: base, Cap: max}: see Policy.Delay.
func Jittered(attempt int, base, max time.Duration) time.Duration {
	return Policy{Base: base, Cap: max}.Delay(attempt, 0)
}

// Policy says how a client retries a call whose failure may pass.
//
// The wait before retry n (n = 1 after the first failed attempt) is drawn
// with "equal jitter": its ceiling c = min(Cap, Base·2^(n-1)) grows
// exponentially, and the wait is uniform in [c/2, c). Half the ceiling is
// kept so that the waits add up to a known minimum (a client can outlast a
// quota window); the random half spreads clients that failed together. A
// Retry-After the server sent raises the wait to what it asked, up to
// MaxRetryAfter; it never shortens it.
type Policy struct {
	// MaxAttempts is the number of attempts in all, the first included;
	// below 1 means 1.
	MaxAttempts int
	// Base is the ceiling of the first retry's wait; it doubles per retry.
	Base time.Duration
	// Cap is the longest ceiling; zero means Base (no growth).
	Cap time.Duration
	// MaxRetryAfter is the longest Retry-After honoured (longer asks are
	// cut to it); zero means Cap.
	MaxRetryAfter time.Duration
	// Sleep waits d or until ctx is done (default Sleep); tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, 1) (default math/rand/v2); tests pin it.
	Rand func() float64
}

// Attempts returns MaxAttempts, at least 1.
func (p Policy) Attempts() int { return max(p.MaxAttempts, 1) }

// Delay returns the wait before retry n (1 after the first failed attempt),
// given the server's Retry-After (0 when it sent none).
func (p Policy) Delay(n int, retryAfter time.Duration) time.Duration {
	limit := p.Cap
	if limit <= 0 {
		limit = p.Base
	}
	c := p.Base
	for i := 1; i < n && c < limit; i++ {
		c *= 2
	}
	c = max(min(c, limit), 0)
	r := rand.Float64
	if p.Rand != nil {
		r = p.Rand
	}
	d := c/2 + time.Duration(r()*float64(c-c/2))
	honour := p.MaxRetryAfter
	if honour <= 0 {
		honour = limit
	}
	return max(d, min(retryAfter, honour))
}

// Wait sleeps the Delay before retry n, or until ctx is done.
func (p Policy) Wait(ctx context.Context, n int, retryAfter time.Duration) error {
	return p.sleep(ctx, p.Delay(n, retryAfter))
}

func (p Policy) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	return Sleep(ctx, d)
}

// Attempt is one call of Do's op.
type Attempt struct {
	// N counts the attempts of the call, 1 for the first.
	N int
	// Last is set when no retry follows a failure of this attempt, so
	// that op can word its final error ("still failing after N attempts").
	Last bool
}

// Verdict is a client's judgement of a failed attempt.
type Verdict struct {
	// Retry says the failure may pass when the call is made again.
	Retry bool
	// After is how long the server asked to wait (see RetryAfter), or 0.
	After time.Duration
}

// Do calls op until it returns a nil error, a Verdict without Retry, or
// the policy's attempts are used up, waiting Delay between attempts. It
// returns the number of attempts made and op's last error as op returned
// it. When ctx is done after a failed attempt, or ends a wait, it stops
// with a *WaitError holding that error.
func (p Policy) Do(ctx context.Context, op func(Attempt) (Verdict, error)) (int, error) {
	return p.DoFrom(ctx, 0, op)
}

// DoFrom is Do for a call that already spent some attempts (a download
// resumed mid-way keeps one budget): attempt numbers, and so the delays,
// continue after spent.
func (p Policy) DoFrom(ctx context.Context, spent int, op func(Attempt) (Verdict, error)) (int, error) {
	last := p.Attempts()
	for n := spent + 1; ; n++ {
		v, err := op(Attempt{N: n, Last: n >= last})
		if err == nil || !v.Retry || n >= last {
			return n, err
		}
		d := p.Delay(n, v.After)
		if cerr := ctx.Err(); cerr != nil {
			return n, &WaitError{Err: err, Wait: d, Cause: cerr}
		}
		if serr := p.sleep(ctx, d); serr != nil {
			return n, &WaitError{Err: err, Wait: d, Cause: serr}
		}
	}
}

// WaitError is a retry that did not happen because the context ended
// before or during the wait. It wraps both the last attempt's error and
// the context's.
type WaitError struct {
	Err   error         // the last attempt's error
	Wait  time.Duration // the wait that was cut short
	Cause error         // why: the context's error
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("%v (retry interrupted: %v)", e.Err, e.Cause)
}

func (e *WaitError) Unwrap() []error { return []error{e.Err, e.Cause} }

// MaxRetryAfter bounds what RetryAfter returns, so that an absurd header
// cannot overflow a duration; a Policy cuts it much shorter.
const MaxRetryAfter = 24 * time.Hour

// RetryAfter reads the Retry-After header in either of its forms (RFC
// 9110 §10.2.3): delta-seconds ("120") or an HTTP-date. A date in the past
// and a negative number mean "now" (0); a value that is neither form is
// treated as absent (ok false), as is a missing header. Values above
// MaxRetryAfter are cut to it.
func RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	s := strings.TrimSpace(h.Get("Retry-After"))
	if s == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(min(max(secs, 0), int64(MaxRetryAfter/time.Second))) * time.Second, true
	} else if ne, isNum := err.(*strconv.NumError); isNum && ne.Err == strconv.ErrRange {
		if strings.HasPrefix(s, "-") {
			return 0, true
		}
		return MaxRetryAfter, true
	}
	if t, err := http.ParseTime(s); err == nil {
		return min(max(t.Sub(now), 0), MaxRetryAfter), true
	}
	return 0, false
}
