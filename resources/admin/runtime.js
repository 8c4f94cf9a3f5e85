// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The Runtime tab (/admin/api/v1/runtime/*): the runtime providers, the sessions of the selected
// one (paged) and the logs of the selected session, followed while the tab is shown.
import {$, API, el, emptyRow, formatTimestamp, param, request, setParam, showError, yesNo} from './shell.js';

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function runtimePanel() {
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
  let visible = false; // between show() and hide()

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
    if (shown === session && $('#logs-follow').checked && visible) {
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
      visible = true;
      loadProviders();
      if (session && $('#logs-follow').checked) pollLogs();
    },
    hide() {
      visible = false;
      clearTimeout(timer);
    },
  };
}
