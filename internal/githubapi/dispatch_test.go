package githubapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/dispatch"
	"github.com/pricechecker/pricechecker/internal/githubapi/githubfake"
)

// dispatchToken is the token the dispatch tests' fake accepts.
const dispatchToken = "ghp_testtoken0123456789"

var fixedNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func newTestGitHub(t *testing.T, fake *githubfake.GitHub, tokens TokenSource) (*Dispatcher, *sleeps) {
	s := &sleeps{}
	return &Dispatcher{
		BaseURL:     fake.URL(),
		Repo:        testRepo,
		HTTP:        &http.Client{Timeout: 5 * time.Second},
		Tokens:      tokens,
		MaxAttempts: 4,
		Sleep:       s.Sleep,
		Now:         func() time.Time { return fixedNow },
	}, s
}

func samplePayload() dispatch.Payload {
	return dispatch.Payload{Kind: dispatch.KindPriceList, OfferCode: "AWSConfig", Version: "20171205010842", MessageID: "m1", Topic: "arn:aws:sns:us-east-1:278350005181:price-list-api"}
}

func TestDispatchSendsWhatGitHubExpects(t *testing.T) {
	fake := githubfake.New(t, testRepo, dispatchToken)
	gh, s := newTestGitHub(t, fake, staticToken(dispatchToken))
	if err := gh.Dispatch(context.Background(), "aws-price-list-update", samplePayload()); err != nil {
		t.Fatal(err)
	}
	d := fake.Dispatches()
	if len(d) != 1 {
		t.Fatalf("dispatches = %d, want 1 (fake errors: %v)", len(d), fake.Errors())
	}
	if d[0].Owner != "octo-org" || d[0].Repo != "prices" || d[0].EventType != "aws-price-list-update" {
		t.Errorf("dispatch = %+v", d[0])
	}
	if got := d[0].Header.Get("Authorization"); got != "Bearer "+dispatchToken {
		t.Errorf("Authorization = %q", got)
	}
	if d[0].Payload["offerCode"] != "AWSConfig" || d[0].Payload["version"] != "20171205010842" {
		t.Errorf("payload = %v", d[0].Payload)
	}
	if len(s.All()) != 0 {
		t.Errorf("slept %v on success", s.All())
	}
}

func TestDispatchRetries(t *testing.T) {
	reset := strconv.FormatInt(fixedNow.Add(30*time.Second).Unix(), 10)
	tests := []struct {
		name      string
		script    []githubfake.Response
		wantWaits []time.Duration
		wantErr   string // empty: success
		requests  int
	}{
		{
			name:      "5xx then success, exponential backoff",
			script:    []githubfake.Response{{Status: 502, Message: "Server Error"}, {Status: 503, Message: "Service Unavailable"}},
			wantWaits: []time.Duration{time.Second, 2 * time.Second},
			requests:  3,
		},
		{
			name:      "5xx honours retry-after in seconds",
			script:    []githubfake.Response{{Status: 503, Header: map[string]string{"Retry-After": "5"}, Message: "Service Unavailable"}},
			wantWaits: []time.Duration{5 * time.Second},
			requests:  2,
		},
		{
			name:      "5xx honours retry-after as an HTTP date",
			script:    []githubfake.Response{{Status: 502, Header: map[string]string{"Retry-After": fixedNow.Add(9 * time.Second).Format(http.TimeFormat)}}},
			wantWaits: []time.Duration{9 * time.Second},
			requests:  2,
		},
		{
			name:     "5xx with retry-after beyond the cap fails at once",
			script:   []githubfake.Response{{Status: 503, Header: map[string]string{"Retry-After": "3600"}}},
			wantErr:  "GitHub answered 503 Service Unavailable; GitHub is having trouble; GitHub asks to wait 1h0m0s, more than this invocation has left",
			requests: 1,
		},
		{
			name:      "429 honours retry-after",
			script:    []githubfake.Response{{Status: 429, Header: map[string]string{"Retry-After": "7"}, Message: "API rate limit exceeded"}},
			wantWaits: []time.Duration{7 * time.Second},
			requests:  2,
		},
		{
			name: "403 with x-ratelimit-remaining 0 waits until reset",
			script: []githubfake.Response{{Status: 403, Message: "API rate limit exceeded for user ID 1.",
				Header: map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": reset}}},
			wantWaits: []time.Duration{31 * time.Second},
			requests:  2,
		},
		{
			name:      "secondary rate limit without headers waits a minute",
			script:    []githubfake.Response{{Status: 429, Message: "You have exceeded a secondary rate limit."}},
			wantWaits: []time.Duration{time.Minute},
			requests:  2,
		},
		{
			name:      "secondary rate limit as a 403 without headers waits a minute",
			script:    []githubfake.Response{{Status: 403, Message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}},
			wantWaits: []time.Duration{time.Minute},
			requests:  2,
		},
		{
			name:      "network error is retried",
			script:    []githubfake.Response{{Close: true}},
			wantWaits: []time.Duration{time.Second},
			requests:  2,
		},
		{
			name:      "5xx until attempts run out",
			script:    []githubfake.Response{{Status: 500}, {Status: 500}, {Status: 500}, {Status: 500}, {Status: 500}},
			wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
			wantErr:   "GitHub answered 500 Internal Server Error (after 4 attempts); GitHub is having trouble; giving up for this invocation",
			requests:  4,
		},
		{
			name:      "retry-after beyond the cap fails at once",
			script:    []githubfake.Response{{Status: 429, Header: map[string]string{"Retry-After": "3600"}, Message: "API rate limit exceeded"}},
			wantErr:   "GitHub asks to wait 1h0m0s, more than this invocation has left",
			requests:  1,
			wantWaits: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := githubfake.New(t, testRepo, dispatchToken)
			fake.Script(tt.script...)
			gh, s := newTestGitHub(t, fake, staticToken(dispatchToken))
			err := gh.Dispatch(context.Background(), "aws-price-list-update", samplePayload())
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(fake.Dispatches()) != 1 {
					t.Errorf("dispatches = %d, want 1", len(fake.Dispatches()))
				}
			} else {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || !apiErr.Retryable {
					t.Fatalf("err = %v, want a retryable *APIError", err)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %q\nwant it to contain %q", err, tt.wantErr)
				}
				if len(fake.Dispatches()) != 0 {
					t.Errorf("dispatches = %d, want 0", len(fake.Dispatches()))
				}
			}
			if got := s.All(); fmt.Sprint(got) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("waits = %v, want %v", got, tt.wantWaits)
			}
			if fake.Requests() != tt.requests {
				t.Errorf("requests = %d, want %d", fake.Requests(), tt.requests)
			}
		})
	}
}

// A 5xx's retry-after is bounded by the invocation deadline like a 429's.
func TestDispatch5xxRetryAfterCappedByDeadline(t *testing.T) {
	fake := githubfake.New(t, testRepo, dispatchToken)
	fake.Script(githubfake.Response{Status: 503, Header: map[string]string{"Retry-After": "20"}})
	gh, s := newTestGitHub(t, fake, staticToken(dispatchToken))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := gh.Dispatch(ctx, "aws-price-list-update", samplePayload())
	if err == nil || !strings.Contains(err.Error(), "GitHub asks to wait 20s, more than this invocation has left") {
		t.Fatalf("err = %v", err)
	}
	if got := s.All(); len(got) != 0 || fake.Requests() != 1 {
		t.Errorf("waits = %v, requests = %d; want none and 1", got, fake.Requests())
	}
}

// The wait is capped by the invocation deadline so that Lambda does not
// kill the function mid-sleep.
func TestDispatchWaitCappedByDeadline(t *testing.T) {
	fake := githubfake.New(t, testRepo, dispatchToken)
	fake.Script(githubfake.Response{Status: 503}, githubfake.Response{Status: 429, Header: map[string]string{"Retry-After": "20"}})
	gh, s := newTestGitHub(t, fake, staticToken(dispatchToken))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := gh.Dispatch(ctx, "aws-price-list-update", samplePayload())
	if err == nil || !strings.Contains(err.Error(), "more than this invocation has left") {
		t.Fatalf("err = %v", err)
	}
	if got := s.All(); len(got) != 1 || got[0] != time.Second {
		t.Errorf("waits = %v, want [1s]", got)
	}
}

func TestDispatchPermanentErrorsNameTheFix(t *testing.T) {
	tests := []struct {
		name   string
		repo   string
		token  string
		script []githubfake.Response
		want   []string
	}{
		{"bad token", testRepo, "ghp_wrong", nil, []string{"401", `"Bad credentials"`, "token is invalid, expired or revoked"}},
		{"missing repository", "octo-org/typo", dispatchToken, nil, []string{"404", "repository octo-org/typo does not exist or the token cannot see it", "GITHUB_REPOSITORY"}},
		{"forbidden", testRepo, dispatchToken, []githubfake.Response{{Status: 403, Message: "Resource not accessible by personal access token"}},
			[]string{"403", "repo scope", "Contents: read and write"}},
		{"unprocessable", testRepo, dispatchToken, []githubfake.Response{{Status: 422, Message: "No more than 10 properties are allowed; 11 were supplied."}},
			[]string{"422", "No more than 10 properties", "payload too large"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := githubfake.New(t, testRepo, dispatchToken)
			fake.Script(tt.script...)
			gh, s := newTestGitHub(t, fake, staticToken(tt.token))
			gh.Repo = tt.repo
			err := gh.Dispatch(context.Background(), "aws-price-list-update", samplePayload())
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Retryable {
				t.Fatalf("err = %v, want a permanent *APIError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q\nwant it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), tt.token) {
				t.Errorf("error leaks the token: %q", err)
			}
			if fake.Requests() != 1 || len(s.All()) != 0 {
				t.Errorf("requests = %d, waits = %v; permanent errors must not be retried", fake.Requests(), s.All())
			}
		})
	}
}

func TestValidatePayload(t *testing.T) {
	tooMany := map[string]int{}
	for i := range 11 {
		tooMany[fmt.Sprint("k", i)] = i
	}
	tests := []struct {
		name      string
		eventType string
		payload   any
		want      string
	}{
		{"ok", "aws-price-list-update", samplePayload(), ""},
		{"empty event type", "", samplePayload(), "GitHub allows 1 to 100"},
		{"long event type", strings.Repeat("x", 101), samplePayload(), "GitHub allows 1 to 100"},
		{"11 properties", "e", tooMany, "11 top-level properties; GitHub allows at most 10"},
		{"too large", "e", map[string]string{"big": strings.Repeat("x", 64*1024)}, "payload too large"},
		{"not an object", "e", []int{1}, "must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ValidatePayload(tt.eventType, tt.payload)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	// The real payload stays far from the limits.
	p := samplePayload()
	p.RegionIndexURL = strings.Repeat("x", 512)
	body, err := ValidatePayload("aws-price-list-update", p)
	if err != nil || len(body) > 4096 {
		t.Errorf("payload is %d bytes, err %v", len(body), err)
	}
}
