// Package bulkfake is an httptest stand-in for the AWS Price List Bulk API.
// It serves a mirror directory with the real layout and behaves like the
// real service (S3 behind CloudFront) where clients tend to go wrong:
// S3-style XML errors for unknown keys (404 NoSuchKey, or 403 AccessDenied
// as S3 answers when listing is not allowed), Content-Length and an ETag
// (the hex MD5 of the body, as S3 sends for single-part objects) on every
// file, Range requests with If-Match, and injectable faults (429 and 503
// bursts with Retry-After, bodies cut off mid-stream in every framing,
// stalled transfers, servers that ignore Range).
package bulkfake

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Cut is how a body cut off by Fault.CutAt ends.
type Cut int

const (
	// CutAbort announces the full Content-Length and drops the connection
	// after CutAt bytes, as a dropped download does.
	CutAbort Cut = iota
	// CutChunked sends the body chunked (no Content-Length) and drops the
	// connection after CutAt bytes, before the terminating chunk.
	CutChunked
	// CutClose sends no Content-Length and no chunking, and closes the
	// connection cleanly after CutAt bytes: an HTTP/1.0-style body whose
	// end is the connection's end, so the client sees a clean EOF.
	CutClose
	// CutShortLength announces Content-Length: CutAt and sends exactly
	// that: a consistent but short response, as a broken cache serves.
	CutShortLength
	// CutReset announces the full Content-Length and resets the TCP
	// connection (RST) after CutAt bytes: "connection reset by peer".
	CutReset
)

// Fault is a misbehaviour applied to requests whose path has a prefix.
type Fault struct {
	// Status answers the next Times requests with this status (429, 500,
	// 503, ...). RetryAfter, if set, is sent as the Retry-After header.
	Status     int
	Times      int
	RetryAfter string
	// TruncateAt, if positive, sends only the bytes of the file before
	// that offset while announcing its full length, and drops the
	// connection (CutAbort at TruncateAt).
	TruncateAt int64
	// CutAt, if positive, cuts the body at that offset of the file, the
	// way Cut says. Offsets are of the file, so a Range request from
	// beyond the cut gets no byte.
	CutAt int64
	Cut   Cut
	// StallAt, if positive, sends the bytes before that offset, then
	// nothing until the client goes away.
	StallAt int64
	// IgnoreRange answers Range requests with the whole file and 200, as
	// a server without range support does.
	IgnoreRange bool
	// MultipartETag sends an ETag of the form S3 gives multipart uploads
	// ("<hex>-<parts>"), which is not the MD5 of the body.
	MultipartETag bool
	// NoETag sends no ETag at all.
	NoETag bool
	// Gzip compresses the body when the client accepts gzip, as
	// CloudFront may: Content-Encoding: gzip, a weak ETag, and cuts at
	// offsets of the compressed bytes.
	Gzip bool
}

// body reports whether the fault misbehaves in the body rather than
// answering with a status.
func (f Fault) body() bool { return f.Status == 0 }

// Server is a running fake.
type Server struct {
	*httptest.Server
	dir string

	mu            sync.Mutex
	faults        map[string]*Fault
	requests      []string
	ranges        []string
	missingStatus int
	done          chan struct{}
	closeOnce     sync.Once
}

// New serves dir (a folder holding offers/v1.0/aws/...) until Close.
func New(dir string) *Server {
	s := &Server{dir: dir, faults: map[string]*Fault{}, missingStatus: http.StatusNotFound, done: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetMissingStatus chooses how a missing key is answered: 404 NoSuchKey
// (the default) or 403 AccessDenied, which S3 and CloudFront send for a
// missing key when the caller may not list the bucket.
func (s *Server) SetMissingStatus(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.missingStatus = status
}

// SetFault installs a fault for paths starting with prefix, replacing any
// previous one for that prefix. A status fault applies to the next Times
// requests; a body fault to the next Times requests, or to every request
// when Times is zero.
func (s *Server) SetFault(prefix string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.TruncateAt > 0 && f.CutAt == 0 {
		f.CutAt, f.Cut = f.TruncateAt, CutAbort
	}
	if f.body() && f.Times == 0 {
		f.Times = -1 // every request
	}
	s.faults[prefix] = &f
}

// Reset removes every fault and answers 404 for missing keys again.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
	s.missingStatus = http.StatusNotFound
}

// Requests returns the paths requested so far, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Ranges returns the Range headers of the requests that had one, in
// order ("bytes=N-").
func (s *Server) Ranges() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ranges...)
}

func (s *Server) fault(r *http.Request, p string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, p)
	if rg := r.Header.Get("Range"); rg != "" {
		s.ranges = append(s.ranges, rg)
	}
	for prefix, f := range s.faults {
		if !strings.HasPrefix(p, prefix) || f.Times == 0 {
			continue
		}
		if f.Times > 0 {
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
	f, _ := s.fault(r, p)
	if f.Status != 0 {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		xmlError(w, f.Status, strings.ReplaceAll(http.StatusText(f.Status), " ", ""), http.StatusText(f.Status))
		return
	}
	name := filepath.Join(s.dir, filepath.FromSlash(strings.TrimPrefix(p, "/")))
	data, err := os.ReadFile(name)
	if err != nil {
		s.mu.Lock()
		status := s.missingStatus
		s.mu.Unlock()
		if status == http.StatusForbidden {
			xmlError(w, status, "AccessDenied", "Access Denied")
		} else {
			xmlError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		}
		return
	}
	sum := md5.Sum(data)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	if f.MultipartETag {
		etag = `"` + hex.EncodeToString(sum[:]) + `-3"`
	}
	h := w.Header()
	if f.Gzip && r.Header.Get("Range") == "" && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		data, etag = buf.Bytes(), "W/"+etag
		h.Set("Content-Encoding", "gzip")
	}
	switch path.Ext(p) {
	case ".json":
		h.Set("Content-Type", "application/json")
	case ".csv":
		h.Set("Content-Type", "text/csv")
	}
	if !f.NoETag {
		h.Set("ETag", etag)
	}
	h.Set("Accept-Ranges", "bytes")

	// Range and If-Match as S3 answers them: If-Match first (412 when the
	// object changed), then the range (416 when it starts past the end).
	start, status := int64(0), http.StatusOK
	if rg := r.Header.Get("Range"); rg != "" && !f.IgnoreRange {
		if im := r.Header.Get("If-Match"); im != "" && im != etag {
			xmlError(w, http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
			return
		}
		n, ok := parseRange(rg)
		if !ok || n >= int64(len(data)) {
			h.Set("Content-Range", fmt.Sprintf("bytes */%d", len(data)))
			xmlError(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
			return
		}
		start, status = n, http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", n, len(data)-1, len(data)))
	}
	body := data[start:]
	// end is where the body stops short, as an offset of the file.
	end := int64(len(data))
	if f.CutAt > 0 && f.CutAt < end {
		end = f.CutAt
	}
	if f.StallAt > 0 && f.StallAt < end {
		end = f.StallAt
	}
	short := data[start:max(end, start)]

	switch {
	case f.CutAt > 0 && f.Cut == CutClose:
		s.raw(w, status, short, false, "Connection: close")
		return
	case f.CutAt > 0 && f.Cut == CutReset:
		s.raw(w, status, short, true, "Content-Length: "+strconv.Itoa(len(body)))
		return
	case f.CutAt > 0 && f.Cut == CutShortLength && r.Method == http.MethodGet:
		h.Set("Content-Length", strconv.Itoa(len(short)))
		w.WriteHeader(status)
		w.Write(short)
		return
	case f.CutAt > 0 && f.Cut == CutChunked:
		// No Content-Length: net/http sends the body chunked.
	default:
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	w.Write(short)
	if len(short) == len(body) {
		return
	}
	if f.StallAt > 0 && end == f.StallAt {
		// Headers and the first bytes reach the client, then silence
		// until it gives up (or the test server closes).
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	}
	// Abort the connection so the client sees a short body, as it would
	// when a download drops.
	w.(http.Flusher).Flush()
	panic(http.ErrAbortHandler)
}

// Close ends stalled responses, then shuts the server down.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
	s.Server.Close()
}

// raw writes the response on the socket itself, for what net/http will
// not send: a body whose end is the connection's clean close (no
// Content-Length, no chunking), or a TCP reset after part of the body.
func (s *Server) raw(w http.ResponseWriter, status int, body []byte, reset bool, header string) {
	conn, rw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	bw := rw.Writer
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	w.Header().Write(bw)
	fmt.Fprintf(bw, "%s\r\n\r\n", header)
	bw.Write(body)
	bw.Flush()
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		tc.SetLinger(0) // Close then sends RST instead of FIN
	}
}

// parseRange reads "bytes=N-", the only form the client sends.
func parseRange(v string) (int64, bool) {
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return 0, false
	}
	from, to, ok := strings.Cut(spec, "-")
	if !ok || to != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(from, 10, 64)
	return n, err == nil && n >= 0
}

// xmlError answers as S3 does: an XML <Error> with a code and message.
func xmlError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Del("ETag")
	w.Header().Del("Accept-Ranges")
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message></Error>", code, msg)
}
