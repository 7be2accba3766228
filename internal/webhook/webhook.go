// Package webhook publishes a run's outcome to any HTTP endpoint: one JSON
// POST with the run's status, jobs and links and the merged change report,
// signed with HMAC-SHA256 when a secret is set. It lets users feed Teams,
// Discord, Mattermost or their own automation from pricechecker.
//
// A delivery cannot be read back, so a webhook cannot check whether an
// earlier attempt delivered the same report. Every delivery carries the
// publication id in X-Pricechecker-Delivery instead: a re-run of the same
// notification sends the same id, and the receiver drops ids it has seen.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pricechecker/pricechecker/internal/backoff"
	"github.com/pricechecker/pricechecker/internal/buildinfo"
	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// Headers of a delivery.
const (
	// SignatureHeader holds "sha256=" and the hex HMAC-SHA256 of the body
	// with the secret as key, like GitHub's X-Hub-Signature-256.
	SignatureHeader = "X-Pricechecker-Signature-256"
	// DeliveryHeader holds the publication id, the same on every attempt
	// and every re-run of one notification.
	DeliveryHeader = "X-Pricechecker-Delivery"
)

// Defaults for Config's zero values.
const (
	DefaultMaxRetries = 3
	DefaultMaxWait    = time.Minute
	DefaultTimeout    = 30 * time.Second
	// retryBase and retryCap bound the waits between attempts (at least
	// what the receiver's Retry-After asks).
	retryBase = time.Second
	retryCap  = 30 * time.Second
)

// Config is where deliveries go and how they are signed.
type Config struct {
	// URL receives the POST; http or https.
	URL string
	// Secret, when set, signs each delivery (SignatureHeader).
	Secret string
	// HTTPClient defaults to a client with DefaultTimeout.
	HTTPClient *http.Client
	// MaxRetries is how many times a 5xx, a 429 or a failed connection is
	// retried; zero means DefaultMaxRetries and a negative value none.
	MaxRetries int
	// MaxWait caps a single wait: when the receiver asks for more
	// (Retry-After), the delivery fails rather than keep the job running.
	MaxWait time.Duration
	// Sleep waits d or until ctx is done; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Secrets returns the values that must never appear in logs: the URL
// (whose path or query is often its only key, as with Discord, Teams or
// Slack-style hooks), that path and query, and the secret.
func (c Config) Secrets() []string {
	var s []string
	if c.URL != "" {
		s = append(s, c.URL)
		if u, err := url.Parse(c.URL); err == nil {
			// Short paths ("/hook") are not keys, and masking them would
			// hide innocent text.
			if rest := strings.TrimPrefix(c.URL, u.Scheme+"://"+u.Host); len(rest) >= 8 {
				s = append(s, rest)
			}
			if len(u.RawQuery) >= 8 {
				s = append(s, u.RawQuery)
			}
		}
	}
	if c.Secret != "" {
		s = append(s, c.Secret)
	}
	return s
}

// Payload is the body of a delivery. Its field names are a public contract
// documented in README.
type Payload struct {
	PublicationID string `json:"publication_id"`
	// Status is success, failure or cancelled.
	Status publish.Status `json:"status"`
	Jobs   []Job          `json:"jobs"`
	Links  Links          `json:"links"`
	// Unpublished are the destinations published before the webhook that
	// failed.
	Unpublished []Unpublished `json:"unpublished"`
	// Report is the merged change report, in the schema of --report.
	Report report.Report `json:"report"`
}

// Job is one job of the run.
type Job struct {
	Name   string `json:"name"`
	Result string `json:"result"`
	URL    string `json:"url,omitempty"`
}

// Links are the pages about the run; any may be missing.
type Links struct {
	Repository  string `json:"repository,omitempty"`
	Run         string `json:"run,omitempty"`
	Commit      string `json:"commit,omitempty"`
	Spreadsheet string `json:"spreadsheet,omitempty"`
}

// Unpublished is a destination that was not updated.
type Unpublished struct {
	Destination string `json:"destination"`
	Reason      string `json:"reason"`
}

// NewPayload is what a delivery of o says.
func NewPayload(o publish.Outcome) Payload {
	p := Payload{
		PublicationID: o.PublicationID,
		Status:        o.RunStatus(),
		Jobs:          []Job{},
		// Field by field: publish.Links carries more than the payload
		// documents (the Slack message's ts).
		Links: Links{Repository: o.Links.Repository, Run: o.Links.Run, Commit: o.Links.Commit,
			Spreadsheet: o.Links.Spreadsheet},
		Unpublished: []Unpublished{},
		Report:      o.Report,
	}
	for _, j := range o.Jobs {
		p.Jobs = append(p.Jobs, Job(j))
	}
	for _, u := range o.Unpublished {
		p.Unpublished = append(p.Unpublished, Unpublished(u))
	}
	return p
}

// Sign returns the signature header's value for body: "sha256=" and the
// hex HMAC-SHA256 of the exact bytes, keyed with secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature (the header's value) signs body with
// secret. It compares in constant time, as a receiver must.
func Verify(secret string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}

// Sender delivers payloads as its Config says.
type Sender struct {
	cfg     Config
	client  *http.Client
	secrets []string
}

// NewSender validates cfg. Its errors never contain the URL or the secret.
func NewSender(cfg Config) (*Sender, error) {
	u, err := url.Parse(cfg.URL)
	// The parse error quotes the URL, so it is not wrapped.
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("webhook: the URL is not a valid http(s) URL; check PRICECHECKER_WEBHOOK_URL")
	}
	// The same defaulting as slack.NewSender's, kept in each sender: the
	// defaults are each destination's own, and a shared helper would take
	// as many arguments as the lines it saves.
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = DefaultMaxWait
	}
	if cfg.Sleep == nil {
		cfg.Sleep = backoff.Sleep
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	return &Sender{cfg: cfg, client: client, secrets: cfg.Secrets()}, nil
}

// Send POSTs body, signed, with id as the delivery id. 5xx and 429 answers
// and failed connections are retried on backoff's Policy (waiting at least
// what Retry-After asks); other answers are final, and any 2xx is success.
// The body is the same bytes on every attempt, so a receiver that saw an
// attempt whose answer was lost recognises the id.
func (s *Sender) Send(ctx context.Context, id string, body []byte) error {
	policy := backoff.Policy{MaxAttempts: s.cfg.MaxRetries + 1, Base: retryBase, Cap: retryCap, MaxRetryAfter: s.cfg.MaxWait, Sleep: s.cfg.Sleep}
	_, err := policy.Do(ctx, func(a backoff.Attempt) (backoff.Verdict, error) {
		v, err := s.post(ctx, id, body)
		switch {
		case err == nil || !v.Retry:
			return v, err
		case v.After > s.cfg.MaxWait:
			// Policy would cut the wait short; the receiver said it
			// would refuse until then.
			return backoff.Verdict{}, fmt.Errorf("%w; the receiver asked to wait %s, longer than the %s this job waits: re-run the job later", err, v.After, s.cfg.MaxWait)
		case a.Last:
			return v, fmt.Errorf("%w; gave up after %d attempts: re-run the job later (the receiver can drop a repeated %s)", err, a.N, DeliveryHeader)
		}
		return v, err
	})
	return s.redact(err)
}

// maxAnswer bounds how much of an error answer is read and quoted.
const maxAnswer = 4 << 10

// post makes one attempt, and judges a failure: retryable or not, and how
// long the receiver asked to wait.
func (s *Sender) post(ctx context.Context, id string, body []byte) (backoff.Verdict, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return backoff.Verdict{}, fmt.Errorf("webhook: build request: %w", stripURL(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", buildinfo.UserAgent())
	req.Header.Set(DeliveryHeader, id)
	if s.cfg.Secret != "" {
		req.Header.Set(SignatureHeader, Sign(s.cfg.Secret, body))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		// A connection that failed may pass; the receiver drops a
		// repeated id should the first attempt have arrived after all.
		return backoff.Verdict{Retry: ctx.Err() == nil}, fmt.Errorf("webhook: %w", stripURL(err))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return backoff.Verdict{}, nil
	}
	err = fmt.Errorf("webhook: the receiver answered HTTP %d%s", resp.StatusCode, quote(answer))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		after, _ := backoff.RetryAfter(resp.Header, time.Now())
		return backoff.Verdict{Retry: true, After: after}, err
	}
	return backoff.Verdict{}, fmt.Errorf("%w: the receiver refused the delivery; check the URL, the secret and the receiver, then re-run the job", err)
}

// quote is a short, printable excerpt of an answer's body.
func quote(body []byte) string {
	s := textsafe.Line(strings.Join(strings.Fields(string(body)), " "))
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return " " + strconv.Quote(s)
}

// redact removes the URL and the secret from err's message.
func (s *Sender) redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, sec := range s.secrets {
		if sec != "" {
			msg = strings.ReplaceAll(msg, sec, "[redacted]")
		}
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// stripURL drops the URL from a *url.Error: net/http puts the whole
// request URL in its errors, and a webhook's URL is its secret.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s [redacted]: %w", ue.Op, ue.Err)
	}
	return err
}

// Body is the exact JSON a delivery of o sends.
func Body(o publish.Outcome) ([]byte, error) {
	return json.Marshal(NewPayload(o))
}
