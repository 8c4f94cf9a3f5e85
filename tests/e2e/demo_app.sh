#!/usr/bin/env bash
# The generated default config serves a working demo app: the config `gestaltd init` writes (the
# same one a first start without arguments writes, see cli.sh) lists the httpbin app and calls
# Debian's httpbin through it
# (GESTALT_HTTPBIN_URL points the demo at the local one). `gestaltd validate` names a broken
# OpenAPI document's file and place.
# Usage: demo_app.sh <path-to-gestaltd>
set -euo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
e2e_init demo_app "$@"

httpbin_port=$(free_port)
/usr/bin/python3 -m httpbin.core --host 127.0.0.1 --port "$httpbin_port" >"$WORK/httpbin.log" 2>&1 &
E2E_PIDS+=("$!")
for _ in $(seq 200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$httpbin_port/get")" = 200 ] && break
    sleep 0.1
done
export GESTALT_HTTPBIN_URL=http://127.0.0.1:$httpbin_port

# The default listener is 127.0.0.1:8080 (cli.sh may hold it right now); a second config file
# moves it to a free port.
port=$(free_port)
"$GESTALTD" init >"$WORK/init.log" 2>&1
require "the default config was generated" test -s "$HOME/.gestaltd/config.yaml"
printf 'apiVersion: gestaltd.config/v5\nserver:\n  public:\n    port: %s\n' "$port" >"$WORK/port.yaml"
base=http://127.0.0.1:$port
start_gestaltd "$WORK/gestaltd.log" serve --config "$HOME/.gestaltd/config.yaml" --config "$WORK/port.yaml"
wait_health "$base" || fatal "gestaltd did not start on the default config"

http GET "$base/api/v1/apps"
check_eq "apps listed" 200 "$STATUS"
check_eq "the demo app" httpbin "$(json '.[0].name')"
check_eq "needs no connection" ready "$(json '.[0].status')"
http GET "$base/api/v1/apps/httpbin/operations"
check "the demo operations" test "$(json '[.[].id] | index("get_headers") != null')" = true
http GET "$base/api/v1/httpbin/get_anything?message=hello"
check_eq "get_anything answers" 200 "$STATUS"
check_eq "through the local httpbin" hello "$(json '.args.message')"
http GET "$base/api/v1/httpbin/get_status?code=404"
check_eq "upstream status passes through" 404 "$STATUS"

# validate: a broken document is a problem that names the file and the place.
printf 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths:\n  /x:\n    get:\n      operationId: x\n      parameters: {not: a list}\n' \
    >"$WORK/broken.yaml"
write_config "$WORK/broken-config.yaml" "$port" "$(random_key)" \
    "apps:" "  broken:" "    surfaces:" "      openapi:" "        document: ./broken.yaml" \
    "        baseUrl: http://127.0.0.1:9"
code=0
out=$("$GESTALTD" validate --config "$WORK/broken-config.yaml" 2>&1) || code=$?
check_eq "validate fails on a broken document" 1 "$code"
check "the problem names the file and the place" \
    grep -q "broken.yaml: paths./x.get.parameters" <<<"$out"

finish
