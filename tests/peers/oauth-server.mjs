// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
//
// A real OAuth 2.0 authorization server for the tests: oauth2-mock-server in library mode on
// 127.0.0.1, plus a control endpoint that steers it through the library's hooks.
//
//   node oauth-server.mjs <port>      (0: any free port)
//
// First stdout line: "listening <port>". Stops on SIGTERM / SIGINT or when stdin closes.
//
// The mock auto-approves GET /authorize (302 to redirect_uri with code and state) and answers
// POST /token for authorization_code, refresh_token and client_credentials.
//
// POST /_control  (JSON; every key optional, unknown keys are refused with 400)
//   reset: true                  behaviours back to the defaults below, counters to zero
//   expiresIn: n | null          expires_in of the next tokens (null: the library's 3600)
//   expiresInAsString: bool      send expires_in as a numeric string
//   rotateRefreshTokens: bool    refresh answers carry a new refresh_token (default true)
//   omitRefreshToken: bool       no refresh_token in any answer (default false)
//   invalidGrant: "off" | "next" | "all"   refresh_token grants get 400 {"error":"invalid_grant"}
//   failRefresh: "off" | "next" | "all"    refresh_token grants get 503 temporarily_unavailable
//   responseFormat: "json" | "form"        token answers as JSON or form-encoded (GitHub style)
//   nestAccessTokenUnder: "" | name        move access_token etc. into {name: {...}} (Slack style)
//   OpenID Connect (the ID token of authorization_code / refresh_token answers; the mock already
//   copies the authorize request's nonce into it and sets aud to the client id):
//   idTokenClaims: {...}         merged into every ID token (replaces the previous setting); a
//                                null value deletes the claim
//                                (e.g. {"email":"a@b.test","email_verified":false,"aud":"x"})
//   idTokenExpiresIn: n | null   ID token exp = now + n seconds (may be negative: expired)
//   rotateKeys: "RS256" | "ES256"  action: sign with a new key (new kid) from now on and publish
//                                only that key in /jwks (reset: back to the first key)
//   forgeSignature: bool         sign with a key that carries the published kid but is not the
//                                published key (signatures must fail)
//   jwksResponse: "normal" | "redirectSameHost" | "redirectOtherHost" | "oversize"
//                                GET /jwks answers 302 to /jwks on this server, 302 to the same
//                                server under another host name (localhost), or 300 KB of JSON
//   discoveryOverrides: {...}    string members replacing those of the discovery document
//                                (e.g. {"jwks_uri": "http://localhost:<port>/jwks"})
// POST /_control answers {"behaviour": {...}, "signingKid": "<kid>"}.
// GET /_control/stats
//   {"tokenRequests": {"<grant_type>": n}, "total": n, "last": {grantType, contentType, accept,
//    authorization, basicCredentials, body}, "discoveryRequests": n, "jwksRequests": n}
//   (last token request as received; test secrets only)

import { Events, HttpServer, JWKStore, OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';

const defaults = () => ({
  expiresIn: null,
  expiresInAsString: false,
  rotateRefreshTokens: true,
  omitRefreshToken: false,
  invalidGrant: 'off',
  failRefresh: 'off',
  responseFormat: 'json',
  nestAccessTokenUnder: '',
  idTokenClaims: {},
  idTokenExpiresIn: null,
  forgeSignature: false,
  jwksResponse: 'normal',
  discoveryOverrides: {},
});

const emptyStats = () => ({
  tokenRequests: {},
  total: 0,
  last: null,
  discoveryRequests: 0,
  jwksRequests: 0,
});

let behaviour = defaults();
let stats = emptyStats();

const modes = ['off', 'next', 'all'];
const validators = {
  reset: (v) => typeof v === 'boolean',
  expiresIn: (v) => v === null || (Number.isInteger(v) && v >= 0),
  expiresInAsString: (v) => typeof v === 'boolean',
  rotateRefreshTokens: (v) => typeof v === 'boolean',
  omitRefreshToken: (v) => typeof v === 'boolean',
  invalidGrant: (v) => modes.includes(v),
  failRefresh: (v) => modes.includes(v),
  responseFormat: (v) => v === 'json' || v === 'form',
  nestAccessTokenUnder: (v) => typeof v === 'string',
  idTokenClaims: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  idTokenExpiresIn: (v) => v === null || Number.isInteger(v),
  rotateKeys: (v) => v === 'RS256' || v === 'ES256',
  forgeSignature: (v) => typeof v === 'boolean',
  jwksResponse: (v) => ['normal', 'redirectSameHost', 'redirectOtherHost', 'oversize'].includes(v),
  discoveryOverrides: (v) =>
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === 'string'),
};
// Actions rather than settings: not kept in `behaviour`.
const actions = new Set(['reset', 'rotateKeys']);

const issuer = new OAuth2Issuer();
const service = new OAuth2Service(issuer);

// Key rotation on top of the library's key store: every key stays in the store, but tokens are
// signed with `signingKid` only and /jwks publishes only `publishedKids`.
const store = issuer.keys;
const firstKey = await store.generate('RS256');
let signingKid = firstKey.kid;
let publishedKids = new Set([firstKey.kid]);
let forgedKey = null; // same kid as the signing key, other key material
const storeGet = store.get.bind(store);
const storeToJSON = store.toJSON.bind(store);
store.get = (kid) => {
  if (behaviour.forgeSignature && forgedKey !== null) return forgedKey;
  return storeGet(kid ?? signingKid);
};
store.toJSON = (includePrivateFields) =>
  storeToJSON(includePrivateFields).filter((key) => publishedKids.has(key.kid));

async function rotateKeys(alg) {
  const key = await store.generate(alg);
  signingKid = key.kid;
  publishedKids = new Set([key.kid]);
}

async function prepareForgery() {
  const alg = storeGet(signingKid).alg;
  forgedKey = await new JWKStore().generate(alg, { kid: signingKid });
}

// Access tokens carry `scope` (the library always sets it); ID tokens do not.
const isIdToken = (payload) => !('scope' in payload);

// Answers with a form-encoded body (request flagged in beforeResponse).
const formResponses = new WeakSet();

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

// Token lifetime of the signed JWT follows expiresIn too.
service.on(Events.BeforeTokenSigning, (token) => {
  const now = Math.floor(Date.now() / 1000);
  if (behaviour.expiresIn !== null) {
    token.payload.exp = now + behaviour.expiresIn;
  }
  if (!isIdToken(token.payload)) return;
  if (behaviour.idTokenExpiresIn !== null) {
    token.payload.exp = now + behaviour.idTokenExpiresIn;
  }
  for (const [claim, value] of Object.entries(behaviour.idTokenClaims)) {
    if (value === null) delete token.payload[claim];
    else token.payload[claim] = value;
  }
});

service.on(Events.BeforeResponse, (response, req) => {
  const body = req.body ?? {};
  const grantType = String(body.grant_type ?? '');
  stats.tokenRequests[grantType] = (stats.tokenRequests[grantType] ?? 0) + 1;
  stats.total += 1;
  const authorization = req.headers.authorization ?? '';
  let basicCredentials = null;
  if (authorization.startsWith('Basic ')) {
    basicCredentials = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
  }
  stats.last = {
    grantType,
    contentType: req.headers['content-type'] ?? '',
    accept: req.headers.accept ?? '',
    authorization,
    basicCredentials,
    body,
  };

  if (grantType === 'refresh_token') {
    if (behaviour.invalidGrant !== 'off') {
      if (behaviour.invalidGrant === 'next') behaviour.invalidGrant = 'off';
      response.statusCode = 400;
      response.body = { error: 'invalid_grant', error_description: 'refresh token revoked' };
      return;
    }
    if (behaviour.failRefresh !== 'off') {
      if (behaviour.failRefresh === 'next') behaviour.failRefresh = 'off';
      response.statusCode = 503;
      response.body = { error: 'temporarily_unavailable' };
      return;
    }
    if (!behaviour.rotateRefreshTokens) delete response.body.refresh_token;
  }
  if (behaviour.omitRefreshToken) delete response.body.refresh_token;
  if (behaviour.expiresIn !== null) response.body.expires_in = behaviour.expiresIn;
  if (behaviour.expiresInAsString && response.body.expires_in !== undefined) {
    response.body.expires_in = String(response.body.expires_in);
  }
  if (behaviour.nestAccessTokenUnder) {
    const nested = {};
    for (const key of ['access_token', 'refresh_token', 'expires_in', 'token_type']) {
      if (key in response.body) {
        nested[key] = response.body[key];
        delete response.body[key];
      }
    }
    response.body[behaviour.nestAccessTokenUnder] = nested;
  }
  if (behaviour.responseFormat === 'form') formResponses.add(req);
});

service.addRoute('POST', '/_control', async (req, res) => {
  const update = req.body;
  if (update === null || typeof update !== 'object' || Array.isArray(update)) {
    sendJson(res, 400, { error: 'expected a JSON object' });
    return;
  }
  for (const [key, value] of Object.entries(update)) {
    const valid = validators[key];
    if (!valid || !valid(value)) {
      sendJson(res, 400, { error: `bad control key or value: ${key}` });
      return;
    }
  }
  if (update.reset) {
    behaviour = defaults();
    stats = emptyStats();
    signingKid = firstKey.kid;
    publishedKids = new Set([firstKey.kid]);
    forgedKey = null;
  }
  if (update.rotateKeys) await rotateKeys(update.rotateKeys);
  for (const [key, value] of Object.entries(update)) {
    if (!actions.has(key)) behaviour[key] = value;
  }
  if (behaviour.forgeSignature && (forgedKey === null || forgedKey.kid !== signingKid)) {
    await prepareForgery();
  }
  sendJson(res, 200, { behaviour, signingKid });
});

service.addRoute('GET', '/_control/stats', (_req, res) => {
  sendJson(res, 200, stats);
});

function answerJwksSpecially(res) {
  const port = server.address().port;
  switch (behaviour.jwksResponse) {
    case 'redirectSameHost':
    case 'redirectOtherHost': {
      const host = behaviour.jwksResponse === 'redirectSameHost' ? '127.0.0.1' : 'localhost';
      res.statusCode = 302;
      res.setHeader('Location', `http://${host}:${port}/jwks?moved=1`);
      res.end();
      return true;
    }
    case 'oversize':
      sendJson(res, 200, { keys: store.toJSON(), padding: 'x'.repeat(300 * 1024) });
      return true;
    default:
      return false;
  }
}

// Re-encodes a flagged token answer as application/x-www-form-urlencoded.
function handle(req, res) {
  if (req.method === 'GET') {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/.well-known/openid-configuration') stats.discoveryRequests += 1;
    if (url.pathname === '/jwks' && !url.searchParams.has('moved')) {
      stats.jwksRequests += 1;
      if (answerJwksSpecially(res)) return;
    }
  }
  const end = res.end.bind(res);
  const isDiscovery =
    req.method === 'GET' && (req.url ?? '').startsWith('/.well-known/openid-configuration');
  res.end = (chunk, ...rest) => {
    if (
      isDiscovery &&
      Object.keys(behaviour.discoveryOverrides).length > 0 &&
      chunk !== undefined &&
      !res.headersSent
    ) {
      const object = JSON.parse(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : chunk);
      const text = JSON.stringify({ ...object, ...behaviour.discoveryOverrides });
      res.setHeader('Content-Length', Buffer.byteLength(text));
      return end(text);
    }
    if (formResponses.has(req) && chunk !== undefined && !res.headersSent) {
      const object = JSON.parse(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : chunk);
      const form = new URLSearchParams();
      for (const [key, value] of Object.entries(object)) {
        form.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
      }
      const text = form.toString();
      res.setHeader('Content-Type', 'application/x-www-form-urlencoded; charset=utf-8');
      res.setHeader('Content-Length', Buffer.byteLength(text));
      return end(text);
    }
    return end(chunk, ...rest);
  };
  service.requestHandler(req, res);
}

const port = Number.parseInt(process.argv[2] ?? '0', 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`usage: oauth-server.mjs <port>  (got ${process.argv[2]})`);
  process.exit(2);
}

const server = new HttpServer(handle);
await server.start(port, '127.0.0.1');
const actual = server.address().port;
issuer.url = `http://127.0.0.1:${actual}`;
process.stdout.write(`listening ${actual}\n`);

const stop = async () => {
  try {
    await server.stop();
  } finally {
    process.exit(0);
  }
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test process holds our stdin; when it dies without killing us, stop as well.
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
