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
	// Flags are the diff's flags (the first maxChanges).
	Flags []report.Flag
}

// Change is one line that moved at a version.
type Change struct {
	Kind     string // "new", "removed" or "changed"
	RateCode string
	Label    string
	Old, New string
	Currency string
	Pct      string
	// Fields lists the other columns that changed under the same rate
	// code: `memory "4 GiB" → "8 GiB"`.
	Fields string
	// Flags are the kinds of the diff's flags on the line.
	Flags []string
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
func update(ctx context.Context, repo *gitstore.Repo, o *Offer, flagPct float64, stats *Stats) error {
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
		o.apply(ch, flagPct)
		return nil
	})
	if errors.Is(err, gitstore.ErrAfterNotFound) {
		// The last built commit is gone from the history (nothing was
		// applied): start over.
		*o = Offer{File: o.File, OfferCode: o.OfferCode, Region: o.Region}
		return update(ctx, repo, o, flagPct, stats)
	}
	if err != nil {
		return fmt.Errorf("read the history of %s: %w", o.File, err)
	}
	return nil
}

// apply adds one version, the way gitstore.History builds its series: a
// point where a line first appears, where its price changes and where it
// disappears. Its change report is snapshot.Diff's (what the run commits and
// `pricechecker diff` prints): see diff.
func (o *Offer) apply(ch gitstore.Changes, flagPct float64) {
	if o.Lines == nil {
		o.Lines = map[string]*Line{}
	}
	rev := ch.Revision
	start := len(o.Versions) == 0
	v := Version{Revision: rev, Lines: ch.Lines, Start: start}
	// before holds the previous record of the lines this version touched
	// that were in force (a line that comes back after removal is new).
	before := map[string]report.Line{}
	var after []report.Line
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
		n := len(s.Points)
		if n > 0 && !s.Points[n-1].Removed {
			before[l.RateCode] = s.Line
		}
		s.Line = l
		after = append(after, l)
		switch {
		case n == 0 || s.Points[n-1].Removed:
			s.Points = append(s.Points, gitstore.Point{Revision: rev, Price: l.Price, First: start})
		case s.Points[n-1].Price != l.Price:
			s.Points = append(s.Points, gitstore.Point{Revision: rev, Price: l.Price})
		}
	}
	for _, rate := range ch.Removed {
		s := o.Lines[rate]
		if s == nil {
			continue
		}
		if n := len(s.Points); !s.Points[n-1].Removed {
			before[rate] = s.Line
			s.Points = append(s.Points, gitstore.Point{Revision: rev, Removed: true})
		}
	}
	if !start {
		o.diff(&v, before, after, flagPct)
	}
	o.Versions = append(o.Versions, v)
}

// diff fills v's change report with snapshot.Diff's between two partial
// snapshots: the lines the version touched as they were and as they are,
// with every line in force of the SKUs it touched in both (what the
// reserved_above_on_demand flag compares). Lines the version did not touch
// are the same in both and add nothing, so the counts, changes and flags are
// those of the diff of the whole versions. (The lines gitstore gives back
// carry no effective date, which the diff ignores, nor tier ranges.)
func (o *Offer) diff(v *Version, before map[string]report.Line, after []report.Line, flagPct float64) {
	skus := map[string]bool{}
	touched := map[string]bool{}
	for _, l := range before {
		skus[l.SKU] = true
		touched[l.RateCode] = true
	}
	for _, l := range after {
		skus[l.SKU] = true
		touched[l.RateCode] = true
	}
	var oldLines, curLines []report.Line
	for _, l := range before {
		oldLines = append(oldLines, l)
	}
	curLines = append(curLines, after...)
	for rate, s := range o.Lines {
		if touched[rate] || s.Removed() || !skus[s.Line.SKU] {
			continue
		}
		oldLines = append(oldLines, s.Line)
		curLines = append(curLines, s.Line)
	}
	d := snapshot.Diff(partial(oldLines), partial(curLines), snapshot.DiffOptions{FlagPct: flagPct})
	v.Added, v.Removed, v.Changed = len(d.Added), len(d.Removed), len(d.Changed)
	kinds := map[string][]string{}
	for _, f := range d.Flags {
		kinds[f.RateCode] = append(kinds[f.RateCode], f.Kind)
		if len(v.Flags) < maxChanges {
			v.Flags = append(v.Flags, f)
		}
	}
	for _, l := range d.Added {
		v.Changes = append(v.Changes, Change{Kind: "new", RateCode: l.RateCode, Label: linelabel.Label(l, o.Attrs), New: l.Price, Currency: l.Currency})
	}
	for _, c := range d.Changed {
		l := o.Lines[c.RateCode].Line
		var fields []string
		for _, f := range c.AttributeChanges {
			if f.Field != snapshot.FixedColumns[snapshot.ColEffectiveDate] {
				fields = append(fields, fmt.Sprintf("%s %q → %q", f.Field, f.Old, f.New))
			}
		}
		ch := Change{Kind: "changed", RateCode: c.RateCode, Label: linelabel.Label(l, o.Attrs), Old: c.OldPrice, New: c.NewPrice,
			Currency: c.Currency, Fields: strings.Join(fields, ", ")}
		if c.OldPrice != c.NewPrice {
			ch.Pct = report.FormatPct(c.ChangePct)
		}
		v.Changes = append(v.Changes, ch)
	}
	for _, l := range d.Removed {
		v.Changes = append(v.Changes, Change{Kind: "removed", RateCode: l.RateCode, Label: linelabel.Label(l, o.Attrs), Old: l.Price, Currency: l.Currency})
	}
	slices.SortFunc(v.Changes, func(a, b Change) int { return strings.Compare(a.RateCode, b.RateCode) })
	v.Changes = v.Changes[:min(len(v.Changes), maxChanges)]
	for i := range v.Changes {
		v.Changes[i].Flags = kinds[v.Changes[i].RateCode]
	}
}

// partial is a snapshot of lines, sorted by rate code as snapshots are.
func partial(lines []report.Line) *snapshot.Snapshot {
	s := &snapshot.Snapshot{}
	for _, l := range lines {
		for k := range l.Attributes {
			if !slices.Contains(s.Attributes, k) {
				s.Attributes = append(s.Attributes, k)
			}
		}
	}
	slices.Sort(s.Attributes)
	n := len(snapshot.FixedColumns)
	for _, l := range lines {
		row := make([]string, n+len(s.Attributes))
		row[snapshot.ColRateCode] = l.RateCode
		row[snapshot.ColSKU] = l.SKU
		row[snapshot.ColTermType] = l.TermType
		row[snapshot.ColUnit] = l.Unit
		row[snapshot.ColPrice] = l.Price
		row[snapshot.ColCurrency] = l.Currency
		row[snapshot.ColLeaseContractLength] = l.LeaseContractLength
		row[snapshot.ColPurchaseOption] = l.PurchaseOption
		row[snapshot.ColOfferingClass] = l.OfferingClass
		row[snapshot.ColDescription] = l.Description
		for i, a := range s.Attributes {
			row[n+i] = l.Attributes[a]
		}
		s.Rows = append(s.Rows, row)
	}
	slices.SortFunc(s.Rows, func(a, b []string) int { return strings.Compare(a[snapshot.ColRateCode], b[snapshot.ColRateCode]) })
	return s
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
