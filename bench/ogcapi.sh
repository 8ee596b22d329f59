#!/usr/bin/env bash
# bench/ogcapi.sh: OGC API – Features /items pages of 1,000 features from a 100,000-feature collection, with wrk
# on loopback (issue 6's benchmark).
#
#   warm: the same page again and again (SQLite's pages and the OS cache hot)
#   cold: every request a different page, at a random offset over the whole collection (each page read afresh)
#   first: the latency of the very first request after the server starts
#
#   bench/ogcapi.sh                      # from the repository's root; builds bin/patrimap first
#   DURATION=30s CONNECTIONS=8 bench/ogcapi.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-4}
THREADS=${THREADS:-2}
PORT=${PORT:-18093}
command -v wrk >/dev/null || { echo "wrk not found: sudo apt-get install -y wrk" >&2; exit 1; }
go build -trimpath -o bin/patrimap ./cmd/patrimap
tmp=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT

# 100,000 points over mainland France with six properties, deterministic.
awk 'BEGIN {
  srand(42); printf "{\"type\":\"FeatureCollection\",\"features\":[\n";
  for (i = 0; i < 100000; i++) {
    printf "%s{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]},", (i ? ",\n" : ""), -4.5 + rand() * 12, 42.5 + rand() * 8.5;
    printf "\"properties\":{\"code\":\"%07d\",\"nom\":\"Site remarquable n°%d\",\"annee\":%d,\"surface_ha\":%.2f,\"date_arrete\":\"%04d-%02d-%02d\",\"protege\":%s}}",
      i, i, 1900 + i % 120, rand() * 1000, 1950 + i % 70, 1 + i % 12, 1 + i % 28, (i % 3 ? "true" : "false");
  }
  printf "\n]}\n" }' > "$tmp/points.geojson"
bin/patrimap import geojson "$tmp/points.geojson" --db "$tmp/bench.db" --dataset points --producer bench >/dev/null

bin/patrimap serve --db "$tmp/bench.db" --addr "127.0.0.1:$PORT" 2>/dev/null &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
url="http://127.0.0.1:$PORT/collections/points/items?limit=1000"
first=$(curl -s -o /dev/null -w '%{time_total}' "$url&offset=50000")
echo "first request after start: ${first}s ($(curl -s "$url" | wc -c) bytes a page)"

cat > "$tmp/cold.lua" <<'LUA'
-- a different page every request: random offsets over the whole collection
math.randomseed(7)
request = function()
  return wrk.format("GET", "/collections/points/items?limit=1000&offset=" .. math.random(0, 99) * 1000)
end
LUA
summary() {
  awk '/Requests\/sec/ { rps = $2 } /^ +99%/ { p99 = $2 } /^ +50%/ { p50 = $2 }
       END { printf "%-5s requests/s %8s   p50 %8s   p99 %8s\n", name, rps, p50, p99 }' name="$1"
}
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url&offset=50000" | tee "$tmp/warm.txt" | summary warm
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$tmp/cold.lua" "http://127.0.0.1:$PORT" | tee "$tmp/cold.txt" | summary cold
echo "($CONNECTIONS connections, $THREADS wrk threads, $DURATION each, identity encoding; the server and wrk share the machine's cores)"
