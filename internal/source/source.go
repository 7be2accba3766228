// Package source is the seam between a run and where AWS's price lists come
// from. It holds only the vocabulary: the Source interface and what it
// answers. The implementations live below it, one package per way of
// reading, each with its fake:
//
//   - source/bulk: the public Bulk API (or a file:// mirror of it), offers
//     and Savings Plans;
//   - source/pricingapi: the credentialed Pricing API, either locating the
//     same bulk files (mode files) or asking GetProducts for a selection
//     (mode products).
//
// The interface lives here rather than in its user because its answers
// (PriceList, Regions) are types every implementation must return: a
// package below the implementations would invert the layers, and one above
// them (the run) would make each implementation import the run. Which
// implementation serves a configuration entry is chosen once, by the run
// (tracker.SourceFor).
package source

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/selection"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// Source locates and reads the price lists of one configured offer or
// savings plan.
type Source interface {
	// Locate lists the regions the entry is published for at version
	// ("" for the current one), with each region's version and how to
	// read it. Nothing is downloaded but indexes.
	Locate(ctx context.Context, version string) (*Regions, error)
}

// ErrNoPricingClient is returned (wrapped) for a source: api entry when the
// run has no Pricing API client, as the plan job, which has no credentials.
var ErrNoPricingClient = errors.New("source: api needs the Pricing API client")

// Regions are an entry's price lists, by region code.
type Regions struct {
	Lists map[string]PriceList
	// Unknown is the error for a region the entry is not published for;
	// it names the close region codes.
	Unknown func(region string) error
}

// Codes returns the region codes, sorted.
func (r *Regions) Codes() []string {
	codes := make([]string, 0, len(r.Lists))
	for code := range r.Lists {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return codes
}

// PriceList is one region's price list, located but not yet read.
type PriceList struct {
	Version string
	// Read streams the price list into a sorted snapshot of the lines sel
	// selects, and returns it with the file's header and where it was read
	// from (a URL or an ARN). A *selection.Error comes with the snapshot of
	// the lines kept: the caller decides whether the names are wrong or
	// this region only lacks them.
	Read func(ctx context.Context, sel selection.Selection) (*snapshot.Snapshot, offerfile.Header, string, error)
}

// ReadOptions are how a run reads price lists, whatever their source.
type ReadOptions struct {
	// Format is the offer file format to read: json or csv.
	Format string
	// Log receives progress and warnings.
	Log              io.Writer
	ProgressInterval time.Duration
	// MaxFileBytes stops reading once the kept lines alone would make a
	// snapshot over this size; zero reads on.
	MaxFileBytes int64
}
