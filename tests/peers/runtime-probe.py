#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 Gestalt authors
# SPDX-License-Identifier: Apache-2.0
# A stdio MCP server that reports what a hosted process sees (tests/security/tst_sec_runtime):
# tool `env` answers its environment, uid/gid/groups, working directory and open descriptors
# (with what they point at), and whether the file named by the `path` argument can be opened.
import json
import os
import sys


def probe(arguments):
    fds = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            fds[name] = os.readlink("/proc/self/fd/" + name)
        except OSError:
            pass  # the descriptor of the listing itself, gone by now
    report = {"env": dict(os.environ), "uid": os.getuid(), "euid": os.geteuid(),
              "gid": os.getgid(), "groups": os.getgroups(), "cwd": os.getcwd(), "fds": fds}
    path = arguments.get("path")
    if path:
        try:
            with open(path, "rb") as f:
                f.read(1)
            report["readable"] = True
        except OSError as e:
            report["readable"] = False
            report["readError"] = e.strerror
    return report


for line in sys.stdin:
    message = json.loads(line)
    if "id" not in message:
        continue
    method = message.get("method")
    if method == "initialize":
        result = {"protocolVersion": message["params"]["protocolVersion"],
                  "capabilities": {"tools": {}}, "serverInfo": {"name": "probe", "version": "1"}}
    elif method == "tools/list":
        result = {"tools": [{"name": "env", "inputSchema": {
            "type": "object", "properties": {"path": {"type": "string"}}}}]}
    elif method == "tools/call":
        report = probe(message["params"].get("arguments") or {})
        result = {"content": [{"type": "text", "text": json.dumps(report)}]}
    else:
        result = {}
    print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}), flush=True)
