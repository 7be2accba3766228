// Package sheets publishes tracked prices and a running change log to a
// Google Sheets spreadsheet, so that people who never open git see today's
// prices and every change AWS made since tracking started.
//
// The layout, created on the first run and kept up to date:
//
//   - one tab per offer/region (name from a template, default
//     "{offer} {region}"), replaced on every run: a frozen header row, then
//     one row per price line; the price column is written as a number with a
//     format that shows every published decimal (the exact string stays in
//     the snapshot), every other column as text;
//   - a Changes tab to which each run appends its added, removed and changed
//     lines; a key column (offer|region|version|kind|rate code) makes a
//     re-run of the same version append nothing;
//   - a Status tab: last version and publication date per offer/region, with
//     links to the run and the commit.
//
// It never clears or appends to a tab it did not write. Before the first
// write of a run it reads the tabs it would touch, and stops, naming the tab,
// when one holds something else: a Changes or Status tab whose first row is
// not the header pricechecker writes, or a price tab whose first row names
// columns its snapshot does not have (unless the Status tab lists the tab
// as written by an earlier run). An existing empty tab is taken over.
//
// The package owns the service's limits: writes are batched and chunked
// under about 2 MB per request, 429 and 5xx answers are retried with
// exponential backoff and jitter (the Go client does not retry), the
// 10,000,000-cell and 50,000-characters-per-cell limits are checked before
// anything is written, and grids are resized before writing past them.
package sheets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	sheetsapi "google.golang.org/api/sheets/v4"

	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// Defaults and limits of the service.
const (
	DefaultTabName    = "{offer} {region}"
	DefaultChangesTab = "Changes"
	DefaultStatusTab  = "Status"
	// DefaultMaxRequestBytes keeps request bodies under the recommended
	// 2 MB with room for the envelope.
	DefaultMaxRequestBytes = 1_900_000

	MaxCells        = 10_000_000
	MaxCellChars    = 50_000
	MaxColumns      = 18_278
	maxTitleRunes   = 100
	priceColumnName = "price"
)

// Tab is one offer/region snapshot to publish: the snapshot CSV's header and
// rows, plus the version it was taken from.
type Tab struct {
	Offer           string
	Region          string
	Version         string
	PublicationDate string
	Header          []string
	Rows            [][]string
}

// Options configures a publication. The zero value of every field except
// SpreadsheetID has a useful default.
type Options struct {
	// SpreadsheetID is the part between /d/ and /edit in the spreadsheet's
	// URL; a whole URL is accepted too.
	SpreadsheetID string
	// TabName is the template for price tabs: {offer} and {region} are
	// replaced. Characters Sheets forbids are replaced with "-", and the name
	// is cut at 100 characters.
	TabName string
	// Columns are the snapshot columns to publish, in order (default: all).
	// A column missing from one snapshot is skipped there; a column missing
	// from every snapshot is an error.
	Columns []string
	// NumberColumns are written as numbers when their value is a plain
	// decimal (default: price). Other values ("Inf", "") stay text.
	NumberColumns []string
	// KeyAttributes are the product attributes shown in the Changes tab
	// (default: every attribute of the line, sorted by name).
	KeyAttributes []string
	ChangesTab    string
	StatusTab     string
	// RunURL and CommitURL are shown in the Status tab.
	RunURL    string
	CommitURL string
	// ServiceAccountEmail names the account in the "share the spreadsheet"
	// advice of a 403 (see Credentials.Email).
	ServiceAccountEmail string
	// DryRun, when set, receives a description of what would be written and
	// no request is made.
	DryRun io.Writer
	// MaxRequestBytes caps the encoded size of one request body (default
	// DefaultMaxRequestBytes).
	MaxRequestBytes int
	// RequestTimeout bounds each HTTP attempt (default 2 minutes).
	RequestTimeout time.Duration
	Retry          Retry
	// Now is the clock for the Changes date and Status updated_at (default
	// time.Now).
	Now func() time.Time
}

// Result says what a publication did (or, for a dry run, would do).
type Result struct {
	SpreadsheetURL string
	// TabsCreated are the tabs added to the spreadsheet.
	TabsCreated []string
	// Tabs are the price tabs written.
	Tabs []TabResult
	// ChangesAppended counts lines appended to the Changes tab (for a dry
	// run: at most appended, as the tab is not read); ChangesSkipped counts
	// lines already there from an earlier run.
	ChangesAppended int
	ChangesSkipped  int
	StatusRows      int
	// WriteRequests and ReadRequests count API calls, retries excluded.
	WriteRequests int
	ReadRequests  int
}

// TabResult is one price tab written.
type TabResult struct {
	Name    string
	Rows    int // data rows, header excluded
	Columns int
}

// Publish writes tabs and the changes of rep to the spreadsheet. svc is
// not used (and may be nil) for a dry run.
func Publish(ctx context.Context, svc *sheetsapi.Service, opts Options, tabs []Tab, rep report.Report) (Result, error) {
	o, err := opts.resolve()
	if err != nil {
		return Result{}, err
	}
	p, err := newLayout(o, tabs, rep)
	if err != nil {
		return Result{}, err
	}
	if o.DryRun != nil {
		return p.dryRun(o.DryRun)
	}
	if svc == nil {
		return Result{}, errors.New("sheets: no service (see NewService)")
	}
	pub := &publisher{svc: svc, o: o, layout: p}
	return pub.publish(ctx)
}

var idInURL = regexp.MustCompile(`/d/([A-Za-z0-9_-]+)`)

// resolve validates the options and fills in defaults.
func (o Options) resolve() (Options, error) {
	o.SpreadsheetID = strings.TrimSpace(o.SpreadsheetID)
	if m := idInURL.FindStringSubmatch(o.SpreadsheetID); m != nil {
		o.SpreadsheetID = m[1]
	}
	if o.SpreadsheetID == "" {
		return o, errors.New("sheets: no spreadsheet ID: set it to the part between /d/ and /edit in the spreadsheet's URL")
	}
	if strings.ContainsAny(o.SpreadsheetID, "/?#: ") {
		return o, fmt.Errorf("sheets: spreadsheet ID %q is not an ID: use the part between /d/ and /edit in the spreadsheet's URL", o.SpreadsheetID)
	}
	if o.TabName == "" {
		o.TabName = DefaultTabName
	}
	if !strings.Contains(o.TabName, "{offer}") || !strings.Contains(o.TabName, "{region}") {
		return o, fmt.Errorf("sheets: tab name template %q must contain {offer} and {region} so that every snapshot gets its own tab", o.TabName)
	}
	if o.ChangesTab == "" {
		o.ChangesTab = DefaultChangesTab
	}
	if o.StatusTab == "" {
		o.StatusTab = DefaultStatusTab
	}
	o.ChangesTab = SanitizeTitle(o.ChangesTab)
	o.StatusTab = SanitizeTitle(o.StatusTab)
	if strings.EqualFold(o.ChangesTab, o.StatusTab) {
		return o, fmt.Errorf("sheets: the changes and status tabs are both named %q; give them different names", o.ChangesTab)
	}
	if o.NumberColumns == nil {
		o.NumberColumns = []string{priceColumnName}
	}
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 2 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Retry = o.Retry.withDefaults()
	o.Columns = slices.Clone(o.Columns)
	return o, nil
}

// SpreadsheetURL is the link people open.
func SpreadsheetURL(id string) string {
	return "https://docs.google.com/spreadsheets/d/" + id + "/edit"
}

// TabTitle renders the tab name template for an offer and region.
func TabTitle(template, offer, region string) string {
	if template == "" {
		template = DefaultTabName
	}
	t := strings.NewReplacer("{offer}", offer, "{region}", region).Replace(template)
	return SanitizeTitle(t)
}

// SanitizeTitle makes s a valid sheet title: characters that sheet names
// cannot hold or that break A1 references ([ ] * ? / \ :) become "-",
// control and bidi characters become spaces, surrounding space is trimmed,
// and the title is cut at 100 characters.
func SanitizeTitle(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`[]*?/\:`, r):
			return '-'
		case textsafe.Unsafe(r):
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > maxTitleRunes {
		s = strings.TrimSpace(string(r[:maxTitleRunes]))
	}
	if s == "" {
		s = "-"
	}
	return s
}
