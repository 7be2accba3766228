#!/usr/bin/env bash
# bench-junk.sh — measure the peak memory of `pricechecker run` when an
# offer body is junk, and fail when a case goes over 100 MiB or does not end
# in a clean refusal (exit 1 with the expected message).
#
# Each case writes one junk offer file into a file:// Bulk API mirror (made
# by `offergen mirror`, its offer file replaced), runs
#   pricechecker run --endpoint file://MIRROR --service AmazonEC2
#     --region us-east-1 --format json|csv
# under GNU time, prints the exit code and max RSS, and deletes the file.
#
# Cases (JUNK_SIZE bytes of junk each, JUNK_LINE for the CSV line):
#   json-whitespace      spaces and newlines, nothing else
#   json-inner-space     a valid start, then whitespace between two keys
#   json-string          one string value of JUNK_SIZE bytes
#   json-key             one object key of JUNK_SIZE bytes
#   json-deep            "[" nested JUNK_SIZE deep (jsontext stops at 10000)
#   csv-whitespace       spaces, no newline
#   csv-blank-lines      newlines only
#   csv-line             the header, then one line of JUNK_LINE bytes
#   csv-fields           the header, then one record of JUNK_SIZE commas
#   csv-quoted-newlines  the header, then one quoted field of JUNK_SIZE bytes
#                        across millions of lines
#
# Usage: scripts/bench-junk.sh [-h] [case ...]   (default: every case)
#
# Environment:
#   JUNK_DIR   work directory                 (default /tmp/pricechecker-junk)
#   JUNK_SIZE  bytes of junk per case         (default 2G; any `head -c` size)
#   JUNK_LINE  bytes of the one CSV line      (default 1536M)
#   JUNK_MAX_RSS_MIB  the memory goal         (default 100)
#
# Needs GNU time at /usr/bin/time (Debian: apt-get install -y time). The
# decoders stop after their cap (1 MiB per JSON token, 256 KiB per CSV
# record), so a run takes well under a second; writing the junk takes the
# time (about 2-5 s per GB).
set -euo pipefail

CASES_ALL=(json-whitespace json-inner-space json-string json-key json-deep
	csv-whitespace csv-blank-lines csv-line csv-fields csv-quoted-newlines)
CASES=()
for arg in "$@"; do
	case "$arg" in
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "bench-junk.sh: unknown option $arg (try -h)" >&2
		exit 2
		;;
	*)
		if [[ " ${CASES_ALL[*]} " != *" $arg "* ]]; then
			echo "bench-junk.sh: unknown case $arg (cases: ${CASES_ALL[*]})" >&2
			exit 2
		fi
		CASES+=("$arg")
		;;
	esac
done
[ ${#CASES[@]} -eq 0 ] && CASES=("${CASES_ALL[@]}")

JUNK_DIR=${JUNK_DIR:-/tmp/pricechecker-junk}
JUNK_SIZE=${JUNK_SIZE:-2G}
JUNK_LINE=${JUNK_LINE:-1536M}
MAX_RSS_MIB=${JUNK_MAX_RSS_MIB:-100}
VERSION=20250912225308
REGION=us-east-1
SERVICE=AmazonEC2

die() {
	echo "bench-junk.sh: $*" >&2
	exit 1
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
/usr/bin/time -v true >/dev/null 2>&1 || die "GNU time not found at /usr/bin/time; install it: apt-get install -y time"
command -v go >/dev/null || die "go not found in PATH"

mkdir -p "$JUNK_DIR/bin"
JUNK_DIR=$(cd "$JUNK_DIR" && pwd)
WORK=$(mktemp -d "$JUNK_DIR/work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "building ./cmd/pricechecker and ./cmd/offergen" >&2
go build -o "$JUNK_DIR/bin/pricechecker" ./cmd/pricechecker || die "go build ./cmd/pricechecker failed"
go build -o "$JUNK_DIR/bin/offergen" ./cmd/offergen || die "go build ./cmd/offergen failed"

# A tiny real mirror; each case then replaces its offer file.
MIRROR=$WORK/mirror
"$JUNK_DIR/bin/offergen" mirror -dir "$MIRROR" -version "$VERSION" -region "$REGION" -products 20 >/dev/null 2>&1 ||
	die "offergen mirror failed"
OFFER_DIR=$MIRROR/offers/v1.0/aws/$SERVICE/$VERSION/$REGION
CSV_HEAD=$(head -n 6 "$OFFER_DIR/index.csv") # the preamble and the header row

CONFIG=$WORK/config.yaml
cat >"$CONFIG" <<'EOF'
offers:
  - code: AmazonEC2
    regions: [us-east-1]
    terms: [OnDemand]
EOF

# fill SIZE CHAR: SIZE bytes of one character, fast.
fill() { head -c "$1" /dev/zero | tr '\0' "$2"; }

# write CASE FILE: the junk body of a case.
write() {
	case "$1" in
	json-whitespace) fill "$JUNK_SIZE" ' ' ;;
	json-inner-space) printf '{"formatVersion" : "v1.0",' && fill "$JUNK_SIZE" ' ' && printf '"version" : "1"}' ;;
	json-string) printf '{"formatVersion" : "' && fill "$JUNK_SIZE" a && printf '"}' ;;
	json-key) printf '{"' && fill "$JUNK_SIZE" k && printf '" : 1}' ;;
	json-deep) printf '{"disclaimer" : ' && fill "$JUNK_SIZE" '[' ;;
	csv-whitespace) fill "$JUNK_SIZE" ' ' ;;
	csv-blank-lines) fill "$JUNK_SIZE" '\n' ;;
	csv-line) printf '%s\n' "$CSV_HEAD" && fill "$JUNK_LINE" x && printf '\n' ;;
	csv-fields) printf '%s\n' "$CSV_HEAD" && fill "$JUNK_SIZE" ',' && printf '\n' ;;
	csv-quoted-newlines) printf '%s\n"' "$CSV_HEAD" && { yes a || true; } | head -c "$JUNK_SIZE" && printf '"\n' ;;
	esac
}

# what each case must be refused with
want() {
	case "$1" in
	json-deep) echo "malformed JSON" ;;
	json-*) echo "is longer than 1 MiB" ;;
	csv-*) echo "a record is longer than 256 KiB" ;;
	esac
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); JUNK_SIZE=$JUNK_SIZE JUNK_LINE=$JUNK_LINE" >&2
echo
echo "| case | body MB | exit | max RSS MiB | seconds | message |"
echo "|---|---:|---:|---:|---:|---|"
FAILED=0
for c in "${CASES[@]}"; do
	format=${c%%-*}
	file=$OFFER_DIR/index.$format
	rm -f "$file" "$MIRROR/offers/v1.0/aws/$SERVICE/current/$REGION/index.$format"
	echo "  $c: writing the junk" >&2
	write "$c" >"$file"
	mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN {printf "%.0f", b / 1e6}')
	echo "  $c: running" >&2
	set +e
	/usr/bin/time -v -o "$WORK/time" "$JUNK_DIR/bin/pricechecker" run \
		--endpoint "file://$MIRROR" --service "$SERVICE" --region "$REGION" --format "$format" \
		--config "$CONFIG" --out "$WORK/out" --force >"$WORK/out.log" 2>"$WORK/err.log"
	code=$?
	set -e
	rm -f "$file"
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time")
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {
		n = split($2, p, ":"); s = 0
		for (k = 1; k <= n; k++) s = s * 60 + p[k]
		printf "%.2f", s }' "$WORK/time")
	# the end of the last line: what is wrong, after the file's URL
	msg=$(grep -v '^  ' "$WORK/err.log" | tail -n 1 | sed 's|.*/index\.[a-z]*: ||' | cut -c1-200 | tr '|' '/')
	mib=$(awk -v k="${rss:-0}" 'BEGIN {printf "%.0f", k / 1024}')
	echo "| $c | $mb | $code | $mib | $secs | $msg |"
	verdict=ok
	if [ "${rss:-0}" -gt $((MAX_RSS_MIB * 1024)) ]; then
		verdict="FAIL: max RSS $mib MiB over $MAX_RSS_MIB MiB"
	elif [ "$code" != 1 ]; then
		verdict="FAIL: exit $code, want 1"
	elif ! grep -q -- "$(want "$c")" "$WORK/err.log"; then
		verdict="FAIL: the message does not say \"$(want "$c")\""
	fi
	if [ "$verdict" != ok ]; then
		echo "$c: $verdict" >&2
		FAILED=1
	fi
done
echo
[ "$FAILED" = 0 ] && echo "ok   every case refused, max RSS ≤ $MAX_RSS_MIB MiB" || echo "FAIL some cases (see above)"
exit "$FAILED"
