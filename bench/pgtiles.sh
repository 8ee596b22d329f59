#!/usr/bin/env bash
# Uncached vector tiles, patrimap against pg_tileserv on the same data, side by side in one run (issue 16).
# The national biotope orders (testdata/inpn/apb/apb.zip) and POINTS random points over mainland France
# (default 100000) are imported into patrimap, then copied from patrimap's own SpatiaLite file into PostGIS in
# EPSG:3857 (pg_tileserv's best case: no reprojection) with ogr2ogr, so both serve the very same features.
# patrimap runs without its tile cache (PATRIMAP_TILE_CACHE_MB=0). bench/tilebench picks tiles where the data
# is (25 per zoom, z0-z14), fetches each from both servers in turns, and prints per zoom band the median over
# RUNS passes of each server's mean and p95 latency, their ratio (patrimap / pg_tileserv: < 1 is faster), and
# the largest tile.
#
#   bench/pgtiles.sh                        (needs test/pg.sh's PostgreSQL + PostGIS, gdal-bin, python3)
#   POINTS=1000000 RUNS=3 bench/pgtiles.sh
#
# pg_tileserv is taken from $PG_TILESERV (default /work/tools/pg_tileserv). It is not in the Go module proxy:
# build it from github.com/CrunchyData/pg_tileserv with `go build` and point PG_TILESERV at the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_TILESERV=${PG_TILESERV:-/work/tools/pg_tileserv}
POINTS=${POINTS:-100000}
RUNS=${RUNS:-3}
[ -x "$PG_TILESERV" ] || { echo "bench/pgtiles.sh: no pg_tileserv at $PG_TILESERV: build github.com/CrunchyData/pg_tileserv (go build) and set PG_TILESERV" >&2; exit 1; }
command -v ogr2ogr >/dev/null || { echo "bench/pgtiles.sh: ogr2ogr is missing: apt-get install -y gdal-bin" >&2; exit 1; }
work=$(mktemp -d)
chmod 755 "$work" # the PostgreSQL cluster runs as postgres when we are root
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -d "$work/pg" ] && test/pg.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/patrimap" ./cmd/patrimap
go build -o "$work/tilebench" ./bench/tilebench
db="$work/b.db"
"$work/patrimap" import inpn --file testdata/inpn/apb/apb.zip --db "$db" >/dev/null 2>&1
python3 bench/points.py "$work/points.geojson" "$POINTS"
"$work/patrimap" import geojson "$work/points.geojson" --dataset points --title Points --producer bench --db "$db" >/dev/null 2>&1

pgurl=$(test/pg.sh start "$work/pg")
pg="PG:host=$work/pg dbname=patrimap_test user=postgres"
for t in apb points; do
  ogr2ogr -f PostgreSQL "$pg" "$db" "$t" -nln "$t" -t_srs EPSG:3857 -lco GEOMETRY_NAME=geom -lco FID=fid -lco SPATIAL_INDEX=GIST
done
psql "$pgurl" -qAt -c "VACUUM ANALYZE" >/dev/null 2>&1 || true

port=$((20000 + RANDOM % 10000))
PATRIMAP_TILE_CACHE_MB=0 "$work/patrimap" serve --db "$db" --addr "127.0.0.1:$port" 2>/dev/null &
pids+=($!)
tsport=$((port + 1))
DATABASE_URL=$pgurl TS_HTTPHOST=127.0.0.1 TS_HTTPPORT=$tsport "$PG_TILESERV" --no-preview --health /health >"$work/pg_tileserv.log" 2>&1 &
pids+=($!)
a="http://127.0.0.1:$port"; b="http://127.0.0.1:$tsport"
for _ in $(seq 100); do curl -fs "$a/healthz" >/dev/null && curl -fs "$b/health" >/dev/null && break; sleep 0.2; done
curl -fs "$b/health" >/dev/null || { cat "$work/pg_tileserv.log" >&2; exit 1; }

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB; apb: $(psql "$pgurl" -qAt -c 'SELECT count(*) FROM apb') polygons, points: $POINTS"
layers=()
for t in apb points; do
  "$work/tilebench" tiles -sample "$a/collections/$t/items?limit=10000" -zooms 0-14 -per 25 >"$work/$t.tiles"
  layers+=(-layer "$t=$a/tiles/$t/{z}/{x}/{y}.mvt|$b/public.$t/{z}/{x}/{y}.pbf|$work/$t.tiles")
done
"$work/tilebench" compare "${layers[@]}" -a patrimap -b pg_tileserv -runs "$RUNS"
