package cli

import (
	"context"

	"github.com/pricechecker/pricechecker/internal/actions"
)

// actionSite is the action's site mode: it builds the price-history
// website from the checked-out history, for the workflow's Pages job.
func actionSite(ctx context.Context, env Env, gh *actions.Runner) error {
	b := gh.Args()
	b.Value("out", "--prices")
	b.Value("site-dir", "--out")
	b.Value("site-base-url", "--base-url")
	b.List("services", "--service")
	b.List("regions", "--region")
	return annotate(gh, cmdSite(ctx, env, b.Args))
}
