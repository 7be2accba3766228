package githubapi

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/pricechecker/pricechecker/internal/buildinfo"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v75/github"
)

// App mints installation tokens for a GitHub App: ghinstallation signs the
// app's JWT (RS256, under GitHub's ten-minute limit) and exchanges it for
// a token that lives one hour. The caller caches the token (see the relay's
// token sources), so that one cache serves every kind of credential.
type App struct {
	BaseURL        string
	AppID          string
	InstallationID string // empty: looked up from Repo
	Repo           string
	Key            *rsa.PrivateKey
	HTTP           *http.Client
	Now            func() time.Time
}

func (a *App) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// InstallationToken returns a new installation token and when to renew
// it: five minutes before it expires, so that it never expires mid-retry.
func (a *App) InstallationToken(ctx context.Context) (string, time.Time, error) {
	appID, err := strconv.ParseInt(a.AppID, 10, 64)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("GITHUB_APP_ID=%q: use the numeric App ID from the app's settings page", a.AppID)
	}
	hc := withHeaders(a.HTTP, buildinfo.UserAgent(), nil)
	apps := ghinstallation.NewAppsTransportFromPrivateKey(hc.Transport, appID, a.Key)
	apps.BaseURL = strings.TrimRight(a.BaseURL, "/")
	if a.InstallationID == "" {
		gh, err := newREST(a.BaseURL, &http.Client{Transport: apps, Timeout: hc.Timeout}, buildinfo.UserAgent(), nil)
		if err != nil {
			return "", time.Time{}, err
		}
		owner, repo, _ := strings.Cut(a.Repo, "/")
		inst, resp, err := gh.Apps.FindRepositoryInstallation(noPreemptiveLimit(ctx), owner, repo)
		if err != nil {
			return "", time.Time{}, fmt.Errorf("find the GitHub App installation on %s (is the app installed there? or set GITHUB_APP_INSTALLATION_ID): %w", a.Repo, answerError(resp, err, a.Repo))
		}
		a.InstallationID = strconv.FormatInt(inst.GetID(), 10)
	}
	instID, err := strconv.ParseInt(a.InstallationID, 10, 64)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("GITHUB_APP_INSTALLATION_ID=%q is not a number", a.InstallationID)
	}
	tr := ghinstallation.NewFromAppsTransport(apps, instID)
	tok, err := tr.Token(ctx)
	if err != nil {
		var httpErr *ghinstallation.HTTPError
		if errors.As(err, &httpErr) && httpErr.Response != nil {
			err = classifyDispatch(readResponse(httpErr.Response), a.Repo)
		}
		return "", time.Time{}, fmt.Errorf("create installation token for GitHub App %s, installation %s (check GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and the private key): %w", a.AppID, a.InstallationID, err)
	}
	expires, _, err := tr.Expiry()
	if err != nil || expires.IsZero() {
		expires = a.now().Add(time.Hour)
	}
	return tok, expires.Add(-5 * time.Minute), nil
}

// answerError is GitHub's answer as an *APIError when there was one (it
// names the fix), else err (a network error).
func answerError(resp *github.Response, err error, repo string) error {
	if resp == nil || resp.Response == nil || resp.StatusCode/100 == 2 {
		return err // no answer, or one that did not decode
	}
	return classifyDispatch(readResponse(resp.Response), repo)
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
