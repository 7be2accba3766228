package pricingapi

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/pricing/types"

	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
	"github.com/pricechecker/pricechecker/internal/snapshot"
	"github.com/pricechecker/pricechecker/internal/source"
	"github.com/pricechecker/pricechecker/internal/source/bulk"
)

// API is what the sources need of the Pricing service API (*Client).
type API interface {
	PriceLists(ctx context.Context, serviceCode, version string) ([]PriceList, error)
	FileURL(ctx context.Context, arn, format string) (string, error)
	Products(ctx context.Context, serviceCode string, filters []types.Filter, each func(entry string) error) error
}

// Source locates an entry's price lists with ListPriceLists and reads each
// one either as the bulk file GetPriceListFileUrl names or as a GetProducts
// listing.
type Source struct {
	api API
	// serviceCode is what the API calls the entry: a savings plan's
	// differs from its configured code.
	serviceCode, code string
	// read reads one located price list: file or products.
	read func(ctx context.Context, pl PriceList, sel selection.Selection) (*snapshot.Snapshot, offerfile.Header, string, error)
	// files and decode read the bulk files (mode files).
	files  *bulk.Client
	decode bulk.Decoder
	opts   source.ReadOptions
}

// Files is the source that downloads the bulk files the API names, with the
// Bulk API client, and decodes them with decode.
func Files(api API, files *bulk.Client, serviceCode, code string, decode bulk.Decoder, opts source.ReadOptions) *Source {
	s := &Source{api: api, serviceCode: serviceCode, code: code, files: files, decode: decode, opts: opts}
	s.read = s.file
	return s
}

// Products is the source that asks GetProducts for the selected products
// only; it serves the current version alone.
func Products(api API, serviceCode, code string, opts source.ReadOptions) *Source {
	s := &Source{api: api, serviceCode: serviceCode, code: code, opts: opts}
	s.read = s.products
	return s
}

// Locate lists the version's price lists.
func (s *Source) Locate(ctx context.Context, version string) (*source.Regions, error) {
	lists, err := s.api.PriceLists(ctx, s.serviceCode, version)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.code, err)
	}
	ri := &bulk.RegionIndex{Regions: map[string]bulk.RegionEntry{}}
	regions := &source.Regions{
		Lists:   map[string]source.PriceList{},
		Unknown: func(region string) error { return bulk.UnknownRegionError(s.code, region, ri) },
	}
	for _, pl := range lists {
		// The region becomes a file name: hold the API's answer to the
		// shape AWS uses, as the Bulk API's indexes are.
		if !bulk.ValidRegionCode(pl.Region) {
			return nil, fmt.Errorf("%s: ListPriceLists names region %q, which is not a region code; not using it", s.code, pl.Region)
		}
		ri.Regions[pl.Region] = bulk.RegionEntry{RegionCode: pl.Region}
		regions.Lists[pl.Region] = source.PriceList{
			Version: pl.Version,
			Read: func(ctx context.Context, sel selection.Selection) (*snapshot.Snapshot, offerfile.Header, string, error) {
				return s.read(ctx, pl, sel)
			},
		}
	}
	return regions, nil
}

// file downloads the bulk file GetPriceListFileUrl names.
func (s *Source) file(ctx context.Context, pl PriceList, sel selection.Selection) (*snapshot.Snapshot, offerfile.Header, string, error) {
	u, err := s.api.FileURL(ctx, pl.ARN, s.opts.Format)
	if err != nil {
		return nil, offerfile.Header{}, "", fmt.Errorf("%s %s: %w", s.code, pl.Region, err)
	}
	f, err := s.files.OpenURL(ctx, u)
	if err != nil {
		return nil, offerfile.Header{}, "", fmt.Errorf("%s %s: %w", s.code, pl.Region, err)
	}
	return bulk.Read(s.opts, s.code, pl.Region, f, pl.Version, sel, s.decode)
}

// products asks GetProducts for the selected products of a region and
// builds the snapshot the bulk file would give.
func (s *Source) products(ctx context.Context, pl PriceList, sel selection.Selection) (*snapshot.Snapshot, offerfile.Header, string, error) {
	// A page token can expire during a long listing: start it over once,
	// from an empty snapshot.
	snap, header, n, err := s.listProducts(ctx, pl, sel)
	if errors.Is(err, ErrPageTokenExpired) {
		fmt.Fprintf(s.opts.Log, "%s %s: GetProducts page token expired; listing again\n", s.code, pl.Region)
		snap, header, n, err = s.listProducts(ctx, pl, sel)
	}
	if err != nil {
		return nil, header, "", fmt.Errorf("%s %s: %w", s.code, pl.Region, err)
	}
	fmt.Fprintf(s.opts.Log, "%s %s: GetProducts: %d products, %d lines\n", s.code, pl.Region, n, len(snap.Rows))
	if err := snap.Sort(); err != nil {
		return nil, header, "", fmt.Errorf("%s %s: GetProducts: %w", s.code, pl.Region, err)
	}
	return snap, header, pl.ARN, nil
}

// listProducts reads one GetProducts listing into a snapshot.
func (s *Source) listProducts(ctx context.Context, pl PriceList, sel selection.Selection) (*snapshot.Snapshot, offerfile.Header, int, error) {
	snap := &snapshot.Snapshot{Attributes: slices.Clone(sel.Attributes)}
	header := offerfile.Header{OfferCode: s.code, Version: pl.Version}
	dec := offerfile.NewProductDecoder(sel)
	n := 0
	err := s.api.Products(ctx, s.serviceCode, Filters(pl.Region, sel.Filters), func(entry string) error {
		info, err := dec.Decode(entry, func(l *priceline.Line) error {
			snap.Add(l)
			return nil
		})
		if err != nil {
			return err
		}
		if info.Version != pl.Version {
			return fmt.Errorf("GetProducts answers version %s, the price list is %s (GetProducts serves only the current version: use api mode files for --version, or run again if AWS just published)", info.Version, pl.Version)
		}
		header.PublicationDate = info.PublicationDate
		n++
		return nil
	})
	return snap, header, n, err
}
