package faultsuite

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/source/bulk/bulkfake"
)

// Fault is what the Bulk API does to requests whose path starts with a
// rule's prefix. The fields combine: a status storm answers before any
// body; otherwise the file (or Body) is sent as the body fields say.
type Fault struct {
	// Times is how many matching requests get the fault; 0 means every
	// one (an endless storm). Later requests pass through untouched.
	Times int

	// Status answers with this status (429, 500, 503, ...) and an S3-style
	// XML error body, before any byte of the file.
	Status int
	// RetryAfter is sent as Retry-After with Status, as is ("1", or an
	// HTTP-date); RetryAfterIn sends an HTTP-date this far in the future,
	// computed when the request arrives.
	RetryAfter   string
	RetryAfterIn time.Duration

	// ResetBeforeHeaders drops the connection (TCP RST) before answering.
	ResetBeforeHeaders bool

	// Body replaces the file's bytes (junk bodies); BodyFunc streams a
	// body of BodySize bytes (-1: unknown) without holding it in memory.
	Body     []byte
	BodyFunc func(w io.Writer) error
	BodySize int64

	// Gzip compresses the body (Content-Encoding: gzip) when the client
	// sent Accept-Encoding: gzip; CutAt then counts compressed bytes.
	Gzip bool
	// Chunked sends Transfer-Encoding: chunked with no Content-Length.
	Chunked bool
	// NoLength sends neither Content-Length nor chunking: the body ends
	// when the connection closes (HTTP/1.0 style).
	NoLength bool
	// Length, if positive, is announced as Content-Length instead of the
	// body's real length (a wrong Content-Length).
	Length int64
	// CutAt, if positive, sends only that many body bytes, then closes the
	// connection (with a RST when Reset is set, else a FIN). A chunked
	// body is then missing its last chunk.
	CutAt int64
	Reset bool
	// StallAfter bytes, the server goes silent for Stall (or until the
	// server closes), then carries on.
	StallAfter int64
	Stall      time.Duration
}

// Bulk is a Bulk API for one test: bulkfake serving the repository's
// mirror (S3-style 404s, Content-Length on every file), behind a
// middleware that applies Fault rules by path prefix. Faults the fake has
// no hook for (resets, gzip, chunked and wrong-length bodies, stalls) are
// written on the raw connection here, not added to the fake.
type Bulk struct {
	URL string
	// Fake is the bulkfake behind the middleware. Its own faults (SetFault:
	// cuts in every framing, stalls, servers that ignore Range; and
	// SetMissingStatus) keep the ETag, Content-Length and Range handling
	// of the real service; a case that uses them points the binary at
	// Fake.URL directly (Fixture.Direct) so that its framing reaches the
	// client as is.
	Fake *bulkfake.Server

	srv  *httptest.Server
	done chan struct{}

	mu    sync.Mutex
	rules []*rule
	hits  map[string]int
}

type rule struct {
	prefix string
	fault  Fault
	used   int
}

// NewBulk starts a Bulk API that stops with the test.
func NewBulk(t testing.TB) *Bulk {
	fake := bulkfake.New(mirrorDir)
	target, _ := url.Parse(fake.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	b := &Bulk{Fake: fake, done: make(chan struct{}), hits: map[string]int{}}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := b.match(r.URL.Path)
		if !ok {
			proxy.ServeHTTP(w, r)
			return
		}
		b.serveFault(t, w, r, f)
	}))
	b.URL = b.srv.URL
	t.Cleanup(func() {
		close(b.done)
		b.srv.Close()
		fake.Close()
	})
	return b
}

// Direct points the binary straight at the fake (no middleware): for
// faults installed with Fake.SetFault. Count requests with Fake.Requests.
func (f *Fixture) Direct() {
	f.Env = append(f.Env, "PRICECHECKER_ENDPOINT="+f.Bulk.Fake.URL)
}

// requestsOf counts the fake's requests for path p.
func requestsOf(b *Bulk, p string) int {
	n := 0
	for _, r := range b.Fake.Requests() {
		if r == p {
			n++
		}
	}
	return n
}

// Rule installs a fault for paths starting with prefix (checked in the
// order rules were added).
func (b *Bulk) Rule(prefix string, f Fault) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rules = append(b.rules, &rule{prefix: prefix, fault: f})
}

// Clear removes every rule.
func (b *Bulk) Clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rules = nil
}

// Hits returns how many requests matched rules with this prefix, faulty
// or passed through.
func (b *Bulk) Hits(prefix string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.hits[prefix]
}

func (b *Bulk) match(p string) (Fault, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p = path.Clean(p)
	for _, r := range b.rules {
		if !strings.HasPrefix(p, r.prefix) {
			continue
		}
		b.hits[r.prefix]++
		if r.fault.Times > 0 && r.used >= r.fault.Times {
			continue
		}
		r.used++
		return r.fault, true
	}
	return Fault{}, false
}

func (b *Bulk) serveFault(t testing.TB, w http.ResponseWriter, r *http.Request, f Fault) {
	if f.ResetBeforeHeaders {
		conn, _ := hijack(t, w)
		resetClose(conn)
		return
	}
	if f.Status != 0 {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.RetryAfterIn > 0 {
			w.Header().Set("Retry-After", time.Now().Add(f.RetryAfterIn).UTC().Format(http.TimeFormat))
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(f.Status)
		code := strings.ReplaceAll(http.StatusText(f.Status), " ", "")
		fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message></Error>", code, http.StatusText(f.Status))
		return
	}

	// The body: junk, or the mirror's file, maybe compressed.
	var body io.Reader
	size := int64(-1)
	switch {
	case f.BodyFunc != nil:
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(f.BodyFunc(pw)) }()
		defer pr.Close()
		body, size = pr, f.BodySize
	case f.Body != nil:
		body, size = bytes.NewReader(f.Body), int64(len(f.Body))
	default:
		data, err := os.ReadFile(filepath.Join(mirrorDir, filepath.FromSlash(strings.TrimPrefix(path.Clean(r.URL.Path), "/"))))
		if err != nil {
			http.Error(w, "fault rule on a path the mirror lacks: "+err.Error(), http.StatusInternalServerError)
			return
		}
		body, size = bytes.NewReader(data), int64(len(data))
	}
	gz := f.Gzip && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
	if gz {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := io.Copy(zw, body); err != nil {
			t.Errorf("gzip: %v", err)
		}
		zw.Close()
		body, size = bytes.NewReader(buf.Bytes()), int64(buf.Len())
	}

	// Written on the raw connection, so that any framing, however wrong,
	// reaches the client as is.
	conn, bw := hijack(t, w)
	defer func() {
		bw.Flush()
		if f.Reset {
			resetClose(conn)
		} else {
			conn.Close()
		}
	}()
	fmt.Fprintf(bw, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nConnection: close\r\n", contentType(r.URL.Path))
	if gz {
		bw.WriteString("Content-Encoding: gzip\r\n")
	}
	switch {
	case f.Chunked:
		bw.WriteString("Transfer-Encoding: chunked\r\n")
	case f.NoLength:
	case f.Length > 0:
		fmt.Fprintf(bw, "Content-Length: %d\r\n", f.Length)
	case size >= 0:
		fmt.Fprintf(bw, "Content-Length: %d\r\n", size)
	}
	bw.WriteString("\r\n")
	if r.Method == http.MethodHead {
		return
	}
	if f.CutAt > 0 {
		body = io.LimitReader(body, f.CutAt)
	}
	var out io.Writer = bw
	if f.Chunked {
		cw := httputil.NewChunkedWriter(bw)
		out = cw
		if f.CutAt <= 0 {
			defer func() { cw.Close(); bw.WriteString("\r\n") }()
		}
	}
	if f.StallAfter > 0 && f.Stall > 0 {
		if _, err := io.CopyN(out, body, f.StallAfter); err != nil {
			return
		}
		bw.Flush()
		select {
		case <-time.After(f.Stall):
		case <-b.done:
			return
		}
	}
	_, _ = io.Copy(out, body)
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".json":
		return "application/json"
	case ".csv":
		return "text/csv"
	}
	return "application/octet-stream"
}

func hijack(t testing.TB, w http.ResponseWriter) (net.Conn, *bufio.Writer) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		panic(http.ErrAbortHandler)
	}
	return conn, rw.Writer
}

// resetClose closes with a TCP RST rather than a FIN, as a dropped
// connection or a middlebox does.
func resetClose(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}
