// Package githubfake is a fake of the GitHub REST API on 127.0.0.1 for
// the endpoints pricechecker uses: repository_dispatch and GitHub App
// installation tokens. It enforces GitHub's documented rules (dispatch
// limits, authentication, JWT claims) and answers with the real error
// bodies, so that tests catch what GitHub would reject. Tests only.
package githubfake

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Dispatch is one repository_dispatch the fake accepted.
type Dispatch struct {
	Owner, Repo string
	EventType   string
	Payload     map[string]any
	Header      http.Header
}

// Response is a scripted answer, served (in order) to dispatches and jobs
// listings that pass authentication, before the fake answers for real.
type Response struct {
	Status  int
	Header  map[string]string
	Message string
	Body    string // when set, sent as is instead of GitHub's error body for Message
	Close   bool   // drop the connection instead of answering (network error)
}

// GitHub is a fake GitHub API on 127.0.0.1.
type GitHub struct {
	Server *httptest.Server
	Repo   string // owner/repo that exists and that the tokens may dispatch to

	// Prefix is "/api/v3" on GitHub Enterprise Server: every path is under it.
	Prefix string

	// RepoID, RunID and Attempts (the latest is the highest) enable the
	// jobs listing of one run; DenyActions makes it answer as for a token
	// without actions: read, EndlessPages links a next page forever, and
	// LinkBase (when set) is the host Link headers point to.
	RepoID       int64
	RunID        int64
	Attempts     map[int64][]Job
	DenyActions  bool
	EndlessPages bool
	LinkBase     string

	// RateLimit, when positive, is the token's primary rate limit for the
	// dispatch and jobs endpoints: every answer carries GitHub's
	// x-ratelimit-* headers, and once it is used up GitHub's 403 answers
	// until RateReset (default: an hour after the first request).
	// SecondaryLimit answers the next requests with GitHub's secondary
	// rate-limit 403 and a retry-after of that many seconds.
	RateLimit      int
	RateReset      time.Time
	SecondaryLimit int

	// AppID, InstallationID and AppKey enable the GitHub App endpoints.
	AppID          string
	InstallationID string
	AppKey         *rsa.PublicKey

	mu          sync.Mutex
	tokens      map[string]bool
	scripted    []Response
	dispatches  []Dispatch
	requests    int
	tokenIssues int
	errors      []string
	seen        []Request
	rateUsed    int
}

// New starts the fake; it stops with the test.
func New(t testing.TB, repo string, tokens ...string) *GitHub {
	g := &GitHub{Repo: repo, tokens: map[string]bool{}}
	for _, tok := range tokens {
		g.tokens[tok] = true
	}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Server.Close)
	return g
}

// URL is the API base URL (GITHUB_API_URL).
func (g *GitHub) URL() string { return g.Server.URL + g.Prefix }

// Seen returns every request the fake received, in order.
func (g *GitHub) Seen() []Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Request(nil), g.seen...)
}

// Script queues answers for the next dispatches.
func (g *GitHub) Script(rs ...Response) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.scripted = append(g.scripted, rs...)
}

// Dispatches returns the accepted dispatches.
func (g *GitHub) Dispatches() []Dispatch {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Dispatch(nil), g.dispatches...)
}

// Requests counts every request to the dispatches endpoint.
func (g *GitHub) Requests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests
}

// TokenIssues counts installation tokens minted.
func (g *GitHub) TokenIssues() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.tokenIssues
}

// Errors lists requests the fake refused because the client broke a rule
// (wrong headers, bad body); a correct client produces none.
func (g *GitHub) Errors() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.errors...)
}

// RevokeTokens makes every token issued so far invalid (a rotation).
func (g *GitHub) RevokeTokens() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tokens = map[string]bool{}
}

// AddToken makes tok valid.
func (g *GitHub) AddToken(tok string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tokens[tok] = true
}

const docBase = "https://docs.github.com/rest"

func writeError(w http.ResponseWriter, status int, msg, doc string, hdr map[string]string) {
	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"message": msg, "documentation_url": doc, "status": strconv.Itoa(status)})
}

var (
	dispatchPath = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/dispatches$`)
	jobsPath     = regexp.MustCompile(`^/(?:repos/([^/]+)/([^/]+)|repositories/(\d+))/actions/runs/(\d+)(?:/attempts/(\d+))?/jobs$`)
	installPath  = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/installation$`)
	tokenPath    = regexp.MustCompile(`^/app/installations/([^/]+)/access_tokens$`)
)

func (g *GitHub) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seen = append(g.seen, Request{Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone()})
	if r.Header.Get("User-Agent") == "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n")
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, g.Prefix)
	if !ok {
		writeError(w, 404, "Not Found", docBase, nil)
		return
	}
	if m := jobsPath.FindStringSubmatch(path); m != nil && r.Method == http.MethodGet {
		if !g.checkToken(w, r, docBase) || g.rateLimited(w, docBase) || g.serveScripted(w, docBase) {
			return
		}
		g.serveJobs(w, r, m)
		return
	}
	if m := tokenPath.FindStringSubmatch(path); m != nil && r.Method == http.MethodPost {
		g.serveAccessToken(w, r, m[1])
		return
	}
	if m := installPath.FindStringSubmatch(path); m != nil && r.Method == http.MethodGet {
		if !g.checkJWT(w, r) {
			return
		}
		if m[1]+"/"+m[2] != g.Repo {
			writeError(w, 404, "Not Found", docBase+"/apps/apps#get-a-repository-installation-for-the-authenticated-app", nil)
			return
		}
		// GitHub sends both ids as numbers.
		id, _ := strconv.ParseInt(g.InstallationID, 10, 64)
		appID, _ := strconv.ParseInt(g.AppID, 10, 64)
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "app_id": appID})
		return
	}
	m := dispatchPath.FindStringSubmatch(path)
	if m == nil || r.Method != http.MethodPost {
		g.errors = append(g.errors, "unexpected "+r.Method+" "+r.URL.Path)
		writeError(w, 404, "Not Found", docBase, nil)
		return
	}
	g.requests++
	doc := docBase + "/repos/repos#create-a-repository-dispatch-event"
	if !g.checkToken(w, r, doc) || g.rateLimited(w, doc) {
		return
	}
	if m[1]+"/"+m[2] != g.Repo {
		// GitHub does not tell a missing repository from one the token
		// cannot see.
		writeError(w, 404, "Not Found", doc, nil)
		return
	}
	if g.serveScripted(w, doc) {
		return
	}
	if got := r.Header.Get("Accept"); got != "application/vnd.github+json" {
		g.errors = append(g.errors, "Accept: "+got)
		writeError(w, 415, "Unsupported 'Accept' header: "+got, doc, nil)
		return
	}
	if got := r.Header.Get("X-GitHub-Api-Version"); got != "2022-11-28" && got != "2026-03-10" {
		g.errors = append(g.errors, "X-GitHub-Api-Version: "+got)
		writeError(w, 400, "Invalid API version: "+got, doc, nil)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		g.errors = append(g.errors, "Content-Type: "+ct)
		writeError(w, 415, "Content-Type must be application/json", doc, nil)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var req struct {
		EventType     *string         `json:"event_type"`
		ClientPayload json.RawMessage `json:"client_payload"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		g.errors = append(g.errors, "body: "+err.Error())
		writeError(w, 400, "Problems parsing JSON", doc, nil)
		return
	}
	if req.EventType == nil || len([]rune(*req.EventType)) < 1 || len([]rune(*req.EventType)) > 100 {
		g.errors = append(g.errors, "event_type")
		writeError(w, 422, "Invalid request.\n\nFor 'properties/event_type', must be 1 to 100 characters.", doc, nil)
		return
	}
	var payload map[string]any
	if len(req.ClientPayload) > 0 {
		if err := json.Unmarshal(req.ClientPayload, &payload); err != nil {
			g.errors = append(g.errors, "client_payload not an object")
			writeError(w, 422, "Invalid request.\n\nFor 'properties/client_payload', is not an object.", doc, nil)
			return
		}
	}
	if len(payload) > 10 {
		g.errors = append(g.errors, "too many properties")
		writeError(w, 422, fmt.Sprintf("No more than 10 properties are allowed; %d were supplied.", len(payload)), doc, nil)
		return
	}
	if len(req.ClientPayload) >= 64*1024 {
		g.errors = append(g.errors, "payload too large")
		writeError(w, 422, "client_payload is too large", doc, nil)
		return
	}
	g.dispatches = append(g.dispatches, Dispatch{Owner: m[1], Repo: m[2], EventType: *req.EventType, Payload: payload, Header: r.Header.Clone()})
	w.WriteHeader(http.StatusNoContent)
}

// checkToken answers 401 as GitHub does unless the request carries a valid
// token.
func (g *GitHub) checkToken(w http.ResponseWriter, r *http.Request, doc string) bool {
	auth := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(auth, " ")
	if auth == "" {
		writeError(w, 401, "Requires authentication", doc, nil)
		return false
	}
	if (scheme != "Bearer" && scheme != "token") || !g.tokens[tok] {
		writeError(w, 401, "Bad credentials", doc, nil)
		return false
	}
	return true
}

// rateLimited counts the request against the rate limits and answers as
// GitHub does when one is reached.
func (g *GitHub) rateLimited(w http.ResponseWriter, doc string) bool {
	if g.SecondaryLimit > 0 {
		writeError(w, http.StatusForbidden, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits",
			map[string]string{"Retry-After": strconv.Itoa(g.SecondaryLimit)})
		return true
	}
	if g.RateLimit <= 0 {
		return false
	}
	if g.RateReset.IsZero() {
		g.RateReset = time.Now().Add(time.Hour)
	}
	g.rateUsed++
	remaining := max(g.RateLimit-g.rateUsed, 0)
	h := w.Header()
	h.Set("X-Ratelimit-Limit", strconv.Itoa(g.RateLimit))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Ratelimit-Used", strconv.Itoa(min(g.rateUsed, g.RateLimit)))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(g.RateReset.Unix(), 10))
	h.Set("X-Ratelimit-Resource", "core")
	if g.rateUsed <= g.RateLimit {
		return false
	}
	writeError(w, http.StatusForbidden, "API rate limit exceeded for installation ID 67890.",
		"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting", nil)
	return true
}

// serveScripted sends the next scripted answer, if any.
func (g *GitHub) serveScripted(w http.ResponseWriter, doc string) bool {
	if len(g.scripted) == 0 {
		return false
	}
	resp := g.scripted[0]
	g.scripted = g.scripted[1:]
	if resp.Close {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
	}
	if resp.Body == "" {
		writeError(w, resp.Status, resp.Message, doc, resp.Header)
		return true
	}
	for k, v := range resp.Header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(resp.Status)
	fmt.Fprint(w, resp.Body)
	return true
}

// checkJWT verifies an App JWT (RS256, iss = AppID, exp within 10 minutes).
func (g *GitHub) checkJWT(w http.ResponseWriter, r *http.Request) bool {
	doc := docBase + "/apps/apps"
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	parts := strings.Split(tok, ".")
	if !ok || len(parts) != 3 || g.AppKey == nil {
		writeError(w, 401, "A JSON web token could not be decoded", doc, nil)
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err != nil || rsa.VerifyPKCS1v15(g.AppKey, crypto.SHA256, sum[:], sig) != nil {
		writeError(w, 401, "A JSON web token could not be decoded", doc, nil)
		return false
	}
	var claims struct {
		Iss any   `json:"iss"`
		Iat int64 `json:"iat"`
		Exp int64 `json:"exp"`
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if json.Unmarshal(raw, &claims) != nil || fmt.Sprint(claims.Iss) != g.AppID || claims.Exp-claims.Iat > 600 {
		writeError(w, 401, "'Expiration time' claim ('exp') is too far in the future", doc, nil)
		return false
	}
	return true
}

func (g *GitHub) serveAccessToken(w http.ResponseWriter, r *http.Request, id string) {
	if !g.checkJWT(w, r) {
		return
	}
	if id != g.InstallationID {
		writeError(w, 404, "Not Found", docBase+"/apps/apps#create-an-installation-access-token-for-an-app", nil)
		return
	}
	g.tokenIssues++
	tok := fmt.Sprintf("ghs_fakeinstallationtoken%04d", g.tokenIssues)
	g.tokens[tok] = true
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token":      tok,
		"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		"permissions": map[string]string{
			"contents": "write",
		},
	})
}
