// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The built-in /admin shell: Overview (a dashboard from same-origin /metrics), Members
// (/admin/api/v1/authorization/*) and Runtime (/admin/api/v1/runtime/*). Server text only ever
// reaches the page through textContent.
import {colorFor, renderChart} from './charts.js';
import {histogramQuantile, parsePrometheus} from './prometheus.js';

const API = '/admin/api/v1';
const TABS = ['overview', 'members', 'runtime'];
const $ = (selector) => document.querySelector(selector);

// ---------------------------------------------------------------- plumbing

function showBanner(message, kind = 'error') {
  $('#banner-text').textContent = message;
  $('#banner').dataset.kind = kind;
  $('#banner').hidden = false;
}
function hideBanner() {
  $('#banner').hidden = true;
}

function goToLogin() {
  const base = window.GESTALT_ADMIN_LOGIN_BASE || '/api/v1/auth/login';
  const here = /^https?:\/\//.test(base) ? location.href : location.pathname + location.search;
  location.assign(`${base}?next=${encodeURIComponent(here)}`);
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// fetch() with the session cookie; JSON errors become ApiError with the server's message.
async function request(path, {method = 'GET', body, raw = false} = {}) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {Accept: 'application/json'} : {Accept: 'application/json', 'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    goToLogin();
    throw new ApiError(401, 'Sign-in required');
  }
  const text = await response.text();
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = JSON.parse(text).error || message;
    } catch {
      if (text.trim()) message = text.trim();
    }
    throw new ApiError(response.status, message);
  }
  return {status: response.status, headers: response.headers, data: raw ? text : text ? JSON.parse(text) : null};
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  return td;
}

function emptyRow(tbody, columns, text) {
  const tr = document.createElement('tr');
  const td = cell(text, 'empty');
  td.colSpan = columns;
  tr.append(td);
  tbody.append(tr);
}

const yesNo = (value) => (value ? 'yes' : 'no');

// ---------------------------------------------------------------- tabs

let current = null;
const panels = {};

function tabFromUrl() {
  const tab = new URLSearchParams(location.search).get('tab');
  return TABS.includes(tab) ? tab : 'overview';
}

function showTab(tab, push) {
  if (push) {
    const url = new URL(location.href);
    url.searchParams.set('tab', tab);
    history.pushState({tab}, '', url);
  }
  for (const link of document.querySelectorAll('.tabs a')) {
    link.setAttribute('aria-current', link.dataset.tab === tab ? 'page' : 'false');
  }
  for (const section of document.querySelectorAll('[data-panel]')) {
    section.hidden = section.dataset.panel !== tab;
  }
  if (current && current !== tab) panels[current].stop();
  current = tab;
  document.title = `${tab[0].toUpperCase()}${tab.slice(1)} · Gestalt Admin`;
  panels[tab].start();
}

// ---------------------------------------------------------------- overview

const overview = (() => {
  const WINDOW_MS = 15 * 60 * 1000;
  const INTERVAL_MS = 5000;
  let timer = null;
  let paused = false;
  let previous = null; // {at, values: Map(seriesKey → value)}
  const history = new Map(); // app → {requests: [[t, v]], errors, p50, p95, latest}
  const totals = new Map(); // app → {requests, errors}

  const key = (s) => s.name + JSON.stringify(s.labels);

  function push(list, point) {
    list.push(point);
    while (list.length && list[0][0] < point[0] - WINDOW_MS) list.shift();
  }

  function ingest(text, at) {
    const {samples} = parsePrometheus(text);
    const values = new Map();
    const delta = new Map(); // app → {requests, errors, buckets: Map(le → count)}
    totals.clear();
    for (const s of samples) {
      const app = s.labels.gestalt_provider;
      if (!app || !Number.isFinite(s.value)) continue;
      const kind = s.name === 'gestaltd_operation_count_total' ? 'requests'
        : s.name === 'gestaltd_operation_error_count_total' ? 'errors'
          : s.name === 'gestaltd_operation_duration_seconds_bucket' ? 'bucket' : null;
      if (!kind) continue;
      if (kind !== 'bucket') {
        const total = totals.get(app) || {requests: 0, errors: 0};
        total[kind] += s.value;
        totals.set(app, total);
      }
      values.set(key(s), s.value);
      if (!previous) continue;
      const before = previous.values.get(key(s)) ?? 0;
      const grown = s.value >= before ? s.value - before : s.value; // a reset starts from 0
      const d = delta.get(app) || {requests: 0, errors: 0, buckets: new Map()};
      if (kind === 'bucket') {
        const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
        d.buckets.set(le, (d.buckets.get(le) || 0) + grown);
      } else {
        d[kind] += grown;
      }
      delta.set(app, d);
    }
    if (previous) {
      const seconds = (at - previous.at) / 1000;
      for (const app of totals.keys()) {
        const d = delta.get(app) || {requests: 0, errors: 0, buckets: new Map()};
        const h = history.get(app) || {requests: [], errors: [], p50: [], p95: [], latest: {}};
        const buckets = [...d.buckets.entries()];
        const p50 = histogramQuantile(0.5, buckets.map((b) => [...b]));
        const p95 = histogramQuantile(0.95, buckets.map((b) => [...b]));
        h.latest = {requests: d.requests / seconds, errors: d.errors / seconds, p50, p95};
        push(h.requests, [at, h.latest.requests]);
        push(h.errors, [at, h.latest.errors]);
        if (Number.isFinite(p50)) push(h.p50, [at, p50 * 1000]);
        if (Number.isFinite(p95)) push(h.p95, [at, p95 * 1000]);
        history.set(app, h);
      }
    }
    previous = {at, values};
  }

  function draw(at) {
    const apps = [...new Set([...totals.keys(), ...history.keys()])].sort();
    const window = {from: at - WINDOW_MS, to: at};
    for (const [id, field] of [['requests', 'requests'], ['errors', 'errors'], ['p50', 'p50'], ['p95', 'p95']]) {
      renderChart($(`#chart-${id}`), apps.map((app, i) => ({
        name: app, color: colorFor(i), points: history.get(app)?.[field] || [],
      })), window);
    }
    const tbody = $('#overview-apps tbody');
    tbody.replaceChildren();
    const ms = (v) => (Number.isFinite(v) ? `${(v * 1000).toFixed(1)} ms` : '–');
    const rows = apps.map((app) => ({app, ...totals.get(app), latest: history.get(app)?.latest || {}}))
      .sort((a, b) => (b.latest.requests || 0) - (a.latest.requests || 0) || (b.requests || 0) - (a.requests || 0));
    for (const row of rows) {
      const tr = document.createElement('tr');
      tr.dataset.app = row.app;
      tr.append(cell(row.app), cell((row.latest.requests ?? 0).toFixed(2), 'num'), cell((row.latest.errors ?? 0).toFixed(2), 'num'),
        cell(ms(row.latest.p50), 'num'), cell(ms(row.latest.p95), 'num'), cell(String(row.requests ?? 0), 'num'),
        cell(String(row.errors ?? 0), 'num'));
      tbody.append(tr);
    }
    if (rows.length === 0) emptyRow(tbody, 7, 'No app has been called yet.');
    $('#overview-empty').hidden = rows.length > 0;
  }

  async function scrape() {
    try {
      const {data} = await request('/metrics', {raw: true});
      const at = Date.now();
      ingest(data, at);
      draw(at);
      $('#overview-status').textContent = `Updated ${new Date(at).toLocaleTimeString()}`;
    } catch (error) {
      $('#overview-status').textContent = 'Metrics unavailable';
      showBanner(`Reading /metrics failed: ${error.message}`);
    }
  }

  function schedule() {
    clearInterval(timer);
    timer = paused ? null : setInterval(scrape, INTERVAL_MS);
  }

  $('#overview-pause').addEventListener('click', () => {
    paused = !paused;
    $('#overview-pause').textContent = paused ? 'Resume' : 'Pause';
    $('#overview-pause').setAttribute('aria-pressed', String(paused));
    schedule();
  });

  return {
    start() {
      scrape();
      schedule();
    },
    stop() {
      clearInterval(timer);
      timer = null;
    },
    refresh: scrape,
  };
})();

// ---------------------------------------------------------------- members

const members = (() => {
  let target = null; // {app: string|null (null: built-in admins), policy}
  let canWrite = true;

  const membersPath = () => (target.app === null ? `${API}/authorization/admins/members`
    : `${API}/authorization/apps/${encodeURIComponent(target.app)}/members`);

  async function loadTargets() {
    const list = $('#targets');
    try {
      const {data} = await request(`${API}/authorization/apps`);
      const targets = [{app: null, policy: '', label: 'Built-in admins'},
        ...data.map((a) => ({app: a.name, policy: a.authorizationPolicy, label: a.name}))];
      list.replaceChildren();
      for (const t of targets) {
        const li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.app = t.app ?? '';
        const name = document.createElement('span');
        name.textContent = t.label;
        button.append(name);
        if (t.policy) {
          const policy = document.createElement('span');
          policy.className = 'muted';
          policy.textContent = `policy ${t.policy}`;
          button.append(policy);
        }
        button.addEventListener('click', () => select(t));
        li.append(button);
        list.append(li);
      }
      const again = targets.find((t) => target && t.app === target.app) || targets.find((t) => t.app !== null) || targets[0];
      select(again);
    } catch (error) {
      showBanner(`Loading apps failed: ${error.message}`);
    }
  }

  function select(t) {
    target = t;
    for (const button of document.querySelectorAll('#targets button')) {
      button.setAttribute('aria-current', String(button.dataset.app === (t.app ?? '')));
    }
    $('#members-title').textContent = t.app === null ? 'Built-in admins' : `Members of ${t.app}`;
    loadMembers();
  }

  async function loadMembers() {
    const shown = target;
    try {
      const {data, headers} = await request(membersPath());
      if (shown !== target) return;
      canWrite = headers.get('X-Gestalt-Can-Write') !== 'false';
      render(data);
    } catch (error) {
      showBanner(`Loading members failed: ${error.message}`);
    }
  }

  function render(rows) {
    const tbody = $('#members-table tbody');
    tbody.replaceChildren();
    $('#members-note').textContent = !canWrite
      ? 'You may read this list but not change it (X-Gestalt-Can-Write: false).'
      : target.app === null ? 'Who may use the operator surface (server.admin.authorizationPolicy).'
        : `Policy ${target.policy}. Rows from the config are read-only; change them in the config file.`;
    for (const control of $('#member-add').elements) control.disabled = !canWrite;
    for (const row of rows) {
      const subject = row.subjectId || row.selectorValue;
      const tr = document.createElement('tr');
      tr.dataset.subject = subject;
      tr.dataset.source = row.source;
      const role = cell(row.role);
      const actions = cell('', 'actions');
      if (row.source === 'static' || !row.mutable) {
        const note = document.createElement('span');
        note.className = 'muted';
        note.textContent = target.app === null ? 'from the config (admin policy)' : `from config policy ${target.policy}`;
        actions.append(note);
      } else {
        const select = document.createElement('select');
        select.setAttribute('aria-label', `Role of ${row.email || subject}`);
        for (const r of ['viewer', 'editor', 'admin']) {
          const option = new Option(r, r, false, r === row.role);
          select.append(option);
        }
        select.disabled = !canWrite;
        select.addEventListener('change', () => write('PUT', membersPath(), {subjectId: subject, role: select.value}, 'Changing the role'));
        role.replaceChildren(select);
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'danger';
        remove.textContent = 'Remove';
        remove.disabled = !canWrite;
        remove.addEventListener('click', () => {
          if (confirm(`Remove ${row.email || subject}?`)) {
            write('DELETE', `${membersPath()}/${encodeURIComponent(subject)}`, undefined, 'Removing the member');
          }
        });
        actions.append(remove);
      }
      tr.append(cell(subject), cell(row.email), role, cell(row.source === 'static' ? 'config' : 'dynamic'),
        cell(yesNo(row.effective)), cell(row.shadowedBy), actions);
      if (!row.effective) tr.classList.add('shadowed');
      tbody.append(tr);
    }
    if (rows.length === 0) emptyRow(tbody, 7, 'No members yet.');
  }

  async function write(method, path, body, what) {
    try {
      const {status} = await request(path, {method, body});
      if (status === 202) {
        showBanner('Saved. Pending reload: the change takes effect when the server reloads its authorization data.', 'info');
        setTimeout(loadMembers, 3000);
      } else {
        hideBanner();
      }
      await loadMembers();
      return true;
    } catch (error) {
      showBanner(`${what} failed: ${error.message}`);
      return false;
    }
  }

  $('#member-add').addEventListener('submit', async (event) => {
    event.preventDefault();
    const subject = $('#member-subject').value.trim();
    if (!subject) return;
    const body = {role: $('#member-role').value};
    body[subject.includes('@') && !subject.includes(':') ? 'email' : 'subjectId'] = subject;
    if (await write('PUT', membersPath(), body, 'Adding the member')) $('#member-subject').value = '';
  });
  $('#members-refresh').addEventListener('click', loadTargets);

  return {start: loadTargets, stop() {}, refresh: loadTargets};
})();

// ---------------------------------------------------------------- runtime

const runtime = (() => {
  let provider = null;
  let session = null;
  let nextPageToken = null;
  let lastSeq = 0;
  let timer = null;
  let polling = false;

  const profile = (p) => (p && (p.hostServiceAccess || p.egressMode)
    ? [p.canHostPlugins ? 'hosts apps' : 'cannot host apps', p.hostServiceAccess, p.egressMode].filter(Boolean).join(' · ') : '');

  function selectRow(tbody, tr) {
    for (const row of tbody.querySelectorAll('tr')) row.setAttribute('aria-selected', String(row === tr));
  }

  function clickable(tr, action) {
    tr.tabIndex = 0;
    tr.addEventListener('click', action);
    tr.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        action();
      }
    });
  }

  async function loadProviders() {
    try {
      const {data} = await request(`${API}/runtime/providers`);
      const tbody = $('#providers-table tbody');
      tbody.replaceChildren();
      for (const p of data) {
        const tr = document.createElement('tr');
        tr.dataset.provider = p.name;
        tr.append(cell(p.name), cell(p.driver), cell(yesNo(p.default)), cell(yesNo(p.loaded)),
          cell(String(p.sessionCount ?? 0), 'num'), cell(profile(p.profile?.advertised)), cell(profile(p.profile?.effective)),
          cell(p.error, p.error ? 'error-text' : ''));
        clickable(tr, () => {
          selectRow(tbody, tr);
          loadSessions(p.name, false);
        });
        tbody.append(tr);
      }
      if (data.length === 0) emptyRow(tbody, 8, 'No runtime providers.');
      const again = data.find((p) => p.name === provider) || data[0];
      if (again) {
        selectRow(tbody, tbody.querySelector(`tr[data-provider="${CSS.escape(again.name)}"]`));
        loadSessions(again.name, false);
      }
    } catch (error) {
      showBanner(`Loading runtime providers failed: ${error.message}`);
    }
  }

  async function loadSessions(name, more) {
    provider = name;
    const params = new URLSearchParams({pageSize: '50'});
    if (more && nextPageToken) params.set('pageToken', nextPageToken);
    try {
      const {data} = await request(`${API}/runtime/providers/${encodeURIComponent(name)}/sessions?${params}`);
      if (provider !== name) return;
      const tbody = $('#sessions-table tbody');
      if (!more) tbody.replaceChildren();
      $('#sessions-title').textContent = `Sessions of ${name}`;
      for (const s of data.sessions || []) {
        const tr = document.createElement('tr');
        tr.dataset.session = s.id;
        tr.append(cell(s.id), cell(s.state), cell(s.app || s.plugin), cell(s.pid ? String(s.pid) : '', 'num'),
          cell(s.startedAt ? new Date(s.startedAt).toLocaleString() : ''));
        clickable(tr, () => {
          selectRow(tbody, tr);
          openLogs(s);
        });
        tbody.append(tr);
      }
      if (!more && (data.sessions || []).length === 0) emptyRow(tbody, 5, 'No sessions.');
      nextPageToken = data.nextPageToken || null;
      $('#sessions-more').hidden = !nextPageToken;
    } catch (error) {
      showBanner(`Loading sessions failed: ${error.message}`);
    }
  }

  function openLogs(s) {
    session = s.id;
    lastSeq = 0;
    $('#logs').textContent = '';
    $('#logs-title').textContent = `Logs of ${s.id} (${s.app || s.plugin || 'unknown app'})`;
    pollLogs();
    follow();
  }

  async function pollLogs() {
    if (!session || !provider || polling) return;
    polling = true;
    const shown = session;
    try {
      const path = `${API}/runtime/providers/${encodeURIComponent(provider)}/sessions/${encodeURIComponent(shown)}/logs?after=${lastSeq}&limit=500`;
      const {data} = await request(path);
      if (shown !== session || data.length === 0) return;
      const pre = $('#logs');
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.append(document.createTextNode(data.map((l) => `${l.observedAt ?? ''} [${l.stream}] ${l.message}\n`).join('')));
      lastSeq = data[data.length - 1].seq;
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    } catch (error) {
      $('#logs-follow').checked = false;
      follow();
      showBanner(`Loading logs failed: ${error.message}`);
    } finally {
      polling = false;
    }
  }

  function follow() {
    clearInterval(timer);
    timer = $('#logs-follow').checked && session && current === 'runtime' ? setInterval(pollLogs, 1000) : null;
  }

  $('#logs-follow').addEventListener('change', follow);
  $('#sessions-more').addEventListener('click', () => loadSessions(provider, true));
  $('#runtime-refresh').addEventListener('click', loadProviders);

  return {
    start() {
      loadProviders();
      follow();
    },
    stop() {
      clearInterval(timer);
      timer = null;
    },
    refresh: loadProviders,
  };
})();

// ---------------------------------------------------------------- start

Object.assign(panels, {overview, members, runtime});
for (const link of document.querySelectorAll('.tabs a')) {
  link.addEventListener('click', (event) => {
    event.preventDefault();
    hideBanner();
    showTab(link.dataset.tab, true);
  });
}
window.addEventListener('popstate', () => showTab(tabFromUrl(), false));
$('#banner-close').addEventListener('click', hideBanner);
showTab(tabFromUrl(), false);
