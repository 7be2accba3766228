package bulk_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/source/bulk/bulkfake"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

const csvPath = "/offers/v1.0/aws/AmazonRedshift/20180309224506/us-east-1/index.csv"

// fileBytes returns a mirror file and the offset just after its n-th
// newline: a row boundary, where a cut leaves a file that parses.
func fileBytes(t *testing.T, p string, n int) ([]byte, int64) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(mirror, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for range n {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			t.Fatalf("%s has fewer than %d lines", p, n)
		}
		off += i + 1
	}
	return data, int64(off)
}

// readAll opens p and reads it to the end, bounded by a context so that a
// hang fails the test instead of stalling the suite.
func readAll(t *testing.T, c *bulk.Client, p string, log io.Writer) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f, err := c.Open(ctx, p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if log != nil {
		r = bulk.NewProgress(f, log, "AmazonRedshift us-east-1 csv", f.Size, 0)
	}
	return io.ReadAll(r)
}

// A body shorter than the file is an error at its end, however it was cut:
// the decoders must never see a clean EOF there. The cut is at a row
// boundary, so that only the size signals can tell.
func TestShortBodyIsAnError(t *testing.T) {
	_, rowEnd := fileBytes(t, csvPath, 40)
	for name, cut := range map[string]bulkfake.Cut{
		"connection dropped before Content-Length": bulkfake.CutAbort,
		"connection reset":                         bulkfake.CutReset,
		"chunked, connection dropped":              bulkfake.CutChunked,
		"no length, connection closed cleanly":     bulkfake.CutClose,
		"Content-Length shorter than the file":     bulkfake.CutShortLength,
	} {
		t.Run(name, func(t *testing.T) {
			srv := bulkfake.New(mirror)
			defer srv.Close()
			c, _ := newClient(t, srv.URL)
			srv.SetFault(csvPath, bulkfake.Fault{CutAt: rowEnd, Cut: cut})
			data, err := readAll(t, c, csvPath, nil)
			if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("read %d bytes with err %v; want an error wrapping io.ErrUnexpectedEOF", len(data), err)
			}
			if (cut == bulkfake.CutClose || cut == bulkfake.CutShortLength) && !strings.Contains(err.Error(), "the download is not the file AWS published: the MD5 of its") {
				t.Errorf("err = %v, want the ETag mismatch named", err)
			}
		})
	}
}

// A body that drops (mid-row or at a row's end) is resumed from the byte
// reached, pinned to the ETag: the reader sees the whole file, once.
func TestDroppedDownloadIsResumed(t *testing.T) {
	want, rowEnd := fileBytes(t, csvPath, 40)
	for _, cut := range []bulkfake.Cut{bulkfake.CutAbort, bulkfake.CutChunked, bulkfake.CutReset} {
		for _, at := range []int64{rowEnd, rowEnd + 7} {
			srv := bulkfake.New(mirror)
			c, _ := newClient(t, srv.URL)
			srv.SetFault(csvPath, bulkfake.Fault{CutAt: at, Cut: cut, Times: 1})
			var log bytes.Buffer
			got, err := readAll(t, c, csvPath, &log)
			srv.Close()
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("cut %d at %d: read %d of %d bytes, err %v", cut, at, len(got), len(want), err)
			}
			if r := srv.Ranges(); len(r) != 1 || r[0] != "bytes="+strconv.FormatInt(at, 10)+"-" {
				t.Errorf("cut %d at %d: ranges requested = %q", cut, at, r)
			}
			if !strings.Contains(log.String(), "the connection dropped at ") || !strings.Contains(log.String(), "resuming (attempt 2 of 5)") {
				t.Errorf("progress lines:\n%s", log.String())
			}
		}
	}
}

// A connection that keeps dropping uses up the attempts and fails with the
// offsets; a server without ETag cannot be resumed safely and fails at once.
func TestDroppedDownloadGivesUp(t *testing.T) {
	srv := bulkfake.New(mirror)
	defer srv.Close()
	c, waits := newClient(t, srv.URL)
	srv.SetFault(csvPath, bulkfake.Fault{TruncateAt: 5000})
	_, err := readAll(t, c, csvPath, nil)
	var te *bulk.TruncatedError
	if !errors.As(err, &te) || !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "the download was cut off after 5000 of ") || !strings.Contains(err.Error(), "(5 attempts)") {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Requests()); n != c.MaxAttempts || len(*waits) != c.MaxAttempts-1 {
		t.Errorf("%d requests, %d waits; want the attempts bounded by MaxAttempts %d", n, len(*waits), c.MaxAttempts)
	}

	srv.SetFault(csvPath, bulkfake.Fault{TruncateAt: 5000, NoETag: true})
	_, err = readAll(t, c, csvPath, nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "cannot resume: the server sent no ETag") {
		t.Fatalf("no ETag: err = %v", err)
	}
}

// A resumption never splices two different files: a file that changed
// (412 on If-Match) or a server that ignores Range (200) fails the read.
func TestResumeNeverSplices(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(mirror)); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, filepath.FromSlash(csvPath))
	for _, tc := range []struct {
		name  string
		then  func(*bulkfake.Server)
		wants string
	}{
		{"file changed", func(*bulkfake.Server) {
			data, _ := os.ReadFile(name)
			os.WriteFile(name, append(data, "x,y\n"...), 0o644)
		}, "the file changed on the server during the download"},
		{"range ignored", func(srv *bulkfake.Server) {
			srv.SetFault(csvPath, bulkfake.Fault{IgnoreRange: true})
		}, "the server sent the whole file (200) instead of the rest (206); not splicing"},
	} {
		srv := bulkfake.New(dir)
		c, _ := newClient(t, srv.URL)
		srv.SetFault(csvPath, bulkfake.Fault{TruncateAt: 5000, Times: 1})
		c.Sleep = func(context.Context, time.Duration) error { tc.then(srv); return nil }
		_, err := readAll(t, c, csvPath, nil)
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), tc.wants) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}

// A multipart ETag is not an MD5: a whole body is accepted without one.
func TestMultipartETagIsNotChecked(t *testing.T) {
	srv := bulkfake.New(mirror)
	defer srv.Close()
	c, _ := newClient(t, srv.URL)
	srv.SetFault(csvPath, bulkfake.Fault{MultipartETag: true})
	want, _ := fileBytes(t, csvPath, 0)
	got, err := readAll(t, c, csvPath, nil)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read %d of %d bytes, err %v", len(got), len(want), err)
	}
}

// A download that stops sending is noticed (a progress line at half the
// idle timeout), resumed where it stopped, and given up after the
// attempts.
func TestStalledDownload(t *testing.T) {
	want, _ := fileBytes(t, csvPath, 0)
	srv := bulkfake.New(mirror)
	defer srv.Close()
	c, _ := newClient(t, srv.URL)
	c.IdleTimeout = 200 * time.Millisecond
	srv.SetFault(csvPath, bulkfake.Fault{StallAt: 3000, Times: 1})
	log := &syncBuffer{}
	got, err := readAll(t, c, csvPath, log)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read %d of %d bytes, err %v", len(got), len(want), err)
	}
	if r := srv.Ranges(); len(r) != 1 || r[0] != "bytes=3000-" {
		t.Errorf("ranges = %q", r)
	}
	for _, line := range []string{
		"AmazonRedshift us-east-1 csv: no data for 100ms at 0.0 MB; the download is stalled",
		"AmazonRedshift us-east-1 csv: stalled: no data for 200ms at 0.0 MB; resuming (attempt 2 of 5)",
	} {
		if !strings.Contains(log.String(), line) {
			t.Errorf("no line %q in:\n%s", line, log.String())
		}
	}

	srv.SetFault(csvPath, bulkfake.Fault{StallAt: 3000})
	c.MaxAttempts = 2
	_, err = readAll(t, c, csvPath, nil)
	var se *bulk.StallError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "the download stalled: no data for 200ms after 3000 of ") || !strings.Contains(err.Error(), "(2 attempts)") {
		t.Fatalf("persistent stall: err = %v", err)
	}
}

// S3 and CloudFront answer 403 AccessDenied for a missing key when the
// bucket may not be listed: the Bulk API's missing files are not found,
// whichever the answer; a signed URL's 403 is not.
func TestForbiddenIsNotFound(t *testing.T) {
	srv := bulkfake.New(mirror)
	defer srv.Close()
	srv.SetMissingStatus(http.StatusForbidden)
	c, _ := newClient(t, srv.URL)
	_, err := c.Open(context.Background(), "/offers/v1.0/aws/NoSuchOffer/index.json")
	if !errors.Is(err, bulk.ErrNotFound) || !strings.Contains(err.Error(), "HTTP 403 Forbidden (AccessDenied)") {
		t.Errorf("Open = %v, want ErrNotFound naming the 403", err)
	}
	_, err = c.OpenURL(context.Background(), srv.URL+"/offers/v1.0/aws/NoSuchOffer/index.json")
	if err == nil || errors.Is(err, bulk.ErrNotFound) {
		t.Errorf("OpenURL = %v, want a 403 that is not ErrNotFound", err)
	}
}

// syncBuffer is a log written from the watchdog's goroutine too.
type syncBuffer = testkit.SyncBuffer

// A body the server compressed (as CloudFront may) is whole only when
// gzip's own trailer arrives: a cut, even a clean close, is an error, and
// is not resumed, since offsets into it are not the file's.
func TestCompressedBody(t *testing.T) {
	want, _ := fileBytes(t, csvPath, 0)
	srv := bulkfake.New(mirror)
	defer srv.Close()
	c, _ := newClient(t, srv.URL)
	srv.SetFault(csvPath, bulkfake.Fault{Gzip: true})
	got, err := readAll(t, c, csvPath, nil)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("whole compressed body: read %d of %d bytes, err %v", len(got), len(want), err)
	}
	for _, cut := range []bulkfake.Cut{bulkfake.CutAbort, bulkfake.CutClose, bulkfake.CutShortLength} {
		srv.SetFault(csvPath, bulkfake.Fault{Gzip: true, CutAt: 2000, Cut: cut})
		_, err := readAll(t, c, csvPath, nil)
		if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "cannot resume: the server compressed the body") {
			t.Errorf("cut %d: err = %v", cut, err)
		}
	}
	if r := srv.Ranges(); len(r) != 0 {
		t.Errorf("ranges requested on a compressed body: %q", r)
	}
}
