package sheetsfake

import (
	"fmt"
	"strconv"
	"strings"
)

// a1Range is a parsed A1 range. Row and column indexes are zero-based;
// endRow/endCol are exclusive and -1 when the range is open on that side
// (A2:A, or a whole sheet).
type a1Range struct {
	sheet            string // "" means the first sheet
	startRow         int64
	startCol         int64
	endRow           int64
	endCol           int64
	singleCell       bool // "A1": the start of a write, no bound
	wholeSheetOrCols bool
}

// parseA1 parses ranges the way the Sheets API accepts them:
// 'My Tab'!A1:C3, Tab!A1, 'Tab', Tab!A:C, Tab!A2:P, Tab!1:1, A1:B2.
func parseA1(s string) (a1Range, error) {
	bad := fmt.Errorf("Unable to parse range: %s", s)
	var r a1Range
	ref := s
	if strings.HasPrefix(s, "'") {
		// Quoted sheet name; '' is an escaped quote.
		var b strings.Builder
		i := 1
		for {
			if i >= len(s) {
				return r, bad
			}
			if s[i] == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					b.WriteByte('\'')
					i += 2
					continue
				}
				i++
				break
			}
			b.WriteByte(s[i])
			i++
		}
		r.sheet = b.String()
		rest := s[i:]
		if rest == "" {
			r.endRow, r.endCol = -1, -1
			r.wholeSheetOrCols = true
			return r, nil
		}
		if !strings.HasPrefix(rest, "!") {
			return r, bad
		}
		ref = rest[1:]
	} else if i := strings.LastIndexByte(s, '!'); i >= 0 {
		r.sheet = s[:i]
		ref = s[i+1:]
	} else if _, _, ok := parseCell(strings.SplitN(s, ":", 2)[0]); !ok || s == "" {
		// A bare sheet name.
		r.sheet = s
		r.endRow, r.endCol = -1, -1
		r.wholeSheetOrCols = true
		return r, nil
	}
	if ref == "" {
		return r, bad
	}
	from, to, hasTo := strings.Cut(ref, ":")
	sr, sc, ok := parseCell(from)
	if !ok {
		return r, bad
	}
	if !hasTo {
		if sr < 0 || sc < 0 {
			return r, bad
		}
		r.startRow, r.startCol = sr, sc
		r.endRow, r.endCol = sr+1, sc+1
		r.singleCell = true
		return r, nil
	}
	er, ec, ok := parseCell(to)
	if !ok {
		return r, bad
	}
	// Column-only (A:C) or row-only (1:1) forms and open ends (A2:P).
	r.startRow, r.startCol = max(sr, 0), max(sc, 0)
	r.endRow, r.endCol = -1, -1
	if er >= 0 {
		r.endRow = er + 1
	}
	if ec >= 0 {
		r.endCol = ec + 1
	}
	if (sc < 0) != (ec < 0) {
		return r, bad
	}
	if r.endRow >= 0 && r.endRow <= r.startRow || r.endCol >= 0 && r.endCol <= r.startCol {
		return r, bad
	}
	return r, nil
}

// parseCell parses "B12" (row 11, col 1), "B" (row -1), "12" (col -1).
func parseCell(s string) (row, col int64, ok bool) {
	if s == "" {
		return 0, 0, false
	}
	i := 0
	col = 0
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z') {
		c := s[i]
		if c >= 'a' {
			c -= 'a' - 'A'
		}
		col = col*26 + int64(c-'A'+1)
		if col > 1<<30 {
			return 0, 0, false
		}
		i++
	}
	letters := i
	col--
	if i == len(s) {
		if letters == 0 {
			return 0, 0, false
		}
		return -1, col, true
	}
	n, err := strconv.ParseInt(s[i:], 10, 64)
	if err != nil || n < 1 || strings.HasPrefix(s[i:], "+") {
		return 0, 0, false
	}
	if letters == 0 {
		return n - 1, -1, true
	}
	return n - 1, col, true
}

// colName turns a zero-based column index into letters.
func colName(c int64) string {
	var b []byte
	for c++; c > 0; c = (c - 1) / 26 {
		b = append([]byte{byte('A' + (c-1)%26)}, b...)
	}
	return string(b)
}

// quoteTitle renders a sheet title for an A1 reference as the API's
// replies do ("Sheet1!A1:D5"): quoted only when it holds other characters
// than letters, digits and underscores. Error messages always quote.
func quoteTitle(t string) string {
	plain := t != ""
	for _, r := range t {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			plain = false
			break
		}
	}
	if plain {
		return t
	}
	return "'" + strings.ReplaceAll(t, "'", "''") + "'"
}

// formatRange renders rows [r0,r1) and columns [c0,c1) of a sheet.
func formatRange(title string, r0, c0, r1, c1 int64) string {
	return quoteTitle(title) + "!" + cells(r0, c0, r1, c1)
}

// errorRange renders a range for an error message, as the API does.
func errorRange(title string, r0, c0, r1, c1 int64) string {
	return "'" + strings.ReplaceAll(title, "'", "''") + "'!" + cells(r0, c0, r1, c1)
}

func cells(r0, c0, r1, c1 int64) string {
	from := colName(c0) + strconv.FormatInt(r0+1, 10)
	if r1-r0 <= 1 && c1-c0 <= 1 {
		return from
	}
	return from + ":" + colName(c1-1) + strconv.FormatInt(r1, 10)
}
