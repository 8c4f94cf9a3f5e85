#!/usr/bin/env bash
# Foundation benchmark: gestaltd against nginx on /health, and GET /api/v1/tokens with and
# without a bearer token. A benchmark, not a test: it prints numbers and never fails on them.
#
# Usage: bench/foundation.sh [path/to/gestaltd]   (default: build-bench/server/gestaltd)
# Needs: nginx, wrk, curl, jq, ss. Everything listens on 127.0.0.1; all state lives in a temp dir.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo_root/bench/lib.sh"
gestaltd=${1:-$repo_root/build-bench/server/gestaltd}
duration=8s
threads=1
conns=16

require_gestaltd "$gestaltd"
require_tools nginx wrk curl jq ss
bench_init

gw_port=$(free_port)
nginx_port=$(free_port "$gw_port")
gw="http://127.0.0.1:$gw_port"
ngx="http://127.0.0.1:$nginx_port"

# --- gestaltd: no apps, no authentication provider (anonymous mode), SQLite in $work ---------
start_gestaltd "$gw_port"
gw_pid=$last_pid

# --- nginx: private prefix, 1 worker, static /health ------------------------------------------
start_nginx nginx "$ngx/health" "
    server {
        listen 127.0.0.1:$nginx_port;
        location = /health {
            default_type application/json;
            return 200 '{\"status\":\"ok\"}';
        }
    }"
nginx_pid=$last_pid

# --- an API token for the authenticated scenario ----------------------------------------------
token=$(curl -fsS -X POST "$gw/api/v1/tokens" -H 'Content-Type: application/json' \
    -d '{"name":"bench"}' | jq -er .token) || die "could not create an API token"
auth="Authorization: Bearer $token"
status_auth=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$gw/api/v1/tokens")
status_anon=$(curl -s -o /dev/null -w '%{http_code}' "$gw/api/v1/tokens")

rss_before=$(rss "$gw_pid")

# --- measure ----------------------------------------------------------------------------------
echo "gestaltd $("$gestaltd" version 2>/dev/null | awk '{print $NF}') at $gw (pid $gw_pid)," \
    "nginx $("$nginx_bin" -v 2>&1 | sed 's|.*/||') at $ngx (pid $nginx_pid)"
host_line
echo "gestaltd logs JSON to a file with QT_LOGGING_RULES=gestalt.access.info=false" \
    "(access log off, like nginx's access_log off)"
echo "GET /api/v1/tokens status before measuring: with bearer $status_auth, anonymous $status_anon"
echo "running (6 x $duration):"
bench gw-health-c1 1 "$gw/health"
bench nginx-health-c1 1 "$ngx/health"
bench gw-health "$conns" "$gw/health"
bench nginx-health "$conns" "$ngx/health"
bench gw-tokens-auth "$conns" "$gw/api/v1/tokens" "$auth"
bench gw-tokens-anon "$conns" "$gw/api/v1/tokens"

rss_after=$(rss "$gw_pid")

# --- report -----------------------------------------------------------------------------------
echo
print_table
echo
ratio_header
ratio_row "gestaltd/nginx health, c1" gw-health-c1 nginx-health-c1
ratio_row "gestaltd/nginx health, c$conns" gw-health nginx-health
ratio_row "tokens authenticated/anonymous" gw-tokens-auth gw-tokens-anon
ratio_footer
echo
echo "gestaltd VmRSS: before $rss_before, after $rss_after"
