#!/usr/bin/env bash
# One command for a new user: install what is missing, build, and start gestaltd on its embedded
# default (SQLite under ~/.gestaltd, no login, the httpbin demo app, http://127.0.0.1:8080).
# Extra arguments go to gestaltd (e.g. --config my.yaml).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build-release" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGESTALT_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build-release" --target gestaltd gestalt-console
echo "start: gestaltd is starting on http://127.0.0.1:8080 (Ctrl+C stops it)"
exec "$root/build-release/server/gestaltd" serve "$@"
