#!/usr/bin/env bash
# Installs what Gestalt needs on Debian 12 (bookworm). Idempotent: does nothing when everything is
# there already.
#   scripts/install-deps.sh run    building and running gestaltd and gestalt-console (start.sh)
#   scripts/install-deps.sh test   that, plus the tools and real peers of the test suite (test.sh)
set -euo pipefail

mode=${1:-test}
case $mode in
run | test) ;;
*)
    echo "usage: $0 [run|test]" >&2
    exit 2
    ;;
esac

packages=(
    # toolchain
    cmake ninja-build g++ pkg-config git
    # Qt 6.4 (qt6-websockets-dev is needed by Qt6HttpServer's CMake package even though nothing
    # declares it) and QtKeychain
    qt6-base-dev qt6-httpserver-dev qt6-websockets-dev qt6-charts-dev qtkeychain-qt6-dev
    # the console draws its SVG icons at any scale (HiDPI)
    libqt6svg6
    # Qt6Charts' CMake package needs Qt6OpenGL's, which Debian ships apart
    libqt6opengl6-dev
    libqt6sql6-sqlite libqt6sql6-psql qt6-tools-dev qt6-l10n-tools
    # libraries
    libyaml-cpp-dev libssl-dev libargon2-dev zlib1g-dev
    # start.sh: the demo app's upstream (Debian's httpbin, offline) and its health probe
    python3-httpbin curl
)
test_packages=(
    # the libFuzzer harnesses (scripts/fuzz.sh): clang with its fuzzer and sanitizer runtimes
    clang libclang-rt-dev
    # the formatting and static-analysis gates (scripts/check-format.sh, scripts/tidy.py)
    clang-format clang-tidy
    # the openssl tool makes the TLS tests' self-signed certificates
    openssl
    # real peers for tests and benchmarks
    postgresql nginx-light wrk prometheus jq
    # the /admin shell's browser tests (driven by playwright-core) and the console's screenshots
    chromium xvfb xauth
    # checks of what `cmake --install` puts in place
    desktop-file-utils
    # the console's optional test against a real secret service
    gnome-keyring libsecret-1-0 dbus
)
if [[ $mode == test ]]; then
    packages+=("${test_packages[@]}")
fi

# npm installs the JavaScript test peers (tests/package.json); their Node 22 comes from npm too.
if [[ $mode == test ]] && ! command -v npm >/dev/null 2>&1; then
    packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: everything is installed"
    exit 0
fi

sudo=()
if [ "$(id -u)" != 0 ]; then
    sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The postgresql package may start a system cluster; tests run their own throwaway server instead.
echo "install-deps: done"
