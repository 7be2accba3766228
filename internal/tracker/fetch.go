package tracker

// This file is the fetch stage of `pricechecker run`: for every configured
// offer and region it locates the published file, streams it through the
// decoder, builds the snapshot, compares it with the previous one and,
// unless it is a dry run, replaces the snapshot files and manifests
// together. It is the one place that knows the order of the stages; the
// stages know nothing of it.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pricechecker/pricechecker/internal/atomicfile"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/offerfile"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/selection"
	"github.com/pricechecker/pricechecker/internal/snapshot"
	"github.com/pricechecker/pricechecker/internal/source/bulk"
	"github.com/pricechecker/pricechecker/internal/source/pricingapi"
)

// Skipped reasons of a region that is not fetched.
const (
	// SkippedRecorded: the manifest already records the version.
	SkippedRecorded = "version already recorded"
	// SkippedOlder: the manifest records a newer version, as when
	// notifications arrive out of order.
	SkippedOlder = "older than the recorded version"
)

// FetchOptions configure the fetch stage of a run.
type FetchOptions struct {
	Config config.Config
	// Version fetches that published version instead of the current one.
	Version string
	// Format is the offer file format to read: json or csv.
	Format string
	// Out is the snapshot folder.
	Out    string
	DryRun bool
	// Force refetches versions the manifest already records.
	Force bool
	// Client is the Bulk API client; it also downloads the files the
	// Pricing API names.
	Client *bulk.Client
	// Pricing is the Pricing API, for entries with source: api; nil when
	// none has.
	Pricing pricingapi.API
	// Log receives progress and warnings.
	Log              io.Writer
	ProgressInterval time.Duration
	// Recorded is the history the run skips by and compares with
	// (default: the snapshot folder, WorkTree(Out)).
	Recorded Recorded
	// MaxFileBytes refuses a snapshot larger than this and WarnFileBytes
	// warns above this; they default to GitHub's limits (tests lower them).
	MaxFileBytes, WarnFileBytes int64
	// AcceptRemovals lets a version remove more than the configured
	// maxRemovedPct of a region's lines (or all of them); the report flags it.
	AcceptRemovals bool
}

// FetchResult is what the fetch stage produced.
type FetchResult struct {
	Report report.Report
	// Written lists the files replaced (empty on a dry run or no change).
	Written  []string
	Warnings []string
}

// Fetch runs the fetch stage. On error nothing under Out has changed, except
// that temporary files a killed run left there are gone.
func Fetch(ctx context.Context, opts FetchOptions) (*FetchResult, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Format == "" {
		opts.Format = offerfile.FormatCSV
	}
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = snapshot.MaxFileBytes
	}
	if opts.WarnFileBytes <= 0 {
		opts.WarnFileBytes = snapshot.WarnFileBytes
	}
	if opts.Recorded == nil {
		opts.Recorded = WorkTree(opts.Out)
	}
	if !opts.DryRun {
		if err := removeStale(opts); err != nil {
			return nil, err
		}
	}
	res := &FetchResult{Report: report.Report{Unchanged: true, Offers: []report.Offer{}}}
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

func runOffer(ctx context.Context, opts FetchOptions, offer config.Offer, res *FetchResult, batch *atomicfile.Batch) error {
	src, err := SourceFor(offer, opts.Sources())
	if err != nil {
		return err
	}
	located, err := src.Locate(ctx, opts.Version)
	if err != nil {
		return err
	}
	files := located.Lists
	regions := offer.Regions
	if offer.AllRegions() {
		regions = located.Codes()
	}
	for _, r := range regions {
		if _, ok := files[r]; !ok {
			return located.Unknown(r)
		}
	}
	manifest, err := opts.Recorded.Manifest(offer.Code)
	if err != nil {
		return err
	}
	sel := offer.Selection()
	fingerprint := selectionFingerprint(sel)
	touched := false
	// A selection that names what one region's file lacks is only a typo
	// when no region has it: with regions: [all], a Local Zone may simply
	// not sell what the filter names, or publish no such attribute.
	var lacks []regionLack
	lacking := map[string]int{} // problem name -> regions whose file lacks it
	read := 0
	had := recordedColumns(manifest, fingerprint, sel.Attributes) // and the previous snapshots' columns
	for _, region := range regions {
		file := files[region]
		version := file.Version
		path := snapshot.Path(opts.Out, offer.Code, region)
		has, err := opts.Recorded.HasSnapshot(offer.Code, region)
		if err != nil {
			return err
		}
		if reason := skipReason(manifest.Regions[region], version, fingerprint, has, opts); reason != "" {
			prev := manifest.Regions[region]
			res.Report.Offers = append(res.Report.Offers, report.Offer{
				OfferCode: offer.Code, Region: region, FromVersion: prev.Version, ToVersion: version,
				PublicationDate: prev.PublicationDate, Skipped: reason,
				Added: []report.Line{}, Removed: []report.Line{}, Changed: []report.Change{}, Flags: []report.Flag{},
			})
			if reason == SkippedOlder {
				fmt.Fprintf(opts.Log, "%s %s: version %s is older than the recorded %s; skipping (use --force to fetch it anyway)\n", offer.Code, region, version, prev.Version)
			} else {
				fmt.Fprintf(opts.Log, "%s %s: version %s already recorded; skipping (use --force to refetch)\n", offer.Code, region, version)
			}
			continue
		}
		snap, header, src, err := file.Read(ctx, sel)
		var selErr *selection.Error
		if errors.As(err, &selErr) && snap != nil {
			lacks = append(lacks, regionLack{region: region, err: selErr, rows: len(snap.Rows)})
			for _, p := range selErr.Problems {
				lacking[p.Name]++
			}
		} else if err != nil {
			return err
		}
		read++
		size, err := snap.EncodedSize()
		if err != nil {
			return err
		}
		if size > opts.MaxFileBytes {
			return fmt.Errorf("%s %s: the snapshot would be %s, over GitHub's 100 MB file limit; narrow the filters or terms, or drop attribute columns", offer.Code, region, snapshot.Megabytes(size))
		}
		if size > opts.WarnFileBytes {
			w := fmt.Sprintf("%s %s: the snapshot is %s; GitHub warns above 50 MB, consider narrower filters", offer.Code, region, snapshot.Megabytes(size))
			res.Warnings = append(res.Warnings, w)
			fmt.Fprintln(opts.Log, "warning:", w)
		}
		old, err := opts.Recorded.Snapshot(offer.Code, region)
		if errors.Is(err, os.ErrNotExist) {
			old = nil
		} else if err != nil {
			return err
		}
		had.add(region, old)
		diff := snapshot.Diff(old, snap, snapshot.DiffOptions{FlagPct: opts.Config.FlagPct})
		diff.OfferCode, diff.Region = offer.Code, region
		diff.FromVersion = manifest.Regions[region].Version
		diff.ToVersion = header.Version
		diff.PublicationDate = header.PublicationDate
		if err := guardRemovals(opts, offer.Code, region, src, manifest.Regions[region], fingerprint, old, snap, &diff, selErr); err != nil {
			return err
		}
		res.Report.Offers = append(res.Report.Offers, diff)

		sum := sha256.New()
		if err := stage(opts, batch, path, func(w io.Writer) error { return snap.Encode(io.MultiWriter(w, sum)) }); err != nil {
			return err
		}
		res.Written = append(res.Written, path)
		state := snapshot.RegionState{
			Version: header.Version, PublicationDate: header.PublicationDate, SourceURL: src,
			File: region + ".csv", Rows: len(snap.Rows), SHA256: hex.EncodeToString(sum.Sum(nil)),
			Selection: fingerprint,
		}
		// The same price list read again (--force, the other format, a
		// mirror) changes nothing: keep the entry as it was, so that only
		// where it was read from does not make a commit.
		if prev, ok := manifest.Regions[region]; ok && sameList(prev, state) {
			state = prev
		}
		manifest.Regions[region] = state
		touched = true
	}
	// A name every region lacks is a typo, unless it is an attribute an
	// earlier snapshot had: AWS dropped it.
	dropped := func(p selection.Problem) bool { return lacking[p.Name] == read && droppedAttribute(p, had) }
	for _, l := range lacks {
		// A name every region lacks is among each region's problems, so
		// the first region with one names every typo.
		typos := &selection.Error{Kept: l.err.Kept}
		for _, p := range l.err.Problems {
			if lacking[p.Name] == read && !dropped(p) {
				typos.Problems = append(typos.Problems, p)
			}
		}
		if len(typos.Problems) > 0 {
			return fmt.Errorf("%s %s: %w", offer.Code, l.region, typos)
		}
	}
	warnLacks(opts, res, offer.Code, lacks, dropped, had)
	if !touched {
		return nil
	}
	data, err := manifest.Encode()
	if err != nil {
		return err
	}
	mpath := snapshot.ManifestPath(opts.Out, offer.Code)
	if err := stage(opts, batch, mpath, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return err
	}
	res.Written = append(res.Written, mpath)
	return nil
}

// regionLack is a region whose file lacks names the selection uses.
type regionLack struct {
	region string
	err    *selection.Error
	rows   int
}

// sameList reports whether two manifest entries record the same snapshot of
// the same version, wherever it was read from.
func sameList(a, b snapshot.RegionState) bool {
	a.SourceURL, b.SourceURL = "", ""
	return a == b
}

// selectionFingerprint identifies what a snapshot selects, so that a
// changed configuration is not mistaken for "already recorded".
func selectionFingerprint(sel selection.Selection) string {
	data, _ := json.Marshal(sel) // maps are marshalled with sorted keys
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// skipReason says why a region need not be fetched, or "" to fetch it. A
// changed selection is always fetched: the snapshot must follow the config.
func skipReason(prev snapshot.RegionState, version, fingerprint string, hasSnapshot bool, opts FetchOptions) string {
	if opts.Force || prev.Version == "" || prev.Selection != fingerprint || !hasSnapshot {
		return ""
	}
	switch {
	case prev.Version == version:
		return SkippedRecorded
	case version < prev.Version: // versions are fixed-width timestamps
		return SkippedOlder
	}
	return ""
}

// stage prepares a file for the end of the run; a dry run only encodes it,
// so that it touches nothing on disk, not even a folder.
func stage(opts FetchOptions, batch *atomicfile.Batch, path string, write func(io.Writer) error) error {
	if opts.DryRun {
		return write(io.Discard)
	}
	return batch.Stage(path, 0o644, write)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
