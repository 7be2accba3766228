package site

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pricechecker/pricechecker/internal/site/sitetest"
)

// history generates a small history of days commits in a temporary folder.
func history(t testing.TB, days, rows int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if err := sitetest.Generate(dir, sitetest.Params{Days: days, Rows: rows}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func build(t testing.TB, repo, out string) Stats {
	t.Helper()
	var st Stats
	if err := Build(context.Background(), Options{Repo: repo, Prices: "prices", Out: out, Stats: &st}); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestBuildSmoke(t *testing.T) {
	repo := history(t, 12, 20)
	out := filepath.Join(t.TempDir(), "site")
	st := build(t, repo, out)
	t.Logf("%+v", st)
}
