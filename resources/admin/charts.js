// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Small SVG line charts: a time axis, a value axis from 0, one polyline per series, a legend.

const NS = 'http://www.w3.org/2000/svg';
const PALETTE = ['#3d6fd9', '#d9603d', '#2e9e6a', '#9b59b6', '#c9a227', '#16a2b8', '#e0457b', '#6c757d'];
const WIDTH = 560;
const HEIGHT = 200;
const PAD = {left: 48, right: 12, top: 10, bottom: 24};

export function colorFor(index) {
  return PALETTE[index % PALETTE.length];
}

function el(name, attributes = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceMax(value) {
  if (!(value > 0)) return 1;
  const exponent = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * exponent) return step * exponent;
  }
  return 10 * exponent;
}

function formatValue(value) {
  if (value === 0) return '0';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toPrecision(2);
}

function formatTime(ms) {
  return new Date(ms).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', second: '2-digit'});
}

// series: [{name, color, points: [[timeMs, value], ...]}]; window: {from, to} in ms.
export function renderChart(figure, series, window) {
  const svg = figure.querySelector('svg');
  const legend = figure.querySelector('.legend');
  svg.replaceChildren();
  legend.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute('preserveAspectRatio', 'none');

  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const top = niceMax(Math.max(0, ...series.flatMap((s) => s.points.map(([, v]) => v))));
  const span = Math.max(1, window.to - window.from);
  const x = (t) => PAD.left + ((t - window.from) / span) * plotW;
  const y = (v) => PAD.top + plotH - (v / top) * plotH;

  const axes = el('g', {class: 'axes'});
  for (let i = 0; i <= 4; i++) {
    const value = (top * i) / 4;
    axes.append(el('line', {x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value), class: 'gridline'}));
    axes.append(el('text', {x: PAD.left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'tick'}, formatValue(value)));
  }
  for (let i = 0; i <= 3; i++) {
    const t = window.from + (span * i) / 3;
    axes.append(el('text', {x: x(t), y: HEIGHT - 6, 'text-anchor': i === 0 ? 'start' : i === 3 ? 'end' : 'middle', class: 'tick'},
      formatTime(t)));
  }
  svg.append(axes);

  for (const s of series) {
    const visible = s.points.filter(([t]) => t >= window.from);
    if (visible.length === 0) continue;
    const points = visible.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const line = el('polyline', {points, fill: 'none', stroke: s.color, 'stroke-width': 2, 'data-series': s.name,
      'vector-effect': 'non-scaling-stroke'});
    line.append(el('title', {}, s.name));
    svg.append(line);
    const [lastT, lastV] = visible[visible.length - 1];
    svg.append(el('circle', {cx: x(lastT), cy: y(lastV), r: 3, fill: s.color}));

    const item = document.createElement('span');
    item.className = 'legend-item';
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = s.color;
    item.append(swatch, document.createTextNode(`${s.name} ${formatValue(lastV)}`));
    legend.append(item);
  }
}
