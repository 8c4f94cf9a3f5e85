// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
//
// A fake OpenAI chat-completions server for the tests (no model runs here). It speaks the real
// wire format: POST <any prefix>/chat/completions, answered as `chat.completion.chunk` SSE events
// ended by `data: [DONE]` when the request says stream: true, else one `chat.completion`.
// Node's standard library only.
//
//   node openai-fake.mjs <port>      (0: any free port)
//
// First stdout line: "listening <port>" (the tests/support/NodePeer protocol). Stops on SIGTERM
// / SIGINT or when stdin closes.
//
// With FAKE_OPENAI_KEY set, every chat request must carry "Authorization: Bearer <key>"; else 401
// with the real API's error shape, whose message quotes the key that was sent (the real API
// masks most of it; quoting it whole lets a test prove the client keeps it out of its errors).
//
// The answer depends on the conversation:
//   last message is a `tool` message   → text "Tool said: <its content>"
// otherwise on the content of the last `user` message:
//   contains "fail-401"                → HTTP 401 {"error":{"message":"Incorrect API key provided",
//                                        "type":"invalid_request_error"}}
//   contains "hang"                    → 200 headers and the role chunk, then silence
//   contains "stream-error"            → one text chunk, then a chunk {"error":{...}} and the end
//   contains "cut-off"                 → text chunks, then the end: no finish_reason, no [DONE]
//   contains "huge"                    → about 17 MiB of text in 64 KiB deltas
//   contains "reasoning"               → reasoning_content deltas, then "Echo: <text>"
//   contains "json-answer" and the request has a response_format
//                                      → the content {"summary":"ok"}, cut into several deltas
//   contains "call-tool:<name>" (once or more) with that tool offered
//                                      → one tool call per mention, each with the arguments
//                                        {"city":"Berlin","days":3} cut into several deltas,
//                                        finish_reason "tool_calls"
//   contains "bad-arguments:<name>"    → a call of <name> whose arguments are not JSON
//   anything else                      → text "Echo: <content>" cut into several deltas
// When the last user message also contains "no-stream" (or the request did not ask for
// stream: true), the same answer comes as one chat.completion (Content-Type application/json),
// as from servers that ignore `stream`.
// A streamed answer is: a role chunk, the deltas, a chunk with finish_reason, a usage chunk
// (when stream_options.include_usage), then data: [DONE]. Events are written one by one, some
// cut in two writes, so a client must parse incrementally.
//
// Control endpoints:
//   GET  /requests   the JSON array of chat request bodies received, oldest first
//   GET  /headers    for each of them {path, authorization, organization, contentType, accept,
//                    extra: {x-*: value}}
//   POST /reset      forgets both

import http from 'node:http';

const requiredKey = process.env.FAKE_OPENAI_KEY ?? '';
let requests = [];
let headers = [];
let counter = 0;

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function textOf(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => part?.text ?? '').join('');
  return '';
}

// Word-sized pieces ("Echo: ", "hello ", "world"), like tokens.
function pieces(text) {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

// Fixed-size pieces (for JSON, which has few spaces).
function slices(text, size) {
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function plan(body) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last = messages[messages.length - 1] ?? {};
  if (last.role === 'tool') return { kind: 'text', text: `Tool said: ${textOf(last.content)}` };
  const user = [...messages].reverse().find((m) => m.role === 'user');
  const text = textOf(user?.content);
  const offered = (body.tools ?? []).map((t) => t?.function?.name);
  if (text.includes('fail-401')) return { kind: 'fail-401' };
  if (text.includes('hang')) return { kind: 'hang' };
  if (text.includes('stream-error')) return { kind: 'stream-error' };
  if (text.includes('cut-off')) return { kind: 'cut-off', text: `Echo: ${text}` };
  if (text.includes('huge')) return { kind: 'text', text: 'x'.repeat(17 * 1024 * 1024 + 1), size: 64 * 1024 };
  if (text.includes('reasoning')) return { kind: 'text', text: `Echo: ${text}`, reasoning: 'Let me think. The user wants an echo.' };
  if (text.includes('json-answer') && body.response_format) return { kind: 'text', text: '{"summary":"ok"}', json: true };
  const bad = /bad-arguments:([A-Za-z0-9_.-]+)/.exec(text);
  if (bad) return { kind: 'tools', calls: [{ name: bad[1], arguments: '{"city": "Berl' }] };
  const wanted = [...text.matchAll(/call-tool:([A-Za-z0-9_.-]+)/g)].map((m) => m[1]);
  if (wanted.length > 0 && wanted.every((name) => offered.includes(name))) {
    return { kind: 'tools', calls: wanted.map((name) => ({ name, arguments: '{"city":"Berlin","days":3}' })) };
  }
  return { kind: 'text', text: `Echo: ${text}` };
}

async function stream(res, body, p) {
  const id = `chatcmpl-fake${++counter}`;
  const created = Math.floor(Date.now() / 1000);
  const model = body.model;
  const chunk = (delta, finish = null) => ({
    id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  let split = false;
  const send = async (value) => {
    if (res.destroyed) throw new Error('the client went away');
    const event = `data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`;
    split = !split;
    if (split && event.length > 8) { // every other event arrives in two writes
      res.write(event.slice(0, 7));
      await pause(2);
      res.write(event.slice(7));
    } else {
      res.write(event);
    }
    await pause(2);
  };
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.write(': keep-alive comment\n\n');

  if (p.kind === 'tools') {
    for (let index = 0; index < p.calls.length; ++index) {
      const call = p.calls[index];
      const first = { index, id: `call_fake${counter}_${index}`, type: 'function', function: { name: call.name, arguments: '' } };
      await send(chunk(index === 0 ? { role: 'assistant', content: null, tool_calls: [first] } : { tool_calls: [first] }));
      for (const part of slices(call.arguments, 5)) {
        await send(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
      }
    }
    await send(chunk({}, 'tool_calls'));
  } else {
    await send(chunk({ role: 'assistant', content: '', refusal: null }));
    if (p.kind === 'hang') return; // the response stays open
    if (p.kind === 'stream-error') {
      await send(chunk({ content: 'Partial ' }));
      await send({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } });
      res.end();
      return;
    }
    for (const part of slices(p.reasoning ?? '', 12)) {
      await send(chunk({ reasoning_content: part }));
    }
    for (const part of p.size ? slices(p.text, p.size) : p.json ? slices(p.text, 5) : pieces(p.text)) {
      await send(chunk({ content: part }));
    }
    if (p.kind === 'cut-off') {
      res.end();
      return;
    }
    await send(chunk({}, 'stop'));
  }
  if (body.stream_options?.include_usage) {
    await send({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices: [],
                 usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
  }
  await send('[DONE]');
  res.end();
}

function whole(res, body, p) {
  const message = { role: 'assistant', content: null, refusal: null };
  if (p.kind === 'tools') {
    message.tool_calls = p.calls.map((call, index) => ({
      id: `call_fake${counter}_${index}`, type: 'function', function: { name: call.name, arguments: call.arguments },
    }));
  } else {
    message.content = p.text;
  }
  sendJson(res, 200, {
    id: `chatcmpl-fake${++counter}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000),
    model: body.model, system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message, logprobs: null, finish_reason: p.kind === 'tools' ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  });
}

async function chat(req, res, raw) {
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    sendJson(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error' } });
    return;
  }
  requests.push(body);
  const extra = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-')) extra[name] = value;
  }
  headers.push({
    path: req.url, authorization: req.headers.authorization ?? null,
    organization: req.headers['openai-organization'] ?? null,
    contentType: req.headers['content-type'] ?? null, accept: req.headers.accept ?? null, extra,
  });
  const sent = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  if (requiredKey !== '' && sent !== requiredKey) {
    sendJson(res, 401, { error: { message: `Incorrect API key provided: ${sent}. You can find your API key at https://platform.openai.com/account/api-keys.`,
                                  type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    return;
  }
  const p = plan(body);
  const user = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  if (p.kind === 'fail-401') {
    sendJson(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
  } else if (textOf(user?.content).includes('no-stream') || body.stream !== true) {
    whole(res, body, p);
  } else {
    await stream(res, body, p);
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const path = new URL(req.url, 'http://fake').pathname;
    if (req.method === 'GET' && path === '/requests') {
      sendJson(res, 200, requests);
    } else if (req.method === 'GET' && path === '/headers') {
      sendJson(res, 200, headers);
    } else if (req.method === 'POST' && path === '/reset') {
      requests = [];
      headers = [];
      sendJson(res, 200, { ok: true });
    } else if (req.method === 'POST' && path.endsWith('/chat/completions')) {
      res.on('error', () => {}); // a client that went away
      chat(req, res, Buffer.concat(chunks).toString('utf8')).catch(() => res.destroy());
    } else {
      sendJson(res, 404, { error: { message: `Unknown request URL: ${req.method} ${path}`, type: 'invalid_request_error' } });
    }
  });
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test process holds our stdin; when it dies without killing us, stop as well.
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
