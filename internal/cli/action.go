package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/config"
)

// cmdAction is the entry point of action.yml. A composite action passes its
// inputs as INPUT_* variables (mapped one by one in action.yml); this turns
// them into the command line of run, plan or notify, so that the action and
// the CLI share every check and default.
func cmdAction(ctx context.Context, env Env, args []string) error {
	if err := parse(newFlagSet("action", env), args, 0); err != nil {
		return err
	}
	gh := actions.New(env.Getenv, env.Stdout)
	in := gh.Input
	// Mask first: nothing below may print a secret before GitHub knows it.
	for _, secret := range []string{"google-credentials", "slack-webhook-url", "slack-bot-token", "github-token", "webhook-url", "webhook-secret"} {
		gh.Mask(in(secret))
	}
	b := argBuilder{in: in}
	mode := in("mode")
	switch mode {
	case "", "run":
		b.configFlag()
		b.list("services", "--service")
		b.list("regions", "--region")
		b.value("version", "--version")
		b.value("format", "--format")
		b.value("out", "--out")
		b.value("endpoint", "--endpoint")
		b.value("flag-pct", "--flag-pct")
		b.value("max-removed-pct", "--max-removed-pct")
		b.bool("accept-removals", "--accept-removals")
		b.bool("dry-run", "--dry-run")
		b.bool("force", "--force")
		b.bool("commit", "--commit")
		b.bool("push", "--push")
		b.value("author-name", "--author-name")
		b.value("author-email", "--author-email")
		b.value("branch", "--branch")
		if b.err != nil {
			return annotate(gh, b.err)
		}
		report := reportPath(env)
		b.args = append(b.args, "--report", report)
		sha, runErr := runCommand(ctx, env, b.args)
		if !publishing(in) {
			return runErr
		}
		// The one-job setup: publish this run's report right away.
		n := notifyArgs(in)
		if n.err != nil {
			return errors.Join(runErr, annotate(gh, n.err))
		}
		status := "success"
		if runErr != nil {
			status = "failure"
		}
		n.args = append(n.args, "--status", status)
		if _, err := os.Stat(report); err == nil && runErr == nil {
			n.args = append(n.args, "--report", report)
			if sha != "" {
				// The links go to the commit this run made, not to
				// the one that triggered the workflow.
				n.args = append(n.args, "--commit", sha)
			}
		}
		return errors.Join(runErr, cmdNotify(ctx, notifyEnv(env, in), n.args))
	case "plan":
		b.configFlag()
		b.list("services", "--service")
		b.list("regions", "--region")
		b.value("version", "--version")
		b.value("endpoint", "--endpoint")
		if b.err != nil {
			return annotate(gh, b.err)
		}
		return cmdPlan(ctx, env, b.args)
	case "notify":
		n := notifyArgs(in)
		n.value("base", "--base")
		n.value("job-results", "--job-results")
		n.value("plan-matrix", "--shards")
		if n.err != nil {
			return annotate(gh, n.err)
		}
		return cmdNotify(ctx, notifyEnv(env, in), n.args)
	default:
		return annotate(gh, usageError{Err: fmt.Errorf("input mode %q: want run, plan or notify", mode)})
	}
}

// notifyArgs maps the inputs notify shares between its own mode and the
// run mode of the one-job setup.
func notifyArgs(in func(string) string) *argBuilder {
	n := &argBuilder{in: in}
	n.configFlag()
	n.value("flag-pct", "--flag-pct")
	n.value("out", "--out")
	n.bool("dry-run", "--dry-run")
	n.bool("notify-on-no-change", "--notify-on-no-change")
	n.value("spreadsheet-id", "--spreadsheet-id")
	n.value("sheet-tab-name", "--sheet-tab-name")
	n.value("sheet-columns", "--sheet-columns")
	n.value("slack-channel", "--slack-channel")
	return n
}

// notifyEnv passes the secret inputs in the environment, never on a
// command line.
func notifyEnv(env Env, in func(string) string) Env {
	return withSecrets(env, map[string]string{
		"SLACK_WEBHOOK_URL":  in("slack-webhook-url"),
		"SLACK_BOT_TOKEN":    in("slack-bot-token"),
		"GOOGLE_CREDENTIALS": in("google-credentials"),
		"GITHUB_TOKEN":       in("github-token"),
		// The webhook's URL is as secret as Slack's.
		"PRICECHECKER_WEBHOOK_URL":    in("webhook-url"),
		"PRICECHECKER_WEBHOOK_SECRET": in("webhook-secret"),
	})
}

// publishing reports whether the inputs name a destination: a
// spreadsheet, Slack or a webhook.
func publishing(in func(string) string) bool {
	return in("spreadsheet-id") != "" || in("slack-webhook-url") != "" || in("slack-bot-token") != "" || in("webhook-url") != ""
}

// reportPath puts the action's JSON report in the runner's temp folder.
func reportPath(env Env) string {
	dir := env.Getenv("RUNNER_TEMP")
	if dir == "" {
		dir = os.TempDir()
	}
	return dir + "/pricechecker-report.json"
}

// withSecrets overlays values on the environment (empty ones are left out).
func withSecrets(env Env, vals map[string]string) Env {
	base := env.Getenv
	env.Getenv = func(k string) string {
		if v, ok := vals[k]; ok && v != "" {
			return v
		}
		return base(k)
	}
	return env
}

// argBuilder turns inputs into flags; the first bad input is kept in err.
type argBuilder struct {
	in   func(string) string
	args []string
	err  error
}

func (b *argBuilder) value(input, flag string) {
	if v := b.in(input); v != "" {
		b.args = append(b.args, flag, v)
	}
}

func (b *argBuilder) list(input, flag string) {
	for _, v := range actions.List(b.in(input)) {
		b.args = append(b.args, flag, v)
	}
}

func (b *argBuilder) bool(input, flag string) {
	switch v := b.in(input); v {
	case "", "false":
	case "true":
		b.args = append(b.args, flag)
	default:
		if b.err == nil {
			b.err = usageError{Err: fmt.Errorf("input %s: %q is not true or false", input, v)}
		}
	}
}

// configFlag passes the config input unless it is the default path and
// that file does not exist (then the event or inputs say what to fetch).
func (b *argBuilder) configFlag() {
	c := b.in("config")
	if c == "" {
		return
	}
	if _, err := os.Stat(c); err != nil && c == config.DefaultPath {
		return
	}
	b.args = append(b.args, "--config", c)
}
