package relay

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/githubapi/githubfake"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

// Helpers shared by the relay's tests; the dispatcher's own tests are in
// githubapi.

const (
	testRepo  = "octo-org/prices"
	testToken = "ghp_testtoken0123456789"
)

// sleeps records the waits instead of sleeping.
type sleeps = testkit.Sleeps

var fixedNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func newTestGitHub(t *testing.T, fake *githubfake.GitHub, tokens TokenSource) (*GitHub, *sleeps) {
	s := &sleeps{}
	return &GitHub{
		BaseURL:     fake.URL(),
		Repo:        testRepo,
		HTTP:        &http.Client{Timeout: 5 * time.Second},
		Tokens:      tokens,
		MaxAttempts: 4,
		Sleep:       s.Sleep,
		Now:         func() time.Time { return fixedNow },
	}, s
}

func samplePayload() Payload {
	return Payload{Kind: KindPriceList, OfferCode: "AWSConfig", Version: "20171205010842", MessageID: "m1", Topic: TopicPriceList}
}

// A 401 on a cached token (rotated secret) fetches a fresh token once.
func TestDispatchRefreshesTokenOn401(t *testing.T) {
	fake := githubfake.New(t, testRepo, "new-token")
	calls := 0
	src := &cachedToken{fetch: func(context.Context) (string, time.Time, error) {
		calls++
		if calls == 1 {
			return "old-token", time.Now().Add(time.Hour), nil
		}
		return "new-token", time.Now().Add(time.Hour), nil
	}}
	gh, _ := newTestGitHub(t, fake, src)
	if err := gh.Dispatch(context.Background(), "aws-price-list-update", samplePayload()); err != nil {
		t.Fatal(err)
	}
	if calls != 2 || fake.Requests() != 2 || len(fake.Dispatches()) != 1 {
		t.Errorf("token fetches = %d, requests = %d, dispatches = %d; want 2, 2, 1", calls, fake.Requests(), len(fake.Dispatches()))
	}
}
