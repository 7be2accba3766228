package actions

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func runner(vars map[string]string) *Runner {
	return New(func(k string) string { return vars[k] }, io.Discard)
}

// Each mode's inputs become the command line of its command; secrets go to
// notify's environment, never on a command line.
func TestCommand(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inputs map[string]string
		want   string // the command line
		notify string // run mode: notify's command line after a good run
	}{
		{"run", map[string]string{"INPUT_SERVICES": "AmazonEC2, AmazonS3", "INPUT_PUSH": "true", "RUNNER_TEMP": "/rt"},
			"run --service AmazonEC2 --service AmazonS3 --push --report /rt/pricechecker-report.json", ""},
		{"one job", map[string]string{"INPUT_SLACK-BOT-TOKEN": "xoxb-1", "INPUT_SLACK-THREAD": "true", "RUNNER_TEMP": "/rt"},
			"run --report /rt/pricechecker-report.json", "--slack-thread --status success"},
		{"plan", map[string]string{"INPUT_MODE": "plan", "INPUT_REGIONS": "us-east-1", "INPUT_VERSION": "20180401000000"},
			"plan --region us-east-1 --version 20180401000000", ""},
		{"notify", map[string]string{"INPUT_MODE": "notify", "INPUT_BASE": "abc", "INPUT_SLACK-THREAD": "true", "INPUT_SITE-BASE-URL": "https://o.github.io/p/", "INPUT_PLAN-MATRIX": "[]", "INPUT_SLACK-WEBHOOK-URL": "https://hooks.slack.com/x"},
			"notify --slack-thread --base abc --shards [] --site-base-url https://o.github.io/p/", ""},
		{"site", map[string]string{"INPUT_MODE": "site", "INPUT_OUT": "data", "INPUT_SITE-DIR": "public", "INPUT_SITE-BASE-URL": "https://o.github.io/p/"},
			"site --prices data --out public --base-url https://o.github.io/p/", ""},
	} {
		c, err := runner(tc.inputs).Command("pricechecker.yml")
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := c.Name + " " + strings.Join(c.Args, " "); got != tc.want {
			t.Errorf("%s: command line %q, want %q", tc.name, got, tc.want)
		}
		for _, a := range c.Args {
			if strings.Contains(a, "hooks.slack.com") || strings.Contains(a, "xoxb") {
				t.Errorf("%s: a secret is on the command line: %q", tc.name, a)
			}
		}
		if (c.Notify != nil) != (tc.notify != "") {
			t.Errorf("%s: notify after run = %v, want %q", tc.name, c.Notify, tc.notify)
		} else if c.Notify != nil {
			if got := strings.Join(c.Notify.AfterRun(true, "/nonexistent/report.json", ""), " "); got != tc.notify {
				t.Errorf("%s: notify after run %q, want %q", tc.name, got, tc.notify)
			}
			// run has written this job's summary; notify does not repeat it.
			if v, ok := c.NotifyEnv["GITHUB_STEP_SUMMARY"]; !ok || v != "" {
				t.Errorf("%s: notify's environment keeps the job summary", tc.name)
			}
		}
	}
}

func TestCommandSecretsAndErrors(t *testing.T) {
	c, err := runner(map[string]string{"INPUT_MODE": "notify", "INPUT_BASE": "abc", "INPUT_SLACK-BOT-TOKEN": "xoxb-1", "INPUT_WEBHOOK-SECRET": "s"}).Command("pricechecker.yml")
	if err != nil || c.NotifyEnv["SLACK_BOT_TOKEN"] != "xoxb-1" || c.NotifyEnv["PRICECHECKER_WEBHOOK_SECRET"] != "s" {
		t.Errorf("notify env %v, %v", c.NotifyEnv, err)
	}
	if _, ok := c.NotifyEnv["GITHUB_STEP_SUMMARY"]; ok {
		t.Error("notify mode drops the job summary it writes")
	}
	if _, err := runner(map[string]string{"INPUT_MODE": "publish"}).Command("pricechecker.yml"); err == nil || !strings.Contains(err.Error(), `input mode "publish"`) {
		t.Errorf("unknown mode: %v", err)
	}
	if _, err := runner(map[string]string{"INPUT_MODE": "notify", "INPUT_SLACK-THREAD": "yes"}).Command("pricechecker.yml"); err == nil || !strings.Contains(err.Error(), "slack-thread") {
		t.Errorf("slack-thread yes: %v", err)
	}
	// A problem with notify's inputs in the one-job setup waits for the run.
	c, err = runner(map[string]string{"INPUT_WEBHOOK-URL": "https://example.com/h", "INPUT_NOTIFY-ON-NO-CHANGE": "maybe"}).Command("pricechecker.yml")
	if err != nil || c.Notify == nil || c.Notify.Err == nil {
		t.Errorf("one job with a bad notify input: %v, %+v", err, c.Notify)
	}
	if got := c.Notify.AfterRun(false, "", "abc"); !slices.Contains(got, "failure") || slices.Contains(got, "--commit") {
		t.Errorf("after a failed run: %q", got)
	}
}
