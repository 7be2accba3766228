// Package pipeline runs `pricechecker run`: for every configured offer and
// region it locates the published file, streams it through the decoder,
// builds the snapshot, compares it with the previous one and, unless it is a
// dry run, replaces the snapshot files and manifests together. It is the one
// place that knows the order of the stages; the stages know nothing of it.
package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/pricechecker/pricechecker/internal/atomicfile"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/pricelist"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// SkippedRecorded is the Skipped reason of a region whose version the
// manifest already records.
const SkippedRecorded = "version already recorded"

// Options configure a run.
type Options struct {
	Config config.Config
	// Version fetches that published version instead of the current one.
	Version string
	// Format is the offer file format to read: json or csv.
	Format string
	// Out is the snapshot folder.
	Out    string
	DryRun bool
	// Force refetches versions the manifest already records.
	Force  bool
	Client *pricelist.Client
	// Log receives progress and warnings.
	Log              io.Writer
	ProgressInterval time.Duration
}

// Result is what a run produced.
type Result struct {
	Report report.Report
	// Written lists the files replaced (empty on a dry run or no change).
	Written  []string
	Warnings []string
}

// Run executes the pipeline. On error nothing under Out has changed.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Format == "" {
		opts.Format = offerfile.FormatCSV
	}
	res := &Result{Report: report.Report{Unchanged: true, Offers: []report.Offer{}}}
	var batch atomicfile.Batch
	defer batch.Discard()

	for _, offer := range opts.Config.Offers {
		if err := runOffer(ctx, opts, offer, res, &batch); err != nil {
			return nil, err
		}
	}
	for _, o := range res.Report.Offers {
		if !o.Empty() {
			res.Report.Unchanged = false
		}
	}
	if opts.DryRun {
		res.Written = nil
		return res, nil
	}
	if err := batch.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

func runOffer(ctx context.Context, opts Options, offer config.Offer, res *Result, batch *atomicfile.Batch) error {
	ri, err := opts.Client.RegionIndex(ctx, offer.Code, opts.Version)
	if err != nil {
		return err
	}
	regions := offer.Regions
	if offer.AllRegions() {
		regions = ri.Codes()
	}
	for _, r := range regions {
		if _, ok := ri.Regions[r]; !ok {
			return pricelist.UnknownRegionError(offer.Code, r, ri)
		}
	}
	manifest, err := snapshot.LoadManifest(opts.Out, offer.Code)
	if err != nil {
		return err
	}
	sel := offerfile.Selection{Terms: offer.Terms, Filters: offer.Filters, Attributes: offer.Attributes}
	fingerprint := selectionFingerprint(sel)
	touched := false
	for _, region := range regions {
		entry := ri.Regions[region]
		version := entry.Version()
		path := snapshot.Path(opts.Out, offer.Code, region)
		if prev, ok := manifest.Regions[region]; ok && !opts.Force && prev.Version == version && prev.Selection == fingerprint && fileExists(path) {
			res.Report.Offers = append(res.Report.Offers, report.Offer{
				OfferCode: offer.Code, Region: region, FromVersion: prev.Version, ToVersion: version,
				PublicationDate: prev.PublicationDate, Skipped: SkippedRecorded,
				Added: []report.Line{}, Removed: []report.Line{}, Changed: []report.Change{}, Flags: []report.Flag{},
			})
			fmt.Fprintf(opts.Log, "%s %s: version %s already recorded; skipping (use --force to refetch)\n", offer.Code, region, version)
			continue
		}
		snap, header, src, err := fetch(ctx, opts, offer.Code, region, entry, sel)
		if err != nil {
			return err
		}
		size, err := snap.EncodedSize()
		if err != nil {
			return err
		}
		if size > snapshot.MaxFileBytes {
			return fmt.Errorf("%s %s: the snapshot would be %d MB, over GitHub's 100 MB file limit; narrow the filters or terms, or drop attribute columns", offer.Code, region, size>>20)
		}
		if size > snapshot.WarnFileBytes {
			w := fmt.Sprintf("%s %s: the snapshot is %d MB; GitHub warns above 50 MB, consider narrower filters", offer.Code, region, size>>20)
			res.Warnings = append(res.Warnings, w)
			fmt.Fprintln(opts.Log, "warning:", w)
		}
		old, err := snapshot.Load(path)
		if errors.Is(err, os.ErrNotExist) {
			old = nil
		} else if err != nil {
			return err
		}
		diff := snapshot.Diff(old, snap, snapshot.DiffOptions{FlagPct: opts.Config.FlagPct})
		diff.OfferCode, diff.Region = offer.Code, region
		diff.FromVersion = manifest.Regions[region].Version
		diff.ToVersion = header.Version
		diff.PublicationDate = header.PublicationDate
		res.Report.Offers = append(res.Report.Offers, diff)

		sum := sha256.New()
		if err := batch.Stage(path, 0o644, func(w io.Writer) error { return snap.Encode(io.MultiWriter(w, sum)) }); err != nil {
			return err
		}
		res.Written = append(res.Written, path)
		manifest.Regions[region] = snapshot.RegionState{
			Version: header.Version, PublicationDate: header.PublicationDate, SourceURL: src,
			File: region + ".csv", Rows: len(snap.Rows), SHA256: hex.EncodeToString(sum.Sum(nil)),
			Selection: fingerprint,
		}
		touched = true
	}
	if !touched {
		return nil
	}
	data, err := manifest.Encode()
	if err != nil {
		return err
	}
	mpath := snapshot.ManifestPath(opts.Out, offer.Code)
	if err := batch.Stage(mpath, 0o644, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return err
	}
	res.Written = append(res.Written, mpath)
	return nil
}

// fetch streams one region's offer file into a sorted snapshot.
func fetch(ctx context.Context, opts Options, code, region string, entry pricelist.RegionEntry, sel offerfile.Selection) (*snapshot.Snapshot, offerfile.Header, string, error) {
	f, err := opts.Client.Open(ctx, entry.FilePath(opts.Format))
	if err != nil {
		return nil, offerfile.Header{}, "", fmt.Errorf("%s %s: %w", code, region, err)
	}
	defer f.Close()
	progress := pricelist.NewProgress(f, opts.Log, fmt.Sprintf("%s %s %s", code, region, opts.Format), f.Size, opts.ProgressInterval)
	want := entry.Version()
	snap := &snapshot.Snapshot{Attributes: slices.Clone(sel.Attributes)}
	header, err := offerfile.Decode(progress, opts.Format, sel, offerfile.Handler{
		Header: func(h offerfile.Header) error {
			if want != "" && h.Version != want {
				return fmt.Errorf("the file is version %s, the region index names %s (AWS published a new version during the run; run again)", h.Version, want)
			}
			return nil
		},
		Line: func(l *offerfile.Line) error {
			snap.Add(l)
			return nil
		},
	})
	if f.Size > 0 && progress.Bytes() < f.Size && (err == nil || errors.Is(err, io.ErrUnexpectedEOF)) {
		return nil, header, "", fmt.Errorf("%s %s: read %s: the download was cut off after %d of %d bytes; run again: %w", code, region, f.URL, progress.Bytes(), f.Size, io.ErrUnexpectedEOF)
	}
	if err != nil {
		return nil, header, "", fmt.Errorf("%s %s: read %s: %w", code, region, f.URL, err)
	}
	progress.Done()
	if err := snap.Sort(); err != nil {
		return nil, header, "", fmt.Errorf("%s %s: %s: %w", code, region, f.URL, err)
	}
	return snap, header, f.URL, nil
}

// selectionFingerprint identifies what a snapshot selects, so that a
// changed configuration is not mistaken for "already recorded".
func selectionFingerprint(sel offerfile.Selection) string {
	data, _ := json.Marshal(sel) // maps are marshalled with sorted keys
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
