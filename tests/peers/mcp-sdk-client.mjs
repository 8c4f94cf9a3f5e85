// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
//
// The official MCP TypeScript SDK (@modelcontextprotocol/sdk) as a client of gestaltd's /mcp.
//
//   node mcp-sdk-client.mjs bearer <gateway /mcp url> <direct /mcp url> <token> <prefix,...>
//       Bearer token in requestInit headers. Lists the gateway's tools and, for each prefix (one
//       app each), compares every tool of server-everything (reached directly over Streamable
//       HTTP) with its `<prefix><name>` twin through the gateway (inputSchema deep equal, and the
//       other fields), then calls several tools both ways and compares the results (deep equal).
//       Also calls the REST app's bin_anything and bin_status against httpbin.
//   node mcp-sdk-client.mjs oauth <gateway base url> <redirect port>
//       OAuth 2.1 through gestaltd's authorization server with an in-memory OAuthClientProvider
//       (dynamic registration, PKCE, token_endpoint_auth_method none). redirectToAuthorization
//       plays the browser with fetch (redirect: 'manual') and a cookie jar: gestaltd
//       /oauth/authorize → platform login → the identity provider → gestaltd's login callback →
//       /oauth/authorize → 302 to the redirect URI with code and state. Then finishAuth, a new
//       connection, listTools, callTool, and a refresh_token grant whose access token works.
//
// Output: one line per check, "PASS <what>" or "FAIL <what> :: <detail>"; then "DONE". Exit 0
// when every check passed, 1 otherwise, 2 on bad usage. Every network step has a timeout.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  UnauthorizedError,
  discoverAuthorizationServerMetadata,
  refreshAuthorization,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { isDeepStrictEqual } from 'node:util';
import { randomBytes } from 'node:crypto';

const STEP_TIMEOUT_MS = 15000;
let failures = 0;

function pass(what) {
  console.log(`PASS ${what}`);
}

function fail(what, detail) {
  failures += 1;
  const text = typeof detail === 'string' ? detail : JSON.stringify(detail);
  console.log(`FAIL ${what} :: ${(text ?? '').replace(/\s+/g, ' ').slice(0, 3000)}`);
}

function check(what, condition, detail) {
  if (condition) pass(what);
  else fail(what, detail);
  return condition;
}

// server-everything writes the time of day into some results ("created at 9:43:19 PM"): two
// calls a second apart differ there and nowhere else.
function withoutClock(result) {
  return JSON.parse(JSON.stringify(result)
    .replace(/created at \d{1,2}:\d{2}:\d{2}(\s?[AP]M)?/g, 'created at <time of day>'));
}

function checkEqual(what, expected, actual) {
  return check(what, isDeepStrictEqual(expected, actual), { expected, actual });
}

// Rejects after STEP_TIMEOUT_MS: no step may hang the test.
function bounded(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const requestOptions = { timeout: STEP_TIMEOUT_MS };

async function connect(url, transportOptions = {}) {
  const client = new Client({ name: 'gestalt-e2e-sdk-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), transportOptions);
  await bounded(client.connect(transport, requestOptions), `connect ${url}`);
  return { client, transport };
}

async function allTools(client) {
  const tools = [];
  let cursor;
  for (let page = 0; page < 100; page++) {
    const answer = await client.listTools(cursor ? { cursor } : {}, requestOptions);
    tools.push(...answer.tools);
    cursor = answer.nextCursor;
    if (!cursor) return tools;
  }
  throw new Error('tools/list did not end within 100 pages');
}

// A tools/call result, or the JSON-RPC error as {error: {code, message}}: both are compared.
async function callTool(client, name, args) {
  try {
    return await client.callTool({ name, arguments: args }, undefined, requestOptions);
  } catch (error) {
    return { error: { code: error?.code, message: String(error?.message ?? error) } };
  }
}

// Tool fields besides the name and the input schema (those are checked on their own).
function otherFields(tool) {
  const { name: _name, inputSchema: _schema, ...rest } = tool;
  return rest;
}

// Every tool of server-everything must be listed through the gateway as <prefix><name> with the
// same definition, and calls must answer the same JSON.
async function compareWithDirect(gateway, gatewayTools, direct, directTools, prefix) {
  const byName = new Map(gatewayTools.map((tool) => [tool.name, tool]));
  const missing = directTools.filter((tool) => !byName.has(prefix + tool.name)).map((t) => t.name);
  check(`every server-everything tool is listed as ${prefix}<name>`, missing.length === 0,
    { missing, gateway: [...byName.keys()] });
  for (const tool of directTools) {
    const twin = byName.get(prefix + tool.name);
    if (!twin) continue;
    checkEqual(`${prefix}${tool.name}: inputSchema identical`, tool.inputSchema, twin.inputSchema);
    checkEqual(`${prefix}${tool.name}: title, description, annotations, outputSchema identical`,
      otherFields(tool), otherFields(twin));
  }

  const calls = [
    ['echo', { message: 'hello from the SDK ✓ "quoted" \\ back' }],
    ['get-sum', { a: 17, b: 25.5 }],
    ['get-tiny-image', {}],
    ['get-structured-content', { location: 'Chicago' }],
    ['get-annotated-message', { messageType: 'error', includeImage: true }],
    ['get-resource-reference', { resourceType: 'Text', resourceId: 3 }],
    // Errors: a failure inside the tool, and arguments the tool's schema rejects.
    ['gzip-file-as-resource', { data: 'ftp://example.invalid/file.txt' }],
    ['get-sum', { a: 'seventeen', b: 25 }],
  ];
  const kinds = {};
  for (const [name, args] of calls) {
    const expected = await callTool(direct, name, args);
    const actual = await callTool(gateway, prefix + name, args);
    checkEqual(`callTool ${prefix}${name} ${JSON.stringify(args)}: identical result`,
      withoutClock(expected), withoutClock(actual));
    for (const item of actual.content ?? []) kinds[item.type] = true;
    if (actual.structuredContent) kinds.structuredContent = true;
    if (actual.isError) kinds.isError = true;
  }
  for (const kind of ['text', 'image', 'resource', 'structuredContent', 'isError']) {
    check(`${prefix}*: the compared results include ${kind}`, kinds[kind] === true,
      Object.keys(kinds));
  }
  const unknown = await callTool(gateway, `${prefix}no-such-tool`, {});
  check(`callTool ${prefix}no-such-tool fails`, unknown.error !== undefined
    || unknown.isError === true, unknown);
}

async function bearer(gatewayUrl, directUrl, token, prefixList) {
  const gateway = await connect(gatewayUrl, {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  pass('connected to gestaltd /mcp with a bearer token');
  const direct = await connect(directUrl);
  pass('connected to server-everything directly');

  const gatewayTools = await allTools(gateway.client);
  const directTools = await allTools(direct.client);
  const names = gatewayTools.map((tool) => tool.name);
  check('tools/list has the REST app tools (bin_*)', names.includes('bin_anything'), names);
  check('server-everything lists tools', directTools.length >= 5, directTools.map((t) => t.name));
  for (const prefix of prefixList.split(',')) {
    await compareWithDirect(gateway.client, gatewayTools, direct.client, directTools, prefix);
  }

  const rest = await callTool(gateway.client, 'bin_anything', { message: 'hi there' });
  let echoed;
  try {
    echoed = JSON.parse(rest.content?.[0]?.text ?? 'null');
  } catch {
    echoed = null;
  }
  check('callTool bin_anything reaches httpbin with the argument',
    rest.isError !== true && echoed?.args?.message === 'hi there' && echoed?.method === 'GET', rest);
  const failed = await callTool(gateway.client, 'bin_status', { code: '418' });
  check('callTool bin_status 418: an isError result with the upstream body',
    failed.isError === true
      && (failed.content ?? []).some((c) => /teapot|418/.test(c.text ?? '')), failed);

  await gateway.client.close();
  await direct.client.close();
}

// The browser: follows redirects by hand, keeping the cookies that `origin` sets.
function unescapeHtml(text) {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

async function browse(start, origin, stopAt) {
  const jar = new Map();
  const hops = [];
  let url = new URL(start);
  let form;
  let consentPages = 0;
  for (let hop = 0; hop < 12; hop++) {
    if (url.href.startsWith(stopAt)) return { url, hops, consentPages };
    const headers = {};
    if (url.origin === origin && jar.size > 0) {
      headers.Cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const response = await fetch(url, {
      redirect: 'manual',
      method: form ? 'POST' : 'GET',
      headers: form ? { ...headers, 'Content-Type': 'application/x-www-form-urlencoded',
        Origin: origin } : headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
    });
    hops.push(`${response.status} ${url.origin === origin ? 'gestaltd' : 'idp'} ` +
      `${form ? 'POST ' : ''}${url.pathname}`);
    form = undefined;
    if (url.origin === origin) {
      for (const cookie of response.headers.getSetCookie()) {
        const [pair, ...attributes] = cookie.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
        if (expired) jar.delete(name);
        else jar.set(name, pair.slice(eq + 1).trim());
      }
    }
    const location = response.headers.get('location');
    if (response.status === 200 && url.origin === origin && url.pathname === '/oauth/authorize') {
      // The consent page: the user presses Approve, which posts the page's one form.
      const page = await response.text();
      const action = /<form[^>]*action="([^"]*)"/.exec(page);
      const ticket = /name="consent" value="([^"]*)"/.exec(page);
      if (!action || !ticket) throw new Error(`consent page without its form: ${page.slice(0, 500)}`);
      form = { consent: unescapeHtml(ticket[1]), decision: 'approve' };
      consentPages += 1;
      url = new URL(unescapeHtml(action[1]), url);
      continue;
    }
    if (![301, 302, 303, 307, 308].includes(response.status) || !location) {
      throw new Error(`browser stopped at ${url.href}: HTTP ${response.status} ` +
        `${(await response.text()).slice(0, 500)} (hops: ${hops.join(' → ')})`);
    }
    url = new URL(location, url);
  }
  throw new Error(`too many redirects: ${hops.join(' → ')}`);
}

class MemoryOAuthProvider {
  constructor(redirectUrl, origin) {
    this._redirectUrl = redirectUrl;
    this._origin = origin;
    this._client = undefined;
    this._tokens = undefined;
    this._verifier = undefined;
    this.expectedState = undefined;
    this.redirects = 0;
    this.code = undefined;
    this.callback = undefined;
    this.hops = [];
  }

  get redirectUrl() {
    return this._redirectUrl;
  }

  get clientMetadata() {
    return {
      client_name: 'gestalt e2e SDK client',
      redirect_uris: [this._redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state() {
    this.expectedState = randomBytes(16).toString('hex');
    return this.expectedState;
  }

  clientInformation() {
    return this._client;
  }

  saveClientInformation(information) {
    this._client = information;
  }

  tokens() {
    return this._tokens;
  }

  saveTokens(tokens) {
    this._tokens = tokens;
  }

  saveCodeVerifier(verifier) {
    this._verifier = verifier;
  }

  codeVerifier() {
    if (!this._verifier) throw new Error('no code verifier saved');
    return this._verifier;
  }

  async redirectToAuthorization(authorizationUrl) {
    this.redirects += 1;
    this.authorizationUrl = new URL(authorizationUrl);
    const { url, hops, consentPages } =
      await browse(authorizationUrl, this._origin, this._redirectUrl);
    this.hops = hops;
    this.consentPages = consentPages;
    this.callback = url;
    this.code = url.searchParams.get('code') ?? undefined;
  }
}

async function oauth(base, redirectPort) {
  const mcpUrl = `${base}/mcp`;
  const origin = new URL(base).origin;
  const provider = new MemoryOAuthProvider(`http://127.0.0.1:${redirectPort}/callback`, origin);

  const first = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
  const firstClient = new Client({ name: 'gestalt-e2e-sdk-client', version: '1.0.0' });
  let thrown;
  try {
    await bounded(firstClient.connect(first, requestOptions), 'unauthenticated connect');
  } catch (error) {
    thrown = error;
  }
  check('connect without a token ends in UnauthorizedError after the browser flow',
    thrown instanceof UnauthorizedError, String(thrown?.stack ?? thrown ?? 'connect succeeded'));
  check('the client registered dynamically (client_id from /oauth/register)',
    typeof provider.clientInformation()?.client_id === 'string', provider.clientInformation());
  const authorizeUrl = provider.authorizationUrl;
  check('the authorization request carries PKCE S256 and the resource',
    authorizeUrl?.searchParams.get('code_challenge_method') === 'S256'
      && authorizeUrl?.searchParams.get('resource') === mcpUrl, authorizeUrl?.href);
  console.log(`INFO browser hops: ${provider.hops.join(' → ')}`);
  check('the browser went through platform login, the identity provider and back',
    provider.hops.some((h) => h.includes('gestaltd /api/v1/auth/login'))
      && provider.hops.some((h) => h.includes('idp '))
      && provider.hops.filter((h) => h.includes('gestaltd /oauth/authorize')).length === 2,
    provider.hops);
  check('the user approved on one consent page, whose form post redirected with the code',
    provider.consentPages === 1
      && provider.hops.some((h) => h.startsWith('302 gestaltd POST /oauth/authorize')),
    provider.hops);
  check('the redirect URI got a code and the same state',
    provider.code !== undefined
      && provider.callback.searchParams.get('state') === provider.expectedState,
    provider.callback?.href);
  check('the redirect names the issuer (RFC 9207 iss)',
    provider.callback?.searchParams.get('iss') === base
      || provider.callback?.searchParams.get('iss') === `${base}/`,
    provider.callback?.href);
  if (provider.code === undefined) return;

  await bounded(first.finishAuth(provider.code), 'finishAuth');
  const tokens = provider.tokens();
  check('finishAuth exchanged the code for tokens',
    typeof tokens?.access_token === 'string' && tokens?.token_type?.toLowerCase() === 'bearer'
      && typeof tokens?.refresh_token === 'string', tokens && { ...tokens, access_token: '…' });
  await firstClient.close().catch(() => {});

  const { client } = await connect(mcpUrl, { authProvider: provider });
  pass('reconnected with the access token');
  const names = (await allTools(client)).map((tool) => tool.name);
  check('listTools after OAuth', names.includes('bin_anything'), names);
  const result = await callTool(client, 'bin_anything', { message: 'via oauth' });
  check('callTool after OAuth', result.isError !== true
    && JSON.parse(result.content?.[0]?.text ?? '{}')?.args?.message === 'via oauth', result);
  await client.close();

  // refresh_token grant with what the provider saved.
  const metadata = await bounded(discoverAuthorizationServerMetadata(base),
    'authorization server metadata');
  check('authorization server metadata found', metadata?.token_endpoint !== undefined, metadata);
  let refreshed;
  try {
    refreshed = await bounded(refreshAuthorization(base, {
      metadata,
      clientInformation: provider.clientInformation(),
      refreshToken: tokens.refresh_token,
      resource: new URL(mcpUrl),
    }), 'refresh');
  } catch (error) {
    fail('refresh_token grant', String(error?.stack ?? error));
    return;
  }
  check('refresh_token grant answers new tokens',
    typeof refreshed.access_token === 'string' && typeof refreshed.refresh_token === 'string'
      && refreshed.refresh_token !== tokens.refresh_token,
    { ...refreshed, access_token: '…', refresh_token: refreshed.refresh_token ? 'new' : 'none' });
  const again = await connect(mcpUrl, {
    requestInit: { headers: { Authorization: `Bearer ${refreshed.access_token}` } },
  });
  const echoed = await callTool(again.client, 'bin_anything', { message: 'refreshed' });
  check('the refreshed access token calls tools', echoed.isError !== true
    && JSON.parse(echoed.content?.[0]?.text ?? '{}')?.args?.message === 'refreshed', echoed);
  await again.client.close();
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'bearer' && args.length === 4) {
    await bearer(...args);
  } else if (mode === 'oauth' && args.length === 2) {
    await oauth(...args);
  } else {
    console.error('usage: mcp-sdk-client.mjs bearer <gateway-url> <direct-url> <token> <prefix,...>\n'
      + '       mcp-sdk-client.mjs oauth <gateway-base-url> <redirect-port>');
    process.exit(2);
  }
}

try {
  await main();
} catch (error) {
  fail('unexpected error', String(error?.stack ?? error));
}
console.log('DONE');
process.exit(failures === 0 ? 0 : 1);
