// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The Limits tab: the configured rate limits and concurrency caps with their overrides and their
// current use (GET /admin/api/v1/limits), and the upstream credentials an upstream told to slow
// down (GET /admin/api/v1/limits/upstream). The row builders have no DOM; limitsPanel() draws
// them with the shell's helpers, server text through text nodes only.
import {$, API, el, emptyRow, formatTimestamp, request} from './shell.js';

// What a limit's scope counts, in words.
export const SCOPES = {
  'subject': 'each caller',
  'app-subject': 'each caller, per app',
  'app-total': 'all callers of an app',
  'operation-subject': 'each caller, per operation',
  'operation-total': 'all callers of an operation',
  'upstream': 'an upstream credential',
};

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);
const text = (value) => (typeof value === 'string' ? value : '');

// "60 s", "1 min", "1 h"; '' when not configured.
export function formatWindow(seconds) {
  if (!isNumber(seconds) || seconds <= 0) return '';
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

// "600 / 1 min"; '–' when the field is absent or null (not configured).
export function formatRate(requests, perSeconds) {
  if (!isNumber(requests)) return '–';
  const window = formatWindow(perSeconds);
  return window ? `${requests} / ${window}` : String(requests);
}

export const formatCount = (value) => (isNumber(value) ? String(value) : '–');

// The configured limits, then the overrides: {kind, appliesTo, app, operation, rate, concurrent}.
export function limitRows(data) {
  const rows = [];
  for (const limit of Array.isArray(data?.limits) ? data.limits : []) {
    rows.push({
      kind: 'limit',
      appliesTo: SCOPES[limit?.scope] || text(limit?.scope),
      app: text(limit?.app) || 'any',
      operation: text(limit?.operation) || 'any',
      rate: formatRate(limit?.requests, limit?.perSeconds),
      concurrent: formatCount(limit?.concurrent),
    });
  }
  for (const override of Array.isArray(data?.overrides) ? data.overrides : []) {
    const who = [text(override?.role) && `role ${override.role}`, text(override?.token) && `token ${override.token}`]
      .filter(Boolean).join(', ');
    rows.push({
      kind: 'override',
      appliesTo: `override: ${who || 'everyone'}`,
      app: text(override?.app) || 'any',
      operation: text(override?.operation) || 'any',
      rate: formatRate(override?.requests, override?.perSeconds),
      concurrent: formatCount(override?.concurrent),
    });
  }
  return rows;
}

// Current use, the busiest first: {scope, app, operation, subject, requests, inFlight, limited}.
export function usageRows(data) {
  const rows = (Array.isArray(data?.usage) ? data.usage : []).map((u) => ({
    scope: SCOPES[u?.scope] || text(u?.scope),
    app: text(u?.app) || '–',
    operation: text(u?.operation) || '–',
    subject: text(u?.subject) || '–',
    requests: formatRate(u?.requests, u?.perSeconds),
    inFlight: formatCount(u?.inFlight),
    limited: formatCount(u?.limited),
    weight: (isNumber(u?.limited) ? u.limited * 1e6 : 0) + (isNumber(u?.requests) ? u.requests : 0),
  }));
  return rows.sort((a, b) => b.weight - a.weight);
}

// "in 42 s", "in 3 min"
export function formatRetryAfter(seconds) {
  if (!isNumber(seconds)) return '–';
  if (seconds < 120) return `in ${Math.max(0, Math.round(seconds))} s`;
  return `in ${Math.round(seconds / 60)} min`;
}

// Blocked upstream credentials, ending soonest first: {app, connection, instance, subject, until, retry}.
export function blockedRows(data, formatTime = (t) => t) {
  return (Array.isArray(data?.blocked) ? data.blocked : [])
    .map((b) => ({
      app: text(b?.app),
      connection: text(b?.connection) || '–',
      instance: text(b?.instance) || 'shared',
      subject: text(b?.subject) || 'everyone',
      until: text(b?.until) ? formatTime(b.until) : '–',
      retry: formatRetryAfter(b?.retryAfter),
      seconds: isNumber(b?.retryAfter) ? b.retryAfter : Infinity,
    }))
    .sort((a, b) => a.seconds - b.seconds);
}

// The tab. Polls every `everyMs` while shown; the Refresh button reloads at once.
export function limitsPanel(everyMs = 5000) {
  let timer = null;
  let shown = false;
  let loading = null; // one load at a time

  function fill(tbody, rows, columns, empty, cells) {
    tbody.replaceChildren();
    for (const row of rows) {
      const tr = el('tr');
      const [first, ...rest] = cells(row);
      tr.append(el('th', {scope: 'row'}, first), ...rest.map(([value, className = '']) => el('td', {className}, value)));
      tbody.append(tr);
    }
    if (rows.length === 0) emptyRow(tbody, columns, empty);
  }

  function failed(id, error) {
    $(`#${id}-error-text`).textContent = error.status === 404
      ? 'This server does not report them (HTTP 404).'
      : error.message;
    $(`#${id}-error`).hidden = false;
  }

  async function loadLimits() {
    try {
      const {data} = await request(`${API}/limits`);
      $('#limits-config-error').hidden = true;
      const rows = limitRows(data);
      fill($('#limits-table tbody'), rows, 5, 'No rate limits or concurrency caps are configured.', (r) => [
        r.appliesTo, [r.app], [r.operation], [r.rate, 'num'], [r.concurrent, 'num']]);
      for (const [i, tr] of [...$('#limits-table tbody').rows].entries()) {
        if (rows[i]?.kind === 'override') tr.classList.add('override');
      }
      fill($('#usage-table tbody'), usageRows(data), 7, 'Nothing is counted right now.', (r) => [
        r.scope, [r.app], [r.operation], [r.subject], [r.requests, 'num'], [r.inFlight, 'num'],
        [r.limited, r.limited !== '0' && r.limited !== '–' ? 'num error-text' : 'num']]);
    } catch (error) {
      $('#limits-table tbody').replaceChildren();
      $('#usage-table tbody').replaceChildren();
      failed('limits-config', error);
    }
  }

  async function loadBlocked() {
    try {
      const {data} = await request(`${API}/limits/upstream`);
      $('#limits-upstream-error').hidden = true;
      fill($('#upstream-table tbody'), blockedRows(data, formatTimestamp), 6,
        'No upstream has asked to slow down.', (r) => [
          r.app, [r.connection], [r.instance], [r.subject], [r.until], [r.retry, 'num']]);
    } catch (error) {
      $('#upstream-table tbody').replaceChildren();
      failed('limits-upstream', error);
    }
  }

  async function load() {
    if (loading) return loading;
    loading = Promise.all([loadLimits(), loadBlocked()]).finally(() => {
      loading = null;
      $('#limits-status').textContent = `Updated ${new Date().toLocaleTimeString('en-GB')}`;
    });
    return loading;
  }

  let generation = 0;
  async function poll() {
    clearTimeout(timer);
    const mine = ++generation;
    await load();
    if (shown && mine === generation) timer = setTimeout(poll, everyMs);
  }

  $('#limits-refresh').addEventListener('click', poll);
  return {
    show() {
      shown = true;
      poll();
    },
    hide() {
      shown = false;
      clearTimeout(timer);
    },
  };
}
