#!/usr/bin/env bash
# The checkout benchmark (issue #5): checkouts through the real farmgate binary on PostgreSQL,
# and pgbench's default TPC-B-like workload on the same server in the same run (its tps is the
# ceiling); prints orders/s, p99 and the ratio. Release build. Starts its own PostgreSQL on
# loopback (durable by default: fsync and synchronous_commit on, as in production; the test
# suite's server turns them off), with one database for farmgate and one for pgbench; installs
# wrk when missing (Debian package); stops what it started.
#
#   tests/load/checkout.sh                                   # 16 clients, 20 s, 200 buyers
#   CLIENTS=32 SECONDS_UNDER_LOAD=10 BUYERS=500 tests/load/checkout.sh
#   FSYNC=off tests/load/checkout.sh                         # the test suite's settings
#   POOL=16 tests/load/checkout.sh                           # farmgate's database pool (default 10)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=tests/services.sh
. "$ROOT/tests/services.sh"
if [ -z "${CARGO_TARGET_DIR:-}" ] && [ -d "$HOME/.cache/farmgate-target" ]; then
    export CARGO_TARGET_DIR="$HOME/.cache/farmgate-target"
fi
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
FSYNC="${FSYNC:-on}"
case "$FSYNC" in on | off) ;; *)
    echo "FSYNC must be on or off" >&2
    exit 2
    ;;
esac

fg_services_init
trap 'fg_services_stop' EXIT
if ! command -v wrk >/dev/null 2>&1; then
    fg_apt_install wrk
fi
cargo build --release --locked -p farmgate-server --bin farmgate -p farmgate-tests --bin checkout-bench

# A benchmark's PostgreSQL (tests/services.sh), with pg_stat_statements preloaded (the bench
# keeps it off while measuring).
fg_start_bench_postgres "$FSYNC" "-c max_connections=300 -c shared_preload_libraries=pg_stat_statements"
PGBENCH_BIN="$PG_BIN/pgbench"

psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
    -c 'CREATE DATABASE fg_checkout' -c 'CREATE DATABASE fg_pgbench'
DATA="$FG_SERVICES_DIR/bench"
"$TARGET/release/checkout-bench" --farmgate "$TARGET/release/farmgate" --data-dir "$DATA" \
    --database-url "postgres://postgres@127.0.0.1:$PG_PORT/fg_checkout" \
    --pgbench-url "postgres://postgres@127.0.0.1:$PG_PORT/fg_pgbench" \
    --pgbench "$PGBENCH_BIN" \
    --seconds "${SECONDS_UNDER_LOAD:-20}" --warmup "${WARMUP:-5}" \
    --profile-seconds "${PROFILE_SECONDS:-5}" \
    --clients "${CLIENTS:-16}" --threads "${THREADS:-2}" --buyers "${BUYERS:-200}" \
    --sellers "${SELLERS:-8}" --listings "${LISTINGS:-4}" --scale "${SCALE:-10}" \
    --pool "${POOL:-0}"
