// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Small SVG line charts drawn at the element's real pixel size (text is never stretched): a time
// axis with round ticks, a value axis from 0 with "nice" ticks, one polyline per run of a series
// (a NaN value breaks the line), a dot on points that stand alone and on the newest point, and a
// legend with each series' newest value.

const NS = 'http://www.w3.org/2000/svg';
const PALETTE = ['#2f6fde', '#e0622c', '#1f9d6b', '#9b4fd0', '#c49a00', '#0f9bb5', '#d6407a', '#6b7785'];
const HEIGHT = 210;
const PAD = {left: 56, right: 14, top: 12, bottom: 26};
const TIME_STEPS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);

const colors = new Map();
// A color per series name that stays the same while the page lives.
export function colorFor(name) {
  if (!colors.has(name)) colors.set(name, PALETTE[colors.size % PALETTE.length]);
  return colors.get(name);
}

function svg(name, attributes = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

// 1, 2, 2.5 or 5 × 10^n: the smallest such step that splits `max` into at most `count` parts.
function niceStep(max, count) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

// Tick labels share the step's number of decimals: 0 5 10 15, 0.25 0.50 0.75, 2.5 5.0 7.5.
function tickFormat(step) {
  const power = Math.floor(Math.log10(step) + 1e-9);
  const mantissa = step / 10 ** power;
  const decimals = Math.max(0, -power + (Math.abs(mantissa - 2.5) < 1e-9 ? 1 : 0));
  return (value) => value.toLocaleString('en-US', {minimumFractionDigits: decimals, maximumFractionDigits: decimals});
}

function formatTime(ms, withSeconds) {
  return new Date(ms).toLocaleTimeString('en-GB', {hour: '2-digit', minute: '2-digit', ...(withSeconds ? {second: '2-digit'} : {})});
}

export function formatNumber(value) {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 1000) return value.toLocaleString('en-US', {maximumFractionDigits: 0});
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

// figure: a <figure> holding an <svg> and a .legend list; series: [{name, points: [[timeMs, value]],
// color?}]; range: {from, to} in ms; unit: shown after the newest values in the legend.
export function renderChart(figure, series, range, unit = '') {
  const root = figure.querySelector('svg');
  const legend = figure.querySelector('.legend');
  const width = Math.round(root.getBoundingClientRect().width);
  if (width < 50) return false; // not laid out (hidden tab): drawn when shown
  root.replaceChildren();
  legend.replaceChildren();
  root.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
  root.setAttribute('height', HEIGHT);

  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const visible = series.map((s) => ({...s, points: s.points.filter(([t]) => t >= range.from && t <= range.to)}));
  const values = visible.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  const max = Math.max(0, ...values) || 1; // all zero (or no data): a 0…1 scale
  const step = niceStep(max, 4);
  const top = Math.ceil(max / step - 1e-9) * step;
  const span = Math.max(1, range.to - range.from);
  const x = (t) => PAD.left + ((t - range.from) / span) * plotW;
  const y = (v) => PAD.top + plotH - (v / top) * plotH;

  const axes = svg('g', {class: 'axes', 'aria-hidden': 'true'});
  const label = tickFormat(step);
  for (let i = 0; i * step <= top + 1e-9; i++) {
    const v = i * step;
    const py = y(v).toFixed(1);
    axes.append(svg('line', {x1: PAD.left, x2: width - PAD.right, y1: py, y2: py, class: v === 0 ? 'axis' : 'gridline'}));
    axes.append(svg('text', {x: PAD.left - 6, y: Number(py) + 4, 'text-anchor': 'end', class: 'tick'}, label(v)));
  }
  axes.append(svg('line', {x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: PAD.top + plotH, class: 'axis'}));
  const maxTicks = Math.max(2, Math.floor(plotW / 90));
  const timeStep = TIME_STEPS.find((s) => span / s <= maxTicks) || TIME_STEPS[TIME_STEPS.length - 1];
  const firstTick = Math.ceil(range.from / timeStep) * timeStep;
  for (let t = firstTick; t <= range.to; t += timeStep) {
    const px = x(t);
    axes.append(svg('line', {x1: px, x2: px, y1: PAD.top + plotH, y2: PAD.top + plotH + 4, class: 'axis'}));
    const anchor = px - PAD.left < 24 ? 'start' : width - PAD.right - px < 24 ? 'end' : 'middle';
    axes.append(svg('text', {x: px, y: HEIGHT - 6, 'text-anchor': anchor, class: 'tick'}, formatTime(t, timeStep < 60000)));
  }
  root.append(axes);

  let drawn = 0;
  for (const s of visible) {
    const color = s.color || colorFor(s.name);
    const group = svg('g', {class: 'series', 'data-series': s.name});
    group.append(svg('title', {}, s.name));
    const runs = [[]];
    for (const point of s.points) {
      if (Number.isFinite(point[1])) runs[runs.length - 1].push(point);
      else if (runs[runs.length - 1].length) runs.push([]);
    }
    for (const run of runs) {
      if (run.length > 1) {
        group.append(svg('polyline', {
          points: run.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' '),
          fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-linejoin': 'round', 'data-series': s.name,
        }));
      }
      if (run.length === 1) group.append(svg('circle', {cx: x(run[0][0]), cy: y(run[0][1]), r: 3, fill: color}));
    }
    const last = s.points.length ? s.points[s.points.length - 1] : null;
    if (last && Number.isFinite(last[1])) {
      group.append(svg('circle', {cx: x(last[0]), cy: y(last[1]), r: 3.5, fill: color, class: 'newest'}));
    }
    if (group.childElementCount > 1) {
      root.append(group);
      drawn++;
    }

    const item = document.createElement('li');
    item.className = 'legend-item';
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = color;
    const name = document.createElement('span');
    name.textContent = s.name;
    const value = document.createElement('span');
    value.className = 'legend-value';
    value.textContent = last ? `${formatNumber(last[1])}${unit && Number.isFinite(last[1]) ? ` ${unit}` : ''}` : '–';
    item.append(swatch, name, value);
    legend.append(item);
  }
  if (drawn === 0) {
    root.append(svg('text', {x: PAD.left + plotW / 2, y: PAD.top + plotH / 2, 'text-anchor': 'middle', class: 'no-data'},
      'No data in this window yet'));
  }
  return true;
}
