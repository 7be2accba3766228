package gitstore

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"testing"
	"time"
)

// BenchmarkHistory walks the history of one line over 100 daily commits of
// a 1 MB snapshot (scripts/bench-history.sh measures the full-size case:
// 365 commits of 5 MB through the CLI).
func BenchmarkHistory(b *testing.B) {
	const days, rows = 100, 5000
	dir := b.TempDir()
	if out, err := exec.Command("git", "init", "--quiet", dir).CombinedOutput(); err != nil {
		b.Fatalf("git init: %v\n%s", err, out)
	}
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet")
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(in)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := range days {
		csv := []byte(header)
		for i := range rows {
			price := fmt.Sprintf("0.%04d", 1000+i)
			if i == 0 || i == d {
				price = fmt.Sprintf("1.%04d", d)
			}
			csv = append(csv, row(fmt.Sprintf("SKU%07d", i), price, "m5.large")...)
		}
		manifest := fmt.Sprintf(`{"regions":{"us-east-1":{"version":"%d"}}}`, d)
		fmt.Fprintf(w, "commit refs/heads/main\ncommitter b <b@example.com> %d +0000\ndata 1\nx\n", start.AddDate(0, 0, d).Unix())
		fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", file, len(csv), csv)
		fmt.Fprintf(w, "M 100644 inline prices/AmazonEC2/manifest.json\ndata %d\n%s\n", len(manifest), manifest)
	}
	w.Flush()
	in.Close()
	if err := cmd.Wait(); err != nil {
		b.Fatal(err)
	}
	exec.Command("git", "-C", dir, "symbolic-ref", "HEAD", "refs/heads/main").Run()
	ctx := context.Background()
	sel := Selector{RateCodes: []string{"SKU0000000.JRTCKXETXF.6YS6EN2CT7"}}
	b.ResetTimer()
	for b.Loop() {
		r, err := Open(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		series, err := r.History(ctx, file, sel, HistoryOptions{})
		r.Close()
		if err != nil || len(series) != 1 || len(series[0].Points) != days {
			b.Fatalf("History = %d series, %v", len(series), err)
		}
	}
}
