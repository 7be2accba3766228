// Package slackfake is a fake Slack for tests: an httptest server that
// answers an incoming webhook and chat.postMessage the way Slack does,
// including its error answers, its 429 with Retry-After, its pace of about
// one message per second per channel, and the Block Kit limits it enforces. It records every message it accepts.
//
// It is a separate package so that the CLI's and the workflow's tests can
// point pricechecker at it too. It binds to 127.0.0.1 only.
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
)

// The credentials the fake accepts. Anything else is refused as Slack would.
const (
	Token       = "xoxb-fake-token-for-tests" // not shaped like a real token, so secret scanners stay quiet
	Channel     = "C0123456789"
	WebhookPath = "/services/T00000000/B00000000/fakeFAKEfakeFAKEfake0000"
)

// Received is a message the fake accepted.
type Received struct {
	// Via is "webhook" or "chat.postMessage".
	Via string
	// Channel is empty for webhooks, which are bound to their channel.
	Channel string
	Text    string
	Blocks  json.RawMessage
	// Body is the raw request body: JSON for a webhook, a form for
	// chat.postMessage.
	Body []byte
}

// Server is the fake. Create it with New and Close it when done.
type Server struct {
	// URL is the server's base URL (http://127.0.0.1:port).
	URL string
	srv *httptest.Server

	mu         sync.Mutex
	received   []Received
	requests   int
	rateLimits int
	retryAfter string
	fail       *string
	// interval is the pace Slack keeps per channel: a message that follows
	// the channel's last one sooner is answered 429 with Retry-After.
	interval time.Duration
	lastSent map[string]time.Time
}

// New starts a fake Slack.
func New() *Server {
	s := &Server{interval: time.Second, lastSent: map[string]time.Time{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/services/", s.webhook)
	mux.HandleFunc("/api/chat.postMessage", s.postMessage)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// WebhookURL is the incoming webhook the fake accepts.
func (s *Server) WebhookURL() string { return s.URL + WebhookPath }

// APIURL is the Web API base to give slack-go's OptionAPIURL; it ends in "/"
// as slack-go requires.
func (s *Server) APIURL() string { return s.URL + "/api/" }

// RateLimit makes the next n requests answer 429 with the given Retry-After
// header (seconds; empty sends no header).
func (s *Server) RateLimit(n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimits, s.retryAfter = n, retryAfter
}

// SetMessageInterval changes the pace the fake enforces per channel (Slack
// allows about one message per second; 0 turns the check off).
func (s *Server) SetMessageInterval(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interval = d
}

// paced reports whether a message to channel comes too soon after the last
// one accepted there, and how many seconds to wait if so. A message that is
// not too soon reserves the channel's slot.
func (s *Server) paced(channel string) (wait string, tooSoon bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if last, ok := s.lastSent[channel]; ok && s.interval > 0 {
		if left := s.interval - now.Sub(last); left > 0 {
			return strconv.Itoa(int((left + time.Second - 1) / time.Second)), true
		}
	}
	s.lastSent[channel] = now
	return "", false
}

// FailWith makes every following request fail with Slack's error code
// answer, such as "no_service" or "channel_not_found". The webhook answers
// it as text with the status Slack uses; chat.postMessage as
// {"ok":false,"error":answer}. An empty answer makes chat.postMessage reply
// {"ok":false} with no error code, which Slack has been seen to do.
func (s *Server) FailWith(answer string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = &answer
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Requests returns how many requests arrived, refused ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// begin counts a request and says whether it must be rate-limited or
// failed.
func (s *Server) begin() (limited bool, retryAfter string, fail *string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if s.rateLimits > 0 {
		s.rateLimits--
		return true, s.retryAfter, nil
	}
	return false, "", s.fail
}

func (s *Server) record(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, r)
}

// webhookStatus is the HTTP status Slack pairs with a webhook error code.
func webhookStatus(answer string) int {
	switch answer {
	case "no_service", "channel_not_found", "user_not_found", "no_team":
		return http.StatusNotFound
	case "invalid_token", "action_prohibited", "posting_to_general_channel_denied", "team_disabled":
		return http.StatusForbidden
	case "channel_is_archived":
		return http.StatusGone
	}
	return http.StatusBadRequest
}

func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	text := func(status int, body string) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
	limited, retryAfter, fail := s.begin()
	switch {
	case r.Method != http.MethodPost:
		text(http.StatusMethodNotAllowed, "invalid_method")
		return
	case r.URL.Path != WebhookPath:
		text(http.StatusNotFound, "no_service")
		return
	case limited:
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		text(http.StatusTooManyRequests, "rate_limited")
		return
	case fail != nil:
		text(webhookStatus(*fail), *fail)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		text(http.StatusBadRequest, "invalid_payload")
		return
	}
	var payload struct {
		Text        string          `json:"text"`
		Blocks      json.RawMessage `json:"blocks"`
		Attachments json.RawMessage `json:"attachments"`
	}
	if err := json.Unmarshal(body, &payload); err != nil {
		text(http.StatusBadRequest, "invalid_payload")
		return
	}
	if payload.Text == "" && isEmpty(payload.Blocks) && isEmpty(payload.Attachments) {
		text(http.StatusBadRequest, "no_text")
		return
	}
	if err := Validate(payload.Text, payload.Blocks); err != nil {
		text(http.StatusBadRequest, err.Code)
		return
	}
	if wait, tooSoon := s.paced(WebhookPath); tooSoon {
		w.Header().Set("Retry-After", wait)
		text(http.StatusTooManyRequests, "rate_limited")
		return
	}
	s.record(Received{Via: "webhook", Text: payload.Text, Blocks: payload.Blocks, Body: body})
	text(http.StatusOK, "ok")
}

func isEmpty(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null" || s == "[]"
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	reply := func(status int, v map[string]any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	refuse := func(answer string) {
		if answer == "" {
			reply(http.StatusOK, map[string]any{"ok": false})
			return
		}
		reply(http.StatusOK, map[string]any{"ok": false, "error": answer})
	}
	limited, retryAfter, fail := s.begin()
	if r.Method != http.MethodPost {
		refuse("invalid_request")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		refuse("invalid_form_data")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		// slack-go sends chat.postMessage as a form; a JSON body here
		// means the client changed and the fake should learn JSON.
		refuse("invalid_form_data")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		refuse("invalid_form_data")
		return
	}
	token := form.Get("token")
	if token == "" {
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	switch {
	case token == "":
		refuse("not_authed")
		return
	case token != Token:
		refuse("invalid_auth")
		return
	case limited:
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		reply(http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
		return
	case fail != nil:
		refuse(*fail)
		return
	case form.Get("channel") != Channel:
		refuse("channel_not_found")
		return
	}
	text, blocks := form.Get("text"), json.RawMessage(form.Get("blocks"))
	if text == "" && isEmpty(blocks) && form.Get("attachments") == "" {
		refuse("no_text")
		return
	}
	if len(blocks) > 0 && !json.Valid(blocks) {
		refuse("invalid_blocks_format")
		return
	}
	if err := Validate(text, blocks); err != nil {
		reply(http.StatusOK, map[string]any{"ok": false, "error": err.Code, "errors": []string{err.Detail}})
		return
	}
	if wait, tooSoon := s.paced(Channel); tooSoon {
		w.Header().Set("Retry-After", wait)
		reply(http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
		return
	}
	s.record(Received{Via: "chat.postMessage", Channel: Channel, Text: text, Blocks: blocks, Body: body})
	reply(http.StatusOK, map[string]any{
		"ok": true, "channel": Channel, "ts": "1700000000." + fmt.Sprintf("%06d", s.Requests()),
		"message": map[string]any{"type": "message", "text": text},
	})
}

// Error is a message Slack would refuse: Code is Slack's answer
// ("invalid_blocks", "msg_too_long", …) and Detail which rule was broken.
type Error struct {
	Code   string
	Detail string
}

func (e *Error) Error() string { return e.Code + ": " + e.Detail }

// Slack's Block Kit limits, counted as Slack counts: in UTF-16 units.
const (
	MaxBlocks       = 50
	MaxSectionText  = 3000
	MaxHeaderText   = 150
	MaxFields       = 10
	MaxFieldText    = 2000
	MaxContextElems = 10
	MaxActionsElems = 25
	MaxButtonText   = 75
	MaxURL          = 3000
	MaxBlockID      = 255
	MaxTotalText    = 40000
)

// Validate checks a message's text and blocks (a JSON array, may be empty)
// against the limits Slack enforces, returning the error Slack would answer.
func Validate(text string, blocks json.RawMessage) *Error {
	v := validator{total: length(text)}
	if !isEmpty(blocks) {
		var list []map[string]any
		if err := json.Unmarshal(blocks, &list); err != nil {
			return &Error{"invalid_blocks_format", "blocks is not an array of objects: " + err.Error()}
		}
		if len(list) > MaxBlocks {
			return &Error{"invalid_blocks", fmt.Sprintf("%d blocks, more than %d", len(list), MaxBlocks)}
		}
		v.ids = map[string]bool{}
		for i, b := range list {
			if err := v.block(b); err != nil {
				err.Detail = "block " + strconv.Itoa(i) + ": " + err.Detail
				return err
			}
		}
	}
	if v.total > MaxTotalText {
		return &Error{"msg_too_long", fmt.Sprintf("%d characters of text, more than %d", v.total, MaxTotalText)}
	}
	return nil
}

type validator struct {
	total int
	ids   map[string]bool
}

func length(s string) int { return len(utf16.Encode([]rune(s))) }

func invalid(format string, args ...any) *Error {
	return &Error{"invalid_blocks", fmt.Sprintf(format, args...)}
}

// textObject checks a text object: its type, and 1 to max characters.
func (v *validator) textObject(raw any, what string, max int, plainOnly bool) *Error {
	obj, ok := raw.(map[string]any)
	if !ok {
		return invalid("%s must be a text object", what)
	}
	typ, _ := obj["type"].(string)
	if typ != "plain_text" && (typ != "mrkdwn" || plainOnly) {
		return invalid("%s has text type %q", what, typ)
	}
	s, ok := obj["text"].(string)
	if !ok || s == "" {
		return invalid("%s text must not be empty", what)
	}
	n := length(s)
	if n > max {
		return invalid("%s text is %d characters, more than %d", what, n, max)
	}
	v.total += n
	return nil
}

func (v *validator) id(raw any, what string) *Error {
	if raw == nil {
		return nil
	}
	s, ok := raw.(string)
	if !ok || s == "" || length(s) > MaxBlockID {
		return invalid("%s must be 1 to %d characters", what, MaxBlockID)
	}
	if v.ids[what+s] {
		return invalid("duplicate %s %q", what, s)
	}
	v.ids[what+s] = true
	return nil
}

func (v *validator) block(b map[string]any) *Error {
	if err := v.id(b["block_id"], "block_id"); err != nil {
		return err
	}
	typ, _ := b["type"].(string)
	switch typ {
	case "header":
		return v.textObject(b["text"], "header", MaxHeaderText, true)
	case "section":
		text, hasText := b["text"]
		fields, _ := b["fields"].([]any)
		if !hasText && len(fields) == 0 {
			return invalid("section needs text or fields")
		}
		if hasText {
			if err := v.textObject(text, "section", MaxSectionText, false); err != nil {
				return err
			}
		}
		if len(fields) > MaxFields {
			return invalid("section has %d fields, more than %d", len(fields), MaxFields)
		}
		for _, f := range fields {
			if err := v.textObject(f, "field", MaxFieldText, false); err != nil {
				return err
			}
		}
	case "context":
		elems, _ := b["elements"].([]any)
		if len(elems) == 0 || len(elems) > MaxContextElems {
			return invalid("context has %d elements, not 1 to %d", len(elems), MaxContextElems)
		}
		for _, e := range elems {
			if m, ok := e.(map[string]any); ok && m["type"] == "image" {
				continue
			}
			if err := v.textObject(e, "context element", MaxSectionText, false); err != nil {
				return err
			}
		}
	case "actions":
		elems, _ := b["elements"].([]any)
		if len(elems) == 0 || len(elems) > MaxActionsElems {
			return invalid("actions has %d elements, not 1 to %d", len(elems), MaxActionsElems)
		}
		for _, e := range elems {
			m, _ := e.(map[string]any)
			if m["type"] != "button" {
				continue // the fake only knows buttons in detail
			}
			if err := v.id(m["action_id"], "action_id"); err != nil {
				return err
			}
			if err := v.textObject(m["text"], "button", MaxButtonText, true); err != nil {
				return err
			}
			if u, ok := m["url"].(string); ok && (u == "" || length(u) > MaxURL) {
				return invalid("button url must be 1 to %d characters", MaxURL)
			}
		}
	case "divider", "image", "rich_text", "markdown", "table", "video", "file", "input":
	default:
		return invalid("unknown block type %q", typ)
	}
	return nil
}
