// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The Prometheus text format (0.0.4) as the dashboard needs it: samples with their labels, and
// PromQL's histogram_quantile over classic buckets.

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?\s*$/;

function parseValue(text) {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a number: ${text}`);
  return value;
}

// `a="x",b="y\"z"` → {a: 'x', b: 'y"z'}; escapes \\ \" \n.
function parseLabels(text, lineNumber) {
  const labels = {};
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (i >= text.length) break;
    const eq = text.indexOf('=', i);
    if (eq < 0 || text[eq + 1] !== '"') throw new Error(`line ${lineNumber}: bad label`);
    const name = text.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\' && j + 1 < text.length) {
        const next = text[++j];
        value += next === 'n' ? '\n' : next === '\\' || next === '"' ? next : '\\' + next;
      } else {
        value += text[j];
      }
    }
    if (j >= text.length) throw new Error(`line ${lineNumber}: unterminated label value`);
    labels[name] = value;
    i = j + 1;
  }
  return labels;
}

// → {samples: [{name, labels, value}], types: {family: 'counter'|...}}
export function parsePrometheus(text) {
  const samples = [];
  const types = {};
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (match) types[match[1]] = match[2];
      return;
    }
    const match = sampleLine.exec(line);
    if (!match) throw new Error(`line ${index + 1}: not a sample`);
    samples.push({
      name: match[1],
      labels: match[3] ? parseLabels(match[3], index + 1) : {},
      value: parseValue(match[4]),
    });
  });
  return {samples, types};
}

// PromQL histogram_quantile(): buckets are [upperBound, cumulativeCount] pairs including +Inf.
export function histogramQuantile(q, buckets) {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  if (sorted.length < 2 || sorted[sorted.length - 1][0] !== Infinity) return NaN;
  for (let i = 1; i < sorted.length; i++) {
    sorted[i][1] = Math.max(sorted[i][1], sorted[i - 1][1]);
  }
  const total = sorted[sorted.length - 1][1];
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let i = sorted.findIndex(([, count]) => count >= rank);
  if (i === sorted.length - 1) return sorted[sorted.length - 2][0];
  const [upper, count] = sorted[i];
  const [lower, below] = i === 0 ? [upper > 0 ? 0 : upper, 0] : sorted[i - 1];
  if (count === below) return upper;
  return lower + (upper - lower) * ((rank - below) / (count - below));
}
