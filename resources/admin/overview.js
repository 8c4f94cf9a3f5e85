// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The Overview tab: a dashboard from same-origin /metrics, scraped every few seconds (also while
// another tab is shown, so that the window keeps filling), drawn as charts and an apps table.
import {colorFor, formatNumber, renderChart} from './charts.js';
import {MetricsWindow} from './metrics.js';
import {$, el, emptyRow, request} from './shell.js';

function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return `${bytes.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min`;
  return `${Math.floor(seconds)} s`;
}

const formatMs = (seconds) => (Number.isFinite(seconds) ? `${formatNumber(seconds * 1000)} ms` : '–');
const formatRate = (value) => (Number.isFinite(value) ? value.toFixed(2) : '–');

export function overviewPanel() {
  const INTERVAL_MS = 5000;
  const metrics = new MetricsWindow(15 * 60 * 1000);
  let timer = null;
  let paused = false;
  let busy = false;
  let failure = null; // the last scrape's error, null when it worked
  let visible = false; // between show() and hide()

  async function scrape() {
    clearTimeout(timer);
    if (!busy) {
      busy = true;
      try {
        const {data} = await request('/metrics', {text: true});
        metrics.ingest(data, Date.now());
        failure = null;
      } catch (error) {
        failure = error;
      } finally {
        busy = false;
      }
      draw();
    }
    // The dashboard keeps its window filling while another tab is shown.
    clearTimeout(timer);
    timer = paused ? null : setTimeout(scrape, INTERVAL_MS);
  }

  function setStat(name, text) {
    $(`#overview-stats [data-stat="${name}"]`).textContent = text;
  }

  function draw() {
    if (!visible) return;
    const at = metrics.lastAt;
    $('#overview-error').hidden = !failure;
    $('#overview-error-text').textContent = failure ? `Reading /metrics failed: ${failure.message.replace(/\.$/, '')}.` : '';
    $('#overview-dashboard').hidden = at === null;
    $('#overview-empty').hidden = Boolean(failure) || at === null || metrics.hasTraffic();
    const when = at === null ? '' : new Date(at).toLocaleTimeString('en-GB');
    $('#overview-status').textContent = paused ? `Paused${when ? ` at ${when}` : ''}`
      : failure ? 'Last scrape failed' : at === null ? 'Loading…' : `Updated ${when} · every ${INTERVAL_MS / 1000} s`;
    if (at === null) return;

    const apps = metrics.apps();
    const rows = apps.map((app) => ({app, ...(metrics.latest.get(app) || {})}));
    const sum = (field) => rows.reduce((total, row) => total + (Number.isFinite(row[field]) ? row[field] : 0), 0);
    const requests = sum('totalRequests');
    const errors = sum('totalErrors');
    setStat('requests', requests.toLocaleString('en-US'));
    setStat('errors', requests > 0 ? `${errors.toLocaleString('en-US')} (${((100 * errors) / requests).toFixed(1)} %)` : errors.toLocaleString('en-US'));
    setStat('rate', rows.some((row) => Number.isFinite(row.requests)) ? formatRate(sum('requests')) : '–');
    setStat('memory', formatBytes(metrics.process.residentBytes));
    setStat('uptime', formatDuration(at / 1000 - metrics.process.startTime));
    setStat('version', metrics.process.version || '–');

    // The whole window once it is full; until then the time since the first scrape (at least 30 s).
    const range = {to: at, from: Math.min(at - 30000, Math.max(at - metrics.windowMs, metrics.firstAt))};
    const seriesOf = (field, scale = 1) => apps.map((app) => ({
      name: app, points: (metrics.series.get(app)?.[field] || []).map(([t, v]) => [t, v * scale]),
    }));
    renderChart($('#chart-requests'), seriesOf('requests'), range, '/s');
    renderChart($('#chart-errors'), seriesOf('errors'), range, '/s');
    renderChart($('#chart-p50'), seriesOf('p50', 1000), range, 'ms');
    renderChart($('#chart-p95'), seriesOf('p95', 1000), range, 'ms');
    renderChart($('#chart-memory'), [{name: 'gestaltd', color: '#6b7785', points: metrics.memory.map(([t, b]) => [t, b / 1048576])}], range, 'MiB');

    const tbody = $('#overview-apps tbody');
    tbody.replaceChildren();
    rows.sort((a, b) => (b.totalRequests || 0) - (a.totalRequests || 0) || a.app.localeCompare(b.app));
    for (const row of rows) {
      const swatch = el('span', {className: 'swatch'});
      swatch.style.background = colorFor(row.app);
      const ratio = row.totalRequests > 0 ? `${((100 * row.totalErrors) / row.totalRequests).toFixed(1)} %` : '–';
      const tr = el('tr', {},
        el('th', {scope: 'row'}, swatch, row.app),
        el('td', {className: 'num'}, formatRate(row.requests)),
        el('td', {className: 'num'}, formatRate(row.errors)),
        el('td', {className: 'num'}, formatMs(row.p50)),
        el('td', {className: 'num'}, formatMs(row.p95)),
        el('td', {className: 'num'}, (row.totalRequests ?? 0).toLocaleString('en-US')),
        el('td', {className: 'num'}, (row.totalErrors ?? 0).toLocaleString('en-US')),
        el('td', {className: 'num'}, ratio));
      tr.dataset.app = row.app;
      tbody.append(tr);
    }
    if (rows.length === 0) emptyRow(tbody, 8, 'No app has been called yet.');
  }

  $('#overview-pause').addEventListener('click', () => {
    paused = !paused;
    $('#overview-pause').textContent = paused ? 'Resume' : 'Pause';
    $('#overview-pause').classList.toggle('paused', paused);
    if (paused) {
      clearTimeout(timer);
      timer = null;
      draw();
    } else {
      scrape();
    }
  });

  let frame = 0;
  new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(draw);
  }).observe($('#tab-overview .charts'));

  return {
    begin: scrape,
    show() {
      visible = true;
      draw();
    },
    hide() {
      visible = false;
    },
  };
}
