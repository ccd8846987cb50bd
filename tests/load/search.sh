#!/usr/bin/env bash
# The catalogue search benchmark: 100,000 listings with realistic Chinese titles, a full index
# rebuild (timed), then GET /api/v1/search through the real farmgate binary under load, with
# the server's memory. Release build. Prints a Markdown table.
#
#   tests/load/search.sh                       # embedded engine, 100k listings, 8 clients, 30 s
#   LISTINGS=20000 SECONDS_UNDER_LOAD=10 CLIENTS=4 tests/load/search.sh
#   LISTINGS=1000000 ROUNDS=5 COMPARE_SECONDS=15 tests/load/search.sh   # a million listings
# Query understanding against the plain baseline is measured interleaved, ROUNDS rounds (3) of
# COMPARE_SECONDS (20) each; the median ratio is the figure (tests/README.md).
#   FARMGATE_MEILI_URL=http://127.0.0.1:7700 FARMGATE_MEILI_KEY=... tests/load/search.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
if [ -z "${CARGO_TARGET_DIR:-}" ] && [ -d "$HOME/.cache/farmgate-target" ]; then
    export CARGO_TARGET_DIR="$HOME/.cache/farmgate-target"
fi
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
cargo build --release --locked -p farmgate-server --bin farmgate -p farmgate-tests --bin search-bench
DATA="$(mktemp -d)"
trap 'rm -rf "$DATA"' EXIT
"$TARGET/release/search-bench" --farmgate "$TARGET/release/farmgate" --data-dir "$DATA/data" \
    --listings "${LISTINGS:-100000}" --seconds "${SECONDS_UNDER_LOAD:-30}" --clients "${CLIENTS:-8}" \
    --rounds "${ROUNDS:-3}" --compare-seconds "${COMPARE_SECONDS:-20}"
