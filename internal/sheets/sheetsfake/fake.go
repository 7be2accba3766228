// Package sheetsfake is an in-memory Google Sheets API v4 server for tests.
//
// It answers the generated Go client (google.golang.org/api/sheets/v4)
// pointed at it with option.WithEndpoint(srv.Endpoint()) and
// option.WithoutAuthentication(), and behaves like the real service in the
// ways that let client bugs through when a fake is too kind:
//
//   - requests must carry alt=json, as the generated client sends;
//   - routes are matched on the escaped path: ranges arrive percent-encoded
//     ('!' as %21, ':' as %3A) while the :append, :clear and :batchUpdate
//     suffixes keep a literal colon;
//   - values.update is PUT, other writes POST; valueInputOption is required
//     (query on update/append, body field on values:batchUpdate);
//   - numbers omitted from request JSON read as 0 (so a client must use
//     ForceSendFields to mean 0 where 0 differs from "absent"), and a GridRange
//     index omitted reads as unbounded, as documented;
//   - spreadsheets:batchUpdate is atomic and replies one entry per request,
//     {} when the request has no reply, the new sheet's properties for
//     addSheet;
//   - errors use the real body {"error":{"code","message","status"}} and the
//     real messages (grid limits, 10,000,000 cells, 50,000 characters per
//     cell, unknown spreadsheet, permission, quota);
//   - a new sheet is 1000 rows × 26 columns; writing past the grid fails.
//
// Faults are configurable: FailNext (429/5xx bursts), FailNextAfterApplying
// (a write that takes effect and then answers 5xx or loses its
// connection), ResetNext (connection resets), SetForbidden, SetMaxBodyBytes
// and SetWriteQuota (the per-user per-minute limit).
package sheetsfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Limits of the real service.
const (
	MaxCells     = 10_000_000
	MaxCellChars = 50_000
	MaxColumns   = 18_278
	// DefaultRows and DefaultColumns are the grid of a new sheet.
	DefaultRows    = 1000
	DefaultColumns = 26
)

// Request is one request the server received, for assertions.
type Request struct {
	Method string
	// Path is the escaped path as sent (ranges percent-encoded).
	Path   string
	Query  url.Values
	Header http.Header
	// BodyBytes is the size of the request body.
	BodyBytes int
	// Status is the HTTP status the server answered.
	Status int
}

// SheetInfo is a sheet's properties.
type SheetInfo struct {
	ID         int64
	Title      string
	Index      int
	Rows       int64
	Columns    int64
	FrozenRows int64
}

// Server is a fake Sheets API. All methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu          sync.Mutex
	books       map[string]*book
	requests    []Request
	faults      []int
	writeFaults []int
	// applied are faults answered after the request took effect, as a
	// server (or a connection) that fails after the write does.
	applied []appliedFault
	// resets cut the connection of the next requests before they are
	// handled.
	resets       int
	forbidden    bool
	maxBody      int
	quota        int
	now          func() time.Time
	recentWrites []time.Time
}

type book struct {
	id     string
	sheets []*sheet
	nextID int64
}

type sheet struct {
	id                 int64
	title              string
	rows, cols, frozen int64
	data               [][]any // nil cell = empty; string, float64 or bool
	formats            []numberFormat
	rules              []Rule
	filter             *Range
	links              map[[2]int64]string // cell (row, column) → link
}

type numberFormat struct {
	r0, r1, c0, c1 int64 // r1/c1 -1 = unbounded
	typ, pattern   string
}

// New starts a fake on 127.0.0.1. Close it when done.
func New() *Server {
	s := &Server{books: map[string]*book{}, now: time.Now}
	s.srv = httptest.NewServer(s)
	return s
}

// URL is the server's base URL, without a trailing slash.
func (s *Server) URL() string { return s.srv.URL }

// Endpoint is the value for option.WithEndpoint: the URL with the trailing
// slash the client needs.
func (s *Server) Endpoint() string { return s.srv.URL + "/" }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// AddSpreadsheet creates an empty spreadsheet, with the single sheet
// "Sheet1" (id 0, 1000×26) a new spreadsheet has.
func (s *Server) AddSpreadsheet(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.books[id] = &book{id: id, nextID: 1_000_001, sheets: []*sheet{
		{id: 0, title: "Sheet1", rows: DefaultRows, cols: DefaultColumns},
	}}
}

// AddSheet adds a sheet with the given grid to a spreadsheet, bypassing the
// API's checks (to set up a nearly full spreadsheet, for example).
func (s *Server) AddSheet(id, title string, rows, cols int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.books[id]
	b.sheets = append(b.sheets, &sheet{id: b.nextID, title: title, rows: rows, cols: cols})
	b.nextID++
}

// FailNext makes the next n requests fail with code (429, 500, 503).
func (s *Server) FailNext(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, code)
	}
}

// FailNextWrites makes the next n write requests (not GET) fail with code.
func (s *Server) FailNextWrites(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.writeFaults = append(s.writeFaults, code)
	}
}

// The API methods FailNextAfterApplying tells apart, by their names in the
// discovery document.
const (
	CallBatchUpdate       = "spreadsheets.batchUpdate" // structure: addSheet, updateSheetProperties, repeatCell…
	CallValuesBatchUpdate = "spreadsheets.values.batchUpdate"
	CallValuesUpdate      = "spreadsheets.values.update"
	CallValuesAppend      = "spreadsheets.values.append"
	CallValuesBatchClear  = "spreadsheets.values.batchClear"
	CallValuesClear       = "spreadsheets.values.clear"
	// CallAnyWrite matches every request that is not a GET.
	CallAnyWrite = ""
)

// ResetConnection, as the code of FailNextAfterApplying, cuts the
// connection (TCP RST) instead of answering.
const ResetConnection = 0

type appliedFault struct {
	call string
	code int
	skip int // requests of call that pass before this fault fires
}

// FailNextAfterApplying makes the next n requests of the API method call
// (a Call constant) take effect and then answer code (a 5xx), or cut the
// connection when code is ResetConnection: the failure after the write that
// makes retrying a write unsafe unless the client checks what is there. A
// request the server refuses anyway (a 400) is answered with its own error
// and does not use up a fault.
func (s *Server) FailNextAfterApplying(call string, n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.applied = append(s.applied, appliedFault{call: call, code: code})
	}
}

// FailNthAfterApplying makes the nth next request of the API method call
// (counting from 1) take effect and then answer code, as
// FailNextAfterApplying does; the ones before it pass. It reaches a write
// that comes after others of the same method in a run.
func (s *Server) FailNthAfterApplying(call string, nth, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applied = append(s.applied, appliedFault{call: call, code: code, skip: nth - 1})
}

// FailNextAppendsAfterApplying makes the next n values.append requests add
// their rows and then answer code: the failure after the write that makes
// retrying an append unsafe.
func (s *Server) FailNextAppendsAfterApplying(n, code int) {
	s.FailNextAfterApplying(CallValuesAppend, n, code)
}

// ResetNext cuts the connection (TCP RST) of the next n requests before
// they are handled, as a broken network path does: nothing is applied.
func (s *Server) ResetNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resets += n
}

// SetForbidden makes every request fail with 403, as when the spreadsheet is
// not shared with the caller.
func (s *Server) SetForbidden(v bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forbidden = v
}

// SetMaxBodyBytes rejects request bodies larger than n bytes (0: no limit).
func (s *Server) SetMaxBodyBytes(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxBody = n
}

// SetWriteQuota enforces at most perMinute write requests in any trailing
// minute, as the real per-user quota (60) does; 0 turns it off (the
// default). now supplies the clock (nil: time.Now).
func (s *Server) SetWriteQuota(perMinute int, now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota = perMinute
	s.now = now
	if s.now == nil {
		s.now = time.Now
	}
	s.recentWrites = nil
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Sheets returns the properties of every sheet, in order.
func (s *Server) Sheets(id string) []SheetInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.books[id]
	if b == nil {
		return nil
	}
	var out []SheetInfo
	for i, sh := range b.sheets {
		out = append(out, SheetInfo{ID: sh.id, Title: sh.title, Index: i, Rows: sh.rows, Columns: sh.cols, FrozenRows: sh.frozen})
	}
	return out
}

// Sheet returns one sheet's properties.
func (s *Server) Sheet(id, title string) (SheetInfo, bool) {
	for _, sh := range s.Sheets(id) {
		if sh.Title == title {
			return sh, true
		}
	}
	return SheetInfo{}, false
}

// Values returns a sheet's cells as stored (string, float64, bool or nil
// for empty), trailing empty rows and cells trimmed.
func (s *Server) Values(id, title string) [][]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.sheetLocked(id, title)
	if sh == nil {
		return nil
	}
	return trimmed(sh, 0, 0, sh.rows, sh.cols, func(v any, _, _ int64) any { return v })
}

// FormattedValues returns a sheet's cells as the UI shows them (numbers
// through their number format).
func (s *Server) FormattedValues(id, title string) [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.sheetLocked(id, title)
	if sh == nil {
		return nil
	}
	rows := trimmed(sh, 0, 0, sh.rows, sh.cols, func(v any, r, c int64) any { return sh.formatted(v, r, c) })
	out := make([][]string, len(rows))
	for i, row := range rows {
		for _, v := range row {
			str, _ := v.(string)
			out[i] = append(out[i], str)
		}
	}
	return out
}

// NumberFormat returns the number format type and pattern of a cell
// (zero-based row and column), "" when it has none.
func (s *Server) NumberFormat(id, title string, row, col int64) (typ, pattern string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.sheetLocked(id, title)
	if sh == nil {
		return "", ""
	}
	f := sh.formatAt(row, col)
	if f == nil {
		return "", ""
	}
	return f.typ, f.pattern
}

func (s *Server) sheetLocked(id, title string) *sheet {
	b := s.books[id]
	if b == nil {
		return nil
	}
	return b.sheetByTitle(title)
}

func (b *book) sheetByTitle(title string) *sheet {
	for _, sh := range b.sheets {
		if strings.EqualFold(sh.title, title) {
			return sh
		}
	}
	return nil
}

func (b *book) sheetByID(id int64) *sheet {
	for _, sh := range b.sheets {
		if sh.id == id {
			return sh
		}
	}
	return nil
}

func (b *book) cells() int64 {
	var n int64
	for _, sh := range b.sheets {
		n += sh.rows * sh.cols
	}
	return n
}

func (sh *sheet) formatAt(r, c int64) *numberFormat {
	for i := len(sh.formats) - 1; i >= 0; i-- {
		f := &sh.formats[i]
		if r >= f.r0 && (f.r1 < 0 || r < f.r1) && c >= f.c0 && (f.c1 < 0 || c < f.c1) {
			return f
		}
	}
	return nil
}

func (sh *sheet) formatted(v any, r, c int64) any {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return v
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	case float64:
		if f := sh.formatAt(r, c); f != nil {
			return applyPattern(v, f.pattern)
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// applyPattern renders the subset of number patterns clients here use:
// 0, 0.00, 0.0###, 0.00%.
func applyPattern(v float64, p string) string {
	pct := strings.HasSuffix(p, "%")
	if pct {
		p = strings.TrimSuffix(p, "%")
		v *= 100
	}
	_, frac, _ := strings.Cut(p, ".")
	required := strings.Count(frac, "0")
	optional := strings.Count(frac, "#")
	out := strconv.FormatFloat(v, 'f', required+optional, 64)
	if optional > 0 && strings.Contains(out, ".") {
		for i := 0; i < optional && strings.HasSuffix(out, "0"); i++ {
			out = strings.TrimSuffix(out, "0")
		}
		out = strings.TrimSuffix(out, ".")
	}
	if pct {
		out += "%"
	}
	return out
}

// trimmed returns the cells of rows [r0,r1) and columns [c0,c1) as the API
// does: trailing empty cells and rows omitted, "" for empty cells inside.
func trimmed(sh *sheet, r0, c0, r1, c1 int64, conv func(v any, r, c int64) any) [][]any {
	var out [][]any
	lastRow := -1
	for r := r0; r < r1 && r < int64(len(sh.data)); r++ {
		row := sh.data[r]
		var cells []any
		last := -1
		for c := c0; c < c1 && c < int64(len(row)); c++ {
			v := conv(row[c], r, c)
			cells = append(cells, v)
			if v != nil {
				last = len(cells) - 1
			}
		}
		cells = cells[:last+1]
		for i := range cells {
			if cells[i] == nil {
				cells[i] = ""
			}
		}
		if cells == nil {
			cells = []any{}
		}
		out = append(out, cells)
		if len(cells) > 0 {
			lastRow = len(out) - 1
		}
	}
	return out[:lastRow+1]
}

// apiError is an error answered with the real error body.
type apiError struct {
	code    int
	status  string
	message string
}

func (e *apiError) Error() string { return e.message }

func badRequest(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "INVALID_ARGUMENT", fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.code)
	body, _ := json.Marshal(map[string]any{"error": map[string]any{
		"code": e.code, "message": e.message, "status": e.status,
	}})
	w.Write(body)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	body, _ := json.Marshal(v)
	w.Write(body)
}

func faultError(code int) *apiError {
	switch code {
	case http.StatusTooManyRequests:
		return &apiError{code, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'."}
	case http.StatusServiceUnavailable:
		return &apiError{code, "UNAVAILABLE", "The service is currently unavailable."}
	case http.StatusForbidden:
		return &apiError{code, "PERMISSION_DENIED", "The caller does not have permission"}
	default:
		return &apiError{code, "INTERNAL", "Internal error encountered."}
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// ServeHTTP implements the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := &statusRecorder{ResponseWriter: w}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		s.requests = append(s.requests, Request{
			Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Header: r.Header.Clone(),
			BodyBytes: len(body), Status: rec.status,
		})
	}()
	if s.resets > 0 {
		s.resets--
		resetConnection(w) // Status stays 0: no answer
		return
	}
	if i := s.appliedFaultFor(r); i >= 0 {
		// Handle the request for real, then lose the answer.
		res := httptest.NewRecorder()
		if e := s.serveLocked(res, r, body); e != nil {
			writeError(res, e)
		}
		if res.Code >= 300 {
			copyResponse(rec, res)
			return
		}
		if s.applied[i].skip > 0 {
			s.applied[i].skip--
			copyResponse(rec, res)
			return
		}
		f := s.applied[i]
		s.applied = slices.Delete(s.applied, i, i+1)
		if f.code == ResetConnection {
			resetConnection(w)
			return
		}
		writeError(rec, faultError(f.code))
		return
	}
	if e := s.serveLocked(rec, r, body); e != nil {
		writeError(rec, e)
	}
}

// appliedFaultFor returns the index of the fault that r uses up, or -1.
func (s *Server) appliedFaultFor(r *http.Request) int {
	if r.Method == http.MethodGet {
		return -1
	}
	call := callName(r)
	return slices.IndexFunc(s.applied, func(f appliedFault) bool { return f.call == CallAnyWrite || f.call == call })
}

// callName names the API method a write request calls.
func callName(r *http.Request) string {
	path := r.URL.EscapedPath()
	switch {
	case strings.HasSuffix(path, "/values:batchUpdate"):
		return CallValuesBatchUpdate
	case strings.HasSuffix(path, "/values:batchClear"):
		return CallValuesBatchClear
	case strings.HasSuffix(path, ":batchUpdate"):
		return CallBatchUpdate
	case strings.HasSuffix(path, ":append"):
		return CallValuesAppend
	case strings.HasSuffix(path, ":clear"):
		return CallValuesClear
	case r.Method == http.MethodPut:
		return CallValuesUpdate
	}
	return "unknown"
}

func copyResponse(w http.ResponseWriter, res *httptest.ResponseRecorder) {
	for k, v := range res.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(res.Code)
	w.Write(res.Body.Bytes())
}

// resetConnection closes the request's connection with a TCP RST, so that
// the client sees "connection reset by peer" rather than an answer.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("sheetsfake: the connection cannot be taken over to reset it")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0) // close sends RST, not FIN
	}
	conn.Close()
}

var (
	notFound       = &apiError{http.StatusNotFound, "NOT_FOUND", "Requested entity was not found."}
	methodNotFound = &apiError{http.StatusNotFound, "NOT_FOUND", "Method not found."}
)

func (s *Server) serveLocked(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	path := r.URL.EscapedPath()
	rest, ok := strings.CutPrefix(path, "/v4/spreadsheets/")
	if !ok {
		return methodNotFound
	}
	q := r.URL.Query()
	if q.Get("alt") != "json" {
		return badRequest("sheetsfake: request without alt=json; use the generated client")
	}
	if s.maxBody > 0 && len(body) > s.maxBody {
		return badRequest("Request payload size exceeds the limit: %d bytes.", s.maxBody)
	}
	if len(s.faults) > 0 {
		code := s.faults[0]
		s.faults = s.faults[1:]
		return faultError(code)
	}
	if s.forbidden {
		return faultError(http.StatusForbidden)
	}
	write := r.Method != http.MethodGet
	if write && len(s.writeFaults) > 0 {
		code := s.writeFaults[0]
		s.writeFaults = s.writeFaults[1:]
		return faultError(code)
	}
	if write && s.quota > 0 {
		now := s.now()
		kept := s.recentWrites[:0]
		for _, t := range s.recentWrites {
			if now.Sub(t) < time.Minute {
				kept = append(kept, t)
			}
		}
		s.recentWrites = kept
		if len(kept) >= s.quota {
			return faultError(http.StatusTooManyRequests)
		}
		s.recentWrites = append(s.recentWrites, now)
	}

	i := strings.IndexAny(rest, "/:")
	if i < 0 {
		i = len(rest)
	}
	id, err := url.PathUnescape(rest[:i])
	if err != nil {
		return notFound
	}
	b := s.books[id]
	if b == nil {
		return notFound
	}
	rem := rest[i:]
	switch {
	case rem == "" && r.Method == http.MethodGet:
		return s.getSpreadsheet(w, b, q.Get("fields"))
	case rem == ":batchUpdate" && r.Method == http.MethodPost:
		return s.batchUpdate(w, b, body)
	case rem == "/values:batchUpdate" && r.Method == http.MethodPost:
		return s.valuesBatchUpdate(w, b, body)
	case rem == "/values:batchClear" && r.Method == http.MethodPost:
		return s.valuesBatchClear(w, b, body)
	case rem == "/values:batchGet" && r.Method == http.MethodGet:
		return s.valuesBatchGet(w, b, q)
	}
	seg, ok := strings.CutPrefix(rem, "/values/")
	if !ok || strings.Contains(seg, "/") {
		return methodNotFound
	}
	escRange, verb, _ := strings.Cut(seg, ":")
	rng, err := url.PathUnescape(escRange)
	if err != nil {
		return badRequest("Unable to parse range: %s", escRange)
	}
	switch {
	case verb == "" && r.Method == http.MethodGet:
		return s.valuesGet(w, b, rng, q)
	case verb == "" && r.Method == http.MethodPut:
		return s.valuesUpdate(w, b, rng, q, body)
	case verb == "append" && r.Method == http.MethodPost:
		return s.valuesAppend(w, b, rng, q, body)
	case verb == "clear" && r.Method == http.MethodPost:
		return s.valuesClear(w, b, rng)
	}
	return methodNotFound
}

// --- spreadsheets.get ---

type gridProps struct {
	RowCount       int64 `json:"rowCount,omitempty"`
	ColumnCount    int64 `json:"columnCount,omitempty"`
	FrozenRowCount int64 `json:"frozenRowCount,omitempty"`
}

type sheetProps struct {
	SheetID        int64      `json:"sheetId"`
	Title          string     `json:"title"`
	Index          int        `json:"index"`
	SheetType      string     `json:"sheetType"`
	GridProperties *gridProps `json:"gridProperties"`
}

func (sh *sheet) props(index int) sheetProps {
	return sheetProps{SheetID: sh.id, Title: sh.title, Index: index, SheetType: "GRID",
		GridProperties: &gridProps{RowCount: sh.rows, ColumnCount: sh.cols, FrozenRowCount: sh.frozen}}
}

// getSpreadsheet answers spreadsheets.get. Like the service, it returns a
// sheet's conditional formats and basic filter only when fields asks for
// them (or names no fields), and leaves out what a sheet does not have.
func (s *Server) getSpreadsheet(w http.ResponseWriter, b *book, fields string) *apiError {
	wants := func(f string) bool { return fields == "" || strings.Contains(fields, f) }
	var sheets []any
	for i, sh := range b.sheets {
		m := map[string]any{"properties": sh.props(i)}
		if wants("conditionalFormats") && len(sh.rules) > 0 {
			m["conditionalFormats"] = sh.rules
		}
		if wants("basicFilter") && sh.filter != nil {
			m["basicFilter"] = Filter{Range: *sh.filter}
		}
		sheets = append(sheets, m)
	}
	writeJSON(w, map[string]any{
		"spreadsheetId":  b.id,
		"properties":     map[string]any{"title": "Prices"},
		"sheets":         sheets,
		"spreadsheetUrl": "https://docs.google.com/spreadsheets/d/" + b.id + "/edit",
	})
	return nil
}

// --- spreadsheets.batchUpdate ---

type gridRange struct {
	SheetID          int64  `json:"sheetId"`
	StartRowIndex    *int64 `json:"startRowIndex"`
	EndRowIndex      *int64 `json:"endRowIndex"`
	StartColumnIndex *int64 `json:"startColumnIndex"`
	EndColumnIndex   *int64 `json:"endColumnIndex"`
}

type inSheetProps struct {
	SheetID        *int64    `json:"sheetId"`
	Title          string    `json:"title"`
	GridProperties gridProps `json:"gridProperties"`
}

type batchRequest struct {
	AddSheet *struct {
		Properties inSheetProps `json:"properties"`
	} `json:"addSheet"`
	UpdateSheetProperties *struct {
		Properties inSheetProps `json:"properties"`
		Fields     string       `json:"fields"`
	} `json:"updateSheetProperties"`
	AppendDimension *struct {
		SheetID   int64  `json:"sheetId"`
		Dimension string `json:"dimension"`
		Length    int64  `json:"length"`
	} `json:"appendDimension"`
	RepeatCell *struct {
		Range gridRange `json:"range"`
		Cell  struct {
			UserEnteredFormat struct {
				NumberFormat *struct {
					Type    string `json:"type"`
					Pattern string `json:"pattern"`
				} `json:"numberFormat"`
				TextFormat *struct {
					Link *struct {
						URI string `json:"uri"`
					} `json:"link"`
				} `json:"textFormat"`
			} `json:"userEnteredFormat"`
		} `json:"cell"`
		Fields string `json:"fields"`
	} `json:"repeatCell"`
	DeleteSheet *struct {
		SheetID int64 `json:"sheetId"`
	} `json:"deleteSheet"`
	AddConditionalFormatRule *addConditionalFormatRule `json:"addConditionalFormatRule"`
	SetBasicFilter           *setBasicFilter           `json:"setBasicFilter"`
	UpdateCells              *updateCells              `json:"updateCells"`
}

// clone copies the structure of a spreadsheet; cell data is shared, which
// is safe because batchUpdate requests here never write cells in place.
func (b *book) clone() *book {
	c := &book{id: b.id, nextID: b.nextID}
	for _, sh := range b.sheets {
		cp := *sh
		cp.formats = slices.Clone(sh.formats)
		cp.rules = slices.Clone(sh.rules)
		cp.links = maps.Clone(sh.links)
		c.sheets = append(c.sheets, &cp)
	}
	return c
}

var forbiddenTitle = regexp.MustCompile(`^\s*$`)

func (s *Server) batchUpdate(w http.ResponseWriter, b *book, body []byte) *apiError {
	var req struct {
		Requests []json.RawMessage `json:"requests"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return badRequest("Invalid JSON payload received. %v", err)
	}
	if len(req.Requests) == 0 {
		return badRequest("Must specify at least one request.")
	}
	nb := b.clone()
	var replies []any
	for i, raw := range req.Requests {
		var br batchRequest
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&br); err != nil {
			return badRequest("Invalid JSON payload received. Unknown name or bad value in requests[%d]: %v", i, err)
		}
		reply, kind, e := nb.apply(br)
		if e != nil {
			e.message = fmt.Sprintf("Invalid requests[%d].%s: %s", i, kind, e.message)
			return e
		}
		if n := nb.cells(); n > MaxCells {
			return badRequest("Invalid requests[%d].%s: This action would increase the number of cells in the workbook above the limit of %d cells.", i, kind, MaxCells)
		}
		replies = append(replies, reply)
	}
	*b = *nb
	writeJSON(w, map[string]any{"spreadsheetId": b.id, "replies": replies})
	return nil
}

func (b *book) apply(br batchRequest) (reply any, kind string, e *apiError) {
	empty := map[string]any{}
	switch {
	case br.AddSheet != nil:
		p := br.AddSheet.Properties
		if forbiddenTitle.MatchString(p.Title) {
			p.Title = fmt.Sprintf("Sheet%d", len(b.sheets)+1)
		}
		if utf8.RuneCountInString(p.Title) > 100 {
			return nil, "addSheet", badRequest("The sheet name must be at most 100 characters.")
		}
		if b.sheetByTitle(p.Title) != nil {
			return nil, "addSheet", badRequest("A sheet with the name \"%s\" already exists. Please enter another name.", p.Title)
		}
		sh := &sheet{title: p.Title, rows: DefaultRows, cols: DefaultColumns}
		if p.SheetID != nil {
			if b.sheetByID(*p.SheetID) != nil {
				return nil, "addSheet", badRequest("Sheet with id %d already exists.", *p.SheetID)
			}
			sh.id = *p.SheetID
		} else {
			sh.id = b.nextID
			b.nextID++
		}
		g := p.GridProperties
		if g.RowCount > 0 {
			sh.rows = g.RowCount
		}
		if g.ColumnCount > 0 {
			sh.cols = g.ColumnCount
		}
		sh.frozen = g.FrozenRowCount
		if e := sh.checkGrid(); e != nil {
			return nil, "addSheet", e
		}
		b.sheets = append(b.sheets, sh)
		return map[string]any{"addSheet": map[string]any{"properties": sh.props(len(b.sheets) - 1)}}, "addSheet", nil

	case br.UpdateSheetProperties != nil:
		u := br.UpdateSheetProperties
		kind = "updateSheetProperties"
		if u.Fields == "" {
			return nil, kind, badRequest("At least one field must be updated, but 'fields' is empty.")
		}
		var id int64 // an omitted sheetId is sheet 0
		if u.Properties.SheetID != nil {
			id = *u.Properties.SheetID
		}
		sh := b.sheetByID(id)
		if sh == nil {
			return nil, kind, badRequest("No grid with id: %d", id)
		}
		g := u.Properties.GridProperties
		for f := range strings.SplitSeq(u.Fields, ",") {
			switch strings.TrimSpace(f) {
			case "gridProperties.rowCount":
				sh.rows = g.RowCount
			case "gridProperties.columnCount":
				sh.cols = g.ColumnCount
			case "gridProperties.frozenRowCount":
				sh.frozen = g.FrozenRowCount
			case "title":
				if o := b.sheetByTitle(u.Properties.Title); o != nil && o != sh {
					return nil, kind, badRequest("A sheet with the name \"%s\" already exists. Please enter another name.", u.Properties.Title)
				}
				sh.title = u.Properties.Title
			default:
				return nil, kind, badRequest("sheetsfake: unsupported field %q", f)
			}
		}
		if e := sh.checkGrid(); e != nil {
			return nil, kind, e
		}
		sh.truncate()
		return empty, kind, nil

	case br.AppendDimension != nil:
		a := br.AppendDimension
		kind = "appendDimension"
		sh := b.sheetByID(a.SheetID)
		if sh == nil {
			return nil, kind, badRequest("No grid with id: %d", a.SheetID)
		}
		if a.Length <= 0 {
			return nil, kind, badRequest("length must be greater than 0")
		}
		switch a.Dimension {
		case "ROWS":
			sh.rows += a.Length
		case "COLUMNS":
			sh.cols += a.Length
		default:
			return nil, kind, badRequest("dimension must be ROWS or COLUMNS")
		}
		if e := sh.checkGrid(); e != nil {
			return nil, kind, e
		}
		return empty, kind, nil

	case br.RepeatCell != nil:
		rc := br.RepeatCell
		kind = "repeatCell"
		sh := b.sheetByID(rc.Range.SheetID)
		if sh == nil {
			return nil, kind, badRequest("No grid with id: %d", rc.Range.SheetID)
		}
		if rc.Fields == "" {
			return nil, kind, badRequest("At least one field must be updated, but 'fields' is empty.")
		}
		if linksField(rc.Fields) {
			g := Range{SheetID: rc.Range.SheetID, StartRowIndex: rc.Range.StartRowIndex, EndRowIndex: rc.Range.EndRowIndex,
				StartColumnIndex: rc.Range.StartColumnIndex, EndColumnIndex: rc.Range.EndColumnIndex}
			if _, e := b.checkRange(g); e != nil {
				return nil, kind, e
			}
			cell := &cellData{}
			if tf := rc.Cell.UserEnteredFormat.TextFormat; tf != nil && tf.Link != nil {
				cell.UserEnteredFormat = &linkFormat{TextFormat: tf}
			}
			r0, r1, c0, c1 := g.bounds(sh)
			sh.setLinks(r0, r1, c0, c1, func(int64, int64) *cellData { return cell })
		}
		nf := rc.Cell.UserEnteredFormat.NumberFormat
		if !strings.Contains(rc.Fields, "userEnteredFormat") || nf == nil {
			return empty, kind, nil
		}
		f := numberFormat{typ: nf.Type, pattern: nf.Pattern, r1: -1, c1: -1}
		g := rc.Range
		if g.StartRowIndex != nil {
			f.r0 = *g.StartRowIndex
		}
		if g.StartColumnIndex != nil {
			f.c0 = *g.StartColumnIndex
		}
		if g.EndRowIndex != nil {
			f.r1 = *g.EndRowIndex
		}
		if g.EndColumnIndex != nil {
			f.c1 = *g.EndColumnIndex
		}
		if f.r1 > sh.rows || f.c1 > sh.cols {
			return nil, kind, badRequest("Range (%s) exceeds grid limits. Max rows: %d, max columns: %d",
				errorRange(sh.title, f.r0, f.c0, max(f.r1, f.r0+1), max(f.c1, f.c0+1)), sh.rows, sh.cols)
		}
		sh.formats = append(sh.formats, f)
		return empty, kind, nil

	case br.AddConditionalFormatRule != nil:
		return empty, "addConditionalFormatRule", b.addConditionalFormatRule(br.AddConditionalFormatRule)

	case br.SetBasicFilter != nil:
		return empty, "setBasicFilter", b.setBasicFilter(br.SetBasicFilter)

	case br.UpdateCells != nil:
		return empty, "updateCells", b.updateCells(br.UpdateCells)

	case br.DeleteSheet != nil:
		kind = "deleteSheet"
		i := slices.IndexFunc(b.sheets, func(sh *sheet) bool { return sh.id == br.DeleteSheet.SheetID })
		if i < 0 {
			return nil, kind, badRequest("No grid with id: %d", br.DeleteSheet.SheetID)
		}
		if len(b.sheets) == 1 {
			return nil, kind, badRequest("You can't remove all the sheets in a document.")
		}
		b.sheets = slices.Delete(b.sheets, i, i+1)
		return empty, kind, nil
	}
	return nil, "request", badRequest("sheetsfake: unsupported request kind")
}

func (sh *sheet) checkGrid() *apiError {
	switch {
	case sh.rows < 1 || sh.cols < 1:
		return badRequest("Sheet must have at least one row and one column.")
	case sh.cols > MaxColumns:
		return badRequest("This action would increase the number of columns in the sheet above the limit of %d columns.", MaxColumns)
	case sh.frozen >= sh.rows:
		return badRequest("You can't freeze all visible rows on the sheet.")
	}
	return nil
}

// truncate drops cells outside the grid after a resize.
func (sh *sheet) truncate() {
	if int64(len(sh.data)) > sh.rows {
		sh.data = sh.data[:sh.rows]
	}
	for i, row := range sh.data {
		if int64(len(row)) > sh.cols {
			sh.data[i] = row[:sh.cols]
		}
	}
}

// --- values ---

type valueRange struct {
	Range          string  `json:"range"`
	MajorDimension string  `json:"majorDimension"`
	Values         [][]any `json:"values"`
}

func decode(body []byte, v any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return badRequest("Invalid JSON payload received. %v", err)
	}
	return nil
}

func checkInputOption(opt string) *apiError {
	switch opt {
	case "RAW", "USER_ENTERED":
		return nil
	case "":
		return badRequest("'valueInputOption' is required but not specified")
	}
	return badRequest("Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), %q", opt)
}

// resolve finds the sheet of a range.
func (b *book) resolve(rng string) (*sheet, a1Range, *apiError) {
	a, err := parseA1(rng)
	if err != nil {
		return nil, a, badRequest("Unable to parse range: %s", rng)
	}
	var sh *sheet
	if a.sheet == "" {
		sh = b.sheets[0]
	} else {
		sh = b.sheetByTitle(a.sheet)
	}
	if sh == nil {
		return nil, a, badRequest("Unable to parse range: %s", rng)
	}
	return sh, a, nil
}

func gridError(sh *sheet, r0, c0, r1, c1 int64) *apiError {
	return badRequest("Range (%s) exceeds grid limits. Max rows: %d, max columns: %d",
		errorRange(sh.title, r0, c0, r1, c1), sh.rows, sh.cols)
}

var userNumber = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// convert turns a JSON value into a stored cell.
func convert(v any, opt string) (any, bool, *apiError) {
	switch v := v.(type) {
	case nil:
		return nil, false, nil // null leaves the cell as it is
	case bool:
		return v, true, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, false, badRequest("Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), %s", v)
		}
		return f, true, nil
	case string:
		if utf8.RuneCountInString(v) > MaxCellChars {
			return nil, false, badRequest("Your input contains more than the maximum of %d characters in a single cell.", MaxCellChars)
		}
		if v == "" {
			return nil, true, nil
		}
		if opt == "USER_ENTERED" {
			if strings.HasPrefix(v, "'") {
				return v[1:], true, nil
			}
			if userNumber.MatchString(v) {
				f, err := strconv.ParseFloat(v, 64)
				if err == nil {
					return f, true, nil
				}
			}
			switch strings.ToUpper(v) {
			case "TRUE":
				return true, true, nil
			case "FALSE":
				return false, true, nil
			}
		}
		return v, true, nil
	}
	return nil, false, badRequest("Invalid value at 'data.values': nested lists or objects are not cell values")
}

// write stores values at a range, checking bounds, grid and cell limits.
// It returns the written range.
func (sh *sheet) write(a a1Range, values [][]any, opt string) (string, int64, int64, *apiError) {
	rows := int64(len(values))
	var cols int64
	for _, row := range values {
		cols = max(cols, int64(len(row)))
	}
	if rows == 0 || cols == 0 {
		return formatRange(sh.title, a.startRow, a.startCol, a.startRow+1, a.startCol+1), 0, 0, nil
	}
	r1, c1 := a.startRow+rows, a.startCol+cols
	if !a.singleCell && !a.wholeSheetOrCols {
		if a.endRow >= 0 && r1 > a.endRow {
			return "", 0, 0, badRequest("Requested writing within range [%s], but tried writing to row [%d]", errorRange(sh.title, a.startRow, a.startCol, a.endRow, max(a.endCol, a.startCol+1)), r1)
		}
		if a.endCol >= 0 && c1 > a.endCol {
			return "", 0, 0, badRequest("Requested writing within range [%s], but tried writing to column [%s]", errorRange(sh.title, a.startRow, a.startCol, max(a.endRow, a.startRow+1), a.endCol), colName(c1-1))
		}
	}
	if r1 > sh.rows || c1 > sh.cols {
		return "", 0, 0, gridError(sh, a.startRow, a.startCol, r1, c1)
	}
	// Convert everything first: a failed write changes nothing.
	conv := make([][]any, len(values))
	set := make([][]bool, len(values))
	for i, row := range values {
		conv[i] = make([]any, len(row))
		set[i] = make([]bool, len(row))
		for j, v := range row {
			c, ok, e := convert(v, opt)
			if e != nil {
				return "", 0, 0, e
			}
			conv[i][j], set[i][j] = c, ok
		}
	}
	for int64(len(sh.data)) < r1 {
		sh.data = append(sh.data, nil)
	}
	for i, row := range conv {
		r := a.startRow + int64(i)
		for int64(len(sh.data[r])) < a.startCol+int64(len(row)) {
			sh.data[r] = append(sh.data[r], nil)
		}
		for j, v := range row {
			if set[i][j] {
				sh.data[r][a.startCol+int64(j)] = v
			}
		}
	}
	return formatRange(sh.title, a.startRow, a.startCol, r1, c1), rows, cols, nil
}

func (sh *sheet) clear(a a1Range) {
	r1, c1 := a.endRow, a.endCol
	if r1 < 0 {
		r1 = sh.rows
	}
	if c1 < 0 {
		c1 = sh.cols
	}
	for r := a.startRow; r < r1 && r < int64(len(sh.data)); r++ {
		for c := a.startCol; c < c1 && c < int64(len(sh.data[r])); c++ {
			sh.data[r][c] = nil
		}
	}
}

func updateReply(id, rng string, rows, cols int64) map[string]any {
	return map[string]any{
		"spreadsheetId": id, "updatedRange": rng,
		"updatedRows": rows, "updatedColumns": cols, "updatedCells": rows * cols,
	}
}

func (s *Server) valuesUpdate(w http.ResponseWriter, b *book, rng string, q url.Values, body []byte) *apiError {
	opt := q.Get("valueInputOption")
	if e := checkInputOption(opt); e != nil {
		return e
	}
	var vr valueRange
	if e := decode(body, &vr); e != nil {
		return e
	}
	if vr.MajorDimension != "" && vr.MajorDimension != "ROWS" {
		return badRequest("sheetsfake: only majorDimension ROWS is supported")
	}
	sh, a, e := b.resolve(rng)
	if e != nil {
		return e
	}
	got, rows, cols, e := sh.write(a, vr.Values, opt)
	if e != nil {
		return e
	}
	writeJSON(w, updateReply(b.id, got, rows, cols))
	return nil
}

func (s *Server) valuesBatchUpdate(w http.ResponseWriter, b *book, body []byte) *apiError {
	var req struct {
		ValueInputOption string       `json:"valueInputOption"`
		Data             []valueRange `json:"data"`
	}
	if e := decode(body, &req); e != nil {
		return e
	}
	if e := checkInputOption(req.ValueInputOption); e != nil {
		return e
	}
	// Check every range before writing any: the request is atomic.
	for _, d := range req.Data {
		sh, a, e := b.resolve(d.Range)
		if e != nil {
			return e
		}
		probe := &sheet{title: sh.title, rows: sh.rows, cols: sh.cols}
		if _, _, _, e := probe.write(a, d.Values, req.ValueInputOption); e != nil {
			return e
		}
	}
	var responses []any
	var totalRows, totalCells int64
	for _, d := range req.Data {
		sh, a, _ := b.resolve(d.Range)
		got, rows, cols, _ := sh.write(a, d.Values, req.ValueInputOption)
		responses = append(responses, updateReply(b.id, got, rows, cols))
		totalRows += rows
		totalCells += rows * cols
	}
	writeJSON(w, map[string]any{
		"spreadsheetId": b.id, "totalUpdatedRows": totalRows, "totalUpdatedCells": totalCells,
		"totalUpdatedSheets": len(req.Data), "responses": responses,
	})
	return nil
}

func (s *Server) valuesAppend(w http.ResponseWriter, b *book, rng string, q url.Values, body []byte) *apiError {
	opt := q.Get("valueInputOption")
	if e := checkInputOption(opt); e != nil {
		return e
	}
	var vr valueRange
	if e := decode(body, &vr); e != nil {
		return e
	}
	sh, a, e := b.resolve(rng)
	if e != nil {
		return e
	}
	// The table is the rows with data in the range's columns; new rows go
	// right after its last row.
	c1 := a.endCol
	if c1 < 0 {
		c1 = sh.cols
	}
	last := int64(-1)
	for r := int64(0); r < int64(len(sh.data)); r++ {
		for c := a.startCol; c < c1 && c < int64(len(sh.data[r])); c++ {
			if sh.data[r][c] != nil {
				last = r
				break
			}
		}
	}
	start := max(last+1, a.startRow)
	n := int64(len(vr.Values))
	if q.Get("insertDataOption") == "INSERT_ROWS" {
		if b.cells()+n*sh.cols > MaxCells {
			return badRequest("This action would increase the number of cells in the workbook above the limit of %d cells.", MaxCells)
		}
		// Insert n rows at start, shifting the rows below.
		sh.rows += n
		if start < int64(len(sh.data)) {
			sh.data = slices.Insert(sh.data, int(start), make([][]any, n)...)
		}
	} else if need := start + n - sh.rows; need > 0 {
		// OVERWRITE also extends the grid when the table reaches its end.
		if b.cells()+need*sh.cols > MaxCells {
			return badRequest("This action would increase the number of cells in the workbook above the limit of %d cells.", MaxCells)
		}
		sh.rows += need
	}
	tableRange := formatRange(sh.title, 0, a.startCol, max(last+1, 1), c1)
	got, rows, cols, e := sh.write(a1Range{startRow: start, startCol: a.startCol, singleCell: true}, vr.Values, opt)
	if e != nil {
		return e
	}
	writeJSON(w, map[string]any{
		"spreadsheetId": b.id, "tableRange": tableRange,
		"updates": updateReply(b.id, got, rows, cols),
	})
	return nil
}

func (s *Server) valuesClear(w http.ResponseWriter, b *book, rng string) *apiError {
	sh, a, e := b.resolve(rng)
	if e != nil {
		return e
	}
	sh.clear(a)
	writeJSON(w, map[string]any{"spreadsheetId": b.id, "clearedRange": rng})
	return nil
}

func (s *Server) valuesBatchClear(w http.ResponseWriter, b *book, body []byte) *apiError {
	var req struct {
		Ranges []string `json:"ranges"`
	}
	if e := decode(body, &req); e != nil {
		return e
	}
	type target struct {
		sh *sheet
		a  a1Range
	}
	var ts []target
	for _, rng := range req.Ranges {
		sh, a, e := b.resolve(rng)
		if e != nil {
			return e
		}
		ts = append(ts, target{sh, a})
	}
	for _, t := range ts {
		t.sh.clear(t.a)
	}
	writeJSON(w, map[string]any{"spreadsheetId": b.id, "clearedRanges": req.Ranges})
	return nil
}

func (s *Server) readRange(b *book, rng string, q url.Values) (map[string]any, *apiError) {
	sh, a, e := b.resolve(rng)
	if e != nil {
		return nil, e
	}
	if md := q.Get("majorDimension"); md != "" && md != "ROWS" {
		return nil, badRequest("sheetsfake: only majorDimension ROWS is supported")
	}
	r1, c1 := a.endRow, a.endCol
	if r1 < 0 {
		r1 = sh.rows
	}
	if c1 < 0 {
		c1 = sh.cols
	}
	if a.startRow >= sh.rows || a.startCol >= sh.cols || r1 > sh.rows || c1 > sh.cols {
		return nil, gridError(sh, a.startRow, a.startCol, max(r1, a.startRow+1), max(c1, a.startCol+1))
	}
	conv := func(v any, r, c int64) any { return sh.formatted(v, r, c) }
	if q.Get("valueRenderOption") == "UNFORMATTED_VALUE" {
		conv = func(v any, _, _ int64) any { return v }
	}
	out := map[string]any{
		"range":          formatRange(sh.title, a.startRow, a.startCol, r1, c1),
		"majorDimension": "ROWS",
	}
	// Like the real service, "values" is omitted when the range is empty.
	if vals := trimmed(sh, a.startRow, a.startCol, r1, c1, conv); len(vals) > 0 {
		out["values"] = vals
	}
	return out, nil
}

func (s *Server) valuesGet(w http.ResponseWriter, b *book, rng string, q url.Values) *apiError {
	out, e := s.readRange(b, rng, q)
	if e != nil {
		return e
	}
	writeJSON(w, out)
	return nil
}

func (s *Server) valuesBatchGet(w http.ResponseWriter, b *book, q url.Values) *apiError {
	var vrs []any
	for _, rng := range q["ranges"] {
		out, e := s.readRange(b, rng, q)
		if e != nil {
			return e
		}
		vrs = append(vrs, out)
	}
	writeJSON(w, map[string]any{"spreadsheetId": b.id, "valueRanges": vrs})
	return nil
}
