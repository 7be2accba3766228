// Package pricelist is the client of the AWS Price List Bulk API: the public,
// credential-free HTTPS file tree at pricing.us-east-1.amazonaws.com, or a
// local mirror of it (file://DIR). It locates the files of an offer, version
// and region and opens them as streams; it never reads a whole offer file.
package pricelist

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pricechecker/pricechecker/internal/backoff"
)

// DefaultEndpoint is the Bulk API's public host.
const DefaultEndpoint = "https://pricing.us-east-1.amazonaws.com"

// ErrNotFound is returned (wrapped) when the API answers 404 or the mirror
// has no such file.
var ErrNotFound = errors.New("not found")

// Client reads files from the Bulk API or a mirror with the same layout.
type Client struct {
	base *url.URL
	http *http.Client
	// MaxAttempts bounds the tries of one request (429, 5xx and network
	// errors before the body starts are retried).
	MaxAttempts int
	// Sleep waits between attempts; tests replace it.
	Sleep func(context.Context, time.Duration) error
}

// New returns a client for endpoint: an http(s) base URL or file://DIR.
// httpClient may be nil; downloads are long, so its Timeout should be zero
// and the context bounds the run instead.
func New(endpoint string, httpClient *http.Client) (*Client, error) {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	u, err := url.Parse(strings.TrimRight(endpoint, "/"))
	if err != nil {
		return nil, fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("endpoint %q: missing host", endpoint)
		}
	case "file":
		dir := u.Path
		if u.Host != "" && u.Host != "localhost" {
			// file://relative/dir is a common slip; read it as a relative path.
			dir = filepath.Join(u.Host, u.Path)
		}
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		st, err := os.Stat(dir)
		if err != nil || !st.IsDir() {
			return nil, fmt.Errorf("endpoint %q: mirror directory %s does not exist", endpoint, dir)
		}
		u = &url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}
	default:
		return nil, fmt.Errorf("endpoint %q: want http://, https:// or file://DIR", endpoint)
	}
	if httpClient == nil {
		httpClient = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			ResponseHeaderTimeout: time.Minute,
			TLSHandshakeTimeout:   15 * time.Second,
			IdleConnTimeout:       30 * time.Second,
		}}
	}
	return &Client{base: u, http: httpClient, MaxAttempts: 5, Sleep: backoff.Sleep}, nil
}

// URL returns the absolute URL of a path of the Bulk API layout
// ("/offers/v1.0/aws/index.json"). Index files hold such relative paths.
func (c *Client) URL(path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return c.base.String() + path
}

// File is an open stream of one Bulk API file.
type File struct {
	io.ReadCloser
	URL string
	// Size is the length announced by the server, or -1.
	Size int64
}

// Open starts reading the file at path. Transient failures before the body
// starts (429, 5xx, network errors) are retried with exponential backoff,
// honouring Retry-After. The caller must close the file.
func (c *Client) Open(ctx context.Context, path string) (*File, error) {
	u := c.URL(path)
	if c.base.Scheme == "file" {
		return c.openFile(path, u)
	}
	return c.openHTTP(ctx, u)
}

// OpenURL starts reading the file at an absolute http(s) URL, such as the
// Pricing API's GetPriceListFileUrl hands out, with the retries of Open.
func (c *Client) OpenURL(ctx context.Context, rawURL string) (*File, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("file URL %q: want an absolute http(s) URL", rawURL)
	}
	return c.openHTTP(ctx, rawURL)
}

func (c *Client) openHTTP(ctx context.Context, u string) (*File, error) {
	attempts := max(c.MaxAttempts, 1)
	var lastErr error
	for attempt := 1; ; attempt++ {
		f, retryAfter, err := c.get(ctx, u)
		if err == nil {
			return f, nil
		}
		lastErr = err
		if retryAfter < 0 || attempt >= attempts || ctx.Err() != nil {
			break
		}
		wait := backoffDelay(attempt)
		if retryAfter > 0 {
			wait = retryAfter
		}
		if err := c.Sleep(ctx, wait); err != nil {
			break
		}
	}
	return nil, lastErr
}

// get makes one request. retryAfter is negative when the failure is final,
// zero for "retry with the default backoff", positive when the server said
// how long to wait.
func (c *Client) get(ctx context.Context, u string) (*File, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, -1, fmt.Errorf("GET %s: %w", u, err)
	}
	req.Header.Set("User-Agent", "pricechecker (+https://github.com/pricechecker/pricechecker)")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, -1, fmt.Errorf("GET %s: %w", u, ctx.Err())
		}
		return nil, 0, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode == http.StatusOK {
		return &File{ReadCloser: resp.Body, URL: u, Size: resp.ContentLength}, 0, nil
	}
	// Keep a little of the body: S3 and CloudFront explain themselves there.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close()
	err = &HTTPError{URL: u, StatusCode: resp.StatusCode, Body: strings.TrimSpace(string(snippet))}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, -1, fmt.Errorf("%w: %w", ErrNotFound, err)
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return nil, retryAfterHeader(resp.Header.Get("Retry-After")), err
	default:
		return nil, -1, err
	}
}

func (c *Client) openFile(path, u string) (*File, error) {
	name := filepath.Join(filepath.FromSlash(c.base.Path), filepath.FromSlash(path))
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, u)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", u, err)
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	return &File{ReadCloser: f, URL: u, Size: size}, nil
}

// HTTPError is a non-200 answer of the Bulk API.
type HTTPError struct {
	URL        string
	StatusCode int
	Body       string
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("GET %s: %s", e.URL, http.StatusText(e.StatusCode))
	if e.StatusCode != 0 {
		msg = fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Body != "" && !strings.HasPrefix(e.Body, "<") {
		msg += ": " + e.Body
	}
	return msg
}

// retryAfterHeader reads Retry-After in seconds or as an HTTP date; capped
// so that a hostile or confused server cannot park the run for hours.
func retryAfterHeader(v string) time.Duration {
	const maxWait = 2 * time.Minute
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	return min(max(d, 0), maxWait)
}

// backoff is exponential with full jitter: 0.5s, 1s, 2s, ... capped at 30s.
func backoffDelay(attempt int) time.Duration {
	return backoff.Jittered(attempt, 500*time.Millisecond, 30*time.Second)
}
