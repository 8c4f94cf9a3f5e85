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
// GET /_control/stats
//   {"tokenRequests": {"<grant_type>": n}, "total": n, "last": {grantType, contentType, accept,
//    authorization, basicCredentials, body}}  (last token request as received; test secrets only)

import { Events, HttpServer, OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';

const defaults = () => ({
  expiresIn: null,
  expiresInAsString: false,
  rotateRefreshTokens: true,
  omitRefreshToken: false,
  invalidGrant: 'off',
  failRefresh: 'off',
  responseFormat: 'json',
  nestAccessTokenUnder: '',
});

let behaviour = defaults();
let stats = { tokenRequests: {}, total: 0, last: null };

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
};

const issuer = new OAuth2Issuer();
await issuer.keys.generate('RS256');
const service = new OAuth2Service(issuer);

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
  if (behaviour.expiresIn !== null) {
    token.payload.exp = Math.floor(Date.now() / 1000) + behaviour.expiresIn;
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

service.addRoute('POST', '/_control', (req, res) => {
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
    stats = { tokenRequests: {}, total: 0, last: null };
  }
  for (const [key, value] of Object.entries(update)) {
    if (key !== 'reset') behaviour[key] = value;
  }
  sendJson(res, 200, { behaviour });
});

service.addRoute('GET', '/_control/stats', (_req, res) => {
  sendJson(res, 200, stats);
});

// Re-encodes a flagged token answer as application/x-www-form-urlencoded.
function handle(req, res) {
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
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
