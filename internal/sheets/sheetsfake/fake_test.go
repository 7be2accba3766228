package sheetsfake_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	sheetsapi "google.golang.org/api/sheets/v4"

	"github.com/pricechecker/pricechecker/internal/sheets/sheetsfake"
)

const id = "book-1"

func setup(t *testing.T) (*sheetsfake.Server, *sheetsapi.Service) {
	t.Helper()
	f := sheetsfake.New()
	t.Cleanup(f.Close)
	f.AddSpreadsheet(id)
	svc, err := sheetsapi.NewService(context.Background(), option.WithEndpoint(f.Endpoint()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	return f, svc
}

// wantAPIError checks the status and message of a failed call.
func wantAPIError(t *testing.T, err error, code int, msg string) {
	t.Helper()
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		t.Fatalf("err = %v, want a *googleapi.Error", err)
	}
	if gerr.Code != code || !strings.Contains(gerr.Message, msg) {
		t.Errorf("error %d %q, want %d containing %q", gerr.Code, gerr.Message, code, msg)
	}
}

func TestValueInputOptionRequired(t *testing.T) {
	_, svc := setup(t)
	vr := &sheetsapi.ValueRange{Values: [][]any{{"a"}}}
	_, err := svc.Spreadsheets.Values.Update(id, "Sheet1!A1", vr).Do()
	wantAPIError(t, err, 400, "'valueInputOption' is required but not specified")
	_, err = svc.Spreadsheets.Values.Append(id, "Sheet1!A1", vr).Do()
	wantAPIError(t, err, 400, "'valueInputOption' is required but not specified")
	_, err = svc.Spreadsheets.Values.BatchUpdate(id, &sheetsapi.BatchUpdateValuesRequest{Data: []*sheetsapi.ValueRange{{Range: "A1", Values: vr.Values}}}).Do()
	wantAPIError(t, err, 400, "'valueInputOption' is required but not specified")
}

func TestRawAndUserEntered(t *testing.T) {
	f, svc := setup(t)
	vals := [][]any{{"00123", "0.0104", 0.5, "Inf", "=1+1", "'7"}}
	if _, err := svc.Spreadsheets.Values.Update(id, "Sheet1!A1", &sheetsapi.ValueRange{Values: vals}).ValueInputOption("RAW").Do(); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Spreadsheets.Values.Update(id, "Sheet1!A2", &sheetsapi.ValueRange{Values: vals}).ValueInputOption("USER_ENTERED").Do(); err != nil {
		t.Fatal(err)
	}
	got := f.Values(id, "Sheet1")
	want := [][]any{{"00123", "0.0104", 0.5, "Inf", "=1+1", "'7"}, {123.0, 0.0104, 0.5, "Inf", "=1+1", "7"}}
	for r := range want {
		for c := range want[r] {
			if got[r][c] != want[r][c] {
				t.Errorf("cell (%d,%d) = %#v, want %#v", r, c, got[r][c], want[r][c])
			}
		}
	}
}

func TestRoutesOnEscapedPath(t *testing.T) {
	f, svc := setup(t)
	if _, err := svc.Spreadsheets.BatchUpdate(id, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: []*sheetsapi.Request{
		{AddSheet: &sheetsapi.AddSheetRequest{Properties: &sheetsapi.SheetProperties{Title: "It's a: tab!"}}},
	}}).Do(); err != nil {
		t.Fatal(err)
	}
	rng := "'It''s a: tab!'!B2:C3"
	if _, err := svc.Spreadsheets.Values.Update(id, rng, &sheetsapi.ValueRange{Values: [][]any{{"x", "y"}, {"z"}}}).ValueInputOption("RAW").Do(); err != nil {
		t.Fatal(err)
	}
	reqs := f.Requests()
	if p := reqs[len(reqs)-1].Path; !strings.Contains(p, "%21B2%3AC3") {
		t.Errorf("path %q: range not percent-encoded", p)
	}
	got, err := svc.Spreadsheets.Values.Get(id, rng).Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Values) != 2 || got.Values[0][1] != "y" || len(got.Values[1]) != 1 {
		t.Errorf("values = %v (trailing empty cells must be omitted)", got.Values)
	}
	if _, err := svc.Spreadsheets.Values.Clear(id, rng, &sheetsapi.ClearValuesRequest{}).Do(); err != nil {
		t.Fatal(err)
	}
	got, err = svc.Spreadsheets.Values.Get(id, rng).Do()
	if err != nil || got.Values != nil {
		t.Errorf("after clear: %v, %v", got.Values, err)
	}

	// Raw requests: a literal colon in the range is a method suffix, and
	// requests without alt=json are not from the generated client.
	for _, c := range []struct {
		method, path string
		code         int
	}{
		{"GET", "/v4/spreadsheets/" + id + "/values/Sheet1!A1:B2?alt=json", 404},
		{"GET", "/v4/spreadsheets/" + id + "/values/Sheet1%21A1%3AB2", 400},
		{"GET", "/v4/spreadsheets/" + id + "/values/Sheet1%21A1%3AB2?alt=json", 200},
		{"POST", "/v4/spreadsheets/" + id + "/values/Sheet1%21A1?alt=json", 404},
	} {
		req, _ := http.NewRequest(c.method, f.URL()+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("%s %s = %d %s, want %d", c.method, c.path, resp.StatusCode, body, c.code)
		}
		if c.code != 200 && !strings.Contains(string(body), `"error":{"code":`) {
			t.Errorf("error body %s is not the API's shape", body)
		}
	}
}

func TestBatchUpdateReplies(t *testing.T) {
	f, svc := setup(t)
	resp, err := svc.Spreadsheets.BatchUpdate(id, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: []*sheetsapi.Request{
		{AddSheet: &sheetsapi.AddSheetRequest{Properties: &sheetsapi.SheetProperties{Title: "Prices"}}},
		// SheetId 0 and FrozenRowCount 0 are omitted from the JSON: read as 0.
		{UpdateSheetProperties: &sheetsapi.UpdateSheetPropertiesRequest{
			Properties: &sheetsapi.SheetProperties{SheetId: 0, GridProperties: &sheetsapi.GridProperties{RowCount: 10, ColumnCount: 3}},
			Fields:     "gridProperties.rowCount,gridProperties.columnCount,gridProperties.frozenRowCount",
		}},
	}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Replies) != 2 || resp.Replies[0].AddSheet == nil || resp.Replies[0].AddSheet.Properties.SheetId == 0 {
		t.Fatalf("replies = %+v", resp.Replies)
	}
	newID := resp.Replies[0].AddSheet.Properties.SheetId
	if resp.Replies[1].AddSheet != nil || resp.Replies[1].DuplicateSheet != nil {
		t.Error("reply of a request without reply is not {}")
	}
	if s, _ := f.Sheet(id, "Prices"); s.Rows != 1000 || s.Columns != 26 || s.ID != newID {
		t.Errorf("new sheet = %+v, want 1000×26", s)
	}
	if s, _ := f.Sheet(id, "Sheet1"); s.Rows != 10 || s.Columns != 3 || s.FrozenRows != 0 {
		t.Errorf("Sheet1 = %+v (the omitted sheetId must read as 0)", s)
	}

	// Atomic: a failing request leaves the earlier ones undone.
	_, err = svc.Spreadsheets.BatchUpdate(id, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: []*sheetsapi.Request{
		{AddSheet: &sheetsapi.AddSheetRequest{Properties: &sheetsapi.SheetProperties{Title: "Other"}}},
		{AddSheet: &sheetsapi.AddSheetRequest{Properties: &sheetsapi.SheetProperties{Title: "prices"}}},
	}}).Do()
	wantAPIError(t, err, 400, `Invalid requests[1].addSheet: A sheet with the name "prices" already exists`)
	if _, ok := f.Sheet(id, "Other"); ok {
		t.Error("batchUpdate not atomic")
	}

	_, err = svc.Spreadsheets.BatchUpdate(id, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: []*sheetsapi.Request{
		{AddSheet: &sheetsapi.AddSheetRequest{Properties: &sheetsapi.SheetProperties{Title: "Huge", GridProperties: &sheetsapi.GridProperties{RowCount: 1_000_000, ColumnCount: 10}}}},
	}}).Do()
	wantAPIError(t, err, 400, "above the limit of 10000000 cells.")
}

func TestGridAndCellLimits(t *testing.T) {
	_, svc := setup(t)
	_, err := svc.Spreadsheets.Values.Update(id, "Sheet1!A1000", &sheetsapi.ValueRange{Values: [][]any{{"a"}, {"b"}}}).ValueInputOption("RAW").Do()
	wantAPIError(t, err, 400, "Range ('Sheet1'!A1000:A1001) exceeds grid limits. Max rows: 1000, max columns: 26")
	_, err = svc.Spreadsheets.Values.Update(id, "Sheet1!Z1", &sheetsapi.ValueRange{Values: [][]any{{"a", "b"}}}).ValueInputOption("RAW").Do()
	wantAPIError(t, err, 400, "exceeds grid limits. Max rows: 1000, max columns: 26")
	_, err = svc.Spreadsheets.Values.Update(id, "Sheet1!A1", &sheetsapi.ValueRange{Values: [][]any{{strings.Repeat("x", 50_001)}}}).ValueInputOption("RAW").Do()
	wantAPIError(t, err, 400, "Your input contains more than the maximum of 50000 characters in a single cell.")
	_, err = svc.Spreadsheets.Values.Get(id, "Nope!A1").Do()
	wantAPIError(t, err, 400, "Unable to parse range: Nope!A1")
}

func TestAppendInsertsRows(t *testing.T) {
	f, svc := setup(t)
	svc.Spreadsheets.BatchUpdate(id, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: []*sheetsapi.Request{
		{AddSheet: &sheetsapi.AddSheetRequest{Properties: &sheetsapi.SheetProperties{Title: "Log", GridProperties: &sheetsapi.GridProperties{RowCount: 2, ColumnCount: 2, FrozenRowCount: 1}}}},
	}}).Do()
	svc.Spreadsheets.Values.Update(id, "Log!A1", &sheetsapi.ValueRange{Values: [][]any{{"h1", "h2"}}}).ValueInputOption("RAW").Do()
	resp, err := svc.Spreadsheets.Values.Append(id, "Log!A1", &sheetsapi.ValueRange{Values: [][]any{{"a", 1}, {"b", 2}, {"c", 3}}}).
		ValueInputOption("RAW").InsertDataOption("INSERT_ROWS").Do()
	if err != nil {
		t.Fatal(err)
	}
	if resp.Updates.UpdatedRange != "Log!A2:B4" || resp.Updates.UpdatedRows != 3 {
		t.Errorf("updates = %+v", resp.Updates)
	}
	if s, _ := f.Sheet(id, "Log"); s.Rows != 5 {
		t.Errorf("rows = %d, want 5 (2 + 3 inserted)", s.Rows)
	}
}

func TestFaults(t *testing.T) {
	f, svc := setup(t)
	f.FailNext(2, 429)
	_, err := svc.Spreadsheets.Get(id).Do()
	wantAPIError(t, err, 429, "Quota exceeded")
	var gerr *googleapi.Error
	errors.As(err, &gerr)
	if !strings.Contains(gerr.Body, `"status":"RESOURCE_EXHAUSTED"`) {
		t.Errorf("body = %s", gerr.Body)
	}
	_, err = svc.Spreadsheets.Get(id).Do()
	wantAPIError(t, err, 429, "Quota exceeded")
	if _, err := svc.Spreadsheets.Get(id).Do(); err != nil {
		t.Errorf("after the burst: %v", err)
	}

	_, err = svc.Spreadsheets.Get("missing").Do()
	wantAPIError(t, err, 404, "Requested entity was not found.")

	f.SetForbidden(true)
	_, err = svc.Spreadsheets.Get(id).Do()
	wantAPIError(t, err, 403, "The caller does not have permission")
	f.SetForbidden(false)

	f.SetMaxBodyBytes(100)
	_, err = svc.Spreadsheets.Values.Update(id, "A1", &sheetsapi.ValueRange{Values: [][]any{{strings.Repeat("x", 200)}}}).ValueInputOption("RAW").Do()
	wantAPIError(t, err, 400, "Request payload size exceeds the limit: 100 bytes.")
}

// A write that fails after applying has taken effect; one the server
// refuses anyway answers its own error and leaves the fault for later.
func TestFailNextAfterApplying(t *testing.T) {
	f, svc := setup(t)
	f.FailNextAfterApplying(sheetsfake.CallBatchUpdate, 1, http.StatusServiceUnavailable)
	add := &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: []*sheetsapi.Request{
		{AddSheet: &sheetsapi.AddSheetRequest{Properties: &sheetsapi.SheetProperties{Title: "Prices"}}},
	}}
	_, err := svc.Spreadsheets.BatchUpdate(id, add).Do()
	wantAPIError(t, err, http.StatusServiceUnavailable, "The service is currently unavailable.")
	if _, ok := f.Sheet(id, "Prices"); !ok {
		t.Fatal("the addSheet did not take effect")
	}
	// The retry meets its own first attempt, as in Sheets.
	_, err = svc.Spreadsheets.BatchUpdate(id, add).Do()
	wantAPIError(t, err, http.StatusBadRequest, `Invalid requests[0].addSheet: A sheet with the name "Prices" already exists. Please enter another name.`)

	// A refused write does not use up the fault.
	f.FailNextAfterApplying(sheetsfake.CallAnyWrite, 1, sheetsfake.ResetConnection)
	_, err = svc.Spreadsheets.BatchUpdate(id, add).Do()
	wantAPIError(t, err, http.StatusBadRequest, "already exists")
	vr := &sheetsapi.ValueRange{Values: [][]any{{"a"}}}
	_, err = svc.Spreadsheets.Values.Append(id, "Prices!A1", vr).ValueInputOption("RAW").Do()
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("append = %v, want the connection reset", err)
	}
	if got := f.Values(id, "Prices"); len(got) != 1 || got[0][0] != "a" {
		t.Errorf("Prices = %q, want the appended row", got)
	}
}

func TestResetNext(t *testing.T) {
	f, svc := setup(t)
	f.ResetNext(1)
	vr := &sheetsapi.ValueRange{Values: [][]any{{"a"}}}
	_, err := svc.Spreadsheets.Values.Update(id, "Sheet1!A1", vr).ValueInputOption("RAW").Do()
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("update = %v, want the connection reset", err)
	}
	if got := f.Values(id, "Sheet1"); len(got) != 0 {
		t.Errorf("a reset request was applied: %q", got)
	}
}
