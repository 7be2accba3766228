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
// them into the command line of run, plan, notify or site, so that the action and
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
	b := withConfig(gh)
	mode := in("mode")
	switch mode {
	case "", "run":
		b.List("services", "--service")
		b.List("regions", "--region")
		b.Values("version", "format", "out", "endpoint", "flag-pct", "max-removed-pct")
		b.Bools("accept-removals", "dry-run", "force", "commit", "push")
		b.Values("author-name", "author-email", "branch")
		if b.Err != nil {
			return annotate(gh, usageError{Err: b.Err})
		}
		report := reportPath(env)
		sha, runErr := runCommand(ctx, env, append(b.Args, "--report", report))
		if !publishing(in) {
			return runErr
		}
		// The one-job setup: publish this run's report right away.
		n := notifyArgs(gh)
		if n.Err != nil {
			return errors.Join(runErr, annotate(gh, usageError{Err: n.Err}))
		}
		status := "success"
		if runErr != nil {
			status = "failure"
		}
		n.Args = append(n.Args, "--status", status)
		if _, err := os.Stat(report); err == nil && runErr == nil {
			n.Args = append(n.Args, "--report", report)
			if sha != "" {
				// The links go to the commit this run made, not to
				// the one that triggered the workflow.
				n.Args = append(n.Args, "--commit", sha)
			}
		}
		return errors.Join(runErr, cmdNotify(ctx, notifyEnv(env, in), n.Args))
	case "plan":
		b.List("services", "--service")
		b.List("regions", "--region")
		b.Values("version", "endpoint")
		return cmdPlan(ctx, env, b.Args)
	case "notify":
		n := notifyArgs(gh)
		n.Values("base", "job-results")
		n.Value("plan-matrix", "--shards")
		if n.Err != nil {
			return annotate(gh, usageError{Err: n.Err})
		}
		return cmdNotify(ctx, notifyEnv(env, in), n.Args)
	case "site":
		return actionSite(ctx, env, gh)
	default:
		return annotate(gh, usageError{Err: fmt.Errorf("input mode %q: want run, plan, notify or site", mode)})
	}
}

// notifyArgs maps the inputs notify shares between its own mode and the
// run mode of the one-job setup.
func notifyArgs(gh *actions.Runner) *actions.Args {
	n := withConfig(gh)
	n.Values("flag-pct", "out")
	n.Bools("dry-run", "notify-on-no-change")
	n.Values("spreadsheet-id", "sheet-tab-name", "sheet-columns", "slack-channel")
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

// withConfig starts the command line with the config input, unless it is
// the default path and that file does not exist (then the event or inputs
// say what to fetch).
func withConfig(gh *actions.Runner) *actions.Args {
	b := gh.Args()
	if c := gh.Input("config"); c != "" {
		if _, err := os.Stat(c); err == nil || c != config.DefaultPath {
			b.Args = append(b.Args, "--config", c)
		}
	}
	return b
}
