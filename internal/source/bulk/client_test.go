package bulk_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/source/bulk/bulkfake"
)

const mirror = "../../../testdata/mirror"

func newClient(t testing.TB, endpoint string) (*bulk.Client, *[]time.Duration) {
	t.Helper()
	c, err := bulk.New(endpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	c.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	return c, &waits
}

func TestRegionIndexAndVersions(t *testing.T) {
	srv := bulkfake.New(mirror)
	defer srv.Close()
	for _, endpoint := range []string{srv.URL, "file://" + mirror} {
		c, _ := newClient(t, endpoint)
		ri, err := c.RegionIndex(context.Background(), "AmazonRedshift", "")
		if err != nil {
			t.Fatalf("%s: %v", endpoint, err)
		}
		if got := strings.Join(ri.Codes(), ","); got != "eu-west-1,us-east-1" {
			t.Errorf("%s: regions = %s", endpoint, got)
		}
		e := ri.Regions["us-east-1"]
		if e.Version() != "20180401000000" {
			t.Errorf("current version = %q", e.Version())
		}
		if e.FilePath("csv") != "/offers/v1.0/aws/AmazonRedshift/20180401000000/us-east-1/index.csv" {
			t.Errorf("csv path = %s", e.FilePath("csv"))
		}
		old, err := c.RegionIndex(context.Background(), "AmazonRedshift", "20180309224506")
		if err != nil || old.Regions["eu-west-1"].Version() != "20180309224506" {
			t.Errorf("versioned region index: %v %+v", err, old)
		}
	}
}

// A missing file may be answered 404 NoSuchKey or, by S3 and CloudFront
// when listing is not allowed, 403 AccessDenied: the messages are the same.
func TestNotFoundSuggestsCloseMatches(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden} {
		t.Run(http.StatusText(status), func(t *testing.T) { testNotFoundSuggestsCloseMatches(t, status) })
	}
}

func testNotFoundSuggestsCloseMatches(t *testing.T, missing int) {
	srv := bulkfake.New(mirror)
	defer srv.Close()
	srv.SetMissingStatus(missing)
	c, _ := newClient(t, srv.URL)
	ctx := context.Background()

	_, err := c.RegionIndex(ctx, "AmazonRedshit", "")
	if !errors.Is(err, bulk.ErrNotFound) || !strings.Contains(err.Error(), `unknown offer "AmazonRedshit"; did you mean AmazonRedshift`) {
		t.Errorf("unknown offer: %v", err)
	}
	// A Savings Plans code among the offers says where it belongs.
	if _, err := c.RegionIndex(ctx, "AWSComputeSavingsPlan", ""); !strings.Contains(fmt.Sprint(err), "AWSComputeSavingsPlan is a Savings Plan; list it under savingsPlans:") {
		t.Errorf("savings plan as an offer: %v", err)
	}
	if !strings.Contains(err.Error(), srv.URL+"/offers/v1.0/aws/AmazonRedshit/current/region_index.json") {
		t.Errorf("error does not name the URL: %v", err)
	}
	_, err = c.RegionIndex(ctx, "AmazonRedshift", "20180309224507")
	if !strings.Contains(err.Error(), `no version "20180309224507"; did you mean 20180309224506`) {
		t.Errorf("unknown version: %v", err)
	}
	ri, err := c.RegionIndex(ctx, "AmazonRedshift", "")
	if err != nil {
		t.Fatal(err)
	}
	err = bulk.UnknownRegionError("AmazonRedshift", "us-east1", ri)
	if !strings.Contains(err.Error(), `no region "us-east1"; did you mean us-east-1`) {
		t.Errorf("unknown region: %v", err)
	}
}

func TestRetriesThrottlingAndServerErrors(t *testing.T) {
	srv := bulkfake.New(mirror)
	defer srv.Close()
	c, waits := newClient(t, srv.URL)
	srv.SetFault("/offers/v1.0/aws/index.json", bulkfake.Fault{Status: 429, Times: 2, RetryAfter: "3"})
	srv.SetFault("/offers/v1.0/aws/AmazonRedshift/current", bulkfake.Fault{Status: 503, Times: 1})
	if _, err := c.ServiceIndex(context.Background()); err != nil {
		t.Fatalf("429 twice then OK: %v", err)
	}
	if len(*waits) != 2 || (*waits)[0] != 3*time.Second {
		t.Errorf("waits = %v, want two waits of Retry-After 3s", *waits)
	}
	if _, err := c.RegionIndex(context.Background(), "AmazonRedshift", ""); err != nil {
		t.Fatalf("503 once then OK: %v", err)
	}
	if len(*waits) != 3 || (*waits)[2] <= 0 || (*waits)[2] > time.Second {
		t.Errorf("waits = %v, want a jittered backoff under 1s after a 503", *waits)
	}

	srv.SetFault("/offers/v1.0/aws/AmazonRedshift/index.json", bulkfake.Fault{Status: 500, Times: 100})
	_, err := c.VersionIndex(context.Background(), "AmazonRedshift")
	if err == nil || !strings.Contains(err.Error(), "HTTP 500") || !strings.Contains(err.Error(), srv.URL+"/offers/v1.0/aws/AmazonRedshift/index.json") {
		t.Fatalf("persistent 500: %v", err)
	}
	if got := len(*waits); got != 3+c.MaxAttempts-1 {
		t.Errorf("made %d waits in all, want %d (bounded attempts)", got, 3+c.MaxAttempts-1)
	}
}

func TestTruncatedDownloadIsAnError(t *testing.T) {
	srv := bulkfake.New(mirror)
	defer srv.Close()
	c, _ := newClient(t, srv.URL)
	p := "/offers/v1.0/aws/AmazonRedshift/20180309224506/us-east-1/index.json"
	srv.SetFault(p, bulkfake.Fault{TruncateAt: 5000})
	f, err := c.Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, err := io.Copy(io.Discard, f)
	if err == nil || n >= f.Size {
		t.Fatalf("read %d of %d bytes with err %v; a dropped download must fail", n, f.Size, err)
	}
}

func TestEndpointValidation(t *testing.T) {
	for _, bad := range []string{"ftp://example.com", "file:///no/such/dir", "http://"} {
		if _, err := bulk.New(bad, nil); err == nil {
			t.Errorf("New(%q) accepted", bad)
		}
	}
	c, err := bulk.New("", nil)
	if err != nil || c.URL("/x") != bulk.DefaultEndpoint+"/x" {
		t.Errorf("default endpoint: %v %s", err, c.URL("/x"))
	}
}

func TestProgressLines(t *testing.T) {
	var out strings.Builder
	p := bulk.NewProgress(strings.NewReader(strings.Repeat("x", 3_000_000)), &out, "AmazonEC2 us-east-1 csv", 3_000_000, time.Nanosecond)
	if _, err := io.Copy(io.Discard, p); err != nil {
		t.Fatal(err)
	}
	p.Done()
	last := strings.TrimSpace(out.String())
	last = last[strings.LastIndexByte(last, '\n')+1:]
	if !strings.HasPrefix(last, "AmazonEC2 us-east-1 csv: 3.0 MB / 3.0 MB (100%), ") || !strings.Contains(last, "MB/s, done in") {
		t.Errorf("final progress line = %q", last)
	}
	if strings.Contains(out.String(), "\r") {
		t.Error("progress uses carriage returns, which CI logs show as one long line")
	}
}

// A version the version index lists but that has no region index of its
// own is read from its versioned folder, with the current index's regions.
func TestVersionWithoutRegionIndex(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(mirror)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "offers/v1.0/aws/AmazonRedshift/20180309224506/region_index.json")); err != nil {
		t.Fatal(err)
	}
	srv := bulkfake.New(dir)
	defer srv.Close()
	for _, endpoint := range []string{"file://" + dir, srv.URL + "#404", srv.URL + "#403"} {
		t.Run(endpoint, func(t *testing.T) { testVersionWithoutRegionIndex(t, srv, endpoint) })
	}
}

func testVersionWithoutRegionIndex(t *testing.T, srv *bulkfake.Server, endpoint string) {
	endpoint, status, _ := strings.Cut(endpoint, "#")
	if status == "403" {
		srv.SetMissingStatus(http.StatusForbidden)
		defer srv.SetMissingStatus(http.StatusNotFound)
	}
	c, _ := newClient(t, endpoint)
	ri, err := c.RegionIndex(context.Background(), "AmazonRedshift", "20180309224506")
	if err != nil {
		t.Fatal(err)
	}
	e := ri.Regions["eu-west-1"]
	if e.Version() != "20180309224506" || e.FilePath("csv") != "/offers/v1.0/aws/AmazonRedshift/20180309224506/eu-west-1/index.csv" {
		t.Errorf("entry = %+v", e)
	}
	f, err := c.Open(context.Background(), e.FilePath("csv"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	// A version the version index does not list is still an error with
	// close matches.
	if _, err := c.RegionIndex(context.Background(), "AmazonRedshift", "20180309224599"); err == nil || !strings.Contains(err.Error(), "did you mean 20180309224506") {
		t.Errorf("unknown version: %v", err)
	}
}
