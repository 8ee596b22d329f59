#!/usr/bin/env bash
# test/pg.sh: a throw-away PostgreSQL cluster with PostGIS for the tests and benchmarks, in a temporary folder,
# listening on a Unix socket only (no port, no Docker, nothing left behind).
#
#   test/pg.sh run -- COMMAND...   start a cluster, run COMMAND with PATRIMAP_TEST_POSTGRES set to its URL, stop it
#   test/pg.sh start DIR           start a cluster in DIR (kept running) and print its URL
#   test/pg.sh stop DIR            stop the cluster in DIR and remove DIR
#
# When PATRIMAP_TEST_POSTGRES is already set (a database someone runs), `run` uses it and starts nothing.
# The cluster needs Debian's postgresql-15-postgis-3 (make test-deps installs it). initdb refuses to run as root:
# as root, the cluster runs as the `postgres` system user that Debian's package creates.
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

die() { echo "test/pg.sh: $*" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
	local dir=$1
	[ -x "$PGBIN/initdb" ] || die "no PostgreSQL server found: install it with 'sudo apt-get install -y postgresql-15-postgis-3' (or run 'make test-deps')"
	ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 ||
		die "PostGIS is not installed: 'sudo apt-get install -y postgresql-15-postgis-3'"
	mkdir -p "$dir"
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' system user (Debian's postgresql package creates it)"
		chown postgres "$dir"
	fi
	as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; die "initdb failed"; }
	# fsync off: a test cluster is thrown away, and it makes the import tests several times faster.
	as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null || { cat "$dir/server.log" >&2; die "the server did not start"; }
	"$PGBIN/psql" -h "$dir" -U postgres -d postgres -qAt -c "CREATE DATABASE patrimap_test" >/dev/null
	"$PGBIN/psql" -h "$dir" -U postgres -d patrimap_test -qAt -c "CREATE EXTENSION postgis" >/dev/null
	echo "postgres://postgres@/patrimap_test?host=$dir&sslmode=disable"
}

stop() {
	local dir=$1
	[ -d "$dir/data" ] && as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}

case ${1:-} in
start) start "${2:?test/pg.sh start DIR}" ;;
stop) stop "${2:?test/pg.sh stop DIR}" ;;
run)
	shift
	[ "${1:-}" = "--" ] && shift
	[ $# -gt 0 ] || die "run: give the command to run after --"
	if [ -n "${PATRIMAP_TEST_POSTGRES:-}" ]; then exec "$@"; fi
	dir=$(mktemp -d /tmp/patrimap-pg.XXXXXX)
	trap 'stop "$dir"' EXIT INT TERM
	PATRIMAP_TEST_POSTGRES=$(start "$dir")
	export PATRIMAP_TEST_POSTGRES
	echo "test/pg.sh: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') with PostGIS at $PATRIMAP_TEST_POSTGRES" >&2
	"$@"
	;;
*) die "usage: test/pg.sh run -- COMMAND | start DIR | stop DIR" ;;
esac
