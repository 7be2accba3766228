package sheets

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pricechecker/pricechecker/internal/report"
)

// Layout of the Changes and Status tabs. Their columns are fixed: the key
// column is how a later run recognises lines it already appended.
//
// "line" (the line's readable label) came after "key" so that a Changes tab
// written before it keeps every column where it was: such a tab's header
// (legacyChangesHeader) is extended in place, its rows stay as they are.
var (
	changesHeader = []string{
		"date", "version", "offer", "region", "kind", "rate_code", "sku", "term_type", "unit",
		"description", "attributes", "attribute_changes", "old_price", "new_price", "change_pct", "key",
		"line",
	}
	legacyChangesHeader = changesHeader[:colLine]
	statusHeader        = []string{
		"offer", "region", "tab", "version", "publication_date", "run", "commit", "updated_at",
	}
)

const (
	colOldPrice  = 12
	colNewPrice  = 13
	colChangePct = 14
	colKey       = 15
	colLine      = 16
	pctPattern   = "0.00"
	maxDecimals  = 30
)

// Change kinds in the Changes tab.
const (
	KindAdded   = "added"
	KindRemoved = "removed"
	KindChanged = "changed"
)

// layout is everything a publication writes (the tabs, their columns and
// rows, the changes and the status), computed without the network.
type layout struct {
	o       Options
	tabs    []tabLayout
	changes []changeRow
	status  [][]string // this run's rows, sorted by offer and region
	added   int
	removed int
	changed int
}

type tabLayout struct {
	title   string
	offer   string
	region  string
	header  []string
	rows    [][]any // string or json.Number cells, header excluded
	numbers []numberColumn
	// columns are the snapshot's own columns: a tab whose first row names
	// only these is taken as one pricechecker wrote (see priceTabHeader).
	columns []string
}

type numberColumn struct {
	index   int
	name    string
	pattern string
}

type changeRow struct {
	key      string
	cells    []any
	decimals int
}

func newLayout(o Options, tabs []Tab, rep report.Report) (*layout, error) {
	p := &layout{o: o}
	titles := map[string]string{
		strings.ToLower(o.ChangesTab): "the changes tab",
		strings.ToLower(o.StatusTab):  "the status tab",
	}
	seenColumn := map[string]bool{}
	for _, t := range tabs {
		tp, err := buildTab(o, t, seenColumn)
		if err != nil {
			return nil, err
		}
		what := t.Offer + " " + t.Region
		if prev, dup := titles[strings.ToLower(tp.title)]; dup {
			return nil, fmt.Errorf("sheets: %s and %s would both use tab %q: change the tab name template (%q)", prev, what, tp.title, o.TabName)
		}
		titles[strings.ToLower(tp.title)] = what
		p.tabs = append(p.tabs, tp)
	}
	if len(tabs) > 0 {
		for _, c := range o.Columns {
			if !seenColumn[c] {
				return nil, fmt.Errorf("sheets: column %q is in none of the snapshots; check the columns setting (snapshot columns: %s)",
					c, strings.Join(tabs[0].Header, ", "))
			}
		}
	}
	for i, tp := range p.tabs {
		if len(tp.header) == 0 {
			return nil, fmt.Errorf("sheets: tab %q: none of the configured columns is in the snapshot (it has: %s)", tp.title, strings.Join(tabs[i].Header, ", "))
		}
	}
	if err := p.buildChanges(rep); err != nil {
		return nil, err
	}
	p.buildStatus(tabs, rep)
	return p, nil
}

func buildTab(o Options, t Tab, seenColumn map[string]bool) (tabLayout, error) {
	tp := tabLayout{title: TabTitle(o.TabName, t.Offer, t.Region), offer: t.Offer, region: t.Region}
	for _, h := range t.Header {
		tp.columns = append(tp.columns, snapshotText(h))
	}
	index := make(map[string]int, len(t.Header))
	for i, h := range t.Header {
		if _, dup := index[h]; !dup {
			index[h] = i
		}
	}
	var picked []int
	if o.Columns == nil {
		for i := range t.Header {
			picked = append(picked, i)
		}
	} else {
		for _, c := range o.Columns {
			if i, ok := index[c]; ok {
				picked = append(picked, i)
				seenColumn[c] = true
			}
		}
	}
	if len(picked) == 0 {
		return tp, nil // newLayout reports it, after unknown column names
	}
	if len(picked) > MaxColumns {
		return tp, fmt.Errorf("sheets: tab %q: %d columns, above the Sheets limit of %d: publish fewer columns", tp.title, len(picked), MaxColumns)
	}
	numeric := map[string]bool{}
	for _, c := range o.NumberColumns {
		numeric[c] = true
	}
	decimals := make([]int, len(picked))
	for j, i := range picked {
		tp.header = append(tp.header, snapshotText(t.Header[i]))
		if err := checkCell(tp.title, 1, t.Header[i], t.Header[i]); err != nil {
			return tp, err
		}
		decimals[j] = -1
	}
	tp.rows = make([][]any, len(t.Rows))
	for r, src := range t.Rows {
		row := make([]any, len(picked))
		for j, i := range picked {
			v := ""
			if i < len(src) {
				v = snapshotText(src[i])
			}
			if err := checkCell(tp.title, r+2, t.Header[i], v); err != nil {
				return tp, err
			}
			row[j] = v
			if numeric[t.Header[i]] {
				if n, d, ok := numberValue(v); ok {
					row[j] = n
					decimals[j] = max(decimals[j], d)
				}
			}
		}
		tp.rows[r] = row
	}
	for j, d := range decimals {
		if d >= 0 {
			tp.numbers = append(tp.numbers, numberColumn{index: j, name: tp.header[j], pattern: decimalPattern(d)})
		}
	}
	return tp, nil
}

func checkCell(tab string, row int, column, v string) error {
	if len(v) > MaxCellChars && utf8.RuneCountInString(v) > MaxCellChars {
		where := fmt.Sprintf("row %d column %q", row, column)
		if row <= 0 {
			where = fmt.Sprintf("column %q of a change line", column)
		}
		return fmt.Errorf("sheets: tab %q %s holds %d characters, above the Sheets limit of %d per cell: leave this column out (columns setting)",
			tab, where, utf8.RuneCountInString(v), MaxCellChars)
	}
	return nil
}

var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.([0-9]+))?([eE]([+-]?[0-9]+))?$`)

// numberValue returns s as a JSON number when it is a plain finite decimal,
// with the number of decimals it shows. The JSON number carries the exact
// published digits; Sheets stores it as a double.
func numberValue(s string) (json.Number, int, bool) {
	m := jsonNumber.FindStringSubmatch(s)
	if m == nil {
		return "", 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return "", 0, false
	}
	d := len(m[3])
	if m[5] != "" {
		exp, err := strconv.Atoi(m[5])
		if err != nil {
			return "", 0, false
		}
		d -= exp
	}
	return json.Number(s), min(max(d, 0), maxDecimals), true
}

// decimalPattern is a number format showing exactly d decimals.
func decimalPattern(d int) string {
	if d <= 0 {
		return "0"
	}
	return "0." + strings.Repeat("0", d)
}

// ChangeKey identifies a line of the Changes tab across runs.
func ChangeKey(offer, region, version, kind, rateCode string) string {
	return strings.Join([]string{offer, region, version, kind, rateCode}, "|")
}

func (p *layout) buildChanges(rep report.Report) error {
	date := p.o.Now().UTC().Format("2006-01-02")
	seen := map[string]bool{}
	add := func(off report.Offer, kind string, l report.Line, attrChanges, oldP, newP string, pct *float64) error {
		rateCode, sku, term, unit, desc, attrs := l.RateCode, l.SKU, l.TermType, l.Unit, l.Description, l.Attributes
		key := cellText(ChangeKey(off.OfferCode, off.Region, off.ToVersion, kind, rateCode))
		if seen[key] {
			return nil
		}
		seen[key] = true
		row := changeRow{key: key, decimals: -1}
		price := func(s string) any {
			if n, d, ok := numberValue(s); ok {
				row.decimals = max(row.decimals, d)
				return n
			}
			return s
		}
		var pctCell any = ""
		if pct != nil && !math.IsNaN(*pct) && !math.IsInf(*pct, 0) {
			pctCell = json.Number(strconv.FormatFloat(*pct, 'f', -1, 64))
		}
		row.cells = []any{
			date, off.ToVersion, off.OfferCode, off.Region, kind, rateCode, sku, term, unit,
			desc, p.attributes(attrs), attrChanges, price(oldP), price(newP), pctCell, key,
			// The label is for reading only: it is written as text, and the
			// prices stay in their own columns as AWS wrote them.
			l.Label(p.o.KeyAttributes),
		}
		for i, c := range row.cells {
			if s, ok := c.(string); ok {
				s = cellText(s)
				row.cells[i] = s
				if err := checkCell(p.o.ChangesTab, 0, changesHeader[i], s); err != nil {
					return err
				}
			}
		}
		p.changes = append(p.changes, row)
		return nil
	}
	for _, off := range rep.Offers {
		if off.Skipped != "" {
			continue
		}
		for _, l := range off.Added {
			p.added++
			if err := add(off, KindAdded, l, "", "", l.Price, nil); err != nil {
				return err
			}
		}
		for _, l := range off.Removed {
			p.removed++
			if err := add(off, KindRemoved, l, "", l.Price, "", nil); err != nil {
				return err
			}
		}
		for _, c := range off.Changed {
			p.changed++
			var fc []string
			for _, f := range c.AttributeChanges {
				fc = append(fc, fmt.Sprintf("%s: %s → %s", f.Field, f.Old, f.New))
			}
			if err := add(off, KindChanged, c.Line(), strings.Join(fc, "; "), c.OldPrice, c.NewPrice, c.ChangePct); err != nil {
				return err
			}
		}
	}
	return nil
}

// attributes renders the key attributes of a line as "name=value; ...".
func (p *layout) attributes(attrs map[string]string) string {
	names := p.o.KeyAttributes
	if names == nil {
		names = slices.Sorted(maps.Keys(attrs))
	}
	var parts []string
	for _, n := range names {
		if v, ok := attrs[n]; ok && v != "" {
			parts = append(parts, n+"="+v)
		}
	}
	return strings.Join(parts, "; ")
}

func (p *layout) buildStatus(tabs []Tab, rep report.Report) {
	updated := p.o.Now().UTC().Format("2006-01-02T15:04:05Z")
	rows := map[string][]string{}
	for _, t := range tabs {
		rows[t.Offer+"|"+t.Region] = []string{t.Offer, t.Region, TabTitle(p.o.TabName, t.Offer, t.Region),
			t.Version, t.PublicationDate, p.o.RunURL, p.o.CommitURL, updated}
	}
	for _, off := range rep.Offers {
		k := off.OfferCode + "|" + off.Region
		if r, ok := rows[k]; ok {
			if r[3] == "" {
				r[3] = off.ToVersion
			}
			if r[4] == "" {
				r[4] = off.PublicationDate
			}
			continue
		}
		if off.Skipped != "" || off.ToVersion == "" {
			continue
		}
		rows[k] = []string{off.OfferCode, off.Region, "", off.ToVersion, off.PublicationDate, p.o.RunURL, p.o.CommitURL, updated}
	}
	for _, k := range slices.Sorted(maps.Keys(rows)) {
		row := rows[k]
		for i := range row {
			row[i] = cellText(row[i])
		}
		p.status = append(p.status, row)
	}
}

// dryRun describes the layout; it makes no request.
func (p *layout) dryRun(w io.Writer) (Result, error) {
	id := p.o.SpreadsheetID
	res := Result{SpreadsheetURL: SpreadsheetURL(id), ChangesAppended: len(p.changes), StatusRows: len(p.status)}
	var b strings.Builder
	fmt.Fprintf(&b, "Dry run: nothing is written to spreadsheet %s (%s).\n", id, res.SpreadsheetURL)
	var cells int64
	for _, t := range p.tabs {
		res.Tabs = append(res.Tabs, TabResult{Name: t.title, Rows: len(t.rows), Columns: len(t.header)})
		fmt.Fprintf(&b, "Would create or replace tab %q: header + %d rows × %d columns, header row frozen", t.title, len(t.rows), len(t.header))
		for _, n := range t.numbers {
			fmt.Fprintf(&b, "; %s as number (format %s)", n.name, n.pattern)
		}
		b.WriteString(".\n")
		cells += gridRows(len(t.rows)) * int64(len(t.header))
	}
	fmt.Fprintf(&b, "Would append up to %d lines to tab %q (%d added, %d removed, %d changed; lines already there from an earlier run of the same version are skipped)",
		len(p.changes), p.o.ChangesTab, p.added, p.removed, p.changed)
	if len(p.changes) == 0 {
		b.WriteString(".\n")
	} else {
		b.WriteString(":\n")
	}
	const shown = 50
	for i, c := range p.changes {
		if i == shown {
			fmt.Fprintf(&b, "  ... and %d more\n", len(p.changes)-shown)
			break
		}
		fmt.Fprintf(&b, "  %s %s %s %s %s %s", c.cells[0], c.cells[2], c.cells[3], c.cells[1], c.cells[4], c.cells[5])
		if a := c.cells[10].(string); a != "" {
			fmt.Fprintf(&b, " [%s]", a)
		}
		fmt.Fprintf(&b, " %v -> %v", orDash(c.cells[colOldPrice]), orDash(c.cells[colNewPrice]))
		if n, ok := c.cells[colChangePct].(json.Number); ok {
			f, _ := n.Float64()
			fmt.Fprintf(&b, " (%+.2f%%)", f)
		}
		b.WriteString("\n")
	}
	cells += int64(len(changesHeader)) * int64(len(p.changes)+2)
	fmt.Fprintf(&b, "Would set %d %s in tab %q (rows of other offers and regions are kept):\n", len(p.status), plural(len(p.status), "row"), p.o.StatusTab)
	for _, r := range p.status {
		fmt.Fprintf(&b, "  %s %s: version %s, published %s\n", r[0], r[1], orDash(r[3]), orDash(r[4]))
	}
	cells += gridRows(len(p.status)) * int64(len(statusHeader))
	fmt.Fprintf(&b, "These tabs need %d cells of the spreadsheet's %d.\n", cells, MaxCells)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return res, fmt.Errorf("sheets: write dry run: %w", err)
	}
	if cells > MaxCells {
		return res, fmt.Errorf("sheets: the tabs need %d cells, above the Sheets limit of %d per spreadsheet: publish fewer columns or narrow the filters", cells, MaxCells)
	}
	return res, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func orDash(v any) any {
	if s, ok := v.(string); ok && s == "" {
		return "-"
	}
	return v
}

// gridRows is the row count of a tab holding n data rows: the header, and
// at least one row below it (Sheets cannot freeze every row).
func gridRows(n int) int64 { return int64(max(n+1, 2)) }
