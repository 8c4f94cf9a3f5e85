#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL server for the tests: initdb into DIR, unix socket in DIR/socket,
# no TCP listener, trust auth. PostgreSQL refuses to run as root, so as root it runs as user postgres.
set -euo pipefail
action=$1
dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/pg_ctl" ] || { echo "pg-ctl.sh: no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 1; }
run() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$action" in
start)
    if [ -f "$dir/data/postmaster.pid" ]; then
        run "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir/socket"
    if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
    run "$bindir/initdb" -D "$dir/data" --auth=trust --username=postgres --encoding=UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir/socket' -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres running, socket dir $dir/socket"
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        run "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    echo "postgres stopped"
    ;;
*)
    echo "usage: pg-ctl.sh start|stop DIR" >&2
    exit 2
    ;;
esac
