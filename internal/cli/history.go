package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/pricechecker/pricechecker/internal/gitstore"
	"github.com/pricechecker/pricechecker/internal/tracker"
)

type historyFlags struct {
	out, repo         string
	services, regions listFlag
	rateCodes, skus   listFlag
	filters           filterFlag
	format            string
	svg               string
	at, since, until  string
	all               bool
}

// cmdHistory prints the price of selected lines over time
// (tracker.History).
func cmdHistory(ctx context.Context, env Env, args []string) error {
	var f historyFlags
	fs := newFlagSet("history", env)
	fs.StringVar(&f.out, "out", "prices", "snapshot folder, inside the repository")
	fs.StringVar(&f.repo, "repo", ".", "git repository holding the price history")
	fs.Var(&f.services, "service", "offer code, e.g. AmazonEC2 (repeatable; default every offer)")
	fs.Var(&f.regions, "region", "region code (repeatable; default every region)")
	fs.Var(&f.rateCodes, "rate-code", "select the line with this rate code (repeatable)")
	fs.Var(&f.skus, "sku", "select the lines of this SKU (repeatable)")
	fs.Var(&f.filters, "filter", "select lines whose column has a value, e.g. instanceType=m5.large or term_type=OnDemand (repeatable; the same column twice means either value)")
	fs.StringVar(&f.format, "format", "table", "output format: table, csv or json")
	asCSV := fs.Bool("csv", false, "same as --format csv")
	asJSON := fs.Bool("json", false, "same as --format json")
	fs.StringVar(&f.svg, "svg", "", "also draw a step chart of the selected lines to this SVG file")
	fs.StringVar(&f.at, "at", "", "print the prices in force at this date (2018-04-01 means the end of that day, UTC; or RFC 3339)")
	fs.StringVar(&f.since, "since", "", "only commits from this date on")
	fs.StringVar(&f.until, "until", "", "only commits up to this date")
	fs.BoolVar(&f.all, "all", false, "a row for every recorded version, not only where the price changed")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if *asCSV && *asJSON {
		return usageError{Err: fmt.Errorf("--csv and --json: choose one")}
	} else if *asCSV {
		f.format = "csv"
	} else if *asJSON {
		f.format = "json"
	}
	return tracker.History(ctx, tracker.HistoryOptions{
		Repo: f.repo, Out: f.out, Services: f.services, Regions: f.regions,
		Select:        gitstore.Selector{RateCodes: f.rateCodes, SKUs: f.skus, Filters: f.filters.values},
		FilterColumns: f.filters.names(), Format: f.format, SVG: f.svg,
		At: f.at, Since: f.since, Until: f.until, All: f.all,
		Stdout: env.Stdout, Log: env.Stderr,
	})
}

// filterFlag collects --filter column=value; values are kept whole (they
// may hold commas).
type filterFlag struct {
	values map[string][]string
	order  []string
}

func (f *filterFlag) String() string {
	var parts []string
	for _, k := range f.order {
		for _, v := range f.values[k] {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

func (f *filterFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want column=value, such as instanceType=m5.large")
	}
	if f.values == nil {
		f.values = map[string][]string{}
	}
	if _, seen := f.values[k]; !seen {
		f.order = append(f.order, k)
	}
	f.values[k] = append(f.values[k], v)
	return nil
}

func (f *filterFlag) names() []string { return f.order }
