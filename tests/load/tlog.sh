#!/usr/bin/env bash
# The transparency-log benchmark (#17): batches recorded through the real record path (events/s;
# every event appends its log leaf in its transaction), checkpoints signed and cosigned by two
# witnesses over HTTP (latency), then wrk (a second process) against the real farmgate binary:
# the scan page, the public JSON, the verdict and the inclusion proof, each as a ratio to
# /healthz of the same server in the same run, and tile serving (hash tiles, entry bundles);
# finally `verify --remote` of one code over the whole log. Release build, SQLite, loopback.
# Installs wrk when missing (Debian package). Not part of CI.
#
#   tests/load/tlog.sh                                   # 100,000 batches (500,000 events), 20 s per row
#   BATCHES=10000 SECONDS_UNDER_LOAD=10 tests/load/tlog.sh
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
cargo build --release --locked -p farmgate-server --bin farmgate -p farmgate-tests --bin tlog-bench
DATA="$(mktemp -d)"
trap 'rm -rf "$DATA"' EXIT
"$TARGET/release/tlog-bench" --farmgate "$TARGET/release/farmgate" --data-dir "$DATA/data" \
    --batches "${BATCHES:-100000}" --seconds "${SECONDS_UNDER_LOAD:-20}" \
    --threads "${THREADS:-2}" --connections "${CONNECTIONS:-32}" \
    --checkpoint-every "${CHECKPOINT_EVERY:-5000}"
