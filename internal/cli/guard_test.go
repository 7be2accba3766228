package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/cli"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

// The removal guard fails the run (exit 1: AWS's file, not the user's
// input, is wrong); thresholds that mean nothing are usage errors (exit 2);
// an attribute AWS dropped is no failure at all (exit 0).
func TestGuardExitCodes(t *testing.T) {
	mirror := testkit.Mirror(t)
	newFile := "offers/v1.0/aws/AmazonRedshift/20180401000000/us-east-1/index.csv"
	edited := func(edit func(string) string) string {
		dir := t.TempDir()
		must(t, os.CopyFS(dir, os.DirFS(mirror)))
		data, err := os.ReadFile(filepath.Join(dir, newFile))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dir, newFile), []byte(edit(string(data))), 0o644))
		return "file://" + dir
	}
	headerOnly := edited(func(s string) string { return strings.Join(strings.SplitAfter(s, "\n")[:6], "") })
	dropped := edited(func(s string) string { return strings.Replace(s, `"Transfer Type"`, `"Something Else"`, 1) })

	dir := t.TempDir()
	configs := map[string]string{
		"nan.yml":     "flagPct: .nan\noffers:\n  - code: AmazonRedshift\n    regions: [us-east-1]\n",
		"inf.yml":     "maxRemovedPct: .inf\noffers:\n  - code: AmazonRedshift\n    regions: [us-east-1]\n",
		"attrs.yml":   "offers:\n  - code: AmazonRedshift\n    regions: [us-east-1]\n    attributes: [transferType]\n",
		"twodocs.yml": "offers:\n  - code: AmazonRedshift\n    regions: [us-east-1]\n---\n",
	}
	for name, body := range configs {
		must(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	out := filepath.Join(dir, "prices")
	run := func(endpoint string, args ...string) []string {
		return append([]string{"run", "--endpoint", endpoint, "--out", out, "--progress-interval", "0"}, args...)
	}
	cfg := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"the first version", run("file://"+mirror, "--config", cfg("attrs.yml"), "--version", "20180309224506"), cli.ExitOK, ""},
		{"a file with no row", run(headerOnly, "--config", cfg("attrs.yml")), cli.ExitError, "AWS may have published a broken file; run again later"},
		{"flagPct .nan", run(headerOnly, "--config", cfg("nan.yml")), cli.ExitUsage, `flagPct (line 1)`},
		{"maxRemovedPct .inf", run(headerOnly, "--config", cfg("inf.yml")), cli.ExitUsage, `maxRemovedPct (line 1)`},
		{"a second document", run(headerOnly, "--config", cfg("twodocs.yml")), cli.ExitUsage, `line 4: a second YAML document`},
		{"--max-removed-pct -1", run(headerOnly, "--config", cfg("attrs.yml"), "--max-removed-pct", "-1"), cli.ExitUsage, `--max-removed-pct -1`},
		{"a dropped attribute", run(dropped, "--config", cfg("attrs.yml")), cli.ExitOK, "AWS dropped it, so its column is written empty"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		got := cli.Main(context.Background(), tt.args, cli.Env{Getenv: func(string) string { return "" }, Stdout: &stdout, Stderr: &stderr})
		if got != tt.want {
			t.Errorf("%s: exit %d, want %d\nstderr: %s", tt.name, got, tt.want, stderr.String())
		}
		if !strings.Contains(stderr.String(), tt.msg) {
			t.Errorf("%s: stderr %q does not say %q", tt.name, stderr.String(), tt.msg)
		}
	}
}
