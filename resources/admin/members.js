// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The Members tab (/admin/api/v1/authorization/*): the apps with an authorization policy, the
// members of the selected one and the built-in admins, each an editable table with an add form.
import {$, API, el, emptyRow, param, request, setParam, showError, showNotice, yesNo} from './shell.js';

const ROLES = ['viewer', 'editor', 'admin'];

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

export function membersPanel() {
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
}
