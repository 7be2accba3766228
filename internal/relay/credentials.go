package relay

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/pricechecker/pricechecker/internal/buildinfo"
)

// StaticToken is a token given directly (GITHUB_TOKEN).
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
// GITHUB_TOKEN / github_token / privateKey) is accepted as well as a plain
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

var tokenKeys = []string{"token", "GITHUB_TOKEN", "github_token"}

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

// GitHubApp mints installation tokens for a GitHub App: a JWT signed with
// the app's private key (RS256) is exchanged for a token that lives one hour.
type GitHubApp struct {
	BaseURL        string
	AppID          string
	InstallationID string // empty: looked up from Repo
	Repo           string
	Key            *rsa.PrivateKey
	HTTP           *http.Client
	Now            func() time.Time
}

// NewAppToken caches installation tokens until shortly before they expire.
func NewAppToken(app *GitHubApp) TokenSource {
	c := &cachedToken{now: app.now}
	c.fetch = app.installationToken
	return c
}

func (a *GitHubApp) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// JWT returns the app's signed JWT. iat is backdated a minute against clock
// drift, and exp stays under GitHub's ten-minute maximum.
func (a *GitHubApp) JWT() (string, error) {
	now := a.now()
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	claims, err := json.Marshal(map[string]any{
		"iat": now.Add(-time.Minute).Unix(),
		"exp": now.Add(9 * time.Minute).Unix(),
		"iss": a.AppID,
	})
	if err != nil {
		return "", err
	}
	signingInput := header + "." + base64.RawURLEncoding.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, a.Key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign GitHub App JWT: %w", err)
	}
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

func (a *GitHubApp) installationToken(ctx context.Context) (string, time.Time, error) {
	jwt, err := a.JWT()
	if err != nil {
		return "", time.Time{}, err
	}
	id := a.InstallationID
	if id == "" {
		var inst struct {
			ID int64 `json:"id"`
		}
		owner, repo, _ := strings.Cut(a.Repo, "/")
		if err := a.call(ctx, http.MethodGet, "/repos/"+url.PathEscape(owner)+"/"+url.PathEscape(repo)+"/installation", jwt, http.StatusOK, &inst); err != nil {
			return "", time.Time{}, fmt.Errorf("find the GitHub App installation on %s (is the app installed there? or set GITHUB_APP_INSTALLATION_ID): %w", a.Repo, err)
		}
		id = strconv.FormatInt(inst.ID, 10)
		a.InstallationID = id
	}
	var tok struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := a.call(ctx, http.MethodPost, "/app/installations/"+url.PathEscape(id)+"/access_tokens", jwt, http.StatusCreated, &tok); err != nil {
		return "", time.Time{}, fmt.Errorf("create installation token for GitHub App %s, installation %s (check GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and the private key): %w", a.AppID, id, err)
	}
	if tok.ExpiresAt.IsZero() {
		tok.ExpiresAt = a.now().Add(time.Hour)
	}
	// Renew five minutes early so that a token never expires mid-retry.
	return tok.Token, tok.ExpiresAt.Add(-5 * time.Minute), nil
}

func (a *GitHubApp) call(ctx context.Context, method, path, jwt string, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.BaseURL, "/")+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+jwt)
	req.Header.Set("Accept", githubAccept)
	req.Header.Set("X-GitHub-Api-Version", githubAPIVersion)
	req.Header.Set("User-Agent", buildinfo.UserAgent())
	resp, err := a.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	if resp.StatusCode != want {
		return classify(&response{status: resp.StatusCode, header: resp.Header, body: body}, a.Repo)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("decode GitHub answer: %w", err)
	}
	return nil
}

// ParsePrivateKey reads a GitHub App private key: GitHub hands out PKCS#1
// ("RSA PRIVATE KEY"); PKCS#8 is accepted too. Keys pasted into an
// environment variable often have their newlines escaped as \n.
func ParsePrivateKey(s string) (*rsa.PrivateKey, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), `\n`, "\n")
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("GitHub App private key is not PEM (expected -----BEGIN RSA PRIVATE KEY-----)")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("GitHub App private key is neither PKCS#1 nor PKCS#8: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("GitHub App private key is not an RSA key")
	}
	return rk, nil
}

var privateKeyKeys = []string{"privateKey", "private_key", "GITHUB_APP_PRIVATE_KEY", "pem"}

// newAppFromSecret loads the App's private key from Secrets Manager on first
// use, so that a cold start does not fail before there is anything to
// dispatch. fetch runs under the cache's lock, so the key is loaded once.
func newAppFromSecret(app *GitHubApp, sm SecretGetter, arn string) TokenSource {
	c := &cachedToken{now: app.now}
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
		return app.installationToken(ctx)
	}
	return c
}
