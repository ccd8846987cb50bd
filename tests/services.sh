# shellcheck shell=bash
# tests/services.sh — start and stop real backends for the Farmgate tests.
#
# Sourced by tests/run.sh; also usable by hand from bash:
#
#   . tests/services.sh
#   fg_services_start_all          # PostgreSQL, Redis, S3 (s3s-fs); exports FARMGATE_TEST_*
#   fg_start_postgres              # ...or start one at a time
#   cargo nextest run -p farmgate-tests
#   fg_services_stop               # stops only what this shell started
#
# Every server listens on 127.0.0.1 only, on a free port, with its files in one scratch
# directory ($FG_SERVICES_DIR, under $TMPDIR) that fg_services_stop removes. Missing
# programs are installed from Debian's packages (redis-server, postgresql-15, chromium),
# cargo install (s3s-fs) and npm (tests/browser's node_modules); nothing else is downloaded.
#
# The functions return non-zero with a message on stderr when something fails; they do
# not exit the calling shell.

# --- state --------------------------------------------------------------------------------
# Always a fresh mktemp directory of our own (never taken from the environment, since
# fg_services_stop deletes it).
FG_SERVICES_DIR=""
# Parallel arrays of what this shell started: a name, a PID, and how to stop it.
FG_SVC_NAMES=()
FG_SVC_PIDS=()
FG_SVC_STOPS=()

FG_PG_VERSION="${FG_PG_VERSION:-15}"
FG_S3S_FS_VERSION="0.14.1" # newer versions need a newer Rust than 1.95
FG_CHROMIUM="${FG_CHROMIUM:-/usr/bin/chromium}"

# --- small helpers ------------------------------------------------------------------------
fg_log() { printf '[services] %s\n' "$*" >&2; }
fg_err() { printf '[services] ERROR: %s\n' "$*" >&2; }

# Seconds since the epoch with a fraction (bash 5), or whole seconds.
fg_now() { printf '%s' "${EPOCHREALTIME:-$(date +%s)}"; }
# fg_elapsed START -> "1.23s"
fg_elapsed() { awk -v s="$1" -v e="$(fg_now)" 'BEGIN { printf "%.1fs", e - s }'; }

fg_is_root() { [ "$(id -u)" -eq 0 ]; }

# A TCP port on 127.0.0.1 that nothing listens on right now.
fg_free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' && return 0
    fi
    local port tries=0
    while [ "$tries" -lt 200 ]; do
        port=$((20000 + RANDOM % 40000))
        if ! fg_port_open "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    fg_err "no free port found"
    return 1
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
fg_port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# HTTP status code of GET URL ("000" when nothing answers).
fg_http_status() {
    if command -v curl >/dev/null 2>&1; then
        curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true
        return 0
    fi
    # Fallback without curl: a bare HTTP/1.0 request over bash's /dev/tcp.
    local hostport="${1#http://}" path
    path="/${hostport#*/}"
    [ "$path" = "/$hostport" ] && path=/
    hostport="${hostport%%/*}"
    local line
    line=$( (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" &&
        printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hostport" >&3 &&
        head -n1 <&3) 2>/dev/null) || line=""
    line="${line#* }"
    printf '%s' "${line:0:3}"
    [ -n "$line" ] || printf '000'
}

# fg_wait_until DESCRIPTION TIMEOUT_SECONDS PID CMD... — run CMD every 0.2 s until it
# succeeds; fail if PID (when not empty) exits first or the time runs out.
fg_wait_until() {
    local what="$1" timeout="$2" pid="$3"
    shift 3
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            fg_err "$what exited before it was ready"
            return 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            fg_err "$what not ready after ${timeout}s"
            return 1
        fi
        sleep 0.2
    done
}

# The scratch directory for everything this shell starts.
fg_services_init() {
    if [ -n "$FG_SERVICES_DIR" ] && [ -d "$FG_SERVICES_DIR" ]; then
        return 0
    fi
    FG_SERVICES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/farmgate-services.XXXXXX")" || {
        fg_err "cannot create a scratch directory"
        return 1
    }
    # PostgreSQL runs as the postgres user, which must be able to reach its subdirectory.
    chmod 711 "$FG_SERVICES_DIR"
}

# fg_track NAME PID STOP_COMMAND — remember something to stop later (STOP_COMMAND is
# eval'd; empty means "kill PID").
fg_track() {
    FG_SVC_NAMES+=("$1")
    FG_SVC_PIDS+=("$2")
    FG_SVC_STOPS+=("${3:-}")
}

# Stop a PID: TERM, wait up to 10 s, then KILL.
fg_kill_pid() {
    local pid="$1" i=0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do
        sleep 0.2
        i=$((i + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        fg_log "PID $pid did not stop on TERM; sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    # Reap it when it is our child (silences bash's "Terminated" notice).
    wait "$pid" 2>/dev/null || true
}

# fg_stop_one NAME — stop the most recently started service with this name.
fg_stop_one() {
    local i
    for ((i = ${#FG_SVC_NAMES[@]} - 1; i >= 0; i--)); do
        if [ "${FG_SVC_NAMES[$i]}" = "$1" ] && [ -n "${FG_SVC_PIDS[$i]}" ]; then
            fg_stop_index "$i"
            return 0
        fi
    done
}

fg_stop_index() {
    local i="$1" name="${FG_SVC_NAMES[$1]}" pid="${FG_SVC_PIDS[$1]}" stop="${FG_SVC_STOPS[$1]}"
    [ -n "$pid" ] || return 0
    if [ -n "$stop" ]; then
        eval "$stop" >/dev/null 2>&1 || true
    fi
    fg_kill_pid "$pid"
    FG_SVC_PIDS[i]=""
    fg_log "stopped $name (PID $pid)"
}

# Stop everything this shell started, newest first, and remove the scratch directory
# (kept when FG_KEEP_SERVICES_DIR=1, e.g. to read logs). Safe to call more than once.
fg_services_stop() {
    local i
    for ((i = ${#FG_SVC_NAMES[@]} - 1; i >= 0; i--)); do
        fg_stop_index "$i"
    done
    if [ -n "$FG_SERVICES_DIR" ] && [ -d "$FG_SERVICES_DIR" ]; then
        if [ "${FG_KEEP_SERVICES_DIR:-0}" = 1 ]; then
            fg_log "kept $FG_SERVICES_DIR"
        else
            rm -rf "$FG_SERVICES_DIR"
        fi
    fi
    FG_SERVICES_DIR=""
}

# apt-get install PACKAGE... as root; runs `apt-get update` only when the first try fails
# (e.g. a fresh machine with empty package lists). Waits for another apt/dpkg to finish.
fg_apt_install() {
    if ! fg_is_root; then
        fg_err "need root to install $* (run: sudo apt-get install -y $*)"
        return 1
    fi
    local t0
    t0="$(fg_now)"
    fg_log "installing Debian package(s): $*"
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -q)
    if ! "${apt[@]}" install --no-install-recommends "$@" >"${FG_SERVICES_DIR:-/tmp}/apt.log" 2>&1; then
        fg_log "apt-get install failed; running apt-get update and trying again"
        "${apt[@]}" update >>"${FG_SERVICES_DIR:-/tmp}/apt.log" 2>&1 || true
        if ! "${apt[@]}" install --no-install-recommends "$@" >>"${FG_SERVICES_DIR:-/tmp}/apt.log" 2>&1; then
            tail -n 20 "${FG_SERVICES_DIR:-/tmp}/apt.log" >&2
            fg_err "apt-get install $* failed"
            return 1
        fi
    fi
    fg_log "installed $* in $(fg_elapsed "$t0")"
}

# fg_start_bench_postgres FSYNC EXTRA_OPTS — like fg_start_postgres, with the durability a
# benchmark should have (FSYNC=on: fsync and synchronous_commit as in production; off: the test
# suite's settings) and EXTRA_OPTS for the server; installs PostgreSQL when missing. Sets
# PG_PORT and PG_BIN. Used by tests/load/checkout.sh and tests/load/stats.sh.
fg_start_bench_postgres() {
    local fsync="$1" extra="$2" pgbin dir port pid as=()
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
    local opts="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir $extra"
    if [ "$fsync" = off ]; then
        opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -o "$opts" start \
        >"$dir/pg_ctl.log" 2>&1 || {
        cat "$dir/pg_ctl.log" "$dir/postgres.log" >&2
        return 1
    }
    pid="$(head -n1 "$dir/data/postmaster.pid")"
    fg_track postgres "$pid" "$(printf '%q ' "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop)"
    fg_wait_until "PostgreSQL" 30 "$pid" \
        psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'select 1' || return 1
    PG_PORT="$port"
    PG_BIN="$pgbin"
    fg_log "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (PID $pid, fsync $fsync)"
}

# --- PostgreSQL -----------------------------------------------------------------------------
fg_pg_bin() {
    local d
    if [ -n "${PGBIN:-}" ] && [ -x "$PGBIN/initdb" ]; then
        printf '%s\n' "$PGBIN"
        return 0
    fi
    if [ -x "/usr/lib/postgresql/$FG_PG_VERSION/bin/initdb" ]; then
        printf '%s\n' "/usr/lib/postgresql/$FG_PG_VERSION/bin"
        return 0
    fi
    # Any other installed major version (the highest one).
    local best=""
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] || continue
        if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$d" | sort -V | tail -n1)" = "$d" ]; then
            best="$d"
        fi
    done
    [ -n "$best" ] || return 1
    printf '%s\n' "$best"
}

fg_start_postgres() {
    fg_services_init || return 1
    local t0 pgbin dir port
    t0="$(fg_now)"
    if ! pgbin="$(fg_pg_bin)"; then
        fg_apt_install "postgresql-$FG_PG_VERSION" || fg_apt_install postgresql || return 1
        pgbin="$(fg_pg_bin)" || {
            fg_err "PostgreSQL installed but no initdb under /usr/lib/postgresql/*/bin"
            return 1
        }
    fi
    dir="$FG_SERVICES_DIR/postgres"
    mkdir -p "$dir"
    # initdb and postgres refuse to run as root: run them as the postgres user.
    local as=()
    if fg_is_root; then
        if ! id postgres >/dev/null 2>&1; then
            fg_err "no 'postgres' user to run PostgreSQL as (is the Debian package installed?)"
            return 1
        fi
        chown postgres: "$dir"
        as=(runuser -u postgres --)
    fi
    if ! "${as[@]}" "$pgbin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        fg_err "initdb failed"
        return 1
    fi
    port="$(fg_free_port)" || return 1
    local opts="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir"
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    if ! "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -o "$opts" start \
        >"$dir/pg_ctl.log" 2>&1; then
        cat "$dir/pg_ctl.log" "$dir/postgres.log" >&2 2>/dev/null
        fg_err "PostgreSQL did not start (log: $dir/postgres.log)"
        return 1
    fi
    local pid
    pid="$(head -n1 "$dir/data/postmaster.pid")"
    local stop
    stop="$(printf '%q ' "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop)"
    fg_track postgres "$pid" "$stop"
    if command -v psql >/dev/null 2>&1; then
        fg_wait_until "PostgreSQL" 30 "$pid" \
            psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'select 1' || return 1
    else
        fg_wait_until "PostgreSQL" 30 "$pid" fg_port_open "$port" || return 1
    fi
    export FARMGATE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
    fg_log "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (PID $pid) ready in $(fg_elapsed "$t0")"
}

# --- Redis ----------------------------------------------------------------------------------
fg_redis_ping() {
    if command -v redis-cli >/dev/null 2>&1; then
        [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
    else
        local reply
        reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'PING\r\n' >&3 && head -c 5 <&3) 2>/dev/null)
        [ "$reply" = "+PONG" ]
    fi
}

fg_start_redis() {
    fg_services_init || return 1
    local t0 dir port pid
    t0="$(fg_now)"
    if ! command -v redis-server >/dev/null 2>&1; then
        fg_apt_install redis-server || return 1
    fi
    dir="$FG_SERVICES_DIR/redis"
    mkdir -p "$dir"
    port="$(fg_free_port)" || return 1
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
        --daemonize no >"$dir/redis.log" 2>&1 </dev/null &
    pid=$!
    fg_track redis "$pid" ""
    if ! fg_wait_until "Redis" 30 "$pid" fg_redis_ping "$port"; then
        cat "$dir/redis.log" >&2
        return 1
    fi
    export FARMGATE_TEST_REDIS_URL="redis://127.0.0.1:$port/"
    fg_log "Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$port (PID $pid) ready in $(fg_elapsed "$t0")"
}

# --- S3 (s3s-fs) ----------------------------------------------------------------------------
fg_s3s_fs_bin() {
    local b
    for b in "$(command -v s3s-fs 2>/dev/null || true)" "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs" "$HOME/.cargo/bin/s3s-fs"; do
        if [ -n "$b" ] && [ -x "$b" ]; then
            printf '%s\n' "$b"
            return 0
        fi
    done
    return 1
}

fg_start_s3() {
    fg_services_init || return 1
    local t0 bin dir port pid
    t0="$(fg_now)"
    if ! bin="$(fg_s3s_fs_bin)"; then
        local ti
        ti="$(fg_now)"
        fg_log "installing s3s-fs $FG_S3S_FS_VERSION with cargo install (takes about 3 minutes)"
        # Its own target dir, so it never touches the project's build cache.
        if ! CARGO_TARGET_DIR="$FG_SERVICES_DIR/s3s-fs-build" \
            cargo install "s3s-fs@$FG_S3S_FS_VERSION" --features binary --locked \
            >"$FG_SERVICES_DIR/s3s-fs-install.log" 2>&1; then
            tail -n 30 "$FG_SERVICES_DIR/s3s-fs-install.log" >&2
            fg_err "cargo install s3s-fs failed"
            return 1
        fi
        rm -rf "$FG_SERVICES_DIR/s3s-fs-build"
        fg_log "installed s3s-fs in $(fg_elapsed "$ti")"
        bin="$(fg_s3s_fs_bin)" || {
            fg_err "s3s-fs installed but not found"
            return 1
        }
    fi
    dir="$FG_SERVICES_DIR/s3"
    mkdir -p "$dir/root"
    port="$(fg_free_port)" || return 1
    local ak="farmgate-test-access" sk="farmgate-test-secret"
    "$bin" --host 127.0.0.1 --port "$port" --access-key "$ak" --secret-key "$sk" "$dir/root" \
        >"$dir/s3s-fs.log" 2>&1 </dev/null &
    pid=$!
    fg_track s3 "$pid" ""
    # Any HTTP answer (403 for an unsigned request) means it is serving.
    if ! fg_wait_until "s3s-fs" 30 "$pid" fg_s3_answers "http://127.0.0.1:$port/"; then
        cat "$dir/s3s-fs.log" >&2
        return 1
    fi
    export FARMGATE_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
    export FARMGATE_TEST_S3_ACCESS_KEY="$ak"
    export FARMGATE_TEST_S3_SECRET_KEY="$sk"
    export FARMGATE_TEST_S3_REGION="us-east-1"
    fg_log "s3s-fs on 127.0.0.1:$port (PID $pid) ready in $(fg_elapsed "$t0")"
}

fg_s3_answers() {
    local code
    code="$(fg_http_status "$1")"
    [ -n "$code" ] && [ "$code" != 000 ]
}

# --- Meilisearch ----------------------------------------------------------------------------
# No registry reachable here ships a Meilisearch server: use one only when given.
fg_check_meili() {
    if [ -n "${FARMGATE_TEST_MEILI_URL:-}" ] && [ -n "${FARMGATE_TEST_MEILI_KEY:-}" ]; then
        export FARMGATE_TEST_MEILI_URL FARMGATE_TEST_MEILI_KEY
        fg_log "Meilisearch: using $FARMGATE_TEST_MEILI_URL from the environment"
    else
        unset FARMGATE_TEST_MEILI_URL FARMGATE_TEST_MEILI_KEY
        fg_log "Meilisearch: not installable here; its tests skip (set FARMGATE_TEST_MEILI_URL and FARMGATE_TEST_MEILI_KEY to run them)"
    fi
}

# --- Browser: Chromium + tests/browser/node_modules -------------------------------------------
# fg_prepare_browser REPO_ROOT
fg_prepare_browser() {
    local root="$1" t0
    t0="$(fg_now)"
    if [ ! -x "$FG_CHROMIUM" ]; then
        fg_apt_install chromium || return 1
        [ -x "$FG_CHROMIUM" ] || {
            fg_err "chromium installed but $FG_CHROMIUM is missing"
            return 1
        }
    fi
    # A Chinese font: without one every CJK character is drawn as a narrow box, so the stories'
    # layout checks (44 px targets, one-row header) measure boxes, not text (a fresh machine
    # with Debian's chromium has only Latin fonts).
    if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
        fg_apt_install fonts-wqy-microhei || return 1
    fi
    export FARMGATE_TEST_CHROMIUM="$FG_CHROMIUM"
    local dir="$root/tests/browser"
    if [ ! -f "$dir/package.json" ]; then
        fg_err "no $dir/package.json"
        return 1
    fi
    # npm ci writes node_modules/.package-lock.json; reinstall when the lock file is newer.
    local stamp="$dir/node_modules/.package-lock.json"
    if [ ! -d "$dir/node_modules" ] || [ ! -f "$stamp" ] ||
        [ "$dir/package-lock.json" -nt "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
        local cmd=(ci)
        [ -f "$dir/package-lock.json" ] || cmd=(install)
        fg_log "tests/browser: npm ${cmd[*]}"
        # Never let a package fetch a browser build of its own: we use Debian's chromium.
        if ! (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
            npm "${cmd[@]}" --no-audit --no-fund); then
            fg_err "npm ${cmd[*]} in tests/browser failed"
            return 1
        fi
    fi
    fg_log "browser ready ($("$FG_CHROMIUM" --version 2>/dev/null | head -n1)) in $(fg_elapsed "$t0")"
}

# --- everything -----------------------------------------------------------------------------
fg_services_start_all() {
    fg_start_postgres || return 1
    fg_start_redis || return 1
    fg_start_s3 || return 1
    fg_check_meili
}
