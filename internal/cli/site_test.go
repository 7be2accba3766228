package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pricechecker/pricechecker/internal/site/sitetest"
)

func runCmd(t *testing.T, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), args, Env{Stdout: &stdout, Stderr: &stderr}); code != ExitOK {
		t.Fatalf("pricechecker %v: exit %d: %s", args, code, stderr.String())
	}
	return stdout.Bytes()
}

// The site's history.json of an offer is what `history --json` prints for
// it, and its rows for a line what `history --rate-code --json` prints.
func TestSiteJSONEqualsHistory(t *testing.T) {
	repo := filepath.Join(t.TempDir(), "repo")
	if err := sitetest.Generate(repo, sitetest.Params{Days: 8, Rows: 12}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	runCmd(t, "site", "--repo", repo, "--out", out)
	data, err := os.ReadFile(filepath.Join(out, "offers", "AmazonEC2", "us-east-1", "history.json"))
	if err != nil {
		t.Fatal(err)
	}
	var site []map[string]any
	if err := json.Unmarshal(data, &site); err != nil {
		t.Fatal(err)
	}
	var hist []map[string]any
	if err := json.Unmarshal(runCmd(t, "history", "--repo", repo, "--service", "AmazonEC2", "--region", "us-east-1", "--json"), &hist); err != nil {
		t.Fatal(err)
	}
	if len(site) < 12 || !reflect.DeepEqual(site, hist) {
		t.Errorf("site history.json (%d rows) differs from history --json (%d rows)", len(site), len(hist))
	}
	for _, rc := range []string{sitetest.RateCode(0), sitetest.RateCode(1), sitetest.RateCode(12)} {
		var line []map[string]any
		if err := json.Unmarshal(runCmd(t, "history", "--repo", repo, "--rate-code", rc, "--service", "AmazonEC2", "--json"), &line); err != nil {
			t.Fatal(err)
		}
		var mine []map[string]any
		for _, r := range site {
			if r["rate_code"] == rc {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 || !reflect.DeepEqual(mine, line) {
			t.Errorf("%s: the site has %v\nhistory has %v", rc, mine, line)
		}
	}
}

// A wrong snapshot folder is the user's to fix, and says so.
func TestSiteWrongPrices(t *testing.T) {
	repo := filepath.Join(t.TempDir(), "repo")
	if err := sitetest.Generate(repo, sitetest.Params{Days: 1, Rows: 2}); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := Main(context.Background(), []string{"site", "--repo", repo, "--prices", "nope", "--out", t.TempDir()}, Env{Stdout: new(bytes.Buffer), Stderr: &stderr})
	if code != ExitError || !bytes.Contains(stderr.Bytes(), []byte("is --prices right")) {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
}
