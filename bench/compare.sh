#!/usr/bin/env bash
# Runs the benchmarks 5 times (as `make bench` does), then, when benchstat can be had, prints their medians and
# patrimap's import side by side with ogr2ogr's (benchstat's "vs base" column is patrimap against ogr2ogr).
# Usage: bench/compare.sh [extra go test flags, e.g. -bench 'Import|Ogr2ogr']
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrimap-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

go test -run '^$' -bench . -benchtime 1x -count 5 "$@" ./bench/ | tee "$tmp/all.txt"

if command -v benchstat >/dev/null 2>&1; then
	benchstat=(benchstat)
elif go run golang.org/x/perf/cmd/benchstat@latest -h >/dev/null 2>&1; then
	benchstat=(go run golang.org/x/perf/cmd/benchstat@latest)
else
	echo "benchstat unavailable (no access to the Go module proxy?): the raw figures are above" >&2
	exit 0
fi

echo
echo "== medians of all benchmarks"
"${benchstat[@]}" "$tmp/all.txt"

# Same names on both sides, so that benchstat puts them in columns.
grep -v '^Benchmark' "$tmp/all.txt" >"$tmp/ogr2ogr.txt" || true
cp "$tmp/ogr2ogr.txt" "$tmp/patrimap.txt"
grep '^BenchmarkOgr2ogr/' "$tmp/all.txt" | sed 's/^BenchmarkOgr2ogr\//BenchmarkImport\//' >>"$tmp/ogr2ogr.txt" || true
grep '^BenchmarkImport/' "$tmp/all.txt" >>"$tmp/patrimap.txt" || true
if grep -q '^Benchmark' "$tmp/ogr2ogr.txt" && grep -q '^Benchmark' "$tmp/patrimap.txt"; then
	echo
	echo "== import: patrimap against ogr2ogr (same files)"
	(cd "$tmp" && "${benchstat[@]}" ogr2ogr.txt patrimap.txt)
fi
