#!/usr/bin/env bash
# The offline demo (README): builds pricechecker, snapshots version
# 20180309224506 of the shipped AWS mirror (real Redshift data, see
# testdata/mirror), then the current version, and prints the change report.
#
# Every run works in a fresh temporary folder (mktemp, under $TMPDIR), so it
# prints the same real change report each time and never collides with
# another user of the machine. The folder is kept for you to look at; the
# last line says where.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/pricechecker-demo.XXXXXX")

(cd "$repo" && go build -o "$dir/pricechecker" ./cmd/pricechecker)
run() { "$dir/pricechecker" run --endpoint "file://$repo/testdata/mirror" --config "$repo/testdata/demo.yml" --out "$dir/prices" "$@"; }

echo "1/2 first snapshot of AmazonRedshift, version 20180309224506 (report in $dir/first.md)" >&2
run --version 20180309224506 --report "$dir/first.json" >"$dir/first.md"
echo "2/2 the current version, compared with the first:" >&2
run --report "$dir/report.json"
echo "Snapshots, manifests and the JSON report (report.json) are in $dir" >&2
