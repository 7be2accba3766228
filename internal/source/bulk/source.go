package bulk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/priceline"
	"github.com/pricechecker/pricechecker/internal/selection"
	"github.com/pricechecker/pricechecker/internal/snapshot"
	"github.com/pricechecker/pricechecker/internal/source"
)

// Decoder reads one offer file: offerfile.Decode or
// offerfile.DecodeSavingsPlan.
type Decoder func(io.Reader, string, selection.Selection, offerfile.Handler) (offerfile.Header, error)

// Source reads an offer's or a savings plan's files from the Bulk API.
type Source struct {
	client *Client
	code   string
	// index fetches the region index: RegionIndex or SavingsPlanRegionIndex.
	index  func(ctx context.Context, code, version string) (*RegionIndex, error)
	decode Decoder
	opts   source.ReadOptions
}

// Offers is the source of an offer (AmazonEC2, AmazonRDS, ...).
func Offers(c *Client, code string, opts source.ReadOptions) *Source {
	return &Source{client: c, code: code, index: c.RegionIndex, decode: offerfile.Decode, opts: opts}
}

// SavingsPlans is the source of a savings plan (ComputeSavingsPlans, ...).
func SavingsPlans(c *Client, code string, opts source.ReadOptions) *Source {
	return &Source{client: c, code: code, index: c.SavingsPlanRegionIndex, decode: offerfile.DecodeSavingsPlan, opts: opts}
}

// Locate reads the region index of the version.
func (s *Source) Locate(ctx context.Context, version string) (*source.Regions, error) {
	ri, err := s.index(ctx, s.code, version)
	if err != nil {
		return nil, err
	}
	regions := &source.Regions{
		Lists:   map[string]source.PriceList{},
		Unknown: func(region string) error { return UnknownRegionError(s.code, region, ri) },
	}
	for region, entry := range ri.Regions {
		regions.Lists[region] = source.PriceList{
			Version: entry.Version(),
			Read: func(ctx context.Context, sel selection.Selection) (*snapshot.Snapshot, offerfile.Header, string, error) {
				f, err := s.client.Open(ctx, entry.FilePath(s.opts.Format))
				if err != nil {
					return nil, offerfile.Header{}, "", fmt.Errorf("%s %s: %w", s.code, region, err)
				}
				return Read(s.opts, s.code, region, f, entry.Version(), sel, s.decode)
			},
		}
	}
	return regions, nil
}

// Read streams one region's file into a sorted snapshot; want is the
// version the file must be. It closes f. The Pricing API's files mode reads
// the same files through it.
func Read(opts source.ReadOptions, code, region string, f *File, want string, sel selection.Selection, decode Decoder) (*snapshot.Snapshot, offerfile.Header, string, error) {
	defer f.Close()
	progress := NewProgress(f, opts.Log, fmt.Sprintf("%s %s %s", code, region, opts.Format), f.Size, opts.ProgressInterval)
	snap := &snapshot.Snapshot{Attributes: slices.Clone(sel.Attributes)}
	// The kept lines' bytes bound the snapshot's size from below: past the
	// file limit the run is refused anyway, so stop reading there rather
	// than hold a snapshot of several hundred megabytes first.
	var keptBytes int64
	header, err := decode(progress, opts.Format, sel, offerfile.Handler{
		Header: func(h offerfile.Header) error {
			if want != "" && h.Version != want {
				return fmt.Errorf("the file is version %s, the region index names %s (AWS published a new version during the run; run again)", h.Version, want)
			}
			return nil
		},
		Line: func(l *priceline.Line) error {
			snap.Add(l)
			for _, v := range snap.Rows[len(snap.Rows)-1] {
				keptBytes += int64(len(v)) + 1 // the value and its comma or newline
			}
			if opts.MaxFileBytes > 0 && keptBytes > opts.MaxFileBytes {
				return fmt.Errorf("the snapshot would be over %s, over GitHub's 100 MB file limit; narrow the filters or terms, or drop attribute columns", snapshot.Megabytes(opts.MaxFileBytes))
			}
			return nil
		},
	})
	// A selection error comes once the file was read to the end, so a
	// download cut off at a row's end can be behind one too.
	isSelErr := errors.As(err, new(*selection.Error))
	// The client knows why it gave up on a short body (attempts spent, no
	// ETag to resume by): keep its words.
	var cut *TruncatedError
	if errors.As(err, &cut) {
		return nil, header, "", fmt.Errorf("%s %s: read %s: %w", code, region, f.URL, cut)
	}
	if f.Size > 0 && progress.Bytes() < f.Size && (err == nil || isSelErr || errors.Is(err, io.ErrUnexpectedEOF)) {
		return nil, header, "", fmt.Errorf("%s %s: read %s: the download was cut off after %d of %d bytes; run again: %w", code, region, f.URL, progress.Bytes(), f.Size, io.ErrUnexpectedEOF)
	}
	if err != nil && !isSelErr {
		return nil, header, "", fmt.Errorf("%s %s: read %s: %w", code, region, f.URL, err)
	}
	progress.Done()
	if err := snap.Sort(); err != nil {
		return nil, header, "", fmt.Errorf("%s %s: %s: %w", code, region, f.URL, err)
	}
	if isSelErr {
		// The caller decides whether the names are wrong or this region
		// just lacks them; the lines kept (a misspelt attribute keeps
		// them) are in the snapshot.
		return snap, header, f.URL, fmt.Errorf("%s %s: %w", code, region, err)
	}
	return snap, header, f.URL, nil
}

// megabytes is how the run states sizes; the run's own size check (after
// reading) says its limit the same way.
