// The /admin web shell in headless Chromium (playwright-core driving Debian's /usr/bin/chromium):
// - the shell's own Prometheus parser, histogram_quantile and rate window, run in the page;
// - Overview: real traffic on the public listener (successes and 500s) becomes a "team" series in
//   the requests, errors and latency charts and a row of the apps table; pause and resume; the
//   error state (a 503 from /metrics) and the empty state;
// - Members: app list, static rows read-only, a member added, re-roled and removed (checked
//   through the admin API too), a server error shown in the banner, the admins list read-only;
// - Runtime: the local provider, the hosted server-everything session, its logs (opened with the
//   keyboard), the deep link restoring them;
// - Limits: the blocked upstream credentials from the server (none), then configured limits,
//   overrides, current use and blocked credentials served by request routing, refreshed by itself;
// - history back, a 401 sending the browser to the login, no console errors and no failed
//   same-origin requests;
// - no Content-Security-Policy violation (a securitypolicyviolation event) on any tab, in either
//   scheme or width: the policy allows no inline script or style.
// Screenshots of every tab (light, dark, narrow) go to $GESTALT_SCREENSHOT_DIR (default: a new
// temporary directory); their paths are printed.
// Usage: node admin-ui.mjs <management base URL> <public base URL>
import {chromium} from 'playwright-core';
import {mkdirSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const [management, publicUrl] = process.argv.slice(2);
if (!management || !publicUrl) {
  console.error('usage: admin-ui.mjs <management URL> <public URL>');
  process.exit(2);
}
const shots = process.env.GESTALT_SCREENSHOT_DIR || mkdtempSync(join(tmpdir(), 'gestalt-admin-ui-'));
mkdirSync(shots, {recursive: true});
const WAIT = 10000; // any single wait
const DEADLINE = 80000; // the whole run
const admin = `${management}/admin/`;
let failures = 0;
const screenshots = [];

function check(what, condition, detail = '') {
  if (condition) {
    console.log(`ok: ${what}`);
  } else {
    failures++;
    console.error(`FAIL: ${what}${detail === '' ? '' : `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`);
  }
}

// A step that must work for the rest to make sense: a timeout or exception ends the run.
async function step(what, action) {
  try {
    const result = await action();
    console.log(`ok: ${what}`);
    return result;
  } catch (error) {
    throw new Error(`${what}: ${error.message.split('\n')[0]}`);
  }
}

async function shoot(page, name, options = {}) {
  const path = join(shots, `${name}.png`);
  await page.screenshot({path, fullPage: true, ...options});
  screenshots.push(path);
}

async function call(method, path, body) {
  try {
    const response = await fetch(`${publicUrl}${path}`, {
      method, headers: body ? {'Content-Type': 'application/json'} : {}, body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(WAIT),
    });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    throw new Error(`traffic: ${method} ${publicUrl}${path} failed: ${error.cause?.code || error.cause?.message || error.message}`);
  }
}

// Six successes and two upstream 500s for the team app.
async function traffic() {
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push(await call('GET', '/api/v1/team/get'));
  for (let i = 0; i < 2; i++) statuses.push(await call('POST', '/api/v1/team/status', {code: 500}));
  return statuses;
}

async function teamMembers() {
  const response = await fetch(`${management}/admin/api/v1/authorization/apps/team/members`, {signal: AbortSignal.timeout(WAIT)});
  return response.json();
}

// The tab on screen has loaded without a CSP violation since the page was loaded.
async function noCspViolation(page, tab) {
  const violations = await page.evaluate(() => window.cspViolations);
  check(`no CSP violation on the ${tab} tab`, Array.isArray(violations) && violations.length === 0, violations);
}

async function until(what, probe) {
  const end = Date.now() + WAIT;
  let last;
  while (Date.now() < end) {
    last = await probe();
    if (last) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within ${WAIT / 1000} s`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  timeout: WAIT * 2,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const deadline = setTimeout(() => {
  console.error(`FAIL: the browser test took longer than ${DEADLINE / 1000} s`);
  process.exit(1);
}, DEADLINE);

// Requests that are meant to fail (a member the server must refuse); anything else failing is an error.
const expectedFailures = [];
const expected = (url, status) => expectedFailures.some((e) => url.startsWith(e.url) && (status === undefined || e.status === status));

async function newPage(context, watch) {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.setDefaultNavigationTimeout(WAIT);
  // Every CSP violation the page reports, from before its first script runs (init scripts are not
  // subject to the page's policy).
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => window.cspViolations.push(
      `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile || ''}:${event.lineNumber})`));
  });
  if (watch) {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const where = message.location()?.url || '';
      if (/Failed to load resource/.test(message.text()) && expected(where)) return;
      watch.consoleErrors.push(`${message.text()} (${where})`);
    });
    page.on('pageerror', (error) => watch.consoleErrors.push(String(error)));
    page.on('requestfailed', (request) => {
      const reason = request.failure()?.errorText || '';
      // A scrape still running when the test navigates away is cancelled by the browser.
      if (reason === 'net::ERR_ABORTED') return;
      watch.failedRequests.push(`${request.method()} ${request.url()} ${reason}`);
    });
    page.on('response', (response) => {
      const url = response.url();
      if (url.startsWith(management) && response.status() >= 400 && !expected(url, response.status())) {
        watch.failedRequests.push(`${response.request().method()} ${url} HTTP ${response.status()}`);
      }
    });
  }
  return page;
}

try {
  const context = await browser.newContext({viewport: {width: 1360, height: 900}, colorScheme: 'light'});
  const watch = {consoleErrors: [], failedRequests: []};
  const page = await newPage(context, watch);

  // ---- the shell's parser and rate window, as compiled into gestaltd, in the browser
  await step('the management root redirects to /admin/', async () => {
    await page.goto(`${management}/`);
    if (new URL(page.url()).pathname !== '/admin/') throw new Error(`landed on ${page.url()}`);
  });
  const unit = await page.evaluate(async () => {
    const {parsePrometheus, histogramQuantile} = await import('/admin/prometheus.js');
    const {MetricsWindow} = await import('/admin/metrics.js');
    const text = [
      '# HELP m_total A \\\\ counter\\nwith two lines',
      '# TYPE m_total counter',
      'm_total{a="x\\"y",b="back\\\\slash",c="new\\nline",d="} ,="} 3 1700000000000',
      'm_total{a="z",e="un\\known",} +Inf',
      '# TYPE h histogram',
      'h_bucket{le="0.1"} 1',
      'h_bucket{le="+Inf"} 2',
      'h_sum 0.3',
      'h_count 2',
      'g NaN',
      '# a plain comment',
    ].join('\n');
    const {families, samples} = parsePrometheus(text);
    const bad = [];
    for (const line of ['m{a="x} 1', 'm{a=x} 1', 'm 0x10', 'm{a="x"', 'm 1 2 3', '# TYPE m gauges', 'm{1a="x"} 1', 'm 1 1.5']) {
      try {
        parsePrometheus(line);
        bad.push(line);
      } catch {}
    }
    const w = new MetricsWindow();
    const scrape = (count, buckets) => [
      `gestaltd_operation_count_total{gestalt_provider="p",gestalt_operation="o"} ${count}`,
      ...buckets.map(([le, c]) => `gestaltd_operation_duration_seconds_bucket{gestalt_provider="p",le="${le}"} ${c}`),
    ].join('\n');
    w.ingest(scrape(10, [['0.1', 5], ['1', 10], ['+Inf', 10]]), 0);
    w.ingest(scrape(30, [['0.1', 5], ['1', 30], ['+Inf', 30]]), 10000);
    const rate = w.latest.get('p').requests;
    const p50 = w.latest.get('p').p50;
    w.ingest(scrape(4, [['0.1', 4], ['1', 4], ['+Inf', 4]]), 20000); // a restart: counters reset
    return {
      help: families.get('m_total').help, type: families.get('m_total').type,
      labels: samples[0].labels, timestamp: samples[0].timestamp, inf: samples[1].value, unknownEscape: samples[1].labels.e,
      histogram: families.get('h').samples.length, nan: Number.isNaN(samples[samples.length - 1].value), bad,
      q: [histogramQuantile(0.5, [[0.1, 1], [1, 3], [Infinity, 4]]), histogramQuantile(0.99, [[1, 1], [Infinity, 2]]),
        histogramQuantile(0.5, [[1, 0], [Infinity, 0]]), histogramQuantile(0.5, [[1, 2]])],
      rate, p50, resetRate: w.latest.get('p').requests, resetP50: w.latest.get('p').p50,
    };
  });
  check('parser: HELP text unescaped, TYPE read', unit.help === 'A \\ counter\nwith two lines' && unit.type === 'counter', unit);
  check('parser: label escapes and odd characters in values',
    unit.labels.a === 'x"y' && unit.labels.b === 'back\\slash' && unit.labels.c === 'new\nline' && unit.labels.d === '} ,='
    && unit.unknownEscape === 'un\\known', unit);
  check('parser: timestamp, +Inf, NaN, histogram family', unit.timestamp === 1700000000000 && unit.inf === Infinity && unit.nan
    && unit.histogram === 4, unit);
  check('parser: malformed lines are rejected', unit.bad.length === 0, unit.bad);
  check('histogram_quantile interpolates like PromQL', Math.abs(unit.q[0] - 0.55) < 1e-9 && unit.q[1] === 1
    && Number.isNaN(unit.q[2]) && Number.isNaN(unit.q[3]), unit.q);
  check('rates from counter deltas; p50 from bucket deltas', unit.rate === 2 && Math.abs(unit.p50 - 0.55) < 1e-9, unit);
  check('a counter reset counts the new value as the increase', unit.resetRate === 0.4 && Math.abs(unit.resetP50 - 0.05) < 1e-9, unit);

  // ---- Overview
  await step('the overview reads /metrics', () => page.waitForFunction(
    () => /^Updated/.test(document.querySelector('#overview-status').textContent)));
  check('the overview is the default tab', await page.isVisible('#tab-overview') && !(await page.isVisible('#tab-members')));
  check('the Client UI link is left out without server.baseUrl', (await page.locator('header a', {hasText: 'Client UI'}).count()) === 0);
  check('the brand links to the shell without a public URL', (await page.getAttribute('a.brand', 'href')) === '/admin/');
  // Paused while the traffic runs, so that the scrape on resume holds all of it.
  await page.click('#overview-pause');
  check('pause stops the polling and offers to resume', (await page.textContent('#overview-pause')) === 'Resume'
    && /^Paused/.test(await page.textContent('#overview-status')));
  const statuses = await traffic();
  check('traffic on the public listener: 6 × 200 and 2 × 500', statuses.filter((s) => s === 200).length === 6
    && statuses.filter((s) => s === 500).length === 2, statuses);
  await page.click('#overview-pause'); // resume scrapes at once
  await step('the team app appears in the requests chart', () => page.waitForSelector('#chart-requests g.series[data-series="team"]'));
  await page.click('#overview-pause');
  await traffic();
  await page.click('#overview-pause');
  const line = await step('the requests chart draws a team line', () => page.waitForFunction(() => {
    const polyline = document.querySelector('#chart-requests polyline[data-series="team"]');
    const points = polyline?.getAttribute('points').trim().split(/\s+/) || [];
    return points.length >= 2 && points.every((p) => /^-?[\d.]+,-?[\d.]+$/.test(p)) && points;
  }).then((handle) => handle.jsonValue()));
  await page.click('#overview-pause'); // hold the newest numbers for the checks
  const box = await page.$eval('#chart-requests svg', (svg) => ({width: svg.viewBox.baseVal.width, height: svg.viewBox.baseVal.height}));
  const inside = line.map((p) => p.split(',').map(Number)).every(([x, y]) => x >= 0 && x <= box.width && y >= 0 && y <= box.height);
  check('the team line has data points inside the chart', line.length >= 2 && inside, line);
  const legend = await page.textContent('#chart-requests .legend');
  check('the requests legend names team', legend.includes('team'), legend);
  const errorsLegend = await page.$eval('#chart-errors .legend-item:has-text("team") .legend-value', (e) => e.textContent);
  check('errors per second for team are above 0', parseFloat(errorsLegend) > 0, errorsLegend);
  for (const chart of ['p50', 'p95']) {
    const marks = await page.$$eval(`#chart-${chart} g.series[data-series="team"] :is(polyline, circle)`, (nodes) => nodes.length);
    check(`the ${chart} latency chart has team points`, marks > 0, marks);
  }
  check('the memory chart has a line', (await page.$$('#chart-memory polyline')).length === 1);
  const teamRow = await page.$eval('#overview-apps tr[data-app="team"]', (tr) => [...tr.cells].map((c) => c.textContent.trim()));
  check('the apps table lists team with its rates and totals (16 requests, 4 errors)', Number(teamRow[1]) > 0
    && Number(teamRow[2]) > 0 && /ms$/.test(teamRow[3]) && Number(teamRow[5].replace(/,/g, '')) >= 16 && Number(teamRow[6]) >= 4, teamRow);
  check('the empty state is gone once there is traffic', !(await page.isVisible('#overview-empty')));
  check('the stats show the requests and the memory', Number((await page.textContent('[data-stat="requests"]')).replace(/,/g, '')) >= 16
    && /iB$/.test(await page.textContent('[data-stat="memory"]')));
  await shoot(page, 'admin-overview'); // paused: the rates of the last interval, with the traffic
  await noCspViolation(page, 'overview');
  await page.click('#overview-pause');
  await step('resume polls again', () => page.waitForFunction(() => /^Updated/.test(document.querySelector('#overview-status').textContent)));

  // ---- Members
  await page.click('.tabs a[data-tab="members"]');
  check('the tab is in the URL', new URL(page.url()).searchParams.get('tab') === 'members');
  const apps = await step('the apps with a policy are listed', () => until('apps listed',
    () => page.$$eval('#targets button', (buttons) => buttons.map((b) => b.textContent)).then((t) => t.length >= 2 && t)));
  check('apps show name and policy', apps.some((t) => t.includes('team') && t.includes('policy team'))
    && apps.some((t) => t.includes('closed') && t.includes('policy locked')), apps);
  await page.click('#targets button[data-app="team"]');
  check('the selected app is in the URL', new URL(page.url()).searchParams.get('app') === 'team');
  await step('the static members of team are shown', () => page.waitForSelector('#app-members tr[data-source="static"]'));
  const staticRows = await page.$$eval('#app-members tr[data-source="static"]', (rows) => rows.map((r) => ({
    buttons: r.querySelectorAll('button, select').length, reason: r.querySelector('td.actions').textContent, text: r.textContent,
  })));
  check('static rows have no remove button or role select', staticRows.length === 2 && staticRows.every((r) => r.buttons === 0), staticRows);
  check('static rows say they come from the config policy', staticRows.every((r) => r.reason.includes('from config policy team')), staticRows);
  check('static rows show alice and the bot', staticRows.some((r) => r.text.includes('alice@example.com'))
    && staticRows.some((r) => r.text.includes('service_account:bot')));

  const erin = '#app-members tr[data-source="dynamic"][data-email="erin@example.com"]';
  await page.fill('#app-members-subject', 'erin@example.com');
  await page.selectOption('#app-members-role', 'viewer');
  await page.click('#app-members button[type="submit"]');
  await step('erin is added as a viewer', () => page.waitForSelector(erin));
  check('erin is a viewer in the table', (await page.$eval(`${erin} select`, (s) => s.value)) === 'viewer');
  check('the notice says erin was added', /erin@example\.com was added/.test(await page.textContent('#notice')));
  check('erin is a viewer on the server', (await teamMembers()).find((m) => m.email === 'erin@example.com')?.role === 'viewer');
  await shoot(page, 'admin-members');

  await page.selectOption(`${erin} select`, 'editor');
  const role = await step('the role change reaches the server', () => until('role editor',
    async () => (await teamMembers()).find((m) => m.email === 'erin@example.com')?.role === 'editor' && 'editor'));
  check('erin is an editor through the API', role === 'editor');
  await step('the table shows the new role', () => page.waitForFunction(
    (selector) => document.querySelector(`${selector} select`)?.value === 'editor', erin));

  // The server refuses a dynamic row for a subject with a static one: its message shows in the banner.
  expectedFailures.push({url: `${management}/admin/api/v1/authorization/apps/team/members`, status: 409});
  await page.fill('#app-members-subject', 'alice@example.com');
  await page.click('#app-members button[type="submit"]');
  await step('a refused change shows the server message in the banner', () => page.waitForSelector('#banner:not([hidden])'));
  const banner = await page.textContent('#banner-text');
  check('the banner carries the server error', /already has static authorization/.test(banner), banner);
  check('the banner is an alert for assistive technology', (await page.getAttribute('#banner', 'role')) === 'alert');
  await shoot(page, 'admin-members-error');
  await noCspViolation(page, 'members');
  await page.click('#banner-close');
  expectedFailures.length = 0;

  await page.click(`${erin} button.danger`);
  await step('removing asks for confirmation in a dialog', () => page.waitForSelector('#confirm[open]'));
  check('the dialog names erin', (await page.textContent('#confirm-text')).includes('erin@example.com'));
  await page.click('#confirm-ok');
  await step('erin is gone from the table', () => page.waitForSelector(erin, {state: 'detached'}));
  check('erin is gone on the server', !(await teamMembers()).some((m) => m.email === 'erin@example.com'));

  await step('the built-in admins section is read-only (X-Gestalt-Can-Write: false)',
    () => page.waitForSelector('#admin-members-subject:disabled'));
  check('the admins add button is disabled', await page.isDisabled('#admin-members button[type="submit"]'));
  check('the admins section says why', /Read-only/.test(await page.textContent('#admin-members .note')));

  // ---- Runtime
  await page.click('.tabs a[data-tab="runtime"]');
  await step('the local provider is listed', () => page.waitForSelector('#providers-table tr[data-provider="local"]'));
  const provider = await page.$eval('#providers-table tr[data-provider="local"]', (tr) => [...tr.cells].map((c) => c.textContent));
  check('the provider row shows driver, default, loaded and its profile', provider[1] === 'local' && provider[2] === 'yes'
    && provider[3] === 'yes' && /egress: unrestricted/.test(provider[5]), provider);
  await step('the hosted session is listed', () => page.waitForSelector('#sessions-table tr[data-session]'));
  const sessionApp = await page.$eval('#sessions-table tr[data-session]', (tr) => tr.cells[2].textContent);
  check('the everything app is a running session', sessionApp === 'everything', sessionApp);
  await page.focus('#sessions-table tr[data-session] button.link');
  const firstRead = page.waitForRequest(/\/logs\?after=0&/);
  await page.keyboard.press('Enter');
  await step('its logs open from the keyboard and show stderr', async () => {
    await firstRead;
    await page.waitForFunction(() => document.querySelector('#logs').textContent.includes('stderr'));
  });
  await step('following polls for lines after the last seq', () => page.waitForRequest(/\/logs\?after=[1-9]\d*&/));
  const url = new URL(page.url());
  check('provider and session are in the URL', url.searchParams.get('provider') === 'local' && url.searchParams.get('session')?.startsWith('rs_'), url.search);
  await shoot(page, 'admin-runtime');
  await noCspViolation(page, 'runtime');
  await page.reload();
  await step('the deep link opens the same session logs again', () => page.waitForFunction(
    () => !document.querySelector('#logs-section').hidden && document.querySelector('#logs').textContent.includes('stderr')));

  // ---- History
  await page.goBack();
  await step('back returns to the members tab', () => page.waitForSelector('#tab-members:not([hidden])'));
  await page.goBack();
  await step('back again returns to the overview', () => page.waitForSelector('#tab-overview:not([hidden])'));

  // ---- Limits (GET /admin/api/v1/limits comes with the rate limits; a server without it says so)
  expectedFailures.push({url: `${management}/admin/api/v1/limits`, status: 404});
  await page.click('.tabs a[data-tab="limits"]');
  await step('the limits tab shows that no upstream asked to slow down', () => page.waitForFunction(
    () => document.querySelector('#upstream-table tbody').textContent.includes('No upstream has asked to slow down')));
  await step('the configured limits are shown or the panel says why not', () => page.waitForFunction(
    () => document.querySelector('#limits-table tbody').rows.length > 0 || !document.querySelector('#limits-config-error').hidden));
  await shoot(page, 'admin-limits');
  await noCspViolation(page, 'limits');

  // ---- Dark scheme and a narrow screen, for the screenshots (and a glance at the colours)
  await page.emulateMedia({colorScheme: 'dark'});
  await page.goto(`${admin}?tab=members&app=team`);
  await page.waitForSelector('#app-members tr[data-source="static"]');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check('the dark scheme has a dark background', /rgb\((\d+), (\d+), (\d+)\)/.exec(background)?.slice(1).every((c) => Number(c) < 60), background);
  await shoot(page, 'admin-members-dark');
  await noCspViolation(page, 'members (dark)');
  await page.goto(`${admin}?tab=overview`);
  await page.waitForSelector('#chart-requests g.series[data-series="team"]', {timeout: WAIT});
  await shoot(page, 'admin-overview-dark');
  await noCspViolation(page, 'overview (dark)');
  await page.emulateMedia({colorScheme: 'light'});
  await page.setViewportSize({width: 420, height: 860});
  const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.goto(`${admin}?tab=members&app=team`);
  await page.waitForSelector('#app-members tr[data-source="static"]');
  const membersOverflow = await sideways();
  await shoot(page, 'admin-members-narrow');
  await noCspViolation(page, 'members (narrow)');
  await page.goto(`${admin}?tab=runtime`);
  await page.waitForSelector('#sessions-table tr[data-session]');
  const runtimeOverflow = await sideways();
  await noCspViolation(page, 'runtime (narrow)');
  check('a narrow screen does not scroll sideways (tables scroll in their frame)', membersOverflow <= 0 && runtimeOverflow <= 0,
    `members ${membersOverflow}px, runtime ${runtimeOverflow}px`);

  check('no console errors', watch.consoleErrors.length === 0, watch.consoleErrors.join('; '));
  check('no failed same-origin requests', watch.failedRequests.length === 0, watch.failedRequests.join('; '));
  await context.close();

  // ---- States the playground server cannot produce, served by the browser's request routing
  const routed = await browser.newContext({viewport: {width: 1360, height: 900}});
  const other = await newPage(routed, null);
  const unavailable = 'Prometheus metrics are unavailable because telemetry metrics are disabled.';
  let metricsBody = null;
  await other.route(`${management}/metrics`, (route) => (metricsBody === null
    ? route.fulfill({status: 503, contentType: 'text/plain', body: unavailable})
    : route.fulfill({status: 200, contentType: 'text/plain; version=0.0.4', body: metricsBody})));
  await other.goto(`${admin}?tab=overview`);
  await step('a failing /metrics shows the error state', () => other.waitForSelector('#overview-error:not([hidden])'));
  const errorText = await other.textContent('#overview-error');
  check('the error state gives the status and the server text', errorText.includes('503') && errorText.includes('telemetry metrics are disabled'), errorText);
  await shoot(other, 'admin-overview-error');
  await noCspViolation(other, 'overview (error state)');
  metricsBody = '# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 2.5e+07\n';
  await other.goto(`${admin}?tab=overview`);
  await step('a server without traffic shows the empty state', () => other.waitForSelector('#overview-empty:not([hidden])'));
  check('the empty state says there is no traffic yet', /No traffic yet/.test(await other.textContent('#overview-empty')));
  check('the error state is gone', await other.isHidden('#overview-error'));

  // A write the server accepts but applies only after a reload (202).
  await other.route(`${management}/admin/api/v1/authorization/apps/team/members`, (route) => (route.request().method() === 'PUT'
    ? route.fulfill({status: 202, contentType: 'application/json', body: '{"status":"persisted_pending_reload","persisted":true,"reloaded":false}'})
    : route.continue()));
  await other.goto(`${admin}?tab=members&app=team`);
  await other.waitForSelector('#app-members tr[data-source="static"]');
  await other.fill('#app-members-subject', 'frank@example.com');
  await other.click('#app-members button[type="submit"]');
  await step('a 202 is shown as saved, pending a reload', () => other.waitForSelector('#notice:not([hidden])'));
  const pending = await other.textContent('#notice-text');
  check('the notice says the change takes effect after a reload', /takes effect after the server reloads/.test(pending), pending);
  check('a 202 is no error', await other.isHidden('#banner'));

  // Sessions in two pages: the "more" button follows nextPageToken.
  await other.route(`${management}/admin/api/v1/runtime/providers/local/sessions?*`, (route) => {
    const token = new URL(route.request().url()).searchParams.get('pageToken');
    const session = (id) => ({id, app: 'paged', state: 'running', pid: 4242, startedAt: '2026-01-02T03:04:05Z'});
    route.fulfill({status: 200, contentType: 'application/json', body: JSON.stringify(token === 'page-2'
      ? {sessions: [session('rs_second')]} : {sessions: [session('rs_first')], nextPageToken: 'page-2'})});
  });
  await other.goto(`${admin}?tab=runtime`);
  await step('a first page of sessions offers more', () => other.waitForSelector('#sessions-more:not([hidden])'));
  await other.click('#sessions-more');
  await step('"Load more sessions" appends the next page', () => other.waitForSelector('#sessions-table tr[data-session="rs_second"]'));
  check('both pages are listed and no more is offered', (await other.$$('#sessions-table tr[data-session]')).length === 2
    && await other.isHidden('#sessions-more'));

  // Limits with every kind of row, and a credential an upstream told to slow down.
  const limitsBody = {
    limits: [
      {scope: 'subject', app: null, operation: null, requests: 600, perSeconds: 60, concurrent: 32},
      {scope: 'app-total', app: 'team', operation: null, requests: 100, perSeconds: 1, concurrent: null},
      {scope: 'operation-subject', app: 'team', operation: 'status', requests: 5, perSeconds: 3600},
    ],
    overrides: [{role: 'admin', app: 'team', token: null, requests: 6000, perSeconds: 60, concurrent: 64}],
    usage: [
      {scope: 'app-subject', app: 'team', operation: null, subject: 'user:quiet', requests: 2, perSeconds: 60, inFlight: 0, limited: 0},
      {scope: 'app-subject', app: 'team', operation: null, subject: 'user:<b>busy</b>', requests: 12, perSeconds: 60, inFlight: 1, limited: 3},
    ],
  };
  let upstreamReads = 0;
  await other.route(`${management}/admin/api/v1/limits`, (route) => route.fulfill({
    status: 200, contentType: 'application/json', body: JSON.stringify(limitsBody)}));
  await other.route(`${management}/admin/api/v1/limits/upstream`, (route) => {
    upstreamReads++;
    route.fulfill({status: 200, contentType: 'application/json', body: JSON.stringify({blocked: [
      {app: 'team', connection: 'default', instance: 'work', subject: 'user:alice', until: '2026-01-02T03:04:05.000Z', retryAfter: 42},
      {app: 'closed', connection: null, instance: null, subject: null, until: '2026-01-02T03:10:00.000Z', retryAfter: 400},
    ]})});
  });
  await other.goto(`${admin}?tab=limits`);
  await step('the configured limits and the override are listed', () => other.waitForFunction(
    () => document.querySelector('#limits-table tbody').rows.length === 4));
  const limitCells = await other.$$eval('#limits-table tbody tr', (rows) => rows.map((tr) => [...tr.cells].map((c) => c.textContent)));
  check('a limit shows its scope, rate and cap', limitCells[0].join('|') === 'each caller|any|any|600 / 1 min|32', limitCells[0]);
  check('an absent or null field is shown as not configured', limitCells[1][4] === '–' && limitCells[2][4] === '–', limitCells);
  check('the override names its role', limitCells[3][0] === 'override: role admin' && limitCells[3][3] === '6000 / 1 min', limitCells[3]);
  const usageCells = await other.$$eval('#usage-table tbody tr', (rows) => rows.map((tr) => [...tr.cells].map((c) => c.textContent)));
  check('current use lists the limited subject first, as text', usageCells.length === 2 && usageCells[0][3] === 'user:<b>busy</b>'
    && usageCells[0][4] === '12 / 1 min' && usageCells[0][5] === '1' && usageCells[0][6] === '3', usageCells);
  check('server text never becomes markup', (await other.$$('#usage-table b')).length === 0);
  const blockedCells = await other.$$eval('#upstream-table tbody tr', (rows) => rows.map((tr) => [...tr.cells].map((c) => c.textContent)));
  check('blocked upstream credentials are listed, soonest first', blockedCells.length === 2
    && blockedCells[0][0] === 'team' && blockedCells[0][2] === 'work' && blockedCells[0][3] === 'user:alice'
    && blockedCells[0][5] === 'in 42 s' && blockedCells[1][2] === 'shared' && blockedCells[1][3] === 'everyone', blockedCells);
  await shoot(other, 'admin-limits-routed');
  await noCspViolation(other, 'limits (routed)');
  const readsBefore = upstreamReads;
  await step('the limits tab refreshes by itself', () => until('a second read', async () => upstreamReads > readsBefore));
  await other.click('.tabs a[data-tab="members"]');
  const readsHidden = upstreamReads;
  await new Promise((resolve) => setTimeout(resolve, 6000));
  check('a hidden limits tab stops polling', upstreamReads === readsHidden, {readsHidden, upstreamReads});

  await other.route(`${management}/admin/api/v1/**`, (route) => route.fulfill({
    status: 401, contentType: 'application/json', body: '{"error":"missing authorization"}'}));
  // The login base is written into index.html by the server: the public listener's absolute URL
  // here (management split), so "next" is the absolute address of the shell.
  const html = await (await fetch(admin, {signal: AbortSignal.timeout(WAIT)})).text();
  const loginBase = JSON.parse(/<meta name="gestalt-admin-login-base" content='("[^"']*")'>/.exec(html)?.[1] ?? '""');
  check('index.html carries the login base', /\/api\/v1\/auth\/login$/.test(loginBase), loginBase);
  await other.route('**/api/v1/auth/login**', (route) => route.fulfill({status: 200, contentType: 'text/html', body: '<title>login</title>'}));
  await other.goto(`${admin}?tab=members`);
  await step('a 401 from the admin API sends the browser to the login', () => other.waitForURL(/\/api\/v1\/auth\/login\?next=/));
  const landed = new URL(other.url());
  const next = landed.searchParams.get('next');
  const wantedNext = /^https?:/.test(loginBase) ? `${admin}?tab=members` : '/admin/?tab=members';
  check('the login is the configured one and comes back to the same tab',
    `${landed.origin}${landed.pathname}` === new URL(loginBase, admin).href && next === wantedNext, {url: other.url(), next, wantedNext});
  await routed.close();
} catch (error) {
  failures++;
  console.error(`FAIL: ${error.message}`);
} finally {
  clearTimeout(deadline);
  await browser.close().catch(() => {});
}
for (const path of screenshots) console.log(`screenshot: ${path}`);
console.log(`admin-ui: ${failures === 0 ? 'all checks passed' : `${failures} failed`}`);
process.exit(failures === 0 ? 0 : 1);
