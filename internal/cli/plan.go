package cli

import (
	"cmp"
	"context"
	"fmt"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/tracker"
)

// cmdPlan prints the matrix of shards a workflow fans out over
// (tracker.Shards), from the configuration and the triggering event.
func cmdPlan(ctx context.Context, env Env, args []string) error {
	gh := actions.New(env.Getenv, env.Stdout)
	end := gh.Group("Plan the shards")
	err := plan(ctx, env, gh, args)
	end()
	return annotate(gh, err)
}

func plan(ctx context.Context, env Env, gh *actions.Runner, args []string) error {
	var services, regions listFlag
	var o tracker.ShardOptions
	sel := tracker.Selection{Log: env.Stderr, OnlyTracked: true}
	fs := newFlagSet("plan", env)
	fs.StringVar(&sel.ConfigPath, "config", "", "configuration file (default "+config.DefaultPath+" when it exists)")
	fs.Var(&services, "service", "offer code (repeatable; overrides the config and the event)")
	fs.Var(&regions, "region", "region code or all (repeatable; overrides the config and the event)")
	fs.StringVar(&o.Version, "version", "", "published version the shards fetch")
	fs.StringVar(&o.Endpoint, "endpoint", "", "Bulk API base URL or file://DIR (to expand regions: [all])")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := tracker.CheckVersion(o.Version); err != nil {
		return err
	}
	ev, err := gh.Event()
	if err != nil {
		return err
	}
	sel.Services, sel.Regions = services, regions
	sel.FromEvent(ev, &o.Version, func(name string) bool {
		return map[string]bool{"service": len(services) > 0, "region": len(regions) > 0, "version": o.Version != ""}[name]
	})
	o.Endpoint = cmp.Or(o.Endpoint, env.Getenv("PRICECHECKER_ENDPOINT"))
	matrix, n, err := tracker.Plan(ctx, sel, o)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, matrix)
	gh.SetOutput("matrix", matrix)
	gh.SetOutput("shards", fmt.Sprint(n))
	return nil
}
