package sheets

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/api/googleapi"
	sheetsapi "google.golang.org/api/sheets/v4"

	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/sheets/sheetsfake"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	spreadsheetID = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-x"
	ec2Tab        = "AmazonEC2 us-east-1"
	v1            = "20250901000000"
	v2            = "20250912225308"
)

type env struct {
	fake   *sheetsfake.Server
	svc    *sheetsapi.Service
	opts   Options
	sleeps []time.Duration
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{fake: sheetsfake.New()}
	t.Cleanup(e.fake.Close)
	e.fake.AddSpreadsheet(spreadsheetID)
	// No trailing slash on purpose: NewService adds the one the client needs.
	svc, err := NewService(context.Background(), Credentials{Anonymous: true}, e.fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	e.opts = Options{
		SpreadsheetID: spreadsheetID,
		RunURL:        "https://github.com/acme/prices/actions/runs/42",
		CommitURL:     "https://github.com/acme/prices/commit/abc123",
		Now:           func() time.Time { return time.Date(2025, 9, 13, 6, 0, 0, 0, time.UTC) },
		Retry: Retry{
			Sleep: func(_ context.Context, d time.Duration) error {
				e.sleeps = append(e.sleeps, d)
				return nil
			},
			Rand: func() float64 { return 1 },
		},
	}
	return e
}

func (e *env) publish(t *testing.T, tabs []Tab, rep report.Report) Result {
	t.Helper()
	res, err := Publish(context.Background(), e.svc, e.opts, tabs, rep)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	return res
}

func (e *env) writes() []sheetsfake.Request {
	var out []sheetsfake.Request
	for _, r := range e.fake.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

func ec2Snapshot(t *testing.T, version string) Tab {
	t.Helper()
	tab, err := ReadSnapshotCSV(filepath.Join("testdata", "snapshots", "AmazonEC2", "us-east-1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	tab.Version = version
	tab.PublicationDate = "2025-09-01T00:00:00Z"
	if version == v2 {
		tab.PublicationDate = "2025-09-12T22:53:08Z"
		tab.Rows[0][4] = "0.0116000000"
	}
	return tab
}

func pct(f float64) *float64 { return &f }

func report1() report.Report {
	return report.Report{Offers: []report.Offer{{
		OfferCode: "AmazonEC2", Region: "us-east-1", FromVersion: "20250801000000", ToVersion: v1,
		PublicationDate: "2025-09-01T00:00:00Z",
		Added: []report.Line{{
			RateCode: "2223B6PCG6QAUYY6.38NPMPTW36.2TG2D8R56U", SKU: "2223B6PCG6QAUYY6", TermType: "Reserved",
			Unit: "Quantity", Price: "431", Currency: "USD", Description: "Upfront Fee",
			Attributes: map[string]string{"instanceType": "m5.large"},
		}},
		Removed: []report.Line{{
			RateCode: "9999ZZZZ.JRTCKXETXF.6YS6EN2CT7", SKU: "9999ZZZZ", TermType: "OnDemand", Unit: "Hrs",
			Price: "0.0960000000", Currency: "USD", Attributes: map[string]string{"instanceType": "m4.large"},
		}},
		Changed: []report.Change{{
			RateCode: "2223B6PCG6QAUYY6.JRTCKXETXF.6YS6EN2CT7", SKU: "2223B6PCG6QAUYY6", TermType: "OnDemand",
			Unit: "Hrs", Currency: "USD", OldPrice: "0.0000200000", NewPrice: "0.0000166667", ChangePct: pct(-16.6665),
			Attributes: map[string]string{"instanceType": "m5.large"},
		}},
	}}}
}

func report2() report.Report {
	return report.Report{Offers: []report.Offer{{
		OfferCode: "AmazonEC2", Region: "us-east-1", FromVersion: v1, ToVersion: v2,
		PublicationDate: "2025-09-12T22:53:08Z",
		Changed: []report.Change{{
			RateCode: "00123ABCDE.JRTCKXETXF.6YS6EN2CT7", SKU: "00123ABCDE", TermType: "OnDemand",
			Unit: "Hrs", Currency: "USD", OldPrice: "0.0104000000", NewPrice: "0.0116000000", ChangePct: pct(11.538461538461538),
			Attributes: map[string]string{"instanceType": "t3.micro"},
		}},
	}}}
}

func TestPublishFirstRun(t *testing.T) {
	e := newEnv(t)
	res := e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())

	if want := []string{ec2Tab, "Changes", "Status"}; !slices.Equal(res.TabsCreated, want) {
		t.Errorf("TabsCreated = %q, want %q", res.TabsCreated, want)
	}
	if res.ChangesAppended != 3 || res.ChangesSkipped != 0 || res.StatusRows != 1 {
		t.Errorf("result = %+v", res)
	}
	// get + batchGet-free first run: structure, values, append, formats.
	if res.WriteRequests != 4 || len(e.writes()) != 4 {
		t.Errorf("write requests = %d (fake saw %d), want 4", res.WriteRequests, len(e.writes()))
	}

	info, ok := e.fake.Sheet(spreadsheetID, ec2Tab)
	if !ok {
		t.Fatalf("tab %q not created; sheets: %+v", ec2Tab, e.fake.Sheets(spreadsheetID))
	}
	if info.Rows != 5 || info.Columns != 14 || info.FrozenRows != 1 {
		t.Errorf("price tab grid = %+v, want 5×14 with 1 frozen row", info)
	}
	vals := e.fake.Values(spreadsheetID, ec2Tab)
	if len(vals) != 5 || vals[0][0] != "rate_code" || vals[0][13] != "instanceType" {
		t.Fatalf("price tab = %v", vals)
	}
	// Numbers for the price, text for everything else.
	for _, c := range []struct {
		row, col int
		want     any
	}{
		{1, 4, 0.0104}, {2, 4, 0.0000166667}, {3, 4, 431.0},
		{4, 4, "Inf"},        // not a number: stays text
		{1, 1, "00123ABCDE"}, // leading zeros kept
		{1, 9, "0"},          // begin_range is not a number column
		{1, 10, "Inf"},       // end_range
		{2, 12, "=SUM(A1) looks like a formula, stays text"},
	} {
		if got := vals[c.row][c.col]; got != c.want {
			t.Errorf("cell (%d,%d) = %#v, want %#v", c.row, c.col, got, c.want)
		}
	}
	if typ, pat := e.fake.NumberFormat(spreadsheetID, ec2Tab, 1, 4); typ != "NUMBER" || pat != "0.0000000000" {
		t.Errorf("price format = %q %q, want NUMBER 0.0000000000", typ, pat)
	}
	if typ, _ := e.fake.NumberFormat(spreadsheetID, "Sheet1", 1, 4); typ != "" {
		t.Errorf("Sheet1 got a number format: the sheet id 0 was not sent explicitly somewhere")
	}
	shown := e.fake.FormattedValues(spreadsheetID, ec2Tab)
	for row, want := range map[int]string{1: "0.0104000000", 2: "0.0000166667", 3: "431.0000000000"} {
		if got := shown[row][4]; got != want {
			t.Errorf("row %d shows price %q, want %q", row, got, want)
		}
	}

	ch, _ := e.fake.Sheet(spreadsheetID, "Changes")
	if ch.FrozenRows != 1 || ch.Columns != 17 {
		t.Errorf("Changes grid = %+v", ch)
	}
	changes := e.fake.FormattedValues(spreadsheetID, "Changes")
	want := [][]string{
		changesHeader,
		{"2025-09-13", v1, "AmazonEC2", "us-east-1", "added", "2223B6PCG6QAUYY6.38NPMPTW36.2TG2D8R56U", "2223B6PCG6QAUYY6", "Reserved", "Quantity", "Upfront Fee", "instanceType=m5.large", "", "", "431.0000000000", "", "AmazonEC2|us-east-1|" + v1 + "|added|2223B6PCG6QAUYY6.38NPMPTW36.2TG2D8R56U", "m5.large · Reserved · Quantity"},
		{"2025-09-13", v1, "AmazonEC2", "us-east-1", "removed", "9999ZZZZ.JRTCKXETXF.6YS6EN2CT7", "9999ZZZZ", "OnDemand", "Hrs", "", "instanceType=m4.large", "", "0.0960000000", "", "", "AmazonEC2|us-east-1|" + v1 + "|removed|9999ZZZZ.JRTCKXETXF.6YS6EN2CT7", "m4.large · OnDemand · Hrs"},
		{"2025-09-13", v1, "AmazonEC2", "us-east-1", "changed", "2223B6PCG6QAUYY6.JRTCKXETXF.6YS6EN2CT7", "2223B6PCG6QAUYY6", "OnDemand", "Hrs", "", "instanceType=m5.large", "", "0.0000200000", "0.0000166667", "-16.67", "AmazonEC2|us-east-1|" + v1 + "|changed|2223B6PCG6QAUYY6.JRTCKXETXF.6YS6EN2CT7", "m5.large · OnDemand · Hrs"},
	}
	if fmt.Sprint(changes) != fmt.Sprint(want) {
		t.Errorf("Changes tab =\n%q\nwant\n%q", changes, want)
	}

	status := e.fake.Values(spreadsheetID, "Status")
	wantStatus := [][]any{anyRow(statusHeader), {"AmazonEC2", "us-east-1", ec2Tab, v1, "2025-09-01T00:00:00Z",
		e.opts.RunURL, e.opts.CommitURL, "2025-09-13T06:00:00Z"}}
	if fmt.Sprint(status) != fmt.Sprint(wantStatus) {
		t.Errorf("Status = %q, want %q", status, wantStatus)
	}

	// The client sent ranges percent-encoded, with a literal colon before
	// the method suffix.
	var sawAppend bool
	for _, r := range e.fake.Requests() {
		if strings.HasSuffix(r.Path, ":append") {
			sawAppend = true
			if !strings.Contains(r.Path, "/values/%27Changes%27%21A1:append") {
				t.Errorf("append path %q: range not percent-encoded", r.Path)
			}
		}
	}
	if !sawAppend {
		t.Error("no append request")
	}
}

func TestPublishAppendsOnlyNewChanges(t *testing.T) {
	e := newEnv(t)
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())

	e.opts.Now = func() time.Time { return time.Date(2025, 9, 14, 6, 0, 0, 0, time.UTC) }
	e.opts.RunURL = "https://github.com/acme/prices/actions/runs/43"
	res := e.publish(t, []Tab{ec2Snapshot(t, v2)}, report2())
	if res.ChangesAppended != 1 || res.ChangesSkipped != 0 || len(res.TabsCreated) != 0 {
		t.Errorf("second run: %+v", res)
	}
	changes := e.fake.FormattedValues(spreadsheetID, "Changes")
	if len(changes) != 5 {
		t.Fatalf("Changes has %d rows, want 5: %q", len(changes), changes)
	}
	last := changes[4]
	if last[1] != v2 || last[4] != "changed" || last[12] != "0.0104000000" || last[13] != "0.0116000000" || last[14] != "11.54" {
		t.Errorf("appended line = %q", last)
	}
	if got := e.fake.FormattedValues(spreadsheetID, ec2Tab)[1][4]; got != "0.0116000000" {
		t.Errorf("price tab not replaced: price %q", got)
	}
	status := e.fake.Values(spreadsheetID, "Status")
	if len(status) != 2 || status[1][3] != v2 || status[1][5] != e.opts.RunURL {
		t.Errorf("Status = %q", status)
	}

	// The same version again: nothing is appended twice.
	before := e.fake.Values(spreadsheetID, "Changes")
	res = e.publish(t, []Tab{ec2Snapshot(t, v2)}, report2())
	if res.ChangesAppended != 0 || res.ChangesSkipped != 1 {
		t.Errorf("re-run: %+v", res)
	}
	if after := e.fake.Values(spreadsheetID, "Changes"); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("re-run changed the Changes tab:\n%q\nwas\n%q", after, before)
	}
	for _, r := range e.writes() {
		if strings.HasSuffix(r.Path, ":append") && slices.Contains(r.Query["valueInputOption"], "RAW") && r.Status != 200 {
			t.Errorf("append failed: %+v", r)
		}
	}
}

func TestPublishKeepsOtherStatusRows(t *testing.T) {
	e := newEnv(t)
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	s3 := Tab{Offer: "AmazonS3", Region: "eu-west-1", Version: "20250910000000", Header: []string{"rate_code", "price"}, Rows: [][]string{{"A.B.C", "0.023"}}}
	e.publish(t, []Tab{s3}, report.Report{Unchanged: true})
	status := e.fake.Values(spreadsheetID, "Status")
	if len(status) != 3 || status[1][0] != "AmazonEC2" || status[2][0] != "AmazonS3" {
		t.Errorf("Status = %q", status)
	}
}

func wideTab(rows, cols int) Tab {
	t := Tab{Offer: "AmazonEC2", Region: "eu-west-1", Version: v1}
	for c := range cols {
		name := fmt.Sprintf("attr%d", c)
		if c == 4 {
			name = "price"
		}
		t.Header = append(t.Header, name)
	}
	for r := range rows {
		row := make([]string, cols)
		for c := range cols {
			row[c] = fmt.Sprintf("r%dc%d", r, c)
		}
		row[4] = fmt.Sprintf("%d.%03d", r, r%1000)
		t.Rows = append(t.Rows, row)
	}
	return t
}

func TestPublishResizesGrid(t *testing.T) {
	e := newEnv(t)
	e.publish(t, []Tab{wideTab(1500, 30)}, report.Report{})
	info, _ := e.fake.Sheet(spreadsheetID, "AmazonEC2 eu-west-1")
	if info.Rows != 1501 || info.Columns != 30 {
		t.Fatalf("grid = %d×%d, want 1501×30", info.Rows, info.Columns)
	}
	vals := e.fake.Values(spreadsheetID, "AmazonEC2 eu-west-1")
	if len(vals) != 1501 || vals[1500][29] != "r1499c29" || vals[1500][4] != 1499.499 {
		t.Errorf("last row = %v", vals[len(vals)-1])
	}

	// A smaller snapshot shrinks the grid; nothing of the old one is left.
	e.publish(t, []Tab{wideTab(10, 5)}, report.Report{})
	info, _ = e.fake.Sheet(spreadsheetID, "AmazonEC2 eu-west-1")
	if info.Rows != 11 || info.Columns != 5 {
		t.Errorf("grid after shrink = %d×%d, want 11×5", info.Rows, info.Columns)
	}
	if vals := e.fake.Values(spreadsheetID, "AmazonEC2 eu-west-1"); len(vals) != 11 || len(vals[1]) != 5 {
		t.Errorf("after shrink: %d rows", len(vals))
	}
}

func manyChanges(n int) report.Report {
	off := report.Offer{OfferCode: "AmazonEC2", Region: "eu-west-1", FromVersion: v1, ToVersion: v2}
	for i := range n {
		off.Changed = append(off.Changed, report.Change{
			RateCode: fmt.Sprintf("RATE%06d.JRTCKXETXF.6YS6EN2CT7", i), SKU: fmt.Sprintf("SKU%06d", i),
			OldPrice: "0.1000000000", NewPrice: "0.1100000000", ChangePct: pct(10),
			Description: strings.Repeat("long description ", 15),
		})
	}
	return report.Report{Offers: []report.Offer{off}}
}

func TestPublishChunksUnderTwoMegabytes(t *testing.T) {
	e := newEnv(t)
	e.fake.SetMaxBodyBytes(2_000_000)
	tab := wideTab(12_000, 12)
	for _, row := range tab.Rows {
		row[7] = strings.Repeat("x", 150)
	}
	res := e.publish(t, []Tab{tab}, manyChanges(6_000))

	var valueWrites, appends int
	for _, r := range e.writes() {
		if r.BodyBytes >= 2_000_000 {
			t.Errorf("%s %s: body of %d bytes", r.Method, r.Path, r.BodyBytes)
		}
		switch {
		case strings.HasSuffix(r.Path, "/values:batchUpdate"):
			valueWrites++
		case strings.HasSuffix(r.Path, ":append"):
			appends++
		}
	}
	if valueWrites < 2 || appends < 2 {
		t.Errorf("%d value writes and %d appends: not chunked", valueWrites, appends)
	}
	vals := e.fake.Values(spreadsheetID, "AmazonEC2 eu-west-1")
	if len(vals) != 12_001 || vals[12_000][0] != "r11999c0" {
		t.Errorf("price tab has %d rows", len(vals))
	}
	changes := e.fake.Values(spreadsheetID, "Changes")
	if res.ChangesAppended != 6_000 || len(changes) != 6_001 || changes[6_000][5] != "RATE005999.JRTCKXETXF.6YS6EN2CT7" {
		t.Errorf("Changes: %d rows, result %+v", len(changes), res)
	}
}

func TestPublishChunkSizeIsMeasuredExactly(t *testing.T) {
	// A small budget and a server that refuses one byte more: the size
	// estimate must never be below the real body.
	e := newEnv(t)
	const budget = 8_000
	e.fake.SetMaxBodyBytes(budget)
	e.opts.MaxRequestBytes = budget
	tab := wideTab(400, 6)
	for i, row := range tab.Rows {
		row[2] = strings.Repeat("é<&>\"", i%40) // escaped and multi-byte characters
	}
	e.publish(t, []Tab{tab}, manyChanges(30))
	n := 0
	for _, r := range e.writes() {
		if r.BodyBytes > budget {
			t.Errorf("body of %d bytes", r.BodyBytes)
		}
		if strings.HasSuffix(r.Path, "/values:batchUpdate") {
			n++
		}
	}
	if n < 5 {
		t.Errorf("%d value writes for ~%d bytes", n, 400*60)
	}
	if vals := e.fake.Values(spreadsheetID, "AmazonEC2 eu-west-1"); len(vals) != 401 || vals[40][2] != strings.Repeat("é<&>\"", 39) {
		t.Errorf("price tab has %d rows", len(vals))
	}
}

func TestPublishRetries429Burst(t *testing.T) {
	e := newEnv(t)
	e.fake.FailNext(3, http.StatusTooManyRequests)
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}; !slices.Equal(e.sleeps, want) {
		t.Errorf("sleeps = %v, want %v (Rand pinned to 1)", e.sleeps, want)
	}
	if _, ok := e.fake.Sheet(spreadsheetID, ec2Tab); !ok {
		t.Error("tab not written after the burst")
	}
}

func TestPublishRetries5xxMidRun(t *testing.T) {
	e := newEnv(t)
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	e.sleeps = nil
	// The reads succeed, then the first write fails twice.
	e.fake.FailNextWrites(2, http.StatusServiceUnavailable)
	e.publish(t, []Tab{ec2Snapshot(t, v2)}, report2())
	if len(e.sleeps) != 2 {
		t.Errorf("sleeps = %v", e.sleeps)
	}
	if got := len(e.fake.Values(spreadsheetID, "Changes")); got != 5 {
		t.Errorf("Changes has %d rows, want 5", got)
	}
}

func TestPublishRespectsWriteQuota(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2025, 9, 13, 0, 0, 0, 0, time.UTC)
	e.fake.SetWriteQuota(2, func() time.Time { return now })
	e.opts.Retry.BaseDelay = 10 * time.Second
	e.opts.Retry.Sleep = func(_ context.Context, d time.Duration) error {
		e.sleeps = append(e.sleeps, d)
		now = now.Add(d)
		return nil
	}
	e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	if len(e.sleeps) == 0 {
		t.Error("quota never hit")
	}
	if got := len(e.fake.Values(spreadsheetID, "Changes")); got != 4 {
		t.Errorf("Changes has %d rows, want 4", got)
	}
}

func TestPublishQuotaExhausted(t *testing.T) {
	e := newEnv(t)
	e.opts.Retry.MaxAttempts = 3
	e.fake.FailNext(10, http.StatusTooManyRequests)
	_, err := Publish(context.Background(), e.svc, e.opts, []Tab{ec2Snapshot(t, v1)}, report1())
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"quota exhausted", "60 write requests per minute per user", "retry later or reduce tabs", "Quota exceeded for quota metric"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Code != 429 {
		t.Errorf("error does not wrap the 429: %v", err)
	}
	if len(e.sleeps) != 2 {
		t.Errorf("sleeps = %v, want 2", e.sleeps)
	}
}

func TestPublishRetryHonoursContext(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	e.opts.Retry.Sleep = func(ctx context.Context, _ time.Duration) error {
		cancel()
		return ctx.Err()
	}
	e.fake.FailNext(5, http.StatusTooManyRequests)
	_, err := Publish(ctx, e.svc, e.opts, []Tab{ec2Snapshot(t, v1)}, report1())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestPublishErrorsSayWhatToDo(t *testing.T) {
	t.Run("403", func(t *testing.T) {
		e := newEnv(t)
		e.fake.SetForbidden(true)
		e.opts.ServiceAccountEmail = "publisher@acme-prices.iam.gserviceaccount.com"
		_, err := Publish(context.Background(), e.svc, e.opts, []Tab{ec2Snapshot(t, v1)}, report1())
		for _, want := range []string{"share the spreadsheet with publisher@acme-prices.iam.gserviceaccount.com as Editor", "The caller does not have permission"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v does not say %q", err, want)
			}
		}
		if len(e.sleeps) != 0 {
			t.Errorf("403 was retried: %v", e.sleeps)
		}
	})
	t.Run("404", func(t *testing.T) {
		e := newEnv(t)
		e.opts.SpreadsheetID = "1WrongIdWrongIdWrongId"
		_, err := Publish(context.Background(), e.svc, e.opts, []Tab{ec2Snapshot(t, v1)}, report1())
		for _, want := range []string{"check the spreadsheet ID (the part between /d/ and /edit in its URL)", "Requested entity was not found.", "1WrongIdWrongIdWrongId"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v does not say %q", err, want)
			}
		}
	})
	t.Run("URL instead of ID", func(t *testing.T) {
		e := newEnv(t)
		e.opts.SpreadsheetID = "https://docs.google.com/spreadsheets/d/" + spreadsheetID + "/edit#gid=0"
		e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	})
}

func TestPublishCellLimitNamesTheTab(t *testing.T) {
	e := newEnv(t)
	// Sheet1 (26,000 cells) plus an archive of 9,958,000 cells.
	e.fake.AddSheet(spreadsheetID, "Archive", 383_000, 26)
	_, err := Publish(context.Background(), e.svc, e.opts, []Tab{wideTab(2000, 14)}, report.Report{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`tab "AmazonEC2 eu-west-1"`, "10000000", "publish fewer columns", "narrow the filter"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if w := e.writes(); len(w) != 0 {
		t.Errorf("%d writes before the limit check", len(w))
	}
}

func TestPublishCellTooLong(t *testing.T) {
	tab := ec2Snapshot(t, v1)
	tab.Rows[2][12] = strings.Repeat("x", MaxCellChars+1)
	_, err := Publish(context.Background(), nil, Options{SpreadsheetID: "x", DryRun: new(bytes.Buffer)}, []Tab{tab}, report.Report{})
	if err == nil || !strings.Contains(err.Error(), `row 4 column "description"`) || !strings.Contains(err.Error(), "50000") {
		t.Errorf("err = %v", err)
	}
}

func TestPublishColumns(t *testing.T) {
	e := newEnv(t)
	e.opts.Columns = []string{"instanceType", "price", "unit"}
	s3 := Tab{Offer: "AmazonS3", Region: "eu-west-1", Header: []string{"unit", "price"}, Rows: [][]string{{"GB-Mo", "0.023"}}}
	e.publish(t, []Tab{ec2Snapshot(t, v1), s3}, report.Report{})
	if got := e.fake.Values(spreadsheetID, "AmazonS3 eu-west-1"); fmt.Sprint(got) != "[[price unit] [0.023 GB-Mo]]" {
		t.Errorf("S3 tab (no instanceType) = %v", got)
	}
	vals := e.fake.Values(spreadsheetID, ec2Tab)
	if fmt.Sprint(vals[0]) != "[instanceType price unit]" || vals[1][1] != 0.0104 {
		t.Errorf("tab = %v", vals[:2])
	}
	if _, pat := e.fake.NumberFormat(spreadsheetID, ec2Tab, 1, 1); pat != "0.0000000000" {
		t.Errorf("format on the moved price column = %q", pat)
	}

	e.opts.Columns = []string{"instanceTyp"}
	_, err := Publish(context.Background(), e.svc, e.opts, []Tab{ec2Snapshot(t, v1)}, report.Report{})
	if err == nil || !strings.Contains(err.Error(), `"instanceTyp"`) {
		t.Errorf("typo in columns: err = %v", err)
	}
}

func TestPublishRejectsForeignChangesTab(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.svc.Spreadsheets.BatchUpdate(spreadsheetID, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: []*sheetsapi.Request{
		{AddSheet: &sheetsapi.AddSheetRequest{Properties: &sheetsapi.SheetProperties{Title: "Changes"}}},
	}}).Context(ctx).Do()
	e.svc.Spreadsheets.Values.Update(spreadsheetID, "Changes!A1", &sheetsapi.ValueRange{Values: [][]any{{"my", "notes"}}}).ValueInputOption("RAW").Context(ctx).Do()
	_, err := Publish(ctx, e.svc, e.opts, []Tab{ec2Snapshot(t, v1)}, report1())
	if err == nil || !strings.Contains(err.Error(), "does not have the changes layout") {
		t.Errorf("err = %v", err)
	}
	if got := e.fake.Values(spreadsheetID, "Changes"); fmt.Sprint(got) != "[[my notes]]" {
		t.Errorf("Changes tab touched: %v", got)
	}
}

func TestDryRunGolden(t *testing.T) {
	var buf bytes.Buffer
	opts := Options{
		SpreadsheetID: spreadsheetID,
		RunURL:        "https://github.com/acme/prices/actions/runs/42",
		Now:           func() time.Time { return time.Date(2025, 9, 13, 6, 0, 0, 0, time.UTC) },
		DryRun:        &buf,
	}
	// No service: a dry run makes no request.
	res, err := Publish(context.Background(), nil, opts, []Tab{ec2Snapshot(t, v1)}, report1())
	if err != nil {
		t.Fatal(err)
	}
	if res.ChangesAppended != 3 || len(res.Tabs) != 1 || res.Tabs[0].Rows != 4 {
		t.Errorf("result = %+v", res)
	}
	golden := filepath.Join("testdata", "dryrun.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("dry run output:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, c := range []struct {
		name string
		o    Options
		want string
	}{
		{"no id", Options{}, "no spreadsheet ID"},
		{"template without region", Options{SpreadsheetID: "x", TabName: "{offer}"}, "{region}"},
		{"same changes and status", Options{SpreadsheetID: "x", ChangesTab: "Log", StatusTab: "log"}, "different names"},
	} {
		_, err := Publish(context.Background(), nil, c.o, nil, report.Report{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	tabs := []Tab{{Offer: "A", Region: "r", Header: []string{"x"}}, {Offer: "A", Region: "r", Header: []string{"x"}}}
	_, err := Publish(context.Background(), nil, Options{SpreadsheetID: "x", DryRun: io.Discard}, tabs, report.Report{})
	if err == nil || !strings.Contains(err.Error(), "both use tab") {
		t.Errorf("duplicate tab: err = %v", err)
	}
}

// The service checks the cell limit after every request of a batch: a tab
// that shrinks must make room before a new tab takes it, or a layout that
// fits in the end is refused half-way.
func TestPublishShrinksBeforeAddingTabs(t *testing.T) {
	e := newEnv(t)
	e.fake.AddSheet(spreadsheetID, "AmazonEC2 us-west-2", 383_000, 26) // 9,958,000 cells
	small := wideTab(10, 5)
	small.Region = "us-west-2"
	if _, err := Publish(context.Background(), e.svc, e.opts, []Tab{wideTab(2000, 14), small}, report.Report{}); err != nil {
		t.Fatalf("Publish = %v", err)
	}
	if sh, ok := e.fake.Sheet(spreadsheetID, "AmazonEC2 us-west-2"); !ok || sh.Rows != 11 {
		t.Errorf("the shrunk tab is %+v", sh)
	}
}

// A Changes tab written before the line column (16 columns, a grid just as
// wide) is taken over: its header gains "line", its rows stay as they were,
// its key column still recognises the lines it holds, and new rows carry
// their label.
func TestPublishExtendsAChangesTabWithoutTheLineColumn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.svc.Spreadsheets.BatchUpdate(spreadsheetID, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: []*sheetsapi.Request{
		{AddSheet: &sheetsapi.AddSheetRequest{Properties: &sheetsapi.SheetProperties{Title: "Changes",
			GridProperties: &sheetsapi.GridProperties{RowCount: 2, ColumnCount: int64(len(legacyChangesHeader)), FrozenRowCount: 1}}}},
	}}).Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
	old := []any{"2025-09-12", v1, "AmazonEC2", "us-east-1", "removed", "9999ZZZZ.JRTCKXETXF.6YS6EN2CT7", "9999ZZZZ", "OnDemand", "Hrs", "",
		"instanceType=m4.large", "", "0.0960000000", "", "", "AmazonEC2|us-east-1|" + v1 + "|removed|9999ZZZZ.JRTCKXETXF.6YS6EN2CT7"}
	if _, err := e.svc.Spreadsheets.Values.Update(spreadsheetID, "Changes!A1", &sheetsapi.ValueRange{Values: [][]any{anyRow(legacyChangesHeader), old}}).
		ValueInputOption("RAW").Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}

	res := e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1())
	if res.ChangesAppended != 2 || res.ChangesSkipped != 1 {
		t.Errorf("result = %+v, want 2 appended and the line already there skipped", res)
	}
	got := e.fake.Values(spreadsheetID, "Changes")
	if fmt.Sprint(got[0]) != fmt.Sprint(anyRow(changesHeader)) {
		t.Errorf("header = %q, want %q", got[0], changesHeader)
	}
	if fmt.Sprint(got[1]) != fmt.Sprint(old) {
		t.Errorf("the earlier row changed: %q, was %q", got[1], old)
	}
	if len(got) != 4 || len(got[2]) != len(changesHeader) || got[2][colLine] != "m5.large · Reserved · Quantity" {
		t.Errorf("Changes tab = %q", got)
	}
	if ch, _ := e.fake.Sheet(spreadsheetID, "Changes"); ch.Columns != int64(len(changesHeader)) {
		t.Errorf("Changes grid = %+v, want %d columns", ch, len(changesHeader))
	}
	// And a second run finds everything in place.
	if res := e.publish(t, []Tab{ec2Snapshot(t, v1)}, report1()); res.ChangesAppended != 0 || res.ChangesSkipped != 3 {
		t.Errorf("re-run = %+v", res)
	}
}
