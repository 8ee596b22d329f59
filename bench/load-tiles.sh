#!/usr/bin/env bash
# Server memory under load (issue 16): patrimap serves the national biotope orders and POINTS random points
# (default 100000) with its default tile cache (256 MB); wrk, 64 connections for DURATION (default 30 s),
# asks for TILES distinct tiles (default 8000, z6-z14 over mainland France, both layers, gzip) in turn, so
# most requests make a tile. The server's RSS is sampled every half second. It prints wrk's figures and the
# peak RSS (issue 16's goal: under 300 MB).
#
#   bench/load-tiles.sh              (needs wrk, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
POINTS=${POINTS:-100000}
TILES=${TILES:-8000}
DURATION=${DURATION:-30s}
command -v wrk >/dev/null || { echo "bench/load-tiles.sh: wrk is missing: apt-get install -y wrk" >&2; exit 1; }
work=$(mktemp -d); srv=""
trap '[ -n "$srv" ] && kill $srv 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/patrimap" ./cmd/patrimap
db="$work/b.db"
"$work/patrimap" import inpn --file testdata/inpn/apb/apb.zip --db "$db" >/dev/null 2>&1
python3 - "$work" "$POINTS" "$TILES" <<'PY'
import math, random, sys
work, n, tiles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(1)
seen = set()
while len(seen) < tiles:
    z = random.randint(6, 14); lon = random.uniform(-4.5, 8); lat = random.uniform(42.5, 51); k = 2 ** z
    x = int((lon + 180) / 360 * k); y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * k)
    seen.add("/tiles/%s/%d/%d/%d.mvt" % (random.choice(["apb", "points"]), z, x, y))
with open(work + "/paths", "w") as out:
    out.write("\n".join(sorted(seen, key=lambda s: random.random())) + "\n")
PY
python3 bench/points.py "$work/points.geojson" "$POINTS"
"$work/patrimap" import geojson "$work/points.geojson" --dataset points --title Points --producer bench --db "$db" >/dev/null 2>&1
cat >"$work/paths.lua" <<LUA
local paths, i = {}, 0
for line in io.lines("$work/paths") do paths[#paths + 1] = line end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Accept-Encoding"] = "gzip"})
end
LUA
port=$((20000 + RANDOM % 10000))
"$work/patrimap" serve --db "$db" --addr "127.0.0.1:$port" 2>/dev/null & srv=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
( peak=0; while kill -0 $srv 2>/dev/null; do
    r=$(awk '/VmRSS/ {print $2}' /proc/$srv/status 2>/dev/null || echo 0); [ "${r:-0}" -gt "$peak" ] && peak=$r && echo "$peak" >"$work/peak"
    sleep 0.5; done ) &
echo "machine: $(nproc) cores; $TILES distinct tiles, 64 connections, $DURATION; RSS before: $(awk '/VmRSS/ {print int($2/1024)}' /proc/$srv/status) MB"
wrk -t2 -c64 -d"$DURATION" -s "$work/paths.lua" "http://127.0.0.1:$port" | grep -E "Latency|Requests/sec|requests in|Non-2xx"
sleep 1
echo "peak RSS: $(( $(cat "$work/peak") / 1024 )) MB"
