package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/cli"
	"github.com/pricechecker/pricechecker/internal/source/pricingapi/pricingfake"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

// The exit code is a contract scripts and workflows branch on: 0 done
// (changed or not), 1 the run failed, 2 the input is wrong.
func TestExitCodes(t *testing.T) {
	mirror := testkit.Mirror(t)
	api := pricingfake.New(mirror)
	defer api.Close()

	broken := t.TempDir()
	must(t, os.CopyFS(broken, os.DirFS(mirror)))
	must(t, os.WriteFile(filepath.Join(broken, "offers/v1.0/aws/AmazonRedshift/20180401000000/us-east-1/index.csv"), []byte("not an offer file\n"), 0o644))

	configs := map[string]string{
		"ok.yml":       "offers:\n  - code: AmazonRedshift\n    regions: [us-east-1]\n",
		"typo.yml":     "offers:\n  - code: AmazonRedshift\n    regions: [us-east-1]\n    filters:\n      productFamly: Compute Instance\n",
		"badkey.yml":   "offers:\n  - code: AmazonRedshift\n    region: [us-east-1]\n",
		"apiname.yml":  "offers:\n  - code: AmazonRedshit\n    source: api\n    regions: [us-east-1]\n",
		"products.yml": "offers:\n  - code: AmazonRedshift\n    source: api\n    api:\n      mode: products\n    regions: [us-east-1]\n",
	}
	var many []string
	for i := range 257 {
		many = append(many, fmt.Sprintf("xx-test-%d", i))
	}
	configs["huge-plan.yml"] = "offers:\n  - code: AmazonRedshift\n    regions: [" + strings.Join(many, ", ") + "]\n"
	dir := t.TempDir()
	for name, body := range configs {
		must(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	cfg := func(name string) string { return filepath.Join(dir, name) }
	repo := t.TempDir()
	if out, err := exec.Command("git", "init", "--quiet", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	run := func(args ...string) []string {
		return append([]string{"run", "--endpoint", "file://" + mirror, "--dry-run", "--progress-interval", "0"}, args...)
	}
	tests := []struct {
		name string
		args []string
		want int
		env  map[string]string
		msg  string // in stderr, when set
	}{
		{"a run", run("--config", cfg("ok.yml")), cli.ExitOK, nil, ""},
		{"an unknown flag", run("--nope"), cli.ExitUsage, nil, ""},
		{"a bad format", run("--config", cfg("ok.yml"), "--format", "xml"), cli.ExitUsage, nil, ""},
		{"an unknown offer", run("--service", "AmazonRedshit", "--region", "us-east-1"), cli.ExitUsage, nil, ""},
		{"an unknown region", run("--config", cfg("ok.yml"), "--region", "us-east-9"), cli.ExitUsage, nil, ""},
		{"an unpublished version", run("--config", cfg("ok.yml"), "--version", "20990101000000"), cli.ExitUsage, nil, ""},
		{"a filter name the file lacks", run("--config", cfg("typo.yml")), cli.ExitUsage, nil, ""},
		{"an unknown config key", run("--config", cfg("badkey.yml")), cli.ExitUsage, nil, ""},
		{"a broken offer file", []string{"run", "--endpoint", "file://" + broken, "--config", cfg("ok.yml"), "--dry-run", "--progress-interval", "0"}, cli.ExitError, nil, ""},
		{"a service the Pricing API does not know", run("--config", cfg("apiname.yml")), cli.ExitUsage, nil, ""},
		{"GetProducts asked for a past version", run("--config", cfg("products.yml"), "--version", "20180309224506"), cli.ExitUsage, nil, ""},
		{"an unknown command", []string{"fetch"}, cli.ExitUsage, nil, ""},
		{"a plan GitHub's matrix cannot hold", []string{"plan", "--config", cfg("huge-plan.yml"), "--endpoint", "file://" + mirror}, cli.ExitUsage, nil, "more than the 256 jobs"},
		{"a diff point that names no commit", []string{"diff", "--repo", repo, "nosuchrev"}, cli.ExitUsage, nil, ""},
		{"a region the Pricing API is not served from", run("--config", cfg("products.yml")), cli.ExitUsage, map[string]string{"PRICECHECKER_PRICING_REGION": "eu-west-1"}, "the Pricing API is served from"},
	}
	env := map[string]string{
		"PRICECHECKER_PRICING_ENDPOINT":    api.URL,
		"PRICECHECKER_PRICING_MAX_BACKOFF": "10ms",
	}
	// The AWS SDK reads its credential chain from the process environment.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDPRICECHECKERTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "pricechecker-test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := cli.Main(context.Background(), tt.args, cli.Env{
				Getenv: func(k string) string {
					if v, ok := tt.env[k]; ok {
						return v
					}
					return env[k]
				},
				Stdout: &stdout, Stderr: &stderr,
			})
			if got != tt.want {
				t.Errorf("exit %d, want %d\nstderr: %s", got, tt.want, stderr.String())
			}
			if tt.msg != "" && !strings.Contains(stderr.String(), tt.msg) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tt.msg)
			}
		})
	}
	if len(api.Requests()) > 2 {
		t.Errorf("the Pricing API was called %d times; a past version in products mode must be refused before any call: %v", len(api.Requests()), api.Requests())
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
