package githubapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/githubapi/githubfake"
)

func newTestDispatcher(fake *githubfake.GitHub) (*Dispatcher, *sleeps) {
	s := &sleeps{}
	return &Dispatcher{
		BaseURL: fake.URL(), Repo: testRepo, HTTP: &http.Client{Timeout: 5 * time.Second},
		Tokens: staticToken(testToken), MaxAttempts: 2, Sleep: s.Sleep,
	}, s
}

var testPayload = map[string]string{"kind": "price-list", "offerCode": "AWSConfig", "version": "20171205010842"}

// GitHub's primary rate limit resets in an hour: more than an invocation
// has, so the dispatcher fails at once, saying so, instead of waiting.
func TestDispatchPrimaryRateLimit(t *testing.T) {
	fake := githubfake.New(t, testRepo, testToken)
	fake.RateLimit = 1
	d, s := newTestDispatcher(fake)
	if err := d.Dispatch(context.Background(), "aws-price-list-update", testPayload); err != nil {
		t.Fatal(err)
	}
	err := d.Dispatch(context.Background(), "aws-price-list-update", testPayload)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden || !apiErr.Retryable ||
		!strings.Contains(err.Error(), "rate limit") || !strings.Contains(err.Error(), "more than this invocation has left") {
		t.Fatalf("err = %v, want a 403 rate limit refused for lack of time", err)
	}
	if len(fake.Dispatches()) != 1 || len(s.All()) != 0 {
		t.Errorf("dispatches = %d, sleeps = %v; want 1 and none", len(fake.Dispatches()), s.All())
	}
}

// A secondary rate limit says how long to wait in retry-after: the
// dispatcher waits exactly that, then gives up after its attempts.
func TestDispatchSecondaryRateLimit(t *testing.T) {
	fake := githubfake.New(t, testRepo, testToken)
	fake.SecondaryLimit = 30
	d, s := newTestDispatcher(fake)
	err := d.Dispatch(context.Background(), "aws-price-list-update", testPayload)
	if err == nil || !strings.Contains(err.Error(), "secondary rate limit") || !strings.Contains(err.Error(), "giving up") {
		t.Fatalf("err = %v", err)
	}
	if got := s.All(); len(got) != 1 || got[0] != 30*time.Second {
		t.Errorf("sleeps = %v, want [30s]", got)
	}
}

// The jobs lookup never waits out a rate limit: it says when it resets.
func TestJobsPrimaryRateLimit(t *testing.T) {
	f := newFakeGitHub(t, "")
	f.RateLimit = 1
	c, s := newTestClient(f.URL(), testToken)
	if _, err := c.Jobs(context.Background(), testRepo, testRunID, 1); err != nil {
		t.Fatal(err)
	}
	_, err := c.Jobs(context.Background(), testRepo, testRunID, 1)
	if err == nil || !strings.Contains(err.Error(), "rate limit for this token is used up") || !strings.Contains(err.Error(), "resets at") {
		t.Fatalf("err = %v", err)
	}
	if len(s.All()) != 0 {
		t.Errorf("slept %v", s.All())
	}
}
