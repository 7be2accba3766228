package gitstore

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// Selector picks price lines. Within a field the values are alternatives;
// the fields must all hold. The zero Selector picks every line.
type Selector struct {
	RateCodes []string
	SKUs      []string
	// Filters maps a column title (an attribute such as instanceType, or a
	// fixed column such as term_type) to the values it may have.
	Filters map[string][]string
}

// Revision is a commit that changed a snapshot file.
type Revision struct {
	Commit string
	// Date is the commit date: when the price was recorded.
	Date time.Time
	// Version and PublicationDate are AWS's, from the manifest at the commit.
	Version         string
	PublicationDate string
}

// WalkOptions bound a walk over history.
type WalkOptions struct {
	// Since and Until, when set, keep the commits whose date is within them.
	Since, Until time.Time
}

// Walk calls fn, oldest first, for every commit that changed file (a path
// from the top of the repository, as Snapshots returns), with the lines of
// that version that sel selects (none when the file was deleted). Each
// version is read through one git cat-file process and scanned without
// being decoded whole; only the selected lines are kept, so memory does not
// grow with the length of the history. The slice passed to fn is fn's to
// keep.
func (r *Repo) Walk(ctx context.Context, file string, sel Selector, opts WalkOptions, fn func(Revision, []report.Line) error) error {
	m := newMatcher(sel)
	return r.walkVersions(ctx, file, opts, func(rev Revision, data []byte, ok bool) error {
		var selected []report.Line
		if ok {
			var err error
			if selected, err = m.scan(data); err != nil {
				return fmt.Errorf("read %s at %s: %w", file, short(rev.Commit), err)
			}
		}
		return fn(rev, selected)
	})
}

// walkVersions calls fn, oldest first, for every commit that changed file,
// with the commit's revision (its manifest's version of the region) and
// the file's bytes at it (ok false when the commit deleted it). The bytes are cat-file's buffer, valid only
// during the call. A cat-file process of the walk's own is fed every
// request up front by a goroutine, so that git unpacks the next version
// while fn reads this one; cancelling stops it if the walk ends early.
func (r *Repo) walkVersions(ctx context.Context, file string, opts WalkOptions, fn func(rev Revision, data []byte, ok bool) error) error {
	args := []string{"-c", "log.showSignature=false", "log", "--format=%H%x09%cI", "--reverse"}
	if !opts.Since.IsZero() {
		args = append(args, "--since="+gitDate(opts.Since))
	}
	if !opts.Until.IsZero() {
		args = append(args, "--until="+gitDate(opts.Until))
	}
	out, err := git(ctx, r.root, append(args, "HEAD", "--", file)...)
	if err != nil {
		return fmt.Errorf("history of %s: %w", file, err)
	}
	commits := lines(out)
	if len(commits) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cat, err := startCatFile(ctx, r.root, "")
	if err != nil {
		return err
	}
	defer func() {
		cancel()
		cat.close()
	}()
	manifest := path.Join(path.Dir(file), "manifest.json")
	go func() {
		for _, l := range commits {
			sha, _, _ := strings.Cut(l, "\t")
			if cat.request(sha+":"+manifest) != nil || cat.request(sha+":"+file) != nil {
				return
			}
		}
		cat.w.Flush()
	}()
	_, region := SnapshotFile(file)
	for _, l := range commits {
		if err := ctx.Err(); err != nil {
			return err
		}
		sha, date, _ := strings.Cut(l, "\t")
		t, err := time.Parse(time.RFC3339, date)
		if err != nil {
			return fmt.Errorf("commit %s: bad date %q", short(sha), date)
		}
		rev := Revision{Commit: sha, Date: t}
		data, ok, err := cat.next(sha + ":" + manifest)
		if err != nil {
			return err
		}
		if ok {
			st, err := regionOf(data, region)
			if err != nil {
				return fmt.Errorf("read %s at %s: %w", manifest, short(sha), err)
			}
			rev.Version, rev.PublicationDate = st.Version, st.PublicationDate
		}
		if data, ok, err = cat.next(sha + ":" + file); err != nil {
			return err
		}
		if err := fn(rev, data, ok); err != nil {
			return err
		}
	}
	return nil
}

// At returns the lines of file that sel selects as they were at t: the
// version recorded by the last commit at or before t. It wraps ErrNoCommit
// when the file's history starts after t.
func (r *Repo) At(ctx context.Context, file string, t time.Time, sel Selector) (Revision, []report.Line, error) {
	sha, err := r.CommitAt(ctx, t, file)
	if err != nil {
		return Revision{}, nil, err
	}
	date, err := r.CommitDate(ctx, sha)
	if err != nil {
		return Revision{}, nil, err
	}
	rev, err := r.revision(sha, date.Format(time.RFC3339), file)
	if err != nil {
		return Revision{}, nil, err
	}
	selected, err := r.selectAt(sha, file, newMatcher(sel))
	return rev, selected, err
}

// CommitDate returns the commit date of a revision.
func (r *Repo) CommitDate(ctx context.Context, rev string) (time.Time, error) {
	out, err := git(ctx, r.root, "show", "--no-patch", "--no-show-signature", "--format=%cI", rev, "--")
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(out))
	if err != nil {
		return time.Time{}, fmt.Errorf("commit %s: bad date %q", rev, strings.TrimSpace(out))
	}
	return t, nil
}

func (r *Repo) revision(sha, date, file string) (Revision, error) {
	t, err := time.Parse(time.RFC3339, date)
	if err != nil {
		return Revision{}, fmt.Errorf("commit %s: bad date %q", short(sha), date)
	}
	st, err := r.regionState(sha, file)
	if err != nil {
		return Revision{}, err
	}
	return Revision{Commit: sha, Date: t, Version: st.Version, PublicationDate: st.PublicationDate}, nil
}

func (r *Repo) selectAt(sha, file string, m *matcher) ([]report.Line, error) {
	data, ok, err := r.read(sha, file)
	if err != nil || !ok {
		return nil, err
	}
	selected, err := m.scan(data)
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", file, short(sha), err)
	}
	return selected, nil
}

// Point is a line's price at one revision.
type Point struct {
	Revision
	Price string
	// Removed marks the revision where the line disappeared.
	Removed bool
	// First marks a point at the first revision walked: the start of the
	// history, not a line AWS added.
	First bool
}

// Series is the price history of one line.
type Series struct {
	OfferCode, Region string
	// Line is the line as last seen.
	Line   report.Line
	Points []Point
}

// HistoryOptions tune History.
type HistoryOptions struct {
	WalkOptions
	// All keeps a point for every revision, not only where the price moved.
	All bool
}

// History returns the price history of the lines of file that sel selects,
// ordered by rate code: a point where a line first appears, where its price
// changes and where it disappears (every revision with All).
func (r *Repo) History(ctx context.Context, file string, sel Selector, opts HistoryOptions) ([]Series, error) {
	offer, region := SnapshotFile(file)
	byRate := map[string]*Series{}
	first := true
	err := r.Walk(ctx, file, sel, opts.WalkOptions, func(rev Revision, selected []report.Line) error {
		seen := make(map[string]bool, len(selected))
		for _, l := range selected {
			seen[l.RateCode] = true
			s := byRate[l.RateCode]
			if s == nil {
				s = &Series{OfferCode: offer, Region: region}
				byRate[l.RateCode] = s
			}
			s.Line = l
			n := len(s.Points)
			if opts.All || n == 0 || s.Points[n-1].Removed || s.Points[n-1].Price != l.Price {
				s.Points = append(s.Points, Point{Revision: rev, Price: l.Price, First: first})
			}
		}
		first = false
		for rate, s := range byRate {
			if n := len(s.Points); !seen[rate] && !s.Points[n-1].Removed {
				s.Points = append(s.Points, Point{Revision: rev, Removed: true})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Series, 0, len(byRate))
	for _, s := range byRate {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Series) int { return strings.Compare(a.Line.RateCode, b.Line.RateCode) })
	return out, nil
}

// matcher finds the selected lines of a snapshot without decoding all of it:
// snapshot.Scanner hands it each record's bytes, it rejects most with a byte
// comparison, and decodes only those left.
type matcher struct {
	sel       Selector
	rateCodes map[string]bool
	skus      map[string]bool
	needles   [][][]byte // per filter: the CSV-encoded forms of its values
	names     []string   // filter columns, in the order of needles
}

func newMatcher(sel Selector) *matcher {
	m := &matcher{sel: sel}
	if len(sel.RateCodes) > 0 {
		m.rateCodes = make(map[string]bool)
		for _, rc := range sel.RateCodes {
			m.rateCodes[rc] = true
		}
	}
	if len(sel.SKUs) > 0 {
		m.skus = make(map[string]bool)
		for _, s := range sel.SKUs {
			m.skus[s] = true
		}
	}
	for name, values := range sel.Filters {
		var ns [][]byte
		for _, v := range values {
			ns = append(ns, []byte(strings.ReplaceAll(v, `"`, `""`)))
		}
		m.names = append(m.names, name)
		m.needles = append(m.needles, ns)
	}
	return m
}

func (m *matcher) scan(data []byte) ([]report.Line, error) {
	sc, err := snapshot.NewScanner(data)
	if err != nil || sc.Header() == nil {
		return nil, err
	}
	cols := make([]int, len(m.names))
	for i, name := range m.names {
		cols[i] = sc.Column(name)
		if cols[i] < 0 {
			return nil, nil // no line of this version has the column
		}
	}
	var out []report.Line
	for sc.Next() {
		if !m.maybe(sc.Raw()) {
			continue
		}
		row, err := sc.Row()
		if err != nil {
			return nil, err
		}
		if len(row) != len(sc.Header()) || !m.match(row, cols) {
			continue
		}
		out = append(out, sc.Line(row))
	}
	return out, nil
}

// maybe is the cheap test: false means the record cannot match.
func (m *matcher) maybe(rec []byte) bool {
	if m.rateCodes != nil || m.skus != nil {
		comma := bytes.IndexByte(rec, ',')
		if comma < 0 {
			return false
		}
		rate := rec[:comma]
		if m.rateCodes != nil && !m.rateCodes[string(rate)] {
			return false
		}
		if m.skus != nil {
			sku, _, _ := bytes.Cut(rate, []byte{'.'})
			if !m.skus[string(sku)] {
				return false
			}
		}
	}
	for _, ns := range m.needles {
		found := false
		for _, n := range ns {
			if bytes.Contains(rec, n) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// match is the exact test on a decoded row.
func (m *matcher) match(row []string, cols []int) bool {
	if m.rateCodes != nil && !m.rateCodes[row[snapshot.ColRateCode]] {
		return false
	}
	if m.skus != nil && !m.skus[row[snapshot.ColSKU]] {
		return false
	}
	for i, name := range m.names {
		if !slices.Contains(m.sel.Filters[name], row[cols[i]]) {
			return false
		}
	}
	return true
}
