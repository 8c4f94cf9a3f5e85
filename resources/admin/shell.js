// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// What every panel of the /admin shell shares: the DOM helpers, the banner and notice, the one
// fetch helper (session cookie, time limit, 401 → login, {"error": …} → ApiError) and the URL
// parameters that hold a panel's sub-state. Nothing here touches the page until it is called.

export const API = '/admin/api/v1';
export const $ = (selector, root = document) => root.querySelector(selector);

// el('td', {className: 'num'}, 'text', otherNode): an element whose strings become text nodes.
export function el(tag, props = {}, ...children) {
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
export const showError = (text) => message('banner', text);
export const showNotice = (text) => message('notice', text);
export function hideMessages() {
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
export async function request(path, {method = 'GET', body, text = false} = {}) {
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

export function emptyRow(tbody, columns, text) {
  tbody.append(el('tr', {className: 'empty-row'}, el('td', {colSpan: columns, className: 'empty'}, text)));
}

export const yesNo = (value) => (value ? 'yes' : 'no');
export const formatTimestamp = (text) => {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text || '' : date.toLocaleString('en-GB');
};

// ---------------------------------------------------------------- the URL

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

// Sub-state (the selected app, provider, session) lives in the URL too, without a history entry.
export function setParam(name, value) {
  const url = new URL(location.href);
  if (value === null || value === undefined || value === '') url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  if (url.href !== location.href) history.replaceState(history.state, '', url);
}
