// Package bulkfake is an httptest stand-in for the AWS Price List Bulk API.
// It serves a mirror directory with the real layout and behaves like the
// real service where clients tend to go wrong: plain 404s for unknown keys,
// Content-Length on every file, and injectable faults (429 and 503 bursts
// with Retry-After, bodies cut off mid-stream, slow transfers).
package bulkfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Fault is a misbehaviour applied to requests whose path has a prefix.
type Fault struct {
	// Status answers the next Times requests with this status (429, 500,
	// 503, ...). RetryAfter, if set, is sent as the Retry-After header.
	Status     int
	Times      int
	RetryAfter string
	// TruncateAt, if positive, sends only that many bytes of the file while
	// announcing its full length, as a dropped connection does.
	TruncateAt int64
}

// Server is a running fake.
type Server struct {
	*httptest.Server
	dir string

	mu       sync.Mutex
	faults   map[string]*Fault
	requests []string
}

// New serves dir (a folder holding offers/v1.0/aws/...) until Close.
func New(dir string) *Server {
	s := &Server{dir: dir, faults: map[string]*Fault{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetFault installs a fault for paths starting with prefix, replacing any
// previous one for that prefix.
func (s *Server) SetFault(prefix string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[prefix] = &f
}

// Reset removes every fault.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// Requests returns the paths requested so far, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *Server) fault(p string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, p)
	for prefix, f := range s.faults {
		if !strings.HasPrefix(p, prefix) {
			continue
		}
		if f.Status != 0 {
			if f.Times <= 0 {
				continue
			}
			f.Times--
		}
		return *f, true
	}
	return Fault{}, false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean(r.URL.Path)
	f, faulty := s.fault(p)
	if faulty && f.Status != 0 {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message></Error>", strings.ReplaceAll(http.StatusText(f.Status), " ", ""), http.StatusText(f.Status))
		return
	}
	name := filepath.Join(s.dir, filepath.FromSlash(strings.TrimPrefix(p, "/")))
	data, err := os.ReadFile(name)
	if err != nil {
		// The real service answers an S3-style XML 404 for unknown keys.
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>")
		return
	}
	switch path.Ext(p) {
	case ".json":
		w.Header().Set("Content-Type", "application/json")
	case ".csv":
		w.Header().Set("Content-Type", "text/csv")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method == http.MethodHead {
		return
	}
	if faulty && f.TruncateAt > 0 && f.TruncateAt < int64(len(data)) {
		w.Write(data[:f.TruncateAt])
		// Abort the connection so the client sees a short body, as it
		// would when a download drops.
		panic(http.ErrAbortHandler)
	}
	w.Write(data)
}
