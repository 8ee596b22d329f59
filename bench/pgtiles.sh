#!/usr/bin/env bash
# Uncached vector tiles, patrimap against pg_tileserv on the same data, side by side in one run (issue 16).
# The national biotope orders (testdata/inpn/apb/apb.zip) and POINTS random points over mainland France
# (default 100000) are imported into patrimap, then copied from patrimap's own SpatiaLite file into PostGIS in
# EPSG:3857 (pg_tileserv's best case: no reprojection) with ogr2ogr, so both serve the very same features.
# patrimap runs without its tile cache (PATRIMAP_TILE_CACHE_MB=0). bench/tilebench picks tiles where the data
# is (25 per zoom, z0-z14), fetches each from both servers in turns, and prints per zoom band the median over
# RUNS passes of each server's mean, p95 and slowest latency, their ratio (patrimap / pg_tileserv: < 1 is
# faster), and the largest tile.
#
#   bench/pgtiles.sh                        (needs test/pg.sh's PostgreSQL + PostGIS, gdal-bin, python3)
#   POINTS=1000000 RUNS=3 bench/pgtiles.sh
#
# pg_tileserv is taken from $PG_TILESERV (default /work/tools/pg_tileserv); see bench/lib.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
POINTS=${POINTS:-100000}
RUNS=${RUNS:-3}
. bench/lib.sh
pgserve_init bench/pgtiles.sh
"$work/patrimap" import inpn --file testdata/inpn/apb/apb.zip --db "$db" >/dev/null 2>&1
python3 bench/points.py "$work/points.geojson" "$POINTS"
"$work/patrimap" import geojson "$work/points.geojson" --dataset points --title Points --producer bench --db "$db" >/dev/null 2>&1
pgserve_start apb points

echo "$(pgserve_machine); apb: $(psql "$pgurl" -qAt -c 'SELECT count(*) FROM apb') polygons, points: $POINTS"
read -ra apb < <(pgserve_layer apb 0-14 25)
read -ra points < <(pgserve_layer points 0-14 25)
"$work/tilebench" compare "${apb[@]}" "${points[@]}" -a patrimap -b pg_tileserv -runs "$RUNS"
