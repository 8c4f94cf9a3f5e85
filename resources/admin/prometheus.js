// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The Prometheus text exposition format 0.0.4 (HELP and TYPE lines, label values with the escapes
// \\ \" \n, +Inf/-Inf/NaN, optional millisecond timestamps) and PromQL's histogram_quantile() over
// classic buckets. No DOM: the page and the test import this module as it is.

const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export class ParseError extends Error {
  constructor(line, message) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

// A sample value as Go's strconv.ParseFloat reads it (what Prometheus uses): decimal or exponent
// notation, Inf/+Inf/-Inf and NaN in any case. "", "0x10", "1_000" and a number beyond the range
// of a double ("1e400") are errors.
export function parseValue(text) {
  if (NUMBER.test(text)) {
    const value = Number(text);
    return Number.isFinite(value) ? value : undefined;
  }
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (/^[+]?inf(inity)?$/.test(lower)) return Infinity;
  if (/^-inf(inity)?$/.test(lower)) return -Infinity;
  return undefined;
}

// HELP text escapes: \\ and \n.
function unescapeHelp(text) {
  return text.replace(/\\(\\|n)/g, (_, c) => (c === 'n' ? '\n' : '\\'));
}

// One sample line → {name, labels, value, timestamp}. A cursor over the line, so that a label
// value may hold any character ("}", ",", " ", "=") when escaped as the format says.
function parseSample(line, lineNumber) {
  let i = 0;
  const fail = (message) => {
    throw new ParseError(lineNumber, `${message} at column ${i + 1}`);
  };
  const blanks = () => {
    while (line[i] === ' ' || line[i] === '\t') i++;
  };
  const token = (pattern) => {
    pattern.lastIndex = i;
    const match = pattern.exec(line);
    if (!match) return null;
    i += match[0].length;
    return match[0];
  };

  blanks();
  const name = token(METRIC_NAME);
  if (!name) fail('expected a metric name');
  const labels = {};
  blanks();
  if (line[i] === '{') {
    i++;
    for (;;) {
      blanks();
      if (line[i] === '}') break;
      const label = token(LABEL_NAME);
      if (!label) fail('expected a label name');
      blanks();
      if (line[i] !== '=') fail('expected "="');
      i++;
      blanks();
      if (line[i] !== '"') fail('expected a quoted label value');
      i++;
      let value = '';
      for (;;) {
        if (i >= line.length) fail('unterminated label value');
        const c = line[i++];
        if (c === '"') break;
        if (c !== '\\') {
          value += c;
          continue;
        }
        if (i >= line.length) fail('unterminated label value');
        const escaped = line[i++];
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else value += `\\${escaped}`; // kept as written, as Prometheus does
      }
      if (Object.hasOwn(labels, label)) fail(`duplicate label ${label}`);
      // An own property even for a label named __proto__.
      Object.defineProperty(labels, label, {value, enumerable: true, writable: true, configurable: true});
      blanks();
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] !== '}') fail('expected "," or "}"');
      break;
    }
    i++;
  }
  const fields = line.slice(i).replace(/^[ \t]+|[ \t]+$/g, '').split(/[ \t]+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === '') fail('expected a value');
  const value = parseValue(fields[0]);
  if (value === undefined) throw new ParseError(lineNumber, `not a number: ${fields[0]}`);
  let timestamp;
  if (fields.length === 2) {
    if (!/^-?\d+$/.test(fields[1])) throw new ParseError(lineNumber, `bad timestamp: ${fields[1]}`);
    timestamp = Number(fields[1]);
  }
  return {name, labels, value, timestamp};
}

// The family a sample belongs to: its own name, the histogram whose _bucket, _sum or _count it
// is, or the summary whose _sum or _count it is.
function familyOf(families, name) {
  if (families.has(name)) return families.get(name);
  const match = /^(.*)_(bucket|sum|count)$/.exec(name);
  const base = match && families.get(match[1]);
  if (base && (base.type === 'histogram' || (base.type === 'summary' && match[2] !== 'bucket'))) return base;
  return null;
}

// → {families: Map(name → {name, help, type, samples}), samples: [{name, labels, value,
//    timestamp?, family}]}. A malformed line throws a ParseError naming it, as a Prometheus
// scrape would fail: a line that is not HELP, TYPE, comment, blank or a sample (lines end in \n
// only), an unknown TYPE, a second HELP or TYPE for a family or a TYPE after its samples,
// duplicate label names, a histogram's `le` or a summary's `quantile` that is not a float.
// Blanks (space, tab) may lead and trail any line.
export function parsePrometheus(text) {
  const families = new Map();
  const samples = [];
  const seen = new Map(); // family name → {help, type}: whether its HELP line, its TYPE line or a sample came
  const family = (name) => {
    if (!families.has(name)) {
      families.set(name, {name, help: '', type: 'untyped', samples: []});
      seen.set(name, {help: false, type: false});
    }
    return families.get(name);
  };
  text.split('\n').forEach((line, index) => {
    const lineNumber = index + 1;
    if (/^[ \t]*$/.test(line)) return;
    if (/^[ \t]*#/.test(line)) {
      const match = /^[ \t]*#[ \t]+(HELP|TYPE)[ \t]+(.*)$/s.exec(line);
      if (!match) return; // any other comment
      const [, keyword, rest] = match;
      const named = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:[ \t]+(.*))?$/s.exec(rest);
      if (!named) throw new ParseError(lineNumber, `expected a metric name in the ${keyword} line`);
      const f = family(named[1]);
      const state = seen.get(f.name);
      if (keyword === 'HELP') {
        if (state.help) throw new ParseError(lineNumber, `second HELP line for ${f.name}`);
        state.help = true;
        f.help = unescapeHelp(named[2] ?? '');
      } else {
        const type = (named[2] ?? '').trim();
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type)) {
          throw new ParseError(lineNumber, `unknown metric type "${type}"`);
        }
        if (state.type) {
          throw new ParseError(lineNumber, f.samples.length ? `TYPE line for ${f.name} after its samples` : `second TYPE line for ${f.name}`);
        }
        state.type = true;
        f.type = type;
      }
      return;
    }
    const sample = parseSample(line, lineNumber);
    const f = familyOf(families, sample.name) || family(sample.name);
    seen.get(f.name).type = true; // a later TYPE line can no longer change it
    const bound = f.type === 'histogram' ? 'le' : f.type === 'summary' ? 'quantile' : null;
    if (bound && Object.hasOwn(sample.labels, bound) && parseValue(sample.labels[bound]) === undefined) {
      throw new ParseError(lineNumber, `expected a float as value of label ${bound} of ${sample.name}`);
    }
    sample.family = f.name;
    f.samples.push(sample);
    samples.push(sample);
  });
  return {families, samples};
}

// A stable key for one series: name plus its labels in name order.
export function seriesKey(sample) {
  const labels = Object.keys(sample.labels).sort().map((k) => `${k}=${JSON.stringify(sample.labels[k])}`);
  return `${sample.name}{${labels.join(',')}}`;
}

// PromQL histogram_quantile(q, buckets): buckets are [upperBound, cumulativeCount] pairs, one of
// them +Inf. Linear interpolation inside the bucket that holds the rank; the lowest bucket starts
// at 0 (unless its bound is ≤ 0); a rank in the +Inf bucket answers the highest finite bound.
export function histogramQuantile(q, buckets) {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = buckets.map(([le, count]) => [le, count]).sort((a, b) => a[0] - b[0]);
  if (sorted.length < 2 || sorted[sorted.length - 1][0] !== Infinity) return NaN;
  // Merge equal bounds; force the counts to be monotonic, as PromQL does.
  const merged = [];
  for (const [le, count] of sorted) {
    if (merged.length && merged[merged.length - 1][0] === le) merged[merged.length - 1][1] += count;
    else merged.push([le, count]);
  }
  for (let i = 1; i < merged.length; i++) merged[i][1] = Math.max(merged[i][1], merged[i - 1][1]);
  if (merged.length < 2) return NaN;
  const total = merged[merged.length - 1][1];
  if (!(total > 0)) return NaN;
  let rank = q * total;
  const b = merged.findIndex(([, count]) => count >= rank);
  if (b === merged.length - 1) return merged[merged.length - 2][0];
  if (b === 0 && merged[0][0] <= 0) return merged[0][0];
  let start = 0;
  let count = merged[b][1];
  if (b > 0) {
    start = merged[b - 1][0];
    count -= merged[b - 1][1];
    rank -= merged[b - 1][1];
  }
  if (count === 0) return merged[b][0];
  return start + (merged[b][0] - start) * (rank / count);
}
