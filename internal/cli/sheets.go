package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/sheets"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// sheetFlags are notify's Google Sheets settings. The key itself comes from
// the environment ($GOOGLE_CREDENTIALS: a service-account key JSON) or from
// Application Default Credentials, never from the command line.
type sheetFlags struct {
	spreadsheetID string
	tabName       string
	changesTab    string
	statusTab     string
	columns       listFlag
	endpoint      string
	anonymous     bool
}

func (s *sheetFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.spreadsheetID, "spreadsheet-id", "", "Google Sheets spreadsheet ID or URL (empty: skip Sheets)")
	fs.StringVar(&s.tabName, "sheet-tab-name", sheets.DefaultTabName, "price tab name template; {offer} and {region} are replaced")
	fs.StringVar(&s.changesTab, "sheet-changes-tab", sheets.DefaultChangesTab, "name of the tab the changes are appended to")
	fs.StringVar(&s.statusTab, "sheet-status-tab", sheets.DefaultStatusTab, "name of the status tab")
	fs.Var(&s.columns, "sheet-columns", "snapshot columns to publish (repeatable or comma-separated; default all)")
	fs.StringVar(&s.endpoint, "sheets-endpoint", "", "Sheets API base URL (default Google's; $PRICECHECKER_SHEETS_ENDPOINT)")
	fs.BoolVar(&s.anonymous, "sheets-anonymous", false, "send no credentials (for a local fake of the Sheets API)")
}

// publish writes the snapshots of every offer/region in the report, and the
// report's changes, to the spreadsheet. It returns the spreadsheet's URL.
func (s *sheetFlags) publish(ctx context.Context, env Env, gh *actions.Runner, rep report.Report, out, commit string, dryRun bool) (string, error) {
	if s.spreadsheetID == "" {
		fmt.Fprintln(env.Stderr, "sheets: no spreadsheet ID; not publishing")
		return "", nil
	}
	var tabs []sheets.Tab
	manifests := map[string]*snapshot.Manifest{}
	for _, o := range rep.Offers {
		m, ok := manifests[o.OfferCode]
		if !ok {
			var err error
			if m, err = snapshot.LoadManifest(out, o.OfferCode); err != nil {
				return "", err
			}
			manifests[o.OfferCode] = m
		}
		tab, err := sheets.ReadSnapshotCSV(snapshot.Path(out, o.OfferCode, o.Region))
		if err != nil {
			return "", fmt.Errorf("read snapshot of %s %s: %w", o.OfferCode, o.Region, err)
		}
		st := m.Regions[o.Region]
		tab.Version, tab.PublicationDate = st.Version, st.PublicationDate
		tabs = append(tabs, tab)
	}
	links := gh.Links()
	opts := sheets.Options{
		SpreadsheetID: s.spreadsheetID,
		TabName:       s.tabName,
		ChangesTab:    s.changesTab,
		StatusTab:     s.statusTab,
		Columns:       s.columns,
		RunURL:        links.Run,
		CommitURL:     links.CommitURL(cmp.Or(commit, env.Getenv("GITHUB_SHA"))),
	}
	if dryRun {
		opts.DryRun = env.Stdout
		res, err := sheets.Publish(ctx, nil, opts, tabs, rep)
		return res.SpreadsheetURL, err
	}
	creds := sheets.Credentials{
		KeyJSON:   env.Getenv("GOOGLE_CREDENTIALS"),
		ADCFile:   env.Getenv("GOOGLE_APPLICATION_CREDENTIALS"),
		Anonymous: s.anonymous || env.Getenv("PRICECHECKER_SHEETS_ANONYMOUS") == "true",
	}
	gh.Mask(creds.KeyJSON)
	endpoint := s.endpoint
	if endpoint == "" {
		endpoint = env.Getenv("PRICECHECKER_SHEETS_ENDPOINT")
	}
	svc, err := sheets.NewService(ctx, creds, endpoint)
	if err != nil {
		return "", err
	}
	opts.ServiceAccountEmail = creds.Email()
	res, err := sheets.Publish(ctx, svc, opts, tabs, rep)
	if err != nil {
		return "", err
	}
	printSheetsResult(env.Stderr, res)
	return res.SpreadsheetURL, nil
}

func printSheetsResult(w io.Writer, res sheets.Result) {
	fmt.Fprintf(w, "sheets: %d tabs written (%d created), %d changes appended (%d already there), %d status rows: %s\n",
		len(res.Tabs), len(res.TabsCreated), res.ChangesAppended, res.ChangesSkipped, res.StatusRows, res.SpreadsheetURL)
}
