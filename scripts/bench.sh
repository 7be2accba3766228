#!/usr/bin/env bash
# bench.sh — measure `pricechecker run` on EC2-sized offer files against the
# baselines the performance goals name, and print a Markdown table.
#
# Goals (checked; the script exits 1 when one is missed or not measured):
#   run, JSON  ≤ 2 × walk-json  (bare jsontext token pass over the same file)
#   run, CSV   ≤ 2 × walk-csv   (bare encoding/csv pass over the same file)
#   run, peak RSS ≤ 100 MiB on either file
# For comparison it also times python3 json.load and jq on the JSON file.
#
# Usage: scripts/bench.sh [--baselines-only] [--no-refs] [--regen] [-h]
#   --baselines-only  skip pricechecker run; measure only walk-json,
#                     walk-csv (and the references); exit 0 when they ran
#   --no-refs         skip python3 and jq (they take ~30 s and 2+ GB)
#   --regen           regenerate the offer files even if cached
#
# Environment:
#   BENCH_DIR   cache and work directory   (default /tmp/pricechecker-bench)
#   BENCH_SIZE  JSON size to generate      (default 480MB; CSV ≈ 0.63 of it)
#   BENCH_SEED  generator seed             (default 0)
#   BENCH_RUNS  runs per Go tool; the fastest counts (default 3)
#   BENCH_REF_RUNS  runs for python3 and jq (default 1)
#
# Needs GNU time at /usr/bin/time (Debian: apt-get install -y time).
# The offer files are generated once by `offergen mirror` into
# $BENCH_DIR/mirror, a Bulk API layout that `run` reads through file://,
# and reused while the generator binary, size and seed are unchanged.
set -euo pipefail

ARGS="$*"
BASELINES_ONLY=0
REFS=1
REGEN=0
for arg in "$@"; do
	case "$arg" in
	--baselines-only) BASELINES_ONLY=1 ;;
	--no-refs) REFS=0 ;;
	--regen) REGEN=1 ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "bench.sh: unknown argument $arg (try -h)" >&2
		exit 2
		;;
	esac
done

BENCH_DIR=${BENCH_DIR:-/tmp/pricechecker-bench}
BENCH_SIZE=${BENCH_SIZE:-480MB}
BENCH_SEED=${BENCH_SEED:-0}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_REF_RUNS=${BENCH_REF_RUNS:-1}
VERSION=20250912225308
REGION=us-east-1
SERVICE=AmazonEC2
MAX_RSS_MIB=100
MAX_RATIO=2

die() {
	echo "bench.sh: $*" >&2
	exit 1
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if ! /usr/bin/time -v true >/dev/null 2>&1; then
	die "GNU time not found at /usr/bin/time; install it: apt-get install -y time"
fi
command -v go >/dev/null || die "go not found in PATH"

mkdir -p "$BENCH_DIR/bin"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
MIRROR=$BENCH_DIR/mirror
OFFER_DIR=$MIRROR/offers/v1.0/aws/$SERVICE/$VERSION/$REGION
JSON=$OFFER_DIR/index.json
CSV=$OFFER_DIR/index.csv
WORK=$(mktemp -d "$BENCH_DIR/work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# --- build ---------------------------------------------------------------
echo "building ./cmd/offergen" >&2
go build -o "$BENCH_DIR/bin/offergen" ./cmd/offergen || die "go build ./cmd/offergen failed"
OFFERGEN=$BENCH_DIR/bin/offergen

PC_ERR=""
PRICECHECKER=$BENCH_DIR/bin/pricechecker
if [ "$BASELINES_ONLY" = 0 ]; then
	echo "building ./cmd/pricechecker" >&2
	if ! go build -o "$PRICECHECKER" ./cmd/pricechecker 2>"$WORK/pc-build.log"; then
		PC_ERR="go build ./cmd/pricechecker failed: $(head -c 300 "$WORK/pc-build.log" | tr '\n' ' ')"
		echo "bench.sh: $PC_ERR" >&2
	fi
fi

# --- generate (once) -----------------------------------------------------
STAMP="size=$BENCH_SIZE seed=$BENCH_SEED version=$VERSION offergen=$(sha256sum "$OFFERGEN" | cut -c1-16)"
if [ "$REGEN" = 1 ] || [ ! -f "$JSON" ] || [ ! -f "$CSV" ] || [ "$(cat "$BENCH_DIR/stamp" 2>/dev/null)" != "$STAMP" ]; then
	echo "generating $BENCH_SIZE offer into $MIRROR" >&2
	rm -rf "$MIRROR" "$BENCH_DIR/stamp"
	"$OFFERGEN" mirror -dir "$MIRROR" -version "$VERSION" -region "$REGION" -size "$BENCH_SIZE" -seed "$BENCH_SEED" ||
		die "offergen mirror failed"
	echo "$STAMP" >"$BENCH_DIR/stamp"
else
	echo "reusing $MIRROR ($STAMP)" >&2
fi

CONFIG=$BENCH_DIR/config.yaml
cat >"$CONFIG" <<'EOF'
offers:
  - code: AmazonEC2
    regions: [us-east-1]
    terms: [OnDemand, Reserved]
    filters:
      productFamily: Compute Instance
      operatingSystem: [Linux]
      tenancy: Shared
      capacitystatus: Used
      preInstalledSw: NA
    attributes: [instanceType, vcpu, memory, operatingSystem]
EOF

# Warm the page cache so that every tool reads from memory, as the first
# one would otherwise pay for the disk alone.
cat "$JSON" "$CSV" >/dev/null

# --- measure -------------------------------------------------------------
declare -A WALL CPU RSS STATUS FILE

# measure NAME FILE RUNS CMD...: keeps the fastest wall time of RUNS runs
# and the largest max RSS of any run.
measure() {
	local name=$1 file=$2 runs=$3
	shift 3
	FILE[$name]=$file
	local best="" bestcpu="" maxrss=0 i
	for ((i = 1; i <= runs; i++)); do
		echo "  $name: run $i/$runs" >&2
		if ! /usr/bin/time -v -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err"; then
			STATUS[$name]="failed: $(tail -c 300 "$WORK/err" | tr '\n' ' ')"
			echo "bench.sh: $name ${STATUS[$name]}" >&2
			return 0
		fi
		local wall cpu rss
		wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
			n = split($2, p, ":"); s = 0
			for (k = 1; k <= n; k++) s = s * 60 + p[k]
			printf "%.2f", s }' "$WORK/time")
		cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.2f", u + s}' "$WORK/time")
		rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time")
		if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN {exit !(a < b)}'; then
			best=$wall
			bestcpu=$cpu
		fi
		[ "$rss" -gt "$maxrss" ] && maxrss=$rss
	done
	WALL[$name]=$best
	CPU[$name]=$bestcpu
	RSS[$name]=$maxrss
	STATUS[$name]=ok
}

echo "measuring (load average: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
measure walk-json "$JSON" "$BENCH_RUNS" "$OFFERGEN" walk-json "$JSON"
measure walk-csv "$CSV" "$BENCH_RUNS" "$OFFERGEN" walk-csv "$CSV"

run_pc() {
	local format=$1
	local name="pricechecker run ($format)"
	local file=$JSON
	[ "$format" = csv ] && file=$CSV
	FILE[$name]=$file
	if [ -n "$PC_ERR" ]; then
		STATUS[$name]="not measured: $PC_ERR"
		return 0
	fi
	measure "$name" "$file" "$BENCH_RUNS" "$PRICECHECKER" run \
		--endpoint "file://$MIRROR" --service "$SERVICE" --region "$REGION" --format "$format" \
		--config "$CONFIG" --out "$WORK/out-$format" --force
}
if [ "$BASELINES_ONLY" = 0 ]; then
	run_pc json
	run_pc csv
fi

if [ "$REFS" = 1 ]; then
	if command -v python3 >/dev/null; then
		measure "python3 json.load" "$JSON" "$BENCH_REF_RUNS" \
			python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$JSON"
	else
		FILE["python3 json.load"]=$JSON
		STATUS["python3 json.load"]="not installed"
	fi
	if command -v jq >/dev/null; then
		measure "jq length" "$JSON" "$BENCH_REF_RUNS" jq length "$JSON"
	else
		FILE["jq length"]=$JSON
		STATUS["jq length"]="not installed (apt-get install -y jq)"
	fi
fi

# --- report --------------------------------------------------------------
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN {printf "%.0f", b / 1e6}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }

baseline_of() {
	case "$1" in
	*csv*) echo walk-csv ;;
	*) echo walk-json ;;
	esac
}

ROWS=(walk-json walk-csv)
[ "$BASELINES_ONLY" = 0 ] && ROWS+=("pricechecker run (json)" "pricechecker run (csv)")
[ "$REFS" = 1 ] && ROWS+=("python3 json.load" "jq length")

echo
echo "$(nproc) × $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(go env GOVERSION), load average $(cut -d' ' -f1-3 /proc/loadavg); fastest of $BENCH_RUNS runs (references: $BENCH_REF_RUNS)"
echo
echo "| tool | file | MB | seconds | CPU s | max RSS MiB | ratio to baseline |"
echo "|---|---|---:|---:|---:|---:|---|"
for name in "${ROWS[@]}"; do
	file=${FILE[$name]:-$JSON}
	base=$(baseline_of "$name")
	if [ "${STATUS[$name]:-}" = ok ]; then
		if [ "$name" = "$base" ]; then
			r="1.00 (baseline)"
		elif [ "${STATUS[$base]:-}" = ok ]; then
			r="$(ratio "${WALL[$name]}" "${WALL[$base]}") × $base"
		else
			r="n/a"
		fi
		echo "| $name | $(basename "$file") | $(mb "$file") | ${WALL[$name]} | ${CPU[$name]} | $(mib "${RSS[$name]}") | $r |"
	else
		echo "| $name | $(basename "$file") | $(mb "$file") | — | — | — | ${STATUS[$name]:-not run} |"
	fi
done
echo

echo "Reproduce: BENCH_SIZE=$BENCH_SIZE BENCH_SEED=$BENCH_SEED BENCH_RUNS=$BENCH_RUNS BENCH_REF_RUNS=$BENCH_REF_RUNS scripts/bench.sh${ARGS:+ $ARGS}"
echo

# --- goals ---------------------------------------------------------------
FAILED=0
for s in walk-json walk-csv; do
	if [ "${STATUS[$s]:-}" != ok ]; then
		echo "FAIL baseline $s: ${STATUS[$s]:-not run}"
		FAILED=1
	fi
done
if [ "$BASELINES_ONLY" = 1 ]; then
	echo "baselines only: goals not checked"
	exit "$FAILED"
fi
for format in json csv; do
	name="pricechecker run ($format)"
	base=walk-$format
	if [ "${STATUS[$name]:-}" != ok ] || [ "${STATUS[$base]:-}" != ok ]; then
		echo "FAIL $name: ${STATUS[$name]:-not run}"
		FAILED=1
		continue
	fi
	r=$(ratio "${WALL[$name]}" "${WALL[$base]}")
	# The CPU-time ratio is shown too: on a busy machine it is the steadier.
	c=$(ratio "${CPU[$name]}" "${CPU[$base]}")
	if awk -v r="$r" -v m="$MAX_RATIO" 'BEGIN {exit !(r <= m)}'; then
		echo "ok   $name: ${r} × $base wall time, ${c} × CPU time (goal ≤ ${MAX_RATIO})"
	else
		echo "FAIL $name: ${r} × $base wall time, ${c} × CPU time (goal ≤ ${MAX_RATIO})"
		FAILED=1
	fi
	m=$(mib "${RSS[$name]}")
	if [ "${RSS[$name]}" -le $((MAX_RSS_MIB * 1024)) ]; then
		echo "ok   $name: max RSS ${m} MiB (goal ≤ ${MAX_RSS_MIB} MiB)"
	else
		echo "FAIL $name: max RSS ${m} MiB (goal ≤ ${MAX_RSS_MIB} MiB)"
		FAILED=1
	fi
done
exit "$FAILED"
