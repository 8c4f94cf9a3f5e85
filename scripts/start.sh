#!/usr/bin/env bash
# One command for a new user: install what is missing, build, and start gestaltd on its embedded
# default (SQLite under ~/.gestaltd, no login, the httpbin demo app, http://127.0.0.1:8080).
# The demo app calls Debian's httpbin, started here on 127.0.0.1:8089, so it works offline; set
# GESTALT_HTTPBIN_URL to use another one (e.g. https://httpbin.org).
# Extra arguments go to gestaltd (e.g. --config my.yaml).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh" run
cmake -S "$root" -B "$root/build-release" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGESTALT_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build-release" --target gestaltd gestalt-console

httpbin_pid=""
if [[ -z ${GESTALT_HTTPBIN_URL:-} ]]; then
    export GESTALT_HTTPBIN_URL=http://127.0.0.1:8089
    if ! curl -fsS -o /dev/null "$GESTALT_HTTPBIN_URL/get" 2>/dev/null; then
        /usr/bin/python3 -m httpbin.core --host 127.0.0.1 --port 8089 >/dev/null 2>&1 &
        httpbin_pid=$!
        for _ in $(seq 100); do
            curl -fsS -o /dev/null "$GESTALT_HTTPBIN_URL/get" 2>/dev/null && break
            sleep 0.1
        done
    fi
    echo "start: the demo app calls httpbin at $GESTALT_HTTPBIN_URL"
fi
stop_httpbin() { [[ -n $httpbin_pid ]] && kill "$httpbin_pid" 2>/dev/null || true; }
trap stop_httpbin EXIT

echo "start: gestaltd is starting on http://127.0.0.1:8080 (Ctrl+C stops it)"
"$root/build-release/server/gestaltd" serve "$@" &
gestaltd_pid=$!
trap 'kill -TERM "$gestaltd_pid" 2>/dev/null || true' INT TERM
wait "$gestaltd_pid" || wait "$gestaltd_pid"
