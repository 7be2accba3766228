package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/cli"
	"github.com/pricechecker/pricechecker/internal/source/pricingapi/pricingfake"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

// A region the Pricing API names becomes a file name, like one from the
// Bulk API's region index: one not shaped like an AWS region code fails the
// run before anything is written.
func TestPricingAPIRegionIsChecked(t *testing.T) {
	mirror := testkit.Mirror(t)
	dir := t.TempDir()
	m := filepath.Join(dir, "mirror")
	must(t, os.CopyFS(m, os.DirFS(mirror)))
	version := filepath.Join(m, "offers/v1.0/aws/AmazonRedshift/20180401000000")
	must(t, os.CopyFS(filepath.Join(version, "Bad_Region"), os.DirFS(filepath.Join(version, "us-east-1"))))
	api := pricingfake.New(m)
	defer api.Close()

	cfg := filepath.Join(dir, "api.yml")
	must(t, os.WriteFile(cfg, []byte("offers:\n  - code: AmazonRedshift\n    source: api\n    regions: [all]\n"), 0o644))
	out := filepath.Join(dir, "prices")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDPRICECHECKERTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "pricechecker-test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	env := map[string]string{"PRICECHECKER_PRICING_ENDPOINT": api.URL, "PRICECHECKER_PRICING_MAX_BACKOFF": "10ms"}
	var stdout, stderr bytes.Buffer
	got := cli.Main(context.Background(), []string{"run", "--config", cfg, "--out", out, "--progress-interval", "0"}, cli.Env{
		Getenv: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr,
	})
	if got != cli.ExitError {
		t.Fatalf("exit %d, want %d\nstderr: %s", got, cli.ExitError, stderr.String())
	}
	if !strings.Contains(stderr.String(), `names region "Bad_Region", which is not a region code`) {
		t.Errorf("stderr does not name the region: %s", stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the run wrote %s", out)
	}
}
