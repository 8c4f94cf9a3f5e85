// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The dashboard's memory: a rolling window of scrapes of /metrics turned into per-app series.
// Rates come from counter deltas between two scrapes (a counter that went down was reset, so
// its whole new value is the increase); latency quantiles from the histogram bucket deltas of the
// same interval, summed per app over every other label. No DOM.
import {histogramQuantile, parsePrometheus, seriesKey} from './prometheus.js';

const REQUESTS = 'gestaltd_operation_count_total';
const ERRORS = 'gestaltd_operation_error_count_total';
const DURATION = 'gestaltd_operation_duration_seconds';
const APP_LABEL = 'gestalt_provider';

// What one counter grew by between two readings; `before` undefined: the series is new since the
// last scrape (these counters are created by their first increment), so it grew from 0.
export function increase(now, before) {
  if (before === undefined) return now;
  return now >= before ? now - before : now;
}

export class MetricsWindow {
  constructor(windowMs = 15 * 60 * 1000) {
    this.windowMs = windowMs;
    this.previous = null; // {at, values: Map(seriesKey → value)}
    this.firstAt = null;
    this.lastAt = null;
    // app → {requests, errors, p50, p95: [[at, value]] (value NaN: no request in that interval)}
    this.series = new Map();
    this.memory = []; // [[at, bytes]]
    this.latest = new Map(); // app → {requests/s, errors/s, p50, p95 (seconds), totalRequests, totalErrors}
    this.process = {}; // {residentBytes, startTime (s), cpuSeconds, version}
  }

  // Reads one scrape taken at `at` (ms). Throws the parser's error for a malformed body.
  ingest(text, at) {
    const {samples} = parsePrometheus(text);
    const values = new Map();
    const totals = new Map(); // app → {requests, errors}
    const grown = new Map(); // app → {requests, errors, buckets: Map(le → count)}
    const app = (map, name, make) => {
      if (!map.has(name)) map.set(name, make());
      return map.get(name);
    };
    const process = {};
    for (const s of samples) {
      if (s.name === 'process_resident_memory_bytes') process.residentBytes = s.value;
      else if (s.name === 'process_start_time_seconds') process.startTime = s.value;
      else if (s.name === 'process_cpu_seconds_total') process.cpuSeconds = s.value;
      else if (s.name === 'target_info' && s.labels.service_version) process.version = s.labels.service_version;

      const kind = s.name === REQUESTS ? 'requests' : s.name === ERRORS ? 'errors'
        : s.name === `${DURATION}_bucket` ? 'bucket' : null;
      const name = s.labels[APP_LABEL];
      if (!kind || name === undefined || !Number.isFinite(s.value)) continue;
      const key = seriesKey(s);
      values.set(key, s.value);
      if (kind !== 'bucket') app(totals, name, () => ({requests: 0, errors: 0}))[kind] += s.value;
      if (!this.previous) continue;
      const delta = increase(s.value, this.previous.values.get(key));
      const g = app(grown, name, () => ({requests: 0, errors: 0, buckets: new Map()}));
      if (kind === 'bucket') {
        const le = Number(s.labels.le === '+Inf' ? Infinity : s.labels.le);
        if (!Number.isNaN(le)) g.buckets.set(le, (g.buckets.get(le) || 0) + delta);
      } else {
        g[kind] += delta;
      }
    }
    this.process = process;

    const from = at - this.windowMs;
    const push = (list, point) => {
      list.push(point);
      while (list.length && list[0][0] < from) list.shift();
    };
    if (process.residentBytes !== undefined) push(this.memory, [at, process.residentBytes]);

    const latest = new Map();
    for (const [name, total] of totals) {
      latest.set(name, {totalRequests: total.requests, totalErrors: total.errors,
        requests: NaN, errors: NaN, p50: NaN, p95: NaN});
    }
    if (this.previous && at > this.previous.at) {
      const seconds = (at - this.previous.at) / 1000;
      for (const name of totals.keys()) {
        const g = grown.get(name) || {requests: 0, errors: 0, buckets: new Map()};
        const buckets = [...g.buckets.entries()];
        const row = latest.get(name);
        row.requests = g.requests / seconds;
        row.errors = g.errors / seconds;
        row.p50 = histogramQuantile(0.5, buckets);
        row.p95 = histogramQuantile(0.95, buckets);
        const s = app(this.series, name, () => ({requests: [], errors: [], p50: [], p95: []}));
        push(s.requests, [at, row.requests]);
        push(s.errors, [at, row.errors]);
        push(s.p50, [at, row.p50]);
        push(s.p95, [at, row.p95]);
      }
    }
    for (const [name, s] of this.series) {
      for (const list of Object.values(s)) while (list.length && list[0][0] < from) list.shift();
      if (s.requests.length === 0 && !totals.has(name)) this.series.delete(name);
    }
    this.latest = latest;
    this.previous = {at, values};
    this.firstAt ??= at;
    this.lastAt = at;
  }

  apps() {
    return [...new Set([...this.latest.keys(), ...this.series.keys()])].sort();
  }

  // True once any app has been called (the counters exist).
  hasTraffic() {
    return this.latest.size > 0;
  }
}
