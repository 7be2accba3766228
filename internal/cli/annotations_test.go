package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pricechecker/pricechecker/internal/cli"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

// Inside GitHub Actions each failure is shown once as an error annotation
// (one function in cli decides), and the exit code is unchanged: a flag
// run does not know is left to the log, as it always was, while plan shows
// its own; a destination that fails is annotated by the publishing, and
// not once more on the way out.
func TestAnnotationsOncePerFailure(t *testing.T) {
	mirror := testkit.Mirror(t)
	dir := t.TempDir()
	vars := map[string]string{"GITHUB_ACTIONS": "true", "PRICECHECKER_ENDPOINT": "file://" + mirror}
	for _, tt := range []struct {
		name        string
		args        []string
		env         map[string]string
		code        int
		annotations int
		want        string
	}{
		{"run: a wrong region", []string{"run", "--service", "AmazonRedshift", "--region", "us-east1", "--out", dir, "--dry-run"}, nil, 2, 1, `no region "us-east1"`},
		{"run: an unknown flag", []string{"run", "--no-such-flag"}, nil, 2, 0, ""},
		{"plan: an unknown flag", []string{"plan", "--no-such-flag"}, nil, 2, 1, "no-such-flag"},
		{"notify: nothing to publish", []string{"notify"}, nil, 2, 1, "nothing to publish"},
		{"notify: Slack refuses its URL", []string{"notify", "--status", "failure", "--out", dir},
			map[string]string{"SLACK_WEBHOOK_URL": "not a url"}, 1, 1, "Slack"},
		// The one-job setup: the run's failure, then the failure message
		// Slack does not take; each once.
		{"action: run fails, Slack fails", []string{"action"}, map[string]string{
			"INPUT_MODE": "run", "INPUT_SERVICES": "AmazonRedshift", "INPUT_REGIONS": "us-east1", "INPUT_OUT": dir,
			"INPUT_SLACK-WEBHOOK-URL": "not a url",
		}, 2, 2, `no region "us-east1"`},
		{"action: a bad boolean", []string{"action"}, map[string]string{"INPUT_MODE": "run", "INPUT_FORCE": "yes"}, 2, 1, "input force"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			getenv := func(k string) string {
				if v, ok := tt.env[k]; ok {
					return v
				}
				if k == "RUNNER_TEMP" {
					return filepath.Join(dir)
				}
				return vars[k]
			}
			code := cli.Main(context.Background(), tt.args, cli.Env{Getenv: getenv, Stdout: &stdout, Stderr: &stderr})
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, stderr.String())
			}
			var errs []string
			for _, l := range strings.Split(stdout.String(), "\n") {
				if strings.HasPrefix(l, "::error::") {
					errs = append(errs, l)
				}
			}
			if len(errs) != tt.annotations {
				t.Fatalf("%d error annotations, want %d:\n%s", len(errs), tt.annotations, strings.Join(errs, "\n"))
			}
			if tt.annotations > 0 && !strings.Contains(errs[0], tt.want) {
				t.Errorf("annotation %q does not say %q", errs[0], tt.want)
			}
		})
	}
}
