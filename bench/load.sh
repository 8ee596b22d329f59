#!/usr/bin/env bash
# Load test (issue 17): CLIENTS connections read tiles and items of the national APB layer (792 polygons,
# a 13.7 MB store) from `patrimap serve` over loopback for DURATION seconds, with wrk (bench/load.lua), while
# IMPORTERS loops re-import the same layer into the same file back to back. Samples the WAL file and the
# server's resident memory every 50 ms. Then the reference, in the same run: the same wrk load against
# bench/fixedbytes, a Go net/http server that answers every request with the mean number of bytes patrimap
# answered (no store, no import). Prints the machine, then one line per server and a RESULT line:
#   requests, errors (answers other than 2xx/3xx, socket errors, failed imports, server errors logged),
#   p50/p95/p99 latency, peak RSS of each server, patrimap's p50 and p99 over the reference's, imports done,
#   WAL max during the load and once the imports stopped, store size.
#
#   bench/load.sh                                  the issue's load: 64 clients, 30 s, 2 import loops
#   CLIENTS=16 DURATION=10 bench/load.sh           a short run
#   PATRIMAP=/path/to/patrimap bench/load.sh       use that binary instead of building one
# Needs wrk and curl (Debian packages wrk, curl) and Go (to build patrimap and the reference).
# Exits 1 when any request, import or server log line failed.
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${CLIENTS:-64}
duration=${DURATION:-30}
importers=${IMPORTERS:-2}
for tool in wrk curl go; do
  command -v "$tool" >/dev/null || { echo "bench/load.sh: $tool not found: apt-get install -y $tool (go: see go.dev/doc/install)" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
bin=${PATRIMAP:-}
if [ -z "$bin" ]; then
  bin="$work/patrimap"
  go build -o "$bin" ./cmd/patrimap
fi
go build -o "$work/fixedbytes" ./bench/fixedbytes

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)
echo "MACHINE cpu=\"$cpu\" cores=$(nproc) mem=\"$mem\" kernel=$(uname -r) go=$(go env GOVERSION)" \
  "load_before=\"$(cut -d' ' -f1-3 /proc/loadavg)\" wrk=\"$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)\""

db="$work/load.db"
src=testdata/inpn/apb/apb.zip
"$bin" import inpn --layer apb --file "$src" --db "$db" >/dev/null

# wait_addr LOG PID: the address a server wrote in LOG (addr=http://...), once it answers.
wait_addr() {
  local log=$1 pid=$2 addr=""
  for _ in $(seq 600); do
    addr=$(grep -o 'addr=http://[0-9.:]*' "$log" | head -1 | cut -d= -f2 || true)
    [ -n "$addr" ] && curl -s -o /dev/null "$addr/healthz" && { echo "$addr"; return; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench/load.sh: the server did not start:" >&2
  cat "$log" >&2
  exit 1
}

"$bin" serve --db "$db" --addr 127.0.0.1:0 2>"$work/server.log" & srv=$!
pids+=("$srv")
addr=$(wait_addr "$work/server.log" "$srv")

# Samples: WAL bytes and server RSS (kB), every 50 ms, until the end.
( while kill -0 "$srv" 2>/dev/null; do
    w=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
    r=$(awk '/^VmRSS/ {print $2}' "/proc/$srv/status" 2>/dev/null || echo 0)
    echo "$w ${r:-0}" >>"$work/samples"
    sleep 0.05
  done ) & pids+=($!)

# Import loops: each re-imports the layer until told to stop; every import must succeed.
loops=()
for _ in $(seq "$importers"); do
  ( while [ ! -e "$work/stop" ]; do
      if "$bin" import inpn --layer apb --file "$src" --db "$db" >/dev/null 2>>"$work/import-errors"; then
        echo ok >>"$work/imports"
      else
        echo failed >>"$work/imports"
      fi
    done ) & pids+=($!)
  loops+=($!)
done

wrk -t2 -c"$clients" -d"${duration}s" --timeout 60s -s bench/load.lua "$addr" >"$work/wrk.out"
touch "$work/stop"
wait "${loops[@]}"
wal_max=$(awk 'BEGIN {m = 0} $1 > m {m = $1} END {print m}' "$work/samples")
rss_max=$(awk '/^VmHWM/ {print $2}' "/proc/$srv/status")
sleep 0.2
wal_after=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
db_size=$(stat -c %s "$db")
kill "$srv"
imports_ok=$(grep -c '^ok' "$work/imports" || true)
imports_failed=$(grep -c '^failed' "$work/imports" || true)
server_errors=$(grep -c 'level=ERROR' "$work/server.log" || true)
# Requests whose client left (wrk stops mid-answer at the end): logged 499, not errors.
client_gone=$(grep -c 'status=499' "$work/server.log" || true)
wrk_line=$(grep '^WRK ' "$work/wrk.out") || { cat "$work/wrk.out" >&2; exit 1; }

# The reference: the same load against fixed bytes of patrimap's mean answer size, imports stopped.
size=$(grep -o 'bytes_per_answer=[0-9]*' <<<"$wrk_line" | cut -d= -f2)
"$work/fixedbytes" -addr 127.0.0.1:0 -bytes "$size" >"$work/ref.log" 2>&1 & ref=$!
pids+=("$ref")
ref_addr=$(wait_addr "$work/ref.log" "$ref")
wrk -t2 -c"$clients" -d"${duration}s" --timeout 60s -s bench/load.lua "$ref_addr" >"$work/ref.out"
ref_rss=$(awk '/^VmHWM/ {print $2}' "/proc/$ref/status")
ref_line=$(grep '^WRK ' "$work/ref.out") || { cat "$work/ref.out" >&2; exit 1; }

if [ "$imports_failed" != 0 ]; then
  echo "failed imports:" >&2
  sort "$work/import-errors" | uniq -c | head >&2
fi
if [ "$server_errors" != 0 ]; then
  echo "server errors:" >&2
  grep 'level=ERROR' "$work/server.log" | head >&2
fi
mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1e6}'; }
field() { grep -o "$1=[0-9.]*" <<<"$2" | cut -d= -f2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1f", a / b; else print "inf"}'; }
echo "PATRIMAP ${wrk_line#WRK } rss_max_mb=$(mb $((rss_max * 1024))) client_gone_499=$client_gone (during $imports_ok imports)"
echo "REFERENCE ${ref_line#WRK } rss_max_mb=$(mb $((ref_rss * 1024))) (bench/fixedbytes, $size bytes an answer, no import)"
errors=$(( $(field status_errors "$wrk_line") + $(field socket_errors "$wrk_line") + imports_failed + server_errors ))
echo "RESULT clients=$clients duration_s=$duration errors=$errors" \
  "p50_ms=$(field p50_ms "$wrk_line") p99_ms=$(field p99_ms "$wrk_line")" \
  "p50_x_ref=$(ratio "$(field p50_ms "$wrk_line")" "$(field p50_ms "$ref_line")")" \
  "p99_x_ref=$(ratio "$(field p99_ms "$wrk_line")" "$(field p99_ms "$ref_line")")" \
  "rss_max_mb=$(mb $((rss_max * 1024))) ref_rss_max_mb=$(mb $((ref_rss * 1024)))" \
  "imports=$imports_ok failed_imports=$imports_failed server_errors=$server_errors" \
  "wal_max_mb=$(mb "$wal_max") wal_after_mb=$(mb "$wal_after") db_mb=$(mb "$db_size")"
[ "$errors" = 0 ]
