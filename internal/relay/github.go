package relay

import "github.com/pricechecker/pricechecker/internal/githubapi"

// The GitHub side of the relay lives in githubapi; these names keep the
// relay's API (and its tests) as they were.
type (
	// GitHub sends repository_dispatch events, retrying within the
	// invocation's deadline.
	GitHub = githubapi.Dispatcher
	// APIError is a dispatch that GitHub refused or that kept failing.
	APIError = githubapi.APIError
	// TokenSource hands out the credential for the GitHub API.
	TokenSource = githubapi.TokenSource
)

const (
	maxEventTypeLen    = githubapi.MaxEventTypeLen
	defaultMaxAttempts = githubapi.DefaultMaxAttempts
)

// ValidatePayload checks GitHub's documented limits before anything is sent.
func ValidatePayload(eventType string, payload any) ([]byte, error) {
	return githubapi.ValidatePayload(eventType, payload)
}

// invalidator is what the dispatcher asks of a caching token source after
// a 401 (githubapi declares its own, where it is used).
type invalidator interface {
	Invalidate()
}
