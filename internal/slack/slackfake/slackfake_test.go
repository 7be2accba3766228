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

func history(t *testing.T, s *Server, form url.Values) map[string]any {
	t.Helper()
	_, body := post(t, s.URL+"/api/conversations.history", "application/x-www-form-urlencoded", form.Encode())
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
	return v
}

// conversations.history pages newest first with an opaque cursor, shows
// metadata only when asked for all of it, and refuses as Slack does.
func TestConversationsHistory(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetMessageInterval(0)
	meta := `{"event_type":"pricechecker_publication","event_payload":{"publication_id":"p1"}}`
	form := url.Values{"token": {Token}, "channel": {Channel}, "text": {"first"}, "metadata": {meta}}
	if status, body := post(t, s.URL+"/api/chat.postMessage", "application/x-www-form-urlencoded", form.Encode()); status != 200 || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("post: %d %s", status, body)
	}
	s.AddChannelMessages(4)

	q := url.Values{"token": {Token}, "channel": {Channel}, "limit": {"3"}}
	v := history(t, s, q)
	msgs, _ := v["messages"].([]any)
	if v["ok"] != true || len(msgs) != 3 || v["has_more"] != true {
		t.Fatalf("page 1 = %v", v)
	}
	if msgs[0].(map[string]any)["text"] != "chatter 4" {
		t.Errorf("page 1 starts with %v, want the newest message", msgs[0])
	}
	q.Set("cursor", v["response_metadata"].(map[string]any)["next_cursor"].(string))
	v = history(t, s, q)
	msgs, _ = v["messages"].([]any)
	if len(msgs) != 2 || v["has_more"] != false {
		t.Fatalf("page 2 = %v", v)
	}
	last := msgs[1].(map[string]any)
	if last["text"] != "first" || last["bot_id"] == nil || last["metadata"] != nil {
		t.Errorf("the app's message = %v, want it without metadata (not asked for)", last)
	}
	q.Set("include_all_metadata", "1")
	v = history(t, s, q)
	msgs, _ = v["messages"].([]any)
	if md, _ := msgs[1].(map[string]any)["metadata"].(map[string]any); md["event_type"] != "pricechecker_publication" {
		t.Errorf("metadata = %v", msgs[1])
	}

	for name, tc := range map[string]struct {
		form url.Values
		want string
	}{
		"bad cursor":    {url.Values{"token": {Token}, "channel": {Channel}, "cursor": {"nope"}}, "invalid_cursor"},
		"other channel": {url.Values{"token": {Token}, "channel": {"C999"}}, "channel_not_found"},
		"no token":      {url.Values{"channel": {Channel}}, "not_authed"},
	} {
		if v := history(t, s, tc.form); v["error"] != tc.want {
			t.Errorf("%s: %v, want %s", name, v, tc.want)
		}
	}
	s.RemoveHistoryScope()
	if v := history(t, s, url.Values{"token": {Token}, "channel": {Channel}}); v["error"] != "missing_scope" || v["needed"] != "channels:history" {
		t.Errorf("without the scope: %v", v)
	}
	bad := url.Values{"token": {Token}, "channel": {Channel}, "text": {"x"}, "metadata": {`{"event_payload":{}}`}}
	if _, body := post(t, s.URL+"/api/chat.postMessage", "application/x-www-form-urlencoded", bad.Encode()); !strings.Contains(body, "invalid_metadata_schema") {
		t.Errorf("metadata without event_type: %s", body)
	}
}

// Tier 3: about 50 calls a minute, then 429 with Retry-After.
func TestConversationsHistoryRateLimit(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetHistoryLimits(2, MaxHistoryLimit)
	q := url.Values{"token": {Token}, "channel": {Channel}}
	for range 2 {
		if v := history(t, s, q); v["ok"] != true {
			t.Fatalf("%v", v)
		}
	}
	resp, err := http.PostForm(s.URL+"/api/conversations.history", q)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("third call: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// A reply names its parent by thread_ts, gets its own ts, and stays out of
// the channel's history; a thread_ts that is no message of the channel is
// refused.
func TestPostMessageInThread(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetMessageInterval(0)
	postForm := func(v url.Values) map[string]any {
		v.Set("token", Token)
		v.Set("channel", Channel)
		_, answer := post(t, s.APIURL()+"chat.postMessage", "application/x-www-form-urlencoded", v.Encode())
		var m map[string]any
		if err := json.Unmarshal([]byte(answer), &m); err != nil {
			t.Fatalf("answer %q: %v", answer, err)
		}
		return m
	}
	parent := postForm(url.Values{"text": {"summary"}})
	ts, _ := parent["ts"].(string)
	if parent["ok"] != true || ts == "" {
		t.Fatalf("parent: %v", parent)
	}
	reply := postForm(url.Values{"text": {"details"}, "thread_ts": {ts}})
	rts, _ := reply["ts"].(string)
	if reply["ok"] != true || rts == "" || rts == ts {
		t.Fatalf("reply: %v", reply)
	}
	if msg, _ := reply["message"].(map[string]any); msg["thread_ts"] != ts {
		t.Errorf("reply message = %v, want thread_ts %s", msg, ts)
	}
	if got := postForm(url.Values{"text": {"x"}, "thread_ts": {"1.000001"}}); got["error"] != "thread_not_found" {
		t.Errorf("unknown thread: %v", got)
	}
	msgs := s.Messages()
	if len(msgs) != 2 || msgs[1].ThreadTS != ts || msgs[1].TS != rts {
		t.Errorf("received = %+v", msgs)
	}
	// The history holds the parent only.
	_, answer := post(t, s.APIURL()+"conversations.history", "application/x-www-form-urlencoded",
		url.Values{"token": {Token}, "channel": {Channel}}.Encode())
	if strings.Contains(answer, "details") || !strings.Contains(answer, "summary") {
		t.Errorf("history = %s", answer)
	}
}

// conversations.replies answers as Slack does: the parent first on every
// page, then the replies oldest first, pages of limit with an opaque
// cursor, metadata only when asked for, and Slack's errors.
func TestConversationsReplies(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetMessageInterval(0)
	call := func(method string, v url.Values) map[string]any {
		t.Helper()
		_, answer := post(t, s.APIURL()+method, "application/x-www-form-urlencoded", v.Encode())
		var m map[string]any
		if err := json.Unmarshal([]byte(answer), &m); err != nil {
			t.Fatalf("answer %q: %v", answer, err)
		}
		return m
	}
	parent := call("chat.postMessage", url.Values{"token": {Token}, "channel": {Channel}, "text": {"summary"}})
	ts, _ := parent["ts"].(string)
	meta := `{"event_type":"pricechecker_thread_reply","event_payload":{"publication_id":"p","reply":1}}`
	for _, text := range []string{"one", "two", "three"} {
		if r := call("chat.postMessage", url.Values{"token": {Token}, "channel": {Channel}, "text": {text}, "thread_ts": {ts}, "metadata": {meta}}); r["ok"] != true {
			t.Fatalf("reply: %v", r)
		}
	}
	texts := func(v map[string]any) []string {
		var out []string
		msgs, _ := v["messages"].([]any)
		for _, m := range msgs {
			out = append(out, m.(map[string]any)["text"].(string))
		}
		return out
	}
	q := url.Values{"token": {Token}, "channel": {Channel}, "ts": {ts}, "limit": {"2"}, "include_all_metadata": {"1"}}
	v := call("conversations.replies", q)
	if got := strings.Join(texts(v), ","); v["ok"] != true || got != "summary,one,two" || v["has_more"] != true {
		t.Fatalf("page 1 = %v", v)
	}
	if m := v["messages"].([]any)[1].(map[string]any); m["thread_ts"] != ts || m["metadata"] == nil {
		t.Errorf("a reply = %v, want its thread_ts and metadata", m)
	}
	q.Set("cursor", v["response_metadata"].(map[string]any)["next_cursor"].(string))
	v = call("conversations.replies", q)
	if got := strings.Join(texts(v), ","); got != "summary,three" || v["has_more"] != false {
		t.Fatalf("page 2 = %v", v)
	}
	q.Del("cursor")
	q.Del("include_all_metadata")
	if m := call("conversations.replies", q)["messages"].([]any)[1].(map[string]any); m["metadata"] != nil {
		t.Errorf("metadata without include_all_metadata: %v", m)
	}

	for _, tt := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"channel": {Channel}, "ts": {ts}}, "not_authed"},
		{url.Values{"token": {"xoxb-wrong"}, "channel": {Channel}, "ts": {ts}}, "invalid_auth"},
		{url.Values{"token": {Token}, "channel": {"C999"}, "ts": {ts}}, "channel_not_found"},
		{url.Values{"token": {Token}, "channel": {Channel}}, "invalid_arguments"},
		{url.Values{"token": {Token}, "channel": {Channel}, "ts": {"1.000001"}}, "thread_not_found"},
		{url.Values{"token": {Token}, "channel": {Channel}, "ts": {ts}, "cursor": {"!"}}, "invalid_cursor"},
	} {
		if v := call("conversations.replies", tt.form); v["ok"] != false || v["error"] != tt.want {
			t.Errorf("%v: %v, want %s", tt.form, v, tt.want)
		}
	}
	s.RemoveHistoryScope()
	if v := call("conversations.replies", url.Values{"token": {Token}, "channel": {Channel}, "ts": {ts}}); v["error"] != "missing_scope" {
		t.Errorf("without the scope: %v", v)
	}
}

// FailPost fails the n-th chat.postMessage only.
func TestFailPost(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetMessageInterval(0)
	s.FailPost(2, "internal_error")
	var got []string
	for range 3 {
		_, answer := post(t, s.APIURL()+"chat.postMessage", "application/x-www-form-urlencoded",
			url.Values{"token": {Token}, "channel": {Channel}, "text": {"x"}}.Encode())
		got = append(got, answer)
	}
	if !strings.Contains(got[0], `"ok":true`) || !strings.Contains(got[1], `"error":"internal_error"`) || !strings.Contains(got[2], `"ok":true`) {
		t.Errorf("answers = %q", got)
	}
	if uas := s.UserAgents(); len(uas) != 3 || uas[0] == "" {
		t.Errorf("user agents = %q", uas)
	}
}
