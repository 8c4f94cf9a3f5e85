#!/usr/bin/env bash
# Foundation benchmark: gestaltd against nginx on /health, and GET /api/v1/tokens with and
# without a bearer token. A benchmark, not a test: it prints numbers and never fails on them.
#
# Usage: bench/foundation.sh [path/to/gestaltd]   (default: build-bench/server/gestaltd)
# Needs: nginx, wrk, curl, jq, ss. Everything listens on 127.0.0.1; all state lives in a temp dir.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gestaltd=${1:-$repo_root/build-bench/server/gestaltd}
duration=8s
threads=1
conns=16

die() { echo "foundation.sh: $*" >&2; exit 1; }

[[ -x $gestaltd ]] || die "no gestaltd binary at $gestaltd (build it, or pass its path as \$1)"
for tool in nginx wrk curl jq ss; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
nginx_bin=$(command -v nginx)

work=$(mktemp -d "${TMPDIR:-/tmp}/gestalt-bench.XXXXXX")
gw_pid=""
nginx_pid=""

stop() { # pid: TERM, wait up to 5 s, then KILL
    local pid=$1
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    if [[ $rc -ne 0 && -f $work/gestaltd.log ]]; then
        echo "--- last lines of the gestaltd log ---" >&2
        tail -n 20 "$work/gestaltd.log" >&2 || true
    fi
    stop "$nginx_pid"
    stop "$gw_pid"
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { # a port nothing listens on, not in the "taken" list given as arguments
    local port
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 30000))
        [[ " $* " == *" $port "* ]] && continue
        if [[ -z $(ss -Htln "sport = :$port") ]]; then
            echo "$port"
            return 0
        fi
    done
    die "no free port found"
}

wait_for_health() { # url pid name
    for _ in $(seq 100); do
        kill -0 "$2" 2>/dev/null || die "$3 exited during startup"
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    die "$3 did not answer $1 within 10 s"
}

rss() { awk '/^VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"; }

gw_port=$(free_port)
nginx_port=$(free_port "$gw_port")
gw="http://127.0.0.1:$gw_port"
ngx="http://127.0.0.1:$nginx_port"

# --- gestaltd: no apps, no authentication provider (anonymous mode), SQLite in $work ---------
key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
cat >"$work/config.yaml" <<EOF
apiVersion: gestaltd.config/v5
server:
  public:
    host: 127.0.0.1
    port: $gw_port
  encryptionKey: "$key"
  http:
    maxConnections: 4096
EOF
QT_LOGGING_RULES="gestalt.access.info=false" \
    "$gestaltd" serve --config "$work/config.yaml" --log-format json >"$work/gestaltd.log" 2>&1 &
gw_pid=$!
wait_for_health "$gw/health" "$gw_pid" gestaltd

# --- nginx: private prefix, 1 worker, static /health ------------------------------------------
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        location = /health {
            default_type application/json;
            return 200 '{"status":"ok"}';
        }
    }
}
EOF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
wait_for_health "$ngx/health" "$nginx_pid" nginx

# --- an API token for the authenticated scenario ----------------------------------------------
token=$(curl -fsS -X POST "$gw/api/v1/tokens" -H 'Content-Type: application/json' \
    -d '{"name":"bench"}' | jq -er .token) || die "could not create an API token"
auth="Authorization: Bearer $token"
status_auth=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$gw/api/v1/tokens")
status_anon=$(curl -s -o /dev/null -w '%{http_code}' "$gw/api/v1/tokens")

rss_before=$(rss "$gw_pid")

# --- measure ----------------------------------------------------------------------------------
to_ms() { # wrk latency ("812.00us", "1.20ms", "2.00s", "1.00m") -> milliseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
        if (f < 0) { print "nan"; exit }
        printf "%.3f", n * f }'
}

declare -A RPS P50 P99 BAD
scenarios=()

bench() { # name connections url [header]
    local name=$1 c=$2 url=$3 out="$work/wrk-$1.txt"
    local args=(-t"$threads" -c"$c" -d"$duration" --latency) shown=""
    if [[ $# -ge 4 ]]; then
        args+=(-H "$4")
        shown=" -H '${4%% *} <redacted>'"
    fi
    echo "  $name: wrk ${args[*]:0:4}$shown $url"
    timeout 30 wrk "${args[@]}" "$url" >"$out"
    scenarios+=("$name")
    RPS[$name]=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    P50[$name]=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
    P99[$name]=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
    # Non-2xx responses and socket errors: a number measured on failures is not comparable.
    BAD[$name]=$(awk '/Non-2xx or 3xx responses:/ {n += $NF}
        /Socket errors:/ {for (i = 3; i <= NF; i += 2) n += $(i + 1)}
        END {print n + 0}' "$out" | tr -d ',')
}

echo "gestaltd $("$gestaltd" version 2>/dev/null | awk '{print $NF}') at $gw (pid $gw_pid)," \
    "nginx $("$nginx_bin" -v 2>&1 | sed 's|.*/||') at $ngx (pid $nginx_pid)"
echo "host: $(nproc) cores, shared by wrk and the servers; load average $(cut -d" " -f1-3 /proc/loadavg); wrk -t$threads, $duration per run"
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
printf '%-18s %5s %11s %9s %9s %7s\n' scenario conns rps "p50 ms" "p99 ms" errors
for s in "${scenarios[@]}"; do
    c=$conns; [[ $s == *-c1 ]] && c=1
    printf '%-18s %5s %11s %9s %9s %7s\n' "$s" "$c" "${RPS[$s]}" "${P50[$s]}" "${P99[$s]}" "${BAD[$s]}"
done
echo "(errors: non-2xx responses plus wrk socket errors; should be 0)"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
echo
printf '%-34s %8s %8s %8s\n' ratio rps p50 p99
ratio_row() { # label a b
    printf '%-34s %8s %8s %8s\n' "$1" "$(ratio "${RPS[$2]}" "${RPS[$3]}")" \
        "$(ratio "${P50[$2]}" "${P50[$3]}")" "$(ratio "${P99[$2]}" "${P99[$3]}")"
}
ratio_row "gestaltd/nginx health, c1" gw-health-c1 nginx-health-c1
ratio_row "gestaltd/nginx health, c$conns" gw-health nginx-health
ratio_row "tokens authenticated/anonymous" gw-tokens-auth gw-tokens-anon
echo "(rps ratio < 1 or latency ratio > 1: the first of the pair is slower)"
echo
echo "gestaltd VmRSS: before $rss_before, after $rss_after"
