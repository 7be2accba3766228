package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/awsnames"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/pipeline"
	"github.com/pricechecker/pricechecker/internal/source/bulk"
)

// maxMatrixJobs is GitHub's limit on the jobs one matrix generates.
const maxMatrixJobs = 256

// Shard is one (offer, region) job of a fanned-out workflow.
type Shard struct {
	Offer   string `json:"offer"`
	Region  string `json:"region"`
	Version string `json:"version"`
}

// cmdPlan turns the configuration and the triggering event into the matrix
// of shards a workflow fans out over: one runner per offer and region, so
// that a configuration tracking every EC2 region is not one machine's job.
func cmdPlan(ctx context.Context, env Env, args []string) error {
	gh := actions.New(env.Getenv, env.Stdout)
	end := gh.Group("Plan the shards")
	err := plan(ctx, env, gh, args)
	end()
	return annotated(gh, err)
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
	if f.version != "" && !isVersion(f.version) {
		return usageError{fmt.Errorf("--version %q: want the 14-digit version AWS publishes, such as 20250912225308", f.version)}
	}
	ev, err := gh.Event()
	if err != nil {
		return err
	}
	cfg, err := loadConfig(f.config)
	if err != nil {
		return usageError{err}
	}
	services := []string(f.services)
	if len(services) == 0 && ev.Name == "repository_dispatch" {
		if services = trackedServices(env.Stderr, cfg, ev); len(services) == 0 {
			return writePlan(env, gh, nil)
		}
	} else if len(services) == 0 {
		services = ev.Services
	}
	regions := []string(f.regions)
	if len(regions) == 0 {
		regions = ev.Regions
	}
	version := f.version
	if version == "" {
		version = ev.Version
	}
	cfg, err = config.Resolve(cfg, services, regions)
	if err != nil {
		return usageError{err}
	}
	var shards []Shard
	var client *bulk.Client
	for _, o := range cfg.Offers {
		regions := o.Regions
		if o.AllRegions() && pipeline.NeedsPricingAPI(o) {
			// The plan job has no AWS credentials: the shard lists the
			// regions itself.
			shards = append(shards, Shard{Offer: o.Code, Region: config.AllRegions, Version: version})
			continue
		}
		if o.AllRegions() {
			if client == nil {
				endpoint := f.endpoint
				if endpoint == "" {
					endpoint = env.Getenv("PRICECHECKER_ENDPOINT")
				}
				if client, err = bulk.New(endpoint, nil); err != nil {
					return usageError{err}
				}
			}
			src, err := pipeline.SourceFor(o, pipeline.Sources{Bulk: client})
			if err != nil {
				return err
			}
			located, err := src.Locate(ctx, version)
			if err != nil {
				return err
			}
			regions = located.Codes()
		}
		for _, r := range regions {
			shards = append(shards, Shard{Offer: o.Code, Region: r, Version: version})
		}
	}
	if len(shards) > maxMatrixJobs {
		return usageError{fmt.Errorf("the plan has %d shards, more than the %d jobs GitHub runs from one matrix; split the configuration into workflows with a config each (--config), or list fewer regions", len(shards), maxMatrixJobs)}
	}
	return writePlan(env, gh, shards)
}

// savingsPlansEvent is the relay's repository_dispatch event type for the
// Savings Plans topic.
const savingsPlansEvent = "aws-savings-plans-update"

// configured returns the configured code a dispatched offer code names:
// Savings Plans codes arrive in any of AWS's spellings.
func configured(cfg config.Config, code string) (string, bool) {
	if sp, ok := awsnames.SavingsPlanCode(code); ok {
		code = sp
	}
	ok := slices.ContainsFunc(cfg.Offers, func(o config.Offer) bool { return o.Code == code })
	return code, ok
}

// trackedServices returns the configured offers and savings plans a
// repository_dispatch names. A notification for a service the config does
// not track is not an error (the relay may be subscribed to every
// service): it is said and skipped. The Savings Plans topic may fire without
// naming a plan: then every configured plan is re-read.
func trackedServices(log io.Writer, cfg config.Config, ev actions.Event) []string {
	dispatched := ev.Services
	if len(dispatched) == 0 && ev.Action == savingsPlansEvent {
		for _, o := range cfg.Offers {
			if o.IsSavingsPlan() {
				dispatched = append(dispatched, o.Code)
			}
		}
		if len(dispatched) == 0 {
			fmt.Fprintln(log, "no savings plan is in the configuration; ignoring the Savings Plans notification")
		}
	}
	var services []string
	for _, s := range dispatched {
		if code, ok := configured(cfg, s); ok {
			services = append(services, code)
		} else {
			fmt.Fprintf(log, "offer %s is not in the configuration; ignoring its notification\n", s)
		}
	}
	return services
}

func writePlan(env Env, gh *actions.Runner, shards []Shard) error {
	if shards == nil {
		shards = []Shard{}
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
