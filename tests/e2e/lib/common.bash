# shellcheck shell=bash disable=SC2034  # variables set here are read by the scripts
# Shared helpers for the e2e scripts in tests/e2e/*.sh. Sourced, never run (no .sh suffix, so the
# CMake glob does not register it as a test).
#
#   source "$(dirname "$0")/lib/common.bash"
#   e2e_init <name> "$@"      # sets GESTALTD, WORK (a mktemp -d), HOME, the cleanup trap
#   start_gestaltd <log> [args...]; wait_health <url> <log>; http GET <url> [curl args...]
#   check "<what>" <condition...>; check_eq "<what>" <expected> <actual>; finish
#
# Failures are counted; a failed `require`/`fatal` stops the script at once. Every failure prints a
# "FAIL:" line with the tail of the log that belongs to it. The last line is always
# "e2e <name>: N passed, M failed"; the exit status is non-zero when M > 0.

E2E_NAME=""
E2E_PASSED=0
E2E_FAILED=0
E2E_PIDS=()
E2E_CLEANUPS=()
E2E_LOG=""        # the log shown with a failure; start_gestaltd sets it
STATUS=""         # set by http
BODY=""           # set by http
HEADERS=""        # set by http (raw response headers)

e2e_init()
{
    E2E_NAME=$1
    shift
    GESTALTD=${1:-}
    if [ -z "$GESTALTD" ] || [ ! -x "$GESTALTD" ]; then
        echo "usage: $0 <path-to-gestaltd>" >&2
        exit 2
    fi
    GESTALTD=$(cd "$(dirname "$GESTALTD")" && pwd)/$(basename "$GESTALTD")
    for tool in curl jq python3; do
        command -v "$tool" >/dev/null || { echo "FAIL: e2e $E2E_NAME: $tool is not installed" >&2; exit 1; }
    done
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/gestalt-e2e-$E2E_NAME.XXXXXX")
    export HOME="$WORK/home"
    mkdir -p "$HOME"
    # Nothing from the caller's environment may pick the config.
    unset GESTALT_CONFIG
    export LANG=C.UTF-8
    trap e2e_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    cd "$WORK" || exit 1
}

e2e_cleanup()
{
    local status=$?
    set +e
    local pid
    for pid in "${E2E_PIDS[@]}"; do
        stop_pid "$pid" 5 >/dev/null 2>&1
    done
    local i
    for ((i = ${#E2E_CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${E2E_CLEANUPS[$i]}" >/dev/null 2>&1
    done
    cd /
    if [ "$status" -ne 0 ] || [ "$E2E_FAILED" -ne 0 ]; then
        if [ -n "${E2E_KEEP:-}" ]; then
            echo "e2e $E2E_NAME: kept $WORK" >&2
        else
            rm -rf "$WORK"
        fi
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}

# Runs a shell command at exit (before the work dir goes), last registered first.
on_exit()
{
    E2E_CLEANUPS+=("$1")
}

# Sends SIGTERM, waits up to $2 seconds, then SIGKILL. Only for processes this script started.
stop_pid()
{
    local pid=$1 seconds=${2:-5} i
    # The process may exit on its own at any point, and with any status: never let `set -e` see it.
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < seconds * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 0
}

free_port()
{
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A 64-hex encryption key.
random_key()
{
    python3 -c 'import secrets; print(secrets.token_hex(32))'
}

log_tail()
{
    local log=$E2E_LOG
    if [ -n "$log" ] && [ -f "$log" ]; then
        echo "---- last lines of $log ----" >&2
        tail -n 25 "$log" >&2
        echo "----" >&2
    fi
}

pass()
{
    E2E_PASSED=$((E2E_PASSED + 1))
    echo "ok: $1"
}

# Records a failure with context and continues.
fail()
{
    E2E_FAILED=$((E2E_FAILED + 1))
    echo "FAIL: e2e $E2E_NAME: $1" >&2
    if [ -n "${2:-}" ]; then
        printf '%s\n' "$2" | head -c 4000 >&2
        echo >&2
    fi
    log_tail
}

# Records a failure and stops: for steps the rest of the script depends on.
fatal()
{
    fail "$@"
    finish
}

# check "<what>" cmd args...: passes when the command succeeds.
check()
{
    local what=$1
    shift
    if "$@"; then
        pass "$what"
    else
        fail "$what" "command failed: $*${BODY:+
last response: HTTP $STATUS $BODY}"
    fi
}

# require: like check, but stops the script on failure.
require()
{
    local what=$1
    shift
    if "$@"; then
        pass "$what"
    else
        fatal "$what" "command failed: $*${BODY:+
last response: HTTP $STATUS $BODY}"
    fi
}

check_eq()
{
    local what=$1 expected=$2 actual=$3
    if [ "$expected" = "$actual" ]; then
        pass "$what"
    else
        fail "$what" "expected: $expected
actual:   $actual${BODY:+
last response: HTTP $STATUS $BODY}"
    fi
}

finish()
{
    echo "e2e $E2E_NAME: $E2E_PASSED passed, $E2E_FAILED failed"
    if [ "$E2E_FAILED" -ne 0 ]; then
        exit 1
    fi
    exit 0
}

# start_gestaltd <log> [args...]: starts gestaltd in the background (stdout and stderr to log);
# sets GESTALTD_PID.
start_gestaltd()
{
    local log=$1
    shift
    E2E_LOG=$log
    "$GESTALTD" "$@" >"$log" 2>&1 &
    GESTALTD_PID=$!
    E2E_PIDS+=("$GESTALTD_PID")
}

# wait_health <base-url> [seconds]: waits until <base-url>/health answers 200 while the process
# stays alive.
wait_health()
{
    local base=$1 seconds=${2:-20} i
    for ((i = 0; i < seconds * 10; i++)); do
        if [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$base/health" 2>/dev/null)" = 200 ]; then
            return 0
        fi
        if ! kill -0 "$GESTALTD_PID" 2>/dev/null; then
            echo "gestaltd (pid $GESTALTD_PID) exited before $base/health answered" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "$base/health did not answer 200 within ${seconds}s" >&2
    return 1
}

# wait_exit <pid> <seconds>: waits for a child to exit; sets EXIT_CODE. Fails on timeout.
wait_exit()
{
    local pid=$1 seconds=$2 i
    for ((i = 0; i < seconds * 10; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            EXIT_CODE=0
            wait "$pid" || EXIT_CODE=$?
            return 0
        fi
        sleep 0.1
    done
    EXIT_CODE=""
    return 1
}

# wait_for_url <url> <seconds>: until the URL answers anything at all.
wait_for_url()
{
    local url=$1 seconds=$2 i
    for ((i = 0; i < seconds * 10; i++)); do
        [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null)" != 000 ] && return 0
        sleep 0.1
    done
    return 1
}

# wait_for_tools <base-url> <bearer-token or ""> <tool>...: polls tools/list on <base-url>/mcp for
# up to 30 s until every named tool is listed (upstream MCP servers list theirs in the
# background). Sets TOOLS to ",name,name,...,"; fails when gestaltd ($GESTALTD_PID) exits.
wait_for_tools()
{
    local base=$1 token=$2 tool missing auth=()
    shift 2
    [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
    for _ in $(seq 300); do
        http POST "$base/mcp" "${auth[@]}" -H 'Content-Type: application/json' \
            -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-11-25' \
            -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
        TOOLS=",$(json '[.result.tools[].name] | join(",")'),"
        missing=0
        for tool in "$@"; do
            case $TOOLS in *",$tool,"*) ;; *) missing=1 ;; esac
        done
        [ "$missing" = 0 ] && return 0
        kill -0 "$GESTALTD_PID" 2>/dev/null || fatal "gestaltd exited"
        sleep 0.1
    done
    return 1
}

# http METHOD URL [curl args...]: sets STATUS, BODY and HEADERS. Never fails the script.
http()
{
    local method=$1 url=$2
    shift 2
    local out="$WORK/.http-body" hdr="$WORK/.http-headers"
    STATUS=$(curl -s -X "$method" -m 10 -o "$out" -D "$hdr" -w '%{http_code}' "$@" "$url" 2>/dev/null) || true
    BODY=$(cat "$out" 2>/dev/null || true)
    HEADERS=$(tr -d '\r' <"$hdr" 2>/dev/null || true)
    rm -f "$out" "$hdr"
}

# header_value <name>: from the last http response.
header_value()
{
    printf '%s\n' "$HEADERS" | awk -v name="$1" -F': ' \
        'tolower($1) == tolower(name) { sub(/^[^:]*: /, ""); print; exit }'
}

# json [jq options] <filter>: applied to the last response body, raw output; empty when it is not
# JSON.
json()
{
    printf '%s' "$BODY" | jq -r "$@" 2>/dev/null || true
}

# write_config <path> <public-port> <key> [extra yaml...]: a minimal config on SQLite in the
# config's folder.
write_config()
{
    local path=$1 port=$2 key=$3
    shift 3
    {
        echo "apiVersion: gestaltd.config/v5"
        echo "server:"
        echo "  public:"
        echo "    host: 127.0.0.1"
        echo "    port: $port"
        echo "  encryptionKey: \"$key\""
        local extra
        for extra in "$@"; do
            printf '%s\n' "$extra"
        done
    } >"$path"
}
