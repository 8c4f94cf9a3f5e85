// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The built-in /admin shell: the tabs and their place in the URL. Each tab is a panel module with
// show() and hide(): Overview (overview.js, a dashboard from same-origin /metrics), Members
// (members.js, /admin/api/v1/authorization/*), Runtime (runtime.js, /admin/api/v1/runtime/*) and
// Limits (limits.js, /admin/api/v1/limits); shell.js holds what they share. Server text only ever
// reaches the page through textContent; no innerHTML anywhere.
import {limitsPanel} from './limits.js';
import {membersPanel} from './members.js';
import {overviewPanel} from './overview.js';
import {runtimePanel} from './runtime.js';
import {$, hideMessages, param} from './shell.js';

const TABS = ['overview', 'members', 'runtime', 'limits'];

let current = null;
const overview = overviewPanel();
const panels = {overview, members: membersPanel(), runtime: runtimePanel(), limits: limitsPanel()};

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
