package sheetsfake

import (
	"encoding/json"
	"slices"
	"strings"
)

// Formatting requests of spreadsheets.batchUpdate beyond number formats:
// conditional format rules, the basic filter, and cell links (a cell's
// userEnteredFormat.textFormat.link, set by repeatCell or updateCells). The
// fake checks their shape as the service does and keeps them, and
// spreadsheets.get returns the rules and the filter when its fields ask.

// Rule is a conditional format rule as the API carries it.
type Rule struct {
	Ranges       []Range         `json:"ranges"`
	BooleanRule  *BooleanRule    `json:"booleanRule,omitempty"`
	GradientRule json.RawMessage `json:"gradientRule,omitempty"`
}

// Range is a GridRange; a nil index is unbounded.
type Range struct {
	SheetID          int64  `json:"sheetId"`
	StartRowIndex    *int64 `json:"startRowIndex,omitempty"`
	EndRowIndex      *int64 `json:"endRowIndex,omitempty"`
	StartColumnIndex *int64 `json:"startColumnIndex,omitempty"`
	EndColumnIndex   *int64 `json:"endColumnIndex,omitempty"`
}

// BooleanRule is a rule that applies its format where its condition holds.
type BooleanRule struct {
	Condition *Condition      `json:"condition"`
	Format    json.RawMessage `json:"format"`
}

// Condition is a BooleanCondition.
type Condition struct {
	Type   string `json:"type"`
	Values []struct {
		UserEnteredValue string `json:"userEnteredValue,omitempty"`
		RelativeDate     string `json:"relativeDate,omitempty"`
	} `json:"values,omitempty"`
}

// conditionValues is how many values a condition type takes (-1: one or
// more), for the types a number column uses and a few others.
var conditionValues = map[string]int{
	"NUMBER_GREATER": 1, "NUMBER_GREATER_THAN_EQ": 1, "NUMBER_LESS": 1, "NUMBER_LESS_THAN_EQ": 1,
	"NUMBER_EQ": 1, "NUMBER_NOT_EQ": 1, "NUMBER_BETWEEN": 2, "NUMBER_NOT_BETWEEN": 2,
	"TEXT_CONTAINS": 1, "TEXT_NOT_CONTAINS": 1, "TEXT_STARTS_WITH": 1, "TEXT_ENDS_WITH": 1, "TEXT_EQ": 1,
	"BLANK": 0, "NOT_BLANK": 0, "CUSTOM_FORMULA": 1,
}

// Filter is a sheet's basic filter.
type Filter struct {
	Range Range `json:"range"`
}

type linkFormat struct {
	TextFormat *struct {
		Link *struct {
			URI string `json:"uri"`
		} `json:"link"`
	} `json:"textFormat"`
}

type cellData struct {
	UserEnteredFormat *linkFormat `json:"userEnteredFormat"`
}

type addConditionalFormatRule struct {
	Rule  *Rule  `json:"rule"`
	Index *int64 `json:"index"`
}

type setBasicFilter struct {
	Filter *Filter `json:"filter"`
}

type updateCells struct {
	Rows []struct {
		Values []cellData `json:"values"`
	} `json:"rows"`
	Fields string `json:"fields"`
	Start  *struct {
		SheetID     int64 `json:"sheetId"`
		RowIndex    int64 `json:"rowIndex"`
		ColumnIndex int64 `json:"columnIndex"`
	} `json:"start"`
	Range *gridRange `json:"range"`
}

// bounds resolves a range on sh: unbounded ends are the grid's.
func (g Range) bounds(sh *sheet) (r0, r1, c0, c1 int64) {
	r1, c1 = sh.rows, sh.cols
	if g.StartRowIndex != nil {
		r0 = *g.StartRowIndex
	}
	if g.EndRowIndex != nil {
		r1 = *g.EndRowIndex
	}
	if g.StartColumnIndex != nil {
		c0 = *g.StartColumnIndex
	}
	if g.EndColumnIndex != nil {
		c1 = *g.EndColumnIndex
	}
	return r0, r1, c0, c1
}

// checkRange checks a range as the service does: its sheet exists, its
// start is before its end, and it lies within the grid.
func (b *book) checkRange(g Range) (*sheet, *apiError) {
	sh := b.sheetByID(g.SheetID)
	if sh == nil {
		return nil, badRequest("No grid with id: %d", g.SheetID)
	}
	r0, r1, c0, c1 := g.bounds(sh)
	if r0 < 0 || c0 < 0 || r1 < r0 || c1 < c0 {
		return nil, badRequest("Invalid range: start index must be before end index")
	}
	if r1 > sh.rows || c1 > sh.cols {
		return nil, gridError(sh, r0, c0, max(r1, r0+1), max(c1, c0+1))
	}
	return sh, nil
}

func (b *book) addConditionalFormatRule(a *addConditionalFormatRule) *apiError {
	if a.Rule == nil {
		return badRequest("Invalid ConditionalFormatRule: rule is required")
	}
	r := a.Rule
	if len(r.Ranges) == 0 {
		return badRequest("Invalid ConditionalFormatRule: ranges must not be empty")
	}
	var sh *sheet
	for _, g := range r.Ranges {
		s, e := b.checkRange(g)
		if e != nil {
			return e
		}
		if sh != nil && s != sh {
			return badRequest("Invalid ConditionalFormatRule: all ranges must be on the same sheet")
		}
		sh = s
	}
	switch {
	case (r.BooleanRule == nil) == (len(r.GradientRule) == 0):
		return badRequest("Invalid ConditionalFormatRule: exactly one of booleanRule or gradientRule must be set")
	case r.BooleanRule != nil:
		c := r.BooleanRule.Condition
		if c == nil {
			return badRequest("Invalid ConditionalFormatRule: booleanRule.condition is required")
		}
		n, known := conditionValues[c.Type]
		if !known {
			return badRequest("Invalid value at 'requests[0].add_conditional_format_rule.rule.boolean_rule.condition.type' (type.googleapis.com/google.apps.sheets.v4.ConditionType), %q", c.Type)
		}
		if len(c.Values) != n {
			return badRequest("Invalid ConditionalFormatRule: %s requires exactly %d ConditionValue(s), but %d were given.", c.Type, n, len(c.Values))
		}
		if len(r.BooleanRule.Format) == 0 || string(r.BooleanRule.Format) == "{}" {
			return badRequest("Invalid ConditionalFormatRule: booleanRule.format is required")
		}
	}
	var i int64 // an index left out reads as 0: the rule goes first
	if a.Index != nil {
		i = *a.Index
	}
	if i < 0 || i > int64(len(sh.rules)) {
		return badRequest("Invalid index %d: the sheet has %d conditional format rules", i, len(sh.rules))
	}
	sh.rules = slices.Insert(sh.rules, int(i), *r)
	return nil
}

func (b *book) setBasicFilter(f *setBasicFilter) *apiError {
	if f.Filter == nil {
		return badRequest("Invalid SetBasicFilterRequest: filter is required")
	}
	sh, e := b.checkRange(f.Filter.Range)
	if e != nil {
		return e
	}
	sh.filter = &f.Filter.Range
	return nil
}

// setLinks stores the links of cells [r0,r1)×[c0,c1) from cell(r, c).
func (sh *sheet) setLinks(r0, r1, c0, c1 int64, cell func(r, c int64) *cellData) {
	if sh.links == nil {
		sh.links = map[[2]int64]string{}
	}
	for r := r0; r < r1; r++ {
		for c := c0; c < c1; c++ {
			uri := ""
			if d := cell(r, c); d != nil && d.UserEnteredFormat != nil && d.UserEnteredFormat.TextFormat != nil && d.UserEnteredFormat.TextFormat.Link != nil {
				uri = d.UserEnteredFormat.TextFormat.Link.URI
			}
			if uri == "" {
				delete(sh.links, [2]int64{r, c})
			} else {
				sh.links[[2]int64{r, c}] = uri
			}
		}
	}
}

// linksField reports whether a fields mask covers a cell's link.
func linksField(fields string) bool {
	for _, f := range strings.Split(fields, ",") {
		switch strings.TrimSpace(f) {
		case "*", "userEnteredFormat", "userEnteredFormat.textFormat", "userEnteredFormat.textFormat.link":
			return true
		}
	}
	return false
}

func (b *book) updateCells(u *updateCells) *apiError {
	if u.Fields == "" {
		return badRequest("At least one field must be updated, but 'fields' is empty.")
	}
	if (u.Start == nil) == (u.Range == nil) {
		return badRequest("Exactly one of 'start' or 'range' must be set")
	}
	var (
		sh     *sheet
		r0, c0 int64
		r1, c1 int64
		e      *apiError
	)
	if u.Start != nil {
		if sh = b.sheetByID(u.Start.SheetID); sh == nil {
			return badRequest("No grid with id: %d", u.Start.SheetID)
		}
		r0, c0 = u.Start.RowIndex, u.Start.ColumnIndex
		r1 = r0 + int64(len(u.Rows))
		c1 = c0
		for _, row := range u.Rows {
			c1 = max(c1, c0+int64(len(row.Values)))
		}
		if r1 > sh.rows || c1 > sh.cols {
			return gridError(sh, r0, c0, r1, c1)
		}
	} else {
		g := Range{SheetID: u.Range.SheetID, StartRowIndex: u.Range.StartRowIndex, EndRowIndex: u.Range.EndRowIndex,
			StartColumnIndex: u.Range.StartColumnIndex, EndColumnIndex: u.Range.EndColumnIndex}
		if sh, e = b.checkRange(g); e != nil {
			return e
		}
		r0, r1, c0, c1 = g.bounds(sh)
		if int64(len(u.Rows)) > r1-r0 {
			return badRequest("Attempting to write row: %d, beyond the last requested row of: %d", r0+int64(len(u.Rows))-1, r1-1)
		}
	}
	if !linksField(u.Fields) {
		return nil
	}
	sh.setLinks(r0, r1, c0, c1, func(r, c int64) *cellData {
		i, j := r-r0, c-c0
		if i >= int64(len(u.Rows)) || j >= int64(len(u.Rows[i].Values)) {
			return nil
		}
		return &u.Rows[i].Values[j]
	})
	return nil
}

// Rules returns the conditional format rules of a sheet, in order.
func (s *Server) Rules(id, title string) []Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sh := s.sheetLocked(id, title); sh != nil {
		return slices.Clone(sh.rules)
	}
	return nil
}

// BasicFilter returns a sheet's basic filter, nil without one.
func (s *Server) BasicFilter(id, title string) *Filter {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sh := s.sheetLocked(id, title); sh != nil && sh.filter != nil {
		return &Filter{Range: *sh.filter}
	}
	return nil
}

// Link returns the link of a cell (zero-based), "" without one.
func (s *Server) Link(id, title string, row, col int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sh := s.sheetLocked(id, title); sh != nil {
		return sh.links[[2]int64{row, col}]
	}
	return ""
}
