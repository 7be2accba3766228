// Package sitetest generates git repositories of price history for the
// site's tests and benchmarks: DAYS daily commits of a synthetic snapshot of
// ROWS lines (AmazonEC2 us-east-1), where a few prices move every day, one
// line appears and one disappears, plus a small second offer (AmazonRedshift
// eu-west-1) that changes every tenth day. The repository is written with
// git fast-import, so a year of 25,000-line snapshots takes seconds.
package sitetest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Start is the date of the first commit.
var Start = time.Date(2025, 1, 1, 6, 0, 0, 0, time.UTC)

// Params size a generated history.
type Params struct {
	Days, Rows int
}

// Hostile is an attribute value that must reach a page as text, not markup.
const Hostile = `<img src=x onerror=alert(1)>"&'`

// Generate writes the history into dir (created; an existing repository
// there is replaced).
func Generate(dir string, p Params) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if out, err := exec.Command("git", "init", "--quiet", "--initial-branch=main", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("git init: %v: %s", err, out)
	}
	// Streamed: a year of 25,000-line snapshots is gigabytes.
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet")
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	var errs bytes.Buffer
	cmd.Stderr = &errs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git fast-import: %w", err)
	}
	werr := write(in, p)
	in.Close()
	if err := cmd.Wait(); err != nil || werr != nil {
		return fmt.Errorf("git fast-import: %v %v: %s", err, werr, errs.String())
	}
	for _, args := range [][]string{{"repack", "-a", "-d", "-q"}, {"checkout", "--quiet", "--force", "main"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v: %s", args[0], err, out)
		}
	}
	return nil
}

// Cached returns a generated history under root, generating it only when
// no complete one with these parameters is there yet.
func Cached(root string, p Params) (string, error) {
	dir := filepath.Join(root, fmt.Sprintf("repo-%d-%d", p.Days, p.Rows))
	done := filepath.Join(root, fmt.Sprintf("repo-%d-%d.done", p.Days, p.Rows))
	if _, err := os.Stat(done); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	if err := Generate(dir, p); err != nil {
		return "", err
	}
	return dir, os.WriteFile(done, nil, 0o644)
}

// AddDay commits day (counted from Start) on top of a generated history:
// the snapshot at HEAD with the price of line 0 set to day dollars, and
// nothing else changed.
func AddDay(dir string, day int) error {
	cur, err := exec.Command("git", "-C", dir, "show", "HEAD:prices/AmazonEC2/us-east-1.csv").Output()
	if err != nil {
		return fmt.Errorf("git show: %w", err)
	}
	first := RateCode(0) + ","
	lines := strings.SplitAfter(string(cur), "\n")
	rows := 0
	for i, l := range lines {
		if strings.HasPrefix(l, first) {
			f := strings.SplitN(l, ",", 6)
			f[4] = fmt.Sprintf("%d.0000000000", day)
			lines[i] = strings.Join(f, ",")
		}
		if l != "" && i > 0 {
			rows++
		}
	}
	csv := strings.Join(lines, "")
	var stream bytes.Buffer
	w := bufio.NewWriter(&stream)
	date := Start.AddDate(0, 0, day)
	version := date.Format("20060102150405")
	msg := "AmazonEC2 us-east-1 " + version
	fmt.Fprintf(w, "commit refs/heads/main\ncommitter gen <gen@example.com> %d +0000\ndata %d\n%s\nfrom refs/heads/main^0\n", date.Unix(), len(msg), msg)
	fmt.Fprintf(w, "M 100644 inline prices/AmazonEC2/us-east-1.csv\ndata %d\n%s\n", len(csv), csv)
	m := manifest("AmazonEC2", "us-east-1", version, date, rows)
	fmt.Fprintf(w, "M 100644 inline prices/AmazonEC2/manifest.json\ndata %d\n%s\n", len(m), m)
	w.Flush()
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet", "--force")
	cmd.Stdin = &stream
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git fast-import: %v: %s", err, out)
	}
	if out, err := exec.Command("git", "-C", dir, "checkout", "--quiet", "--force", "main").CombinedOutput(); err != nil {
		return fmt.Errorf("git checkout: %v: %s", err, out)
	}
	return nil
}

const header = "rate_code,sku,term_type,unit,price,currency,lease_contract_length,purchase_option,offering_class,begin_range,end_range,effective_date,description,instanceType,location\n"

var types = []string{"m5.large", "m5.xlarge", "c5.large", "r5.2xlarge", "t3.micro", "ds2.8xlarge"}

func initialPrices(rows int) []int {
	rng := rand.New(rand.NewPCG(1, 2))
	prices := make([]int, rows) // in 1/10000 USD
	for i := range prices {
		prices[i] = 100 + rng.IntN(100000)
	}
	return prices
}

// RateCode is the rate code of line i.
func RateCode(i int) string {
	if i%5 == 4 {
		return fmt.Sprintf("SKU%013d.38NPMPTW36.2TG2D8R56U", i)
	}
	return fmt.Sprintf("SKU%013d.JRTCKXETXF.6YS6EN2CT7", i)
}

// ec2CSV is the snapshot on a day: line i is present unless it is line 1
// after day 2 (removed); line rows (an extra one) appears on day 1.
func ec2CSV(prices []int, day, rows int) []byte {
	var b strings.Builder
	b.WriteString(header)
	for i := 0; i <= rows; i++ {
		if (i == 1 && day >= 2) || (i == rows && day < 1) {
			continue
		}
		p := 5000
		if i < rows {
			p = prices[i]
		}
		sku := fmt.Sprintf("SKU%013d", i)
		it := types[i%len(types)]
		if i == 2 {
			it = Hostile
		}
		term, unit, lease, option, class := "OnDemand", "Hrs", "", "", ""
		if i%5 == 4 {
			term, unit, lease, option, class = "Reserved", "Quantity", "1yr", "All Upfront", "standard"
		}
		desc := fmt.Sprintf(`"$%d.%04d per On Demand Linux %s Instance Hour, ""shared"" tenancy"`, p/10000, p%10000, strings.ReplaceAll(it, `"`, `""`))
		fmt.Fprintf(&b, "%s,%s,%s,%s,%d.%04d000000,USD,%s,%s,%s,0,Inf,2025-01-01,%s,%s,US East (N. Virginia)\n",
			RateCode(i), sku, term, unit, p/10000, p%10000, lease, option, class, desc, quote(it))
	}
	return []byte(b.String())
}

func quote(s string) string {
	if strings.ContainsAny(s, `",`+"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func manifest(offer, region, version string, date time.Time, rows int) string {
	return fmt.Sprintf("{\n  \"offer_code\": %q,\n  \"regions\": {\n    %q: {\n      \"version\": %q,\n      \"publication_date\": %q,\n      \"file\": %q,\n      \"rows\": %d\n    }\n  }\n}\n",
		offer, region, version, date.Add(-6*time.Hour).Format(time.RFC3339), region+".csv", rows)
}

// write is the fast-import stream. Line 0 moves every day, and a few random
// lines; prices only rise or fall by 5%, as strings with AWS's ten places.
func write(out io.Writer, p Params) error {
	w := bufio.NewWriterSize(out, 1<<20)
	rng := rand.New(rand.NewPCG(3, 4))
	prices := initialPrices(p.Rows)
	for d := 0; d < p.Days; d++ {
		date := Start.AddDate(0, 0, d)
		if d > 0 {
			for range 10 {
				i := rng.IntN(p.Rows)
				prices[i] += prices[i] / 20
			}
			prices[0]++
		}
		csv := ec2CSV(prices, d, p.Rows)
		version := date.Format("20060102150405")
		msg := "AmazonEC2 us-east-1 " + version
		fmt.Fprintf(w, "commit refs/heads/main\ncommitter gen <gen@example.com> %d +0000\ndata %d\n%s\n", date.Unix(), len(msg), msg)
		fmt.Fprintf(w, "M 100644 inline prices/AmazonEC2/us-east-1.csv\ndata %d\n%s\n", len(csv), csv)
		m := manifest("AmazonEC2", "us-east-1", version, date, p.Rows)
		fmt.Fprintf(w, "M 100644 inline prices/AmazonEC2/manifest.json\ndata %d\n%s\n", len(m), m)
		if d%10 == 0 {
			rs := redshiftCSV(d)
			fmt.Fprintf(w, "M 100644 inline prices/AmazonRedshift/eu-west-1.csv\ndata %d\n%s\n", len(rs), rs)
			m := manifest("AmazonRedshift", "eu-west-1", version, date, 2)
			fmt.Fprintf(w, "M 100644 inline prices/AmazonRedshift/manifest.json\ndata %d\n%s\n", len(m), m)
		}
	}
	return w.Flush()
}

func redshiftCSV(day int) []byte {
	return fmt.Appendf(nil, "%sRS1.JRTCKXETXF.6YS6EN2CT7,RS1,OnDemand,Hrs,0.%04d000000,USD,,,,0,Inf,2025-01-01,dc2.large,dc2.large,EU (Ireland)\nRS2.38NPMPTW36.2TG2D8R56U,RS2,Reserved,Quantity,24000.0000000000,USD,1yr,All Upfront,standard,0,Inf,2025-01-01,ds2.8xlarge upfront,ds2.8xlarge,EU (Ireland)\n",
		header, 2500+day)
}
