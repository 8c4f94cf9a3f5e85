#!/usr/bin/env python3
"""clang-tidy (Debian's clang-tidy 14, with the project's .clang-tidy) over every source of server/,
console/ and shared/, using the compile_commands.json of a configured and built build (build-ci by
default: the generated moc/uic headers must exist). Fails on any diagnostic, not only on
WarningsAsErrors; the unique diagnostics are listed at the end and the whole output is kept in
<build>/tidy.log.

  scripts/tidy.py [--build DIR] [--single] [regex ...]

regex: only sources whose absolute path matches one of them. With GESTALT_TIDY_SINCE=<revision>,
only the sources affected by the changes since that revision: those whose own text or any header
they include changed (from ninja's dependency log). GESTALT_JOBS: parallel clang-tidy processes.

Why chunks: checked one by one, a source costs ~13-17 s of CPU, and two thirds of that is the same
work every time (parsing the Qt headers and running every check's matchers over them); the tree
took about half an hour on two cores. So the sources of one folder with the same compile command
are checked together, in chunks: a generated file holds their text one after the other, each after
a `#line 1 "<source>"`. The text stays in the main file, so clang-analyzer's path-sensitive checks
still run on every function of every source (they skip functions of included files, which a chunk
of `#include "x.cpp"` lines would have silenced). Diagnostics are mapped back to <source>:<line>.
A chunk that does not compile as one (two sources define the same internal name) is halved until
its parts do; the run prints the error, so the cost stays visible and the clash can be removed. --single checks every source on
its own, as before (slower; the reference the chunked run is compared with).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK_SIZE = 16
DIAGNOSTIC = re.compile(r"^(/[^:\s]+):(\d+):(\d+): (warning|error): ")
COMPILE_ERROR = "[clang-diagnostic-error]"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Source:
    def __init__(self, entry: dict):
        self.path = str(Path(entry["directory"], entry["file"]).resolve())
        self.directory = entry["directory"]
        if "arguments" in entry:
            self.arguments = list(entry["arguments"])
        else:
            self.arguments = shlex.split(entry["command"])

    def flags(self) -> list[str]:
        """The compile command without its output, input and compiler."""
        args, skip = [], False
        for arg in self.arguments[1:]:
            if skip:
                skip = False
                continue
            if arg in ("-o", "-c"):
                skip = True
                continue
            if arg == self.path or arg.endswith(".cpp"):
                continue
            args.append(arg)
        return args


def affected_since(build: Path, revision: str, sources: list[Source]) -> list[Source]:
    changed = subprocess.run(
        ["git", "-C", str(ROOT), "diff", "--name-only", revision, "--", "server", "console", "shared"],
        check=True, capture_output=True, text=True).stdout.split()
    changed = {str(ROOT / name) for name in changed}
    deps = subprocess.run(["ninja", "-C", str(build), "-t", "deps"], check=True,
                          capture_output=True, text=True).stdout
    hit, first = set(), None
    for line in deps.splitlines():
        if not line.startswith(" "):
            first = None
            continue
        path = line.strip()
        if not path:
            continue
        path = os.path.normpath(path if path.startswith("/") else str(build / path))
        if first is None:
            first = path
        if path in changed:
            hit.add(first)
    return [s for s in sources if s.path in hit]


def chunks_of(sources: list[Source]) -> list[list[Source]]:
    groups: dict[tuple, list[Source]] = {}
    for source in sources:
        key = (str(Path(source.path).parent), tuple(source.flags()))
        groups.setdefault(key, []).append(source)
    chunks = []
    for members in groups.values():
        members.sort(key=lambda s: s.path)
        for i in range(0, len(members), CHUNK_SIZE):
            chunks.append(members[i:i + CHUNK_SIZE])
    chunks.sort(key=lambda c: c[0].path)
    return chunks


class Job:
    """One clang-tidy process: a chunk file, or a single source."""

    def __init__(self, sources: list[Source], chunk: Path | None):
        self.sources = sources
        self.chunk = chunk
        self.starts: list[tuple[int, str]] = []  # (line of the #line directive, source)
        self.output = ""

    def write_chunk(self) -> None:
        lines = []
        for source in self.sources:
            self.starts.append((len(lines) + 1, source.path))
            lines.append(f'#line 1 "{source.path}"\n')
            text = Path(source.path).read_text(encoding="utf-8")
            lines.extend(text.splitlines(keepends=True))
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
        self.chunk.write_text("".join(lines), encoding="utf-8")

    def entry(self) -> dict:
        source = self.sources[0]
        args = [source.arguments[0], "-iquote", str(Path(source.path).parent)]
        args += source.flags() + ["-c", str(self.chunk)]
        return {"directory": source.directory, "file": str(self.chunk), "arguments": args}

    def where(self, line: int) -> tuple[str, int]:
        path, start = self.sources[0].path, 1
        for first, source in self.starts:
            if first <= line:
                path, start = source, first
        return path, line - start

    def remap(self, text: str) -> str:
        if self.chunk is None:
            return text
        name = re.escape(str(self.chunk))

        def replace(match: re.Match) -> str:
            path, line = self.where(int(match.group(1)))
            return f"{path}:{line}:"

        return re.sub(name + r":(\d+):", replace, text)

    def run(self, database: Path) -> "Job":
        file = str(self.chunk) if self.chunk else self.sources[0].path
        result = subprocess.run(
            ["clang-tidy", "-p", str(database), "--quiet", "--extra-arg=-Wno-unknown-warning-option",
             file], capture_output=True, text=True)
        self.output = self.remap(ANSI.sub("", result.stdout + result.stderr))
        return self

    def failed_to_compile(self) -> bool:
        return COMPILE_ERROR in self.output


def run_all(jobs: list[Job], database: Path, parallel: int) -> None:
    with concurrent.futures.ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(lambda job: job.run(database), jobs))


def first_compile_error(output: str) -> str:
    for line in output.splitlines():
        if COMPILE_ERROR in line:
            return line.replace(str(ROOT) + "/", "")
    return "?"


def split_broken(jobs: list[Job], workdir: Path, parallel: int) -> list[Job]:
    """Halves every chunk that does not compile as one, until each part does (a part of one
    source is that source checked on its own, with its real compile command)."""
    done = [j for j in jobs if not j.failed_to_compile() or len(j.sources) == 1]
    broken = [j for j in jobs if j.failed_to_compile() and len(j.sources) > 1]
    serial = 0
    while broken:
        parts = []
        for job in broken:
            print(f"tidy: {job.chunk.name} ({len(job.sources)} sources of "
                  f"{Path(job.sources[0].path).parent.relative_to(ROOT)}) does not compile as one: "
                  f"{first_compile_error(job.output)}; halving it")
            half = len(job.sources) // 2
            for part in (job.sources[:half], job.sources[half:]):
                if len(part) == 1:
                    parts.append(Job(part, None))
                else:
                    serial += 1
                    chunk = Job(part, workdir / f"chunk_split_{serial:03d}.cpp")
                    chunk.write_chunk()
                    parts.append(chunk)
        entries = [j.entry() for j in parts if j.chunk is not None]
        database = workdir / "split"
        database.mkdir(exist_ok=True)
        (database / "compile_commands.json").write_text(json.dumps(entries))
        chunked = [j for j in parts if j.chunk is not None]
        run_all(chunked, database, parallel)
        run_all([j for j in parts if j.chunk is None], workdir.parent, parallel)
        done += [j for j in parts if not j.failed_to_compile() or len(j.sources) == 1]
        broken = [j for j in parts if j.failed_to_compile() and len(j.sources) > 1]
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=str(ROOT / "build-ci"))
    parser.add_argument("--single", action="store_true", help="check every source on its own")
    parser.add_argument("regex", nargs="*")
    options = parser.parse_args()
    build = Path(options.build).resolve()
    database = build / "compile_commands.json"
    if not database.is_file():
        print(f"tidy: {database} is missing (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)",
              file=sys.stderr)
        return 2
    parallel = int(os.environ.get("GESTALT_JOBS", "2"))

    scope = re.compile(r"^" + re.escape(str(ROOT)) + r"/(server|console|shared)/.*\.cpp$")
    sources = [Source(e) for e in json.loads(database.read_text())]
    sources = [s for s in sources if scope.match(s.path)]
    if options.regex:
        wanted = [re.compile(r) for r in options.regex]
        sources = [s for s in sources if any(w.search(s.path) for w in wanted)]
    since = os.environ.get("GESTALT_TIDY_SINCE")
    if since:
        sources = affected_since(build, since, sources)
        print(f"tidy: {len(sources)} sources affected since {since}")
    if not sources:
        print("tidy: nothing to check")
        return 0

    version = subprocess.run(["clang-tidy", "--version"], capture_output=True, text=True).stdout
    version = re.search(r"version [0-9.]+", version)
    print(f"== clang-tidy ({version.group(0) if version else '?'}, {len(sources)} sources, "
          f"-j {parallel}{', one by one' if options.single else ''})", flush=True)
    started = time.monotonic()

    if options.single:
        jobs = [Job([s], None) for s in sources]
    else:
        workdir = build / "tidy"
        workdir.mkdir(exist_ok=True)
        for old in workdir.glob("**/chunk_*.cpp"):
            old.unlink()
        jobs = []
        for index, chunk in enumerate(chunks_of(sources)):
            job = Job(chunk, workdir / f"chunk_{index:03d}.cpp")
            job.write_chunk()
            jobs.append(job)
        (workdir / "compile_commands.json").write_text(json.dumps([j.entry() for j in jobs]))
    run_all(jobs, build / "tidy" if not options.single else build, parallel)

    if not options.single:
        jobs = split_broken(jobs, build / "tidy", parallel)

    log = "\n".join(j.output for j in jobs)
    (build / "tidy.log").write_text(log)
    print(f"tidy: {int(time.monotonic() - started)} s, {len(jobs)} clang-tidy runs", flush=True)

    diagnostics = sorted({line for line in log.splitlines() if DIAGNOSTIC.match(line)})
    if diagnostics:
        print("\n".join(diagnostics))
        print(f"tidy: {len(diagnostics)} diagnostics (full output: {build / 'tidy.log'})",
              file=sys.stderr)
        return 1
    print("tidy: clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
