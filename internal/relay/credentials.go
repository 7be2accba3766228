package relay

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/pricechecker/pricechecker/internal/githubapi"
)

// StaticToken is a token given directly (PRICECHECKER_DISPATCH_TOKEN).
type StaticToken string

// Token returns the token.
func (s StaticToken) Token(context.Context) (string, error) { return string(s), nil }

// cachedToken caches what fetch returns until it expires, across
// invocations of a warm Lambda, so that Secrets Manager, SSM or GitHub are
// asked once per execution environment and not once per notification.
type cachedToken struct {
	fetch func(ctx context.Context) (token string, expires time.Time, err error)
	now   func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

func (c *cachedToken) Token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now
	if c.now != nil {
		now = c.now
	}
	if c.token != "" && now().Before(c.expires) {
		return c.token, nil
	}
	tok, exp, err := c.fetch(ctx)
	if err != nil {
		return "", err
	}
	if tok == "" {
		return "", errors.New("the credential source returned an empty token")
	}
	c.token, c.expires = tok, exp
	return tok, nil
}

// Invalidate forgets the cached token; the dispatcher calls it after a 401.
func (c *cachedToken) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = ""
}

// SecretGetter is the part of the Secrets Manager client the relay uses.
type SecretGetter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// ParameterGetter is the part of the SSM client the relay uses.
type ParameterGetter interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// readSecret returns the secret string. Secrets Manager secrets are often
// JSON key/value pairs (the console's default), so {"token": "..."} (or
// PRICECHECKER_DISPATCH_TOKEN / GITHUB_TOKEN / github_token / privateKey) is accepted as well as a plain
// string.
func readSecret(ctx context.Context, sm SecretGetter, arn string, keys ...string) (string, error) {
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return "", fmt.Errorf("read secret %s (does it exist, and may the function call secretsmanager:GetSecretValue on it?): %w", arn, err)
	}
	s := strings.TrimSpace(aws.ToString(out.SecretString))
	if s == "" {
		return "", fmt.Errorf("secret %s has no SecretString; store the value as text", arn)
	}
	if strings.HasPrefix(s, "{") {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) == nil {
			for _, k := range keys {
				if v, ok := m[k].(string); ok && v != "" {
					return strings.TrimSpace(v), nil
				}
			}
			return "", fmt.Errorf("secret %s is JSON but has none of the keys %s", arn, strings.Join(keys, ", "))
		}
	}
	return s, nil
}

var tokenKeys = []string{"token", "PRICECHECKER_DISPATCH_TOKEN", "GITHUB_TOKEN", "github_token"}

// NewSecretToken reads the token from a Secrets Manager secret and caches
// it for ttl, so that a rotated secret is picked up without a redeploy.
func NewSecretToken(sm SecretGetter, arn string, ttl time.Duration) TokenSource {
	return &cachedToken{fetch: func(ctx context.Context) (string, time.Time, error) {
		tok, err := readSecret(ctx, sm, arn, tokenKeys...)
		return tok, time.Now().Add(ttl), err
	}}
}

// NewParameterToken reads the token from an SSM SecureString parameter
// (decrypted) and caches it for ttl.
func NewParameterToken(p ParameterGetter, name string, ttl time.Duration) TokenSource {
	return &cachedToken{fetch: func(ctx context.Context) (string, time.Time, error) {
		out, err := p.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		if err != nil {
			return "", time.Time{}, fmt.Errorf("read SSM parameter %s (does it exist, and may the function call ssm:GetParameter on it and kms:Decrypt with its key?): %w", name, err)
		}
		if out.Parameter == nil || strings.TrimSpace(aws.ToString(out.Parameter.Value)) == "" {
			return "", time.Time{}, fmt.Errorf("SSM parameter %s is empty", name)
		}
		return strings.TrimSpace(aws.ToString(out.Parameter.Value)), time.Now().Add(ttl), nil
	}}
}

// GitHubApp mints installation tokens for a GitHub App (see githubapi.App).
type GitHubApp = githubapi.App

// NewAppToken caches installation tokens until shortly before they expire.
func NewAppToken(app *GitHubApp) TokenSource {
	c := &cachedToken{now: appNow(app)}
	c.fetch = app.InstallationToken
	return c
}

func appNow(app *GitHubApp) func() time.Time {
	return func() time.Time {
		if app.Now != nil {
			return app.Now()
		}
		return time.Now()
	}
}

// ParsePrivateKey reads a GitHub App private key (PKCS#1 or PKCS#8 PEM).
func ParsePrivateKey(s string) (*rsa.PrivateKey, error) { return githubapi.ParsePrivateKey(s) }

var privateKeyKeys = []string{"privateKey", "private_key", "GITHUB_APP_PRIVATE_KEY", "pem"}

// newAppFromSecret loads the App's private key from Secrets Manager on first
// use, so that a cold start does not fail before there is anything to
// dispatch. fetch runs under the cache's lock, so the key is loaded once.
func newAppFromSecret(app *GitHubApp, sm SecretGetter, arn string) TokenSource {
	c := &cachedToken{now: appNow(app)}
	c.fetch = func(ctx context.Context) (string, time.Time, error) {
		if app.Key == nil {
			pemText, err := readSecret(ctx, sm, arn, privateKeyKeys...)
			if err != nil {
				return "", time.Time{}, err
			}
			k, err := ParsePrivateKey(pemText)
			if err != nil {
				return "", time.Time{}, fmt.Errorf("secret %s: %w", arn, err)
			}
			app.Key = k
		}
		return app.InstallationToken(ctx)
	}
	return c
}
