package sheets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/api/googleapi"
	sheetsapi "google.golang.org/api/sheets/v4"

	"github.com/pricechecker/pricechecker/internal/backoff"
)

type publisher struct {
	svc    *sheetsapi.Service
	o      Options
	layout *layout
	res    Result
}

// sheetState is an existing sheet's properties.
type sheetState struct {
	id                 int64
	title              string
	rows, cols, frozen int64
	// rules are the sheet's conditional format rules, filtered whether it
	// has a basic filter: what changesLook leaves as it is.
	rules    []*sheetsapi.ConditionalFormatRule
	filtered bool
}

// target is a tab this run writes, with the grid it needs.
type target struct {
	title      string
	rows, cols int64
	existing   *sheetState
	clear      bool
	id         int64
}

// call runs one API call with retries, counting it and explaining its
// failure.
func (p *publisher) call(ctx context.Context, what string, write bool, fn func(context.Context) error) error {
	if write {
		p.res.WriteRequests++
	} else {
		p.res.ReadRequests++
	}
	attempts, err := p.o.Retry.do(ctx, p.o.RequestTimeout, fn)
	if err != nil {
		return p.explain(what, attempts, err)
	}
	return nil
}

func (p *publisher) publish(ctx context.Context) (Result, error) {
	id := p.o.SpreadsheetID
	p.res.SpreadsheetURL = SpreadsheetURL(id)

	// 1. The sheets as they are.
	existing, err := p.readSheets(ctx)
	if err != nil {
		return p.res, err
	}
	find := func(title string) *sheetState { return findSheet(existing, title) }
	changesTab, statusTab := find(p.o.ChangesTab), find(p.o.StatusTab)
	priceTabs := make([]*sheetState, len(p.layout.tabs))
	for i, t := range p.layout.tabs {
		priceTabs[i] = find(t.title)
	}

	// 2. What the tabs already hold; a tab pricechecker did not write stops
	// the run here, before any write.
	cur, err := p.readTabs(ctx, changesTab, statusTab, priceTabs)
	if err != nil {
		return p.res, err
	}
	var changes []changeRow
	for _, c := range p.layout.changes {
		if cur.keys[c.key] {
			p.res.ChangesSkipped++
			continue
		}
		changes = append(changes, c)
	}
	status := mergeStatus(cur.status, p.layout.status)
	p.res.StatusRows = len(status)

	// 3. The grids this run needs, checked against the cell limit.
	var targets []*target
	for i, t := range p.layout.tabs {
		targets = append(targets, &target{title: t.title, rows: gridRows(len(t.rows)), cols: int64(len(t.header)), existing: priceTabs[i], clear: true})
	}
	ct := &target{title: p.o.ChangesTab, rows: 2, cols: int64(len(changesHeader)), existing: changesTab}
	if changesTab != nil {
		ct.rows = changesTab.rows
		ct.cols = max(changesTab.cols, ct.cols)
	}
	targets = append(targets, ct)
	stt := &target{title: p.o.StatusTab, rows: gridRows(len(status)), cols: int64(len(statusHeader)), existing: statusTab, clear: true}
	targets = append(targets, stt)
	if err := checkCells(existing, targets, ct, len(changes)); err != nil {
		return p.res, err
	}

	// 4. Create missing tabs, resize and freeze the others.
	if err := p.structure(ctx, targets); err != nil {
		return p.res, err
	}

	// 5. Clear what is replaced.
	var clear []string
	for _, t := range targets {
		if t.clear && t.existing != nil {
			clear = append(clear, quoteTitle(t.title))
		}
	}
	if len(clear) > 0 {
		err := p.call(ctx, "clear tabs", true, func(ctx context.Context) error {
			_, err := p.svc.Spreadsheets.Values.BatchClear(id, &sheetsapi.BatchClearValuesRequest{Ranges: clear}).Context(ctx).Do()
			return err
		})
		if err != nil {
			return p.res, err
		}
	}

	// 6. Write the price tabs, the Status tab and the Changes header.
	ch := newChunker(p.o.MaxRequestBytes)
	if !cur.changesHeaderPresent {
		if err := ch.add(p.o.ChangesTab, 0, [][]any{anyRow(changesHeader)}); err != nil {
			return p.res, err
		}
	}
	for _, t := range p.layout.tabs {
		rows := append([][]any{anyRow(t.header)}, t.rows...)
		if err := ch.add(t.title, 0, rows); err != nil {
			return p.res, err
		}
		p.res.Tabs = append(p.res.Tabs, TabResult{Name: t.title, Rows: len(t.rows), Columns: len(t.header)})
	}
	statusRows := [][]any{anyRow(statusHeader)}
	for _, r := range status {
		statusRows = append(statusRows, anyRow(r))
	}
	if err := ch.add(p.o.StatusTab, 0, statusRows); err != nil {
		return p.res, err
	}
	for i, data := range ch.finish() {
		req := &sheetsapi.BatchUpdateValuesRequest{ValueInputOption: "RAW", Data: data}
		err := p.call(ctx, fmt.Sprintf("write values (request %d)", i+1), true, func(ctx context.Context) error {
			_, err := p.svc.Spreadsheets.Values.BatchUpdate(id, req).Context(ctx).Do()
			return err
		})
		if err != nil {
			return p.res, err
		}
	}

	// 7. Append the new changes.
	var formats []*sheetsapi.Request
	if len(changes) > 0 {
		f, err := p.appendChanges(ctx, ct, changes)
		if err != nil {
			return p.res, err
		}
		formats = append(formats, f...)
	}

	// 8. Number formats, colours, filter and links, now that every sheet
	// id is known.
	for i, t := range p.layout.tabs {
		for _, n := range t.numbers {
			formats = append(formats, numberFormat(targets[i].id, 1, int64(len(t.rows))+1, int64(n.index), n.pattern))
		}
	}
	if r := statusLinks(stt.id, status); r != nil {
		formats = append(formats, r)
	}
	if err := p.format(ctx, formats, ct.id, changesTab); err != nil {
		return p.res, err
	}
	return p.res, nil
}

// sheetFields is what readSheets reads of each sheet.
const sheetFields = "sheets(properties,conditionalFormats,basicFilter)"

// format sends the formats (number formats and links, which can be set
// twice) with what gives the Changes tab (sheet id) its colours and filter
// (see changesLook). A rule added twice would be there twice, so when an
// attempt may have taken effect, the next one reads the tab again and adds
// only what is missing.
func (p *publisher) format(ctx context.Context, formats []*sheetsapi.Request, id int64, existing *sheetState) error {
	reqs := append(slices.Clip(formats), changesLook(id, existing)...)
	if len(reqs) == 0 {
		return nil
	}
	first := true
	return p.call(ctx, "set formats", true, func(ctx context.Context) error {
		if !first {
			p.res.ReadRequests++
			ss, err := p.svc.Spreadsheets.Get(p.o.SpreadsheetID).Fields(sheetFields).Context(ctx).Do()
			if err != nil {
				return err
			}
			var now *sheetState
			for _, st := range sheetStates(ss) {
				if st.id == id {
					now = st
				}
			}
			if reqs = append(slices.Clip(formats), changesLook(id, now)...); len(reqs) == 0 {
				return nil
			}
		}
		first = false
		_, err := p.svc.Spreadsheets.BatchUpdate(p.o.SpreadsheetID, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do()
		return err
	})
}

// readSheets reads the properties of every sheet of the spreadsheet.
func (p *publisher) readSheets(ctx context.Context) ([]*sheetState, error) {
	id := p.o.SpreadsheetID
	var ss *sheetsapi.Spreadsheet
	err := p.call(ctx, "read spreadsheet "+id, false, func(ctx context.Context) error {
		var err error
		ss, err = p.svc.Spreadsheets.Get(id).Fields(sheetFields).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	return sheetStates(ss), nil
}

// sheetStates is what a spreadsheets.get answer says of each sheet.
func sheetStates(ss *sheetsapi.Spreadsheet) []*sheetState {
	var existing []*sheetState
	for _, sh := range ss.Sheets {
		if sh.Properties == nil {
			continue
		}
		st := &sheetState{id: sh.Properties.SheetId, title: sh.Properties.Title, rules: sh.ConditionalFormats, filtered: sh.BasicFilter != nil}
		if g := sh.Properties.GridProperties; g != nil {
			st.rows, st.cols, st.frozen = g.RowCount, g.ColumnCount, g.FrozenRowCount
		}
		existing = append(existing, st)
	}
	return existing
}

// findSheet finds a sheet by title, as Sheets compares titles: ignoring
// case.
func findSheet(existing []*sheetState, title string) *sheetState {
	for _, st := range existing {
		if strings.EqualFold(st.title, title) {
			return st
		}
	}
	return nil
}

// current is what the tabs this run writes already hold.
type current struct {
	keys                 map[string]bool // the Changes tab's key column
	status               [][]string      // the Status tab's rows, header excluded
	changesHeaderPresent bool
}

// readTabs reads what the tabs this run writes already hold: the Changes
// tab's header and key column, the whole Status tab and the first row of
// every price tab. It refuses a tab pricechecker did not write, which the
// run would append to (Changes) or clear (Status, price tabs), before
// anything is written, so that a refused run leaves the spreadsheet as it
// was. priceTabs are aligned with p.layout.tabs, nil where the tab is missing.
func (p *publisher) readTabs(ctx context.Context, changesTab, statusTab *sheetState, priceTabs []*sheetState) (current, error) {
	cur := current{keys: map[string]bool{}}
	var ranges []string
	add := func(rng string) int {
		ranges = append(ranges, rng)
		return len(ranges) - 1
	}
	headerIndex, keyIndex, statusIndex := -1, -1, -1
	if changesTab != nil {
		lastCol := colName(min(int64(len(changesHeader)), changesTab.cols) - 1)
		headerIndex = add(quoteTitle(changesTab.title) + "!A1:" + lastCol + "1")
		if changesTab.rows >= 2 && changesTab.cols > colKey {
			keyCol := colName(colKey)
			keyIndex = add(quoteTitle(changesTab.title) + "!" + keyCol + "2:" + keyCol)
		}
	}
	if statusTab != nil {
		// The whole tab, not just the status columns: the run clears all of
		// it, so data under an empty first row must stop it too.
		statusIndex = add(quoteTitle(statusTab.title))
	}
	priceIndex := make([]int, len(priceTabs))
	for i, st := range priceTabs {
		priceIndex[i] = -1
		if st != nil {
			priceIndex[i] = add(quoteTitle(st.title) + "!1:1")
		}
	}
	values, err := p.batchGet(ctx, "read the existing tabs", ranges)
	if err != nil {
		return cur, err
	}
	value := func(i int) [][]any {
		if i >= 0 && i < len(values) {
			return values[i]
		}
		return nil
	}

	if header := value(headerIndex); len(header) > 0 && len(header[0]) > 0 {
		got := cellStrings(header[0])
		switch {
		case slices.Equal(got, changesHeader):
			cur.changesHeaderPresent = true
		case slices.Equal(got, legacyChangesHeader):
			// Written before the line column: the header is written again
			// with it (its first columns unchanged), the rows keep theirs.
		default:
			return cur, fmt.Errorf("sheets: tab %q does not have the changes layout (%s, want %q): rename that tab, or choose another changes tab name (--sheet-changes-tab)",
				changesTab.title, describeRow1(got), strings.Join(changesHeader, ", "))
		}
	}
	for _, row := range value(keyIndex) {
		if len(row) > 0 {
			cur.keys[fmt.Sprint(row[0])] = true
		}
	}

	// A tab that exists but holds nothing is taken over; one that holds
	// anything must start with the status header.
	listed := map[string]bool{} // price tabs an earlier run wrote, from the Status tab
	if rows := value(statusIndex); len(rows) > 0 {
		if got := cellStrings(rows[0]); !slices.Equal(got, statusHeader) {
			return cur, fmt.Errorf("sheets: tab %q does not have the status layout (%s, want %q): rename that tab, or choose another status tab name (--sheet-status-tab)",
				statusTab.title, describeRow1(got), strings.Join(statusHeader, ", "))
		}
		for _, row := range rows[1:] {
			r := make([]string, len(statusHeader))
			for i := range min(len(row), len(r)) {
				r[i] = fmt.Sprint(row[i])
			}
			if r[0] != "" {
				cur.status = append(cur.status, r)
				listed[strings.ToLower(r[2])] = true
			}
		}
	}

	// A price tab is replaced when the Status tab lists it or its first row
	// names columns of its snapshot; a first row of other names is a tab
	// pricechecker did not write.
	var blank []int
	for i, st := range priceTabs {
		if st == nil || listed[strings.ToLower(st.title)] {
			continue
		}
		row := value(priceIndex[i])
		if len(row) == 0 || len(row[0]) == 0 {
			blank = append(blank, i)
			continue
		}
		if got := cellStrings(row[0]); !priceTabHeader(got, p.layout.tabs[i].columns) {
			return cur, foreignPriceTab(p.layout.tabs[i], describeRow1(got)+", not columns of its snapshot")
		}
	}
	// Nothing in row 1 is an empty tab, or data pricechecker did not write.
	if len(blank) > 0 {
		ranges = ranges[:0]
		for _, i := range blank {
			ranges = append(ranges, quoteTitle(priceTabs[i].title))
		}
		values, err := p.batchGet(ctx, "read the existing tabs", ranges)
		if err != nil {
			return cur, err
		}
		for j, i := range blank {
			if j < len(values) && len(values[j]) > 0 {
				return cur, foreignPriceTab(p.layout.tabs[i], "row 1 is empty but the tab holds data")
			}
		}
	}
	return cur, nil
}

// priceTabHeader reports whether row could be a header pricechecker wrote
// for a snapshot with these columns: every cell names one of them. The
// columns setting may have picked others since, but never a name the
// snapshot does not have.
func priceTabHeader(row, columns []string) bool {
	for _, c := range row {
		if !slices.Contains(columns, c) {
			return false
		}
	}
	return true
}

// foreignPriceTab is the error for a price tab pricechecker did not write;
// why says what row 1 shows.
func foreignPriceTab(t tabLayout, why string) error {
	return fmt.Errorf("sheets: tab %q holds something pricechecker did not write (%s): pricechecker replaces the %s %s price tab on every run, so rename that tab, or change the tab name template (--sheet-tab-name); if it is an old price tab of pricechecker's, delete it",
		t.title, why, t.offer, t.region)
}

// describeRow1 shows a first row in an error, cut short when wide.
func describeRow1(cells []string) string {
	if len(cells) == 0 {
		return "row 1 is empty"
	}
	const shown = 20
	s := strings.Join(cells[:min(len(cells), shown)], ", ")
	if len(cells) > shown {
		s += fmt.Sprintf(", ... (%d cells)", len(cells))
	}
	return fmt.Sprintf("row 1 is %q", s)
}

func cellStrings(row []any) []string {
	out := make([]string, len(row))
	for i, v := range row {
		out[i] = fmt.Sprint(v)
	}
	return out
}

// maxRangesQuery caps the encoded ranges of one values:batchGet, a GET
// whose ranges travel in the URL: Google refuses URLs much over 8 KB, and a
// spreadsheet may have hundreds of price tabs.
const maxRangesQuery = 4000

// batchGet reads ranges, in as many requests as the URL limit needs, and
// returns their values in order.
func (p *publisher) batchGet(ctx context.Context, what string, ranges []string) ([][][]any, error) {
	out := make([][][]any, 0, len(ranges))
	for len(ranges) > 0 {
		n, size := 0, 0
		for n < len(ranges) {
			size += len("&ranges=") + len(url.QueryEscape(ranges[n]))
			if n > 0 && size > maxRangesQuery {
				break
			}
			n++
		}
		batch := ranges[:n]
		ranges = ranges[n:]
		var resp *sheetsapi.BatchGetValuesResponse
		err := p.call(ctx, what, false, func(ctx context.Context) error {
			var err error
			resp, err = p.svc.Spreadsheets.Values.BatchGet(p.o.SpreadsheetID).Ranges(batch...).Context(ctx).Do()
			return err
		})
		if err != nil {
			return nil, err
		}
		for i := range batch {
			var v [][]any
			if i < len(resp.ValueRanges) && resp.ValueRanges[i] != nil {
				v = resp.ValueRanges[i].Values
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// mergeStatus keeps the rows of offers and regions this run did not touch.
func mergeStatus(old, fresh [][]string) [][]string {
	rows := map[string][]string{}
	for _, r := range old {
		rows[r[0]+"|"+r[1]] = r
	}
	for _, r := range fresh {
		rows[r[0]+"|"+r[1]] = r
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([][]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, rows[k])
	}
	return out
}

// checkCells refuses a run that would take the spreadsheet past 10 million
// cells, naming the biggest tab it writes.
func checkCells(existing []*sheetState, targets []*target, changes *target, newChanges int) error {
	var total int64
	written := map[*sheetState]bool{}
	var biggest *target
	var biggestCells int64
	for _, t := range targets {
		n := t.rows * t.cols
		if t == changes {
			n = (t.rows + int64(newChanges)) * t.cols
		}
		total += n
		if t.existing != nil {
			written[t.existing] = true
		}
		if n > biggestCells {
			biggest, biggestCells = t, n
		}
	}
	for _, st := range existing {
		if !written[st] {
			total += st.rows * st.cols
		}
	}
	if total <= MaxCells {
		return nil
	}
	advice := fmt.Sprintf("publish fewer columns (columns setting) or narrow the filter for the offer and region of tab %q", biggest.title)
	if biggest == changes {
		advice = fmt.Sprintf("rename or archive tab %q so that a new one is started", biggest.title)
	}
	return fmt.Errorf("sheets: tab %q needs %d cells, and the spreadsheet would hold %d, above the Sheets limit of %d cells: %s",
		biggest.title, biggestCells, total, MaxCells, advice)
}

// structure adds missing tabs and sets the grid and frozen row of the
// others, in one atomic request, and records every target's sheet id.
//
// A retried request may meet its own first attempt: when Sheets applied
// the request but its answer was lost (a 5xx after the write, a broken
// connection), the retry's addSheet fails with "A sheet with the name ...
// already exists". Another run may also have added the tab since it was
// read. Either way the spreadsheet is read again and only what is still
// missing is requested.
func (p *publisher) structure(ctx context.Context, targets []*target) error {
	var created []string
	for _, t := range targets {
		if t.existing == nil {
			created = append(created, t.title)
		}
	}
	err := p.structureOnce(ctx, targets)
	if err != nil && sheetExists(err) {
		existing, rerr := p.readSheets(ctx)
		if rerr != nil {
			return rerr
		}
		for _, t := range targets {
			t.existing = findSheet(existing, t.title)
		}
		err = p.structureOnce(ctx, targets)
	}
	if err != nil {
		return err
	}
	p.res.TabsCreated = created
	return nil
}

// sheetExists reports whether err is Sheets refusing an addSheet because
// the tab is already there.
func sheetExists(err error) bool {
	var gerr *googleapi.Error
	return errors.As(err, &gerr) && gerr.Code == http.StatusBadRequest &&
		strings.Contains(gerr.Message, "addSheet") && strings.Contains(gerr.Message, "already exists")
}

// structureOnce requests what targets need of the sheets as last read.
func (p *publisher) structureOnce(ctx context.Context, targets []*target) error {
	// Shrinks go first: the service checks the cell limit after each
	// request, so a new tab listed before the shrink that makes room for
	// it would fail although the final layout fits.
	var shrinks, grows, reqs []*sheetsapi.Request
	var adds []*target
	added := map[int]*target{}
	for _, t := range targets {
		grid := &sheetsapi.GridProperties{RowCount: t.rows, ColumnCount: t.cols, FrozenRowCount: 1}
		if t.existing == nil {
			adds = append(adds, t)
			continue
		}
		e := t.existing
		t.id = e.id
		if e.rows == t.rows && e.cols == t.cols && e.frozen == 1 {
			continue
		}
		req := &sheetsapi.Request{UpdateSheetProperties: &sheetsapi.UpdateSheetPropertiesRequest{
			Properties: &sheetsapi.SheetProperties{
				SheetId:         e.id,
				GridProperties:  grid,
				ForceSendFields: []string{"SheetId"},
			},
			Fields: "gridProperties.rowCount,gridProperties.columnCount,gridProperties.frozenRowCount",
		}}
		if t.rows*t.cols < e.rows*e.cols {
			shrinks = append(shrinks, req)
		} else {
			grows = append(grows, req)
		}
	}
	reqs = append(append(reqs, shrinks...), grows...)
	for _, t := range adds {
		added[len(reqs)] = t
		reqs = append(reqs, &sheetsapi.Request{AddSheet: &sheetsapi.AddSheetRequest{
			Properties: &sheetsapi.SheetProperties{Title: t.title, GridProperties: &sheetsapi.GridProperties{RowCount: t.rows, ColumnCount: t.cols, FrozenRowCount: 1}},
		}})
	}
	if len(reqs) == 0 {
		return nil
	}
	var resp *sheetsapi.BatchUpdateSpreadsheetResponse
	err := p.call(ctx, "create and resize tabs", true, func(ctx context.Context) error {
		var err error
		resp, err = p.svc.Spreadsheets.BatchUpdate(p.o.SpreadsheetID, &sheetsapi.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do()
		return err
	})
	if err != nil {
		return err
	}
	for i, t := range added {
		if i >= len(resp.Replies) || resp.Replies[i].AddSheet == nil || resp.Replies[i].AddSheet.Properties == nil {
			return fmt.Errorf("sheets: create tab %q: the reply has no sheet id", t.title)
		}
		t.id = resp.Replies[i].AddSheet.Properties.SheetId
	}
	return nil
}

// appendChanges appends rows to the Changes tab in chunks and returns the
// number formats for the rows it appended.
func (p *publisher) appendChanges(ctx context.Context, ct *target, changes []changeRow) ([]*sheetsapi.Request, error) {
	rows := make([][]any, len(changes))
	decimals := -1
	for i, c := range changes {
		rows[i] = c.cells
		decimals = max(decimals, c.decimals)
	}
	ch := newChunker(p.o.MaxRequestBytes)
	if err := ch.add(p.o.ChangesTab, 0, rows); err != nil {
		return nil, err
	}
	var formats []*sheetsapi.Request
	for i, data := range ch.finish() {
		for _, vr := range data {
			r0, r1, ok, err := p.appendRows(ctx, fmt.Sprintf("append to tab %q (request %d)", p.o.ChangesTab, i+1), vr.Values)
			if err != nil {
				return nil, err
			}
			p.res.ChangesAppended += len(vr.Values)
			if !ok {
				continue
			}
			if decimals >= 0 {
				formats = append(formats, numberFormat(ct.id, r0, r1, colOldPrice, decimalPattern(decimals)),
					numberFormat(ct.id, r0, r1, colNewPrice, decimalPattern(decimals)))
			}
			formats = append(formats, numberFormat(ct.id, r0, r1, colChangePct, pctPattern))
			if r := versionLinks(ct.id, r0, r1, p.o.CommitURL); r != nil {
				formats = append(formats, r)
			}
		}
	}
	return formats, nil
}

// appendRows appends rows (each with its key in the key column) to the
// Changes tab and returns the zero-based rows [r0,r1) they occupy (ok false
// when unknown).
//
// An append is not idempotent: when an attempt fails in a way that may have
// taken effect (a 5xx, a broken connection), the rows may be in the tab
// although the answer was an error. Before trying again the key column is
// read back, and only the rows whose key is not there yet are appended.
func (p *publisher) appendRows(ctx context.Context, what string, rows [][]any) (r0, r1 int64, ok bool, err error) {
	rng := quoteTitle(p.o.ChangesTab) + "!A1"
	p.res.WriteRequests++
	pending := rows
	var found []int64 // rows of this chunk an earlier attempt added
	var last, readErr error
	attempts, err := p.o.Retry.policy().Do(ctx, func(try backoff.Attempt) (backoff.Verdict, error) {
		if try.N > 1 && maybeApplied(last) {
			keys, rerr := p.readChangeKeys(ctx)
			if rerr != nil {
				readErr = rerr
				return backoff.Verdict{}, rerr
			}
			var left [][]any
			for _, row := range pending {
				if r, there := keys[fmt.Sprint(row[colKey])]; there {
					found = append(found, r)
					continue
				}
				left = append(left, row)
			}
			pending = left
			if len(pending) == 0 {
				return backoff.Verdict{}, nil
			}
		}
		actx, cancel := context.WithTimeout(ctx, p.o.RequestTimeout)
		defer cancel()
		resp, err := p.svc.Spreadsheets.Values.Append(p.o.SpreadsheetID, rng, &sheetsapi.ValueRange{MajorDimension: "ROWS", Values: pending}).
			ValueInputOption("RAW").InsertDataOption("INSERT_ROWS").Context(actx).Do()
		if err != nil {
			last = err
			return verdict(err), err
		}
		if resp.Updates != nil {
			if a, b, spanned := rowSpan(resp.Updates.UpdatedRange); spanned {
				found = append(found, a, b-1)
			}
		}
		return backoff.Verdict{}, nil
	})
	switch {
	case readErr != nil:
		return 0, 0, false, readErr
	case err != nil:
		return 0, 0, false, p.explain(what, attempts, err)
	}
	r0, r1, ok = spanOf(found)
	return r0, r1, ok, nil
}

// spanOf returns the zero-based rows [r0,r1) that cover rows.
func spanOf(rows []int64) (r0, r1 int64, ok bool) {
	if len(rows) == 0 {
		return 0, 0, false
	}
	return slices.Min(rows), slices.Max(rows) + 1, true
}

// readChangeKeys reads the Changes tab's key column: each key and the
// zero-based row it is on.
func (p *publisher) readChangeKeys(ctx context.Context) (map[string]int64, error) {
	col := colName(colKey)
	values, err := p.batchGet(ctx, fmt.Sprintf("read back tab %q", p.o.ChangesTab), []string{quoteTitle(p.o.ChangesTab) + "!" + col + "2:" + col})
	if err != nil {
		return nil, err
	}
	keys := map[string]int64{}
	if len(values) == 0 {
		return keys, nil
	}
	for i, row := range values[0] {
		if len(row) > 0 {
			keys[fmt.Sprint(row[0])] = int64(i) + 1
		}
	}
	return keys, nil
}

// numberFormat formats rows [r0,r1) of one column. Every index is sent even
// when 0: an omitted index means "unbounded" and an omitted sheet id means
// the first sheet.
func numberFormat(sheetID, r0, r1, col int64, pattern string) *sheetsapi.Request {
	return &sheetsapi.Request{RepeatCell: &sheetsapi.RepeatCellRequest{
		Range: &sheetsapi.GridRange{
			SheetId: sheetID, StartRowIndex: r0, EndRowIndex: r1, StartColumnIndex: col, EndColumnIndex: col + 1,
			ForceSendFields: []string{"SheetId", "StartRowIndex", "EndRowIndex", "StartColumnIndex", "EndColumnIndex"},
		},
		Cell: &sheetsapi.CellData{UserEnteredFormat: &sheetsapi.CellFormat{
			NumberFormat: &sheetsapi.NumberFormat{Type: "NUMBER", Pattern: pattern},
		}},
		Fields: "userEnteredFormat.numberFormat",
	}}
}

// rowSpan parses the zero-based rows [r0,r1) of an A1 range like
// 'Changes'!A5:P10.
func rowSpan(a1 string) (r0, r1 int64, ok bool) {
	i := strings.LastIndexByte(a1, '!')
	if i < 0 {
		return 0, 0, false
	}
	from, to, found := strings.Cut(a1[i+1:], ":")
	if !found {
		to = from
	}
	digits := func(s string) (int64, bool) {
		j := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
		if j < 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(s[j:], 10, 64)
		return n, err == nil && n > 0
	}
	a, ok1 := digits(from)
	b, ok2 := digits(to)
	if !ok1 || !ok2 || b < a {
		return 0, 0, false
	}
	return a - 1, b, true
}

func anyRow(r []string) []any {
	out := make([]any, len(r))
	for i, v := range r {
		out[i] = v
	}
	return out
}

// quoteTitle quotes a sheet title for an A1 reference.
func quoteTitle(t string) string {
	return "'" + strings.ReplaceAll(t, "'", "''") + "'"
}

// colName turns a zero-based column index into letters (0 → A, 26 → AA).
func colName(c int64) string {
	var b []byte
	for c++; c > 0; c = (c - 1) / 26 {
		b = append([]byte{byte('A' + (c-1)%26)}, b...)
	}
	return string(b)
}

// chunker groups rows into value ranges and requests whose encoded body
// stays under a byte budget.
type chunker struct {
	budget int
	reqs   [][]*sheetsapi.ValueRange
	cur    []*sheetsapi.ValueRange
	size   int
}

// requestOverhead is the envelope of a values:batchUpdate body.
var requestOverhead = len(`{"data":[],"valueInputOption":"USER_ENTERED"}` + "\n")

func newChunker(budget int) *chunker {
	return &chunker{budget: budget, size: requestOverhead}
}

// add queues rows for a tab starting at zero-based row start.
func (c *chunker) add(title string, start int, rows [][]any) error {
	var vr *sheetsapi.ValueRange
	for i := 0; i < len(rows); {
		enc, err := json.Marshal(rows[i])
		if err != nil {
			return fmt.Errorf("sheets: encode row %d of tab %q: %w", start+i+1, title, err)
		}
		rowSize := len(enc) + 1
		if vr == nil {
			rng := quoteTitle(title) + "!A" + strconv.Itoa(start+i+1)
			head, _ := json.Marshal(&sheetsapi.ValueRange{Range: rng, MajorDimension: "ROWS"})
			overhead := len(head) + len(`,"values":[]`) + 1
			if c.size+overhead+rowSize > c.budget && len(c.cur) > 0 {
				c.flush()
			}
			if c.size+overhead+rowSize > c.budget {
				return fmt.Errorf("sheets: row %d of tab %q is %d bytes encoded, more than one request may carry (%d): publish fewer columns",
					start+i+1, title, rowSize, c.budget)
			}
			vr = &sheetsapi.ValueRange{Range: rng, MajorDimension: "ROWS"}
			c.cur = append(c.cur, vr)
			c.size += overhead
		}
		if c.size+rowSize > c.budget {
			c.flush()
			vr = nil
			continue
		}
		vr.Values = append(vr.Values, rows[i])
		c.size += rowSize
		i++
	}
	return nil
}

func (c *chunker) flush() {
	if len(c.cur) > 0 {
		c.reqs = append(c.reqs, c.cur)
	}
	c.cur = nil
	c.size = requestOverhead
}

func (c *chunker) finish() [][]*sheetsapi.ValueRange {
	c.flush()
	return c.reqs
}
