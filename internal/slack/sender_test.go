package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/slack/slackfake"

	"github.com/pricechecker/pricechecker/internal/backoff"
	"github.com/pricechecker/pricechecker/internal/buildinfo"
)

// sleeper records the waits Send asks for instead of waiting.
type sleeper struct{ waits []time.Duration }

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.waits = append(s.waits, d)
	return ctx.Err()
}

func testMessage(t *testing.T) Message {
	t.Helper()
	msg, skip := BuildMessage(publish.Outcome{Status: publish.StatusSuccess, Report: largeReport(), Links: testLinks}, MessageOptions{})
	if skip {
		t.Fatal("test message skipped")
	}
	return msg
}

var transportNames = []string{"webhook", "bot"}

// transports returns a webhook and a bot Config for each fake.
func transports(fake *slackfake.Server) map[string]Config {
	return map[string]Config{
		"webhook": {WebhookURL: fake.WebhookURL()},
		"bot":     {Token: slackfake.Token, Channel: slackfake.Channel, APIURL: fake.APIURL()},
	}
}

func newSender(t *testing.T, cfg Config, s *sleeper) *Sender {
	t.Helper()
	if s != nil {
		cfg.Sleep = s.sleep
	}
	snd, err := NewSender(cfg)
	if err != nil {
		t.Fatalf("NewSender: %v", err)
	}
	return snd
}

func TestSendWebhookPostsRenderJSON(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	msg := testMessage(t)
	if err := newSender(t, Config{WebhookURL: fake.WebhookURL()}, nil).Send(t.Context(), msg); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()
	if len(got) != 1 {
		t.Fatalf("fake received %d messages, want 1", len(got))
	}
	want, _ := RenderJSON(msg)
	if string(got[0].Body) != string(want) {
		t.Error("the webhook body differs from RenderJSON; --dry-run would not show what is sent")
	}
}

func TestSendBot(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	msg := testMessage(t)
	cfg := transports(fake)["bot"]
	if err := newSender(t, cfg, nil).Send(t.Context(), msg); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()
	if len(got) != 1 {
		t.Fatalf("fake received %d messages, want 1", len(got))
	}
	if got[0].Channel != slackfake.Channel || got[0].Text != msg.Text {
		t.Errorf("received channel %q text %q", got[0].Channel, got[0].Text)
	}
	want, _ := json.Marshal(msg.Blocks)
	if string(got[0].Blocks) != string(want) {
		t.Errorf("blocks differ:\n got %s\nwant %s", got[0].Blocks, want)
	}
	form, _ := url.ParseQuery(string(got[0].Body))
	if form.Get("unfurl_links") != "false" {
		t.Error("link unfurling is on")
	}
}

func TestSendRetriesAfterRateLimit(t *testing.T) {
	for _, name := range transportNames {
		t.Run(name, func(t *testing.T) {
			tests := []struct {
				name       string
				retryAfter string
				want       time.Duration
			}{
				{"Retry-After honoured", "7", 7 * time.Second},
				{"no Retry-After waits a second", "", time.Second},
				{"an HTTP-date Retry-After waits a second", "Wed, 21 Oct 2015 07:28:00 GMT", time.Second},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					fake := slackfake.New()
					defer fake.Close()
					fake.RateLimit(2, tt.retryAfter)
					var s sleeper
					if err := newSender(t, transports(fake)[name], &s).Send(t.Context(), testMessage(t)); err != nil {
						t.Fatal(err)
					}
					if len(s.waits) != 2 || s.waits[0] != tt.want || s.waits[1] != tt.want {
						t.Errorf("waits = %v, want two of %s", s.waits, tt.want)
					}
					if fake.Requests() != 3 || len(fake.Messages()) != 1 {
						t.Errorf("requests = %d, messages = %d; want 3 and 1", fake.Requests(), len(fake.Messages()))
					}
				})
			}
		})
	}
}

// Slack keeps a pace per channel (about one message a second): a second
// message sent right after the first is answered 429 with Retry-After and
// lands after the wait.
func TestSendKeepsSlackPace(t *testing.T) {
	for _, name := range transportNames {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fake := slackfake.New()
			defer fake.Close()
			// A 30-second pace, so that a slow machine cannot slip past it;
			// the wait "passes" by lifting the pace instead of sleeping.
			fake.SetMessageInterval(30 * time.Second)
			var waits []time.Duration
			cfg := transports(fake)[name]
			cfg.Sleep = func(ctx context.Context, d time.Duration) error {
				waits = append(waits, d)
				fake.SetMessageInterval(0)
				return ctx.Err()
			}
			snd, err := NewSender(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				if err := snd.Send(t.Context(), testMessage(t)); err != nil {
					t.Fatalf("message %d: %v", i+1, err)
				}
			}
			if len(fake.Messages()) != 2 || fake.Requests() != 3 {
				t.Errorf("messages = %d, requests = %d; want 2 and 3", len(fake.Messages()), fake.Requests())
			}
			if len(waits) != 1 || waits[0] != 30*time.Second {
				t.Errorf("waits = %v, want one of 30s, as Slack asked", waits)
			}
		})
	}
}

func TestSendGivesUpOnRateLimit(t *testing.T) {
	for _, name := range transportNames {
		t.Run(name+"/retries exhausted", func(t *testing.T) {
			fake := slackfake.New()
			defer fake.Close()
			fake.RateLimit(10, "1")
			cfg := transports(fake)[name]
			cfg.MaxRetries = 2
			var s sleeper
			err := newSender(t, cfg, &s).Send(t.Context(), testMessage(t))
			var apiErr *APIError
			if !errors.As(err, &apiErr) || !apiErr.RateLimited() {
				t.Fatalf("err = %v, want a rate-limit APIError", err)
			}
			if fake.Requests() != 3 || len(s.waits) != 2 {
				t.Errorf("requests = %d, waits = %v; want 3 requests and 2 waits", fake.Requests(), s.waits)
			}
			if !strings.Contains(err.Error(), "after 2 retries") {
				t.Errorf("error does not say it retried: %v", err)
			}
		})
		t.Run(name+"/wait too long", func(t *testing.T) {
			fake := slackfake.New()
			defer fake.Close()
			fake.RateLimit(1, "3600")
			var s sleeper
			err := newSender(t, transports(fake)[name], &s).Send(t.Context(), testMessage(t))
			if err == nil || !strings.Contains(err.Error(), "asked to wait 1h0m0s") {
				t.Fatalf("err = %v, want a refusal to wait an hour", err)
			}
			if len(s.waits) != 0 {
				t.Errorf("waited %v", s.waits)
			}
		})
	}
}

func TestSendStopsWaitingWhenCancelled(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	fake.RateLimit(1, "30")
	ctx, cancel := context.WithCancel(t.Context())
	snd := newSender(t, Config{WebhookURL: fake.WebhookURL(), Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		return backoff.Sleep(ctx, d) // the real sleeper must notice
	}}, nil)
	start := time.Now()
	err := snd.Send(ctx, testMessage(t))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("sleep ignored the cancelled context")
	}
}

func TestSendErrorsSayWhatToFix(t *testing.T) {
	tests := []struct {
		transport string
		answer    string // given to FailWith; "" with wrong is the natural error
		cfg       func(*slackfake.Server) Config
		status    int
		fix       string
	}{
		{"webhook", "invalid_payload", nil, 400, "bug in pricechecker"},
		{"webhook", "no_text", nil, 400, "bug in pricechecker"},
		{"webhook", "too_many_attachments", nil, 400, "bug in pricechecker"},
		{"webhook", "no_service", nil, 404, "create a new incoming webhook"},
		{"webhook", "channel_not_found", nil, 404, "channel was deleted"},
		{"webhook", "invalid_token", nil, 403, "create a new incoming webhook"},
		{"webhook", "action_prohibited", nil, 403, "ask an admin"},
		{"webhook", "channel_is_archived", nil, 410, "archived"},
		{"webhook", "no_service", func(f *slackfake.Server) Config {
			return Config{WebhookURL: f.URL + "/services/T00000000/B00000000/wrongwrongwrong"}
		}, 404, "the webhook was revoked or the URL is wrong"},
		{"bot", "channel_not_found", nil, 200, "invite the bot to the channel"},
		{"bot", "channel_not_found", func(f *slackfake.Server) Config {
			return Config{Token: slackfake.Token, Channel: "C999", APIURL: f.APIURL()}
		}, 200, "check the channel ID"},
		{"bot", "not_in_channel", nil, 200, "invite the bot"},
		{"bot", "invalid_auth", func(f *slackfake.Server) Config {
			return Config{Token: "xoxb-1-2-wrong", Channel: slackfake.Channel, APIURL: f.APIURL()}
		}, 200, "check the bot token (xoxb-…)"},
		{"bot", "not_authed", nil, 200, "check the bot token (xoxb-…)"},
		{"bot", "invalid_token", nil, 200, "check the bot token (xoxb-…)"},
		{"bot", "missing_scope", nil, 200, "chat:write"},
		{"bot", "invalid_blocks", nil, 200, "bug in pricechecker"},
		{"bot", "some_new_error", nil, 200, "api.slack.com/methods/chat.postMessage#errors"},
	}
	for _, tt := range tests {
		t.Run(tt.transport+"/"+tt.answer, func(t *testing.T) {
			fake := slackfake.New()
			defer fake.Close()
			cfg := transports(fake)[tt.transport]
			if tt.cfg != nil {
				cfg = tt.cfg(fake)
			} else {
				fake.FailWith(tt.answer)
			}
			err := newSender(t, cfg, nil).Send(t.Context(), testMessage(t))
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if apiErr.Answer != tt.answer || apiErr.Status != tt.status {
				t.Errorf("answer %q status %d, want %q %d", apiErr.Answer, apiErr.Status, tt.answer, tt.status)
			}
			msg := err.Error()
			if !strings.Contains(msg, `"`+tt.answer+`"`) || !strings.Contains(msg, tt.fix) {
				t.Errorf("error %q does not quote Slack (%q) and say %q", msg, tt.answer, tt.fix)
			}
			if len(fake.Messages()) != 0 {
				t.Error("fake accepted a message it refused")
			}
		})
	}
}

func TestSendOKFalseWithoutErrorIsAnError(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	fake.FailWith("") // {"ok":false}: slack-go returns no error for it
	err := newSender(t, transports(fake)["bot"], nil).Send(t.Context(), testMessage(t))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Answer != "" {
		t.Fatalf("err = %v, want an APIError with an empty answer", err)
	}
	if !strings.Contains(err.Error(), `"ok": false without an error code`) {
		t.Errorf("error does not explain: %v", err)
	}
}

func TestSendServerErrorPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><body>\n<h1>502 Bad Gateway</h1></body></html>")
	}))
	defer srv.Close()
	for name, cfg := range map[string]Config{
		"webhook": {WebhookURL: srv.URL + slackfake.WebhookPath},
		"bot":     {Token: slackfake.Token, Channel: slackfake.Channel, APIURL: srv.URL + "/api/"},
	} {
		t.Run(name, func(t *testing.T) {
			err := newSender(t, cfg, nil).Send(t.Context(), testMessage(t))
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Answer != "bad_gateway" || !strings.Contains(apiErr.Fix, "re-run the job later") {
				t.Fatalf("err = %v, want bad_gateway and advice to re-run", err)
			}
		})
	}
}

// TestSecretsNeverInErrors drives every path that could quote the webhook
// URL or the token: transport errors (net/http quotes the URL), Slack's
// refusals, and configuration errors.
func TestSecretsNeverInErrors(t *testing.T) {
	const secretPart = "s3cr3tWebhookPartXYZ"
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	fake := slackfake.New()
	defer fake.Close()

	cases := map[string]Config{
		"webhook refused connection": {WebhookURL: closedURL + "/services/T1/B1/" + secretPart},
		"webhook wrong URL":          {WebhookURL: fake.URL + "/services/T1/B1/" + secretPart},
		"webhook timeout": {WebhookURL: "http://127.0.0.1:1/services/T1/B1/" + secretPart,
			HTTPClient: &http.Client{Timeout: time.Nanosecond}},
		"bot refused connection": {Token: "xoxb-1-2-" + secretPart, Channel: "C1", APIURL: closedURL + "/" + secretPart + "/"},
		"bot wrong token":        {Token: "xoxb-1-2-" + secretPart, Channel: slackfake.Channel, APIURL: fake.APIURL()},
		"bot token in API URL":   {Token: "xoxb-1-2-" + secretPart, Channel: "C1", APIURL: fake.URL + "/xoxb-1-2-" + secretPart + "/"},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			err := newSender(t, cfg, nil).Send(t.Context(), testMessage(t))
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if strings.Contains(err.Error(), secretPart) {
				t.Errorf("error leaks the secret: %v", err)
			}
			var ue *url.Error
			if errors.As(err, &ue) {
				t.Errorf("error chain still holds a *url.Error with the URL: %v", ue.URL)
			}
		})
	}

	configErrors := map[string]Config{
		"bad webhook URL": {WebhookURL: "https://hooks.slack.com/services/T1/B1/" + secretPart + "\x7f"},
		"not a token":     {Token: secretPart, Channel: "C1"},
		"no channel":      {Token: "xoxb-" + secretPart},
		"both":            {WebhookURL: "https://hooks.slack.com/services/T1/B1/" + secretPart, Token: "xoxb-" + secretPart},
	}
	for name, cfg := range configErrors {
		t.Run("config/"+name, func(t *testing.T) {
			_, err := NewSender(cfg)
			if err == nil {
				t.Fatal("NewSender accepted a bad config")
			}
			if strings.Contains(err.Error(), secretPart) {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}

func TestNewSenderNeedsDestination(t *testing.T) {
	if _, err := NewSender(Config{}); err == nil || !strings.Contains(err.Error(), "set a webhook URL, or a bot token and channel") {
		t.Errorf("err = %v", err)
	}
}

func TestRedact(t *testing.T) {
	const hook = "https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnop"
	cfg := Config{WebhookURL: hook, Token: "xoxb-1-2-tok"}
	secrets := cfg.Secrets()
	want := []string{hook, "services/T0001/B0001/abcdefghijklmnop", "abcdefghijklmnop", "xoxb-1-2-tok"}
	if strings.Join(secrets, " ") != strings.Join(want, " ") {
		t.Errorf("Secrets() = %q, want %q", secrets, want)
	}
	tests := []struct{ in, want string }{
		{`Post "` + hook + `": dial tcp: refused`, `Post "[redacted]": dial tcp: refused`},
		{"path /services/T0001/B0001/abcdefghijklmnop only", "path /[redacted] only"},
		{"key abcdefghijklmnop alone", "key [redacted] alone"},
		{"token=xoxb-1-2-tok&channel=C1", "token=[redacted]&channel=C1"},
		{"nothing secret", "nothing secret"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in, secrets...); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Redact("abc", ""); got != "abc" {
		t.Errorf("an empty secret changed the text: %q", got)
	}
}

// Retry-After may be an HTTP date (RFC 9110); Slack sends seconds, but a
// proxy in front of it may not. A date ahead is waited for, not a second.
func TestSendHonoursRetryAfterDate(t *testing.T) {
	for _, name := range transportNames {
		t.Run(name, func(t *testing.T) {
			fake := slackfake.New()
			defer fake.Close()
			fake.RateLimit(1, time.Now().Add(20*time.Second).UTC().Format(http.TimeFormat))
			var s sleeper
			if err := newSender(t, transports(fake)[name], &s).Send(t.Context(), testMessage(t)); err != nil {
				t.Fatal(err)
			}
			// The date has whole seconds, and the clock moved on since.
			if len(s.waits) != 1 || s.waits[0] < 15*time.Second || s.waits[0] > 20*time.Second {
				t.Errorf("waits = %v, want one of about 20s, until the date Slack gave", s.waits)
			}
		})
	}
}

// Every request to Slack (the webhook, chat.postMessage, the history and
// thread reads) says which pricechecker sends it.
func TestSendSendsTheVersionedUserAgent(t *testing.T) {
	for _, name := range transportNames {
		t.Run(name, func(t *testing.T) {
			fake := slackfake.New()
			defer fake.Close()
			fake.SetMessageInterval(0)
			o := publish.Outcome{Status: publish.StatusSuccess, Report: largeReport(), PublicationID: "pub-ua-" + name}
			p := &Publisher{Config: transports(fake)[name], Thread: true, Stderr: new(bytes.Buffer)}
			if _, err := p.Publish(t.Context(), o); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Publish(t.Context(), o); err != nil {
				t.Fatal(err)
			}
			uas := fake.UserAgents()
			if len(uas) < 2 {
				t.Fatalf("%d requests", len(uas))
			}
			for i, ua := range uas {
				if ua != buildinfo.UserAgent() {
					t.Errorf("request %d: User-Agent %q, want %q", i+1, ua, buildinfo.UserAgent())
				}
			}
		})
	}
}
