// Package slackfake is a fake Slack for tests: an httptest server that
// answers an incoming webhook, chat.postMessage, conversations.history and
// conversations.replies the way Slack does, including its error answers, its 429 with
// Retry-After, its pace of about one message per second per channel, the
// Block Kit limits it enforces, message metadata, and the history's cursor
// pagination, scope and rate limit (Tier 3, about 50 calls a minute). It
// records every message it accepts, and keeps them in the channel's
// history (a reply in its thread), and the User-Agent of every request.
//
// It is a separate package so that the CLI's and the workflow's tests can
// point pricechecker at it too. It binds to 127.0.0.1 only.
package slackfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
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
	// Metadata is the message metadata chat.postMessage was given
	// ({"event_type":…,"event_payload":{…}}), nil without.
	Metadata json.RawMessage
	// TS is the message's timestamp, its id in the channel.
	TS string
	// ThreadTS is the ts of the message this one replies to, in its
	// thread; "" for a message of the channel itself.
	ThreadTS string
}

// message is one message of the channel's history.
type message struct {
	ts       string
	threadTS string // a reply's parent
	seq      int
	user     string // a person's message
	botID    string // an app's message
	text     string
	blocks   json.RawMessage
	metadata json.RawMessage
}

// History limits: conversations.history returns 100 messages by default
// and at most 999 a page, and allows about 50 calls a minute (Tier 3).
// Slack recommends pages of no more than 200.
const (
	DefaultHistoryLimit   = 100
	MaxHistoryLimit       = 999
	DefaultHistoryPerMin  = 50
	historyScope          = "channels:history"
	botID                 = "B0FAKEBOT01"
	humanUser             = "U0FAKEUSER1"
	metadataMaxEventType  = 255
	metadataMaxPayloadLen = 8000
)

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

	// The channel's history, oldest first, and the history API's limits.
	history        []message
	seq            int
	noHistoryScope bool
	notMember      bool
	historyPerMin  int
	historyMax     int
	historyCalls   []time.Time
	now            func() time.Time
	historyFails   int
	historyPages   int

	// threads are the replies of each thread, by the parent's ts, oldest
	// first.
	threads map[string][]message
	// failPostAt makes the failPostAt-th chat.postMessage from when it
	// was set answer failPost, once.
	failPostAt int
	failPost   string
	userAgents []string
}

// New starts a fake Slack.
func New() *Server {
	s := &Server{interval: time.Second, lastSent: map[string]time.Time{},
		historyPerMin: DefaultHistoryPerMin, historyMax: MaxHistoryLimit, now: time.Now,
		threads: map[string][]message{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/services/", s.webhook)
	mux.HandleFunc("/api/chat.postMessage", s.postMessage)
	mux.HandleFunc("/api/conversations.history", s.conversationsHistory)
	mux.HandleFunc("/api/conversations.replies", s.conversationsReplies)
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

// RateLimit makes the next n requests (of any method) answer 429 with the given Retry-After
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

// StopFailing undoes FailWith: Slack is back.
func (s *Server) StopFailing() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = nil
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// UserAgents returns the User-Agent header of every request so far, in
// order, refused ones included.
func (s *Server) UserAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.userAgents...)
}

// FailPost makes the n-th chat.postMessage from now (1 is the next one)
// answer {"ok":false,"error":answer}, once: a thread whose reply n fails.
func (s *Server) FailPost(n int, answer string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failPostAt, s.failPost = n, answer
}

// Requests returns how many requests arrived, refused ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// begin counts a request and says whether it must be rate-limited or
// failed.
func (s *Server) begin(r *http.Request) (limited bool, retryAfter string, fail *string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.userAgents = append(s.userAgents, r.Header.Get("User-Agent"))
	if s.rateLimits > 0 {
		s.rateLimits--
		return true, s.retryAfter, nil
	}
	return false, "", s.fail
}

// record accepts a message: it is received and joins the channel's
// history, posted by the app. It returns the message's ts. A reply in a
// thread gets its own ts but stays out of the channel's history, as
// conversations.history returns only the messages of the channel itself.
func (s *Server) record(r Received) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.ThreadTS != "" {
		s.seq++
		r.TS = fmt.Sprintf("%d.%06d", time.Now().Unix(), s.seq%1_000_000)
		s.received = append(s.received, r)
		s.threads[r.ThreadTS] = append(s.threads[r.ThreadTS], message{ts: r.TS, threadTS: r.ThreadTS, seq: s.seq,
			botID: botID, text: r.Text, blocks: r.Blocks, metadata: r.Metadata})
		return r.TS
	}
	m := s.addLocked(message{botID: botID, text: r.Text, blocks: r.Blocks, metadata: r.Metadata})
	r.TS = m.ts
	s.received = append(s.received, r)
	return m.ts
}

// threadExists reports whether ts is a message of the channel's history, the
// only messages a reply can start a thread under.
func (s *Server) threadExists(ts string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.history {
		if m.ts == ts {
			return true
		}
	}
	return false
}

func (s *Server) addLocked(m message) message {
	s.seq++
	m.seq = s.seq
	// Real timestamps: callers bound history reads by time.
	m.ts = fmt.Sprintf("%d.%06d", time.Now().Unix(), s.seq%1_000_000)
	s.history = append(s.history, m)
	return m
}

// AddChannelMessages adds n messages from a person to the channel's
// history, as a busy channel has between the app's messages.
func (s *Server) AddChannelMessages(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range n {
		s.addLocked(message{user: humanUser, text: fmt.Sprintf("chatter %d", i+1)})
	}
}

// RemoveHistoryScope makes conversations.history answer missing_scope, as
// for an app installed with chat:write only.
func (s *Server) RemoveHistoryScope() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noHistoryScope = true
}

// SetClock sets the clock of the history's rate limit (default
// time.Now), so that a test can let a minute pass.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// RemoveFromChannel makes conversations.history answer not_in_channel
// while chat.postMessage still posts, as for a bot with chat:write.public
// that never joined the channel.
func (s *Server) RemoveFromChannel() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notMember = true
}

// SetHistoryLimits sets how many conversations.history calls a minute are
// answered before 429 (Slack's Tier 3: DefaultHistoryPerMin) and the
// largest page (MaxHistoryLimit; Slack cut both, to 1 a minute and 15 a
// page, for commercially distributed apps outside the Marketplace).
func (s *Server) SetHistoryLimits(perMinute, maxLimit int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.historyPerMin, s.historyMax = perMinute, maxLimit
	s.historyCalls = nil
}

// FailHistory makes the next n conversations.history calls answer
// {"ok":false,"error":"internal_error"}.
func (s *Server) FailHistory(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.historyFails = n
}

// HistoryPages returns how many conversations.history pages were served.
func (s *Server) HistoryPages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.historyPages
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
	limited, retryAfter, fail := s.begin(r)
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
	limited, retryAfter, fail := s.begin(r)
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
	if answer, failed := s.failThisPost(); failed {
		refuse(answer)
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
	var metadata json.RawMessage
	if raw := form.Get("metadata"); raw != "" {
		if code := validateMetadata(raw); code != "" {
			refuse(code)
			return
		}
		metadata = json.RawMessage(raw)
	}
	// A reply names its parent by thread_ts; Slack refuses one that is not
	// a message of the channel.
	threadTS := form.Get("thread_ts")
	if threadTS != "" && !s.threadExists(threadTS) {
		refuse("thread_not_found")
		return
	}
	if wait, tooSoon := s.paced(Channel); tooSoon {
		w.Header().Set("Retry-After", wait)
		reply(http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
		return
	}
	ts := s.record(Received{Via: "chat.postMessage", Channel: Channel, Text: text, Blocks: blocks, Body: body, Metadata: metadata, ThreadTS: threadTS})
	msg := map[string]any{"type": "message", "text": text, "bot_id": botID, "ts": ts}
	if threadTS != "" {
		msg["thread_ts"] = threadTS
	}
	reply(http.StatusOK, map[string]any{"ok": true, "channel": Channel, "ts": ts, "message": msg})
}

// failThisPost counts a chat.postMessage for FailPost and says whether it
// is the one to fail.
func (s *Server) failThisPost() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failPostAt <= 0 {
		return "", false
	}
	s.failPostAt--
	if s.failPostAt > 0 {
		return "", false
	}
	return s.failPost, true
}

// validateMetadata checks message metadata as chat.postMessage does: a
// JSON object with an event_type and an event_payload object. It returns
// Slack's error code, "" when the metadata is accepted.
func validateMetadata(raw string) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return "invalid_metadata_format"
	}
	var eventType string
	if json.Unmarshal(m["event_type"], &eventType) != nil || eventType == "" || len(eventType) > metadataMaxEventType {
		return "invalid_metadata_schema"
	}
	var payload map[string]any
	if json.Unmarshal(m["event_payload"], &payload) != nil || payload == nil {
		return "invalid_metadata_schema"
	}
	if len(raw) > metadataMaxPayloadLen {
		return "metadata_too_large"
	}
	return ""
}

// historyCursor encodes a page's position the way Slack's opaque cursors
// look (base64 of "next_ts:…").
func historyCursor(seq int) string {
	return base64.StdEncoding.EncodeToString([]byte("next_seq:" + strconv.Itoa(seq)))
}

func parseCursor(c string) (int, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "next_seq:"))
	return n, err == nil && strings.HasPrefix(string(b), "next_seq:")
}

// readCall does what every conversations.* read method does first, as Slack
// does: a form-encoded POST (or GET with a query), the token in the form or
// an Authorization header, then the rate limit and any injected failure.
// It answers the request itself when ok is false; otherwise it returns the
// form and the two ways to answer.
func (s *Server) readCall(w http.ResponseWriter, r *http.Request) (form url.Values, reply func(int, map[string]any), refuse func(string, ...any), ok bool) {
	reply = func(status int, v map[string]any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	refuse = func(answer string, extra ...any) {
		v := map[string]any{"ok": false, "error": answer}
		for i := 0; i+1 < len(extra); i += 2 {
			v[extra[i].(string)] = extra[i+1]
		}
		reply(http.StatusOK, v)
	}
	limited, retryAfter, fail := s.begin(r)
	if r.Method == http.MethodPost {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			refuse("invalid_form_data")
			return nil, nil, nil, false
		}
	}
	if err := r.ParseForm(); err != nil {
		refuse("invalid_form_data")
		return nil, nil, nil, false
	}
	form = r.Form
	token := form.Get("token")
	if token == "" {
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	switch {
	case token == "":
		refuse("not_authed")
	case token != Token:
		refuse("invalid_auth")
	case limited:
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		reply(http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
	case fail != nil:
		refuse(*fail)
	default:
		return form, reply, refuse, true
	}
	return nil, nil, nil, false
}

// wire is a message as conversations.history and .replies return it; its
// metadata only when the call asked for include_all_metadata.
func (m message) wire(withMetadata bool) map[string]any {
	v := map[string]any{"type": "message", "ts": m.ts, "text": m.text}
	if m.user != "" {
		v["user"] = m.user
	}
	if m.botID != "" {
		v["bot_id"], v["subtype"] = m.botID, "bot_message"
	}
	if len(m.blocks) > 0 {
		v["blocks"] = m.blocks
	}
	if withMetadata && len(m.metadata) > 0 {
		v["metadata"] = m.metadata
	}
	return v
}

// conversationsHistory answers conversations.history as Slack does: a
// form-encoded POST (or GET with a query), the token in the form or an
// Authorization header, the channel's messages newest first, limit (100 by
// default, at most 999) per page, oldest/latest bounds (exclusive unless
// inclusive=1), the next page's cursor in response_metadata.next_cursor,
// and metadata only with include_all_metadata=1.
func (s *Server) conversationsHistory(w http.ResponseWriter, r *http.Request) {
	form, reply, refuse, ok := s.readCall(w, r)
	if !ok {
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	kept := s.historyCalls[:0]
	for _, t := range s.historyCalls {
		if now.Sub(t) < time.Minute {
			kept = append(kept, t)
		}
	}
	s.historyCalls = kept
	switch {
	case s.historyPerMin > 0 && len(kept) >= s.historyPerMin:
		wait := time.Minute - now.Sub(kept[0])
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		reply(http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
		return
	case s.noHistoryScope:
		refuse("missing_scope", "needed", historyScope, "provided", "chat:write")
		return
	case s.notMember && form.Get("channel") == Channel:
		refuse("not_in_channel")
		return
	case s.historyFails > 0:
		s.historyFails--
		refuse("internal_error")
		return
	case form.Get("channel") == "":
		refuse("channel_not_found")
		return
	case form.Get("channel") != Channel:
		refuse("channel_not_found")
		return
	}
	s.historyCalls = append(s.historyCalls, now)

	limit := DefaultHistoryLimit
	if l := form.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			refuse("invalid_limit")
			return
		}
		if n > 0 {
			limit = n
		}
	}
	limit = min(limit, s.historyMax)
	inclusive := form.Get("inclusive") == "1" || form.Get("inclusive") == "true"
	withMetadata := form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true"
	oldest, latest := tsValue(form.Get("oldest"), 0), tsValue(form.Get("latest"), math.Inf(1))
	start := len(s.history) - 1 // newest first
	if c := form.Get("cursor"); c != "" {
		seq, ok := parseCursor(c)
		if !ok {
			refuse("invalid_cursor")
			return
		}
		start = -1
		for i := len(s.history) - 1; i >= 0; i-- {
			if s.history[i].seq <= seq {
				start = i
				break
			}
		}
	}
	var page []map[string]any
	next := ""
	for i := start; i >= 0; i-- {
		m := s.history[i]
		ts := tsValue(m.ts, 0)
		if ts > latest || (ts == latest && !inclusive) {
			continue
		}
		if ts < oldest || (ts == oldest && !inclusive) {
			break
		}
		if len(page) == limit {
			next = historyCursor(m.seq)
			break
		}
		page = append(page, m.wire(withMetadata))
	}
	s.historyPages++
	v := map[string]any{"ok": true, "messages": page, "has_more": next != "", "pin_count": 0}
	if page == nil {
		v["messages"] = []any{}
	}
	if next != "" {
		v["response_metadata"] = map[string]any{"next_cursor": next}
	}
	reply(http.StatusOK, v)
}

// Replies limits: conversations.replies returns up to 1000 messages a page
// (Slack's default and maximum), and is Tier 3 like the history.
const (
	DefaultRepliesLimit = 1000
	MaxRepliesLimit     = 1000
)

// conversationsReplies answers conversations.replies as Slack does: a
// form-encoded POST (or GET with a query), the token in the form or an
// Authorization header, channel and ts required; the thread's parent
// first on every page, then its replies oldest first, limit per page (1000
// at most), the next page's cursor in response_metadata.next_cursor, and
// metadata only with include_all_metadata=1. A ts that is no message of the
// channel answers thread_not_found.
func (s *Server) conversationsReplies(w http.ResponseWriter, r *http.Request) {
	form, reply, refuse, ok := s.readCall(w, r)
	if !ok {
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.noHistoryScope:
		refuse("missing_scope", "needed", historyScope, "provided", "chat:write")
		return
	case s.notMember && form.Get("channel") == Channel:
		refuse("not_in_channel")
		return
	case form.Get("channel") != Channel:
		refuse("channel_not_found")
		return
	case form.Get("ts") == "":
		refuse("invalid_arguments")
		return
	}
	ts := form.Get("ts")
	var parent *message
	for i := range s.history {
		if s.history[i].ts == ts {
			parent = &s.history[i]
		}
	}
	if parent == nil {
		refuse("thread_not_found")
		return
	}
	limit := DefaultRepliesLimit
	if l := form.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			refuse("invalid_limit")
			return
		}
		if n > 0 {
			limit = n
		}
	}
	limit = min(limit, MaxRepliesLimit)
	withMetadata := form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true"
	replies := s.threads[ts]
	start := 0
	if c := form.Get("cursor"); c != "" {
		seq, ok := parseCursor(c)
		if !ok {
			refuse("invalid_cursor")
			return
		}
		start = len(replies)
		for i, m := range replies {
			if m.seq >= seq {
				start = i
				break
			}
		}
	}
	out := func(m message) map[string]any { return m.wire(withMetadata) }
	head := out(*parent)
	if len(replies) > 0 {
		head["thread_ts"] = parent.ts
		head["reply_count"] = len(replies)
		head["latest_reply"] = replies[len(replies)-1].ts
	}
	page := []map[string]any{head}
	next := ""
	for i := start; i < len(replies); i++ {
		if len(page)-1 == limit {
			next = historyCursor(replies[i].seq)
			break
		}
		m := out(replies[i])
		m["thread_ts"], m["parent_user_id"] = parent.ts, parent.user
		page = append(page, m)
	}
	v := map[string]any{"ok": true, "messages": page, "has_more": next != ""}
	if next != "" {
		v["response_metadata"] = map[string]any{"next_cursor": next}
	}
	reply(http.StatusOK, v)
}

// tsValue reads a Slack timestamp ("1700000000.000123"); def when empty.
func tsValue(s string, def float64) float64 {
	if s == "" {
		return def
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return def
	}
	return f
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
