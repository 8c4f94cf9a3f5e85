#!/usr/bin/env bash
# Invocation benchmark: one app operation through gestaltd (GET /api/v1/bench/ping → upstream
# GET /ping) against the same upstream hit directly and through an nginx reverse proxy.
# A benchmark, not a test: it prints numbers and never fails on them.
#
# Usage: bench/invoke.sh [path/to/gestaltd]   (default: build-bench/server/gestaltd)
# Needs: nginx, wrk, curl, ss. Everything listens on 127.0.0.1; all state lives in a temp dir.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo_root/bench/lib.sh"
gestaltd=${1:-$repo_root/build-bench/server/gestaltd}
duration=8s
threads=1
concurrencies=(1 16)

require_gestaltd "$gestaltd"
require_tools nginx wrk curl ss
bench_init

up_port=$(free_port)
px_port=$(free_port "$up_port")
gw_port=$(free_port "$up_port" "$px_port")
up="http://127.0.0.1:$up_port"
px="http://127.0.0.1:$px_port"
gw="http://127.0.0.1:$gw_port"

# --- the upstream: its own nginx, 1 worker, a static JSON /ping ------------------------------
start_ping_upstream "$up_port"
up_pid=$last_pid

# --- the reference proxy: a second nginx, 1 worker, keepalive connections to the upstream -----
# A separate instance so that, like gestaltd, the proxy hop has its own process and does not
# share the upstream's single worker. keepalive_requests 1000000 on both sides: gestaltd's
# client reuses a connection for as long as the upstream keeps it open.
start_nginx proxy "$px/ping" "
    upstream bench_upstream {
        server 127.0.0.1:$up_port;
        keepalive 64;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$px_port;
        location = /ping {
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"
px_pid=$last_pid

# --- gestaltd: anonymous mode, one app with one REST operation on the upstream ----------------
start_gestaltd "$gw_port" "apps:
  bench:
    surfaces:
      rest:
        baseUrl: $up
        operations:
          - {name: ping, method: GET, path: /ping}"
gw_pid=$last_pid

# --- check all three answer the same before measuring ------------------------------------------
probe() { # url -> "status content-type body"
    curl -s -o "$work/probe.txt" -w '%{http_code} %{content_type}' "$1" || true
    printf ' %s' "$(head -c 200 "$work/probe.txt" 2>/dev/null)"
}
probe_direct=$(probe "$up/ping")
probe_proxy=$(probe "$px/ping")
probe_gw=$(probe "$gw/api/v1/bench/ping")
for p in "$probe_direct" "$probe_proxy" "$probe_gw"; do
    [[ $p == "200 application/json {\"ok\":true}" ]] ||
        die "unexpected answer before measuring: $p (direct: $probe_direct, proxy: $probe_proxy, gestaltd: $probe_gw)"
done

rss_before=$(rss "$gw_pid")

# --- measure ----------------------------------------------------------------------------------
nginx_version=$("$nginx_bin" -v 2>&1 | sed 's|.*/||')
echo "gestaltd $("$gestaltd" version 2>/dev/null | awk '{print $NF}') at $gw (pid $gw_pid);" \
    "upstream nginx $nginx_version at $up (pid $up_pid); proxy nginx at $px (pid $px_pid)"
host_line
echo "one upstream for all three: nginx, 1 worker, /ping → 200 {\"ok\":true}; the proxy is a second" \
    "nginx (1 worker, upstream keepalive 64); access logs off (gestaltd:" \
    "QT_LOGGING_RULES=gestalt.access.info=false)"
echo "GET before measuring, all three: $probe_gw"
echo "running (${#concurrencies[@]} x 3 x $duration):"
for c in "${concurrencies[@]}"; do
    bench "direct-c$c" "$c" "$up/ping"
    bench "nginx-proxy-c$c" "$c" "$px/ping"
    bench "gestaltd-c$c" "$c" "$gw/api/v1/bench/ping"
done

rss_after=$(rss "$gw_pid")

# --- report -----------------------------------------------------------------------------------
echo
print_table
echo
ratio_header
for c in "${concurrencies[@]}"; do
    ratio_row "gestaltd/direct, c$c" "gestaltd-c$c" "direct-c$c"
    ratio_row "gestaltd/nginx-proxy, c$c" "gestaltd-c$c" "nginx-proxy-c$c"
    ratio_row "nginx-proxy/direct, c$c" "nginx-proxy-c$c" "direct-c$c"
done
ratio_footer
echo
echo "gestaltd VmRSS: before $rss_before, after $rss_after"
