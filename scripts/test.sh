#!/usr/bin/env bash
# One command for the whole test suite (CI runs exactly this): install what is missing, check the
# formatting, build optimised (RelWithDebInfo: -O2 sees warnings such as -Wnull-dereference that a
# Debug build never does) with warnings as errors, run every test on that build (unit, api on SQLite
# and PostgreSQL, console, e2e with real peers), then run the unit and api tests again on a Debug
# build under AddressSanitizer + UndefinedBehaviorSanitizer, and finally every libFuzzer target for
# 20 s over its seed corpus (scripts/fuzz.sh). Between the two builds clang-tidy checks server/,
# console/ and shared/ with the project's .clang-tidy (scripts/tidy.py, from build-ci's
# compile_commands.json and generated headers); any diagnostic fails the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${GESTALT_JOBS:-2}

"$root/scripts/install-deps.sh" test
if command -v npm >/dev/null 2>&1; then
    echo "== test peers (npm ci in tests/)"
    npm ci --prefix "$root/tests" --no-audit --no-fund
fi

echo "== formatting (clang-format)"
"$root/scripts/check-format.sh"

echo "== build (RelWithDebInfo, warnings are errors)"
cmake -S "$root" -B "$root/build-ci" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGESTALT_WERROR=ON \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
cmake --build "$root/build-ci" -j "$jobs"

echo "== tests"
(cd "$root/build-ci" && ctest --output-on-failure -j "$jobs")

echo "== clang-tidy (server, console, shared)"
"$root/scripts/tidy.py" --build "$root/build-ci"

echo "== sanitizer build (ASan + UBSan)"
cmake -S "$root" -B "$root/build-asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGESTALT_WERROR=ON \
    -DGESTALT_SANITIZE=ON -DGESTALT_BUILD_CONSOLE=OFF >/dev/null
cmake --build "$root/build-asan" -j "$jobs"
echo "== unit and api tests under sanitizers"
(cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j "$jobs" -L 'unit|api')

echo "== fuzzing (every target 20 s over its corpus)"
"$root/scripts/fuzz.sh" "${GESTALT_FUZZ_SECONDS:-20}"
