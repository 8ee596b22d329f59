#!/usr/bin/env bash
# bench/dense.sh: a dense national polygon layer (issue 16: "the national ZNIEFF 1 has about 15,000 polygons
# and millions of vertices"), import and uncached tiles, each beside a reference measured in the same run.
#
# The layer: bench/znieff.py writes a ZNIEFF-1-like national layer (17,176 polygons, 4.24 million vertices:
# one per record of the real file's index, with its number of vertices; real ZNIEFF shapes, national
# attributes; see its header), which ogr2ogr turns into a Lambert-93 Shapefile as INPN delivers it (68.9 MB
# .shp, the real one 68.8 MB). Then:
#   import: `patrimap import inpn --layer znieff1` and `ogr2ogr -f SQLite -dsco SPATIALITE=YES` of that
#           Shapefile, RUNS times each, in turns: medians of wall time and peak RSS, and their ratios;
#   tiles:  the layer copied from patrimap's store into PostGIS in EPSG:3857 for pg_tileserv, PER tiles a zoom
#           where the polygons are, z0-z14, each fetched from both servers in turns RUNS times after a pass
#           not counted (bench/tilebench compare): per band z0-3, z4-7, z8-10, z11-14 the medians of mean, p95
#           and slowest ms and the largest tile, for patrimap and pg_tileserv, their ratios, and PASS / NOT MET
#           for issue 16's goals: every tile under 50 ms, none over 200 KB up to z8 nor 500 KB anywhere, at
#           most pg_tileserv's mean and p95 in every band.
# With PROFILE=LO-HI (a zoom band; PROFILE=slowest: the band of patrimap's largest p95), also the CPU profile
# of patrimap rendering that band's tiles in process
# (BenchmarkDenseTiles in bench/dense_test.go, the server's renderer on the same store): go tool pprof -top.
#
#   bench/dense.sh                  (needs test/pg.sh's PostgreSQL + PostGIS, gdal-bin, python3, GNU time)
#   COUNT=2000 RUNS=1 bench/dense.sh         a quick run on 2,000 of the records (same distribution)
#   KEEP=/tmp/dense PROFILE=slowest bench/dense.sh   keep the generated files (reused next time), the store
#                                   (b.db) and its tiles (znieff1.tiles), and profile the slowest band
#
# pg_tileserv is taken from $PG_TILESERV (default /work/tools/pg_tileserv); see bench/lib.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "bench/dense.sh: GNU time is missing: apt-get install -y time" >&2; exit 1; }
RUNS=${RUNS:-3} PER=${PER:-25} COUNT=${COUNT:-0} PROFILE=${PROFILE:-}
. bench/lib.sh
pgserve_init bench/dense.sh
keep=${KEEP:-$work/data}
mkdir -p "$keep"
geojson="$keep/znieff1-$COUNT.geojson" shp="$keep/znieff1-$COUNT/znieff1.shp"
[ -s "$geojson" ] || python3 bench/znieff.py "$geojson" --count "$COUNT" >/dev/null
if [ ! -s "$shp" ]; then
  mkdir -p "${shp%/*}"
  ogr2ogr -f "ESRI Shapefile" -t_srs EPSG:2154 -lco ENCODING=UTF-8 -nln znieff1 "$shp" "$geojson"
fi
echo "$(pgserve_machine); runs: $RUNS"
ogrinfo -q -dialect sqlite -sql "SELECT count(*), sum(ST_NPoints(geometry)), sum(NOT ST_IsValid(geometry)) FROM znieff1" "$shp" 2>/dev/null |
  awk -F' = ' '/count/ {n=$2} /NPoints/ {v=$2} /IsValid/ {i=$2} END {printf "layer: %d polygons, %d vertices, %d invalid for GEOS; ", n, v, i}'
echo "$(du -m "$shp" | cut -f1) MB .shp in Lambert-93"

echo
echo "import of the Shapefile, patrimap against ogr2ogr (medians of $RUNS, in turns)"
patrimap_import() { # RUN: the first run's store is the one served, its report kept
  measure patrimap "$work/patrimap" import inpn --layer znieff1 --file "$shp" --dataset znieff1 --db "$work/p$1.db"
  if [ "$1" = 1 ]; then cp "$work/out" "$work/patrimap.out"; else rm -f "$work/p$1.db"; fi
}
for i in $(seq "$RUNS"); do
  rm -f "$work"/o*.sqlite
  o=(measure ogr2ogr ogr2ogr -f SQLite -dsco SPATIALITE=YES -nlt PROMOTE_TO_MULTI "$work/o$i.sqlite" "$shp")
  if [ $((i % 2)) = 1 ]; then patrimap_import "$i"; "${o[@]}"; else "${o[@]}"; patrimap_import "$i"; fi
done | tee "$work/runs" | sed 's/^/  /'
rm -f "$work"/o*.sqlite
mv "$work/p1.db" "$db"
ps=$(med patrimap 2 "$work/runs") os=$(med ogr2ogr 2 "$work/runs") pm=$(med patrimap 3 "$work/runs") om=$(med ogr2ogr 3 "$work/runs")
printf "  median: patrimap %.1f s, %s MB; ogr2ogr %.1f s, %s MB; patrimap / ogr2ogr: time %.2f×, memory %.2f×\n" \
  "$ps" "$pm" "$os" "$om" "$(echo "$ps / $os" | bc -l)" "$(echo "$pm / $om" | bc -l)"
grep -E '^  read ' "$work/patrimap.out" | sed 's/^ */  patrimap: /'

echo
pgserve_start znieff1
read -ra layer < <(pgserve_layer znieff1 0-14 "$PER")
if [ -n "${KEEP:-}" ]; then cp "$db" "$work/znieff1.tiles" "$keep/"; fi # the store and tiles, to profile other bands
"$work/tilebench" compare "${layer[@]}" -a patrimap -b pg_tileserv -runs "$RUNS" \
  -limit-max 50ms -limit-size-low 204800 -low-zoom 8 -limit-size 512000 | sed 's/^worst ratio/pg_tileserv goal, worst ratio/' | tee "$work/compare.out"

if [ "$PROFILE" = slowest ]; then # the band of the largest p95
  PROFILE=$(awk '$1 == "znieff1" && $2 ~ /^z/ && $5 + 0 > p {p = $5 + 0; b = substr($2, 2)} END {print b}' "$work/compare.out")
fi
if [ -n "$PROFILE" ]; then
  echo
  echo "CPU profile of patrimap rendering the z$PROFILE tiles in process (the server's renderer, no cache)"
  awk -v lo="${PROFILE%-*}" -v hi="${PROFILE#*-}" '$1 >= lo && $1 <= hi' "$work/znieff1.tiles" >"$work/profile.tiles"
  PATRIMAP_BENCH_DENSE_DB=$db PATRIMAP_BENCH_DENSE_TILES=$work/profile.tiles \
    go test -run '^$' -bench DenseTiles -benchtime 10s -cpuprofile "$keep/cpu.out" -o "$keep/bench.test" ./bench/ | grep -E 'ms/tile|DenseTiles'
  # where the time goes: the samples under each stage, within the rendering's (Render and the generalisation's
  # worker goroutines), as a share of it (GEOS and the quick validity check run inside the generalisation; the
  # garbage collector's own goroutines are not counted)
  go tool pprof -proto -focus 'tiles\.\(\*Renderer\)\.Render$|generaliseAll' "$keep/bench.test" "$keep/cpu.out" >"$work/render.pb.gz" 2>/dev/null
  share() { go tool pprof -unit ms -top -nodecount 100000 -focus "$2" "$keep/bench.test" "$work/render.pb.gz" 2>/dev/null |
    awk -v what="$1" '/Showing nodes accounting for/ {gsub(/[,ms]/, "", $5); print what, $5}'; }
  {
    share "all rendering" '.'
    share "read: the SQL query, rows, cgo" 'database/sql\.|go-sqlite3'
    share "decode: WKB and SpatiaLite blobs" 'wkb\.Unmarshal|decodeBlob|blobReader'
    share "project and clip to the tile" 'toTileWithin|clip\.'
    share "generalise (simplify, snap, checks)" 'generaliseAll'
    share "  simplify" 'simplify\.'
    share "  snap to the grid" 'snapPolygons|snapRing'
    share "  quick validity check (Go)" 'validPolygons'
    share "  GEOS checks and repairs" 'geo\.\(\*Topology\)'
    share "encode MVT" 'writeMVT|mvtWriter'
    share "  garbage collection assists" 'gcAssist'
  } | awk 'NR == 1 {all = $NF} {v = $NF; $NF = ""; printf "  %-40s %7.0f ms  %5.1f %%\n", $0, v, 100 * v / all}'
  go tool pprof -top -nodecount 25 "$keep/bench.test" "$work/render.pb.gz" 2>/dev/null | sed -n '/flat%/,$p' | sed 's/^/  /'
  if [ -n "${KEEP:-}" ]; then echo "  profile: go tool pprof $keep/bench.test $keep/cpu.out"; fi
fi
