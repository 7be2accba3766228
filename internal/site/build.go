// Package site builds the static price-history website: a home page, a
// page per offer and region with its lines and their timelines, a changes
// page, Atom feeds and JSON, from the git history of the snapshot folder
// (read as `pricechecker history` reads it, through gitstore).
package site

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pricechecker/pricechecker/internal/atomicfile"
	"github.com/pricechecker/pricechecker/internal/config"
	"github.com/pricechecker/pricechecker/internal/gitstore"
)

// Options say what to build and where.
type Options struct {
	// Repo is the git repository holding the history; Prices the snapshot
	// folder inside it (as `history --out`).
	Repo, Prices string
	// Out is the folder the site is written to.
	Out string
	// Services and Regions, when set, keep only those offers/regions.
	Services, Regions []string
	// BaseURL, when set, makes the feeds' links absolute
	// (https://example.github.io/prices/).
	BaseURL string
	// CommitURL, when set, links a commit: CommitURL + sha
	// (https://github.com/owner/repo/commit/).
	CommitURL string
	// FlagPct flags price moves above this percentage in the change
	// reports, as `pricechecker diff --flag-pct`; 0 is the default,
	// config.DefaultFlagPct.
	FlagPct float64
	// Stats, when set, receives what the build read.
	Stats *Stats
}

// stateFile keeps, in Out, the last commit built and the offers' data, so
// that the next build reads only the versions after it.
const stateFile = ".site-state.gob"

// stateVersion changes when the state's shape does; an older state is
// ignored and the site built from scratch.
// 2: versions carry snapshot.Diff's report (attribute-only changes and
// flags), so a state of 1 is rebuilt.
const stateVersion = 2

type state struct {
	Version int
	Prices  string
	FlagPct float64
	Head    string
	Offers  map[string]*Offer // by snapshot file
}

// Build writes the site for opts. It reads the state left by the previous
// build in opts.Out and only the snapshot versions committed since.
func Build(ctx context.Context, opts Options) error {
	stats := opts.Stats
	if stats == nil {
		stats = &Stats{}
	}
	flagPct := opts.FlagPct
	if flagPct <= 0 {
		flagPct = config.DefaultFlagPct
	}
	repo, err := gitstore.Open(ctx, opts.Repo)
	if err != nil {
		return err
	}
	defer repo.Close()
	prices, err := repo.Path(opts.Prices)
	if err != nil {
		return err
	}
	head, err := repo.Resolve(ctx, "HEAD")
	if err != nil {
		return fmt.Errorf("find HEAD of %s: %w", opts.Repo, err)
	}
	all, err := repo.Snapshots(ctx, "HEAD", prices)
	if err != nil {
		return fmt.Errorf("list the snapshots under %s at HEAD: %w", prices, err)
	}
	var files []string
	for _, f := range all {
		offer, region := gitstore.SnapshotFile(f)
		if (len(opts.Services) == 0 || slices.Contains(opts.Services, offer)) && (len(opts.Regions) == 0 || slices.Contains(opts.Regions, region)) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return fmt.Errorf("no snapshot under %s at HEAD; is --prices right, and was a run committed?", prices)
	}

	st := loadState(filepath.Join(opts.Out, stateFile))
	if st.Version != stateVersion || st.Prices != prices || st.FlagPct != flagPct {
		st = state{Version: stateVersion, Prices: prices, FlagPct: flagPct, Offers: map[string]*Offer{}}
	}
	var offers []*Offer
	// fresh holds the offers whose pages must be written: those with new
	// versions, or whose pages are missing.
	fresh := map[string]bool{}
	for _, f := range files {
		o := st.Offers[f]
		if o == nil {
			offer, region := gitstore.SnapshotFile(f)
			o = &Offer{File: f, OfferCode: offer, Region: region}
		}
		before := o.latestCommit()
		if st.Head != head || before == "" {
			if err := update(ctx, repo, o, flagPct, stats); err != nil {
				return err
			}
		}
		if len(o.Versions) == 0 {
			continue // not in HEAD's history (a file only in the work tree)
		}
		if o.Latest().Commit != before || !exists(filepath.Join(opts.Out, "offers", filepath.FromSlash(o.Slug()), "data.js")) {
			fresh[f] = true
		}
		offers = append(offers, o)
	}
	st.Head = head
	st.Offers = map[string]*Offer{}
	for _, o := range offers {
		st.Offers[o.File] = o
	}

	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return fmt.Errorf("create the site folder: %w", err)
	}
	if err := render(opts, offers, fresh, time.Now().UTC()); err != nil {
		return fmt.Errorf("write the site to %s: %w", opts.Out, err)
	}
	// The state goes last: a build that failed before leaves the previous
	// one, and the next build redoes the work.
	err = atomicfile.WriteFile(filepath.Join(opts.Out, stateFile), 0o644, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		if err := gob.NewEncoder(bw).Encode(st); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return fmt.Errorf("save the site state: %w", err)
	}
	return nil
}

// loadState reads the previous build's state; a missing or unreadable one
// is an empty state (the build starts from scratch).
func loadState(path string) state {
	var st state
	f, err := os.Open(path)
	if err != nil {
		return st
	}
	defer f.Close()
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<16)).Decode(&st); err != nil {
		return state{}
	}
	return st
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// removeStaleOffers deletes the pages of offers no longer built, so the
// site does not keep offering them.
func removeStaleOffers(out string, keep map[string]bool) error {
	dir := filepath.Join(out, "offers")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		slug := strings.TrimSuffix(rel, "/"+filepath.Base(rel))
		if !keep[slug] {
			return os.Remove(p)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// CommitURL guesses the web address of a commit from the repository's
// origin remote, when it is on GitHub: https://github.com/owner/repo/commit/.
// Anything else (no remote, another host) is "": commits are not linked.
func CommitURL(ctx context.Context, repoDir string) string {
	out, err := exec.CommandContext(ctx, "git", "-C", repoDir, "remote", "get-url", "origin").Output()
	if err != nil {
		return ""
	}
	return commitURL(strings.TrimSpace(string(out)))
}

func commitURL(remote string) string {
	var path string
	switch {
	case strings.HasPrefix(remote, "git@github.com:"):
		path = strings.TrimPrefix(remote, "git@github.com:")
	case strings.HasPrefix(remote, "https://github.com/"):
		path = strings.TrimPrefix(remote, "https://github.com/")
	default:
		return ""
	}
	path = strings.TrimSuffix(strings.TrimSuffix(path, "/"), ".git")
	if strings.Count(path, "/") != 1 || strings.ContainsAny(path, "@:?#") {
		return "" // credentials or something that is not owner/repo
	}
	return "https://github.com/" + path + "/commit/"
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
