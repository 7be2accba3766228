package tracker

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pricechecker/pricechecker/internal/awsnames"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/source"
	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/source/pricingapi"
)

// This file is the one place that knows which source serves which
// configuration entry; the rest of the run sees only source.Source.

// Sources are the clients the sources read through.
type Sources struct {
	// Bulk is the Bulk API client (nil when no entry needs it, as a plan
	// whose regions are all listed).
	Bulk *bulk.Client
	// Pricing is the Pricing API; nil without credentials.
	Pricing pricingapi.API
	Read    source.ReadOptions
}

// Sources returns the clients and read options of a run.
func (o FetchOptions) Sources() Sources {
	return Sources{Bulk: o.Client, Pricing: o.Pricing, Read: source.ReadOptions{
		Format: o.Format, Log: o.Log, ProgressInterval: o.ProgressInterval, MaxFileBytes: o.MaxFileBytes,
	}}
}

// SourceFor returns the source of a configuration entry: the Bulk API
// (source: bulk, the default) or the Pricing API (source: api) in its mode,
// for an offer or a savings plan.
func SourceFor(offer config.Offer, deps Sources) (source.Source, error) {
	savingsPlan := offer.Kind == config.KindSavingsPlan
	if offer.Source != config.SourceAPI {
		if savingsPlan {
			return bulk.SavingsPlans(deps.Bulk, offer.Code, deps.Read), nil
		}
		return bulk.Offers(deps.Bulk, offer.Code, deps.Read), nil
	}
	if deps.Pricing == nil {
		return nil, fmt.Errorf("%s: %w", offer.Code, source.ErrNoPricingClient)
	}
	serviceCode, decode := offer.Code, bulk.Decoder(offerfile.Decode)
	if savingsPlan {
		serviceCode, decode = awsnames.SavingsPlanServiceCode(offer.Code), offerfile.DecodeSavingsPlan
	}
	if offer.APIMode == config.APIModeProducts {
		return pricingapi.Products(deps.Pricing, serviceCode, offer.Code, deps.Read), nil
	}
	return pricingapi.Files(deps.Pricing, deps.Bulk, serviceCode, offer.Code, decode, deps.Read), nil
}

// Connection says how to reach the sources.
type Connection struct {
	// Endpoint is the Bulk API base URL, or file://DIR for a mirror.
	Endpoint string
	// IdleTimeout is how long a download may send nothing before it is
	// resumed.
	IdleTimeout time.Duration
	// Getenv reads the Pricing API's settings (see PricingOptions); they
	// are read only when an entry reads from that API, so that settings
	// no entry uses are not checked.
	Getenv func(string) string
}

// PricingOptions are the Pricing API's settings for entries with source:
// api: the default AWS credential chain, the API in
// PRICECHECKER_PRICING_REGION (default us-east-1) or at
// PRICECHECKER_PRICING_ENDPOINT, and PRICECHECKER_PRICING_MAX_BACKOFF.
func PricingOptions(getenv func(string) string) (pricingapi.Options, error) {
	opts := pricingapi.Options{
		Endpoint: getenv("PRICECHECKER_PRICING_ENDPOINT"),
		Region:   getenv("PRICECHECKER_PRICING_REGION"),
	}
	if opts.Region != "" && !slices.Contains(pricingapi.Regions, opts.Region) {
		return opts, UsageError{Err: fmt.Errorf("PRICECHECKER_PRICING_REGION %q: the Pricing API is served from %s only", opts.Region, strings.Join(pricingapi.Regions, ", "))}
	}
	if v := getenv("PRICECHECKER_PRICING_MAX_BACKOFF"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return opts, UsageError{Err: fmt.Errorf("PRICECHECKER_PRICING_MAX_BACKOFF %q: want a duration such as 20s", v)}
		}
		opts.MaxBackoff = d
	}
	return opts, nil
}

// Connect makes the clients the configuration's sources read through: the
// Bulk API client, which also downloads the files the Pricing API names,
// and the Pricing API client when an entry needs it.
func (o *FetchOptions) Connect(ctx context.Context, c Connection) error {
	var err error
	if o.Client, err = bulk.New(c.Endpoint, nil); err != nil {
		return UsageError{Err: err}
	}
	if c.IdleTimeout <= 0 {
		return UsageError{Err: fmt.Errorf("--idle-timeout %v: want a positive duration such as 60s", c.IdleTimeout)}
	}
	o.Client.IdleTimeout = c.IdleTimeout
	if !slices.ContainsFunc(o.Config.Offers, NeedsPricingAPI) {
		return nil
	}
	opts, err := PricingOptions(c.Getenv)
	if err != nil {
		return err
	}
	o.Pricing, err = pricingapi.New(ctx, opts)
	return err
}

// NeedsPricingAPI reports whether an entry reads through the credentialed
// Pricing API, so that a caller makes that client (or, without
// credentials, leaves the entry's regions to the job that has them).
func NeedsPricingAPI(offer config.Offer) bool { return offer.Source == config.SourceAPI }

// CurrentOnly reports whether an entry's source serves only the current
// version (GetProducts), so that --version is refused before any request.
func CurrentOnly(offer config.Offer) bool {
	return offer.Source == config.SourceAPI && offer.APIMode == config.APIModeProducts
}
