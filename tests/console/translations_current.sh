#!/usr/bin/env bash
# translations/gestalt-console_de.ts is current and complete: lupdate over the console's sources
# finds no text the file lacks, and every text has its German translation (fill_ts.py --check).
# Usage: translations_current.sh <lupdate> <source dir>
set -euo pipefail
lupdate=${1:?usage: translations_current.sh <lupdate> <source dir>}
source_dir=${2:?usage: translations_current.sh <lupdate> <source dir>}
work=$(mktemp -d "${TMPDIR:-/tmp}/gestalt-ts.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$source_dir/translations/gestalt-console_de.ts" "$work/current.ts"
"$lupdate" -silent -no-obsolete -locations none -recursive "$source_dir/console" -ts "$work/current.ts"
new=$(python3 - "$source_dir/translations/gestalt-console_de.ts" "$work/current.ts" <<'PY'
import sys, xml.etree.ElementTree as ET
sources = lambda path: {m.find('source').text for m in ET.parse(path).getroot().iter('message')}
committed, scanned = sources(sys.argv[1]), sources(sys.argv[2])
for text in sorted(scanned - committed):
    print(repr(text))
PY
)
if [ -n "$new" ]; then
    echo "FAIL: texts missing from translations/gestalt-console_de.ts (run the update_translations target, then translations/tools/fill_ts.py):"
    echo "$new"
    exit 1
fi
python3 "$source_dir/translations/tools/fill_ts.py" --check
echo "translations are current"
