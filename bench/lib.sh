# shellcheck shell=bash
# shellcheck disable=SC2154 # duration, threads and gestaltd are set by the sourcing script
# Shared helpers for the bench/*.sh scripts. Source it after `set -euo pipefail`:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Then call bench_init once (temp dir + traps) before starting any server.
#
# Globals the scripts set before using these helpers: duration, threads (wrk settings),
# gestaltd (binary). Globals the helpers set: work, nginx_bin, last_pid, RPS/P50/P99/BAD/CONNS,
# scenarios.

bench_script=$(basename "$0")

die() { echo "$bench_script: $*" >&2; exit 1; }

require_tools() { # tool...; sets nginx_bin when nginx is among them
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool is not installed"
    done
    nginx_bin=$(command -v nginx || true)
}

require_gestaltd() { # path
    [[ -x $1 ]] || die "no gestaltd binary at $1 (build it, or pass its path as \$1)"
}

# --- processes and cleanup --------------------------------------------------------------------
bench_pids=() # started servers; cleanup stops them in reverse order of start
bench_exit_hooks=() # commands cleanup runs after stopping the servers (e.g. stop a database)

stop() { # pid: TERM, wait up to 5 s, then KILL
    local pid=$1
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? i
    if [[ $rc -ne 0 && -f $work/gestaltd.log ]]; then
        echo "--- last lines of the gestaltd log ---" >&2
        tail -n 20 "$work/gestaltd.log" >&2 || true
    fi
    for ((i = ${#bench_pids[@]} - 1; i >= 0; i--)); do
        stop "${bench_pids[i]}"
    done
    for i in "${bench_exit_hooks[@]}"; do
        eval "$i" || true
    done
    rm -rf "$work"
    exit "$rc"
}

bench_init() { # creates $work and sets the traps that stop every server and remove it
    work=$(mktemp -d "${TMPDIR:-/tmp}/gestalt-bench.XXXXXX")
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

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

# --- servers ----------------------------------------------------------------------------------
# gestaltd in anonymous mode (no authentication provider), SQLite in $work, a random
# encryptionKey, access log off. Extra top-level YAML (e.g. an apps: block) comes as $2.
# Sets last_pid; the log is $work/gestaltd.log.
start_gestaltd() { # port [extra-yaml]
    local port=$1 extra=${2:-} key
    key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
    cat >"$work/config.yaml" <<EOF
apiVersion: gestaltd.config/v5
server:
  public:
    host: 127.0.0.1
    port: $port
  encryptionKey: "$key"
  http:
    maxConnections: 4096
EOF
    if [[ -n $extra ]]; then
        printf '%s\n' "$extra" >>"$work/config.yaml"
    fi
    QT_LOGGING_RULES="gestalt.access.info=false" \
        "$gestaltd" serve --config "$work/config.yaml" --log-format json >"$work/gestaltd.log" 2>&1 &
    last_pid=$!
    bench_pids+=("$last_pid")
    wait_for_health "http://127.0.0.1:$port/health" "$last_pid" gestaltd
}

# nginx with a private prefix $work/<name>, 1 worker, no access log; the server blocks come as $3.
# Waits until health-url answers. Sets last_pid.
start_nginx() { # name health-url server-blocks
    local dir=$work/$1 label="nginx ($1)"
    [[ $1 != nginx ]] || label=nginx
    mkdir -p "$dir"
    cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
$3
}
EOF
    "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
    last_pid=$!
    bench_pids+=("$last_pid")
    wait_for_health "$2" "$last_pid" "$label"
}

# The upstream of invoke.sh and mcp.sh: an nginx "upstream" answering GET /ping with {"ok":true}.
start_ping_upstream() { # port
    start_nginx upstream "http://127.0.0.1:$1/ping" "
    server {
        listen 127.0.0.1:$1;
        location = /ping {
            default_type application/json;
            return 200 '{\"ok\":true}';
        }
    }"
}

host_line() { # the load average matters: other work on the box skews the results
    echo "host: $(nproc) cores, shared by wrk and the servers; load average $(cut -d" " -f1-3 /proc/loadavg); wrk -t$threads, $duration per run"
}

# --- measure ----------------------------------------------------------------------------------
to_ms() { # wrk latency ("812.00us", "1.20ms", "2.00s", "1.00m") -> milliseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
        if (f < 0) { print "nan"; exit }
        printf "%.3f", n * f }'
}

declare -A RPS P50 P99 BAD CONNS
scenarios=()

bench() { # name connections url [header]   (a header's value is never printed)
    local extra=() shown=""
    if [[ $# -ge 4 ]]; then
        extra=(-H "$4")
        shown=" -H '${4%% *} <redacted>'"
    fi
    run_wrk "$1" "$2" "$3" "$shown" "${extra[@]}"
}

# wrk with more options before the url (e.g. -s script.lua); prints "shown" in their place.
# A script may print "Bad answers: N" from done(); N counts as errors too.
run_wrk() { # name connections url shown [wrk-option...]
    local name=$1 c=$2 url=$3 shown=$4 out="$work/wrk-$1.txt"
    local args=(-t"$threads" -c"$c" -d"$duration" --latency)
    shift 4
    echo "  $name: wrk ${args[*]}$shown $url"
    timeout 30 wrk "${args[@]}" "$@" "$url" >"$out"
    scenarios+=("$name")
    CONNS[$name]=$c
    RPS[$name]=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    P50[$name]=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
    P99[$name]=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
    # Non-2xx responses, socket errors and wrong answers a script counted: a number measured
    # on failures is not comparable.
    BAD[$name]=$(awk '/Non-2xx or 3xx responses:/ || /^Bad answers:/ {n += $NF}
        /Socket errors:/ {for (i = 3; i <= NF; i += 2) n += $(i + 1)}
        END {print n + 0}' "$out" | tr -d ',')
}

# --- report -----------------------------------------------------------------------------------
print_table() { # every scenario measured so far, in order
    local s w=18
    for s in "${scenarios[@]}"; do ((${#s} <= w)) || w=${#s}; done
    printf '%-*s %5s %11s %9s %9s %7s\n' "$w" scenario conns rps "p50 ms" "p99 ms" errors
    for s in "${scenarios[@]}"; do
        printf '%-*s %5s %11s %9s %9s %7s\n' "$w" "$s" "${CONNS[$s]}" "${RPS[$s]}" "${P50[$s]}" \
            "${P99[$s]}" "${BAD[$s]}"
    done
    echo "(errors: non-2xx responses plus wrk socket errors; should be 0)"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

ratio_header() { printf '%-34s %8s %8s %8s\n' ratio rps p50 p99; }

ratio_row() { # label a b
    printf '%-34s %8s %8s %8s\n' "$1" "$(ratio "${RPS[$2]}" "${RPS[$3]}")" \
        "$(ratio "${P50[$2]}" "${P50[$3]}")" "$(ratio "${P99[$2]}" "${P99[$3]}")"
}

ratio_footer() { echo "(rps ratio < 1 or latency ratio > 1: the first of the pair is slower)"; }
