#!/usr/bin/env bash
# Pipelining memory benchmark (issue 19): one connection sends 10,000 pipelined
# GET /admin/admin.css (11 KiB, the largest /admin asset: about 115 MB of answers) and never
# reads. Prints gestaltd's RSS before and while the attack holds its connection, next to a
# reference measured in the same run: the same 10,000 requests on one connection whose answers
# are read normally. A benchmark, not a test: it never fails on numbers.
#
# Usage: bench/pipelining.sh [path/to/gestaltd]   (default: build-bench/server/gestaltd)
# Needs: curl, python3. Everything listens on 127.0.0.1; all state lives in a temp dir.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo_root/bench/lib.sh"
gestaltd=${1:-$repo_root/build-bench/server/gestaltd}
requests=10000
hold=5

require_gestaltd "$gestaltd"
require_tools curl python3
bench_init

port=$(free_port)
start_gestaltd "$port"
pid=$last_pid
kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# mode "read": read every answer; mode "stall": a tiny receive buffer, never read, hold the
# connection for $hold seconds while the caller samples RSS.
client() { # mode
    python3 - "$port" "$requests" "$1" "$hold" <<'EOF'
import socket, sys, time
port, count, mode, hold = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
s = socket.socket()
if mode == "stall":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.setblocking(False)
data = b"GET /admin/admin.css HTTP/1.1\r\nHost: localhost\r\n\r\n" * count
sent, got, deadline = 0, 0, time.time() + 60
while time.time() < deadline:
    if sent < len(data):
        try:
            sent += s.send(data[sent:sent + 65536])
        except BlockingIOError:
            pass
    if mode == "read":
        try:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            got += chunk.count(b"HTTP/1.1 200")
            if got >= count:
                break
        except BlockingIOError:
            time.sleep(0.001)
    elif sent >= len(data):
        time.sleep(hold)
        break
    else:
        time.sleep(0.01)
s.close()
EOF
}

curl -fsS -o /dev/null -H 'Host: localhost' "http://127.0.0.1:$port/admin/admin.css"
base=$(kib "$pid")
client read
ref=$(( $(kib "$pid") - base ))
(( ref > 0 )) || ref=1

before=$(kib "$pid")
client stall &
attacker=$!
sleep $((hold - 1))
during=$(kib "$pid")
served=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/health" || true)
wait "$attacker" || true
growth=$(( during - before ))

echo "host: $(nproc) cores; load average $(cut -d" " -f1-3 /proc/loadavg)"
printf 'reference (%d requests read normally): RSS %d -> %d KiB (+%d KiB)\n' \
    "$requests" "$base" $((base + ref)) "$ref"
printf 'attack (%d pipelined, never read):       RSS %d -> %d KiB (+%d KiB)\n' \
    "$requests" "$before" "$during" "$growth"
printf 'attack growth / reference growth: %s; /health during the attack: %s\n' \
    "$(awk -v a="$growth" -v r="$ref" 'BEGIN { printf "%.2f", a / r }')" "$served"
