package sheets

import (
	"context"
	"fmt"
	"io"

	"github.com/pricechecker/pricechecker/internal/publish"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// Publisher writes a run's snapshots and changes to the spreadsheet:
// notify's Google Sheets destination (see publish.Publisher).
type Publisher struct {
	// Options are the spreadsheet, its tabs and the run's link; the
	// Status tab's commit link comes from CommitURL and the outcome.
	Options Options
	// CommitURL links to a commit of the repository, for the Status tab.
	CommitURL func(sha string) string
	// Snapshots is the snapshot folder the published tabs are read from.
	Snapshots   string
	Credentials Credentials
	// Endpoint replaces Google's API base URL (a proxy, or a fake).
	Endpoint string
	// DryRun prints the layout to Stdout instead of writing.
	DryRun bool
	Stdout io.Writer
	// Stderr receives what the publisher did.
	Stderr io.Writer
}

// Name implements publish.Publisher.
func (p *Publisher) Name() string { return "Google Sheets" }

// Failure implements publish.Publisher.
func (p *Publisher) Failure() string { return "Google Sheets was not updated" }

// Amendable implements publish.Publisher: a re-run rewrites the tabs and
// appends only the changes not already there.
func (p *Publisher) Amendable() bool { return true }

// Publish writes the snapshots of every offer/region in the report, and the
// report's changes, to the spreadsheet. The links name the spreadsheet.
func (p *Publisher) Publish(ctx context.Context, o publish.Outcome) (publish.Links, error) {
	if o.Report.Unchanged {
		fmt.Fprintln(p.Stderr, "sheets: nothing changed; the spreadsheet is up to date")
		return publish.Links{}, nil
	}
	if p.Options.SpreadsheetID == "" {
		fmt.Fprintln(p.Stderr, "sheets: no spreadsheet ID; not publishing")
		return publish.Links{}, nil
	}
	tabs, err := snapshotTabs(p.Snapshots, o)
	if err != nil {
		return publish.Links{}, err
	}
	opts := p.Options
	if p.CommitURL != nil {
		opts.CommitURL = p.CommitURL(o.Commit)
	}
	if p.DryRun {
		opts.DryRun = p.Stdout
		res, err := Publish(ctx, nil, opts, tabs, o.Report)
		return publish.Links{Spreadsheet: res.SpreadsheetURL}, err
	}
	creds := p.Credentials
	svc, err := NewService(ctx, creds, p.Endpoint)
	if err != nil {
		return publish.Links{}, err
	}
	opts.ServiceAccountEmail = creds.Email()
	res, err := Publish(ctx, svc, opts, tabs, o.Report)
	if err != nil {
		return publish.Links{}, err
	}
	printResult(p.Stderr, res)
	return publish.Links{Spreadsheet: res.SpreadsheetURL}, nil
}

// snapshotTabs reads the snapshot of every offer/region of the report.
func snapshotTabs(out string, o publish.Outcome) ([]Tab, error) {
	var tabs []Tab
	manifests := map[string]*snapshot.Manifest{}
	for _, off := range o.Report.Offers {
		m, ok := manifests[off.OfferCode]
		if !ok {
			var err error
			if m, err = snapshot.LoadManifest(out, off.OfferCode); err != nil {
				return nil, err
			}
			manifests[off.OfferCode] = m
		}
		tab, err := ReadSnapshotCSV(snapshot.Path(out, off.OfferCode, off.Region))
		if err != nil {
			return nil, fmt.Errorf("read snapshot of %s %s: %w", off.OfferCode, off.Region, err)
		}
		st := m.Regions[off.Region]
		tab.Version, tab.PublicationDate = st.Version, st.PublicationDate
		tabs = append(tabs, tab)
	}
	return tabs, nil
}

func printResult(w io.Writer, res Result) {
	fmt.Fprintf(w, "sheets: %d tabs written (%d created), %d changes appended (%d already there), %d status rows: %s\n",
		len(res.Tabs), len(res.TabsCreated), res.ChangesAppended, res.ChangesSkipped, res.StatusRows, res.SpreadsheetURL)
}
