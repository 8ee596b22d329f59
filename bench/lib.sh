# bench/lib.sh: the parts the bench/*.sh scripts share, sourced (not run) after `set -euo pipefail` and `cd`
# to the checkout: timing a command (measure, med), and for the tile benchmarks against pg_tileserv a work
# folder cleaned on exit, patrimap and tilebench built, and the same layers served by patrimap (tile cache
# off) and by pg_tileserv from PostGIS in EPSG:3857.
#
#   . bench/lib.sh          then: pgserve_init NAME; ...import into "$db"...; pgserve_start LAYER...
#
# pg_tileserv is taken from $PG_TILESERV (default /work/tools/pg_tileserv). It is not in the Go module proxy:
# build it from github.com/CrunchyData/pg_tileserv with `go build` and point PG_TILESERV at the binary.

# pgserve_init NAME: checks the tools, makes $work (removed on exit, with the servers started and the
# PostgreSQL cluster), builds $work/patrimap and $work/tilebench; $db is patrimap's store.
pgserve_init() {
  name=$1
  PG_TILESERV=${PG_TILESERV:-/work/tools/pg_tileserv}
  [ -x "$PG_TILESERV" ] || { echo "$name: no pg_tileserv at $PG_TILESERV: build github.com/CrunchyData/pg_tileserv (go build) and set PG_TILESERV" >&2; exit 1; }
  command -v ogr2ogr >/dev/null || { echo "$name: ogr2ogr is missing: apt-get install -y gdal-bin" >&2; exit 1; }
  work=$(mktemp -d)
  chmod 755 "$work" # the PostgreSQL cluster runs as postgres when we are root
  pids=()
  trap pgserve_cleanup EXIT
  go build -o "$work/patrimap" ./cmd/patrimap
  go build -o "$work/tilebench" ./bench/tilebench
  db="$work/b.db"
}

pgserve_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -d "$work/pg" ] && test/pg.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}

# pgserve_start LAYER...: copies each LAYER of $db into PostGIS in EPSG:3857 with ogr2ogr (the very same
# features), starts patrimap (PATRIMAP_TILE_CACHE_MB=0) and pg_tileserv, and waits for both: their URLs in $a
# and $b, the database's in $pgurl.
pgserve_start() {
  pgurl=$(test/pg.sh start "$work/pg")
  local pg="PG:host=$work/pg dbname=patrimap_test user=postgres" t
  for t in "$@"; do
    ogr2ogr -f PostgreSQL "$pg" "$db" "$t" -nln "$t" -t_srs EPSG:3857 -lco GEOMETRY_NAME=geom -lco FID=fid -lco SPATIAL_INDEX=GIST
  done
  psql "$pgurl" -qAt -c "VACUUM ANALYZE" >/dev/null 2>&1 || true
  local port=$((20000 + RANDOM % 10000))
  PATRIMAP_TILE_CACHE_MB=0 "$work/patrimap" serve --db "$db" --addr "127.0.0.1:$port" 2>/dev/null &
  pids+=($!)
  local tsport=$((port + 1))
  DATABASE_URL=$pgurl TS_HTTPHOST=127.0.0.1 TS_HTTPPORT=$tsport "$PG_TILESERV" --no-preview --health /health >"$work/pg_tileserv.log" 2>&1 &
  pids+=($!)
  a="http://127.0.0.1:$port"
  b="http://127.0.0.1:$tsport"
  for _ in $(seq 100); do curl -fs "$a/healthz" >/dev/null && curl -fs "$b/health" >/dev/null && break; sleep 0.2; done
  curl -fs "$b/health" >/dev/null || { cat "$work/pg_tileserv.log" >&2; exit 1; }
}

# pgserve_machine: the machine's line.
pgserve_machine() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# pgserve_layer LAYER ZOOMS PER: tilebench's -layer arguments for LAYER, PER tiles a zoom where its features are.
pgserve_layer() {
  "$work/tilebench" tiles -sample "$a/collections/$1/items?limit=10000" -zooms "$2" -per "$3" >"$work/$1.tiles"
  echo "-layer" "$1=$a/tiles/$1/{z}/{x}/{y}.mvt|$b/public.$1/{z}/{x}/{y}.pbf|$work/$1.tiles"
}

# measure NAME COMMAND...: runs COMMAND under GNU time (its output in $work/out, its errors in $work/err,
# shown if it fails) and prints "NAME seconds max-RSS-MB".
measure() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r s kb <"$work/time"
  echo "$name $s $((kb / 1024))"
}

# med NAME COLUMN FILE: the median of COLUMN over the lines of NAME in FILE (measure's lines).
med() { awk -v n="$1" -v c="$2" '$1 == n {print $c}' "$3" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
