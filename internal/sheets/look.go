package sheets

import (
	"net/url"

	sheetsapi "google.golang.org/api/sheets/v4"
)

// How the Changes and Status tabs look: a rise and a cut of the change_pct
// column are coloured by conditional format rules (they colour the rows of
// later runs too, and leave the values as they are), the Changes tab has a
// basic filter, and links are clickable. Links are set as each cell's
// textFormat.link rather than written as HYPERLINK formulas, so that every
// value stays written RAW: nothing is parsed, and prices stay as AWS wrote
// them.
//
// Each is added only when missing, so that re-runs add no duplicate rule,
// and a filter or colours people changed in the sheet are kept.

var (
	riseColor = &sheetsapi.Color{Red: 0.957, Green: 0.78, Blue: 0.765}  // light red: the price went up
	cutColor  = &sheetsapi.Color{Red: 0.718, Green: 0.882, Blue: 0.804} // light green: the price went down
)

const (
	colVersion   = 1
	colStatusRun = 5 // run, then commit
)

// changesLook returns the requests that give the Changes tab (sheet id) its
// colours and filter, leaving out what the tab already has (existing, nil
// for a new tab).
func changesLook(id int64, existing *sheetState) []*sheetsapi.Request {
	var reqs []*sheetsapi.Request
	for _, r := range []struct {
		condition string
		color     *sheetsapi.Color
	}{{"NUMBER_GREATER", riseColor}, {"NUMBER_LESS", cutColor}} {
		if existing != nil && hasPctRule(existing, r.condition) {
			continue
		}
		reqs = append(reqs, &sheetsapi.Request{AddConditionalFormatRule: &sheetsapi.AddConditionalFormatRuleRequest{
			Rule: &sheetsapi.ConditionalFormatRule{
				// From the first line down, however many rows follow.
				Ranges: []*sheetsapi.GridRange{{SheetId: id, StartRowIndex: 1, StartColumnIndex: colChangePct, EndColumnIndex: colChangePct + 1,
					ForceSendFields: []string{"SheetId"}}},
				BooleanRule: &sheetsapi.BooleanRule{
					Condition: &sheetsapi.BooleanCondition{Type: r.condition, Values: []*sheetsapi.ConditionValue{{UserEnteredValue: "0"}}},
					Format:    &sheetsapi.CellFormat{BackgroundColor: r.color},
				},
			},
			Index:           0,
			ForceSendFields: []string{"Index"},
		}})
	}
	if existing == nil || !existing.filtered {
		reqs = append(reqs, &sheetsapi.Request{SetBasicFilter: &sheetsapi.SetBasicFilterRequest{Filter: &sheetsapi.BasicFilter{
			Range: &sheetsapi.GridRange{SheetId: id, EndColumnIndex: int64(len(changesHeader)),
				ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}},
		}}})
	}
	return reqs
}

// hasPctRule reports whether the tab has a rule of this condition against 0
// on the change_pct column, such as an earlier run added, whatever its
// colour.
func hasPctRule(st *sheetState, condition string) bool {
	for _, r := range st.rules {
		if r == nil || r.BooleanRule == nil || r.BooleanRule.Condition == nil || len(r.Ranges) != 1 {
			continue
		}
		c, g := r.BooleanRule.Condition, r.Ranges[0]
		if c.Type == condition && len(c.Values) == 1 && c.Values[0].UserEnteredValue == "0" &&
			g.SheetId == st.id && g.StartColumnIndex == colChangePct && g.EndColumnIndex == colChangePct+1 && g.StartRowIndex <= 1 {
			return true
		}
	}
	return false
}

// linkCell is a cell's format that links it to target, or no link at all
// when target is not a web address.
func linkCell(target string) *sheetsapi.CellData {
	if !webURL(target) {
		return &sheetsapi.CellData{}
	}
	return &sheetsapi.CellData{UserEnteredFormat: &sheetsapi.CellFormat{TextFormat: &sheetsapi.TextFormat{Link: &sheetsapi.Link{Uri: target}}}}
}

func webURL(s string) bool {
	u, err := url.Parse(s)
	return s != "" && err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// statusLinks makes the run and commit cells of the Status tab's rows
// (header excluded) clickable.
func statusLinks(id int64, status [][]string) *sheetsapi.Request {
	if len(status) == 0 {
		return nil
	}
	rows := make([]*sheetsapi.RowData, len(status))
	for i, r := range status {
		rows[i] = &sheetsapi.RowData{Values: []*sheetsapi.CellData{linkCell(r[colStatusRun]), linkCell(r[colStatusRun+1])}}
	}
	return &sheetsapi.Request{UpdateCells: &sheetsapi.UpdateCellsRequest{
		Range: &sheetsapi.GridRange{SheetId: id, StartRowIndex: 1, EndRowIndex: 1 + int64(len(status)),
			StartColumnIndex: colStatusRun, EndColumnIndex: colStatusRun + 2, ForceSendFields: []string{"SheetId"}},
		Rows:   rows,
		Fields: "userEnteredFormat.textFormat.link",
	}}
}

// versionLinks links the version cells of the Changes rows [r0,r1) this run
// appended to the commit that recorded them; nil without a commit URL.
func versionLinks(id, r0, r1 int64, commitURL string) *sheetsapi.Request {
	if !webURL(commitURL) {
		return nil
	}
	return &sheetsapi.Request{RepeatCell: &sheetsapi.RepeatCellRequest{
		Range: &sheetsapi.GridRange{SheetId: id, StartRowIndex: r0, EndRowIndex: r1, StartColumnIndex: colVersion, EndColumnIndex: colVersion + 1,
			ForceSendFields: []string{"SheetId", "StartRowIndex"}},
		Cell:   linkCell(commitURL),
		Fields: "userEnteredFormat.textFormat.link",
	}}
}
