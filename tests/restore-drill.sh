#!/usr/bin/env bash
# tests/restore-drill.sh [FARMGATE_BIN] — the backup and restore drill (issue #23), in embedded
# mode, against real processes:
#
#   1. `farmgate serve --demo` on a fresh data directory (the demo county: orders, refunds,
#      trace batches);
#   2. a consumer places and pays orders through the API; `farmgate backup` runs while they keep
#      coming (no write may fail);
#   3. `farmgate restore` into another directory; a second server on the copy;
#   4. through the copy's API: every order paid before the backup began is there, paid, with its
#      total; a buyer untouched by the drill has the same history (refunds included); every demo
#      batch has the same records;
#   5. `farmgate verify` on the copy: every trace chain, head, cited file and log inclusion.
#
# The binary defaults to $CARGO_TARGET_DIR/debug/farmgate (build it first). It stops what it
# started (by PID) on exit, failure or Ctrl-C. FARMGATE_DRILL_KEEP=1 keeps the scratch directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tests/services.sh
. "$ROOT/tests/services.sh"

BIN="${1:-${FARMGATE_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/farmgate}}"
[ -x "$BIN" ] || {
    printf 'restore-drill: no farmgate binary at %s (cargo build --bin farmgate)\n' "$BIN" >&2
    exit 2
}
T0="$(fg_now)"
D="$(mktemp -d "${TMPDIR:-/tmp}/farmgate-drill.XXXXXX")"
PIDS=()

drill_log() { printf '[drill %s] %s\n' "$(fg_elapsed "$T0")" "$*" >&2; }

cleanup() {
    local rc=$? pid
    set +e
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    if [ "$rc" -ne 0 ]; then
        for f in "$D"/*.log; do
            [ -f "$f" ] || continue
            printf -- '---- last 30 lines of %s ----\n' "$f" >&2
            tail -n 30 "$f" >&2
        done
    fi
    if [ "${FARMGATE_DRILL_KEEP:-}" = 1 ]; then
        drill_log "kept $D"
    else
        rm -rf "$D"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT_A="$(fg_free_port)"
PORT_B="$(fg_free_port)"
# One public address for both servers: the trace log's origin (and its key's name) comes from it.
PUBLIC="http://127.0.0.1:$PORT_A"

# Embedded mode only: drop the caller's FARMGATE_* settings (FARMGATE_TEST_* stay).
UNSET=()
for var in $(compgen -e); do
    case "$var" in
    FARMGATE_TEST_*) ;;
    FARMGATE_*) UNSET+=(-u "$var") ;;
    esac
done
# farmgate on a data directory: `fg DATA_DIR PORT ARGS...`; in the background, `fg_cmd DATA_DIR
# PORT` then `"${FG[@]}" ARGS... &` (env execs farmgate, so $! is farmgate's own PID).
fg_cmd() {
    FG=(env "${UNSET[@]}" FARMGATE_DATA_DIR="$1" FARMGATE_ADDR="127.0.0.1:$2"
        FARMGATE_PUBLIC_URL="$PUBLIC" FARMGATE_ASSETS_DIR="$ROOT/frontend-assets"
        FARMGATE_LOG=warn FARMGATE_LOGIN_ATTEMPTS_PER_ADDRESS=1000 "$BIN")
}
fg() {
    fg_cmd "$1" "$2"
    shift 2
    "${FG[@]}" "$@"
}
ready() { [ "$(fg_http_status "http://127.0.0.1:$1/readyz")" = 200 ]; }
PY=(python3 "$ROOT/tests/restore_drill.py")

# --- 1. the original ---------------------------------------------------------------------------
fg_cmd "$D/a" "$PORT_A"
"${FG[@]}" serve --demo >"$D/original.log" 2>&1 </dev/null &
PIDS+=($!)
fg_wait_until "farmgate serve --demo" 120 "${PIDS[0]}" ready "$PORT_A"
drill_log "original serving on :$PORT_A (demo county seeded)"
"${PY[@]}" snapshot "http://127.0.0.1:$PORT_A" "$D/expected.json" >&2

# --- 2. writes, and the backup among them ----------------------------------------------------
"${PY[@]}" write "http://127.0.0.1:$PORT_A" "$D/orders.jsonl" 3
"${PY[@]}" write "http://127.0.0.1:$PORT_A" "$D/orders.jsonl" 20 2>"$D/writer.log" &
WRITER=$!
PIDS+=("$WRITER")
orders_at_least() { [ "$(wc -l <"$D/orders.jsonl")" -ge "$1" ]; }
fg_wait_until "the writer's first orders" 30 "$WRITER" orders_at_least 5
BEFORE="$(wc -l <"$D/orders.jsonl")"
drill_log "$BEFORE orders paid; backing up while the writer goes on"
fg "$D/a" "$PORT_A" backup --to "$D/backups" --keep 2 >&2
AFTER_BACKUP="$(wc -l <"$D/orders.jsonl")"
wait "$WRITER" || {
    printf 'restore-drill: a write failed while the backup ran\n' >&2
    cat "$D/writer.log" >&2
    exit 1
}
drill_log "writer done: $(wc -l <"$D/orders.jsonl") orders in all, $AFTER_BACKUP when the backup finished"
ARCHIVE="$(fg "$D/a" "$PORT_A" backup --to "$D/backups" --list | tail -n 1 | cut -d' ' -f1)"
[ -f "$ARCHIVE" ] || {
    printf 'restore-drill: --list names no archive\n' >&2
    exit 1
}
kill "${PIDS[0]}" && wait "${PIDS[0]}" 2>/dev/null || true

# --- 3. restore elsewhere, a server on the copy ----------------------------------------------
fg "$D/b" "$PORT_B" restore "$ARCHIVE" >&2
if fg "$D/b" "$PORT_B" restore "$ARCHIVE" >/dev/null 2>&1; then
    printf 'restore-drill: a second restore into the occupied copy was not refused\n' >&2
    exit 1
fi
fg_cmd "$D/b" "$PORT_B"
"${FG[@]}" serve >"$D/copy.log" 2>&1 </dev/null &
COPY=$!
PIDS+=("$COPY")
fg_wait_until "farmgate serve on the copy" 60 "$COPY" ready "$PORT_B"
drill_log "copy serving on :$PORT_B"

# --- 4. the copy through its API ---------------------------------------------------------------
"${PY[@]}" check "http://127.0.0.1:$PORT_B" "$D/orders.jsonl" "$BEFORE" "$D/expected.json" >&2
kill "$COPY" && wait "$COPY" 2>/dev/null || true

# --- 5. every trace chain of the copy --------------------------------------------------------
fg "$D/b" "$PORT_B" verify >"$D/verify.log" 2>&1 || {
    cat "$D/verify.log" >&2
    exit 1
}
drill_log "farmgate verify on the copy: $(tail -n 1 "$D/verify.log")"
drill_log "restore drill passed"
