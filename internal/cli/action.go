package cli

import (
	"context"
	"errors"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/config"
)

// cmdAction is the entry point of action.yml: it runs the command line
// the action's inputs make (actions.Runner.Command) for its mode, run,
// plan, notify or site, so that the action and the CLI share every check
// and default.
func cmdAction(ctx context.Context, env Env, args []string) error {
	if err := parse(newFlagSet("action", env), args, 0); err != nil {
		return err
	}
	gh := actions.New(env.Getenv, env.Stdout)
	gh.MaskSecretInputs()
	c, err := gh.Command(config.DefaultPath)
	if err != nil {
		return annotate(gh, usageError{Err: err})
	}
	// Secrets reach notify in the environment, never on a command line.
	notifyEnv := withSecrets(env, c.NotifyEnv)
	switch c.Name {
	case "plan":
		return cmdPlan(ctx, env, c.Args)
	case "notify":
		return cmdNotify(ctx, notifyEnv, c.Args)
	case "site":
		return annotate(gh, cmdSite(ctx, env, c.Args))
	}
	sha, runErr := runCommand(ctx, env, c.Args)
	if c.Notify == nil {
		return runErr
	}
	// The one-job setup: publish this run's report right away.
	if c.Notify.Err != nil {
		return errors.Join(runErr, annotate(gh, usageError{Err: c.Notify.Err}))
	}
	return errors.Join(runErr, cmdNotify(ctx, notifyEnv, c.Notify.AfterRun(runErr == nil, c.Report, sha)))
}

// withSecrets overlays values on the environment.
func withSecrets(env Env, vals map[string]string) Env {
	base := env.Getenv
	env.Getenv = func(k string) string {
		if v, ok := vals[k]; ok {
			return v
		}
		return base(k)
	}
	return env
}
