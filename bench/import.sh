#!/usr/bin/env bash
# Import of a large points file, patrimap against ogr2ogr to SpatiaLite, side by side in one run (issue 16):
# POINTS random points over mainland France (default 1000000) with three properties, as one GeoJSON file;
# `patrimap import geojson` and `ogr2ogr -f SQLite -dsco SPATIALITE=YES` (spatial index included) each RUNS
# times (default 3), in turns, each into a new file. It prints each run, then the medians of wall time and peak
# memory (RSS) and the ratio patrimap / ogr2ogr (issue 16's goal: ≤ 0.5).
#
#   bench/import.sh            POINTS=100000 RUNS=5 bench/import.sh       (needs gdal-bin, python3, GNU time)
set -euo pipefail
cd "$(dirname "$0")/.."
POINTS=${POINTS:-1000000}
RUNS=${RUNS:-3}
command -v ogr2ogr >/dev/null || { echo "bench/import.sh: ogr2ogr is missing: apt-get install -y gdal-bin" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/import.sh: GNU time is missing: apt-get install -y time" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
go build -o "$work/patrimap" ./cmd/patrimap
python3 bench/points.py "$work/points.geojson" "$POINTS"
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); $POINTS points, $(du -m "$work/points.geojson" | cut -f1) MB of GeoJSON"
. bench/lib.sh # measure, med
for i in $(seq "$RUNS"); do
  rm -f "$work"/*.db "$work"/*.sqlite
  if [ $((i % 2)) = 1 ]; then
    measure patrimap "$work/patrimap" import geojson "$work/points.geojson" --dataset points --title Points --producer bench --db "$work/p$i.db"
    measure ogr2ogr ogr2ogr -f SQLite -dsco SPATIALITE=YES "$work/o$i.sqlite" "$work/points.geojson"
  else
    measure ogr2ogr ogr2ogr -f SQLite -dsco SPATIALITE=YES "$work/o$i.sqlite" "$work/points.geojson"
    measure patrimap "$work/patrimap" import geojson "$work/points.geojson" --dataset points --title Points --producer bench --db "$work/p$i.db"
  fi
done | tee "$work/runs"
p=$(med patrimap 2 "$work/runs"); o=$(med ogr2ogr 2 "$work/runs")
printf "median: patrimap %.1f s (%s MB), ogr2ogr %.1f s (%s MB), ratio %.2f\n" "$p" "$(med patrimap 3 "$work/runs")" "$o" "$(med ogr2ogr 3 "$work/runs")" "$(echo "$p / $o" | bc -l)"
