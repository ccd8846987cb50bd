#!/usr/bin/env bash
# The statistics benchmark (issue #7): a large order history, the rollups rebuilt from it, and
# every query of the officials' dashboard timed against the real farmgate binary, on a SQLite
# file and on PostgreSQL. Release build. For each backend: migrate, seed the demo county,
# `farmgate demo-history` (back-dated orders written straight into the tables), a timed
# `farmgate stats-rebuild`, the database's size, then `farmgate serve` and stats-bench
# (tests/load/stats_bench.rs): the official logs in, each query gets WARMUP + REQUESTS requests
# one at a time (p50/p95/max), and a year by day is exported as XLSX and CSV (time, bytes, the
# server's peak memory). Starts its own PostgreSQL on loopback (durable by default: fsync and
# synchronous_commit on, as in production) and stops everything it started.
#
#   tests/load/stats.sh                                  # 1,000,000 orders over 730 days, both backends
#   ORDERS=20000 tests/load/stats.sh                     # a quick run
#   BACKENDS=postgres ORDERS=200000 tests/load/stats.sh  # one backend
#   REQUESTS=50 WARMUP=5 DAYS=730 BUYERS=50000 SEED=1 tests/load/stats.sh
#   FSYNC=off tests/load/stats.sh                        # the test suite's PostgreSQL settings
#   PG_SHARED_BUFFERS=128MB tests/load/stats.sh          # PostgreSQL's default (the bench uses 1GB)
#   KEEP=1 tests/load/stats.sh                           # keep the databases and logs (path printed)
#
# `demo-history` is a hidden subcommand: `farmgate demo-history --help` documents it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=tests/services.sh
. "$ROOT/tests/services.sh"
if [ -z "${CARGO_TARGET_DIR:-}" ] && [ -d "$HOME/.cache/farmgate-target" ]; then
    export CARGO_TARGET_DIR="$HOME/.cache/farmgate-target"
fi
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
ORDERS="${ORDERS:-1000000}"
DAYS="${DAYS:-730}"
BACKENDS="${BACKENDS:-sqlite postgres}"
FSYNC="${FSYNC:-on}"
case "$FSYNC" in on | off) ;; *)
    echo "FSYNC must be on or off" >&2
    exit 2
    ;;
esac

cargo build --release --locked -p farmgate-server --bin farmgate -p farmgate-tests --bin stats-bench
FG="$TARGET/release/farmgate"
BENCH="$TARGET/release/stats-bench"

fg_services_init
if [ "${KEEP:-0}" = 1 ]; then
    export FG_KEEP_SERVICES_DIR=1
fi
trap 'fg_services_stop' EXIT

# timed NAME CMD... — runs CMD; prints its wall time and peak memory.
timed() {
    local name="$1" t0 rss=""
    shift
    t0="$(fg_now)"
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$FG_SERVICES_DIR/rss" "$@"
        rss="$(tail -n1 "$FG_SERVICES_DIR/rss")"
        rss="$(awk -v k="$rss" 'BEGIN { printf "%.0f MB", k / 1024 }')"
    else
        "$@"
    fi
    printf '  %-16s %s   peak memory %s\n' "$name" "$(fg_elapsed "$t0")" "${rss:--}"
}

# A benchmark's PostgreSQL (tests/services.sh), with room for a database of a few gigabytes.
PG_PORT=""
start_bench_postgres() {
    fg_start_bench_postgres "$FSYNC" \
        "-c max_connections=100 -c shared_buffers=${PG_SHARED_BUFFERS:-1GB} -c max_wal_size=4GB"
}

pg() { psql -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -d fg_stats "$@"; }

db_report() {
    local backend="$1" data="$2"
    if [ "$backend" = sqlite ]; then
        local db="$data/data/farmgate.db"
        sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null 2>&1 || true
        echo "  database file: $(du -h "$db" | cut -f1) ($(stat -c %s "$db") bytes)"
        echo "  orders $(sqlite3 "$db" 'select count(*) from orders'), lines $(sqlite3 "$db" 'select count(*) from order_lines'), stats_sales rows $(sqlite3 "$db" 'select count(*) from stats_sales'), stats_buyer_days rows $(sqlite3 "$db" 'select count(*) from stats_buyer_days')"
        echo "  largest tables and indexes (MB):"
        sqlite3 "$db" "SELECT printf('    %-36s %8.1f', name, SUM(pgsize) / 1048576.0) FROM dbstat GROUP BY name ORDER BY SUM(pgsize) DESC LIMIT 14" 2>/dev/null ||
            echo "    (this sqlite3 has no dbstat)"
    else
        echo "  database: $(pg -c "select pg_size_pretty(pg_database_size('fg_stats'))") ($(pg -c "select pg_database_size('fg_stats')") bytes)"
        echo "  orders $(pg -c 'select count(*) from orders'), lines $(pg -c 'select count(*) from order_lines'), stats_sales rows $(pg -c 'select count(*) from stats_sales'), stats_buyer_days rows $(pg -c 'select count(*) from stats_buyer_days')"
        echo "  largest tables with their indexes:"
        pg -c "SELECT format('    %-36s %10s', relname, pg_size_pretty(pg_total_relation_size(c.oid))) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 12"
    fi
}

run_backend() {
    local backend="$1" data="$FG_SERVICES_DIR/farmgate-$1"
    mkdir -p "$data"
    echo
    echo "=== $backend: $ORDERS orders over $DAYS days ==="
    export FARMGATE_DATA_DIR="$data/data"
    export FARMGATE_LOG="${FARMGATE_LOG:-warn}"
    unset FARMGATE_DATABASE_URL
    if [ "$backend" = postgres ]; then
        [ -n "$PG_PORT" ] || start_bench_postgres
        psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c 'CREATE DATABASE fg_stats'
        export FARMGATE_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/fg_stats"
    fi
    timed migrate "$FG" migrate
    timed seed-demo "$FG" seed-demo
    timed demo-history "$FG" demo-history --orders "$ORDERS" --days "$DAYS" \
        ${BUYERS:+--buyers "$BUYERS"} --seed "${SEED:-1}"
    if [ "$backend" = postgres ]; then
        # What autovacuum would have done by the time anyone looks (a bulk load leaves no
        # statistics behind).
        timed "vacuum analyze" psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d fg_stats -c 'VACUUM ANALYZE'
    fi
    timed stats-rebuild "$FG" stats-rebuild
    if [ "$backend" = postgres ]; then
        timed "vacuum analyze" psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d fg_stats -c 'VACUUM ANALYZE'
    fi
    db_report "$backend" "$data"

    local port pid
    port="$(fg_free_port)"
    FARMGATE_ADDR="127.0.0.1:$port" FARMGATE_LOGIN_ATTEMPTS_PER_ADDRESS=1000 \
        "$FG" serve >"$data/serve.log" 2>&1 &
    pid=$!
    fg_track "farmgate-$backend" "$pid" ""
    fg_wait_until "farmgate serve ($backend)" 120 "$pid" curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"
    "$BENCH" --url "http://127.0.0.1:$port" --pid "$pid" \
        --warmup "${WARMUP:-5}" --requests "${REQUESTS:-50}"
    fg_stop_one "farmgate-$backend"
    if [ "${KEEP:-0}" != 1 ]; then
        # A million orders take gigabytes: make room for the next backend.
        rm -rf "$data/data"
        if [ "$backend" = postgres ]; then
            psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c 'DROP DATABASE fg_stats'
        fi
    fi
}

echo "stats benchmark: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) memory, load $(cut -d' ' -f1-3 /proc/loadavg)"
for backend in $BACKENDS; do
    case "$backend" in
    sqlite | postgres) run_backend "$backend" ;;
    *)
        echo "unknown backend $backend (sqlite or postgres)" >&2
        exit 2
        ;;
    esac
done
if [ "${KEEP:-0}" = 1 ]; then
    echo "kept: $FG_SERVICES_DIR"
fi
