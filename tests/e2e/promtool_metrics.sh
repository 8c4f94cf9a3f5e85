#!/usr/bin/env bash
# /metrics passes `promtool check metrics` (format and lint) and carries the expected families, on a
# single public listener (behind authentication; anonymous mode) and on a separate management
# listener (no authentication), where the operator routes leave the public listener.
# Usage: promtool_metrics.sh <path-to-gestaltd>
set -euo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
e2e_init promtool_metrics "$@"

command -v promtool >/dev/null || fatal "promtool is not installed"

families=(
    http_server_request_duration_seconds
    http_server_request_body_size_bytes
    http_server_response_body_size_bytes
    gestaltd_operation_count_total
    gestaltd_operation_error_count_total
    gestaltd_operation_duration_seconds
    process_resident_memory_bytes
    process_open_fds
    process_start_time_seconds
    target_info
)

# promtool_clean <file> <what>: promtool exits 0 and prints nothing.
promtool_clean()
{
    local file=$1 what=$2 output code=0
    output=$(promtool check metrics <"$file" 2>&1) || code=$?
    if [ "$code" -eq 0 ] && [ -z "$output" ]; then
        pass "$what: promtool check metrics is clean"
    else
        fail "$what: promtool check metrics exited $code" "$output"
    fi
}

# scrape <url> <file> [curl args]: GET /metrics into file; checks status and content type.
scrape()
{
    local url=$1 file=$2
    shift 2
    http GET "$url" "$@"
    printf '%s\n' "$BODY" >"$file"
    require "GET $url is 200" test "$STATUS" = 200
    local type
    type=$(header_value content-type)
    check "GET $url is Prometheus text 0.0.4 (got '$type')" \
        bash -c '[[ $1 == "text/plain; version=0.0.4"* ]]' _ "$type"
}

# ---------------------------------------------------------------------------------------------
# 1. One public listener, anonymous mode, SQLite.
port=$(free_port)
base="http://127.0.0.1:$port"
write_config "$WORK/single.yaml" "$port" "$(random_key)"
start_gestaltd "$WORK/single.log" serve --config "$WORK/single.yaml"
require "gestaltd serves /health on $base" wait_health "$base"

http GET "$base/health"
check_eq "/health body" '{"status":"ok"}' "$(json -c .)"
missing="/api/v1/e2e-missing-$RANDOM"
http GET "$base$missing"
check_eq "unknown route is 404" 404 "$STATUS"
http POST "$base/api/v1/tokens" -H 'Content-Type: application/json' -d '{"name":"metrics-e2e"}'
check_eq "POST /api/v1/tokens is 201" 201 "$STATUS"
token=$(json .token)
http GET "$base/api/v1/tokens"
check_eq "GET /api/v1/tokens lists one token" 1 "$(json length)"
http GET "$base/api/v1/tokens" -H "Authorization: Bearer $token"
check_eq "GET /api/v1/tokens with the new token is 200" 200 "$STATUS"

# Anonymous mode counts as authenticated; a bad bearer token is still refused.
http GET "$base/metrics" -H 'Authorization: Bearer gst_api_nope'
check_eq "/metrics on the public listener checks a given bearer token" 401 "$STATUS"

scrape "$base/metrics" "$WORK/single.prom"
promtool_clean "$WORK/single.prom" "public /metrics"
for family in "${families[@]}"; do
    check "public /metrics has # HELP $family" grep -q "^# HELP $family " "$WORK/single.prom"
    check "public /metrics has # TYPE $family" grep -q "^# TYPE $family " "$WORK/single.prom"
done
check "token route is labelled with its template http_route=\"/api/v1/tokens\"" \
    grep -qE '^http_server_request_duration_seconds_count\{[^}]*http_route="/api/v1/tokens"' "$WORK/single.prom"
check "POST to the token route is counted with status 201" \
    grep -qE '^http_server_request_duration_seconds_count\{[^}]*http_request_method="POST"[^}]*http_route="/api/v1/tokens"[^}]*http_response_status_code="201"' \
    "$WORK/single.prom"
check "/health is counted under http_route=\"/health\"" \
    grep -qE '^http_server_request_duration_seconds_count\{[^}]*http_route="/health"' "$WORK/single.prom"
check "the 404 path does not become a label value (bounded cardinality)" \
    bash -c '! grep -qF -- "$1" "$2"' _ "$missing" "$WORK/single.prom"
check "the 404 is counted" \
    grep -qE '^http_server_request_duration_seconds_count\{[^}]*http_response_status_code="404"' "$WORK/single.prom"
check "target_info names the service" \
    grep -qE '^target_info\{[^}]*service_name="gestaltd"[^}]*\} 1$' "$WORK/single.prom"
check "process_start_time_seconds is a plausible Unix time" \
    awk '/^process_start_time_seconds / { found = 1; ok = ($2 > 1600000000) } END { exit !(found && ok) }' \
    "$WORK/single.prom"
check "process_resident_memory_bytes is positive" \
    awk '/^process_resident_memory_bytes / { found = 1; ok = ($2 > 0) } END { exit !(found && ok) }' \
    "$WORK/single.prom"

stop_pid "$GESTALTD_PID" 10

# ---------------------------------------------------------------------------------------------
# 2. A separate management listener: the operator surface moves there.
port=$(free_port)
mport=$(free_port)
while [ "$mport" = "$port" ]; do mport=$(free_port); done
base="http://127.0.0.1:$port"
mbase="http://127.0.0.1:$mport"
write_config "$WORK/split.yaml" "$port" "$(random_key)" \
    "  management:" \
    "    host: 127.0.0.1" \
    "    port: $mport"
start_gestaltd "$WORK/split.log" serve --config "$WORK/split.yaml"
require "gestaltd serves /health on the management listener $mbase" wait_health "$mbase"

http GET "$base/api/v1/tokens"
check_eq "public GET /api/v1/tokens still works" 200 "$STATUS"
http POST "$base/api/v1/tokens" -H 'Content-Type: application/json' -d '{"name":"split-e2e"}'
check_eq "public POST /api/v1/tokens still works" 201 "$STATUS"
http GET "$mbase/api/v1/tokens"
check_eq "management GET /api/v1/tokens is 404" 404 "$STATUS"
check_eq "management 404 for /api/v1/tokens is JSON" 'API route "/api/v1/tokens" not found' "$(json .error)"

for path in /metrics /health /ready /healthz /readyz; do
    http GET "$base$path"
    check_eq "public GET $path is 404" 404 "$STATUS"
    check_eq "public GET $path is a JSON error" "API route \"$path\" not found" "$(json .error)"
    check "public GET $path has a JSON content type" \
        bash -c '[[ $1 == application/json* ]]' _ "$(header_value content-type)"
    http GET "$mbase$path"
    check_eq "management GET $path is 200" 200 "$STATUS"
done

# No credentials needed on management; a bad one is not even looked at.
scrape "$mbase/metrics" "$WORK/split.prom"
scrape "$mbase/metrics" "$WORK/split-bad-bearer.prom" -H 'Authorization: Bearer gst_api_nope'
promtool_clean "$WORK/split.prom" "management /metrics"
for family in "${families[@]}"; do
    check "management /metrics has # HELP $family" grep -q "^# HELP $family " "$WORK/split.prom"
done
check "management /metrics counts the public token route" \
    grep -qE '^http_server_request_duration_seconds_count\{[^}]*http_route="/api/v1/tokens"' "$WORK/split.prom"

stop_pid "$GESTALTD_PID" 10
finish
