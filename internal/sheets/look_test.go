package sheets

import (
	"context"
	"net/http"
	"testing"
	"time"

	sheetsapi "google.golang.org/api/sheets/v4"

	"github.com/pricechecker/pricechecker/internal/sheets/sheetsfake"
)

// wantPctRules checks that the Changes tab has exactly one rise and one cut
// rule, on the change_pct column from the first line down.
func wantPctRules(t *testing.T, f *sheetsfake.Server) {
	t.Helper()
	rules := f.Rules(spreadsheetID, "Changes")
	if len(rules) != 2 {
		t.Fatalf("Changes has %d conditional rules, want 2: %+v", len(rules), rules)
	}
	seen := map[string]int{}
	for _, r := range rules {
		g := r.Ranges[0]
		if len(r.Ranges) != 1 || g.StartRowIndex == nil || *g.StartRowIndex != 1 || g.EndRowIndex != nil ||
			*g.StartColumnIndex != colChangePct || *g.EndColumnIndex != colChangePct+1 {
			t.Errorf("rule range = %+v, want change_pct from row 2 down", r.Ranges)
		}
		c := r.BooleanRule.Condition
		if len(c.Values) == 1 && c.Values[0].UserEnteredValue == "0" {
			seen[c.Type]++
		}
	}
	if seen["NUMBER_GREATER"] != 1 || seen["NUMBER_LESS"] != 1 {
		t.Errorf("rules = %v, want one rise (> 0) and one cut (< 0)", seen)
	}
}

// The Changes tab colours rises and cuts, has a filter over every column,
// and its version cells link to the commit; the Status tab's run and commit
// are links. A second run adds no second rule.
func TestPublishColoursFiltersAndLinks(t *testing.T) {
	e := newEnv(t)
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	wantPctRules(t, e.fake)
	f := e.fake.BasicFilter(spreadsheetID, "Changes")
	if f == nil || f.Range.EndColumnIndex == nil || *f.Range.EndColumnIndex != int64(len(changesHeader)) || f.Range.EndRowIndex != nil {
		t.Errorf("Changes filter = %+v, want every column, every row", f)
	}
	for row := int64(1); row <= 3; row++ {
		if got := e.fake.Link(spreadsheetID, "Changes", row, colVersion); got != e.opts.CommitURL {
			t.Errorf("Changes row %d version links to %q, want %q", row+1, got, e.opts.CommitURL)
		}
	}
	if got := e.fake.Link(spreadsheetID, "Changes", 0, colVersion); got != "" {
		t.Errorf("the header links to %q", got)
	}
	if run, commit := e.fake.Link(spreadsheetID, "Status", 1, colStatusRun), e.fake.Link(spreadsheetID, "Status", 1, colStatusRun+1); run != e.opts.RunURL || commit != e.opts.CommitURL {
		t.Errorf("Status links = %q, %q", run, commit)
	}
	// The values stay as written: RAW, prices as numbers of their own.
	if got := e.fake.Values(spreadsheetID, "Changes")[3][colNewPrice]; got != 0.0000166667 {
		t.Errorf("new_price = %#v", got)
	}

	e.opts.Now = func() time.Time { return time.Date(2025, 9, 14, 6, 0, 0, 0, time.UTC) }
	e.opts.CommitURL = "https://github.com/acme/prices/commit/def456"
	e.publish(t, []Tab{ec2Snapshot(t, v2)}, report2())
	wantPctRules(t, e.fake)
	if got := e.fake.Link(spreadsheetID, "Changes", 4, colVersion); got != e.opts.CommitURL {
		t.Errorf("the second run's line links to %q", got)
	}
	if got := e.fake.Link(spreadsheetID, "Changes", 1, colVersion); got != "https://github.com/acme/prices/commit/abc123" {
		t.Errorf("the first run's line now links to %q", got)
	}
}

// A filter and colours people set in the sheet are kept: a rule of the same
// condition on the column counts as there, whatever its colour.
func TestPublishKeepsTheLookPeopleChose(t *testing.T) {
	e := newEnv(t)
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	ch, _ := e.fake.Sheet(spreadsheetID, "Changes")
	// Someone replaces the filter with one over the first five columns.
	if _, err := e.svc.Spreadsheets.BatchUpdate(spreadsheetID, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: []*sheetsapi.Request{
		{SetBasicFilter: &sheetsapi.SetBasicFilterRequest{Filter: &sheetsapi.BasicFilter{Range: &sheetsapi.GridRange{SheetId: ch.ID, EndColumnIndex: 5}}}},
	}}).Context(context.Background()).Do(); err != nil {
		t.Fatal(err)
	}
	e.publish(t, []Tab{ec2Snapshot(t, v2)}, report2())
	if f := e.fake.BasicFilter(spreadsheetID, "Changes"); f == nil || *f.Range.EndColumnIndex != 5 {
		t.Errorf("filter = %+v, want the one people set", f)
	}
	wantPctRules(t, e.fake)
}

// The format request may take effect and then fail: the retry reads the tab
// again and adds no second rule.
func TestPublishRetriedFormatsAddNoSecondRule(t *testing.T) {
	for _, code := range []int{http.StatusServiceUnavailable, sheetsfake.ResetConnection} {
		e := newEnv(t)
		// The first batchUpdate creates the tabs, the second formats them.
		e.fake.FailNthAfterApplying(sheetsfake.CallBatchUpdate, 2, code)
		e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
		if len(e.sleeps) == 0 {
			t.Errorf("%d: nothing was retried: the fault did not fire", code)
		}
		wantPctRules(t, e.fake)
	}
}
