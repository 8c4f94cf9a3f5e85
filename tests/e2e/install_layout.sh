#!/usr/bin/env bash
# What `cmake --install` puts in place, staged with DESTDIR: both programs, the console's desktop
# entry and icon (desktop-file-validate), the gestaltd systemd unit (systemd-analyze verify, and its
# paths point at the installed files), and a sample config that `gestaltd validate` accepts.
# Usage: install_layout.sh <path-to-gestaltd> (the build tree is the one holding that binary)
set -euo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
e2e_init install_layout "$@"

BUILD=$(dirname "$(dirname "$GESTALTD")")
require "the build tree has a CMake cache" test -f "$BUILD/CMakeCache.txt"
cache_value()
{
    sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt"
}
PREFIX=$(cache_value CMAKE_INSTALL_PREFIX)
CONSOLE=$(cache_value GESTALT_BUILD_CONSOLE)
STAGE="$WORK/stage"
E2E_LOG="$WORK/install.log"
require "cmake --install succeeds" env DESTDIR="$STAGE" cmake --install "$BUILD" >"$E2E_LOG" 2>&1

ROOT="$STAGE$PREFIX"
if [ "$PREFIX" = /usr ]; then
    ETC="$STAGE/etc/gestalt"
else
    ETC="$ROOT/etc/gestalt"
fi
check "gestaltd is installed and runs" "$ROOT/bin/gestaltd" version
check "the installed unit is in the systemd unit directory" test -f "$ROOT/lib/systemd/system/gestaltd.service"
check "the sample config is installed" test -f "$ETC/gestaltd.yaml"
check "a pristine copy is in the docs" cmp -s "$ETC/gestaltd.yaml" "$ROOT/share/doc/gestalt/gestaltd.yaml"
check_eq "the environment file is private" 600 "$(stat -c %a "$ETC/gestaltd.env")"

UNIT="$ROOT/lib/systemd/system/gestaltd.service"
check_eq "the unit starts the installed gestaltd on the installed config" \
    "ExecStart=$PREFIX/bin/gestaltd serve --config ${ETC#"$STAGE"}/gestaltd.yaml" \
    "$(grep '^ExecStart=' "$UNIT")"
check "the unit has no unconfigured @VARIABLES@" bash -c "! grep -q '@' '$UNIT'"
if command -v systemd-analyze >/dev/null; then
    # A copy whose programs point into the staging directory, checked beside the system's units.
    mkdir -p "$WORK/units"
    sed "s#=$PREFIX/bin/#=$ROOT/bin/#g; s#=-${ETC#"$STAGE"}/#=-$ETC/#" "$UNIT" >"$WORK/units/gestaltd.service"
    E2E_LOG="$WORK/verify.log"
    check "systemd-analyze verify accepts the unit" \
        bash -c "SYSTEMD_UNIT_PATH='$WORK/units:' systemd-analyze verify '$WORK/units/gestaltd.service' >'$E2E_LOG' 2>&1 && ! grep -q . '$E2E_LOG'"
fi

E2E_LOG="$WORK/validate.log"
check "the sample config validates once a key is set" \
    env GESTALT_ENCRYPTION_KEY="$(random_key)" "$ROOT/bin/gestaltd" validate --config "$ETC/gestaltd.yaml"

if [ "$CONSOLE" = ON ]; then
    check "gestalt-console is installed" test -x "$ROOT/bin/gestalt-console"
    DESKTOP="$ROOT/share/applications/gestalt-console.desktop"
    E2E_LOG="$WORK/desktop.log"
    check "the desktop entry validates" bash -c "desktop-file-validate '$DESKTOP' >'$E2E_LOG' 2>&1 && ! grep -q . '$E2E_LOG'"
    icon=$(sed -n 's/^Icon=//p' "$DESKTOP")
    check "the desktop entry's icon is installed" test -f "$ROOT/share/icons/hicolor/scalable/apps/$icon.svg"
    check "the icon is well-formed SVG" python3 -c "import sys, xml.etree.ElementTree as t; r = t.parse(sys.argv[1]).getroot(); sys.exit(r.tag != '{http://www.w3.org/2000/svg}svg')" \
        "$ROOT/share/icons/hicolor/scalable/apps/$icon.svg"
    check "the desktop entry runs the installed program" test -x "$ROOT/bin/$(sed -n 's/^Exec=//p' "$DESKTOP" | cut -d' ' -f1)"
fi
finish
