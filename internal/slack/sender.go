package slack

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	goslack "github.com/slack-go/slack"

	"github.com/pricechecker/pricechecker/internal/backoff"
	"github.com/pricechecker/pricechecker/internal/buildinfo"
)

// DefaultAPIURL is Slack's Web API base; chat.postMessage is appended.
const DefaultAPIURL = "https://slack.com/api/"

// Defaults for Config's zero values.
const (
	DefaultMaxRetries = 3
	DefaultMaxWait    = time.Minute
	DefaultTimeout    = 30 * time.Second
	// defaultRetryAfter is used when a 429 carries no usable Retry-After;
	// Slack's documentation asks for at least a second.
	defaultRetryAfter = time.Second
)

// Config chooses how messages reach Slack: an incoming webhook (WebhookURL)
// or a bot token and channel (Token, Channel). Exactly one of the two must
// be set.
type Config struct {
	// WebhookURL is an incoming webhook, https://hooks.slack.com/services/….
	WebhookURL string
	// Token is a bot token (xoxb-…) with the chat:write scope, and Channel
	// the ID (C…) or name of a channel the bot is a member of.
	Token   string
	Channel string

	// APIURL replaces DefaultAPIURL, for tests; it must end in "/".
	APIURL string
	// HTTPClient defaults to a client with DefaultTimeout.
	HTTPClient *http.Client
	// MaxRetries is how many times a 429 is retried; zero means
	// DefaultMaxRetries and a negative value none.
	MaxRetries int
	// MaxWait caps a single wait. When Slack asks for more, Send gives up
	// rather than keep the job running. Zero means DefaultMaxWait.
	MaxWait time.Duration
	// Sleep waits d or until ctx is done; tests replace it to run instantly.
	Sleep func(ctx context.Context, d time.Duration) error
	// HistoryWindow is how far back SendOnce looks for an earlier post of
	// the same publication (default DefaultHistoryWindow), and
	// MaxHistoryPages how many pages of history it reads at most (default
	// DefaultMaxHistoryPages).
	HistoryWindow   time.Duration
	MaxHistoryPages int
}

// Secrets returns the values that must never appear in logs: the webhook
// URL, its path and its secret last part, and the token. Pass them to the
// runner's masking (::add-mask::) before anything is printed.
func (c Config) Secrets() []string {
	var s []string
	if c.WebhookURL != "" {
		s = append(s, c.WebhookURL)
		if u, err := url.Parse(c.WebhookURL); err == nil {
			if p := strings.Trim(u.Path, "/"); p != "" {
				s = append(s, p)
				// The last part is the secret; the T…/B… IDs before it are
				// not, but a short last part would mask innocent text.
				if i := strings.LastIndex(p, "/"); i >= 0 && len(p)-i-1 >= 8 {
					s = append(s, p[i+1:])
				}
			}
		}
	}
	if c.Token != "" {
		s = append(s, c.Token)
	}
	return s
}

// Sender posts messages to Slack as its Config says. It is safe for
// concurrent use.
type Sender struct {
	// post posts m and returns its ts ("" from a webhook, whose answer
	// has none).
	post func(ctx context.Context, m Message) (string, error)
	// find looks for an earlier post of a publication, calling each page
	// of history through retry; nil for a webhook, which cannot read its
	// channel.
	find func(ctx context.Context, id string, retry func(call func() error) error) (string, error)
	// replies reads the thread of the message ts, its parent included,
	// calling each page through retry; nil for a webhook.
	replies    func(ctx context.Context, ts string, retry func(call func() error) error) ([]goslack.Message, error)
	secrets    []string
	maxRetries int
	maxWait    time.Duration
	sleep      func(context.Context, time.Duration) error
}

// NewSender validates cfg and returns a Sender. Its errors never contain
// the webhook URL or the token.
func NewSender(cfg Config) (*Sender, error) {
	s := &Sender{
		secrets:    cfg.Secrets(),
		maxRetries: cfg.MaxRetries,
		maxWait:    cfg.MaxWait,
		sleep:      cfg.Sleep,
	}
	switch {
	case s.maxRetries == 0:
		s.maxRetries = DefaultMaxRetries
	case s.maxRetries < 0:
		s.maxRetries = 0
	}
	if s.maxWait <= 0 {
		s.maxWait = DefaultMaxWait
	}
	if s.sleep == nil {
		s.sleep = backoff.Sleep
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}

	switch {
	case cfg.WebhookURL != "" && cfg.Token != "":
		return nil, errors.New("slack: set either a webhook URL or a bot token and channel, not both")
	case cfg.WebhookURL != "":
		u, err := url.Parse(cfg.WebhookURL)
		// The parse error quotes the URL, so it is not wrapped.
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, errors.New("slack: the webhook URL is not a valid http(s) URL; copy it again from the Slack app's Incoming Webhooks page")
		}
		w := &webhook{url: cfg.WebhookURL, client: client}
		s.post = w.post
	case cfg.Token != "":
		if !strings.HasPrefix(cfg.Token, "xox") {
			return nil, errors.New("slack: the bot token does not look like a Slack token; it should start with xoxb-")
		}
		if cfg.Channel == "" {
			return nil, errors.New("slack: a bot token needs a channel; set the channel ID (C…) the bot was invited to")
		}
		apiURL := cfg.APIURL
		if apiURL == "" {
			apiURL = DefaultAPIURL
		}
		if !strings.HasSuffix(apiURL, "/") {
			apiURL += "/" // slack-go appends the method name directly
		}
		b := &bot{token: cfg.Token, channel: cfg.Channel, apiURL: apiURL, client: client,
			window: cmp.Or(cfg.HistoryWindow, DefaultHistoryWindow), maxPages: cmp.Or(cfg.MaxHistoryPages, DefaultMaxHistoryPages)}
		s.post = b.post
		s.find = b.find
		s.replies = b.thread
	default:
		return nil, errors.New("slack: no destination; set a webhook URL, or a bot token and channel")
	}
	return s, nil
}

// Send posts m, waiting and retrying when Slack answers 429.
func (s *Sender) Send(ctx context.Context, m Message) error {
	_, err := s.SendTS(ctx, m)
	return err
}

// SendTS is Send that also returns the posted message's ts, its id in the
// channel (what a reply in its thread names); "" from a webhook.
func (s *Sender) SendTS(ctx context.Context, m Message) (string, error) {
	var ts string
	err := s.retry(ctx, func() error {
		var err error
		ts, err = s.post(ctx, m)
		return err
	})
	return ts, err
}

// retry runs call, waiting and calling again when Slack answers 429.
func (s *Sender) retry(ctx context.Context, call func() error) error {
	_, err := s.policy().Do(ctx, func(try backoff.Attempt) (backoff.Verdict, error) {
		err := call()
		var apiErr *APIError
		switch {
		case !errors.As(err, &apiErr) || !apiErr.RateLimited():
			return backoff.Verdict{}, err
		case try.Last:
			apiErr.Fix = fmt.Sprintf("Slack still rate-limited the message after %d retries; re-run the job in a few minutes", try.N-1)
			return backoff.Verdict{}, apiErr
		case apiErr.RetryAfter > s.maxWait:
			apiErr.Fix = fmt.Sprintf("Slack asked to wait %s, longer than the %s this job waits; re-run the job later", apiErr.RetryAfter, s.maxWait)
			return backoff.Verdict{}, apiErr
		}
		return backoff.Verdict{Retry: true, After: apiErr.RetryAfter}, err
	})
	if we, ok := err.(*backoff.WaitError); ok {
		err = fmt.Errorf("slack: waiting %s as Slack asked: %w", we.Wait, we.Cause)
	}
	return redactErr(err, s.secrets)
}

// policy waits exactly as long as Slack asks, which it does with every
// 429: no backoff of its own (Slack paces each channel and says when the
// next message fits), MaxRetries retries, waits longer than MaxWait
// refused by retry above.
func (s *Sender) policy() backoff.Policy {
	return backoff.Policy{MaxAttempts: s.maxRetries + 1, MaxRetryAfter: s.maxWait, Sleep: s.sleep}
}

// retryAfter reads Retry-After in either form (Slack sends seconds); at
// least defaultRetryAfter, as Slack asks, when it is missing or says now.
func retryAfter(h http.Header) time.Duration {
	d, _ := backoff.RetryAfter(h, time.Now())
	return max(d, defaultRetryAfter)
}

// maxErrorBody bounds how much of an error answer is read; Slack's are a
// word, but a proxy in between may send a page of HTML.
const maxErrorBody = 4 << 10

type webhook struct {
	url    string
	client *http.Client
}

// post sends the webhook payload with net/http rather than slack-go, which
// discards the body that says why Slack refused the message.
func (w *webhook) post(ctx context.Context, m Message) (string, error) {
	return "", w.send(ctx, m)
}

func (w *webhook) send(ctx context.Context, m Message) error {
	body, err := RenderJSON(m)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("slack webhook: build request: %w", stripURL(err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", buildinfo.UserAgent())
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("slack webhook: %w", stripURL(err))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if resp.StatusCode == http.StatusOK {
		return nil // Slack answers "ok"; slack-go and Slack's own SDKs treat any 200 as success
	}
	e := newAPIError(methodWebhook, resp.StatusCode, answerWord(answer, resp.StatusCode))
	if resp.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter = retryAfter(resp.Header)
	}
	return e
}

// answerWord extracts Slack's error code from a webhook's answer, which is a
// short word such as "no_service". Anything else (an HTML error page) is
// replaced by the HTTP status text.
func answerWord(body []byte, status int) string {
	s := strings.TrimSpace(string(body))
	if s == "" || strings.ContainsAny(s, "<\n") || len(s) > 100 {
		return strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	}
	return s
}

type bot struct {
	token, channel, apiURL string
	client                 *http.Client
	window                 time.Duration
	maxPages               int
}

func (b *bot) post(ctx context.Context, m Message) (string, error) {
	// A fresh recorder per call: slack-go hides the "ok" field, and a reply
	// of {"ok":false} with no error code comes back from it as success.
	rec := &okRecorder{client: b.client}
	api := goslack.New(b.token, goslack.OptionAPIURL(b.apiURL), goslack.OptionHTTPClient(rec))
	opts := []goslack.MsgOption{
		goslack.MsgOptionText(m.Text, false),
		goslack.MsgOptionDisableLinkUnfurl(),
		goslack.MsgOptionDisableMediaUnfurl(),
	}
	if len(m.Blocks) > 0 {
		opts = append(opts, goslack.MsgOptionBlocks(m.Blocks...))
	}
	switch {
	case m.PublicationID != "" && m.Reply > 0:
		opts = append(opts, goslack.MsgOptionMetadata(replyMetadata(m.PublicationID, m.Reply)))
	case m.PublicationID != "":
		opts = append(opts, goslack.MsgOptionMetadata(publicationMetadata(m.PublicationID)))
	}
	if m.ThreadTS != "" {
		opts = append(opts, goslack.MsgOptionTS(m.ThreadTS))
	}
	_, ts, err := api.PostMessageContext(ctx, b.channel, opts...)
	if err := apiErr(methodPost, err, rec); err != nil {
		return "", err
	}
	return ts, nil
}

// apiErr turns slack-go's answer to a Web API call into an *APIError that
// says what to fix, or nil.
func apiErr(method string, err error, rec *okRecorder) error {
	var (
		slackErr goslack.SlackErrorResponse
		rateErr  *goslack.RateLimitedError
		codeErr  goslack.StatusCodeError
	)
	switch {
	case err == nil:
		if rec.ok != nil && !*rec.ok {
			return newAPIError(method, rec.status, "")
		}
		return nil
	case errors.As(err, &slackErr):
		e := newAPIError(method, rec.status, slackErr.Err)
		if slackErr.Needed != "" {
			e.Fix += " (Slack says the app needs: " + slackErr.Needed + ")"
		}
		return e
	case errors.As(err, &rateErr):
		e := newAPIError(method, http.StatusTooManyRequests, "ratelimited")
		e.RetryAfter = max(rateErr.RetryAfter, defaultRetryAfter)
		return e
	case errors.As(err, &codeErr):
		e := newAPIError(method, codeErr.Code, answerWord(rec.body, codeErr.Code))
		if codeErr.Code == http.StatusTooManyRequests {
			e.RetryAfter = retryAfter(rec.header) // slack-go only parses an integer Retry-After
		}
		return e
	}
	if rec.status == http.StatusTooManyRequests {
		// slack-go fails to parse a Retry-After that is not a number of
		// seconds (an HTTP date); it is still a rate limit.
		e := newAPIError(method, http.StatusTooManyRequests, "ratelimited")
		e.RetryAfter = retryAfter(rec.header)
		return e
	}
	return fmt.Errorf("slack %s: %w", method, stripURL(err))
}

// okRecorder is the HTTP client handed to slack-go. It remembers the status,
// body and "ok" field of the answer, which slack-go does not expose.
type okRecorder struct {
	client *http.Client
	status int
	header http.Header
	body   []byte
	ok     *bool
}

// maxAnswer bounds a chat.postMessage answer, which echoes the message.
const maxAnswer = 1 << 20

func (r *okRecorder) Do(req *http.Request) (*http.Response, error) {
	// slack-go sends its own User-Agent; pricechecker's says which
	// version calls, as every client of pricechecker does.
	req.Header.Set("User-Agent", buildinfo.UserAgent())
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("read Slack's answer: %w", err)
	}
	r.status, r.header, r.body = resp.StatusCode, resp.Header, body
	var answer struct {
		OK *bool `json:"ok"`
	}
	if json.Unmarshal(body, &answer) == nil {
		r.ok = answer.OK
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
