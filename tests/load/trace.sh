#!/usr/bin/env bash
# The scan-page benchmark: 10,000 batches with their records, then wrk (a second process)
# loads GET /t/{code} over random codes, and GET /healthz as the trivial baseline, through the
# real farmgate binary, with the in-process cache and with Redis. Release build. Installs wrk
# and starts Redis on loopback when missing (Debian packages); stops what it started.
#
#   tests/load/trace.sh                                  # 10,000 batches, 20 s per row
#   BATCHES=2000 SECONDS_UNDER_LOAD=5 tests/load/trace.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=tests/services.sh
. "$ROOT/tests/services.sh"
if [ -z "${CARGO_TARGET_DIR:-}" ] && [ -d "$HOME/.cache/farmgate-target" ]; then
    export CARGO_TARGET_DIR="$HOME/.cache/farmgate-target"
fi
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
if ! command -v wrk >/dev/null 2>&1; then
    fg_services_init
    fg_apt_install wrk
fi
cargo build --release --locked -p farmgate-server --bin farmgate -p farmgate-tests --bin trace-bench
trap 'fg_services_stop' EXIT
fg_start_redis
DATA="$(mktemp -d)"
trap 'rm -rf "$DATA"; fg_services_stop' EXIT
"$TARGET/release/trace-bench" --farmgate "$TARGET/release/farmgate" --data-dir "$DATA/data" \
    --batches "${BATCHES:-10000}" --seconds "${SECONDS_UNDER_LOAD:-20}" \
    --threads "${THREADS:-2}" --connections "${CONNECTIONS:-32}" \
    --redis "$FARMGATE_TEST_REDIS_URL"
