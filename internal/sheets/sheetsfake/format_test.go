package sheetsfake_test

import (
	"testing"

	sheetsapi "google.golang.org/api/sheets/v4"
)

func batch(svc *sheetsapi.Service, reqs ...*sheetsapi.Request) error {
	_, err := svc.Spreadsheets.BatchUpdate(id, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: reqs}).Do()
	return err
}

func column(sheet, col int64) *sheetsapi.GridRange {
	return &sheetsapi.GridRange{SheetId: sheet, StartRowIndex: 1, StartColumnIndex: col, EndColumnIndex: col + 1,
		ForceSendFields: []string{"SheetId", "StartColumnIndex"}}
}

func rule(g *sheetsapi.GridRange, typ string, values ...string) *sheetsapi.Request {
	var vs []*sheetsapi.ConditionValue
	for _, v := range values {
		vs = append(vs, &sheetsapi.ConditionValue{UserEnteredValue: v})
	}
	var ranges []*sheetsapi.GridRange
	if g != nil {
		ranges = append(ranges, g)
	}
	return &sheetsapi.Request{AddConditionalFormatRule: &sheetsapi.AddConditionalFormatRuleRequest{Rule: &sheetsapi.ConditionalFormatRule{
		Ranges: ranges,
		BooleanRule: &sheetsapi.BooleanRule{
			Condition: &sheetsapi.BooleanCondition{Type: typ, Values: vs},
			Format:    &sheetsapi.CellFormat{BackgroundColor: &sheetsapi.Color{Red: 1}},
		},
	}}}
}

// Conditional rules, the basic filter and cell links are checked as the
// service checks them, kept, and read back by spreadsheets.get when its
// fields ask for them.
func TestFormattingRequests(t *testing.T) {
	f, svc := setup(t)
	for _, tc := range []struct {
		name string
		req  *sheetsapi.Request
		msg  string
	}{
		{"rule without ranges", rule(nil, "NUMBER_GREATER", "0"), "ranges must not be empty"},
		{"rule on no sheet", rule(column(99, 1), "NUMBER_GREATER", "0"), "No grid with id: 99"},
		{"rule past the grid", rule(column(0, 26), "NUMBER_GREATER", "0"), "exceeds grid limits"},
		{"rule without its value", rule(column(0, 1), "NUMBER_GREATER"), "requires exactly 1"},
		{"rule of no type", rule(column(0, 1), "NUMBER_BIGGER", "0"), "ConditionType"},
		{"filter without filter", &sheetsapi.Request{SetBasicFilter: &sheetsapi.SetBasicFilterRequest{}}, "filter is required"},
		{"filter on no sheet", &sheetsapi.Request{SetBasicFilter: &sheetsapi.SetBasicFilterRequest{Filter: &sheetsapi.BasicFilter{Range: &sheetsapi.GridRange{SheetId: 7}}}}, "No grid with id: 7"},
		{"cells without start or range", &sheetsapi.Request{UpdateCells: &sheetsapi.UpdateCellsRequest{Fields: "userEnteredFormat.textFormat.link"}}, "Exactly one of 'start' or 'range'"},
		{"cells without fields", &sheetsapi.Request{UpdateCells: &sheetsapi.UpdateCellsRequest{Start: &sheetsapi.GridCoordinate{}}}, "'fields' is empty"},
	} {
		err := batch(svc, tc.req)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		wantAPIError(t, err, 400, tc.msg)
	}
	if len(f.Rules(id, "Sheet1")) != 0 || f.BasicFilter(id, "Sheet1") != nil {
		t.Fatal("a refused request left something behind")
	}

	link := &sheetsapi.CellData{UserEnteredFormat: &sheetsapi.CellFormat{TextFormat: &sheetsapi.TextFormat{Link: &sheetsapi.Link{Uri: "https://example.com/run"}}}}
	err := batch(svc,
		rule(column(0, 2), "NUMBER_GREATER", "0"),
		rule(column(0, 2), "NUMBER_LESS", "0"),
		&sheetsapi.Request{SetBasicFilter: &sheetsapi.SetBasicFilterRequest{Filter: &sheetsapi.BasicFilter{Range: &sheetsapi.GridRange{SheetId: 0, EndColumnIndex: 5, ForceSendFields: []string{"SheetId"}}}}},
		&sheetsapi.Request{UpdateCells: &sheetsapi.UpdateCellsRequest{
			Start:  &sheetsapi.GridCoordinate{SheetId: 0, RowIndex: 1, ColumnIndex: 3},
			Rows:   []*sheetsapi.RowData{{Values: []*sheetsapi.CellData{link}}},
			Fields: "userEnteredFormat.textFormat.link",
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	rules := f.Rules(id, "Sheet1")
	// A rule added without an index goes first.
	if len(rules) != 2 || rules[0].BooleanRule.Condition.Type != "NUMBER_LESS" {
		t.Errorf("rules = %+v", rules)
	}
	if f.BasicFilter(id, "Sheet1") == nil || f.Link(id, "Sheet1", 1, 3) != "https://example.com/run" {
		t.Errorf("filter %v, link %q", f.BasicFilter(id, "Sheet1"), f.Link(id, "Sheet1", 1, 3))
	}

	bare, err := svc.Spreadsheets.Get(id).Fields("sheets.properties").Do()
	if err != nil || bare.Sheets[0].BasicFilter != nil || len(bare.Sheets[0].ConditionalFormats) != 0 {
		t.Errorf("get with sheets.properties = %+v, %v", bare.Sheets[0], err)
	}
	full, err := svc.Spreadsheets.Get(id).Fields("sheets(properties,conditionalFormats,basicFilter)").Do()
	if err != nil || full.Sheets[0].BasicFilter == nil || len(full.Sheets[0].ConditionalFormats) != 2 ||
		full.Sheets[0].ConditionalFormats[1].BooleanRule.Condition.Values[0].UserEnteredValue != "0" {
		t.Errorf("get with the formats = %+v, %v", full.Sheets[0], err)
	}
}
