package cli

import (
	"flag"

	"github.com/pricechecker/pricechecker/internal/actions"
	"github.com/pricechecker/pricechecker/internal/sheets"
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

// publisher is the Google Sheets destination these flags describe.
func (s *sheetFlags) publisher(env Env, gh *actions.Runner, out string, dryRun bool) *sheets.Publisher {
	endpoint := s.endpoint
	if endpoint == "" {
		endpoint = env.Getenv("PRICECHECKER_SHEETS_ENDPOINT")
	}
	links := gh.Links()
	return &sheets.Publisher{
		Options: sheets.Options{
			SpreadsheetID: s.spreadsheetID,
			TabName:       s.tabName,
			ChangesTab:    s.changesTab,
			StatusTab:     s.statusTab,
			Columns:       s.columns,
			RunURL:        links.Run,
		},
		CommitURL: links.CommitURL,
		Snapshots: out,
		Credentials: sheets.Credentials{
			KeyJSON:   env.Getenv("GOOGLE_CREDENTIALS"),
			ADCFile:   env.Getenv("GOOGLE_APPLICATION_CREDENTIALS"),
			Anonymous: s.anonymous || env.Getenv("PRICECHECKER_SHEETS_ANONYMOUS") == "true",
		},
		Endpoint: endpoint,
		DryRun:   dryRun,
		Stdout:   env.Stdout,
		Stderr:   env.Stderr,
	}
}
