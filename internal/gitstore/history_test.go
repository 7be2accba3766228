package gitstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pricechecker/pricechecker/internal/snapshot"
	"github.com/pricechecker/pricechecker/internal/testkit"
)

const header = "rate_code,sku,term_type,unit,price,currency,lease_contract_length,purchase_option,offering_class,begin_range,end_range,effective_date,description,instanceType\n"

func row(sku, price, instanceType string) string {
	return fmt.Sprintf("%s.JRTCKXETXF.6YS6EN2CT7,%s,OnDemand,Hrs,%s,USD,,,,0,Inf,2018-03-01,\"per hour, %s\",%s\n", sku, sku, price, instanceType, instanceType)
}

// history commits versions of prices/AmazonEC2/us-east-1.csv on the given
// days and returns the repository.
func history(t *testing.T, versions ...[]string) string {
	t.Helper()
	isolate(t)
	dir := t.TempDir()
	testkit.Git(t, ".", "init", "--quiet", "--initial-branch=main", dir)
	for i, rows := range versions {
		day := time.Date(2018, 3, 10+10*i, 12, 0, 0, 0, time.UTC)
		version := day.Format("20060102150405")
		write(t, dir, "prices/AmazonEC2/us-east-1.csv", header+strings.Join(rows, ""))
		write(t, dir, "prices/AmazonEC2/manifest.json", fmt.Sprintf(`{"offer_code":"AmazonEC2","regions":{"us-east-1":{"version":%q,"publication_date":%q}}}`, version, day.Format(time.RFC3339)))
		t.Setenv("GIT_COMMITTER_DATE", day.Format(time.RFC3339))
		t.Setenv("GIT_AUTHOR_DATE", day.Format(time.RFC3339))
		if _, _, err := Commit(context.Background(), dir, []string{"prices"}, "v"+version, "", Identity{}); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func open(t *testing.T, dir string) *Repo {
	t.Helper()
	r, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

const file = "prices/AmazonEC2/us-east-1.csv"

func TestHistory(t *testing.T) {
	dir := history(t,
		[]string{row("AAA", "0.10", "m5.large"), row("BBB", "0.20", "m5.xlarge")},  // 03-10
		[]string{row("AAA", "0.10", "m5.large"), row("BBB", "0.22", "m5.xlarge")},  // 03-20
		[]string{row("AAA", "0.12", "m5.large"), row("CCC", "0.40", "m5.2xlarge")}, // 03-30
		[]string{row("AAA", "0.12", "m5.large"), row("BBB", "0.22", "m5.xlarge")},  // 04-09
	)
	r := open(t, dir)
	ctx := context.Background()
	series, err := r.History(ctx, file, Selector{}, HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range series {
		var pts []string
		for _, p := range s.Points {
			v := p.Price
			if p.Removed {
				v = "removed"
			}
			pts = append(pts, p.Version[4:8]+"="+v)
		}
		got = append(got, s.OfferCode+"/"+s.Region+" "+s.Line.Attributes["instanceType"]+": "+strings.Join(pts, " "))
	}
	want := []string{
		"AmazonEC2/us-east-1 m5.large: 0310=0.10 0330=0.12",
		"AmazonEC2/us-east-1 m5.xlarge: 0310=0.20 0320=0.22 0330=removed 0409=0.22",
		"AmazonEC2/us-east-1 m5.2xlarge: 0330=0.40 0409=removed",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("History:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Selecting by attribute, by SKU, by rate code; with All every revision.
	for _, c := range []struct {
		sel  Selector
		all  bool
		want int // points of the one series
	}{
		{Selector{Filters: map[string][]string{"instanceType": {"m5.large"}}}, false, 2},
		{Selector{SKUs: []string{"AAA"}}, true, 4},
		{Selector{RateCodes: []string{"AAA.JRTCKXETXF.6YS6EN2CT7"}, Filters: map[string][]string{"term_type": {"OnDemand"}}}, false, 2},
	} {
		series, err := r.History(ctx, file, c.sel, HistoryOptions{All: c.all})
		if err != nil {
			t.Fatal(err)
		}
		if len(series) != 1 || series[0].Line.SKU != "AAA" || len(series[0].Points) != c.want {
			t.Errorf("History(%+v, all=%v) = %+v", c.sel, c.all, series)
		}
	}
	if series, _ := r.History(ctx, file, Selector{Filters: map[string][]string{"nosuchcolumn": {"x"}}}, HistoryOptions{}); len(series) != 0 {
		t.Errorf("unknown column selected %d lines", len(series))
	}

	// Since/Until bound the commits.
	series, err = r.History(ctx, file, Selector{SKUs: []string{"BBB"}}, HistoryOptions{WalkOptions: WalkOptions{Since: time.Date(2018, 3, 15, 0, 0, 0, 0, time.UTC), Until: time.Date(2018, 4, 1, 0, 0, 0, 0, time.UTC)}})
	if err != nil || len(series) != 1 || len(series[0].Points) != 2 || series[0].Points[0].Price != "0.22" || !series[0].Points[1].Removed {
		t.Errorf("History since/until = %+v, %v", series, err)
	}
}

func TestAt(t *testing.T) {
	dir := history(t,
		[]string{row("AAA", "0.10", "m5.large")},
		[]string{row("AAA", "0.11", "m5.large")},
	)
	r := open(t, dir)
	ctx := context.Background()
	for _, c := range []struct{ date, price, version string }{
		{"2018-03-10", "0.10", "20180310120000"},
		{"2018-03-19", "0.10", "20180310120000"},
		{"2018-03-20T11:59:59Z", "0.10", "20180310120000"},
		{"2018-03-20", "0.11", "20180320120000"},
		{"2030-01-01", "0.11", "20180320120000"},
	} {
		at, _ := ParseDate(c.date)
		rev, lines, err := r.At(ctx, file, at, Selector{SKUs: []string{"AAA"}})
		if err != nil || len(lines) != 1 || lines[0].Price != c.price || rev.Version != c.version {
			t.Errorf("At(%s) = %+v, %+v, %v; want %s from %s", c.date, rev, lines, err, c.price, c.version)
		}
	}
	at, _ := ParseDate("2018-03-09")
	if _, _, err := r.At(ctx, file, at, Selector{}); !errors.Is(err, ErrNoCommit) {
		t.Errorf("At before the history = %v, want ErrNoCommit", err)
	}
}

func TestDiff(t *testing.T) {
	dir := history(t,
		[]string{row("AAA", "0.10", "m5.large"), row("BBB", "0.20", "m5.xlarge")},
		[]string{row("AAA", "0.15", "m5.large"), row("CCC", "0.30", "m5.2xlarge")},
		[]string{row("AAA", "0.15", "m5.large"), row("CCC", "0.31", "m5.2xlarge")},
	)
	r := open(t, dir)
	ctx := context.Background()
	from, err := r.Resolve(ctx, "2018-03-10")
	if err != nil {
		t.Fatal(err)
	}
	to, err := r.Resolve(ctx, "HEAD~1")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Diff(ctx, "prices", from, to, snapshot.DiffOptions{FlagPct: 25})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unchanged || len(rep.Offers) != 1 {
		t.Fatalf("Diff = %+v", rep)
	}
	o := rep.Offers[0]
	if o.OfferCode != "AmazonEC2" || o.Region != "us-east-1" || o.FromVersion != "20180310120000" || o.ToVersion != "20180320120000" {
		t.Errorf("offer = %+v", o)
	}
	if a, rm, c := o.Counts(); a != 1 || rm != 1 || c != 1 || o.Changed[0].NewPrice != "0.15" || len(o.Flags) != 1 {
		t.Errorf("counts %d %d %d, %+v", a, rm, c, o)
	}
	if got := rep.Subject(); got != "AmazonEC2 us-east-1 20180320120000: 1 changed, 1 added, 1 removed" {
		t.Errorf("Subject = %s", got)
	}

	// The same point twice is unchanged; the work tree is the default end.
	rep, err = r.Diff(ctx, "prices", to, to, snapshot.DiffOptions{})
	if err != nil || !rep.Unchanged {
		t.Errorf("self diff = %+v, %v", rep, err)
	}
	rep, err = r.Diff(ctx, "prices", to, "", snapshot.DiffOptions{})
	if err != nil || rep.Unchanged || rep.Offers[0].Changed[0].NewPrice != "0.31" {
		t.Errorf("diff to work tree = %+v, %v", rep, err)
	}

	for _, bad := range []string{"2018-03-01", "nosuchrev", "HEAD~9"} {
		if _, err := r.Resolve(ctx, bad); err == nil {
			t.Errorf("Resolve(%s) did not fail", bad)
		}
	}
}

func TestPath(t *testing.T) {
	dir := history(t, []string{row("AAA", "0.10", "m5.large")})
	r := open(t, dir+"/prices")
	for in, want := range map[string]string{".": "prices", "AmazonEC2": "prices/AmazonEC2", "..": ".", dir + "/prices/AmazonEC2": "prices/AmazonEC2"} {
		if got, err := r.Path(in); err != nil || got != want {
			t.Errorf("Path(%s) = %q, %v, want %q", in, got, err, want)
		}
	}
	if _, err := r.Path("../.."); err == nil {
		t.Error("a path outside the repository was accepted")
	}
}

func TestMatcherQuoting(t *testing.T) {
	data := header +
		"A.1.1,A,OnDemand,Hrs,1,USD,,,,0,Inf,2018-03-01,\"two\nlines, and a \"\"quote\"\"\",m5.large\n" +
		"B.1.1,B,OnDemand,Hrs,2,USD,,,,0,Inf,2018-03-01,\"B.1.1,B, not a record start\",\"say \"\"hi\"\", m5\"\n" +
		"C.1.1,C,OnDemand,Hrs,3,USD,,,,0,Inf,2018-03-01,plain,m5.large"
	for _, c := range []struct {
		sel  Selector
		want string
	}{
		{Selector{}, "A B C"},
		{Selector{Filters: map[string][]string{"instanceType": {"m5.large"}}}, "A C"},
		{Selector{Filters: map[string][]string{"instanceType": {`say "hi", m5`}}}, "B"},
		{Selector{RateCodes: []string{"B.1.1"}}, "B"},
		{Selector{SKUs: []string{"A", "C"}, Filters: map[string][]string{"description": {"plain"}}}, "C"},
	} {
		lines, err := newMatcher(c.sel).scan([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range lines {
			got = append(got, l.SKU)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("scan(%+v) = %v, want %s", c.sel, got, c.want)
		}
	}
	if _, err := newMatcher(Selector{}).scan([]byte("a,b\n1,2\n")); err == nil {
		t.Error("scan accepted a file that is not a snapshot")
	}
}
