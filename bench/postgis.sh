#!/usr/bin/env bash
# bench/postgis.sh: patrimap on PostGIS beside patrimap on SpatiaLite, and beside CrunchyData's pg_tileserv and
# pg_featureserv on the same PostGIS tables: uncached vector tiles per zoom (median, p95, mean size) and OGC API
# items pages (median, and requests/s under wrk), with each figure's ratio to the reference.
#
#   PG_TILESERV=/path/to/pg_tileserv PG_FEATURESERV=/path/to/pg_featureserv bench/postgis.sh
#
# pg_tileserv and pg_featureserv are not in the Go module proxy: fetch github.com/CrunchyData/pg_tileserv and
# github.com/CrunchyData/pg_featureserv and `go build` each (defaults: /work/tools/pg_tileserv, /work/tools/
# pg_featureserv). Needs curl, wrk, python3, and PostgreSQL 15 + PostGIS 3 (test/pg.sh starts a throw-away one
# unless $PATRIMAP_TEST_POSTGRES names a database). Tiles are read with patrimap's cache off
# (PATRIMAP_TILE_CACHE_MB=0), as pg_tileserv serves them (no cache).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_TILESERV=${PG_TILESERV:-/work/tools/pg_tileserv}
PG_FEATURESERV=${PG_FEATURESERV:-/work/tools/pg_featureserv}
for b in "$PG_TILESERV" "$PG_FEATURESERV"; do
	[ -x "$b" ] || { echo "bench/postgis.sh: $b not found: build it from github.com/CrunchyData/$(basename "$b") (go build) and set PG_TILESERV / PG_FEATURESERV" >&2; exit 1; }
done
for c in curl wrk python3; do command -v $c >/dev/null || { echo "bench/postgis.sh: $c not found (apt-get install $c)" >&2; exit 1; }; done
if [ -z "${PATRIMAP_TEST_POSTGRES:-}" ]; then exec test/pg.sh run -- "$0" "$@"; fi

work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
go build -o "$work/patrimap" ./cmd/patrimap
schema=bench_$$
pg="$PATRIMAP_TEST_POSTGRES&schema=$schema"
case "$PATRIMAP_TEST_POSTGRES" in *\?*) ;; *) pg="$PATRIMAP_TEST_POSTGRES?schema=$schema" ;; esac
sl="$work/bench.db"
for db in "$pg" "$sl"; do
	"$work/patrimap" import inpn --file testdata/inpn/apb/apb.zip --dataset apb --db "$db" >/dev/null 2>&1
	"$work/patrimap" import inpn --file testdata/inpn/pn/pn.zip --db "$db" >/dev/null 2>&1
	"$work/patrimap" import culture --list merimee --file testdata/culture/merimee-isere-camlebrun.csv --db "$db" >/dev/null 2>&1
done
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; psql "$PATRIMAP_TEST_POSTGRES" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; DROP SCHEMA IF EXISTS ${schema}_internal CASCADE" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

port() { echo $((20000 + RANDOM % 20000)); }
wait_up() { for _ in $(seq 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; echo "bench/postgis.sh: $1 does not answer" >&2; exit 1; }
p1=$(port); p2=$(port); p3=$(port); p4=$(port)
PATRIMAP_TILE_CACHE_MB=0 "$work/patrimap" serve --db "$pg" --addr "127.0.0.1:$p1" 2>/dev/null & pids+=($!)
PATRIMAP_TILE_CACHE_MB=0 "$work/patrimap" serve --db "$sl" --addr "127.0.0.1:$p2" 2>/dev/null & pids+=($!)
# pg_tileserv and pg_featureserv read the same tables (the datasets' schema), through the same database.
dburl=${PATRIMAP_TEST_POSTGRES}
(cd "$work" && DATABASE_URL="$dburl" TS_HTTPHOST=127.0.0.1 TS_HTTPPORT=$p3 "$PG_TILESERV" >"$work/tileserv.log" 2>&1) & pids+=($!)
(cd "$work" && DATABASE_URL="$dburl" PGFS_SERVER_HTTPHOST=127.0.0.1 PGFS_SERVER_HTTPPORT=$p4 "$PG_FEATURESERV" >"$work/featureserv.log" 2>&1) & pids+=($!)
pgis="http://127.0.0.1:$p1" slite="http://127.0.0.1:$p2" tsrv="http://127.0.0.1:$p3" fsrv="http://127.0.0.1:$p4"
wait_up "$pgis/readyz"; wait_up "$slite/readyz"; wait_up "$tsrv/index.json"; wait_up "$fsrv/collections.json"

tiles() { python3 - "$1" <<'PY'
import math, sys
z = int(sys.argv[1]); n = 2 ** z
def xy(lon, lat):
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
seen = []
for lon, lat in [(2.5, 46.5), (5.9, 45.1), (6.5, 44.3), (-1.5, 47.5), (3.0, 43.5)]:
    x, y = xy(lon, lat)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            t = (x + dx, y + dy)
            if 0 <= t[0] < n and 0 <= t[1] < n and t not in seen:
                seen.append(t)
for x, y in seen[:25]:
    print(z, x, y)
PY
}
# time one URL: seconds and bytes, uncompressed
fetch() { curl -s -o /dev/null -H 'Accept-Encoding: identity' -w '%{time_total} %{size_download}\n' "$1"; }
# median and p95 (nearest rank) of the first column, in ms; mean of the second
stats() { sort -n | awk '{a[NR]=$1; s+=$2} END {if (!NR) {print "- - -"; exit}; m=int((NR+1)/2); p=int(NR*0.95); if (p<NR*0.95) p++; printf "%.2f %.2f %d\n", a[m]*1000, a[p]*1000, s/NR}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b>0) printf "%.2f", a/b; else print "-"}'; }

echo "Uncached vector tiles, 25 tiles per zoom around France, sequential (median / p95 ms, mean bytes); ratio = patrimap-PostGIS median / other median"
printf "%-6s %-4s %-26s %-26s %-26s %s\n" layer zoom patrimap-postgis patrimap-spatialite pg_tileserv "ratio vs spatialite / vs pg_tileserv"
for ds in apb pn_coeur; do
	id=${ds//_/-}
	for z in 5 8 11 14; do
		: >"$work/a"; : >"$work/b"; : >"$work/c"
		while read -r tz tx ty; do
			# each server reads the tile twice, the first read discarded: PostgreSQL's own buffers warm alike
			for srv in a b c; do
				case $srv in
				a) u="$pgis/tiles/$id/$tz/$tx/$ty.mvt" ;; b) u="$slite/tiles/$id/$tz/$tx/$ty.mvt" ;; c) u="$tsrv/$schema.$ds/$tz/$tx/$ty.pbf" ;;
				esac
				fetch "$u" >/dev/null; fetch "$u" >>"$work/$srv"
			done
		done < <(tiles $z)
		read -r am ap as < <(stats <"$work/a"); read -r bm bp bs < <(stats <"$work/b"); read -r cm cp cs < <(stats <"$work/c")
		printf "%-6s %-4s %-26s %-26s %-26s %s / %s\n" "$id" "$z" "$am / $ap ($as B)" "$bm / $bp ($bs B)" "$cm / $cp ($cs B)" "$(ratio "$am" "$bm")" "$(ratio "$am" "$cm")"
	done
done

echo
echo "OGC API items, 100 features a page, 20 pages of the national biotope orders (median / p95 ms); wrk: 2 threads, 8 connections, 5 s on one page"
printf "%-22s %-22s %s\n" server "page median / p95" "wrk req/s"
for srv in patrimap-postgis patrimap-spatialite pg_featureserv; do
	: >"$work/i"
	for off in $(seq 0 40 760); do
		case $srv in
		patrimap-postgis) u="$pgis/collections/apb/items?limit=100&offset=$off" ;;
		patrimap-spatialite) u="$slite/collections/apb/items?limit=100&offset=$off" ;;
		pg_featureserv) u="$fsrv/collections/$schema.apb/items.json?limit=100&offset=$off" ;;
		esac
		fetch "$u" >/dev/null; fetch "$u" >>"$work/i"
	done
	read -r im ip _ < <(stats <"$work/i")
	rps=$(wrk -t2 -c8 -d5s "${u%offset=*}offset=400" 2>/dev/null | awk '/Requests\/sec/ {print $2}')
	printf "%-22s %-22s %s\n" "$srv" "$im / $ip" "$rps"
	eval "items_${srv//-/_}=$im rps_${srv//-/_}=$rps"
done
echo "ratios, patrimap-postgis to pg_featureserv: page median $(ratio "$items_patrimap_postgis" "$items_pg_featureserv"), req/s $(ratio "$rps_patrimap_postgis" "$rps_pg_featureserv")"
echo "ratios, patrimap-postgis to patrimap-spatialite: page median $(ratio "$items_patrimap_postgis" "$items_patrimap_spatialite"), req/s $(ratio "$rps_patrimap_postgis" "$rps_patrimap_spatialite")"
