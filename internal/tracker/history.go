package tracker

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pricechecker/pricechecker/internal/atomicfile"
	"github.com/pricechecker/pricechecker/internal/awsnames"
	"github.com/pricechecker/pricechecker/internal/chart"
	"github.com/pricechecker/pricechecker/internal/gitstore"
	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/snapshot"
	"github.com/pricechecker/pricechecker/internal/textsafe"
)

// HistoryOptions configure History.
type HistoryOptions struct {
	// Repo is the git repository, Out the snapshot folder in it.
	Repo, Out string
	// Services and Regions select snapshot files (default all).
	Services, Regions []string
	// Select picks the lines; FilterColumns are the columns filtered on,
	// in the order given, shown as columns.
	Select        gitstore.Selector
	FilterColumns []string
	// Format is table, csv or json; SVG, when set, is a chart file to draw.
	Format, SVG string
	// At prints the prices in force at that date; otherwise the history
	// from Since to Until (empty: unbounded), every recorded version with
	// All. Dates are 2018-04-01 (the end of that day, UTC) or RFC 3339.
	At, Since, Until string
	All              bool
	Stdout, Log      io.Writer
}

// History prints the price of the selected lines over time, or at one
// point in time, from the git history.
func History(ctx context.Context, f HistoryOptions) error {
	if f.Format != "table" && f.Format != "csv" && f.Format != "json" {
		return UsageError{Err: fmt.Errorf("--format %q: want table, csv or json", f.Format)}
	}
	var at, since, until time.Time
	for _, d := range []struct {
		flag, value string
		t           *time.Time
	}{{"at", f.At, &at}, {"since", f.Since, &since}, {"until", f.Until, &until}} {
		if d.value == "" {
			continue
		}
		t, ok := gitstore.ParseDate(d.value)
		if !ok {
			return UsageError{Err: fmt.Errorf("--%s %q: want a date such as 2018-04-01 or 2018-04-01T12:00:00Z", d.flag, d.value)}
		}
		*d.t = t
	}
	if f.At != "" && (f.SVG != "" || f.Since != "" || f.Until != "" || f.All) {
		return UsageError{Err: errors.New("--at prints one point in time; it does not combine with --svg, --since, --until or --all")}
	}
	sel := f.Select
	repo, err := gitstore.Open(ctx, f.Repo)
	if err != nil {
		return err
	}
	defer repo.Close()
	out, err := repo.Path(f.Out)
	if err != nil {
		return UsageError{Err: err}
	}
	files, err := selectFiles(ctx, repo, out, f.Services, f.Regions)
	if err != nil {
		return err
	}

	var rows []gitstore.Row
	var series []gitstore.Series
	if f.At != "" {
		recorded := 0
		for _, file := range files {
			rev, lines, err := repo.At(ctx, file, at, sel)
			if errors.Is(err, gitstore.ErrNoCommit) {
				continue // this offer/region was not recorded yet
			}
			recorded++
			if err != nil {
				return err
			}
			offer, region := gitstore.SnapshotFile(file)
			for _, l := range lines {
				rows = append(rows, gitstore.NewRow(offer, region, l, gitstore.Point{Revision: rev, Price: l.Price}, ""))
			}
		}
		if recorded == 0 {
			return UsageError{Err: fmt.Errorf("nothing was recorded at or before %s; the history starts later (see git log)", at.UTC().Format(time.RFC3339))}
		}
		fmt.Fprintf(f.Log, "prices in force at %s\n", at.UTC().Format(time.RFC3339))
	} else {
		opts := gitstore.HistoryOptions{WalkOptions: gitstore.WalkOptions{Since: since, Until: until}, All: f.All}
		for _, file := range files {
			s, err := repo.History(ctx, file, sel, opts)
			if err != nil {
				return err
			}
			series = append(series, s...)
		}
		for _, s := range series {
			rows = append(rows, gitstore.Rows(s.OfferCode, s.Region, s.Line, s.Points)...)
		}
	}
	if len(rows) == 0 {
		return fmt.Errorf("no price line of %s matches the selection", strings.Join(files, ", "))
	}
	keys := keyAttributes(rows, f.FilterColumns)
	multi := len(files) > 1
	switch f.Format {
	case "csv":
		err = writeHistoryCSV(f.Stdout, rows, keys)
	case "json":
		enc := json.NewEncoder(f.Stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rows)
	default:
		err = writeHistoryTable(f.Stdout, rows, keys, multi, f.At == "")
	}
	if err != nil {
		return err
	}
	if f.SVG != "" {
		end, err := repo.CommitDate(ctx, "HEAD")
		if err != nil {
			return err
		}
		return atomicfile.WriteFile(f.SVG, 0o644, func(w io.Writer) error {
			return chart.Step(w, chartSeries(series, keys, multi), chart.Options{
				Title: chartTitle(series, multi), YLabel: yLabel(series), End: end,
			})
		})
	}
	return nil
}

// selectFiles lists the snapshot files at HEAD of the selected offers and
// regions.
func selectFiles(ctx context.Context, repo *gitstore.Repo, out string, services, regions []string) ([]string, error) {
	all, err := repo.Snapshots(ctx, "HEAD", out)
	if err != nil {
		return nil, fmt.Errorf("list the snapshots under %s at HEAD: %w", out, err)
	}
	services = awsnames.BulkCodes(services)
	var files []string
	for _, file := range all {
		offer, region := gitstore.SnapshotFile(file)
		if (len(services) == 0 || slices.Contains(services, offer)) && (len(regions) == 0 || slices.Contains(regions, region)) {
			files = append(files, file)
		}
	}
	if len(files) == 0 {
		what := "no snapshot"
		if len(services)+len(regions) > 0 {
			what += " of " + strings.Join(append(slices.Clone(services), regions...), " ")
		}
		return nil, fmt.Errorf("%s under %s at HEAD; is --out right, and was a run committed?", what, out)
	}
	return files, nil
}

// keyAttributes picks the attribute columns worth showing: those filtered
// on, and instanceType; failing both, every attribute (at most three).
func keyAttributes(rows []gitstore.Row, filtered []string) []string {
	have := map[string]bool{}
	for _, r := range rows {
		for k := range r.Attributes {
			have[k] = true
		}
	}
	var keys []string
	for _, k := range filtered {
		if have[k] && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if have["instanceType"] && !slices.Contains(keys, "instanceType") {
		keys = append([]string{"instanceType"}, keys...)
	}
	if len(keys) == 0 {
		keys = slices.Sorted(maps.Keys(have))
		keys = keys[:min(3, len(keys))]
	}
	return keys
}

// rowLabel is the readable name of a row's line: every attribute, its term
// and its unit (report.Line.Label with no keys), the very label the change
// report, Slack and Sheets give the line, whatever the rows were filtered on.
func rowLabel(r gitstore.Row) string {
	return report.Line{
		RateCode: r.RateCode, TermType: r.TermType, Unit: r.Unit, LeaseContractLength: r.LeaseContractLength,
		PurchaseOption: r.PurchaseOption, OfferingClass: r.OfferingClass, Attributes: r.Attributes,
	}.Label(nil)
}

func writeHistoryTable(w io.Writer, rows []gitstore.Row, keys []string, multi, withChange bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"DATE", "VERSION"}
	if multi {
		head = append(head, "OFFER", "REGION")
	}
	// The line by its label, the rate code beside it: the label is what
	// people read, the code what they search for.
	head = append(head, "LINE", "RATE CODE", "PRICE")
	if withChange {
		head = append(head, "CHANGE")
	}
	for i, h := range head {
		head[i] = textsafe.Line(h)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range rows {
		cells := []string{r.Date.Format(time.DateOnly), r.Version}
		if multi {
			cells = append(cells, r.OfferCode, r.Region)
		}
		cells = append(cells, rowLabel(r), r.RateCode)
		price := "-"
		if r.Price != "" {
			price = r.Price + " " + r.Currency + "/" + r.Unit
		}
		cells = append(cells, price)
		if withChange {
			cells = append(cells, r.Change)
		}
		// A terminal shows what AWS wrote, but no control character:
		// an escape sequence would rewrite the screen, a tab would shift
		// the columns.
		for i, c := range cells {
			cells[i] = textsafe.Line(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

func writeHistoryCSV(w io.Writer, rows []gitstore.Row, keys []string) error {
	cw := csv.NewWriter(w)
	head := []string{"date", "commit", "version", "publication_date", "offer_code", "region", "rate_code", "sku",
		"term_type", "lease_contract_length", "purchase_option", "offering_class", "unit", "currency"}
	cw.Write(append(append(head, keys...), "price", "change"))
	for _, r := range rows {
		rec := []string{r.Date.Format(time.RFC3339), r.Commit, r.Version, r.PublicationDate, r.OfferCode, r.Region, r.RateCode, r.SKU,
			r.TermType, r.LeaseContractLength, r.PurchaseOption, r.OfferingClass, r.Unit, r.Currency}
		for _, k := range keys {
			rec = append(rec, r.Attributes[k])
		}
		cw.Write(append(rec, r.Price, r.Change))
	}
	cw.Flush()
	return cw.Error()
}

// chartSeries turns histories into chart lines. Prices are turned into
// floats here only, to place them on the chart; a price that is not a plain
// decimal is a gap, not a point at 0x10 = 16 or NaN.
func chartSeries(series []gitstore.Series, keys []string, multi bool) []chart.Series {
	var out []chart.Series
	for _, s := range series {
		// The legend reads the label; the rate code is its tooltip.
		name := s.Line.Label(nil) // as rowLabel
		if multi {
			name += " (" + s.OfferCode + " " + s.Region + ")"
		}
		cs := chart.Series{Name: name, Code: s.Line.RateCode}
		for _, p := range s.Points {
			var v float64
			r, ok := snapshot.ParsePrice(p.Price)
			if ok {
				v, _ = r.Float64()
				ok = !math.IsInf(v, 0) // beyond float64: no place on the chart
			}
			cs.Points = append(cs.Points, chart.Point{Time: p.Date, Value: v, Gap: p.Removed || !ok})
		}
		out = append(out, cs)
	}
	return out
}

func chartTitle(series []gitstore.Series, multi bool) string {
	if multi || len(series) == 0 {
		return "AWS price history"
	}
	return series[0].OfferCode + " " + series[0].Region + " price history"
}

// yLabel names the unit when every line shares it.
func yLabel(series []gitstore.Series) string {
	label := ""
	for i, s := range series {
		l := s.Line.Currency + "/" + s.Line.Unit
		if i > 0 && l != label {
			return "price"
		}
		label = l
	}
	return label
}
