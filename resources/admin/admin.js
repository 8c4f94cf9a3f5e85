// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The built-in /admin shell: Overview (a dashboard from same-origin /metrics), Members
// (/admin/api/v1/authorization/*), Runtime (/admin/api/v1/runtime/*) and Limits
// (/admin/api/v1/limits, limits.js). Server text only ever
// reaches the page through textContent; no innerHTML anywhere.
import {colorFor, formatNumber, renderChart} from './charts.js';
import {limitsPanel} from './limits.js';
import {MetricsWindow} from './metrics.js';

const API = '/admin/api/v1';
const TABS = ['overview', 'members', 'runtime', 'limits'];
const ROLES = ['viewer', 'editor', 'admin'];
const $ = (selector, root = document) => root.querySelector(selector);

// ---------------------------------------------------------------- plumbing

// el('td', {className: 'num'}, 'text', otherNode): an element whose strings become text nodes.
function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function message(id, text) {
  $(`#${id}-text`).textContent = text;
  $(`#${id}`).hidden = false;
}
const showError = (text) => message('banner', text);
const showNotice = (text) => message('notice', text);
function hideMessages() {
  $('#banner').hidden = true;
  $('#notice').hidden = true;
}

// The server writes the login base into index.html as a JSON string in a <meta> element (no
// inline script: the Content-Security-Policy allows none).
function configuredLoginBase() {
  const meta = document.querySelector('meta[name="gestalt-admin-login-base"]');
  try {
    const value = JSON.parse(meta?.content ?? '');
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

let leaving = false;
function goToLogin() {
  if (leaving) return;
  leaving = true;
  const base = configuredLoginBase() || '/api/v1/auth/login';
  const here = /^https?:\/\//i.test(base) ? location.href : location.pathname + location.search;
  location.assign(`${base}?next=${encodeURIComponent(here)}`);
}

class ApiError extends Error {
  constructor(status, text) {
    super(text);
    this.status = status;
  }
}

// fetch() with the session cookie and a time limit. A 401 sends the browser to the login; any
// other error status becomes an ApiError carrying the server's {"error": …} message (or its
// plain-text body).
async function request(path, {method = 'GET', body, text = false} = {}) {
  const headers = {Accept: text ? 'text/plain' : 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20000),
    });
  } catch (error) {
    throw new ApiError(0, error.name === 'TimeoutError' ? 'the server did not answer in time' : 'the server cannot be reached');
  }
  if (response.status === 401) {
    goToLogin();
    throw new ApiError(401, 'sign-in required');
  }
  const payload = await response.text();
  if (!response.ok) {
    let reason = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    try {
      reason = JSON.parse(payload).error || reason;
    } catch {
      if (payload.trim()) reason = `${reason}: ${payload.trim().slice(0, 300)}`;
    }
    throw new ApiError(response.status, reason);
  }
  return {status: response.status, headers: response.headers, data: text ? payload : payload ? JSON.parse(payload) : null};
}

function emptyRow(tbody, columns, text) {
  tbody.append(el('tr', {className: 'empty-row'}, el('td', {colSpan: columns, className: 'empty'}, text)));
}

const yesNo = (value) => (value ? 'yes' : 'no');
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

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
const formatTimestamp = (text) => {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text || '' : date.toLocaleString('en-GB');
};

// ---------------------------------------------------------------- tabs and the URL

let current = null;
const panels = {};

function param(name) {
  return new URLSearchParams(location.search).get(name);
}

// Sub-state (the selected app, provider, session) lives in the URL too, without a history entry.
function setParam(name, value) {
  const url = new URL(location.href);
  if (value === null || value === undefined || value === '') url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  if (url.href !== location.href) history.replaceState(history.state, '', url);
}

function tabFromUrl() {
  const tab = param('tab');
  return TABS.includes(tab) ? tab : 'overview';
}

function showTab(tab, push) {
  if (push) {
    const url = new URL(location.href);
    url.search = '';
    url.searchParams.set('tab', tab);
    history.pushState({tab}, '', url);
  }
  for (const link of document.querySelectorAll('.tabs a')) {
    if (link.dataset.tab === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  for (const section of document.querySelectorAll('[data-panel]')) {
    section.hidden = section.dataset.panel !== tab;
  }
  if (current && current !== tab) panels[current].hide();
  current = tab;
  document.title = `${tab[0].toUpperCase()}${tab.slice(1)} · Gestalt Admin`;
  panels[tab].show();
}

// ---------------------------------------------------------------- overview

const overview = (() => {
  const INTERVAL_MS = 5000;
  const metrics = new MetricsWindow(15 * 60 * 1000);
  let timer = null;
  let paused = false;
  let busy = false;
  let failure = null; // the last scrape's error, null when it worked

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
    if (current !== 'overview') return;
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
    show: draw,
    hide() {},
  };
})();

// ---------------------------------------------------------------- members

// Confirmation in a modal <dialog>: resolves true for the confirm button, false for Cancel/Escape.
function confirmAction(text, action = 'Remove') {
  const dialog = $('#confirm');
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = action;
  return new Promise((resolve) => {
    const done = (answer) => {
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    const onClose = () => done(false);
    dialog.addEventListener('close', onClose);
    $('#confirm-ok').onclick = () => done(true);
    $('#confirm-cancel').onclick = () => done(false);
    dialog.showModal();
    $('#confirm-cancel').focus();
  });
}

// One member table with its add form: for an app's members or for the built-in admins.
function memberPanel(container, {admins}) {
  container.append($('#member-panel-template').content.cloneNode(true));
  const form = $('.add-member', container);
  const input = $('.subject', form);
  const roleSelect = $('.role', form);
  input.id = `${container.id}-subject`;
  roleSelect.id = `${container.id}-role`;
  $('.subject-label', form).htmlFor = input.id;
  $('.role-label', form).htmlFor = roleSelect.id;
  const title = $('.title', container);
  title.id = `${container.id}-title`;
  container.setAttribute('aria-labelledby', title.id);

  let target = null; // {app, policy} (app null for the admins)
  let canWrite = true;
  let generation = 0;

  const path = () => (admins ? `${API}/authorization/admins/members`
    : `${API}/authorization/apps/${encodeURIComponent(target.app)}/members`);
  const label = (row) => row.email || row.subjectId || row.selectorValue;

  async function load() {
    if (!target) return;
    const mine = ++generation;
    container.setAttribute('aria-busy', 'true');
    try {
      const {data, headers} = await request(path());
      if (mine !== generation) return;
      canWrite = headers.get('X-Gestalt-Can-Write') !== 'false';
      render(Array.isArray(data) ? data : []);
    } catch (error) {
      if (mine === generation) showError(`Loading ${admins ? 'the built-in admins' : `the members of ${target.app}`} failed: ${error.message}`);
    } finally {
      if (mine === generation) container.removeAttribute('aria-busy');
    }
  }

  function render(rows) {
    title.textContent = admins ? 'Built-in admins' : `Members of ${target.app}`;
    $('.note', container).textContent = admins
      ? (canWrite ? 'Who may use this operator surface, besides the config’s server.admin.authorizationPolicy.'
        : 'Read-only: this server does not let you change the built-in admins (X-Gestalt-Can-Write: false).')
      : `Authorization policy ${target.policy || '(none)'}. Rows from the config are read-only; change them in the config file.`;
    for (const control of form.elements) control.disabled = !canWrite;

    const tbody = $('tbody', container);
    tbody.replaceChildren();
    for (const row of rows) {
      const subject = row.subjectId || row.selectorValue || '';
      const dynamic = row.source === 'dynamic' && row.mutable;
      const tr = el('tr');
      tr.dataset.subject = subject;
      tr.dataset.source = row.source || '';
      if (row.email) tr.dataset.email = row.email;
      if (row.effective === false) tr.classList.add('shadowed');

      const subjectCell = el('td', {className: 'subject-cell'});
      if (row.subjectId) subjectCell.append(el('code', {}, row.subjectId));
      else subjectCell.append(el('span', {className: 'muted', title: `Matches by ${row.selectorKind}: ${row.selectorValue}`}, `by ${row.selectorKind || 'selector'}`));

      const roleCell = el('td');
      const actions = el('td', {className: 'actions'});
      if (dynamic) {
        const select = el('select', {ariaLabel: `Role of ${label(row)}`, className: 'role-select', disabled: !canWrite});
        for (const role of new Set([...ROLES, row.role])) select.append(new Option(role, role, false, role === row.role));
        select.addEventListener('change', async () => {
          const ok = await write('PUT', path(), {subjectId: subject, role: select.value},
            `Changing the role of ${label(row)}`, `${label(row)} is now ${select.value}.`);
          if (!ok) select.value = row.role;
        });
        roleCell.append(select);
        const remove = el('button', {type: 'button', className: 'danger', ariaLabel: `Remove ${label(row)}`, disabled: !canWrite}, 'Remove');
        remove.addEventListener('click', async () => {
          const where = admins ? 'the built-in admins' : target.app;
          if (await confirmAction(`Remove ${label(row)} (${row.role}) from ${where}?`)) {
            await write('DELETE', `${path()}/${encodeURIComponent(subject)}`, undefined,
              `Removing ${label(row)}`, `${label(row)} was removed.`);
          }
        });
        actions.append(remove);
      } else {
        roleCell.append(el('span', {className: `role role-${row.role}`}, row.role || ''));
        const reason = row.source === 'static'
          ? (admins ? 'from the config (server.admin)' : `from config policy ${target.policy}`)
          : 'read-only';
        actions.append(el('span', {className: 'muted reason'}, reason));
      }
      const shadowed = row.shadowedBy === undefined || row.shadowedBy === null ? ''
        : typeof row.shadowedBy === 'string' ? row.shadowedBy : JSON.stringify(row.shadowedBy);
      tr.append(subjectCell, el('td', {}, row.email || ''), roleCell,
        el('td', {}, el('span', {className: `badge source-${row.source}`}, row.source || '')),
        el('td', {}, yesNo(row.effective)), el('td', {}, yesNo(row.mutable)), el('td', {}, shadowed), actions);
      tbody.append(tr);
    }
    if (rows.length === 0) emptyRow(tbody, 8, admins ? 'No built-in admins are listed.' : 'No members yet.');
  }

  // PUT or DELETE, then reload. 202 means saved but not yet in force: say so and look again soon.
  async function write(method, url, body, what, done) {
    try {
      const {status} = await request(url, {method, body});
      $('#banner').hidden = true;
      if (status === 202) {
        showNotice(`${done} Saved; it takes effect after the server reloads its authorization data.`);
        setTimeout(load, 3000);
        setTimeout(load, 10000);
      } else {
        showNotice(done);
      }
      await load();
      return true;
    } catch (error) {
      $('#notice').hidden = true;
      showError(`${what} failed: ${error.message}`);
      return false;
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const subject = input.value.trim();
    if (!subject) {
      showError('Enter an email address or a subject id (for example user:…) to add.');
      input.focus();
      return;
    }
    // "kind:id" is a subject id; anything else with an @ is an email alias.
    const body = {role: roleSelect.value};
    body[/^[a-z_]+:/i.test(subject) || !subject.includes('@') ? 'subjectId' : 'email'] = subject;
    const where = admins ? 'the built-in admins' : target.app;
    if (await write('PUT', path(), body, `Adding ${subject}`, `${subject} was added to ${where} as ${body.role}.`)) {
      input.value = '';
    }
  });

  return {
    show(next) {
      target = next;
      return load();
    },
    reload: load,
  };
}

const members = (() => {
  const appPanel = memberPanel($('#app-members'), {admins: false});
  const adminPanel = memberPanel($('#admin-members'), {admins: true});
  let selected = null;
  let apps = [];

  function select(app) {
    selected = app;
    setParam('app', app.name);
    for (const button of document.querySelectorAll('#targets button')) {
      if (button.dataset.app === app.name) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
    $('#app-members').hidden = false;
    return appPanel.show({app: app.name, policy: app.authorizationPolicy});
  }

  async function loadApps() {
    try {
      const {data} = await request(`${API}/authorization/apps`);
      apps = Array.isArray(data) ? data : [];
      const list = $('#targets');
      list.replaceChildren();
      for (const app of apps) {
        const button = el('button', {type: 'button'},
          el('span', {className: 'target-name'}, app.displayName || app.name),
          el('span', {className: 'muted'}, `policy ${app.authorizationPolicy || '–'}`));
        button.dataset.app = app.name;
        button.addEventListener('click', () => select(app));
        list.append(el('li', {}, button));
      }
      $('#targets-empty').hidden = apps.length > 0;
      const wanted = selected?.name ?? param('app');
      const again = apps.find((a) => a.name === wanted) || apps[0];
      if (again) select(again);
      else $('#app-members').hidden = true;
    } catch (error) {
      showError(`Loading the apps failed: ${error.message}`);
    }
  }

  function refresh() {
    loadApps();
    adminPanel.show({app: null});
  }
  $('#members-refresh').addEventListener('click', refresh);

  return {show: refresh, hide() {}};
})();

// ---------------------------------------------------------------- runtime

const runtime = (() => {
  const LOG_LINES_KEPT = 5000;
  const LOG_PAGE = 500;
  let provider = null;
  let session = null; // {id, app}
  let nextPageToken = null;
  let lastSeq = 0;
  let lineCount = 0;
  let timer = null;
  let polling = null; // the session whose logs are being fetched
  let generation = 0;

  const profile = (p) => (p ? [p.canHostPlugins === undefined ? null : p.canHostPlugins ? 'hosts apps' : 'cannot host apps',
    p.hostServiceAccess && `host services: ${p.hostServiceAccess}`, p.egressMode && `egress: ${p.egressMode}`]
    .filter(Boolean).join(' · ') : '');

  function markSelected(tbody, key, value) {
    for (const row of tbody.rows) {
      if (row.dataset[key] === value) row.setAttribute('aria-selected', 'true');
      else row.removeAttribute('aria-selected');
    }
  }

  // A row whose first cell is a button: click anywhere on the row, or Tab to it and press Enter.
  function selectable(tr, text, label, action) {
    const button = el('button', {type: 'button', className: 'link', ariaLabel: label}, text);
    button.addEventListener('click', (event) => {
      event.stopPropagation();
      action();
    });
    tr.addEventListener('click', action);
    tr.classList.add('selectable');
    return button;
  }

  async function loadProviders() {
    try {
      const {data} = await request(`${API}/runtime/providers`);
      const list = Array.isArray(data) ? data : [];
      const tbody = $('#providers-table tbody');
      tbody.replaceChildren();
      for (const p of list) {
        const tr = el('tr');
        tr.dataset.provider = p.name;
        const open = () => chooseProvider(p.name);
        tr.append(el('th', {scope: 'row'}, selectable(tr, p.name, `Show the sessions of ${p.name}`, open)),
          el('td', {}, p.driver || ''), el('td', {}, yesNo(p.default)), el('td', {}, yesNo(p.loaded)),
          el('td', {className: 'num'}, String(p.sessionCount ?? 0)), el('td', {}, profile(p.profile?.advertised)),
          el('td', {}, profile(p.profile?.effective)), el('td', {className: p.error ? 'error-text' : ''}, p.error || ''));
        tbody.append(tr);
      }
      if (list.length === 0) emptyRow(tbody, 8, 'No runtime providers are configured.');
      const wanted = provider ?? param('provider');
      const again = list.find((p) => p.name === wanted) || list.find((p) => p.default) || list[0];
      if (again) await chooseProvider(again.name, session?.id ?? param('session'));
    } catch (error) {
      showError(`Loading the runtime providers failed: ${error.message}`);
    }
  }

  function chooseProvider(name, wantedSession = null) {
    if (name !== provider) closeLogs();
    provider = name;
    setParam('provider', name);
    markSelected($('#providers-table tbody'), 'provider', name);
    return loadSessions(false, wantedSession);
  }

  async function loadSessions(more, wantedSession = null) {
    const name = provider;
    const mine = more ? generation : ++generation;
    const params = new URLSearchParams({pageSize: '50'});
    if (more && nextPageToken) params.set('pageToken', nextPageToken);
    try {
      const {data} = await request(`${API}/runtime/providers/${encodeURIComponent(name)}/sessions?${params}`);
      if (mine !== generation || name !== provider) return;
      const sessions = Array.isArray(data?.sessions) ? data.sessions : Array.isArray(data) ? data : [];
      const tbody = $('#sessions-table tbody');
      if (!more) tbody.replaceChildren();
      tbody.querySelector('.empty-row')?.remove();
      $('#sessions-section').hidden = false;
      $('#sessions-title').textContent = `Sessions of ${name}`;
      for (const s of sessions) {
        const tr = el('tr');
        tr.dataset.session = s.id;
        const app = s.app || s.plugin || '';
        tr.append(el('th', {scope: 'row'}, selectable(tr, s.id, `Show the logs of session ${s.id}`, () => openLogs(s))),
          el('td', {}, el('span', {className: `badge state-${s.state}`}, s.state || '')), el('td', {}, app),
          el('td', {className: 'num'}, s.pid ? String(s.pid) : ''), el('td', {}, s.startedAt ? formatTimestamp(s.startedAt) : ''));
        tbody.append(tr);
      }
      if (tbody.rows.length === 0) emptyRow(tbody, 5, 'No active sessions.');
      nextPageToken = data?.nextPageToken || null;
      $('#sessions-more').hidden = !nextPageToken;
      if (session) markSelected(tbody, 'session', session.id);
      const wanted = wantedSession && sessions.find((s) => s.id === wantedSession);
      if (wanted && session?.id !== wanted.id) openLogs(wanted);
    } catch (error) {
      showError(`Loading the sessions of ${name} failed: ${error.message}`);
    }
  }

  function closeLogs() {
    session = null;
    clearTimeout(timer);
    $('#logs-section').hidden = true;
    setParam('session', null);
  }

  function openLogs(s) {
    session = {id: s.id, app: s.app || s.plugin || ''};
    setParam('session', s.id);
    markSelected($('#sessions-table tbody'), 'session', s.id);
    lastSeq = 0;
    lineCount = 0;
    $('#logs').replaceChildren();
    $('#logs-count').textContent = '';
    $('#logs-section').hidden = false;
    $('#logs-title').textContent = `Logs of ${s.id}${session.app ? ` (${session.app})` : ''}`;
    pollLogs();
  }

  // One request at a time per opened session; a full page is followed by the next one at once.
  async function pollLogs() {
    clearTimeout(timer);
    const shown = session;
    if (!shown || polling === shown) return;
    polling = shown;
    let full = false;
    try {
      const url = `${API}/runtime/providers/${encodeURIComponent(provider)}/sessions/${encodeURIComponent(shown.id)}/logs?after=${lastSeq}&limit=${LOG_PAGE}`;
      const {data} = await request(url);
      if (shown !== session) return;
      const lines = Array.isArray(data) ? data : [];
      full = lines.length >= LOG_PAGE;
      if (lines.length) {
        const pre = $('#logs');
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
        const fragment = document.createDocumentFragment();
        for (const line of lines) {
          const time = line.observedAt || line.appendedAt || '';
          const stream = String(line.stream ?? '');
          fragment.append(el('span', {className: `log-line stream-${stream.replace(/[^a-z0-9_-]/gi, '')}`},
            el('span', {className: 'log-time'}, time ? `${time} ` : ''),
            el('span', {className: 'log-stream'}, `${stream} `), `${line.message ?? ''}\n`));
        }
        pre.append(fragment);
        lineCount += lines.length;
        while (pre.childNodes.length > LOG_LINES_KEPT) pre.firstChild.remove();
        lastSeq = Math.max(lastSeq, ...lines.map((l) => Number(l.seq) || 0));
        if (atBottom) pre.scrollTop = pre.scrollHeight;
      }
      $('#logs-count').textContent = lineCount === 0 ? 'No lines yet' : plural(lineCount, 'line');
    } catch (error) {
      if (shown === session) {
        $('#logs-follow').checked = false;
        showError(`Loading the logs of ${shown.id} failed: ${error.message}`);
      }
    } finally {
      if (polling === shown) polling = null;
    }
    if (shown === session && $('#logs-follow').checked && current === 'runtime') {
      timer = setTimeout(pollLogs, full ? 0 : 1500);
    }
  }

  $('#logs-follow').addEventListener('change', () => {
    if ($('#logs-follow').checked) pollLogs();
    else clearTimeout(timer);
  });
  $('#sessions-more').addEventListener('click', () => loadSessions(true));
  $('#runtime-refresh').addEventListener('click', loadProviders);

  return {
    show() {
      loadProviders();
      if (session && $('#logs-follow').checked) pollLogs();
    },
    hide() {
      clearTimeout(timer);
    },
  };
})();

// ---------------------------------------------------------------- start

const limits = limitsPanel({$, el, emptyRow, request, api: API, formatTimestamp});

Object.assign(panels, {overview, members, runtime, limits});
for (const link of document.querySelectorAll('.tabs a')) {
  link.addEventListener('click', (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    hideMessages();
    if (link.dataset.tab !== current) showTab(link.dataset.tab, true);
  });
}
window.addEventListener('popstate', () => {
  hideMessages();
  showTab(tabFromUrl(), false);
});
$('#banner-close').addEventListener('click', () => ($('#banner').hidden = true));
$('#notice-close').addEventListener('click', () => ($('#notice').hidden = true));
showTab(tabFromUrl(), false);
overview.begin();
