package bulk_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/source/bulk/bulkfake"
)

// BenchmarkDownload compares a File (Content-Length and MD5 checks, the
// idle watchdog) with a bare net/http body over the same fake server:
// what the download checks cost per byte.
func BenchmarkDownload(b *testing.B) {
	dir := b.TempDir()
	const p = "/offers/v1.0/aws/Big/20250101000000/us-east-1/index.csv"
	name := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		b.Fatal(err)
	}
	row := `"SKU123","OfferTerm","SKU123.OfferTerm.RateCode","OnDemand","$0.25 per hour","2025-01-01","0","Inf","Hrs","0.2500000000","USD"` + "\n"
	data := strings.Repeat(row, (32<<20)/len(row))
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		b.Fatal(err)
	}
	srv := bulkfake.New(dir)
	defer srv.Close()
	b.Run("bare", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			resp, err := http.Get(srv.URL + p)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.Run("file-no-watchdog", func(b *testing.B) {
		c, _ := newClient(b, srv.URL)
		c.IdleTimeout = 0
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			f, err := c.Open(context.Background(), p)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, f); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
	b.Run("file", func(b *testing.B) {
		c, _ := newClient(b, srv.URL)
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			f, err := c.Open(context.Background(), p)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, f); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}
