package cli

import (
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
	var f runFlags
	fs := newFlagSet("plan", env)
	fs.StringVar(&f.config, "config", "", "configuration file (default "+config.DefaultPath+" when it exists)")
	fs.Var(&f.services, "service", "offer code (repeatable; overrides the config and the event)")
	fs.Var(&f.regions, "region", "region code or all (repeatable; overrides the config and the event)")
	fs.StringVar(&f.version, "version", "", "published version the shards fetch")
	fs.StringVar(&f.endpoint, "endpoint", "", "Bulk API base URL or file://DIR (to expand regions: [all])")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := tracker.CheckVersion(f.version); err != nil {
		return err
	}
	ev, err := gh.Event()
	if err != nil {
		return err
	}
	sel := tracker.Selection{ConfigPath: f.config, Services: f.services, Regions: f.regions, Log: env.Stderr, OnlyTracked: true}
	if len(sel.Services) == 0 && ev.Name == "repository_dispatch" {
		sel.Dispatched, sel.DispatchAction, sel.DispatchedServices = true, ev.Action, ev.Services
	} else if len(sel.Services) == 0 {
		sel.Services = ev.Services
	}
	if len(sel.Regions) == 0 {
		sel.Regions = ev.Regions
	}
	if f.version == "" {
		f.version = ev.Version
	}
	cfg, err := tracker.Resolve(sel)
	if errors.Is(err, tracker.ErrNotTracked) {
		return writeShards(env, gh, nil)
	}
	if err != nil {
		return err
	}
	if f.endpoint == "" {
		f.endpoint = env.Getenv("PRICECHECKER_ENDPOINT")
	}
	shards, err := tracker.Shards(ctx, tracker.ShardOptions{Config: cfg, Version: f.version, Endpoint: f.endpoint})
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
