package gitstore

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/site/sitetest"
)

// Replaying WalkChanges gives, at every version, the lines Walk reads:
// nothing is missed by skipping the records whose bytes did not change.
func TestWalkChangesReplaysWalk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	if err := sitetest.Generate(dir, sitetest.Params{Days: 15, Rows: 40}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	repo, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	const file = "prices/AmazonEC2/us-east-1.csv"
	var want []map[string]report.Line
	var revs []Revision
	err = repo.Walk(ctx, file, Selector{}, WalkOptions{}, func(rev Revision, lines []report.Line) error {
		m := map[string]report.Line{}
		for _, l := range lines {
			m[l.RateCode] = l
		}
		want = append(want, m)
		revs = append(revs, rev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cur := map[string]report.Line{}
	i := 0
	decoded := 0
	err = repo.WalkChanges(ctx, file, ChangesOptions{}, func(ch Changes) error {
		for _, l := range ch.Changed {
			cur[l.RateCode] = l
		}
		for _, rc := range ch.Removed {
			delete(cur, rc)
		}
		if i >= len(want) {
			t.Fatalf("WalkChanges gave more versions than Walk")
		}
		if ch.Revision != revs[i] || ch.Lines != len(want[i]) || !reflect.DeepEqual(cur, want[i]) {
			t.Errorf("version %d (%s): replayed %d lines (%d said), Walk read %d; missing or different: %v", i, ch.Commit[:7], len(cur), ch.Lines, len(want[i]),
				slices.Collect(maps.Keys(want[i])))
		}
		if i > 0 {
			decoded += len(ch.Changed)
		}
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if i != len(want) {
		t.Errorf("WalkChanges gave %d versions, Walk %d", i, len(want))
	}
	// A few lines move a day: far fewer than every line is decoded again.
	if decoded > 15*13 {
		t.Errorf("after the first version, %d lines were decoded; want only those that changed", decoded)
	}
}

// Resuming after a known version gives only the versions after it, with
// what each changed; a commit no longer in the history is an error the
// caller can tell (to start over).
func TestWalkChangesAfter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	if err := sitetest.Generate(dir, sitetest.Params{Days: 6, Rows: 30}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	repo, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	const file = "prices/AmazonEC2/us-east-1.csv"
	var all []Changes
	if err := repo.WalkChanges(ctx, file, ChangesOptions{}, func(ch Changes) error { all = append(all, ch); return nil }); err != nil {
		t.Fatal(err)
	}
	var after []Changes
	opts := ChangesOptions{After: all[3].Commit}
	opts.Since = all[3].Date.Add(-time.Second)
	if err := repo.WalkChanges(ctx, file, opts, func(ch Changes) error { after = append(after, ch); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, all[4:]) {
		t.Errorf("after version 3: %d versions, want the %d after it, with the same changes", len(after), len(all[4:]))
	}
	opts.After = strings.Repeat("0", 40)
	err = repo.WalkChanges(ctx, file, opts, func(Changes) error { t.Error("fn called for a lost resume point"); return nil })
	if !errors.Is(err, ErrAfterNotFound) {
		t.Errorf("after a commit not in the history: err = %v, want ErrAfterNotFound", err)
	}
}
