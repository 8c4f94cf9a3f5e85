// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The /admin shell's Prometheus text parser (resources/admin/prometheus.js, imported as the browser
// gets it) against the shared test vectors in tests/data/prometheus: NAME.prom is the input and
// NAME.json the expected parse, {"families": [{name, help, type, samples: [{name, labels:
// [[name, value], ...], value}]}]} with the values NaN, +Inf and -Inf as strings, or
// {"error": {"line": N}} for input that must be refused at line N. tst_prometheusvectors runs the
// same vectors through the C++ parser in shared/.
// Usage: node prometheus_vectors.mjs <tests/data/prometheus> <resources/admin/prometheus.js>
// (CTest: js_prometheus_vectors)
import {readdirSync, readFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {pathToFileURL} from 'node:url';

const [dir, module] = process.argv.slice(2);
if (!dir || !module) {
  console.error('usage: prometheus_vectors.mjs <vector directory> <prometheus.js>');
  process.exit(2);
}
const {parsePrometheus, ParseError} = await import(pathToFileURL(resolve(module)).href);

const value = (v) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : v);

function parse(text) {
  try {
    const {families} = parsePrometheus(text);
    return {families: [...families.values()].map((f) => ({
      name: f.name, help: f.help, type: f.type,
      samples: f.samples.map((s) => ({name: s.name, labels: Object.entries(s.labels), value: value(s.value)})),
    }))};
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return {error: {line: error.line}, message: error.message};
  }
}

const names = readdirSync(dir).filter((f) => f.endsWith('.prom')).map((f) => f.slice(0, -5)).sort();
let failures = 0;
for (const name of names) {
  const text = readFileSync(join(dir, `${name}.prom`), 'utf8');
  const expected = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
  const {message, ...actual} = parse(text);
  if (JSON.stringify(actual) === JSON.stringify(expected)) {
    console.log(`ok: ${name}${message ? ` (${message})` : ''}`);
  } else {
    failures++;
    console.log(`FAIL: ${name}\n  expected ${JSON.stringify(expected)}\n  actual   ${JSON.stringify(actual)}${message ? `\n  ${message}` : ''}`);
  }
}
if (names.length === 0) {
  console.log(`FAIL: no vectors in ${dir}`);
  failures++;
}
console.log(`prometheus vectors: ${names.length - failures} of ${names.length} passed`);
process.exit(failures === 0 ? 0 : 1);
