package pricingapi

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
)

// The SDK's retryer counts the attempts and keeps its own judgement of
// what is retryable, but its waits are backoff's Policy: equal jitter from
// 1 s, never under half the ceiling (the SDK's own full jitter often is),
// capped at MaxBackoff. The quota stays off (issue 11).
func TestRetryerWaitsFollowThePolicy(t *testing.T) {
	c, err := New(context.Background(), Options{
		Endpoint:    "http://127.0.0.1:1", // never called
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		MaxBackoff:  8 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := c.api.Options().Retryer
	if r.MaxAttempts() != 8 {
		t.Errorf("MaxAttempts = %d, want the default 8", r.MaxAttempts())
	}
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	if !r.IsErrorRetryable(throttled) {
		t.Error("throttling is not retryable")
	}
	for attempt := 1; attempt <= 10; attempt++ {
		ceiling := min(time.Second<<(attempt-1), 8*time.Second)
		for range 200 {
			d, err := r.RetryDelay(attempt, throttled)
			if err != nil || d < ceiling/2 || d > ceiling {
				t.Fatalf("attempt %d: RetryDelay = %v, %v; want within [%v, %v]", attempt, d, err, ceiling/2, ceiling)
			}
		}
	}
	// The retry quota is off: a thousand failed retries still get a token.
	for i := range 1000 {
		if _, err := r.GetRetryToken(context.Background(), throttled); err != nil {
			t.Fatalf("retry %d: no token: %v", i, err)
		}
	}
}
