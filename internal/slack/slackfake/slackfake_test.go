package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func section(n int) string {
	return fmt.Sprintf(`{"type":"section","text":{"type":"mrkdwn","text":%q}}`, strings.Repeat("x", n))
}

func blocks(parts ...string) json.RawMessage {
	return json.RawMessage("[" + strings.Join(parts, ",") + "]")
}

func TestValidate(t *testing.T) {
	many := make([]string, 51)
	for i := range many {
		many[i] = section(1)
	}
	var fields []string
	for range 11 {
		fields = append(fields, `{"type":"mrkdwn","text":"f"}`)
	}
	var big []string
	for range 14 {
		big = append(big, section(3000))
	}
	tests := []struct {
		name   string
		text   string
		blocks json.RawMessage
		want   string
	}{
		{"text only", "hi", nil, ""},
		{"section at limit", "", blocks(section(3000)), ""},
		{"section over limit", "", blocks(section(3001)), "invalid_blocks"},
		{"section counted in UTF-16", "", blocks(fmt.Sprintf(`{"type":"section","text":{"type":"mrkdwn","text":%q}}`, strings.Repeat("😀", 1501))), "invalid_blocks"},
		{"51 blocks", "", blocks(many...), "invalid_blocks"},
		{"header over 150", "", blocks(fmt.Sprintf(`{"type":"header","text":{"type":"plain_text","text":%q}}`, strings.Repeat("h", 151))), "invalid_blocks"},
		{"header mrkdwn", "", blocks(`{"type":"header","text":{"type":"mrkdwn","text":"h"}}`), "invalid_blocks"},
		{"11 fields", "", blocks(`{"type":"section","fields":[` + strings.Join(fields, ",") + `]}`), "invalid_blocks"},
		{"empty text", "", blocks(section(0)), "invalid_blocks"},
		{"unknown block", "", blocks(`{"type":"nonsense"}`), "invalid_blocks"},
		{"duplicate block_id", "", blocks(`{"type":"divider","block_id":"a"}`, `{"type":"divider","block_id":"a"}`), "invalid_blocks"},
		{"too much text", "", blocks(big...), "msg_too_long"},
		{"not an array", "", json.RawMessage(`{}`), "invalid_blocks_format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.text, tt.blocks)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || err.Code != tt.want):
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}
}

func post(t *testing.T, target, contentType, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(target, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func TestWebhookAnswers(t *testing.T) {
	s := New()
	defer s.Close()
	tests := []struct {
		name, path, body string
		status           int
		answer           string
	}{
		{"ok", WebhookPath, `{"text":"hi"}`, 200, "ok"},
		{"not JSON", WebhookPath, `text=hi`, 400, "invalid_payload"},
		{"no text", WebhookPath, `{"text":""}`, 400, "no_text"},
		{"bad blocks", WebhookPath, `{"text":"x","blocks":[` + section(3001) + `]}`, 400, "invalid_blocks"},
		{"wrong webhook", "/services/T/B/nope", `{"text":"hi"}`, 404, "no_service"},
	}
	for _, tt := range tests {
		status, answer := post(t, s.URL+tt.path, "application/json", tt.body)
		if status != tt.status || answer != tt.answer {
			t.Errorf("%s: %d %q, want %d %q", tt.name, status, answer, tt.status, tt.answer)
		}
	}
	if n := len(s.Messages()); n != 1 {
		t.Errorf("recorded %d messages, want 1", n)
	}
}

func TestPostMessageAnswers(t *testing.T) {
	s := New()
	defer s.Close()
	form := func(token, channel, text string) string {
		return url.Values{"token": {token}, "channel": {channel}, "text": {text}}.Encode()
	}
	tests := []struct {
		name, body, want string
	}{
		{"ok", form(Token, Channel, "hi"), `"ok":true`},
		{"no token", form("", Channel, "hi"), `"error":"not_authed"`},
		{"wrong token", form("xoxb-wrong", Channel, "hi"), `"error":"invalid_auth"`},
		{"wrong channel", form(Token, "C999", "hi"), `"error":"channel_not_found"`},
		{"no text", form(Token, Channel, ""), `"error":"no_text"`},
	}
	for _, tt := range tests {
		status, answer := post(t, s.APIURL()+"chat.postMessage", "application/x-www-form-urlencoded", tt.body)
		if status != 200 || !strings.Contains(answer, tt.want) {
			t.Errorf("%s: %d %s, want 200 with %s", tt.name, status, answer, tt.want)
		}
	}
	s.RateLimit(1, "3")
	resp, err := http.Post(s.APIURL()+"chat.postMessage", "application/x-www-form-urlencoded", strings.NewReader(form(Token, Channel, "hi")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("rate limit: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestPacePerChannel(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetMessageInterval(time.Minute) // a slow machine cannot slip past it
	hook := func() (int, string) {
		t.Helper()
		resp, err := http.Post(s.WebhookURL(), "application/json", strings.NewReader(`{"text":"hi"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	if status, _ := hook(); status != 200 {
		t.Fatalf("first message: %d", status)
	}
	if status, wait := hook(); status != 429 || wait != "60" {
		t.Errorf("second message within the interval: %d Retry-After %q, want 429 and 60", status, wait)
	}
	// The bot channel keeps its own pace.
	form := url.Values{"token": {Token}, "channel": {Channel}, "text": {"hi"}}.Encode()
	if status, answer := post(t, s.APIURL()+"chat.postMessage", "application/x-www-form-urlencoded", form); status != 200 || !strings.Contains(answer, `"ok":true`) {
		t.Errorf("other channel: %d %s", status, answer)
	}
	s.SetMessageInterval(0)
	if status, _ := hook(); status != 200 {
		t.Errorf("pace off: %d", status)
	}
	if n := len(s.Messages()); n != 3 {
		t.Errorf("recorded %d messages, want 3", n)
	}
}
