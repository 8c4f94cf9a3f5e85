#!/usr/bin/env bash
# The gestaltd command line: version, --help, exit codes, validate, init, config lookup
# (--config, $GESTALT_CONFIG, ./config.yaml, ~/.gestaltd/config.yaml generated on first start),
# merging of repeated --config, and a clean exit on SIGTERM and SIGINT.
# Usage: cli.sh <path-to-gestaltd>
set -euo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
e2e_init cli "$@"

# run_cli <name> [args...]: runs gestaltd to completion (bounded); sets CODE, OUT, ERR.
run_cli()
{
    local name=$1
    shift
    CODE=0
    timeout 20 "$GESTALTD" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || CODE=$?
    OUT=$(cat "$WORK/$name.out")
    ERR=$(cat "$WORK/$name.err")
    E2E_LOG="$WORK/$name.err"
}

# contains <haystack> <needle>
contains()
{
    [[ $1 == *"$2"* ]]
}

# wait_for_file <path> <seconds>
wait_for_file()
{
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        [ -s "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

# wait_for_log <log> <text> <seconds>
wait_for_log()
{
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

file_mode()
{
    stat -c '%a' "$1"
}

# Free TCP port that is not in the given list.
other_port()
{
    local port
    port=$(free_port)
    while [[ " $* " == *" $port "* ]]; do port=$(free_port); done
    echo "$port"
}

# ---------------------------------------------------------------------------------------------
# version, --help, bad usage
expected_version=""
if [ -n "${GESTALT_SOURCE_DIR:-}" ] && [ -f "$GESTALT_SOURCE_DIR/CMakeLists.txt" ]; then
    expected_version=$(sed -nE 's/^project\(Gestalt VERSION ([0-9.]+).*/\1/p' "$GESTALT_SOURCE_DIR/CMakeLists.txt")
fi
run_cli version version
check_eq "version exits 0" 0 "$CODE"
check "version prints 'gestaltd <semver>' (got '$OUT')" bash -c '[[ $1 =~ ^gestaltd\ [0-9]+\.[0-9]+\.[0-9]+ ]]' _ "$OUT"
if [ -n "$expected_version" ]; then
    check_eq "version matches the CMake project version" "gestaltd $expected_version" "$OUT"
fi

run_cli help --help
check_eq "--help exits 0" 0 "$CODE"
for command in serve validate init version; do
    check "--help lists the $command command" grep -qE "^  $command " "$WORK/help.out"
done
check "--help documents --config" contains "$OUT" "--config FILE"
run_cli help-short -h
check_eq "-h exits 0" 0 "$CODE"

run_cli unknown frobnicate
check_eq "an unknown command exits 2" 2 "$CODE"
check "an unknown command is named on stderr" contains "$ERR" 'unknown command "frobnicate"'
run_cli unknown-option --frobnicate
check_eq "an unknown option exits 2" 2 "$CODE"
run_cli extra-arg version extra
check_eq "an extra positional argument exits 2" 2 "$CODE"
run_cli bad-log-format version --log-format xml
check_eq "--log-format xml exits 2" 2 "$CODE"
run_cli validate-nothing validate
check_eq "validate without --config exits 2" 2 "$CODE"

# ---------------------------------------------------------------------------------------------
# validate
mkdir -p "$WORK/validate"
good="$WORK/validate/good.yaml"
write_config "$good" 18080 "$(random_key)" "  apiTokenTtl: 30d"
run_cli validate-good validate --config "$good"
check_eq "validate of a good config exits 0" 0 "$CODE"
check "validate of a good config says so" contains "$OUT" "config is valid"

agents="$WORK/validate/agents.yaml"
write_config "$agents" 18080 "$(random_key)" \
    "providers:" "  agent:" \
    "    gpt: {source: openai, config: {baseUrl: 'ftp://x', model: m}}" \
    "    bot: {source: claude}"
run_cli validate-agents validate --config "$agents"
check_eq "validate of a bad agent provider exits 1" 1 "$CODE"
check "validate names the bad baseUrl" grep -q "providers.agent.gpt.config.baseUrl" "$WORK/validate-agents.err"
check "validate names the unknown source" grep -q "providers.agent.bot.source: expected scripted or openai" "$WORK/validate-agents.err"

bad="$WORK/validate/bad.yaml"
cat >"$bad" <<'EOF'
apiVersion: gestaltd.config/v5
server:
  pubilc:
    host: 127.0.0.1
    port: 8080
  encryptionKey: "${NOPE_VAR}"
  apiTokenTtl: 3 fortnights
EOF
unset NOPE_VAR
run_cli validate-bad validate --config "$bad"
check "validate of a bad config exits non-zero (got $CODE)" test "$CODE" -ne 0
check "validate exits 1, not a crash (got $CODE)" test "$CODE" -eq 1
check "validate reports the typo'd key server.pubilc at $bad:3" \
    grep -qE "^$bad:3(:[0-9]+)?: .*pubilc" "$WORK/validate-bad.err"
check "validate reports the unset \${NOPE_VAR} at $bad:6" \
    grep -qE "^$bad:6(:[0-9]+)?: .*NOPE_VAR" "$WORK/validate-bad.err"
check "validate reports the bad duration at $bad:7" \
    grep -qE "^$bad:7(:[0-9]+)?: .*(apiTokenTtl|duration|fortnights)" "$WORK/validate-bad.err"
check "validate counts the 3 problems in its summary line" \
    grep -qE "^gestaltd validate: 3 problem" "$WORK/validate-bad.err"
check "validate's stderr carries no warning log line" \
    bash -c '! grep -qE "QString::arg|\"level\":\"warn\"" "$1"' _ "$WORK/validate-bad.err"

# A documented Go key that does nothing here: a warning with its place, exit 0 (docs/CONFIG.md).
warned="$WORK/validate/warned.yaml"
write_config "$warned" 18080 "$(random_key)" "  runtime:" "    relayBaseUrl: https://gestalt.example.com"
run_cli validate-warned validate --config "$warned"
check_eq "validate with warnings only exits 0" 0 "$CODE"
check "validate of a warned config says it is valid with 1 warning" contains "$OUT" "(1 warning(s))"
check "validate prints the warning with file:line:col and the key" \
    grep -qE "^warning: $warned:8:5: server.runtime.relayBaseUrl: ignored: " "$WORK/validate-warned.err"

# A refused key is an error naming the key and why; errors come before warnings.
refused="$WORK/validate/refused.yaml"
write_config "$refused" 18080 "$(random_key)" "  runtime:" "    relayBaseUrl: https://gestalt.example.com" \
    "  dev:" "    attachmentState: indexeddb"
run_cli validate-refused validate --config "$refused"
check_eq "validate of a refused key exits 1" 1 "$CODE"
check "validate names the refused key and the reason on the first line" \
    bash -c 'head -1 "$1" | grep -qE "^$2:10:5: server.dev.attachmentState: remote provider-dev attach"' \
    _ "$WORK/validate-refused.err" "$refused"
check "validate prints the warning after the error" \
    bash -c 'sed -n 2p "$1" | grep -q "^warning: .*server.runtime.relayBaseUrl"' _ "$WORK/validate-refused.err"
check "validate counts errors and warnings" \
    grep -qE "^gestaltd validate: 1 problem\(s\) found, 1 warning\(s\)" "$WORK/validate-refused.err"

# The same file refused by serve: exit 2, nothing served, problems on stderr.
run_cli serve-bad serve --config "$bad"
check_eq "serve with an invalid config exits 2" 2 "$CODE"
check "serve with an invalid config names the typo" contains "$ERR" "pubilc"

# ---------------------------------------------------------------------------------------------
# init
initialized="$WORK/init/sub/config.yaml"
run_cli init init --config "$initialized"
check_eq "init exits 0" 0 "$CODE"
require "init wrote $initialized" test -s "$initialized"
check_eq "init's file has mode 600" 600 "$(file_mode "$initialized")"
check "init's file has a 64-hex encryptionKey" \
    grep -qE '^  encryptionKey: "[0-9a-f]{64}"$' "$initialized"
check "init's file is a v5 config" grep -qx 'apiVersion: gestaltd.config/v5' "$initialized"
before=$(sha256sum "$initialized")
run_cli init-again init --config "$initialized"
check "init refuses to overwrite (exit $CODE)" test "$CODE" -ne 0
check "init says why it refused" contains "$ERR" "exists already"
check_eq "init left the existing file alone" "$before" "$(sha256sum "$initialized")"
run_cli validate-init validate --config "$initialized"
check_eq "the file init wrote validates" 0 "$CODE"
second="$WORK/init/other.yaml"
run_cli init-second init --config "$second"
check "two inits draw different keys" \
    bash -c '[ "$(grep encryptionKey "$1")" != "$(grep encryptionKey "$2")" ]' _ "$initialized" "$second"

# ---------------------------------------------------------------------------------------------
# First start: no --config, no $GESTALT_CONFIG, no ./config.yaml: ~/.gestaltd/config.yaml is
# written. It listens on 127.0.0.1:8080, which may be busy; only the file and the log count.
mkdir -p "$WORK/empty-cwd"
generated="$HOME/.gestaltd/config.yaml"
(cd "$WORK/empty-cwd" && exec "$GESTALTD") >"$WORK/first-start.log" 2>&1 &
GESTALTD_PID=$!
E2E_PIDS+=("$GESTALTD_PID")
E2E_LOG="$WORK/first-start.log"
check "first start writes $generated" wait_for_file "$generated" 15
check "first start logs the generated path" \
    wait_for_log "$WORK/first-start.log" "wrote a starter config to $generated" 15
stop_pid "$GESTALTD_PID" 10
if [ -f "$generated" ]; then
    check_eq "the generated config has mode 600" 600 "$(file_mode "$generated")"
    check "the generated config has a 64-hex encryptionKey" \
        grep -qE '^  encryptionKey: "[0-9a-f]{64}"$' "$generated"
    check "the generated config listens on 127.0.0.1:8080" \
        bash -c 'grep -qx "    host: 127.0.0.1" "$1" && grep -qx "    port: 8080" "$1"' _ "$generated"
    run_cli validate-generated validate --config "$generated"
    check_eq "the generated config validates" 0 "$CODE"
    check "nothing was written into the working directory" \
        bash -c '[ -z "$(ls -A "$1")" ]' _ "$WORK/empty-cwd"
    # A second start uses the file and does not rewrite it.
    before=$(sha256sum "$generated")
    (cd "$WORK/empty-cwd" && exec "$GESTALTD") >"$WORK/second-start.log" 2>&1 &
    GESTALTD_PID=$!
    E2E_PIDS+=("$GESTALTD_PID")
    E2E_LOG="$WORK/second-start.log"
    check "second start names the generated config in its log" \
        wait_for_log "$WORK/second-start.log" "$generated" 15
    stop_pid "$GESTALTD_PID" 10
    check_eq "second start kept the generated config" "$before" "$(sha256sum "$generated")"
    check "second start did not claim to write a config" \
        bash -c '! grep -q "wrote a starter config" "$1"' _ "$WORK/second-start.log"
fi

# ---------------------------------------------------------------------------------------------
# Lookup order: --config > $GESTALT_CONFIG > ./config.yaml > ~/.gestaltd/config.yaml.
home_config_sum=$(sha256sum "$generated" 2>/dev/null || true)
env_port=$(free_port)
cwd_port=$(other_port "$env_port")
mkdir -p "$WORK/env" "$WORK/cwd"
write_config "$WORK/env/from-env.yaml" "$env_port" "$(random_key)"
write_config "$WORK/cwd/config.yaml" "$cwd_port" "$(random_key)"

# $GESTALT_CONFIG wins over ./config.yaml.
(cd "$WORK/cwd" && GESTALT_CONFIG="$WORK/env/from-env.yaml" exec "$GESTALTD") >"$WORK/env.log" 2>&1 &
GESTALTD_PID=$!
E2E_PIDS+=("$GESTALTD_PID")
E2E_LOG="$WORK/env.log"
check "\$GESTALT_CONFIG is honoured (serves on its port $env_port)" wait_health "http://127.0.0.1:$env_port"
check "\$GESTALT_CONFIG wins over ./config.yaml (nothing on $cwd_port)" \
    bash -c '! curl -s -o /dev/null -m 2 "http://127.0.0.1:$1/health"' _ "$cwd_port"
check "the log names the \$GESTALT_CONFIG file" grep -qF "$WORK/env/from-env.yaml" "$WORK/env.log"
check "the \$GESTALT_CONFIG datastore lives beside that file" test -f "$WORK/env/gestalt.db"
stop_pid "$GESTALTD_PID" 10

# ./config.yaml, with $GESTALT_CONFIG unset.
(cd "$WORK/cwd" && exec "$GESTALTD") >"$WORK/cwd.log" 2>&1 &
GESTALTD_PID=$!
E2E_PIDS+=("$GESTALTD_PID")
E2E_LOG="$WORK/cwd.log"
check "./config.yaml is honoured (serves on its port $cwd_port)" wait_health "http://127.0.0.1:$cwd_port"
check "the log names ./config.yaml by its absolute path" grep -qF "$WORK/cwd/config.yaml" "$WORK/cwd.log"
stop_pid "$GESTALTD_PID" 10
check_eq "the home config was left unchanged" "$home_config_sum" \
    "$(sha256sum "$generated" 2>/dev/null || true)"

# ---------------------------------------------------------------------------------------------
# Two --config files merge left to right: the second overrides the port. --config wins over
# $GESTALT_CONFIG (pointing at a file that does not exist).
base_port=$(free_port)
merged_port=$(other_port "$base_port")
mkdir -p "$WORK/merge"
write_config "$WORK/merge/base.yaml" "$base_port" "$(random_key)" "  apiTokenTtl: 1h"
cat >"$WORK/merge/override.yaml" <<EOF
apiVersion: gestaltd.config/v5
server:
  public:
    port: $merged_port
EOF
(cd "$WORK/cwd" && GESTALT_CONFIG="$WORK/does-not-exist.yaml" exec "$GESTALTD" serve \
    --config "$WORK/merge/base.yaml" --config "$WORK/merge/override.yaml") >"$WORK/merge.log" 2>&1 &
GESTALTD_PID=$!
E2E_PIDS+=("$GESTALTD_PID")
E2E_LOG="$WORK/merge.log"
check "merged config serves on the second file's port $merged_port" wait_health "http://127.0.0.1:$merged_port"
check "nothing listens on the first file's port $base_port" \
    bash -c '! curl -s -o /dev/null -m 2 "http://127.0.0.1:$1/health"' _ "$base_port"
http POST "http://127.0.0.1:$merged_port/api/v1/tokens" -H 'Content-Type: application/json' -d '{"name":"merge"}'
check_eq "merged config: token created" 201 "$STATUS"
# apiTokenTtl 1h from the first file survives the merge.
expires=$(json .expiresAt)
check "merged config keeps the first file's apiTokenTtl (expiresAt $expires is ~1h away)" \
    python3 - "$expires" <<'EOF'
import sys, datetime
text = sys.argv[1].replace("Z", "+00:00")
left = (datetime.datetime.fromisoformat(text) - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
sys.exit(0 if 3500 < left <= 3600 else 1)
EOF
stop_pid "$GESTALTD_PID" 10

# ---------------------------------------------------------------------------------------------
# SIGTERM and SIGINT: exit 0 promptly, log "stopped", SQLite file left behind.
for signal in TERM INT; do
    port=$(free_port)
    dir="$WORK/signal-$signal"
    mkdir -p "$dir"
    write_config "$dir/config.yaml" "$port" "$(random_key)"
    start_gestaltd "$dir/gestaltd.log" serve --config "$dir/config.yaml"
    if ! wait_health "http://127.0.0.1:$port"; then
        fail "SIG$signal: gestaltd did not come up"
        continue
    fi
    http POST "http://127.0.0.1:$port/api/v1/tokens" -H 'Content-Type: application/json' -d '{"name":"sig"}'
    check_eq "SIG$signal: a token is created before the signal" 201 "$STATUS"
    kill -"$signal" "$GESTALTD_PID"
    if wait_exit "$GESTALTD_PID" 5; then
        check_eq "SIG$signal: gestaltd exits 0" 0 "$EXIT_CODE"
    else
        fail "SIG$signal: gestaltd still runs 5 s after the signal"
    fi
    check "SIG$signal: the log says the signal was received" grep -q "received signal" "$dir/gestaltd.log"
    check "SIG$signal: the log says stopped" grep -q "stopped" "$dir/gestaltd.log"
    check "SIG$signal: the SQLite file exists afterwards" test -s "$dir/gestalt.db"
    check "SIG$signal: the port is free afterwards" \
        bash -c '! curl -s -o /dev/null -m 2 "http://127.0.0.1:$1/health"' _ "$port"
done

finish
