package bulk

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pricechecker/pricechecker/internal/backoff"
	"github.com/pricechecker/pricechecker/internal/buildinfo"
)

// File is an open stream of one Bulk API file. Its reads check the body
// against every size signal the server gave, so that a short body is never
// a clean io.EOF:
//   - Content-Length: a body that ends before it is a TruncatedError;
//   - the ETag, which S3 and CloudFront set to the hex MD5 of a single-part
//     object: the MD5 of what arrived must match it at the end, which
//     catches a short Content-Length or a connection closed cleanly at a
//     row boundary (an IntegrityError);
//   - Content-Range when a download is resumed.
//
// A body that stalls (no byte for Client.IdleTimeout) or drops is resumed
// with a Range request from the offset reached, pinned to the ETag with
// If-Match, so the reader sees one continuous stream; each resumption is an
// attempt of Client.MaxAttempts.
type File struct {
	URL string
	// Size is the length of the whole file as the server announced it, or
	// -1.
	Size int64
	// ETag is the server's entity tag, quotes included, or "".
	ETag string

	c                  *Client // nil for a mirror file
	ctx                context.Context
	forbiddenIsMissing bool
	body               io.ReadCloser
	cancel             context.CancelFunc // ends the current request
	dog                *watchdog          // nil without an idle timeout
	off                int64              // bytes delivered so far
	sum                hash.Hash          // MD5 of them, when the ETag is one
	wantSum            string
	noResume           string // why the body cannot be resumed, or ""
	attempts           int
	notify             func(string) // progress lines; nil when unwatched
	err                error        // sticky: once failed, always failed
}

// Read reads the next bytes of the file, resuming a stalled or dropped
// download. At the end it returns io.EOF only when the whole file arrived.
func (f *File) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	for {
		n, err := f.readBody(p)
		if n > 0 {
			f.off += int64(n)
			if f.sum != nil {
				f.sum.Write(p[:n])
			}
		}
		if err == nil {
			return n, nil
		}
		if err == io.EOF {
			if f.Size < 0 || f.off >= f.Size {
				if n > 0 {
					return n, nil // the body answers io.EOF again
				}
				f.err = f.verify()
				return 0, f.err
			}
			// net/http reports a body shorter than its Content-Length
			// itself; this guards other transports and mirrors.
			err = io.ErrUnexpectedEOF
		}
		if rerr := f.resume(err); rerr != nil {
			f.err = rerr
			if n > 0 {
				return n, nil
			}
			return 0, rerr
		}
		if n > 0 {
			return n, nil
		}
	}
}

// Close ends the download.
func (f *File) Close() error {
	if f.cancel != nil {
		defer f.cancel()
	}
	if f.body == nil {
		return nil
	}
	return f.body.Close()
}

// readBody reads from the current response, under the watchdog.
func (f *File) readBody(p []byte) (int, error) {
	if f.dog == nil {
		return f.body.Read(p)
	}
	f.dog.arm(f.cancel)
	n, err := f.body.Read(p)
	if f.dog.disarm() && err != nil {
		err = &StallError{URL: f.URL, Idle: f.dog.idle, Read: f.off + int64(n), Size: f.Size}
	}
	return n, err
}

// verify checks the whole body against what the server announced.
func (f *File) verify() error {
	if f.Size >= 0 && f.off != f.Size {
		return fmt.Errorf("read %s: %d bytes arrived, the server announced %d", f.URL, f.off, f.Size)
	}
	if f.sum != nil {
		if got := hex.EncodeToString(f.sum.Sum(nil)); got != f.wantSum {
			return &IntegrityError{URL: f.URL, Read: f.off, ETag: f.ETag, MD5: got}
		}
	}
	return io.EOF
}

// resume continues a body that failed mid-way with a Range request, or
// says why it cannot.
func (f *File) resume(cause error) error {
	if f.c == nil {
		return cause // a mirror file: nothing to resume from
	}
	f.body.Close()
	f.cancel()
	if err := f.ctx.Err(); err != nil {
		return fmt.Errorf("read %s: %w", f.URL, err)
	}
	attempts := f.c.policy().Attempts()
	if f.noResume != "" || f.attempts >= attempts {
		why := fmt.Sprintf("%d attempts", f.attempts)
		if f.noResume != "" {
			why = "cannot resume: " + f.noResume
		}
		var stall *StallError
		if errors.As(cause, &stall) {
			stall.Why = why
			return stall
		}
		return &TruncatedError{URL: f.URL, Read: f.off, Size: f.Size, Why: why, Cause: cause}
	}
	what := "the connection dropped"
	if errors.As(cause, new(*StallError)) {
		what = fmt.Sprintf("stalled: no data for %s", f.c.IdleTimeout)
	}
	f.event(fmt.Sprintf("%s at %s; resuming (attempt %d of %d)", what, mb(f.off), f.attempts+1, attempts))
	if err := f.c.policy().Wait(f.ctx, f.attempts, 0); err != nil {
		return fmt.Errorf("read %s: %w", f.URL, err)
	}
	if err := f.connect(f.off); err != nil {
		return fmt.Errorf("the download broke off after %d bytes (%v) and could not be resumed: %w", f.off, cause, err)
	}
	return nil
}

// connect requests the file from byte off, retrying what is transient
// until the file's attempts are used up.
func (f *File) connect(off int64) error {
	n, err := f.c.policy().DoFrom(f.ctx, f.attempts, func(backoff.Attempt) (backoff.Verdict, error) {
		return f.request(off)
	})
	f.attempts = n
	if we, ok := err.(*backoff.WaitError); ok {
		return we.Err // the run is ending; the request's error says what failed
	}
	return err
}

// request makes one GET from byte off and judges its failure: final, or
// worth retrying (after as long as the server asked, if it did).
func (f *File) request(off int64) (v backoff.Verdict, err error) {
	ctx, cancel := context.WithCancel(f.ctx)
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return backoff.Verdict{}, fmt.Errorf("GET %s: %w", f.URL, err)
	}
	req.Header.Set("User-Agent", buildinfo.UserAgent())
	if off > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", off))
		req.Header.Set("If-Match", f.ETag)
	}
	resp, err := f.c.http.Do(req)
	if err != nil {
		if f.ctx.Err() != nil {
			return backoff.Verdict{}, fmt.Errorf("GET %s: %w", f.URL, f.ctx.Err())
		}
		return backoff.Verdict{Retry: true}, fmt.Errorf("GET %s: %w", f.URL, err)
	}
	switch {
	case off == 0 && resp.StatusCode == http.StatusOK:
		f.start(resp)
	case off > 0 && resp.StatusCode == http.StatusPartialContent:
		if err := f.checkResumed(resp, off); err != nil {
			resp.Body.Close()
			return backoff.Verdict{}, err
		}
	case off > 0 && resp.StatusCode == http.StatusOK:
		resp.Body.Close()
		return backoff.Verdict{}, fmt.Errorf("GET %s from byte %d: the server sent the whole file (200) instead of the rest (206); not splicing two responses: run again", f.URL, off)
	case off > 0 && resp.StatusCode == http.StatusPreconditionFailed:
		resp.Body.Close()
		return backoff.Verdict{}, fmt.Errorf("GET %s from byte %d: the file changed on the server during the download (it no longer has ETag %s): run again to read the new file", f.URL, off, f.ETag)
	default:
		return f.failed(resp, off)
	}
	f.body, f.cancel = resp.Body, cancel
	return backoff.Verdict{}, nil
}

// start takes the first response: its size, its ETag and whether the body
// can be checked and resumed.
func (f *File) start(resp *http.Response) {
	f.Size = resp.ContentLength
	f.ETag = resp.Header.Get("ETag")
	// A body net/http decompressed has neither the length nor the MD5 the
	// headers describe, and offsets into it are not the object's: gzip's
	// own trailer (CRC and length) is then what catches a cut.
	identity := !resp.Uncompressed && resp.Header.Get("Content-Encoding") == ""
	if !identity {
		f.Size = -1
	}
	if identity && singlePartETag.MatchString(f.ETag) {
		f.sum, f.wantSum = md5.New(), strings.ToLower(strings.Trim(f.ETag, `"`))
	}
	switch {
	case !identity:
		f.noResume = "the server compressed the body, so offsets are not the file's"
	case f.ETag == "" || strings.HasPrefix(f.ETag, "W/"):
		f.noResume = "the server sent no ETag to pin the rest of the file to"
	}
}

// checkResumed makes sure a 206 is the rest of the same file.
func (f *File) checkResumed(resp *http.Response, off int64) error {
	if etag := resp.Header.Get("ETag"); etag != "" && etag != f.ETag {
		return fmt.Errorf("GET %s from byte %d: the file changed on the server during the download (ETag %s, was %s): run again to read the new file", f.URL, off, etag, f.ETag)
	}
	var first, last, total int64
	cr := resp.Header.Get("Content-Range")
	if _, err := fmt.Sscanf(cr, "bytes %d-%d/%d", &first, &last, &total); err != nil || first != off || (f.Size >= 0 && total != f.Size) || last != total-1 {
		return fmt.Errorf("GET %s from byte %d: the server sent Content-Range %q, not the rest of the %d-byte file; not splicing: run again", f.URL, off, cr, f.Size)
	}
	return nil
}

// failed turns a non-2xx answer into an error, keeping a little of the
// body: S3 and CloudFront explain themselves there.
func (f *File) failed(resp *http.Response, off int64) (backoff.Verdict, error) {
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close()
	err := &HTTPError{URL: f.URL, StatusCode: resp.StatusCode, Body: strings.TrimSpace(string(snippet))}
	switch {
	case off == 0 && resp.StatusCode == http.StatusNotFound,
		off == 0 && resp.StatusCode == http.StatusForbidden && f.forbiddenIsMissing:
		// The Bulk API is public: a 403 there is S3's answer for a key
		// that does not exist when listing is not allowed.
		return backoff.Verdict{}, fmt.Errorf("%w: %w", ErrNotFound, err)
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		after, _ := backoff.RetryAfter(resp.Header, time.Now())
		return backoff.Verdict{Retry: true, After: after}, err
	default:
		return backoff.Verdict{}, err
	}
}

// event prints a progress line about the download, when someone watches.
func (f *File) event(msg string) {
	if f.notify != nil {
		f.notify(msg)
	}
}

// stallWarning runs on the watchdog's timer, while Read waits.
func (f *File) stallWarning(quiet time.Duration) {
	f.event(fmt.Sprintf("no data for %s at %s; the download is stalled", quiet, mb(f.off)))
}

// singlePartETag is S3's ETag of an object uploaded in one part: the hex
// MD5 of its bytes. Multipart uploads have "<hex>-<parts>", which is not.
var singlePartETag = regexp.MustCompile(`^"[0-9a-fA-F]{32}"$`)

// TruncatedError is a body that ended before the whole file arrived and
// could not be resumed.
type TruncatedError struct {
	URL        string
	Read, Size int64
	Why        string
	Cause      error
}

func (e *TruncatedError) Error() string {
	of := ""
	if e.Size >= 0 {
		of = " of " + strconv.FormatInt(e.Size, 10)
	}
	return fmt.Sprintf("the download was cut off after %d%s bytes (%s); run again: %v", e.Read, of, e.Why, e.Cause)
}

// Unwrap lets decoders and callers see io.ErrUnexpectedEOF.
func (e *TruncatedError) Unwrap() []error { return []error{io.ErrUnexpectedEOF, e.Cause} }

// StallError is a download that sent nothing for the idle timeout and
// could not be resumed.
type StallError struct {
	URL        string
	Idle       time.Duration
	Read, Size int64
	Why        string
}

func (e *StallError) Error() string {
	of := ""
	if e.Size >= 0 {
		of = " of " + strconv.FormatInt(e.Size, 10)
	}
	msg := fmt.Sprintf("the download stalled: no data for %s after %d%s bytes", e.Idle, e.Read, of)
	if e.Why != "" {
		msg += " (" + e.Why + "); run again"
	}
	return msg
}

// Unwrap makes a stall a timeout for errors.Is.
func (e *StallError) Unwrap() error { return os.ErrDeadlineExceeded }

// IntegrityError is a body whose MD5 is not the one its ETag names: a
// Content-Length shorter than the file, a connection closed cleanly at a
// row boundary, or bytes altered on the way.
type IntegrityError struct {
	URL       string
	Read      int64
	ETag, MD5 string
}

func (e *IntegrityError) Error() string {
	return fmt.Sprintf("the download is not the file AWS published: the MD5 of its %d bytes is %s, the ETag says %s (cut short or altered on the way); run again", e.Read, e.MD5, e.ETag)
}

// Unwrap: a body that is not the whole file is a short read to decoders.
func (e *IntegrityError) Unwrap() error { return io.ErrUnexpectedEOF }

// watchdog cancels the current request when a body read waits longer than
// idle, and warns halfway. It runs only while Read waits on the network,
// so a slow consumer is never taken for a stalled server.
type watchdog struct {
	idle time.Duration
	warn func(quiet time.Duration)

	mu      sync.Mutex
	timer   *time.Timer
	armed   bool
	since   time.Time
	warned  bool
	stalled bool
	cancel  context.CancelFunc
}

func (w *watchdog) arm(cancel context.CancelFunc) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed, w.warned, w.stalled, w.since, w.cancel = true, false, false, time.Now(), cancel
	if w.timer == nil {
		w.timer = time.AfterFunc(w.idle/2, w.tick)
	} else {
		w.timer.Reset(w.idle / 2)
	}
}

// disarm stops the watch and reports whether it cancelled the request.
// Once it returns, no warning is being written.
func (w *watchdog) disarm() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer.Stop()
	w.armed = false
	return w.stalled
}

func (w *watchdog) tick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.armed {
		return
	}
	quiet := time.Since(w.since)
	switch {
	case quiet >= w.idle:
		if !w.warned && w.warn != nil {
			// A busy machine ran the halfway tick late: still say it.
			w.warn(w.idle / 2)
		}
		w.stalled = true
		w.cancel()
	case quiet >= w.idle/2 && !w.warned:
		w.warned = true
		if w.warn != nil {
			w.warn(w.idle / 2)
		}
		w.timer.Reset(w.idle - quiet)
	default:
		// A tick of an earlier arm that raced its disarm; this arm's
		// own tick is scheduled.
	}
}
