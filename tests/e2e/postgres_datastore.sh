#!/usr/bin/env bash
# gestaltd on PostgreSQL: tokens round-trip and are stored only as SHA-256 hashes; PostgreSQL down at
# start is a clean, prompt exit; PostgreSQL going away mid-run turns /ready and datastore-backed
# routes into 503 without killing the process, and everything recovers when it comes back.
# Needs GESTALT_TEST_PG_DIR (the shared test server, never stopped here); the outage runs on a
# private instance started with tests/support/pg-ctl.sh.
# Usage: postgres_datastore.sh <path-to-gestaltd>
set -euo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
e2e_init postgres_datastore "$@"

PG_CTL_SH=$(cd "$(dirname "$0")/../support" && pwd)/pg-ctl.sh
[ -n "${GESTALT_TEST_PG_DIR:-}" ] || fatal "GESTALT_TEST_PG_DIR is not set"
shared_socket="$GESTALT_TEST_PG_DIR/socket"
command -v psql >/dev/null || fatal "psql is not installed"

# psql_at <socket-dir> <database> <sql>: one unaligned, tuples-only result.
psql_at()
{
    psql -X -q -v ON_ERROR_STOP=1 -h "$1" -U postgres -d "$2" -At -c "$3"
}

random_name()
{
    echo "gestalt_e2e_$(python3 -c 'import secrets; print(secrets.token_hex(5))')"
}

sha256_hex()
{
    printf '%s' "$1" | sha256sum | cut -d' ' -f1
}

# config_for <path> <port> <dsn>
config_for()
{
    write_config "$1" "$2" "$(random_key)" \
        "providers:" \
        "  indexeddb:" \
        "    main:" \
        "      config:" \
        "        dsn: \"$3\""
}

# ready_within <base> <status> <seconds>: polls /ready until it answers <status>.
ready_within()
{
    local base=$1 want=$2 seconds=$3 i
    for ((i = 0; i < seconds * 5; i++)); do
        http GET "$base/ready"
        [ "$STATUS" = "$want" ] && return 0
        sleep 0.2
    done
    return 1
}

pg_answers()
{
    psql_at "$1" postgres "select 1" >/dev/null
}

require "the shared PostgreSQL answers at $shared_socket" pg_answers "$shared_socket"

# ---------------------------------------------------------------------------------------------
# 1. Tokens on PostgreSQL, stored as hashes.
db=$(random_name)
psql_at "$shared_socket" postgres "create database $db" >/dev/null
on_exit "psql -X -q -h '$shared_socket' -U postgres -d postgres -c 'drop database if exists $db with (force)'"
port=$(free_port)
base="http://127.0.0.1:$port"
config_for "$WORK/pg.yaml" "$port" "postgres://postgres@/$db?host=$shared_socket"
start_gestaltd "$WORK/pg.log" serve --config "$WORK/pg.yaml"
require "gestaltd on PostgreSQL serves /health" wait_health "$base"
http GET "$base/ready"
check_eq "/ready is 200 on PostgreSQL" 200 "$STATUS"
check "the log shows the redacted PostgreSQL datastore" grep -q "store: opening" "$WORK/pg.log"

http POST "$base/api/v1/tokens" -H 'Content-Type: application/json' -d '{"name":"first"}'
require "POST /api/v1/tokens is 201" test "$STATUS" = 201
first=$(json .token)
first_id=$(json .id)
check "the token is gst_api_ + 64 hex" bash -c '[[ $1 =~ ^gst_api_[0-9a-f]{64}$ ]]' _ "$first"
http POST "$base/api/v1/tokens" -H 'Content-Type: application/json' -H "Authorization: Bearer $first" \
    -d '{"name":"second"}'
check_eq "a token creates another token" 201 "$STATUS"
second=$(json .token)
second_id=$(json .id)

http GET "$base/api/v1/tokens" -H "Authorization: Bearer $second"
check_eq "GET /api/v1/tokens is 200" 200 "$STATUS"
check_eq "two tokens listed" "first,second" "$(json '[.[].name] | sort | join(",")')"
check "the list never carries plaintext" bash -c '[[ $1 != *gst_api_* ]]' _ "$BODY"

rows=$(psql_at "$shared_socket" "$db" "select hashed_token from api_tokens order by hashed_token")
check_eq "api_tokens holds two rows" 2 "$(printf '%s\n' "$rows" | grep -c .)"
check "every hashed_token is 64 lowercase hex" \
    bash -c '[ -n "$1" ] && ! printf "%s\n" "$1" | grep -qvE "^[0-9a-f]{64}$"' _ "$rows"
check "hashed_token is the SHA-256 of the first token" \
    bash -c 'printf "%s\n" "$1" | grep -qx "$2"' _ "$rows" "$(sha256_hex "$first")"
check "hashed_token is the SHA-256 of the second token" \
    bash -c 'printf "%s\n" "$1" | grep -qx "$2"' _ "$rows" "$(sha256_hex "$second")"
# No plaintext anywhere: not in api_tokens, nor in any other table of the database.
leaks=""
for table in $(psql_at "$shared_socket" "$db" \
    "select quote_ident(table_name) from information_schema.tables where table_schema = 'public'"); do
    count=$(psql_at "$shared_socket" "$db" "select count(*) from $table t where t::text like '%gst_api_%'")
    [ "$count" = 0 ] || leaks+="$table:$count "
done
check_eq "no table holds a gst_api_ plaintext" "" "$leaks"

http DELETE "$base/api/v1/tokens/$second_id" -H "Authorization: Bearer $first"
check_eq "DELETE /api/v1/tokens/{id} is 200" 200 "$STATUS"
check_eq "revoke says revoked" revoked "$(json .status)"
http GET "$base/api/v1/tokens" -H "Authorization: Bearer $second"
check_eq "the revoked token is refused at once" 401 "$STATUS"
http GET "$base/api/v1/tokens" -H "Authorization: Bearer $first"
check_eq "one token left after revoke" "$first_id" "$(json -c '[.[].id] | join(",")')"
check_eq "revoke removed the hash from api_tokens" 0 \
    "$(psql_at "$shared_socket" "$db" "select count(*) from api_tokens where hashed_token = '$(sha256_hex "$second")'")"

kill -TERM "$GESTALTD_PID"
if wait_exit "$GESTALTD_PID" 10; then
    check_eq "gestaltd on PostgreSQL exits 0 on SIGTERM" 0 "$EXIT_CODE"
else
    fail "gestaltd on PostgreSQL still runs 10 s after SIGTERM"
fi

# ---------------------------------------------------------------------------------------------
# 2. PostgreSQL down at start: a socket folder with no server behind it.
mkdir -p "$WORK/nopg"
port=$(free_port)
config_for "$WORK/down.yaml" "$port" "postgres://postgres@/gestalt_e2e_none?host=$WORK/nopg"
E2E_LOG="$WORK/down.log"
started=$(date +%s)
code=0
timeout -s KILL 30 "$GESTALTD" serve --config "$WORK/down.yaml" >"$WORK/down.log" 2>&1 || code=$?
elapsed=$(($(date +%s) - started))
check "PostgreSQL down at start: exit is non-zero (got $code)" test "$code" -ne 0
check "PostgreSQL down at start: no crash or kill (exit $code < 128)" test "$code" -lt 128
check "PostgreSQL down at start: exits within 15 s (took ${elapsed}s)" test "$elapsed" -le 15
check "PostgreSQL down at start: says 'datastore unavailable'" grep -q "datastore unavailable" "$WORK/down.log"
check "PostgreSQL down at start: names the socket it tried" grep -qF "$WORK/nopg" "$WORK/down.log"
check "PostgreSQL down at start: nothing listens on $port" \
    bash -c '! curl -s -o /dev/null -m 2 "http://127.0.0.1:$1/health"' _ "$port"

# A running server without the named database: also a clean, explained exit.
port=$(free_port)
config_for "$WORK/nodb.yaml" "$port" "postgres://postgres@/$(random_name)?host=$shared_socket"
E2E_LOG="$WORK/nodb.log"
code=0
timeout -s KILL 30 "$GESTALTD" serve --config "$WORK/nodb.yaml" >"$WORK/nodb.log" 2>&1 || code=$?
check "missing database: exit is non-zero and not a crash (got $code)" bash -c '[ "$1" -ne 0 ] && [ "$1" -lt 128 ]' _ "$code"
check "missing database: says the database does not exist" grep -q "does not exist" "$WORK/nodb.log"

# ---------------------------------------------------------------------------------------------
# 3. PostgreSQL down mid-run, on a private instance (the shared one is never stopped).
pg_dir=$(mktemp -d /tmp/gpg-e2e.XXXXXX)
on_exit "'$PG_CTL_SH' stop '$pg_dir'; rm -rf '$pg_dir'"
E2E_LOG="$WORK/private-pg.log"
"$PG_CTL_SH" start "$pg_dir" >"$WORK/private-pg.log" 2>&1 || fatal "cannot start a private PostgreSQL in $pg_dir"
pg_socket="$pg_dir/socket"
pg_bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

# Start the private instance again on its existing data (pg-ctl.sh start would re-initdb).
pg_restart()
{
    local -a as_postgres=()
    if [ "$(id -u)" = 0 ]; then as_postgres=(runuser -u postgres --); fi
    "${as_postgres[@]}" "$pg_bindir/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 30 \
        -o "-c listen_addresses='' -c unix_socket_directories='$pg_socket' -c fsync=off" start
}

private_db=$(random_name)
psql_at "$pg_socket" postgres "create database $private_db" >/dev/null
port=$(free_port)
base="http://127.0.0.1:$port"
config_for "$WORK/outage.yaml" "$port" "postgres://postgres@/$private_db?host=$pg_socket"
start_gestaltd "$WORK/outage.log" serve --config "$WORK/outage.yaml"
require "gestaltd on the private PostgreSQL serves /health" wait_health "$base"
http GET "$base/ready"
check_eq "outage: /ready is 200 before the outage" 200 "$STATUS"
http POST "$base/api/v1/tokens" -H 'Content-Type: application/json' -d '{"name":"outage"}'
require "outage: a token is created before the outage" test "$STATUS" = 201
token=$(json .token)
token_id=$(json .id)
http GET "$base/api/v1/tokens" -H "Authorization: Bearer $token"
check_eq "outage: the token works before the outage" 200 "$STATUS"

E2E_LOG="$WORK/private-pg.log"
"$PG_CTL_SH" stop "$pg_dir" >>"$WORK/private-pg.log" 2>&1 || fatal "cannot stop the private PostgreSQL"
E2E_LOG="$WORK/outage.log"

http GET "$base/ready"
check_eq "outage: /ready is 503" 503 "$STATUS"
check_eq "outage: /ready says datastore unavailable" '{"status":"datastore unavailable"}' "$(json -c .)"
http GET "$base/readyz"
check_eq "outage: /readyz is 503" 503 "$STATUS"
check_eq "outage: /readyz names the datastore check" "datastore unavailable" "$(json .checks.datastore)"
http GET "$base/health"
check_eq "outage: /health (liveness) stays 200" 200 "$STATUS"

sleep 3 # past the ~2 s token cache, so the token is looked up in the datastore
http GET "$base/api/v1/tokens" -H "Authorization: Bearer $token"
check_eq "outage: an authenticated token request is 503" 503 "$STATUS"
check "outage: the 503 is a JSON error" \
    bash -c '[[ $1 == application/json* ]] && [ -n "$2" ] && [ "$2" != null ]' _ "$(header_value content-type)" "$(json .error)"
outage_error=$(json .error)
check "outage: the 503 does not leak the DSN's socket path (error: $outage_error)" \
    bash -c '[[ $1 != *"$2"* ]]' _ "$outage_error" "$pg_socket"
http POST "$base/api/v1/tokens" -H 'Content-Type: application/json' -d '{"name":"during"}'
check_eq "outage: creating a token is 503" 503 "$STATUS"
# A token that was never issued can't be checked either: 503, not 401.
http GET "$base/api/v1/tokens" -H "Authorization: Bearer gst_api_$(printf '0%.0s' {1..64})"
check_eq "outage: an unknown token is 503 (it can't be checked), not 401" 503 "$STATUS"
check "outage: gestaltd is still running" kill -0 "$GESTALTD_PID"

E2E_LOG="$WORK/private-pg.log"
pg_restart >>"$WORK/private-pg.log" 2>&1 || fatal "cannot restart the private PostgreSQL"
E2E_LOG="$WORK/outage.log"
check "recovery: /ready is 200 again within 15 s" ready_within "$base" 200 15
http GET "$base/api/v1/tokens" -H "Authorization: Bearer $token"
check_eq "recovery: the earlier token works again" 200 "$STATUS"
check_eq "recovery: the token list is intact" "$token_id" "$(json -c '[.[].id] | join(",")')"
http POST "$base/api/v1/tokens" -H 'Content-Type: application/json' -d '{"name":"after"}'
check_eq "recovery: a token can be created again" 201 "$STATUS"
check "recovery: the log reports the datastore reachable again" grep -q "reachable again" "$WORK/outage.log"
check "recovery: gestaltd never crashed" kill -0 "$GESTALTD_PID"

kill -TERM "$GESTALTD_PID"
if wait_exit "$GESTALTD_PID" 10; then
    check_eq "gestaltd after the outage exits 0 on SIGTERM" 0 "$EXIT_CODE"
else
    fail "gestaltd after the outage still runs 10 s after SIGTERM"
fi

finish
