#!/usr/bin/env python3
"""Layering gate: every #include "..." under server/, shared/ and console/ must point down the layer
table in scripts/layers.txt (a folder may include itself and the folders listed above it, never one
listed below it), and server/ and console/ share only shared/ (neither includes the other). Prints
each offending `file:line -> folder` and exits 1 on such an edge or on a folder the table does not
name.

  scripts/check-layers.py            check (what CTest runs)
  scripts/check-layers.py --graph    report the folder graph: strongly connected components and
                                     mutual pairs (folders that include each other), whatever the table
  scripts/check-layers.py --root DIR check another checkout (e.g. an old commit's worktree)

Python 3 standard library only.
"""
import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE_SUFFIXES = (".h", ".cpp")


def read_table(path):
    """Return the layer table as an ordered list of (folder, job)."""
    table = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            parts = line.split(None, 1)
            table.append((parts[0].rstrip("/"), parts[1].strip() if len(parts) > 1 else ""))
    return table


def component(rel):
    """server, shared or console: the tree a file belongs to, which decides its include roots."""
    return rel.split("/", 1)[0]


def folder_of(rel, known):
    """The layer a repository-relative path belongs to: the longest table entry that prefixes it,
    else (for --graph on any tree) server/<dir>, server/<stem> for a file at the top of server/, or
    the tree itself (shared, console)."""
    best = None
    for name in known:
        if rel == name or rel.startswith(name + "/"):
            if best is None or len(name) > len(best):
                best = name
    if best is not None:
        return best
    parts = rel.split("/")
    if parts[0] == "server":
        # A file at the top of server/ (main.cpp) is a layer of its own, named after its stem.
        return "server/" + (parts[1] if len(parts) > 2 else os.path.splitext(parts[1])[0])
    return parts[0]


def resolve(root, rel_file, target):
    """Resolve a quoted include the way the compiler does: the including file's directory, then the
    include roots of its tree (server/ or console/, then the repository root). None if not in the repo
    (generated headers such as ui_*.h or *.moc)."""
    here = os.path.dirname(rel_file)
    roots = [here]
    comp = component(rel_file)
    if comp in ("server", "console"):
        roots.append(comp)
    roots.append("")
    for base in roots:
        cand = os.path.normpath(os.path.join(base, target))
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def collect_edges(root, known):
    """Yield (file, line, from_folder, to_folder) for every include that crosses folders."""
    for top in ("server", "shared", "console"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                src = folder_of(rel, known)
                with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
                    for lineno, text in enumerate(f, 1):
                        m = INCLUDE.match(text)
                        if not m:
                            continue
                        target = resolve(root, rel, m.group(1))
                        if target is None:
                            continue
                        dst = folder_of(target, known)
                        if dst != src:
                            yield rel, lineno, src, dst


def short(folder):
    return folder[len("server/"):] if folder.startswith("server/") else folder


def sccs(nodes, graph):
    """Tarjan's strongly connected components."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def report_graph(edges):
    graph, nodes = {}, set()
    for _, _, src, dst in edges:
        nodes.update((src, dst))
        graph.setdefault(src, set()).add(dst)
    components = [c for c in sccs(nodes, graph) if len(c) > 1]
    pairs = sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if a in graph.get(b, ())})
    print(f"folders: {len(nodes)}, folder edges: {sum(len(v) for v in graph.values())}")
    print(f"strongly connected components with more than one folder: {len(components)}")
    for comp in components:
        print(f"  {len(comp)} folders: {' '.join(short(f) for f in comp)}")
    print(f"mutual pairs: {len(pairs)}")
    for a, b in pairs:
        print(f"  {short(a)} <-> {short(b)}")
    return 1 if components else 0


def check(root, table, edges):
    rank = {name: i for i, (name, _) in enumerate(table)}
    bad = 0
    seen_unknown = set()
    for rel, lineno, src, dst in edges:
        for folder in (src, dst):
            if folder not in rank and folder not in seen_unknown:
                seen_unknown.add(folder)
                print(f"{folder}: not in the layer table (scripts/layers.txt)")
                bad += 1
        if src in rank and dst in rank and rank[dst] > rank[src]:
            print(f"{rel}:{lineno} -> {short(dst)}  ({short(src)} may not include a folder below it)")
            bad += 1
        elif component(dst) not in (component(src), "shared"):
            # gestaltd and gestalt-console share only shared/: neither includes the other.
            print(f"{rel}:{lineno} -> {short(dst)}  ({component(src)} may include only shared/ outside itself)")
            bad += 1
    if bad:
        print(f"check-layers: {bad} violation(s) of the layer table in scripts/layers.txt")
        return 1
    print(f"check-layers: {len(table)} layers, every include points down")
    return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=os.path.dirname(here), help="repository root to check")
    parser.add_argument("--table", default=os.path.join(here, "layers.txt"), help="layer table")
    parser.add_argument("--graph", action="store_true", help="print SCCs and mutual pairs instead")
    args = parser.parse_args()
    table = read_table(args.table)
    edges = list(collect_edges(args.root, [name for name, _ in table]))
    if args.graph:
        return report_graph(edges)
    return check(args.root, table, edges)


if __name__ == "__main__":
    sys.exit(main())
