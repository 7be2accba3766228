package gitstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"

	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// Changes is what one version of a snapshot file changed against the
// version before it in the walk.
type Changes struct {
	Revision
	// Lines is how many lines the version has.
	Lines int
	// Changed holds the lines added or whose record differs in any column
	// (all of them at the first version walked), by rate code.
	Changed []report.Line
	// Removed holds the rate codes of the lines that disappeared, sorted.
	Removed []string
}

// ChangesOptions bound WalkChanges.
type ChangesOptions struct {
	WalkOptions
	// After, when set, is a commit whose version the caller already has:
	// the walk reads the versions up to it only to know what the next one
	// changed (without decoding them, nor calling fn), then goes on. Set
	// Since to its date (minus a second: git's dates are to the second) so
	// that the walk starts there rather than at the beginning.
	After string
}

// ErrAfterNotFound is WalkChanges's error when opts.After is not among the
// commits walked (the history was rewritten): the caller must start over.
var ErrAfterNotFound = errors.New("the commit to resume after is no longer in the history")

// WalkChanges calls fn, oldest first, for every commit that changed file,
// with what the version changed against the one before. It reads the same
// versions as Walk, but decodes only the records whose bytes differ from
// the previous version's (a hash per rate code), so a year of daily
// versions of a large file, where a few lines move a day, costs little
// more than git's reading it. A version whose header differs is decoded
// whole.
func (r *Repo) WalkChanges(ctx context.Context, file string, opts ChangesOptions, fn func(Changes) error) error {
	d := newDiffer()
	d.hashOnly = opts.After != ""
	err := r.walkVersions(ctx, file, opts.WalkOptions, func(rev Revision, data []byte, ok bool) error {
		if !ok {
			data = nil // deleted: every line is removed
		}
		ch := Changes{Revision: rev}
		if err := d.diff(data, &ch); err != nil {
			return fmt.Errorf("read %s at %s: %w", file, short(rev.Commit), err)
		}
		if d.hashOnly {
			d.hashOnly = rev.Commit != opts.After // known: the next one is news
			return nil
		}
		return fn(ch)
	})
	if err != nil {
		return err
	}
	if d.hashOnly { // After was never met
		return fmt.Errorf("history of %s after %s: %w", file, short(opts.After), ErrAfterNotFound)
	}
	return nil
}

// differ remembers, per rate code, a hash of the record of the previous
// version; data buffers are reused by cat-file, so no bytes are kept.
type differ struct {
	// hashOnly records the hashes of a version without decoding its
	// lines: a version the caller already has.
	hashOnly bool
	seed     maphash.Seed
	header   []string
	gen      int
	seen     map[string]*seenRecord
	// order is the previous version's records in file order, next the
	// current one's: versions keep their order, so the record at the same
	// place is almost always the same line, found without a map lookup.
	order, next []*seenRecord
}

type seenRecord struct {
	hash uint64
	gen  int // the last version that had the line
}

func newDiffer() *differ {
	return &differ{seed: maphash.MakeSeed(), seen: map[string]*seenRecord{}}
}

func (d *differ) diff(data []byte, ch *Changes) error {
	d.gen++
	sc, err := snapshot.NewScanner(data)
	if err != nil {
		return err
	}
	if h := sc.Header(); h != nil && !slices.Equal(h, d.header) {
		d.header = h
		for _, s := range d.seen {
			s.hash = 0 // the columns moved: every record is decoded anew
		}
	}
	n := 0
	d.next = d.next[:0]
	for sc.Next() {
		rec := sc.Raw()
		if len(bytes.TrimSpace(rec)) == 0 {
			continue
		}
		h := maphash.Bytes(d.seed, rec)
		rate, _, _ := bytes.Cut(rec, []byte{','})
		quoted := len(rate) > 0 && rate[0] == '"'
		var s *seenRecord
		if i := len(d.next); i < len(d.order) && d.order[i].hash == h {
			// The same bytes as the record at this place before, rate
			// code included (a 64-bit hash: a false match is a chance of
			// 1 in 10^19 per record).
			s = d.order[i]
		} else {
			s = d.seen[string(rate)]
		}
		if s != nil && s.hash == h && s.gen == d.gen-1 && !quoted {
			s.gen = d.gen
			n++
			d.next = append(d.next, s)
			continue
		}
		var l report.Line
		if d.hashOnly && !quoted && s == nil {
			// Not decoded: only the rate code is needed.
			l.RateCode = string(rate)
		} else {
			row, err := sc.Row()
			if err != nil {
				return err
			}
			if len(row) != len(d.header) {
				continue // as Walk: a record of the wrong width is no line
			}
			l = sc.Line(row)
		}
		if s = d.seen[l.RateCode]; s == nil {
			s = &seenRecord{}
			d.seen[l.RateCode] = s
		} else if s.gen == d.gen {
			continue // a rate code twice: the first one counts
		}
		s.hash, s.gen = h, d.gen
		n++
		if !d.hashOnly {
			ch.Changed = append(ch.Changed, l)
		}
		d.next = append(d.next, s)
	}
	d.order, d.next = d.next, d.order
	ch.Lines = n
	if n < len(d.seen) {
		for rate, s := range d.seen {
			if s.gen != d.gen {
				ch.Removed = append(ch.Removed, rate)
				delete(d.seen, rate)
			}
		}
		slices.Sort(ch.Removed)
	}
	slices.SortFunc(ch.Changed, func(a, b report.Line) int { return strings.Compare(a.RateCode, b.RateCode) })
	return nil
}
