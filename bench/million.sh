#!/usr/bin/env bash
# bench/million.sh: a million points, uncached tiles and search (issue 16: "cold tiles and search on 1M points,
# p95 < 50 ms"), each section beside a reference measured in the same run, with the ratio and PASS / NOT MET.
#
# POINTS heritage-like points (bench/points.py --heritage: names, kind, commune, insee, siecle) are imported with
# `patrimap import geojson`, then served with the tile cache off (PATRIMAP_TILE_CACHE_MB=0). bench/tilebench
# times each list of URLs RUNS times after one pass that is not counted (SQLite's and the system's caches warm,
# patrimap's tile cache off) and reports the medians:
#   (a) tiles: PER tiles a zoom where the data is, z0-z14, per zoom band mean, p95, slowest, largest. Goals: every
#       tile under 50 ms, none over 200 KB up to z8, 500 KB anywhere. Reference: bench/fixedbytes answering the
#       mean tile's bytes (the HTTP floor), the same URLs, the same client.
#   (b) search: /search?q= and /collections/{id}/items?q= for common, middling, rare, accented, prefix and
#       several-word queries. Goal: p95 under 50 ms. Reference: SQLite's own FTS4 query for the same answers
#       (store.ParseTextQuery's words, the last one as a prefix: the first 100 matches for /search; and their
#       count for items, which says numberMatched), timed by the sqlite3 command on the same file.
#   (c) CQL2 equality on the indexed columns (id, kind, commune, insee) and on an unindexed one (siecle). Goal:
#       p95 under 50 ms. Reference: the same count and first page in SQL, timed by sqlite3 on the same file.
# With POLYGONS set (an INPN layer as `patrimap import inpn --file` takes it: zip, .shp with its siblings), also:
#   (d) that polygon layer's tiles z4-z8 (PER a zoom), against the same goals (50 ms, 200 KB).
#
#   bench/million.sh                                   (needs python3, sqlite3, curl; builds patrimap)
#   POINTS=100000 RUNS=1 bench/million.sh              a quick run
#   KEEP=/tmp/million bench/million.sh                 keep the points file (and reuse it next time)
#   POLYGONS=testdata/inpn/apb/apb.zip bench/million.sh    adds a polygon layer (the national APB)
# The dense national polygon layer (a ZNIEFF-1-like one, since the real .shp is not at hand) is bench/dense.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
POINTS=${POINTS:-1000000}
RUNS=${RUNS:-3}
PER=${PER:-25}
POLYGONS=${POLYGONS:-}
for c in python3 sqlite3 curl; do
  command -v $c >/dev/null || { echo "bench/million.sh: $c is missing: apt-get install -y $c" >&2; exit 1; }
done
work=$(mktemp -d) pids=()
# the servers this script started, then its files
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
keep=${KEEP:-$work}
mkdir -p "$keep"
go build -o "$work/patrimap" ./cmd/patrimap
go build -o "$work/tilebench" ./bench/tilebench
go build -o "$work/fixedbytes" ./bench/fixedbytes

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB;" \
  "load before: $(cut -d' ' -f1-3 /proc/loadavg); $(sqlite3 --version | cut -d' ' -f1) (sqlite3 command); runs: $RUNS"
points="$keep/points-$POINTS.geojson"
[ -s "$points" ] || python3 bench/points.py "$points" "$POINTS" --heritage
db="$work/m.db"
start=$(date +%s.%N)
"$work/patrimap" import geojson "$points" --dataset monuments --title Monuments --producer bench --db "$db" >/dev/null 2>"$work/import.log" ||
  { cat "$work/import.log" >&2; exit 1; }
echo "import: $POINTS points in $(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.1f') s, store $(du -m "$db" | cut -f1) MB"
if [ -d "$POLYGONS" ]; then # a shapefile's folder: its .shp (the national ZNIEFF 1 of /work/shared has none)
  shp=$(find "$POLYGONS" -maxdepth 1 -iname '*.shp' | head -1)
  [ -n "$shp" ] || { echo "bench/million.sh: POLYGONS=$POLYGONS holds no .shp ($(ls "$POLYGONS" | xargs)): give a .zip or .shp with its .dbf" >&2; exit 1; }
  POLYGONS=$shp
fi
if [ -n "$POLYGONS" ]; then
  start=$(date +%s.%N)
  "$work/patrimap" import inpn --file "$POLYGONS" --dataset dense --db "$db" >/dev/null 2>"$work/import.log" ||
    { echo "bench/million.sh: POLYGONS=$POLYGONS does not import:" >&2; cat "$work/import.log" >&2; exit 1; }
  echo "import: $POLYGONS ($(sqlite3 "$db" 'SELECT feature_count FROM idx_patrimap_datasets_geom WHERE id = '"'dense'") polygons) in $(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.1f') s"
fi
table=$(sqlite3 "$db" "SELECT table_name FROM idx_patrimap_datasets_geom WHERE id = 'monuments'")

# up URL: waits until URL answers (a server started in the background).
up() {
  for _ in $(seq 600); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "bench/million.sh: $1 does not answer" >&2; exit 1
}
port=$((20000 + RANDOM % 20000))
PATRIMAP_TILE_CACHE_MB=0 "$work/patrimap" serve --db "$db" --addr "127.0.0.1:$port" 2>"$work/server.log" & pids+=($!)
a="http://127.0.0.1:$port"
up "$a/"

# field NAME FILE: a NAME=value of tilebench's ALL line.
field() { grep '^ALL ' "$2" | tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1f", a / b; else print "-"}'; }
verdict() { grep -q 'goals met' "$1" && echo PASS || echo "NOT MET"; }
# floor OUT URLS: the same URLs against fixedbytes answering the mean answer's bytes of OUT: mean, p95, bytes.
floor() {
  local out=$1 urls=$2 size
  size=$(field mean_bytes "$out")
  local f="http://127.0.0.1:$((port + 1))"
  "$work/fixedbytes" -addr "${f#http://}" -bytes "$size" >"$work/fixed.log" 2>&1 & local pid=$!
  up "$f/"
  sed "s|^$a|$f|" "$urls" >"$work/floor.urls"
  "$work/tilebench" get -urls "$work/floor.urls" -runs "$RUNS" >"$work/floor.out"
  kill $pid; wait $pid 2>/dev/null || true
  echo "$(field mean_ms "$work/floor.out") $(field p95_ms "$work/floor.out") $size"
}
# sqlref SQLFILE: runs SQLFILE (one query a line, SELECT '-- label' before each group) RUNS times with sqlite3's timer, and
# prints the mean and p95 (ms) over the labels of each label's median total.
sqlref() {
  for _ in $(seq "$RUNS"); do
    { echo ".timer on"; cat "$1"; } | sqlite3 "$db" 2>&1 | grep -E '^(-- |Run Time)' || true
  done >"$work/sql.out"
  python3 - "$work/sql.out" <<'PY'
import sys, statistics
runs, cur, skip = [], None, False
for line in open(sys.argv[1]):
    if line.startswith("-- "):  # the label's own SELECT: its time, next, is not counted
        cur, skip = line[3:].strip(), True
        if not runs or cur in runs[-1]:
            runs.append({})
        runs[-1][cur] = 0.0
    elif line.startswith("Run Time") and cur is not None:
        if not skip:
            runs[-1][cur] += float(line.split()[3]) * 1000
        skip = False
labels = list(runs[0])
with open(sys.argv[1] + ".medians", "w") as m:  # each label's median, for the tiles' bands
    m.writelines("%s %.3f\n" % (l, statistics.median(r[l] for r in runs)) for l in labels)
per = sorted(statistics.median(r[l] for r in runs) for l in labels)
p95 = per[max(0, -(-len(per) * 95 // 100) - 1)]
print("%.1f %.1f %.1f" % (statistics.mean(per), p95, per[-1]))
PY
}
section() { # TITLE OUT REF_MEAN REF_P95 REF_NAME
  echo "  reference ($5): mean $3 ms, p95 $4 ms; patrimap / reference: mean $(ratio "$(field mean_ms "$2")" "$3")×, p95 $(ratio "$(field p95_ms "$2")" "$4")×"
  echo "  $1: $(verdict "$2")"
}

echo
echo "(a) uncached tiles of $POINTS points, $PER a zoom where the data is (every tile < 50 ms; ≤ 200 KB to z8, ≤ 500 KB)"
"$work/tilebench" tiles -sample "$a/collections/monuments/items?limit=10000" -zooms 0-14 -per "$PER" >"$work/points.tiles"
tile_urls() { # DATASET TILES BAND... : groups of tile URLs, one per band lo-hi
  local ds=$1 tiles=$2; shift 2
  for b in "$@"; do
    echo "# $ds z$b"
    awk -v lo="${b%-*}" -v hi="${b#*-}" -v u="$a/tiles/$ds" '$1 >= lo && $1 <= hi {print u "/" $1 "/" $2 "/" $3 ".mvt"}' "$tiles"
  done
}
tile_urls monuments "$work/points.tiles" 0-4 5-8 >"$work/low.urls"
tile_urls monuments "$work/points.tiles" 9-10 11-14 >"$work/high.urls"
"$work/tilebench" get -urls "$work/low.urls" -runs "$RUNS" -limit-max 50ms -limit-size 204800 | tee "$work/low.out" | grep -v '^ALL '
"$work/tilebench" get -urls "$work/high.urls" -runs "$RUNS" -limit-max 50ms -limit-size 512000 | tee "$work/high.out" | grep -v '^ALL \|^group'
cat "$work/low.urls" "$work/high.urls" >"$work/tiles.urls"
"$work/tilebench" get -urls "$work/tiles.urls" -runs 1 >"$work/tiles.out" # the mean tile's bytes, for the floor
read -r fm fp fs < <(floor "$work/tiles.out" "$work/tiles.urls")
grep -q 'goals NOT met' "$work/low.out" "$work/high.out" && echo "goals NOT met" >"$work/a.verdict" || echo "goals met" >"$work/a.verdict"
cat "$work/tiles.out" "$work/a.verdict" >"$work/a.out"
# The second reference: SQLite reading each tile's data, as any server must (sqlite3, same file): up to the
# clusters' deepest zoom (store.ClusterMaxZoom, read from the file) the tile's cells of the point clusters and
# its lone points' rows, above it the rows of the points in the tile.
top=$(sqlite3 "$db" "SELECT max(z) FROM \"idx_patrimap_clusters_${table}_geom\"")
python3 - "$work/points.tiles" "$table" "$top" >"$work/tiles.sql" <<'PY'
import math, sys
tiles, table, top = sys.argv[1], sys.argv[2], int(sys.argv[3])
cl, ix = '"idx_patrimap_clusters_%s_geom"' % table, '"idx_%s_geom"' % table
cols = 'fid, geom, "id", "name", "kind", "commune", "insee", "siecle"'
def lon(x, n): return x / n * 360 - 180
def lat(y, n): return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
for line in open(tiles):
    z, x, y = map(int, line.split())
    print("SELECT '-- %d/%d/%d';" % (z, x, y))
    if z <= top:
        k = 64
        cols_ = ", ".join(str(x * k + i) for i in range(k))  # each column of cells, as the store seeks them
        cells = "FROM %s WHERE z = %d AND cx IN (%s) AND cy BETWEEN %d AND %d" % (cl, z, cols_, y * k, y * k + k - 1)
        print("SELECT n, fid, lon, lat %s ORDER BY fid;" % cells)
        print('SELECT %s FROM "%s" WHERE fid IN (SELECT fid %s AND n = 1);' % (cols, table, cells))
    else:
        n = 2 ** z
        print('SELECT %s FROM "%s" WHERE fid IN (SELECT pkid FROM %s WHERE xmin <= %r AND xmax >= %r AND ymin <= %r AND ymax >= %r);'
              % (cols, table, ix, lon(x + 1, n), lon(x, n), lat(y, n), lat(y + 1, n)))
PY
read -r rm rp _ < <(sqlref "$work/tiles.sql")
# The same per zoom band: each band's patrimap mean and p95 (tilebench's medians) beside SQLite's for its tiles.
python3 - "$work/sql.out.medians" "$work/low.out" "$work/high.out" <<'PY'
import sys, statistics
med = {l: float(v) for l, v in (line.split() for line in open(sys.argv[1]))}
for out in sys.argv[2:]:
    for line in open(out):
        f = line.split()
        if len(f) < 7 or not f[1].startswith("z") or "-" not in f[1]:
            continue
        lo, hi = map(int, f[1][1:].split("-"))
        per = sorted(v for l, v in med.items() if lo <= int(l.split("/")[0]) <= hi)
        if not per:
            continue
        m, p = statistics.mean(per), per[max(0, -(-len(per) * 95 // 100) - 1)]
        print("  %s: patrimap mean %s ms, p95 %s ms; SQLite reading the rows mean %.1f ms, p95 %.1f ms; ratio mean %.1f×, p95 %.1f×"
              % (f[1], f[3], f[4], m, p, float(f[3]) / m if m else 0, float(f[4]) / p if p else 0))
PY
echo "  reference (sqlite3 reading each tile's rows: clusters to z$top, points above): mean $rm ms, p95 $rp ms; patrimap / reference: mean $(ratio "$(field mean_ms "$work/a.out")" "$rm")×, p95 $(ratio "$(field p95_ms "$work/a.out")" "$rp")×"
section "(a) tiles" "$work/a.out" "$fm" "$fp" "fixedbytes, $fs bytes"

echo
echo "(b) search (p95 < 50 ms)"
# label|query: common words, middling, rare, accented, prefixes, several words, none
cat >"$work/queries" <<'Q'
common|eglise
common|saint
common|croix
common|chapelle
common|bourg
common|moulin
middling|pigeonnier
middling|theodule
middling|ferreol
middling|tuilerie
middling|chirens
rare|menhir
rare|kerloas
rare|barnenez
rare|cordouan
rare|templiers
accented|Église
accented|château
accented|prieuré
accented|Étang
accented|Mûriers
prefix|egl
prefix|chap
prefix|sai
prefix|mou
prefix|pig
prefix|templ
words|eglise saint martin
words|croix de chemin
words|lavoir du bourg
words|Notre-Dame de l'Assomption
words|la tour du pin
none|zzyzx
none|moulin kerloas
Q
python3 - "$work" "$a" "$table" <<'PY'
import sys, unicodedata, re, urllib.parse
work, base, table = sys.argv[1:4]
def words(s):  # as store.TextWords
    s = "".join(c for c in unicodedata.normalize("NFD", s.lower()) if unicodedata.category(c) != "Mn")
    return [w for w in re.split(r"[^\w]|_", s) if w]
def match(text):  # as store.ParseTextQuery and the FTS4 query of the same answers: elided articles out, the last word a prefix
    ws = words(re.sub(r"\b[^\W\d_]{1,2}['\u2019\u02bc](?=[^\W\d_])", " ", text)) or words(text)
    return " ".join(['"%s"' % w for w in ws[:-1]] + ['"%s*"' % ws[-1]])
qs = [l.rstrip("\n").split("|", 1) for l in open(work + "/queries") if "|" in l]
with open(work + "/search.urls", "w") as s, open(work + "/items.urls", "w") as i, open(work + "/search.sql", "w") as q, open(work + "/page.sql", "w") as pq:
    s.write("# /search\n"); i.write("# /items?q=\n")
    for n, (label, text) in enumerate(qs):
        s.write("%s/search?q=%s\n" % (base, urllib.parse.quote(text)))
        i.write("%s/collections/monuments/items?q=%s\n" % (base, urllib.parse.quote(text)))
        m = match(text).replace("'", "''")
        ft = '"idx_patrimap_text_%s_geom"' % table
        q.write("SELECT '-- %d %s';\nSELECT count(*) FROM %s WHERE %s MATCH '%s';\n" % (n, label, ft, ft, m))
        page = "SELECT docid FROM %s WHERE %s MATCH '%s' ORDER BY docid LIMIT 100;\n" % (ft, ft, m)
        q.write(page)
        pq.write("SELECT '-- %d %s';\n" % (n, label) + page)
PY
"$work/tilebench" get -urls "$work/search.urls" -runs "$RUNS" -limit-p95 50ms >"$work/search.out"
"$work/tilebench" get -urls "$work/items.urls" -runs "$RUNS" -limit-p95 50ms >"$work/items.out"
grep -v '^ALL' "$work/search.out" | grep -v goals
grep -v '^ALL\|^group' "$work/items.out" | grep -v goals
python3 - "$a" "$work/queries" <<'PY'
import json, sys, urllib.parse, urllib.request
base = sys.argv[1]
out = []
for l in open(sys.argv[2]):
    label, text = l.rstrip("\n").split("|", 1)
    d = json.load(urllib.request.urlopen("%s/collections/monuments/items?q=%s&limit=1" % (base, urllib.parse.quote(text))))
    out.append("%s %d" % (text, d["numberMatched"]))
print("  matches: " + ", ".join(out))
PY
read -r sm sp _ < <(sqlref "$work/search.sql")
read -r pm pp _ < <(sqlref "$work/page.sql")
section "(b) /search" "$work/search.out" "$pm" "$pp" "SQLite's FTS, the first 100 (/search counts nothing)"
section "(b) /items?q=" "$work/items.out" "$sm" "$sp" "SQLite's FTS, count and first 100"

echo
echo "(c) CQL2 equality (p95 < 50 ms)"
python3 - "$work" "$a" "$table" "$db" <<'PY'
import sqlite3, sys, urllib.parse
work, base, table, db = sys.argv[1:5]
con = sqlite3.connect(db)
pick = lambda col, at: con.execute('SELECT "%s" FROM "%s" WHERE fid = ?' % (col, table), (at,)).fetchone()[0]
n = con.execute('SELECT max(fid) FROM "%s"' % table).fetchone()[0]
cols = {"id (indexed)": "id", "kind (indexed)": "kind", "commune (indexed)": "commune", "insee (indexed)": "insee", "siecle (no index)": "siecle"}
with open(work + "/cql.urls", "w") as u, open(work + "/cql.sql", "w") as q:
    for label, col in cols.items():
        u.write("# %s\n" % label)
        for k in range(8):
            v = pick(col, 1 + (k * 7919 * 131) % n)
            lit = "'%s'" % v.replace("'", "''")
            u.write("%s/collections/monuments/items?filter-lang=cql2-text&filter=%s\n" % (base, urllib.parse.quote("%s=%s" % (col, lit))))
            q.write("SELECT '-- %s %d';\nSELECT count(*) FROM \"%s\" WHERE \"%s\" = %s;\n" % (col, k, table, col, lit))
            q.write("SELECT * FROM \"%s\" WHERE \"%s\" = %s ORDER BY fid LIMIT 100;\n" % (table, col, lit))
PY
"$work/tilebench" get -urls "$work/cql.urls" -runs "$RUNS" -limit-p95 50ms | tee "$work/cql.out" | grep -v '^ALL '
read -r cm cp _ < <(sqlref "$work/cql.sql")
section "(c) CQL2" "$work/cql.out" "$cm" "$cp" "sqlite3, count and first 100 rows"

if [ -n "$POLYGONS" ]; then
  echo
  echo "(d) uncached tiles of the polygon layer $POLYGONS, z4-z8, $PER a zoom (< 50 ms, ≤ 200 KB)"
  "$work/tilebench" tiles -sample "$a/collections/dense/items?limit=10000" -zooms 4-8 -per "$PER" >"$work/dense.tiles"
  tile_urls dense "$work/dense.tiles" 4-6 7-8 >"$work/dense.urls"
  "$work/tilebench" get -urls "$work/dense.urls" -runs "$RUNS" -limit-max 50ms -limit-size 204800 | tee "$work/d.out" | grep -v '^ALL '
  read -r dm dp ds < <(floor "$work/d.out" "$work/dense.urls")
  section "(d) polygon tiles" "$work/d.out" "$dm" "$dp" "fixedbytes, $ds bytes"
fi
