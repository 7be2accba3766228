package backoff

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header string // "" means no header at all
		want   time.Duration
		wantOK bool
	}{
		{"absent", "", 0, false},
		{"delta-seconds", "120", 2 * time.Minute, true},
		{"delta-seconds with spaces", " 7 ", 7 * time.Second, true},
		{"zero", "0", 0, true},
		{"negative means now", "-5", 0, true},
		{"HTTP-date ahead", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"RFC 850 date ahead", now.Add(time.Minute).Format(time.RFC850), time.Minute, true},
		{"asctime date ahead", now.Add(time.Hour).Format(time.ANSIC), time.Hour, true},
		{"HTTP-date in the past means now", "Wed, 21 Oct 2015 07:28:00 GMT", 0, true},
		{"huge delta-seconds capped", "99999999", MaxRetryAfter, true},
		{"delta-seconds beyond int64 capped", "999999999999999999999999", MaxRetryAfter, true},
		{"date years ahead capped", now.AddDate(5, 0, 0).Format(http.TimeFormat), MaxRetryAfter, true},
		{"fraction is garbage", "1.5", 0, false},
		{"garbage", "soon", 0, false},
		{"unit is garbage", "10s", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("Retry-After", tt.header)
			}
			got, ok := RetryAfter(h, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestPolicyDelayBounds(t *testing.T) {
	p := Policy{Base: time.Second, Cap: 64 * time.Second}
	for _, tt := range []struct {
		n       int
		ceiling time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {7, 64 * time.Second}, {8, 64 * time.Second}, {500, 64 * time.Second}} {
		for _, r := range []float64{0, 0.5, 0.999999} {
			p.Rand = func() float64 { return r }
			d := p.Delay(tt.n, 0)
			if d < tt.ceiling/2 || d >= tt.ceiling {
				t.Errorf("retry %d, rand %v: %v outside [%v, %v)", tt.n, r, d, tt.ceiling/2, tt.ceiling)
			}
		}
		p.Rand = func() float64 { return 0 }
		if d := p.Delay(tt.n, 0); d != tt.ceiling/2 {
			t.Errorf("retry %d, rand 0: %v, want half the ceiling %v", tt.n, d, tt.ceiling/2)
		}
		p.Rand = func() float64 { return 1 } // one past the range: the ceiling
		if d := p.Delay(tt.n, 0); d != tt.ceiling {
			t.Errorf("retry %d, rand 1: %v, want the ceiling %v", tt.n, d, tt.ceiling)
		}
	}
	// Unpinned, the draws stay in range.
	p.Rand = nil
	for range 1000 {
		if d := p.Delay(3, 0); d < 2*time.Second || d > 4*time.Second {
			t.Fatalf("retry 3: %v outside [2s, 4s]", d)
		}
	}
}

func TestPolicyDelayHonoursRetryAfter(t *testing.T) {
	p := Policy{Base: time.Second, Cap: 8 * time.Second, MaxRetryAfter: time.Minute, Rand: func() float64 { return 0 }}
	for _, tt := range []struct {
		n          int
		retryAfter time.Duration
		want       time.Duration
	}{
		{1, 0, 500 * time.Millisecond},        // no header: the backoff
		{1, 3 * time.Second, 3 * time.Second}, // asked for longer: as asked
		{4, time.Second, 4 * time.Second},     // asked for less: the backoff still holds
		{1, time.Hour, time.Minute},           // asked for too long: MaxRetryAfter
	} {
		if got := p.Delay(tt.n, tt.retryAfter); got != tt.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", tt.n, tt.retryAfter, got, tt.want)
		}
	}
	p.MaxRetryAfter = 0 // defaults to Cap
	if got := p.Delay(1, time.Hour); got != 8*time.Second {
		t.Errorf("MaxRetryAfter 0: Delay = %v, want the cap 8s", got)
	}
	// No backoff at all: the wait is the server's.
	q := Policy{MaxRetryAfter: time.Minute}
	if got := q.Delay(3, 7*time.Second); got != 7*time.Second {
		t.Errorf("zero base: Delay = %v, want Retry-After 7s", got)
	}
}

// recorder stands in for the real sleep.
type recorder struct{ waits []time.Duration }

func (r *recorder) sleep(_ context.Context, d time.Duration) error {
	r.waits = append(r.waits, d)
	return nil
}

func TestDoCountsAttemptsAndWaits(t *testing.T) {
	errBusy := errors.New("busy")
	t.Run("succeeds after retries", func(t *testing.T) {
		var rec recorder
		p := Policy{MaxAttempts: 5, Base: time.Second, Cap: 4 * time.Second, Sleep: rec.sleep, Rand: func() float64 { return 1 }}
		n, err := p.Do(context.Background(), func(a Attempt) (Verdict, error) {
			if a.N < 3 {
				return Verdict{Retry: true}, errBusy
			}
			return Verdict{}, nil
		})
		if n != 3 || err != nil {
			t.Fatalf("Do = %d, %v; want 3, nil", n, err)
		}
		if len(rec.waits) != 2 || rec.waits[0] != time.Second || rec.waits[1] != 2*time.Second {
			t.Errorf("waits = %v, want [1s 2s]", rec.waits)
		}
	})
	t.Run("attempts run out", func(t *testing.T) {
		var rec recorder
		var lasts []bool
		p := Policy{MaxAttempts: 4, Base: time.Second, Cap: 2 * time.Second, Sleep: rec.sleep, Rand: func() float64 { return 1 }}
		n, err := p.Do(context.Background(), func(a Attempt) (Verdict, error) {
			lasts = append(lasts, a.Last)
			return Verdict{Retry: true, After: time.Duration(a.N) * time.Second}, errBusy
		})
		if n != 4 || !errors.Is(err, errBusy) {
			t.Fatalf("Do = %d, %v; want 4, busy", n, err)
		}
		if want := []time.Duration{time.Second, 2 * time.Second, 2 * time.Second}; !slices.Equal(rec.waits, want) {
			t.Errorf("waits = %v, want %v (Retry-After capped at Cap)", rec.waits, want)
		}
		if len(lasts) != 4 || lasts[2] || !lasts[3] {
			t.Errorf("Last = %v, want only the fourth", lasts)
		}
	})
	t.Run("final failure is not retried", func(t *testing.T) {
		var rec recorder
		p := Policy{MaxAttempts: 5, Base: time.Second, Sleep: rec.sleep}
		n, err := p.Do(context.Background(), func(Attempt) (Verdict, error) { return Verdict{}, errBusy })
		if n != 1 || err != errBusy || len(rec.waits) != 0 {
			t.Errorf("Do = %d, %v, waits %v; want 1, busy, none", n, err, rec.waits)
		}
	})
	t.Run("continues a spent budget", func(t *testing.T) {
		var rec recorder
		var seen []int
		p := Policy{MaxAttempts: 5, Base: time.Second, Cap: time.Minute, Sleep: rec.sleep, Rand: func() float64 { return 1 }}
		n, _ := p.DoFrom(context.Background(), 3, func(a Attempt) (Verdict, error) {
			seen = append(seen, a.N)
			return Verdict{Retry: true}, errBusy
		})
		if n != 5 || !slices.Equal(rec.waits, []time.Duration{8 * time.Second}) || len(seen) != 2 || seen[0] != 4 {
			t.Errorf("DoFrom(3) = %d, attempts %v, waits %v; want 5, [4 5], [8s]", n, seen, rec.waits)
		}
	})
	t.Run("a zero policy makes one attempt", func(t *testing.T) {
		calls := 0
		n, err := Policy{}.Do(context.Background(), func(Attempt) (Verdict, error) { calls++; return Verdict{Retry: true}, errBusy })
		if n != 1 || calls != 1 || err != errBusy {
			t.Errorf("Do = %d, %v after %d calls", n, err, calls)
		}
	})
}

func TestDoStopsWithContext(t *testing.T) {
	errBusy := errors.New("busy")
	ctx, cancel := context.WithCancel(context.Background())
	p := Policy{MaxAttempts: 5, Base: time.Hour, Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		return Sleep(ctx, d) // the real sleep must notice
	}}
	calls := 0
	n, err := p.Do(ctx, func(Attempt) (Verdict, error) { calls++; return Verdict{Retry: true}, errBusy })
	var we *WaitError
	if !errors.As(err, &we) || n != 1 || calls != 1 {
		t.Fatalf("Do = %d, %v after %d calls; want a WaitError after 1", n, err, calls)
	}
	if !errors.Is(err, errBusy) || !errors.Is(err, context.Canceled) || we.Wait < 30*time.Minute {
		t.Errorf("WaitError %+v does not hold the attempt's error, the cause and the wait", we)
	}
	if !strings.Contains(err.Error(), "busy (retry interrupted: context canceled)") {
		t.Errorf("message %q", err)
	}
	// A context already done stops before the wait.
	slept := false
	p.Sleep = func(context.Context, time.Duration) error { slept = true; return nil }
	if _, err := p.Do(ctx, func(Attempt) (Verdict, error) { return Verdict{Retry: true}, errBusy }); !errors.As(err, &we) || slept {
		t.Errorf("done context: err %v, slept %v", err, slept)
	}
}
