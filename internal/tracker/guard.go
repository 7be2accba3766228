package tracker

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/pricechecker/pricechecker/internal/awsnames"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/selection"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// guardRemovals stands between a diff and its snapshot: AWS retires price
// lines a few at a time, while a broken or cut file loses them by the
// hundred, and a snapshot written from such a file would report every lost
// line as removed and commit that. It refuses
//   - a file that yields no line where the previous snapshot had some, and
//   - more than maxRemovedPct of the previous lines removed in one version,
//
// unless the user accepts the removals; then it flags them in the report.
// A changed selection (the user's edit, not AWS's) removes what it
// removes: the guard only compares snapshots of the same selection.
func guardRemovals(opts FetchOptions, code, region, url string, prev snapshot.RegionState, fingerprint string, old, cur *snapshot.Snapshot, diff *report.Offer, selErr *selection.Error) error {
	if old == nil || len(old.Rows) == 0 || (prev.Selection != "" && prev.Selection != fingerprint) {
		return nil
	}
	before, removed := len(old.Rows), len(diff.Removed)
	pct := float64(removed) * 100 / float64(before)
	limit := opts.Config.RemovalLimit()
	what := fmt.Sprintf("%d of %d lines (%.1f%%)", removed, before, pct)
	empty := len(cur.Rows) == 0
	if !empty && pct <= limit {
		return nil
	}
	if opts.AcceptRemovals {
		msg := fmt.Sprintf("%s removed in one version, over maxRemovedPct %g; accepted with --accept-removals", what, limit)
		if empty {
			msg = fmt.Sprintf("all %d lines removed: version %s yields no line; accepted with --accept-removals", before, diff.ToVersion)
		}
		diff.AddRegionFlag(report.Flag{Kind: report.FlagLargeRemoval, Message: msg})
		return nil
	}
	if empty {
		why := ""
		if selErr != nil {
			why = fmt.Sprintf(" (%v)", selErr)
		}
		return fmt.Errorf("%s %s: %s yields no price line for the selection, where the previous snapshot (version %s) has %d%s; AWS may have published a broken file; run again later. Nothing was written. If AWS really retired every line, run with --accept-removals", code, region, url, cmp.Or(prev.Version, "unknown"), before, why)
	}
	return fmt.Errorf("%s %s: %s would be removed, over maxRemovedPct %g (version %s → %s); AWS may have published a broken or cut file: run again later. Nothing was written. If AWS really removed them, run with --accept-removals, or raise maxRemovedPct in the config (or --max-removed-pct)", code, region, what, limit, cmp.Or(prev.Version, "unknown"), diff.ToVersion)
}

// columns collects the attribute columns the previous snapshots of an offer
// have, by normalised name, and which regions' columns held a value.
type columns struct {
	names  map[string]bool
	filled map[[2]string]bool // {region, normalised name}
}

// recordedColumns starts the set with the selection's own attributes when
// the manifest records a region made with this very selection (the
// fingerprint covers the attribute list): that run succeeded, so a file had
// each of them then. It speaks for the regions this run does not read
// (skipped as already recorded), before the loop overwrites the entries.
func recordedColumns(m *snapshot.Manifest, fingerprint string, attrs []string) *columns {
	c := &columns{names: map[string]bool{}, filled: map[[2]string]bool{}}
	for _, st := range m.Regions {
		if st.Selection == fingerprint {
			for _, a := range attrs {
				c.names[awsnames.NormalizeName(a)] = true
			}
			break
		}
	}
	return c
}

// add records the columns of a region's previous snapshot (nil: none).
func (c *columns) add(region string, s *snapshot.Snapshot) {
	if s == nil {
		return
	}
	for i, a := range s.Attributes {
		name := awsnames.NormalizeName(a)
		c.names[name] = true
		col := len(snapshot.FixedColumns) + i
		for _, row := range s.Rows {
			if col < len(row) && row[col] != "" {
				c.filled[[2]string{region, name}] = true
				break
			}
		}
	}
}

// droppedAttribute reports whether a selection problem is an attribute
// AWS stopped publishing rather than a typo: no region's file has it any
// more (the caller checks that), and a recorded snapshot of the offer has
// the column, or the manifest records a region made with this selection.
// A column chosen by the user is only ever recorded after a file had it (a
// name no file has fails the run), so the column itself is the proof, and
// it stays one on the versions after the drop, when every value in it is
// empty.
func droppedAttribute(p selection.Problem, had *columns) bool {
	name, ok := strings.CutPrefix(p.Name, "attributes.")
	return ok && had.names[awsnames.NormalizeName(name)]
}

// warnLacks warns about the regions whose file lacks a name of the
// selection that is not a typo: another region's file has it, or AWS
// dropped an attribute an earlier snapshot had (also flagged).
// dropped tells the dropped attributes from the other problems.
func warnLacks(opts FetchOptions, res *FetchResult, code string, lacks []regionLack, dropped func(selection.Problem) bool, had *columns) {
	for _, l := range lacks {
		rest := &selection.Error{Kept: l.err.Kept}
		for _, p := range l.err.Problems {
			if dropped(p) {
				noteDropped(opts, res, code, l, p, had)
			} else {
				rest.Problems = append(rest.Problems, p)
			}
		}
		if len(rest.Problems) == 0 {
			continue
		}
		note := "another region's file has it, so this region is recorded as empty"
		if l.rows > 0 {
			note = "another region's file has it, so this region's column is empty"
		}
		w := fmt.Sprintf("%s %s: %v (%s)", code, l.region, rest, note)
		res.Warnings = append(res.Warnings, w)
		fmt.Fprintln(opts.Log, "warning:", w)
	}
}

// noteDropped warns about an attribute column that AWS dropped and that is
// now written empty. The version that empties the region's column (its
// previous snapshot had values there) is news: the report flags it there;
// the versions after it only warn, until the user drops the column.
func noteDropped(opts FetchOptions, res *FetchResult, code string, l regionLack, p selection.Problem, had *columns) {
	name := strings.TrimPrefix(p.Name, "attributes.")
	version := ""
	for i := range res.Report.Offers {
		o := &res.Report.Offers[i]
		if o.OfferCode == code && o.Region == l.region && o.Skipped == "" {
			version = o.ToVersion
			if !had.filled[[2]string{l.region, awsnames.NormalizeName(name)}] {
				continue
			}
			o.AddRegionFlag(report.Flag{
				Kind:    report.FlagAttributeDropped,
				Message: fmt.Sprintf("attribute %s: no product of version %s has it any more; an earlier snapshot had it, so its column is now empty", name, version),
			})
		}
	}
	w := fmt.Sprintf("%s %s: attributes.%s: no product of version %s has that attribute, but an earlier snapshot of %s had it: AWS dropped it, so its column is written empty (remove it from attributes to drop the column)", code, l.region, name, version, code)
	res.Warnings = append(res.Warnings, w)
	fmt.Fprintln(opts.Log, "warning:", w)
}
