#!/usr/bin/env bash
# bench/inpn.sh: patrimap and ogr2ogr side by side on the national APB and PN zips (issue 3's benchmark).
#
# For each file, both tools run RUNS times (default 5) into a fresh database; the script prints the median
# wall time and the median peak memory (maximum resident set size, from GNU time) of each, and their ratios.
# ogr2ogr gets the options that make its work comparable: reprojection to WGS84, repair, promotion to multi.
#
#   bench/inpn.sh            # from the repository's root; builds bin/patrimap first
#   RUNS=9 bench/inpn.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
command -v ogr2ogr >/dev/null || { echo "ogr2ogr not found: sudo apt-get install -y gdal-bin" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time not found: sudo apt-get install -y time" >&2; exit 1; }
go build -trimpath -o bin/patrimap ./cmd/patrimap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median of the numbers on stdin
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# measure NAME CMD...: runs CMD RUNS times, prints "median_seconds median_MB"
measure() {
  local name=$1; shift
  : > "$tmp/$name.times"
  for _ in $(seq "$RUNS"); do
    rm -f "$tmp"/out.db* "$tmp"/out.sqlite
    /usr/bin/time -f "%e %M" -o "$tmp/one" "$@" >/dev/null 2>&1
    cat "$tmp/one" >> "$tmp/$name.times"
  done
  echo "$(cut -d' ' -f1 "$tmp/$name.times" | median) $(cut -d' ' -f2 "$tmp/$name.times" | median | awk '{ printf "%.1f", $1 / 1024 }')"
}

printf "%-8s %-9s %10s %12s\n" file tool "wall (s)" "peak RSS (MB)"
for spec in "apb/apb.zip:apb/apb.shp" "pn/pn.zip:pn/pn2016_06/N_ENP_PN_S_000.shp"; do
  zip=testdata/inpn/${spec%%:*}
  member=${spec#*:}
  read -r pt pm < <(measure patrimap bin/patrimap import inpn --file "$zip" --db "$tmp/out.db")
  read -r gt gm < <(measure ogr2ogr ogr2ogr -f SQLite -dsco SPATIALITE=YES -t_srs EPSG:4326 -makevalid \
    -nlt PROMOTE_TO_MULTI "$tmp/out.sqlite" "/vsizip/$PWD/$zip/$member")
  name=$(basename "$zip")
  printf "%-8s %-9s %10s %12s\n" "$name" patrimap "$pt" "$pm"
  printf "%-8s %-9s %10s %12s\n" "$name" ogr2ogr "$gt" "$gm"
  awk -v a="$pt" -v b="$gt" -v c="$pm" -v d="$gm" -v n="$name" \
    'BEGIN { printf "%-8s ratio     %9.2fx %11.2fx   (patrimap / ogr2ogr; below 1 is better)\n", n, a / b, c / d }'
done
echo "medians of $RUNS runs; patrimap's PN import writes two datasets (cœurs, aires d'adhésion), and a simplified copy of each for the vector tiles"
