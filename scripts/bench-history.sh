#!/usr/bin/env bash
# bench-history.sh — measure `pricechecker history` on a year of daily
# commits of a ~5 MB snapshot, and check the goals:
#   history --rate-code X   < 5 s wall time
#   history --at DATE       < 1 s wall time
#   peak RSS flat: at 365 commits no more than 1.5 × (and +16 MiB) of 100
#
# The repositories are built with `git fast-import` from a synthetic
# snapshot (BENCH_ROWS rows, ~200 bytes each; a few prices change every
# day), repacked as git gc would, and cached in $BENCH_DIR. Prints a Markdown table; exits 1 when a goal
# is missed.
#
# Usage: scripts/bench-history.sh [--regen]
# Environment: BENCH_DIR (default /tmp/pricechecker-bench-history),
#              BENCH_ROWS (default 25000 ≈ 5 MB), BENCH_RUNS (default 3; the fastest counts)
# Needs GNU time at /usr/bin/time (Debian: apt-get install -y time) and git.
set -euo pipefail

cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-/tmp/pricechecker-bench-history}
ROWS=${BENCH_ROWS:-25000}
RUNS=${BENCH_RUNS:-3}
REGEN=0
[[ "${1:-}" == "--regen" ]] && REGEN=1
if [[ ! -x /usr/bin/time ]]; then
  echo "bench-history: needs GNU time at /usr/bin/time (apt-get install -y time)" >&2
  exit 2
fi
mkdir -p "$DIR"
go build -o "$DIR/pricechecker" ./cmd/pricechecker

# The generator: a fast-import stream of DAYS daily commits.
cat > "$DIR/gen.go" <<'GO'
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

func main() {
	days, _ := strconv.Atoi(os.Args[1])
	rows, _ := strconv.Atoi(os.Args[2])
	rng := rand.New(rand.NewPCG(1, 2))
	prices := make([]int, rows) // in 1/10000 USD
	effective := make([]string, rows)
	for i := range prices {
		prices[i] = 100 + rng.IntN(100000)
		effective[i] = "2024-12-01"
	}
	types := []string{"m5.large", "m5.xlarge", "c5.large", "r5.2xlarge", "t3.micro", "i3.4xlarge"}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	start := time.Date(2025, 1, 1, 6, 0, 0, 0, time.UTC)
	var csv bytes.Buffer
	// The snapshots first, one after the other, so that fast-import stores
	// each as a delta of the day before (as a clone's pack would); then the
	// manifests and the commits that name them by mark.
	for d := 0; d < days; d++ {
		day := start.AddDate(0, 0, d)
		for range 10 { // a few price moves a day
			i := rng.IntN(rows)
			prices[i] += prices[i] / 20
			effective[i] = day.Format(time.DateOnly)
		}
		prices[0] += 1 // the benchmarked line moves every day
		csv.Reset()
		csv.WriteString("rate_code,sku,term_type,unit,price,currency,lease_contract_length,purchase_option,offering_class,begin_range,end_range,effective_date,description,instanceType,location\n")
		for i, p := range prices {
			sku := fmt.Sprintf("SKU%013d", i)
			it := types[i%len(types)]
			fmt.Fprintf(&csv, "%s.JRTCKXETXF.6YS6EN2CT7,%s,OnDemand,Hrs,%d.%04d000000,USD,,,,0,Inf,%s,\"$%d.%04d per On Demand Linux %s Instance Hour, shared tenancy\",%s,US East (N. Virginia)\n",
				sku, sku, p/10000, p%10000, effective[i], p/10000, p%10000, it, it)
		}
		fmt.Fprintf(w, "blob\nmark :%d\ndata %d\n", d+1, csv.Len())
		w.Write(csv.Bytes())
		w.WriteString("\n")
	}
	for d := 0; d < days; d++ {
		day := start.AddDate(0, 0, d)
		version := day.Format("20060102150405")
		manifest := fmt.Sprintf("{\n  \"offer_code\": \"AmazonEC2\",\n  \"regions\": {\n    \"us-east-1\": {\n      \"version\": %q,\n      \"publication_date\": %q,\n      \"file\": \"us-east-1.csv\",\n      \"rows\": %d\n    }\n  }\n}\n", version, day.Format(time.RFC3339), rows)
		msg := "AmazonEC2 us-east-1 " + version
		fmt.Fprintf(w, "commit refs/heads/main\ncommitter bench <bench@example.com> %d +0000\ndata %d\n%s\n", day.Unix(), len(msg), msg)
		fmt.Fprintf(w, "M 100644 :%d prices/AmazonEC2/us-east-1.csv\n", d+1)
		fmt.Fprintf(w, "M 100644 inline prices/AmazonEC2/manifest.json\ndata %d\n%s\n", len(manifest), manifest)
	}
}
GO

build() { # build DAYS: a repository with DAYS daily commits
  local repo="$DIR/repo-$1-$ROWS"
  if [[ $REGEN == 1 || ! -d "$repo/.git" ]]; then
    rm -rf "$repo"
    git init --quiet --initial-branch=main "$repo"
    go run "$DIR/gen.go" "$1" "$ROWS" | git -C "$repo" fast-import --quiet
    # Pack it the way git gc (and GitHub, for a clone) would: the newest
    # version whole, older ones as deltas of newer ones.
    git -C "$repo" repack -a -d -f -q
    git -C "$repo" checkout --quiet --force main
  fi
  echo "$repo"
}

# measure REPO ARGS...: prints "seconds maxrss_kib" of the fastest run.
measure() {
  local repo=$1; shift
  local best="" rss=""
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -v -o "$DIR/time.txt" "$DIR/pricechecker" history --repo "$repo" "$@" > "$DIR/out.txt"
    local wall kib
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$DIR/time.txt")
    kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/time.txt")
    if [[ -z $best ]] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$wall; fi
    if [[ -z $rss ]] || (( kib > rss )); then rss=$kib; fi
  done
  echo "$best $rss"
}

RC=SKU0000000000000.JRTCKXETXF.6YS6EN2CT7
R100=$(build 100)
R365=$(build 365)
size=$(git -C "$R365" cat-file -s HEAD:prices/AmazonEC2/us-east-1.csv)
read -r h100 m100 < <(measure "$R100" --rate-code "$RC")
read -r h365 m365 < <(measure "$R365" --rate-code "$RC")
read -r a365 am365 < <(measure "$R365" --rate-code "$RC" --at 2025-07-01)
read -r f365 fm365 < <(measure "$R365" --filter instanceType=m5.large --at 2025-07-01)
lines=$("$DIR/pricechecker" history --repo "$R365" --rate-code "$RC" --format csv | tail -n +2 | wc -l)

echo "| measure ($((size / 1024)) KiB snapshot, $ROWS rows) | wall | max RSS |"
echo "|---|---:|---:|"
echo "| history --rate-code, 100 commits | ${h100} s | $((m100 / 1024)) MiB |"
echo "| history --rate-code, 365 commits ($lines rows out) | ${h365} s | $((m365 / 1024)) MiB |"
echo "| history --rate-code --at, 365 commits | ${a365} s | $((am365 / 1024)) MiB |"
echo "| history --filter instanceType=m5.large --at, 365 commits | ${f365} s | $((fm365 / 1024)) MiB |"
echo "(max RSS is GNU time's: the pricechecker process; git cat-file runs as its child.)"

fail=0
awk -v t="$h365" 'BEGIN{exit !(t<5)}' || { echo "FAIL: history took ${h365} s (goal < 5 s)"; fail=1; }
awk -v t="$a365" 'BEGIN{exit !(t<1)}' || { echo "FAIL: --at took ${a365} s (goal < 1 s)"; fail=1; }
if (( m365 > m100 * 3 / 2 && m365 > m100 + 16384 )); then
  echo "FAIL: memory grew with history: $((m100 / 1024)) MiB at 100 commits, $((m365 / 1024)) MiB at 365"
  fail=1
fi
exit $fail
