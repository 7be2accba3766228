package sheets

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	sheetsapi "google.golang.org/api/sheets/v4"

	"github.com/pricechecker/pricechecker/internal/report"
)

// Tabs pricechecker would clear or append to are checked before anything
// is written: a tab it did not write stops the run and stays as it was.

// handMade adds a tab the way a person would and types values into it.
func (e *env) handMade(t *testing.T, title string, values [][]any) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.svc.Spreadsheets.BatchUpdate(spreadsheetID, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: []*sheetsapi.Request{
		{AddSheet: &sheetsapi.AddSheetRequest{Properties: &sheetsapi.SheetProperties{Title: title}}},
	}}).Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
	if len(values) == 0 {
		return
	}
	if _, err := e.svc.Spreadsheets.Values.Update(spreadsheetID, quoteTitle(title)+"!A1", &sheetsapi.ValueRange{Values: values}).
		ValueInputOption("USER_ENTERED").Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
}

// state is everything the fake holds: every sheet's properties, stored
// cells (with their types) and formatted cells.
func (e *env) state() string {
	var b strings.Builder
	for _, sh := range e.fake.Sheets(spreadsheetID) {
		fmt.Fprintf(&b, "%+v\n%#v\n%#v\n", sh, e.fake.Values(spreadsheetID, sh.Title), e.fake.FormattedValues(spreadsheetID, sh.Title))
	}
	return b.String()
}

// refused publishes, wants an error that says each of want, and checks that
// the run wrote nothing.
func (e *env) refused(t *testing.T, tabs []Tab, rep report.Report, want ...string) {
	t.Helper()
	before := e.state()
	e.fake.ResetRequests()
	_, err := Publish(context.Background(), e.svc, e.opts, tabs, rep)
	if err == nil {
		t.Fatal("Publish succeeded; want it refused")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if w := e.writes(); len(w) > 0 {
		t.Errorf("a refused run made %d write requests, first %s %s", len(w), w[0].Method, w[0].Path)
	}
	if after := e.state(); after != before {
		t.Errorf("a refused run changed the spreadsheet:\n%s\nwas\n%s", after, before)
	}
}

// The audit's reproduction: the status tab named after the existing
// Changes tab cleared the change log and read its lines as status rows.
func TestPublishRefusesStatusTabNamedLikeTheChangesTab(t *testing.T) {
	e := newEnv(t)
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	e.opts.StatusTab, e.opts.ChangesTab = "Changes", "Ch2"
	e.refused(t, []Tab{ec2Snapshot(t, v2)}, report2(),
		`tab "Changes" does not have the status layout`, "rename that tab", "--sheet-status-tab")
	if _, ok := e.fake.Sheet(spreadsheetID, "Ch2"); ok {
		t.Error("tab Ch2 was created")
	}
}

func TestPublishRefusesForeignStatusTab(t *testing.T) {
	for _, c := range []struct {
		name   string
		values [][]any
		want   string
	}{
		{"notes", [][]any{{"project", "owner", "budget"}, {"web", "ana", "1200.50"}, {"", "", "=SUM(C2)"}}, `row 1 is "project, owner, budget"`},
		{"status columns and more", [][]any{append(anyRow(statusHeader), "my notes"), {"AmazonEC2", "us-east-1"}}, "my notes"},
		{"data under an empty first row", [][]any{{}, {}, {"", "", "keep me"}}, "row 1 is empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.handMade(t, "Status", c.values)
			e.refused(t, []Tab{ec2Snapshot(t, v1)}, report1(), `tab "Status" does not have the status layout`, c.want, "--sheet-status-tab")
			if _, ok := e.fake.Sheet(spreadsheetID, "Changes"); ok {
				t.Error("the Changes tab was created by a refused run")
			}
		})
	}
}

// An empty tab of that name is nobody's data: it becomes the Status tab.
func TestPublishTakesOverEmptyStatusTab(t *testing.T) {
	e := newEnv(t)
	e.handMade(t, "status", nil)
	res := e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	if slices.Contains(res.TabsCreated, "Status") || res.StatusRows != 1 {
		t.Errorf("result = %+v", res)
	}
	if got := e.fake.Values(spreadsheetID, "status"); len(got) != 2 || got[1][0] != "AmazonEC2" {
		t.Errorf("status tab = %q", got)
	}
}

func TestPublishRefusesSameChangesAndStatusTab(t *testing.T) {
	for _, c := range []struct{ changes, status string }{
		{"Changes", "Changes"},
		{"", "changes"},    // the default Changes tab, in another case
		{"Log", " log "},   // Sheets titles ignore case; surrounding space is trimmed
		{"Status", ""},     // the default Status tab
		{"Log:1", "log/1"}, // the same once made valid sheet names
	} {
		e := newEnv(t)
		e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
		e.opts.ChangesTab, e.opts.StatusTab = c.changes, c.status
		e.refused(t, []Tab{ec2Snapshot(t, v2)}, report2(), "changes and status tabs are both named", "different names")
		if n := len(e.fake.Requests()); n != 0 {
			t.Errorf("changes %q, status %q: %d requests; want it refused before any", c.changes, c.status, n)
		}
	}
	// A price tab cannot take either name.
	e := newEnv(t)
	e.opts.StatusTab = ec2Tab
	e.refused(t, []Tab{ec2Snapshot(t, v1)}, report1(), "the status tab and AmazonEC2 us-east-1 would both use tab")
}

func TestPublishRefusesForeignPriceTab(t *testing.T) {
	for _, c := range []struct {
		name   string
		values [][]any
		want   string
	}{
		{"notes", [][]any{{"old", "junk", "here"}, {"1", "2", "3"}}, `row 1 is "old, junk, here", not columns of its snapshot`},
		{"some snapshot columns", [][]any{{"sku", "price", "my_discount"}, {"X", "0.1", "5%"}}, "my_discount"},
		{"an old Status tab", [][]any{anyRow(statusHeader)}, "publication_date"},
		{"data under an empty first row", [][]any{{}, {"", "keep me"}}, "row 1 is empty but the tab holds data"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.handMade(t, ec2Tab, c.values)
			e.refused(t, []Tab{ec2Snapshot(t, v1)}, report1(), `tab "AmazonEC2 us-east-1" holds something pricechecker did not write`, c.want, "--sheet-tab-name")
		})
	}
}

func TestPublishReplacesItsOwnPriceTabs(t *testing.T) {
	e := newEnv(t)
	// An empty tab made by hand is taken over, not created again.
	e.handMade(t, ec2Tab, nil)
	e.opts.Columns = []string{"price", "sku"}
	tab := ec2Snapshot(t, v1)
	tab.Rows = tab.Rows[:1]
	res := e.publish(t, []Tab{tab}, report.Report{})
	if slices.Contains(res.TabsCreated, ec2Tab) {
		t.Errorf("existing tab created again: %q", res.TabsCreated)
	}
	if vals := e.fake.Values(spreadsheetID, ec2Tab); fmt.Sprint(vals) != "[[price sku] [0.0104 00123ABCDE]]" {
		t.Errorf("tab = %q", vals)
	}

	// With another status tab (so no Status row lists it) and every column:
	// its header names snapshot columns, so it is pricechecker's.
	e.opts.Columns = nil
	e.opts.StatusTab = "Status 2"
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report.Report{})
	vals := e.fake.Values(spreadsheetID, ec2Tab)
	if len(vals) != 5 || vals[0][0] != "rate_code" {
		t.Errorf("tab = %q", vals)
	}
	info, _ := e.fake.Sheet(spreadsheetID, ec2Tab)
	if info.FrozenRows != 1 || info.Rows != 5 {
		t.Errorf("tab grid = %+v", info)
	}
}

// A spreadsheet with hundreds of tabs is read in several values:batchGet
// requests, each URL short enough for Google.
func TestPublishReadsManyTabsInShortURLs(t *testing.T) {
	e := newEnv(t)
	var tabs []Tab
	for i := range 150 {
		tabs = append(tabs, Tab{Offer: "AmazonEC2", Region: fmt.Sprintf("region-%03d", i), Version: v1,
			Header: []string{"rate_code", "price"}, Rows: [][]string{{"A.B.C", "0.5"}}})
	}
	e.publish(t, tabs, report.Report{})
	e.fake.ResetRequests()
	tabs[0].Rows[0][1] = "0.25"
	res := e.publish(t, tabs, report.Report{})
	if len(res.Tabs) != 150 {
		t.Errorf("wrote %d tabs", len(res.Tabs))
	}
	gets := 0
	for _, r := range e.fake.Requests() {
		if r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/values:batchGet") {
			gets++
			if q := (url.Values{"ranges": r.Query["ranges"]}).Encode(); len(q) > maxRangesQuery+len("ranges=") {
				t.Errorf("batchGet with %d bytes of ranges", len(q))
			}
		}
	}
	if gets < 2 {
		t.Errorf("%d batchGet requests; want the ranges split", gets)
	}
	if got := e.fake.Values(spreadsheetID, "AmazonEC2 region-000"); fmt.Sprint(got) != "[[rate_code price] [A.B.C 0.25]]" {
		t.Errorf("first tab = %q", got)
	}
	if got := e.fake.Values(spreadsheetID, "Status"); len(got) != 151 {
		t.Errorf("Status has %d rows", len(got))
	}
}
