#!/usr/bin/env bash
# bench/postgis-kill.sh: kill -9 an import into PostGIS 50 times (PATRIMAP_KILL_TRIES), at moments spread over
# the import, and check each time that the previous version is served whole and that nothing of the killed
# import is left (cmd/patrimap TestKilledImportChangesNothing, which runs 5 tries in `make test`).
# Runs on a throw-away PostgreSQL + PostGIS (test/pg.sh), or on $PATRIMAP_TEST_POSTGRES when set.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATRIMAP_KILL_TRIES=${PATRIMAP_KILL_TRIES:-50}
test/pg.sh run -- go test -count=1 -timeout 30m -run '^TestKilledImportChangesNothing$' -v ./cmd/patrimap/ |
	grep -E '^(--- |ok|FAIL|PASS)|tries:|try [0-9]+'
