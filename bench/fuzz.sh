#!/usr/bin/env bash
# Long fuzzing runs: every libFuzzer target in fuzz/ for N seconds (default 600) over its corpus,
# through scripts/fuzz.sh (which builds build-fuzz/ with clang, ASan and UBSan). The corpus copies
# in build-fuzz/corpus/ keep growing from run to run; crash inputs land in build-fuzz/findings/.
# Not a test: CI runs the same targets for 20 s each from scripts/test.sh.
#
# Usage: bench/fuzz.sh [seconds-per-target=600] [target...]
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-600}
shift || true
exec "$repo_root/scripts/fuzz.sh" "$seconds" "$@"
