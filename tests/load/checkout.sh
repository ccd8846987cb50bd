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

# Like fg_start_postgres, with the durability settings a benchmark should have, and
# pg_stat_statements preloaded (the bench keeps it off while measuring).
start_bench_postgres() {
    local pgbin dir port pid as=()
    if ! pgbin="$(fg_pg_bin)"; then
        fg_apt_install "postgresql-$FG_PG_VERSION" || fg_apt_install postgresql || return 1
        pgbin="$(fg_pg_bin)" || return 1
    fi
    dir="$FG_SERVICES_DIR/postgres"
    mkdir -p "$dir"
    if fg_is_root; then
        chown postgres: "$dir"
        as=(runuser -u postgres --)
    fi
    "${as[@]}" "$pgbin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        return 1
    }
    port="$(fg_free_port)"
    local opts="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir"
    opts+=" -c max_connections=300 -c shared_preload_libraries=pg_stat_statements"
    if [ "$FSYNC" = off ]; then
        opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -o "$opts" start \
        >"$dir/pg_ctl.log" 2>&1 || {
        cat "$dir/pg_ctl.log" "$dir/postgres.log" >&2
        return 1
    }
    pid="$(head -n1 "$dir/data/postmaster.pid")"
    fg_track postgres "$pid" "$(printf '%q ' "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop)"
    fg_wait_until "PostgreSQL" 30 "$pid" \
        psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'select 1' || return 1
    PG_PORT="$port"
    PGBENCH_BIN="$pgbin/pgbench"
    fg_log "PostgreSQL on 127.0.0.1:$port (PID $pid, fsync $FSYNC)"
}
start_bench_postgres

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
