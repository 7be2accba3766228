package sheets

import (
	"net/http"
	"testing"
	"time"

	"google.golang.org/api/googleapi"
)

// A 429's Retry-After raises the wait, in either of its forms, up to
// MaxDelay; it never shortens the backoff.
func TestRetryHonoursRetryAfter(t *testing.T) {
	r := Retry{Rand: func() float64 { return 0 }}.withDefaults() // backoff: half the ceiling
	throttled := func(retryAfter string) error {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &googleapi.Error{Code: http.StatusTooManyRequests, Header: h}
	}
	ahead := time.Now().Add(31 * time.Second).UTC().Format(http.TimeFormat)
	for _, tt := range []struct {
		name       string
		retryAfter string
		min, max   time.Duration
	}{
		{"none", "", 500 * time.Millisecond, 500 * time.Millisecond},
		{"seconds", "20", 20 * time.Second, 20 * time.Second},
		{"HTTP date", ahead, 25 * time.Second, 31 * time.Second},
		{"longer than MaxDelay", "3600", 64 * time.Second, 64 * time.Second},
		{"garbage", "later", 500 * time.Millisecond, 500 * time.Millisecond},
	} {
		err := throttled(tt.retryAfter)
		v := verdict(err)
		if !v.Retry {
			t.Errorf("%s: a 429 is not retried", tt.name)
		}
		if d := r.policy().Delay(1, v.After); d < tt.min || d > tt.max {
			t.Errorf("%s: wait %v, want within [%v, %v]", tt.name, d, tt.min, tt.max)
		}
	}
}
