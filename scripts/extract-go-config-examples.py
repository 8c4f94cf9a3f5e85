#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 Gestalt authors
# SPDX-License-Identifier: Apache-2.0
"""Extracts the YAML config examples of the Go gestaltd's documentation into test data.

Usage: scripts/extract-go-config-examples.py <gestalt-docs dir> [<output dir>]

Reads every ```yaml block of the .mdx pages under <gestalt-docs dir> (the Go project's
docs/content, see its SOURCE file) and writes the ones that are gestaltd configs or plugin
manifests to <output dir> (default tests/data/go-config-examples) as <page>-<n>.yaml, where
<page> is the page's path with '/' as '-' and <n> the block's number on that page (1-based,
counting every yaml block). Each file starts with a comment naming the page and the commit.

Which blocks are kept, and how tests/unit/tst_goconfigexamples.cpp runs each kind (the kind is
in the header comment, "(<kind>)"):
  config     every top-level key is a config key (apiVersion, server, providers, plugins...);
             the test adds `apiVersion: gestaltd.config/v5` to fragments that lack it
  manifest   a top-level `kind: plugin`, or a manifest fragment (spec, entrypoint, artifacts):
             the test adds `kind: plugin` to a fragment, writes it as manifest.yaml and loads a
             config whose app `example` has `source: ./manifest.yaml`
  app        an app entry fragment (only `source`, or a block APP_FRAGMENTS names because its
             page shows it inside plugins.<name>): the test wraps it as plugins.example
  server     a server fragment (only `encryptionKey`): the test wraps it under server
The rest is listed on stderr with the reason it was skipped: other manifest kinds (providers that
are executable or built in here), provider index and release metadata, CI files, outlines whose
values are placeholders (`<name>: ...`).
"""

import pathlib
import re
import sys

import yaml

CONFIG_KEYS = {
    "apiVersion",
    "server",
    "authorization",
    "connections",
    "providers",
    "providerRepositories",
    "runtime",
    "workflows",
    "plugins",
    "apps",
    "agents",
}

MANIFEST_KEYS = {"spec", "entrypoint", "artifacts", "displayName", "description", "iconFile",
                 "source", "version"}
MANIFEST_ONLY = {"spec", "entrypoint", "artifacts"}

# Blocks whose top-level keys look like a config's but that their page shows inside an app entry.
APP_FRAGMENTS = {
    "configuration-8": "the runtime block of plugins.<name>.runtime",
}

BLOCK = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.S | re.M)


def classify(text, name):
    """Returns (kind, reason): kind is config, manifest or None (skipped, with the reason)."""
    if name in APP_FRAGMENTS:
        return "app", ""
    if re.search(r"^\s*<\w+>:", text, re.M) or re.search(r":\s+\.\.\.\s*(#.*)?$", text, re.M):
        return None, "an outline with placeholders (<name>: ...)"
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as error:
        return None, "not valid YAML (%s)" % str(error).splitlines()[0]
    if not isinstance(doc, dict) or not doc:
        return None, "not a map"
    keys = set(doc)
    if keys == {"source"}:
        return "app", ""
    if keys == {"encryptionKey"}:
        return "server", ""
    if "kind" not in keys and keys & MANIFEST_ONLY and keys <= MANIFEST_KEYS:
        return "manifest", ""
    if "kind" in keys:
        if doc.get("kind") == "plugin":
            return "manifest", ""
        return None, "a kind: %s manifest" % doc.get("kind")
    if keys <= CONFIG_KEYS:
        return "config", ""
    return None, "not a config (top-level %s)" % ", ".join(sorted(keys - CONFIG_KEYS))


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    docs = pathlib.Path(argv[1])
    root = pathlib.Path(__file__).resolve().parent.parent
    out = pathlib.Path(argv[2]) if len(argv) > 2 else root / "tests/data/go-config-examples"
    source = (docs / "SOURCE").read_text().strip()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    kept = 0
    for page in sorted(docs.rglob("*.mdx")):
        relative = page.relative_to(docs)
        stem = str(relative.with_suffix("")).replace("/", "-")
        for n, match in enumerate(BLOCK.finditer(page.read_text()), start=1):
            text = match.group(1)
            name = "%s-%d.yaml" % (stem, n)
            kind, reason = classify(text, "%s-%d" % (stem, n))
            if kind is None:
                sys.stderr.write("skipped %s: %s\n" % (name, reason))
                continue
            header = "# From the Go gestaltd docs: %s, yaml block %d (%s).\n# Source: %s\n" % (
                relative,
                n,
                kind,
                source,
            )
            (out / name).write_text(header + text)
            kept += 1
    sys.stderr.write("wrote %d examples to %s\n" % (kept, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
