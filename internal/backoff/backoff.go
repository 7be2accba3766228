// Package backoff holds the waiting every client of a remote service needs:
// a sleep that gives up when the context does, and exponential delays with
// jitter so that clients that failed together do not retry together.
package backoff

import (
	"context"
	"math/rand/v2"
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
// retry): base doubled per attempt, capped at max, drawn uniformly from its
// upper half so that the wait grows but never collapses to nothing.
func Jittered(attempt int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d/2 + rand.N(d/2+1)
}
