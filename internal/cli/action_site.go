package cli

import (
	"context"

	"github.com/pricechecker/pricechecker/internal/actions"
)

// actionSite is the action's site mode: it builds the price-history
// website from the checked-out history, for the workflow's Pages job.
func actionSite(ctx context.Context, env Env, gh *actions.Runner) error {
	b := argBuilder{in: gh.Input}
	b.value("out", "--prices")
	b.value("site-dir", "--out")
	b.value("site-base-url", "--base-url")
	b.list("services", "--service")
	b.list("regions", "--region")
	return annotated(gh, cmdSite(ctx, env, b.args))
}
