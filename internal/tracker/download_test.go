package tracker

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/source/bulk/bulkfake"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

// The current eu-west-1 CSV of the mirror: the file the faults hit.
const euCurrent = "/offers/v1.0/aws/AmazonRedshift/20180401000000/eu-west-1/index.csv"

// bulkOptions runs against the Bulk API fake instead of the mirror
// folder, with no waits between attempts.
func bulkOptions(t *testing.T, srv *bulkfake.Server, out string) FetchOptions {
	t.Helper()
	opts := options(t, out)
	client, err := bulk.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	client.Sleep = func(context.Context, time.Duration) error { return nil }
	opts.Client = client
	return opts
}

// tree reads every file under dir, by path relative to dir.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// rowBoundary is the offset just after the n-th newline of a mirror file;
// a negative n counts from the end.
func rowBoundary(t *testing.T, p string, n int) int64 {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("../../testdata/mirror", filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	if n < 0 {
		n += bytes.Count(data, []byte("\n"))
	}
	off := 0
	for range n {
		off += bytes.IndexByte(data[off:], '\n') + 1
	}
	return int64(off)
}

// recorded runs the older version into a fresh folder: the previous
// state every failed run must leave byte for byte.
func recorded(t *testing.T, srv *bulkfake.Server) (string, map[string]string) {
	t.Helper()
	out := t.TempDir()
	if _, err := Fetch(context.Background(), bulkOptions(t, srv, out)); err != nil {
		t.Fatal(err)
	}
	return out, tree(t, out)
}

// A body shorter than the file AWS published, cut at a row boundary so
// that it parses, never becomes a snapshot, however it was cut. Only three
// rows go missing: too few for the removal guard to notice.
func TestShortDownloadIsNotASnapshot(t *testing.T) {
	cutAt := rowBoundary(t, euCurrent, -3)
	for name, cut := range map[string]bulkfake.Cut{
		"Content-Length, connection dropped": bulkfake.CutAbort,
		"chunked, connection dropped":        bulkfake.CutChunked,
		"no length, clean close":             bulkfake.CutClose,
		"short Content-Length":               bulkfake.CutShortLength,
	} {
		t.Run(name, func(t *testing.T) {
			srv := bulkfake.New("../../testdata/mirror")
			defer srv.Close()
			out, before := recorded(t, srv)
			srv.SetFault(euCurrent, bulkfake.Fault{CutAt: cutAt, Cut: cut})
			opts := bulkOptions(t, srv, out)
			opts.Version = ""
			_, err := Fetch(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), "AmazonRedshift eu-west-1: read "+srv.URL+euCurrent) {
				t.Fatalf("Run = %v, want the short download refused", err)
			}
			if after := tree(t, out); !maps.Equal(before, after) {
				t.Errorf("a failed run changed the snapshot folder")
			}
		})
	}
}

// A download that drops once or stalls once is resumed and gives the same
// snapshot as a clean one; one that keeps stalling fails the run.
func TestInterruptedDownloadResumes(t *testing.T) {
	srv := bulkfake.New("../../testdata/mirror")
	defer srv.Close()
	clean := t.TempDir()
	opts := bulkOptions(t, srv, clean)
	opts.Version = ""
	if _, err := Fetch(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	want := tree(t, clean)
	// The manifest names where each file was read from: the same server.
	for name, fault := range map[string]bulkfake.Fault{
		"dropped": {CutAt: rowBoundary(t, euCurrent, 60) + 3, Times: 1},
		"stalled": {StallAt: 5000, Times: 1},
	} {
		out := t.TempDir()
		log := &lockedBuffer{}
		opts := bulkOptions(t, srv, out)
		opts.Version, opts.Log = "", log
		opts.Client.IdleTimeout = 200 * time.Millisecond
		srv.SetFault(euCurrent, fault)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := Fetch(ctx, opts)
		cancel()
		if err != nil {
			t.Fatalf("%s: Run = %v, want the download resumed", name, err)
		}
		if got := tree(t, out); !maps.Equal(got, want) {
			t.Errorf("%s: the resumed snapshot differs from a clean run's", name)
		}
		if !strings.Contains(log.String(), "AmazonRedshift eu-west-1 csv: ") || !strings.Contains(log.String(), "; resuming (attempt 2 of 5)") {
			t.Errorf("%s: log:\n%s", name, log.String())
		}
	}

	out, before := recorded(t, srv)
	srv.SetFault(euCurrent, bulkfake.Fault{StallAt: 5000})
	opts = bulkOptions(t, srv, out)
	opts.Version = ""
	opts.Client.IdleTimeout = 100 * time.Millisecond
	opts.Client.MaxAttempts = 2
	_, err := Fetch(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "AmazonRedshift eu-west-1: read ") || !strings.Contains(err.Error(), "the download stalled: no data for 100ms after 5000 of ") {
		t.Fatalf("persistent stall: Run = %v", err)
	}
	if after := tree(t, out); !maps.Equal(before, after) {
		t.Errorf("a failed run changed the snapshot folder")
	}
}

// A region code that would climb out of --out fails the run before
// anything is written, anywhere.
func TestRegionFromIndexCannotLeaveOut(t *testing.T) {
	mirror := testkit.MirrorCopy(t)
	index := filepath.Join(mirror, "offers/v1.0/aws/AmazonRedshift/current/region_index.json")
	data, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	evil := `"regions" : {
    "../../../escaped" : {
      "regionCode" : "../../../escaped",
      "currentVersionUrl" : "/offers/v1.0/aws/AmazonRedshift/20180401000000/us-east-1/index.json"
    },`
	if err := os.WriteFile(index, []byte(strings.Replace(string(data), `"regions" : {`, evil, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	out := filepath.Join(root, "a", "b", "prices")
	cfg, err := config.Resolve(config.Config{}, []string{"AmazonRedshift"}, []string{"all"})
	if err != nil {
		t.Fatal(err)
	}
	srv := bulkfake.New(mirror)
	defer srv.Close()
	opts := bulkOptions(t, srv, out)
	opts.Config, opts.Version = cfg, ""
	_, err = Fetch(context.Background(), opts)
	var ie *bulk.IndexError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), `region "../../../escaped" is not a region code`) {
		t.Errorf("Run = %v, want the region refused", err)
	}
	if files := tree(t, root); len(files) != 0 {
		t.Errorf("files written: %v", slices.Sorted(maps.Keys(files)))
	}
}

// A missing Bulk API file answered 403 AccessDenied (S3 without list
// permission) is not found, like a 404: the version fallback and the
// "did you mean" still work.
func TestForbiddenMissingFile(t *testing.T) {
	mirror := testkit.MirrorCopy(t)
	if err := os.Remove(filepath.Join(mirror, "offers/v1.0/aws/AmazonRedshift/20180309224506/region_index.json")); err != nil {
		t.Fatal(err)
	}
	srv := bulkfake.New(mirror)
	defer srv.Close()
	srv.SetMissingStatus(http.StatusForbidden)
	if _, err := Fetch(context.Background(), bulkOptions(t, srv, t.TempDir())); err != nil {
		t.Errorf("a version without a region index of its own, 403: Run = %v", err)
	}
	opts := bulkOptions(t, srv, t.TempDir())
	opts.Config.Offers[0].Code = "AmazonRedshit"
	_, err := Fetch(context.Background(), opts)
	if !errors.Is(err, bulk.ErrNotFound) || !strings.Contains(err.Error(), "did you mean AmazonRedshift") {
		t.Errorf("unknown offer, 403: Run = %v", err)
	}
}

// lockedBuffer is a log the download's watchdog writes to as well.
type lockedBuffer = testkit.SyncBuffer
