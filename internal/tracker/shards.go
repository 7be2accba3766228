package tracker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/pricechecker/pricechecker/internal/awsnames"
	"github.com/pricechecker/pricechecker/internal/config"
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

// ShardOptions configure Shards.
type ShardOptions struct {
	// Config is the resolved configuration.
	Config config.Config
	// Version is the published version the shards fetch.
	Version string
	// Endpoint is the Bulk API base URL or file://DIR, to list the regions
	// of an entry with regions: [all].
	Endpoint string
}

// Shards is the matrix a workflow fans out over: one runner per offer and
// region, so that a configuration tracking every EC2 region is not one
// machine's job.
func Shards(ctx context.Context, o ShardOptions) ([]Shard, error) {
	var shards []Shard
	var client *bulk.Client
	for _, offer := range o.Config.Offers {
		regions := offer.Regions
		if offer.AllRegions() && NeedsPricingAPI(offer) {
			// The plan job has no AWS credentials: the shard lists the
			// regions itself.
			shards = append(shards, Shard{Offer: offer.Code, Region: config.AllRegions, Version: o.Version})
			continue
		}
		if offer.AllRegions() {
			if client == nil {
				var err error
				if client, err = bulk.New(o.Endpoint, nil); err != nil {
					return nil, UsageError{Err: err}
				}
			}
			src, err := SourceFor(offer, Sources{Bulk: client})
			if err != nil {
				return nil, err
			}
			located, err := src.Locate(ctx, o.Version)
			if err != nil {
				return nil, err
			}
			regions = located.Codes()
		}
		for _, r := range regions {
			shards = append(shards, Shard{Offer: offer.Code, Region: r, Version: o.Version})
		}
	}
	if len(shards) > maxMatrixJobs {
		return nil, UsageError{Err: fmt.Errorf("the plan has %d shards, more than the %d jobs GitHub runs from one matrix; split the configuration into workflows with a config each (--config), or list fewer regions", len(shards), maxMatrixJobs)}
	}
	return shards, nil
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

// Tracked returns the configured offers and savings plans a
// repository_dispatch (of type action, naming dispatched) names. A
// notification for a service the config does not track is not an error
// (the relay may be subscribed to every service): it is said and skipped.
// The Savings Plans topic may fire without naming a plan: then every
// configured plan is re-read.
func Tracked(log io.Writer, cfg config.Config, action string, dispatched []string) []string {
	if len(dispatched) == 0 && action == savingsPlansEvent {
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

// Plan is the plan use case: the matrix of the selection's shards, as the
// JSON list a workflow's matrix takes. A dispatch naming nothing the
// configuration tracks plans no shard ([]).
func Plan(ctx context.Context, sel Selection, o ShardOptions) (matrix string, shards int, err error) {
	var list []Shard
	if o.Config, err = Resolve(sel); err == nil {
		list, err = Shards(ctx, o)
	} else if errors.Is(err, ErrNotTracked) {
		err = nil
	}
	if err != nil {
		return "", 0, err
	}
	data, err := json.Marshal(append([]Shard{}, list...))
	return string(data), len(list), err
}
