package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/pricechecker/pricechecker/internal/site/sitetest"
)

// benchParams size the benchmark history: SITE_BENCH_DAYS daily commits
// (default 365) of SITE_BENCH_ROWS lines (default 25,000). The history is
// generated once and cached under SITE_BENCH_DIR.
func benchParams(b *testing.B) sitetest.Params {
	p := sitetest.Params{Days: 365, Rows: 25000}
	for env, v := range map[string]*int{"SITE_BENCH_DAYS": &p.Days, "SITE_BENCH_ROWS": &p.Rows} {
		if s := os.Getenv(env); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				b.Fatalf("%s=%q: want a positive number", env, s)
			}
			*v = n
		}
	}
	return p
}

func benchRepo(b *testing.B) string {
	b.Helper()
	repo, err := sitetest.Cached(benchDir(), benchParams(b))
	if err != nil {
		b.Fatal(err)
	}
	return repo
}

// BenchmarkBuild is a full build of the whole history. It reports the
// versions read and the largest offer page with its data, gzipped (what
// a browser downloads from GitHub Pages).
func BenchmarkBuild(b *testing.B) {
	repo := benchRepo(b)
	var st Stats
	var out string
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		out = b.TempDir()
		st = Stats{}
		b.StartTimer()
		if err := Build(context.Background(), Options{Repo: repo, Prices: "prices", Out: out, Stats: &st}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(st.Versions), "versions-decoded")
	page := filepath.Join(out, "offers", "AmazonEC2", "us-east-1")
	b.ReportMetric(float64(gzipSize(b, filepath.Join(page, "index.html"), filepath.Join(page, "data.js"),
		filepath.Join(out, "assets", "site.js"), filepath.Join(out, "assets", "style.css")))/1e6, "largest-page-MB-gz")
}

// BenchmarkRebuild is the rebuild after one more commit: the site is built
// at HEAD~1, then each round restores that state and builds HEAD.
func BenchmarkRebuild(b *testing.B) {
	repo := benchRepo(b)
	clone := filepath.Join(b.TempDir(), "clone")
	for _, args := range [][]string{{"clone", "--quiet", "--shared", repo, clone}, {"-C", clone, "reset", "--quiet", "--hard", "HEAD~1"}} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	out := b.TempDir()
	build(b, clone, out)
	if out, err := exec.Command("git", "-C", clone, "reset", "--quiet", "--hard", "origin/main").CombinedOutput(); err != nil {
		b.Fatalf("git reset: %v: %s", err, out)
	}
	state, err := os.ReadFile(filepath.Join(out, stateFile))
	if err != nil {
		b.Fatal(err)
	}
	var st Stats
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := os.WriteFile(filepath.Join(out, stateFile), state, 0o644); err != nil {
			b.Fatal(err)
		}
		st = Stats{}
		b.StartTimer()
		if err := Build(context.Background(), Options{Repo: clone, Prices: "prices", Out: out, Stats: &st}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Versions), "versions-decoded")
}

func gzipSize(b *testing.B, files ...string) (total int) {
	var buf bytes.Buffer
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		total += buf.Len()
	}
	return total
}
