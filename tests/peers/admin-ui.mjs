// The /admin web shell in headless Chromium (playwright-core, Debian's /usr/bin/chromium): every
// tab with real content, a member added, re-roled and removed (checked through the admin API
// too), a chart with data after traffic, the runtime session and its logs; no console errors and
// no failed same-origin requests. Screenshots of each tab go to $GESTALT_SCREENSHOT_DIR.
// Usage: node admin-ui.mjs <management base URL> <public base URL>
import {chromium} from 'playwright-core';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const [management, publicUrl] = process.argv.slice(2);
if (!management || !publicUrl) {
  console.error('usage: admin-ui.mjs <management URL> <public URL>');
  process.exit(2);
}
const shots = process.env.GESTALT_SCREENSHOT_DIR || mkdtempSync(join(tmpdir(), 'gestalt-admin-shots-'));
const TIMEOUT = 15000;
let failures = 0;

function check(what, condition, detail = '') {
  if (condition) {
    console.log(`ok: ${what}`);
  } else {
    failures++;
    console.error(`FAIL: ${what}${detail ? `: ${detail}` : ''}`);
  }
}

async function traffic() {
  for (let i = 0; i < 6; i++) {
    const ok = await fetch(`${publicUrl}/api/v1/team/get`);
    await ok.arrayBuffer();
  }
  const bad = await fetch(`${publicUrl}/api/v1/team/status`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{"code":500}'});
  await bad.arrayBuffer();
}

async function teamMembers() {
  const response = await fetch(`${management}/admin/api/v1/authorization/apps/team/members`);
  return response.json();
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const deadline = setTimeout(() => {
  console.error('FAIL: the browser test took longer than 90 s');
  process.exit(1);
}, 90000);

try {
  const page = await browser.newPage({viewport: {width: 1280, height: 900}});
  page.setDefaultTimeout(TIMEOUT);
  const consoleErrors = [];
  const failedRequests = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  page.on('requestfailed', (request) => failedRequests.push(`${request.url()} ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.url().startsWith(management) && response.status() >= 400) {
      failedRequests.push(`${response.url()} HTTP ${response.status()}`);
    }
  });
  page.on('dialog', (dialog) => dialog.accept());

  // Overview: the management root leads to the shell; traffic shows up in the charts.
  await page.goto(`${management}/`);
  check('the management root redirects to the shell', new URL(page.url()).pathname === '/admin/');
  await page.waitForSelector('#tab-overview:not([hidden])');
  await traffic();
  await page.waitForFunction(() => document.querySelector('#overview-status').textContent.startsWith('Updated'));
  await traffic();
  await page.click('#overview-pause');
  await page.click('#overview-pause'); // resume: a scrape every 5 s
  await page.waitForSelector('#chart-requests polyline[data-series="team"]', {timeout: 20000});
  const points = await page.$eval('#chart-requests polyline[data-series="team"]', (line) => line.getAttribute('points').trim().split(' ').length);
  check('the requests chart has a team series with data points', points >= 1, `${points} points`);
  await page.waitForSelector('#chart-errors polyline[data-series="team"]');
  const teamRow = await page.$eval('#overview-apps tr[data-app="team"]', (tr) => [...tr.cells].map((c) => c.textContent));
  check('the apps table lists team with its requests and errors', Number(teamRow[5]) >= 12 && Number(teamRow[6]) >= 2, teamRow.join(' | '));
  check('the Client UI link is left out without server.baseUrl', (await page.$('a:text("Client UI")')) === null);
  await page.screenshot({path: join(shots, 'admin-overview.png'), fullPage: true});

  // Members: add, change role, remove; static rows are read-only.
  await page.click('.tabs a[data-tab="members"]');
  check('the tab is in the URL', new URL(page.url()).searchParams.get('tab') === 'members');
  await page.click('#targets button[data-app="team"]');
  await page.waitForSelector('#members-table tr[data-source="static"]');
  const staticRemove = await page.$$('#members-table tr[data-source="static"] button');
  check('static rows have no buttons', staticRemove.length === 0);
  const staticNote = await page.$eval('#members-table tr[data-source="static"] td.actions', (td) => td.textContent);
  check('static rows say where they come from', staticNote.includes('from config policy team'), staticNote);
  await page.fill('#member-subject', 'erin@example.com');
  await page.selectOption('#member-role', 'viewer');
  await page.click('#member-add button[type="submit"]');
  const erin = '#members-table tr[data-source="dynamic"]:has(td:text("erin@example.com"))';
  await page.waitForSelector(erin);
  await page.screenshot({path: join(shots, 'admin-members.png'), fullPage: true});
  await page.selectOption(`${erin} select`, 'editor');
  await page.waitForFunction(async () => true);
  let role = '';
  for (let i = 0; i < 50 && role !== 'editor'; i++) {
    role = (await teamMembers()).find((m) => m.email === 'erin@example.com')?.role;
    if (role !== 'editor') await new Promise((r) => setTimeout(r, 100));
  }
  check('the role change reached the server', role === 'editor', role);
  await page.click(`${erin} button.danger`);
  await page.waitForSelector(erin, {state: 'detached'});
  check('the removed member is gone on the server', !(await teamMembers()).some((m) => m.email === 'erin@example.com'));
  await page.click('#targets button[data-app=""]');
  await page.waitForSelector('#member-subject:disabled');
  check('the admins list follows X-Gestalt-Can-Write: false', true);

  // Runtime: the provider, the hosted session, its logs.
  await page.click('.tabs a[data-tab="runtime"]');
  await page.waitForSelector('#providers-table tr[data-provider="local"]');
  await page.waitForSelector('#sessions-table tr[data-session]');
  const sessionApp = await page.$eval('#sessions-table tr[data-session]', (tr) => tr.cells[2].textContent);
  check('the hosted stdio MCP server is a session', sessionApp === 'everything', sessionApp);
  await page.click('#sessions-table tr[data-session]');
  await page.waitForFunction(() => document.querySelector('#logs').textContent.includes('[stderr]'));
  check('the session logs show its stderr', true);
  await page.screenshot({path: join(shots, 'admin-runtime.png'), fullPage: true});

  // Back goes to the previous tab.
  await page.goBack();
  await page.waitForSelector('#tab-members:not([hidden])');
  check('history back returns to the members tab', true);

  check('no console errors', consoleErrors.length === 0, consoleErrors.join('; '));
  check('no failed requests', failedRequests.length === 0, failedRequests.join('; '));
} catch (error) {
  failures++;
  console.error(`FAIL: ${error.stack || error}`);
} finally {
  clearTimeout(deadline);
  await browser.close();
}
console.log(`screenshots: ${shots}`);
console.log(`admin-ui: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
