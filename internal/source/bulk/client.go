// Package bulk is the client of the AWS Price List Bulk API: the public,
// credential-free HTTPS file tree at pricing.us-east-1.amazonaws.com, or a
// local mirror of it (file://DIR). It locates the files of an offer, version
// and region and opens them as streams; it never reads a whole offer file.
// Its Source (source.go) is the run's Bulk API source, and Read the checked
// streaming read the Pricing API's files mode shares.
package bulk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pricechecker/pricechecker/internal/backoff"
)

// DefaultEndpoint is the Bulk API's public host.
const DefaultEndpoint = "https://pricing.us-east-1.amazonaws.com"

// DefaultIdleTimeout is how long a download may receive no byte before it
// is resumed: far above a slow but live transfer's gaps.
const DefaultIdleTimeout = time.Minute

// ErrNotFound is returned (wrapped) when the API answers 404 (or 403, as S3
// does for a missing key) or the mirror has no such file.
var ErrNotFound = errors.New("not found")

// Client reads files from the Bulk API or a mirror with the same layout.
type Client struct {
	base *url.URL
	http *http.Client
	// MaxAttempts bounds the requests made for one file: the first, its
	// retries (429, 5xx and network errors before the body starts) and the
	// resumptions of a body that stalled or dropped.
	MaxAttempts int
	// IdleTimeout is how long a body may send nothing before the download
	// counts as stalled and is resumed; zero waits forever.
	IdleTimeout time.Duration
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
	return &Client{base: u, http: httpClient, MaxAttempts: 5, IdleTimeout: DefaultIdleTimeout, Sleep: backoff.Sleep}, nil
}

// URL returns the absolute URL of a path of the Bulk API layout
// ("/offers/v1.0/aws/index.json"). Index files hold such relative paths.
func (c *Client) URL(path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return c.base.String() + path
}

// Open starts reading the file at path. Transient failures before the body
// starts (429, 5xx, network errors) are retried with exponential backoff,
// honouring Retry-After; a body that stalls or drops is resumed (see File).
// A missing file is ErrNotFound, whether the service answers 404 or 403
// (S3 and CloudFront answer AccessDenied for a missing key). The caller
// must close the file.
func (c *Client) Open(ctx context.Context, path string) (*File, error) {
	u := c.URL(path)
	if c.base.Scheme == "file" {
		return c.openFile(path, u)
	}
	return c.openHTTP(ctx, u, true)
}

// OpenURL starts reading the file at an absolute http(s) URL, such as the
// Pricing API's GetPriceListFileUrl hands out, with the retries of Open. A
// 403 there is an error of its own (an expired or refused signed URL), not
// a missing file.
func (c *Client) OpenURL(ctx context.Context, rawURL string) (*File, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("file URL %q: want an absolute http(s) URL", rawURL)
	}
	return c.openHTTP(ctx, rawURL, false)
}

func (c *Client) openHTTP(ctx context.Context, u string, forbiddenIsMissing bool) (*File, error) {
	f := &File{URL: u, Size: -1, c: c, ctx: ctx, forbiddenIsMissing: forbiddenIsMissing}
	if c.IdleTimeout > 0 {
		f.dog = &watchdog{idle: c.IdleTimeout, warn: f.stallWarning}
	}
	if err := f.connect(0); err != nil {
		return nil, err
	}
	return f, nil
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
	return &File{URL: u, Size: size, body: f}, nil
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
	if code := xmlErrorCode(e.Body); code != "" {
		msg += " (" + code + ")"
	} else if e.Body != "" && !strings.HasPrefix(e.Body, "<") {
		msg += ": " + e.Body
	}
	return msg
}

// policy is how the requests of one file are retried: MaxAttempts in all,
// waits from 0.5 s doubling up to 30 s (backoff's equal jitter), and a
// Retry-After honoured up to 2 minutes, so that a hostile or confused
// server cannot park the run for hours.
func (c *Client) policy() backoff.Policy {
	return backoff.Policy{MaxAttempts: c.MaxAttempts, Base: 500 * time.Millisecond, Cap: 30 * time.Second,
		MaxRetryAfter: 2 * time.Minute, Sleep: c.Sleep}
}

// xmlErrorCode returns the <Code> of an S3 or CloudFront XML error body
// ("AccessDenied", "NoSuchKey"), or "".
func xmlErrorCode(body string) string {
	_, rest, ok := strings.Cut(body, "<Code>")
	if !ok {
		return ""
	}
	code, _, ok := strings.Cut(rest, "</Code>")
	if !ok || len(code) > 64 || strings.ContainsAny(code, "<> \n") {
		return ""
	}
	return code
}
