#!/usr/bin/env bash
# Workflow benchmark, on SQLite and on PostgreSQL:
#  1. event-triggered runs per second: one trigger whose one app step calls an nginx upstream
#     (GET /ping); wrk publishes events for a while, then the script waits until every run has
#     finished. Reference, same run: the same operation invoked over REST through gestaltd, and
#     the upstream hit directly.
#  2. schedule firing lag at 1,000 schedules ("* * * * *", imported in one YAML request): for each
#     run of the next minute, createdAt - scheduledFor (firing lag) and completedAt - scheduledFor
#     (done lag), against the engine's pollInterval.
# A benchmark, not a test: it prints numbers and never fails on them (it fails only when a run
# fails or the runs never finish, since numbers measured on failures would mean nothing).
#
# Usage: bench/workflows.sh [path/to/gestaltd]   (default: build-bench/server/gestaltd)
# Needs: nginx, wrk, curl, jq, ss, PostgreSQL server binaries. Everything listens on 127.0.0.1 or
# a unix socket; all state lives in a temp dir.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo_root/bench/lib.sh"
gestaltd=${1:-$repo_root/build-bench/server/gestaltd}
duration=5s
threads=1
conns=16
schedules=1000
stores=(sqlite postgresql)

require_gestaltd "$gestaltd"
require_tools nginx wrk curl jq ss
bench_init

up_port=$(free_port)
up="http://127.0.0.1:$up_port"
start_ping_upstream "$up_port"

# --- PostgreSQL: a throwaway server on a unix socket (the tests' own script). Outside $work: as
# root the server runs as user postgres, who may not enter $work.
pg_dir=/tmp/gestalt-bench-pg-$$
"$repo_root/tests/support/pg-ctl.sh" start "$pg_dir" >/dev/null
bench_exit_hooks+=("'$repo_root/tests/support/pg-ctl.sh' stop '$pg_dir' >/dev/null 2>&1; rm -rf '$pg_dir'")
pg_db() { # name: a fresh database
    psql -X -q -h "$pg_dir/socket" -U postgres -d postgres -c "create database $1" >/dev/null
}

app_yaml="apps:
  bench:
    surfaces:
      rest:
        baseUrl: $up
        operations:
          - {name: ping, method: GET, path: /ping}"

start_store() { # store port: gestaltd on that datastore, fresh
    local store=$1 port=$2 extra=$app_yaml
    if [[ $store == postgresql ]]; then
        local db=bench_$RANDOM$RANDOM
        pg_db "$db"
        extra+="
providers:
  indexeddb:
    main:
      config:
        dsn: \"postgres://postgres@/$db?host=$pg_dir/socket\""
    else
        rm -f "$work/gestalt.db"*
    fi
    start_gestaltd "$port" "$extra"
}

finished_runs() { # url -> "succeeded failed canceled" counts from /metrics
    curl -fsS "$1/metrics" | awk '
        /^gestaltd_workflow_runs_finished_total\{/ {
            split($0, a, "gestalt_workflow_run_status=\""); split(a[2], b, "\"")
            n[b[1]] = $NF }
        END { printf "%d %d %d\n", n["succeeded"], n["failed"], n["canceled"] }'
}

now_s() { date +%s.%N; }

cat >"$work/event.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"type":"bench.ping","source":"bench","data":{"n":1}}'
wrk.headers["Content-Type"] = "application/json"
EOF

declare -A RUNS_PER_S DRAIN_S PUBLISHED LAG_P50 LAG_P99 LAG_MAX DONE_P99 DONE_MAX FIRED

measure_events() { # store gw
    local store=$1 gw=$2 before published t0 t1 counts ok failed
    curl -fsS -o /dev/null -X POST "$gw/api/v1/workflow/event-triggers" \
        -H 'Content-Type: application/json' \
        -d '{"match":{"type":"bench.ping"},"target":{"steps":[{"id":"ping","app":{"name":"bench","operation":"ping"}}]}}'
    # One event by hand first: the path works end to end before anything is measured.
    curl -fsS -o /dev/null -X POST "$gw/api/v1/workflow/events" -H 'Content-Type: application/json' \
        -d '{"type":"bench.ping"}'
    for _ in $(seq 100); do
        [[ $(finished_runs "$gw") == "1 0 0" ]] && break
        sleep 0.1
    done
    [[ $(finished_runs "$gw") == "1 0 0" ]] || die "$store: the probe run did not succeed: $(finished_runs "$gw")"

    bench "rest-$store-c$conns" "$conns" "$gw/api/v1/bench/ping"
    t0=$(now_s)
    run_wrk "publish-$store-c$conns" "$conns" "$gw/api/v1/workflow/events" " -s event.lua (POST)" \
        -s "$work/event.lua"
    published=$(awk '/requests in/ {print $1}' "$work/wrk-publish-$store-c$conns.txt")
    [[ ${BAD[publish-$store-c$conns]} == 0 ]] || die "$store: publishing answered errors"
    for _ in $(seq 1200); do
        read -r ok failed _ <<<"$(finished_runs "$gw")"
        ((ok + failed >= published + 1)) && break
        sleep 0.1
    done
    t1=$(now_s)
    read -r ok failed _ <<<"$(finished_runs "$gw")"
    ((failed == 0)) || die "$store: $failed runs failed"
    ((ok >= published + 1)) || die "$store: only $((ok - 1)) of $published runs finished within 120 s"
    PUBLISHED[$store]=$published
    DRAIN_S[$store]=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
    RUNS_PER_S[$store]=$(awk -v n="$published" -v s="${DRAIN_S[$store]}" 'BEGIN {printf "%.1f", n / s}')
}

measure_schedules() { # store gw
    local store=$1 gw=$2 i yaml=$work/schedules.yaml minute runs token page
    {
        echo "workflows:"
        echo "  schedules:"
        for ((i = 0; i < schedules; i++)); do
            printf '    s%04d:\n      cron: "* * * * *"\n      target: {steps: [{id: ping, app: {name: bench, operation: ping}}]}\n' "$i"
        done
    } >"$yaml"
    # Import early in a minute so the next firing is the first one of every schedule.
    while (($(date +%-S) > 40)); do sleep 1; done
    curl -fsS -o /dev/null -X POST "$gw/api/v1/workflow/config/import" \
        -H 'Content-Type: application/yaml' --data-binary "@$yaml"
    minute=$(date -u -d "@$(($(date +%s) / 60 * 60 + 60))" +%Y-%m-%dT%H:%M:00.000Z)
    echo "  schedules-$store: $schedules schedules imported; waiting for their firing at $minute"
    sleep $((60 - $(date +%-S)))
    for _ in $(seq 600); do
        read -r ok failed _ <<<"$(finished_runs "$gw")"
        # The event scenario's runs finished before; these come on top.
        ((ok + failed >= PUBLISHED[$store] + 1 + schedules)) && break
        sleep 0.1
    done
    : >"$work/runs-$store.jsonl"
    token=""
    while :; do
        curl -fsS -D "$work/headers.txt" -o "$work/page.json" \
            "$gw/api/v1/workflow/runs?pageSize=500${token:+&pageToken=$token}"
        jq -c --arg m "$minute" '.[] | select(.trigger.kind == "schedule" and .trigger.scheduledFor == $m)
            | {s: .trigger.scheduledFor, c: .createdAt, d: .completedAt, st: .status}' \
            "$work/page.json" >>"$work/runs-$store.jsonl"
        token=$(awk 'tolower($1) == "gestalt-next-page-token:" {print $2}' "$work/headers.txt" | tr -d '\r')
        [[ -n $token ]] || break
    done
    runs=$(wc -l <"$work/runs-$store.jsonl")
    FIRED[$store]=$runs
    # ms from the due minute to the run's creation / completion; nearest-rank percentiles.
    jq -r 'def ms: (.[0:19] + "Z" | fromdateiso8601) * 1000 + (.[20:23] | tonumber);
           [(.c | ms) - (.s | ms), (if .d then (.d | ms) - (.s | ms) else -1 end)] | @tsv' \
        "$work/runs-$store.jsonl" >"$work/lag-$store.tsv"
    pct() { # column p
        cut -f"$1" "$work/lag-$store.tsv" | sort -n | awk -v p="$2" '{a[NR] = $1}
            END { if (NR == 0) { print "n/a"; exit } i = int(NR * p + 0.999999); if (i < 1) i = 1; print a[i] }'
    }
    LAG_P50[$store]=$(pct 1 0.5)
    LAG_P99[$store]=$(pct 1 0.99)
    LAG_MAX[$store]=$(pct 1 1)
    DONE_P99[$store]=$(pct 2 0.99)
    DONE_MAX[$store]=$(pct 2 1)
}

echo "gestaltd $("$gestaltd" version 2>/dev/null | awk '{print $NF}'); upstream nginx $("$nginx_bin" -v 2>&1 | sed 's|.*/||') at $up"
host_line
echo "running (per store: REST reference $duration, publishing $duration then the drain, then $schedules schedules at the next minute):"
rss_line=()
for store in "${stores[@]}"; do
    port=$(free_port "$up_port")
    start_store "$store" "$port"
    gw_pid=$last_pid
    gw="http://127.0.0.1:$port"
    rss_before=$(rss "$gw_pid")
    measure_events "$store" "$gw"
    measure_schedules "$store" "$gw"
    rss_line+=("$store: VmRSS before $rss_before, after $(rss "$gw_pid")")
    stop "$gw_pid"
done
bench "direct-c$conns" "$conns" "$up/ping"

echo
print_table
echo
printf '%-12s %10s %10s %12s %12s %14s\n' store published "drain s" "runs/s" "rest rps" "runs/rest rps"
for store in "${stores[@]}"; do
    printf '%-12s %10s %10s %12s %12s %14s\n' "$store" "${PUBLISHED[$store]}" "${DRAIN_S[$store]}" \
        "${RUNS_PER_S[$store]}" "${RPS[rest-$store-c$conns]}" \
        "$(ratio "${RUNS_PER_S[$store]}" "${RPS[rest-$store-c$conns]}")"
done
echo "(runs/s: events published by wrk at c$conns over $duration, divided by the time from the first"
echo " publish until the last run finished; each run = its insert, three state writes, one upstream call)"
echo "(rest rps / direct rps, the same operation without the engine: see the table above)"
echo
echo "schedule firing lag, $schedules schedules \"* * * * *\" due at the same minute (pollInterval 1 s):"
printf '%-12s %6s %9s %9s %9s %12s %12s %13s\n' store fired "p50 ms" "p99 ms" "max ms" "done p99 ms" "done max ms" "p99/poll"
for store in "${stores[@]}"; do
    printf '%-12s %6s %9s %9s %9s %12s %12s %13s\n' "$store" "${FIRED[$store]}" "${LAG_P50[$store]}" \
        "${LAG_P99[$store]}" "${LAG_MAX[$store]}" "${DONE_P99[$store]}" "${DONE_MAX[$store]}" \
        "$(ratio "${LAG_P99[$store]}" 1000)"
done
echo "(lag: run createdAt - the minute it was due; done: completedAt - the minute it was due)"
echo
printf '%s\n' "${rss_line[@]}"
