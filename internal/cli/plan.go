package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
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
	fromEvent(&sel, &o.Version, ev, func(name string) bool {
		return map[string]bool{"service": len(services) > 0, "region": len(regions) > 0, "version": o.Version != ""}[name]
	})
	o.Endpoint = cmp.Or(o.Endpoint, env.Getenv("PRICECHECKER_ENDPOINT"))
	if o.Config, err = tracker.Resolve(sel); errors.Is(err, tracker.ErrNotTracked) {
		return writeShards(env, gh, nil)
	} else if err != nil {
		return err
	}
	shards, err := tracker.Shards(ctx, o)
	if err != nil {
		return err
	}
	return writeShards(env, gh, shards)
}

// writeShards prints the matrix and sets it as the step's output.
func writeShards(env Env, gh *actions.Runner, shards []tracker.Shard) error {
	if shards == nil {
		shards = []tracker.Shard{}
	}
	data, err := json.Marshal(shards)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, string(data))
	gh.SetOutput("matrix", string(data))
	gh.SetOutput("shards", fmt.Sprint(len(shards)))
	return nil
}

// fromEvent lets the triggering GitHub event choose what to fetch where
// the command line does not (given reports whether it does): a
// repository_dispatch names offers and a version, checked against the
// configuration; a workflow_dispatch carries the manual inputs.
func fromEvent(sel *tracker.Selection, version *string, ev actions.Event, given func(flag string) bool) {
	if !given("service") && ev.Name == "repository_dispatch" {
		sel.Dispatched, sel.DispatchAction, sel.DispatchedServices = true, ev.Action, ev.Services
	} else if !given("service") && len(ev.Services) > 0 {
		sel.Services = ev.Services
	}
	if !given("region") && len(ev.Regions) > 0 {
		sel.Regions = ev.Regions
	}
	if !given("version") && ev.Version != "" {
		*version = ev.Version
	}
}
