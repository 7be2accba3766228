// Package webhookfake is an httptest receiver of pricechecker's webhook
// deliveries that behaves as a careful receiver does: it checks the
// signature over the exact body (when it has a secret), answers 401 to a
// bad one, drops a delivery id it has already accepted (answering 200, as
// the documentation tells receivers to), and can be told to fail.
package webhookfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Delivery is one accepted delivery.
type Delivery struct {
	ID        string          `json:"id"`
	Signature string          `json:"signature,omitempty"`
	Body      json.RawMessage `json:"body"`
	// UserAgent is the delivery's User-Agent header.
	UserAgent string `json:"user_agent,omitempty"`
}

// Fault is how the next requests are answered instead of accepted.
type Fault struct {
	Status     int
	RetryAfter string
	Times      int
}

// Server is the fake receiver.
type Server struct {
	URL    string
	srv    *httptest.Server
	secret string

	mu         sync.Mutex
	deliveries []Delivery
	seen       map[string]bool
	requests   int
	duplicates int
	faults     []Fault
}

// New starts a receiver; with a secret it requires signed deliveries.
func New(secret string) *Server {
	s := &Server{secret: secret, seen: map[string]bool{}}
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL + "/hooks/pricechecker"
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Fail answers the next f.Times requests with f.Status (and Retry-After).
func (s *Server) Fail(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// Deliveries are the accepted deliveries, without duplicates.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// Requests counts every request, refused ones and duplicates included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Duplicates counts the deliveries dropped as already seen.
func (s *Server) Duplicates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.duplicates
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/hooks/pricechecker":
		http.Error(w, "not found", http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if len(s.faults) > 0 {
		f := &s.faults[0]
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		http.Error(w, http.StatusText(f.Status), f.Status)
		if f.Times--; f.Times <= 0 {
			s.faults = s.faults[1:]
		}
		return
	}
	sig := r.Header.Get("X-Pricechecker-Signature-256")
	if s.secret != "" {
		mac := hmac.New(sha256.New, []byte(s.secret))
		mac.Write(body)
		if !hmac.Equal([]byte(sig), []byte("sha256="+hex.EncodeToString(mac.Sum(nil)))) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
	}
	if r.Header.Get("Content-Type") != "application/json" || !json.Valid(body) {
		http.Error(w, "want a JSON body", http.StatusBadRequest)
		return
	}
	id := r.Header.Get("X-Pricechecker-Delivery")
	if id == "" {
		http.Error(w, "no delivery id", http.StatusBadRequest)
		return
	}
	if s.seen[id] {
		s.duplicates++
		w.WriteHeader(http.StatusOK)
		return
	}
	s.seen[id] = true
	s.deliveries = append(s.deliveries, Delivery{ID: id, Signature: sig, Body: body, UserAgent: r.Header.Get("User-Agent")})
	w.WriteHeader(http.StatusNoContent)
}
