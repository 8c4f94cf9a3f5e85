#!/usr/bin/env bash
# Formatting gate: every tracked C++ file must be as clang-format (Debian 12's 14.0.6, with the
# repository's .clang-format) writes it. Prints the files that differ and exits 1 if any do.
# Fix with: git ls-files '*.cpp' '*.h' | xargs clang-format -i
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v clang-format >/dev/null || { echo "check-format: clang-format is not installed" >&2; exit 1; }
bad=()
while IFS= read -r file; do
    if ! clang-format --dry-run --Werror "$file" >/dev/null 2>&1; then
        bad+=("$file")
    fi
done < <(git ls-files '*.cpp' '*.h')
if ((${#bad[@]})); then
    echo "check-format: ${#bad[@]} file(s) differ from clang-format:" >&2
    printf '  %s\n' "${bad[@]}" >&2
    echo "fix with: git ls-files '*.cpp' '*.h' | xargs clang-format -i" >&2
    exit 1
fi
echo "check-format: $(git ls-files '*.cpp' '*.h' | wc -l) files formatted"
