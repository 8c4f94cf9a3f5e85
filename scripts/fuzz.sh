#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, clang, ASan + UBSan) in build-fuzz/ and runs each target
# for the given number of seconds over a copy of its seed corpus (fuzz/corpus/<target>/; the copy in
# build-fuzz/corpus/ grows, the repository's stays as committed). Prints per target the executions,
# executions per second and findings; exits non-zero when any target crashed, leaked, hit UB or
# timed out. Crash inputs are kept in build-fuzz/findings/<target>/. GESTALT_JOBS targets run at once.
#   scripts/fuzz.sh [seconds-per-target=20] [target...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-20}
shift || true
jobs=${GESTALT_JOBS:-2}
build="$root/build-fuzz"

echo "== fuzz build (clang, libFuzzer + ASan + UBSan)"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DGESTALT_FUZZ=ON >/dev/null
cmake --build "$build" -j "$jobs" --target fuzz_all

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for dir in "$root"/fuzz/corpus/*/; do
        targets+=("$(basename "$dir")")
    done
fi

# Per target: the longest input worth trying (the parsers' own caps are far above these; beyond
# them only speed suffers).
max_len() {
    case "$1" in
        cron) echo 256 ;;
        jsonrpc | sse | prometheus | content_decoder | http_request) echo 16384 ;;
        *) echo 65536 ;;
    esac
}

# One target: runs it, writes its summary line to $build/logs/<target>.summary, exits non-zero on a
# finding. Targets run $jobs at a time (each for the full time: libFuzzer here is one process, one
# core).
run_target() {
    local target=$1
    local binary="$build/fuzz/fuzz_$target"
    local corpus="$build/corpus/$target"
    local findings="$build/findings/$target"
    local log="$build/logs/$target.log"
    rm -rf "$findings"
    mkdir -p "$corpus" "$findings" "$(dirname "$log")"
    cp -n "$root/fuzz/corpus/$target"/* "$corpus"/ 2>/dev/null || true
    echo "== fuzz_$target for ${seconds}s"
    local status=0
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$binary" -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/" \
        "$corpus" >"$log" 2>&1 || status=$?
    local execs rate artifacts result
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    artifacts=$(find "$findings" -type f | wc -l)
    if [ "$status" -ne 0 ] || [ "$artifacts" -ne 0 ]; then
        result="FAILED (exit $status, $artifacts finding(s) in $findings; log $log)"
        grep -m 20 -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" || true
    else
        result="ok, no findings"
    fi
    printf '%-16s execs %-10s exec/s %-7s %s\n' "$target" "${execs:-?}" "${rate:-?}" "$result" \
        >"$build/logs/$target.summary"
    [[ $result == ok* ]]
}

failed=0
running=0
for target in "${targets[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || failed=1
        running=$((running - 1))
    fi
    run_target "$target" &
    running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
    wait -n || failed=1
    running=$((running - 1))
done

echo "== fuzz summary (${seconds}s per target, $jobs at a time)"
for target in "${targets[@]}"; do
    cat "$build/logs/$target.summary"
done
exit "$failed"
