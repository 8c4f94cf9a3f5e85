#!/usr/bin/env bash
# The console's optional keychain test against a real Secret Service: gnome-keyring, unlocked with
# a throwaway password in a private D-Bus session and a throwaway home, so nothing touches a real
# keyring. Exit 77 (ctest: skipped) when gnome-keyring or dbus-run-session is not installed.
# Usage: keychain_secret_service.sh <tst_secretstore binary>
set -euo pipefail
test_binary=${1:?usage: keychain_secret_service.sh <tst_secretstore binary>}
for tool in dbus-run-session gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
home=$(mktemp -d "${TMPDIR:-/tmp}/gestalt-keyring.XXXXXX")
trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_DATA_HOME=$home/.local/share XDG_RUNTIME_DIR=$home/run
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
timeout 60 dbus-run-session -- sh -c '
    printf throwaway | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    GESTALT_TEST_SECRET_SERVICE=1 exec "$0" realSecretService
' "$test_binary"
