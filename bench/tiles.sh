#!/usr/bin/env bash
# Vector-tile benchmark: cold and warm latency (p50, p95, p99) at z5, z8, z11, z14 on the national APB and PN layers
# (and on 100,000 generated points when POINTS=1), tile sizes, and warm requests/s with wrk on loopback.
#   bench/tiles.sh            (needs curl, wrk; builds patrimap, imports testdata/inpn into a temporary db)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d); trap 'kill $srv 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/patrimap" ./cmd/patrimap
db="$work/b.db"
"$work/patrimap" import inpn --file testdata/inpn/apb/apb.zip --db "$db" >/dev/null 2>&1
"$work/patrimap" import inpn --file testdata/inpn/pn/pn.zip --db "$db" >/dev/null 2>&1
if [ "${POINTS:-1}" = 1 ]; then
  python3 - "$work/points.geojson" <<'PY'
import json, random, sys
random.seed(1)
fs = [{"type": "Feature", "properties": {"id": str(i), "name": "point %d" % i, "kind": "test"},
       "geometry": {"type": "Point", "coordinates": [round(random.uniform(-4.5, 8), 6), round(random.uniform(42.5, 51), 6)]}} for i in range(100000)]
json.dump({"type": "FeatureCollection", "features": fs}, open(sys.argv[1], "w"))
PY
  "$work/patrimap" import geojson "$work/points.geojson" --dataset points --title Points --producer bench --db "$db" >/dev/null 2>&1
fi
port=$((20000 + RANDOM % 10000))
PATRIMAP_TILE_CACHE_MB=512 "$work/patrimap" serve --db "$db" --addr "127.0.0.1:$port" 2>/dev/null & srv=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
# Tiles around France's centre (lon 2.5, lat 46.5) and Grenoble (5.9, 45.1): up to 25 per zoom, cold then warm.
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
# nearest-rank percentiles: p50, p95, p99 (with a dozen samples, p99 is the slowest tile)
pct() { sort -n | awk 'function q(p,  r) { r = int(NR*p); if (r < NR*p) r++; if (r < 1) r = 1; return a[r] }
  {a[NR]=$1} END {if (NR==0) {print "-"; exit}; printf "p50 %.1f p95 %.1f p99 %.1f ms (n=%d)", q(0.5)*1000, q(0.95)*1000, q(0.99)*1000, NR}'; }
printf "%-14s %-4s %-34s %-34s %s\n" dataset zoom cold warm "size bytes (max / mean)"
for ds in apb pn-coeur points; do
  [ "$ds" = points ] && [ "${POINTS:-1}" != 1 ] && continue
  for z in 5 8 11 14; do
    : >"$work/cold"; : >"$work/warm"; : >"$work/size"
    while read -r tz tx ty; do
      u="$base/tiles/$ds/$tz/$tx/$ty.mvt"
      curl -s -o /dev/null -H 'Accept-Encoding: identity' -w '%{time_total} %{size_download}\n' "$u" >>"$work/coldsize"
      tail -1 "$work/coldsize" | awk '{print $1}' >>"$work/cold"; tail -1 "$work/coldsize" | awk '{print $2}' >>"$work/size"
      for _ in 1 2 3; do curl -s -o /dev/null -w '%{time_total}\n' "$u" >>"$work/warm"; done
    done < <(tiles $z)
    size=$(awk '{if($1>m)m=$1; s+=$1; n++} END {printf "%d / %d", m, (n? s/n : 0)}' "$work/size")
    printf "%-14s %-4s %-42s %-42s %s\n" "$ds" "$z" "$(pct <"$work/cold")" "$(pct <"$work/warm")" "$size"
  done
done
if command -v wrk >/dev/null; then
  read -r z x y < <(tiles 8 | head -1)
  echo; echo "wrk, warm tile apb/$z/$x/$y.mvt, gzip, 4 threads, 64 connections, 10 s:"
  wrk -t4 -c64 -d10s -H 'Accept-Encoding: gzip' "$base/tiles/apb/$z/$x/$y.mvt" | grep -E "Latency|Requests/sec|Transfer"
  read -r z x y < <(tiles 11 | sed -n 5p)
  echo "wrk, warm tile points/$z/$x/$y.mvt:"
  wrk -t4 -c64 -d10s -H 'Accept-Encoding: gzip' "$base/tiles/points/$z/$x/$y.mvt" | grep -E "Latency|Requests/sec"
fi
