package actions

import (
	"fmt"
	"os"
)

// secretInputs hold secrets: masked before anything else runs, and passed
// to notify in the environment, never on a command line.
var secretInputs = []struct{ input, env string }{
	{"google-credentials", "GOOGLE_CREDENTIALS"},
	{"slack-webhook-url", "SLACK_WEBHOOK_URL"},
	{"slack-bot-token", "SLACK_BOT_TOKEN"},
	{"github-token", "GITHUB_TOKEN"},
	// The webhook's URL is as secret as Slack's.
	{"webhook-url", "PRICECHECKER_WEBHOOK_URL"},
	{"webhook-secret", "PRICECHECKER_WEBHOOK_SECRET"},
}

// Command is the command line the action's inputs (INPUT_*, mapped one by
// one in action.yml) make for its mode, so that the action and the CLI
// share every check and default.
type Command struct {
	// Name is run, plan, notify or site.
	Name string
	Args []string
	// Report is, in run mode, where run writes its JSON report.
	Report string
	// Notify is, in run mode with a destination (the one-job setup),
	// notify's command line; its Err is a problem with notify's inputs,
	// reported once the run is done.
	Notify *Args
	// NotifyEnv is what notify's environment adds: the secret inputs as
	// the variables notify reads (empty ones left out), and in the one-job
	// setup no job summary, which run has written.
	NotifyEnv map[string]string
}

// MaskSecretInputs hides every secret input from the log: first, since
// nothing may print a secret before GitHub knows it.
func (r *Runner) MaskSecretInputs() {
	for _, s := range secretInputs {
		r.Mask(r.Input(s.input))
	}
}

// Command maps the inputs to the command of the input mode. configPath is
// the configuration's default path: the config input passes only when it
// names another file, or that one exists (else the event or inputs say
// what to fetch). The error is a usage error in the inputs.
func (r *Runner) Command(configPath string) (Command, error) {
	c := Command{Name: r.Input("mode"), NotifyEnv: map[string]string{}}
	for _, s := range secretInputs {
		if v := r.Input(s.input); v != "" {
			c.NotifyEnv[s.env] = v
		}
	}
	b := r.withConfig(configPath)
	switch c.Name {
	case "", "run":
		c.Name = "run"
		b.List("services", "--service")
		b.List("regions", "--region")
		b.Values("version", "format", "out", "endpoint", "flag-pct", "max-removed-pct")
		b.Bools("accept-removals", "dry-run", "force", "commit", "push")
		b.Values("author-name", "author-email", "branch")
		c.Report = r.reportPath()
		b.Args = append(b.Args, "--report", c.Report)
		if r.publishing() {
			c.Notify = r.notifyArgs(configPath)
			c.NotifyEnv["GITHUB_STEP_SUMMARY"] = ""
		}
	case "plan":
		b.List("services", "--service")
		b.List("regions", "--region")
		b.Values("version", "endpoint")
	case "notify":
		b = r.notifyArgs(configPath)
		b.Values("base", "job-results")
		b.Value("plan-matrix", "--shards")
		b.Values("site-base-url")
	case "site":
		// The site's folder is site-dir; out is, as everywhere, the
		// snapshot folder it reads.
		b = r.Args()
		b.Value("out", "--prices")
		b.Value("site-dir", "--out")
		b.Value("site-base-url", "--base-url")
		b.List("services", "--service")
		b.List("regions", "--region")
	default:
		return c, fmt.Errorf("input mode %q: want run, plan, notify or site", c.Name)
	}
	c.Args = b.Args
	return c, b.Err
}

// AfterRun completes notify's command line in the one-job setup with the
// run's result: its report (when it wrote one and succeeded) and the
// commit it made, so that the links go to that commit, not to the one
// that triggered the workflow.
func (a *Args) AfterRun(ok bool, report, commitSHA string) []string {
	status := "failure"
	if ok {
		status = "success"
		if _, err := os.Stat(report); err == nil {
			a.Args = append(a.Args, "--report", report)
			if commitSHA != "" {
				a.Args = append(a.Args, "--commit", commitSHA)
			}
		}
	}
	return append(a.Args, "--status", status)
}

// notifyArgs maps the inputs notify shares between its own mode and the
// run mode of the one-job setup.
func (r *Runner) notifyArgs(configPath string) *Args {
	n := r.withConfig(configPath)
	n.Values("flag-pct", "out")
	n.Bools("dry-run", "notify-on-no-change", "slack-thread")
	n.Values("spreadsheet-id", "sheet-tab-name", "sheet-columns", "slack-channel")
	return n
}

// publishing reports whether the inputs name a destination: a
// spreadsheet, Slack or a webhook.
func (r *Runner) publishing() bool {
	in := r.Input
	return in("spreadsheet-id") != "" || in("slack-webhook-url") != "" || in("slack-bot-token") != "" || in("webhook-url") != ""
}

// reportPath puts the action's JSON report in the runner's temp folder.
func (r *Runner) reportPath() string {
	dir := r.getenv("RUNNER_TEMP")
	if dir == "" {
		dir = os.TempDir()
	}
	return dir + "/pricechecker-report.json"
}

// withConfig starts a command line with the config input, unless it is
// the default path and that file does not exist.
func (r *Runner) withConfig(defaultPath string) *Args {
	b := r.Args()
	if c := r.Input("config"); c != "" {
		if _, err := os.Stat(c); err == nil || c != defaultPath {
			b.Args = append(b.Args, "--config", c)
		}
	}
	return b
}
