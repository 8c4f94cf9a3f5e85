// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
//
// A real SSE client (the `eventsource` package) reading gestaltd's agent event stream:
//
//   node agent-sse-client.mjs <stream-url> <bearer-token or -> <stop-after-events>
//
// Prints one line per event: `EVENT <seq> <type>`; closes after <stop-after-events> events (0:
// read until the server ends the stream) and prints `END <reason>`. The server ends the stream
// by closing it; EventSource would reconnect then, so a close right after the terminal event is
// taken as the end.
import { EventSource } from 'eventsource';

const [url, token, stopAfterText] = process.argv.slice(2);
if (!url) {
    process.stderr.write('usage: node agent-sse-client.mjs <url> <token|-> <stop-after-events>\n');
    process.exit(2);
}
const stopAfter = Number(stopAfterText ?? 0);
const headers = token && token !== '-' ? { Authorization: `Bearer ${token}` } : {};
const es = new EventSource(url, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers } }),
});
let count = 0;
let last = '';
const timer = setTimeout(() => end('timeout'), 30000);

function end(reason) {
    clearTimeout(timer);
    es.close();
    process.stdout.write(`END ${reason}\n`);
    process.exit(reason === 'timeout' ? 1 : 0);
}

es.onmessage = (message) => {
    const event = JSON.parse(message.data);
    count += 1;
    last = event.type;
    process.stdout.write(`EVENT ${event.seq} ${event.type}\n`);
    if (stopAfter > 0 && count >= stopAfter) {
        end('client-closed');
    }
};
es.onerror = () => {
    // The server closed the stream: finished when the last event was terminal.
    if (['turn.completed', 'turn.failed', 'turn.canceled'].includes(last)) {
        end('server-closed');
    }
};
