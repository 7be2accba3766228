package site

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pricechecker/pricechecker/internal/gitstore"
	"github.com/pricechecker/pricechecker/internal/linelabel"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// maxChanges bounds the changes kept per version for the pages and feeds;
// the counts stay whole and the JSON history has every point.
const maxChanges = 200

// Offer is the history of one snapshot file (an offer in a region), kept
// between builds in the state file.
type Offer struct {
	File, OfferCode, Region string
	// Attrs are the attribute columns the lines carry, in the order of
	// sortAttrs; labels name the attributes in this order.
	Attrs []string
	// Lines holds every line ever seen, by rate code, removed ones too.
	Lines map[string]*Line
	// Versions are the revisions of the file, oldest first.
	Versions []Version
}

// Line is one price line and the points where its price moved.
type Line struct {
	Line   report.Line
	Points []gitstore.Point
}

// Removed reports whether the line is no longer in force.
func (l *Line) Removed() bool { return l.Points[len(l.Points)-1].Removed }

// Version is one recorded revision of a snapshot file.
type Version struct {
	gitstore.Revision
	Lines                   int
	Added, Removed, Changed int
	// Start marks the first revision: the start of the history, whose
	// lines are not news.
	Start   bool
	Changes []Change
}

// Change is one line that moved at a version.
type Change struct {
	Kind     string // "new", "removed" or "changed"
	RateCode string
	Label    string
	Old, New string
	Currency string
	Pct      string
}

// Stats counts what a build read, so that tests and benchmarks can check
// that a rebuild reads only what changed.
type Stats struct {
	// Versions is how many snapshot versions were decoded: those new to
	// the site. (A rebuild also has git read the last version it built,
	// only to hash its records.)
	Versions int
	// Offers is how many offers/regions were walked at all.
	Offers int
}

// update brings o up to the repository's HEAD, reading only the versions of
// its file after the last one it holds (and that one, where the walk
// resumes). A history that no longer contains that version (rewritten) is
// read again from the start.
func update(ctx context.Context, repo *gitstore.Repo, o *Offer, stats *Stats) error {
	var opts gitstore.ChangesOptions
	if n := len(o.Versions); n > 0 {
		opts.After = o.Versions[n-1].Commit
		// git's --since is to the second; a second earlier keeps the last
		// built commit in the walk, to resume after it.
		opts.Since = o.Versions[n-1].Date.Add(-time.Second)
	}
	stats.Offers++
	err := repo.WalkChanges(ctx, o.File, opts, func(ch gitstore.Changes) error {
		stats.Versions++
		o.apply(ch)
		return nil
	})
	if errors.Is(err, gitstore.ErrAfterNotFound) {
		// The last built commit is gone from the history (nothing was
		// applied): start over.
		*o = Offer{File: o.File, OfferCode: o.OfferCode, Region: o.Region}
		return update(ctx, repo, o, stats)
	}
	if err != nil {
		return fmt.Errorf("read the history of %s: %w", o.File, err)
	}
	return nil
}

// apply adds one version, the way gitstore.History builds its series: a
// point where a line first appears, where its price changes and where it
// disappears.
func (o *Offer) apply(ch gitstore.Changes) {
	if o.Lines == nil {
		o.Lines = map[string]*Line{}
	}
	rev := ch.Revision
	start := len(o.Versions) == 0
	v := Version{Revision: rev, Lines: ch.Lines, Start: start}
	for _, l := range ch.Changed {
		for k := range l.Attributes {
			if !slices.Contains(o.Attrs, k) {
				o.Attrs = append(o.Attrs, k)
				sortAttrs(o.Attrs)
			}
		}
		s := o.Lines[l.RateCode]
		if s == nil {
			s = &Line{}
			o.Lines[l.RateCode] = s
		}
		s.Line = l
		n := len(s.Points)
		switch {
		case n == 0 || s.Points[n-1].Removed:
			s.Points = append(s.Points, gitstore.Point{Revision: rev, Price: l.Price, First: start})
			if !start {
				v.Added++
				v.add(Change{Kind: "new", RateCode: l.RateCode, Label: linelabel.Label(l, o.Attrs), New: l.Price, Currency: l.Currency})
			}
		case s.Points[n-1].Price != l.Price:
			old := s.Points[n-1].Price
			s.Points = append(s.Points, gitstore.Point{Revision: rev, Price: l.Price})
			v.Changed++
			v.add(Change{Kind: "changed", RateCode: l.RateCode, Label: linelabel.Label(l, o.Attrs), Old: old, New: l.Price,
				Currency: l.Currency, Pct: report.FormatPct(snapshot.ChangePct(old, l.Price))})
		}
	}
	for _, rate := range ch.Removed {
		s := o.Lines[rate]
		if s == nil {
			continue
		}
		if n := len(s.Points); !s.Points[n-1].Removed {
			v.Removed++
			v.add(Change{Kind: "removed", RateCode: rate, Label: linelabel.Label(s.Line, o.Attrs), Old: s.Points[n-1].Price, Currency: s.Line.Currency})
			s.Points = append(s.Points, gitstore.Point{Revision: rev, Removed: true})
		}
	}
	slices.SortFunc(v.Changes, func(a, b Change) int { return strings.Compare(a.RateCode, b.RateCode) })
	o.Versions = append(o.Versions, v)
}

func (v *Version) add(c Change) {
	if len(v.Changes) < maxChanges {
		v.Changes = append(v.Changes, c)
	}
}

// Current returns the lines in force, by rate code.
func (o *Offer) Current() []*Line {
	var out []*Line
	for _, l := range o.Lines {
		if !l.Removed() {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b *Line) int { return strings.Compare(a.Line.RateCode, b.Line.RateCode) })
	return out
}

// Sorted returns every line ever seen, by rate code.
func (o *Offer) Sorted() []*Line {
	out := make([]*Line, 0, len(o.Lines))
	for _, l := range o.Lines {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b *Line) int { return strings.Compare(a.Line.RateCode, b.Line.RateCode) })
	return out
}

// Latest is the newest version.
func (o *Offer) Latest() Version { return o.Versions[len(o.Versions)-1] }

// LastChange is the newest version where a price moved (or the first one).
func (o *Offer) LastChange() Version {
	for i := len(o.Versions) - 1; i >= 0; i-- {
		v := o.Versions[i]
		if v.Start || v.Added+v.Removed+v.Changed > 0 {
			return v
		}
	}
	return o.Latest()
}

// Slug is the offer's folder under the site: offer/region.
func (o *Offer) Slug() string { return o.OfferCode + "/" + o.Region }

// sortAttrs orders attribute names for labels and columns: the instance
// type first (what people look for), then the rest by name. The configured
// order is not in the lines git gives back.
func sortAttrs(attrs []string) {
	slices.SortFunc(attrs, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "instanceType":
			return -1
		case b == "instanceType":
			return 1
		}
		return strings.Compare(a, b)
	})
}

// latestCommit is the commit of the newest version, "" for none.
func (o *Offer) latestCommit() string {
	if o == nil || len(o.Versions) == 0 {
		return ""
	}
	return o.Latest().Commit
}
