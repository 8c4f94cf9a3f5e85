// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
//
// The reference side of tst_cron's differential test: croner (an independent cron
// implementation) computes the next firing instants of each case.
//
//   node cron-reference.mjs <cases.jsonl>
//
// Each input line is {"expr": "...", "zone": "Europe/Berlin", "start": "2026-03-08T05:00:00.000Z",
// "count": 5}. Each output line, in the same order, is {"runs": ["<ISO UTC>", ...]} or
// {"error": "<message>"} when croner rejects the expression.
import { readFileSync } from 'node:fs';
import { Cron } from 'croner';

const file = process.argv[2];
if (!file) {
    process.stderr.write('usage: node cron-reference.mjs <cases.jsonl>\n');
    process.exit(2);
}

const out = [];
for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') {
        continue;
    }
    const { expr, zone, start, count } = JSON.parse(line);
    try {
        const cron = new Cron(expr, {
            timezone: zone,
            paused: true,        // never schedule a timer: we only ask for nextRuns()
            domAndDow: false,    // Vixie day matching: DOM OR DOW (the old legacyMode: true)
            mode: '5-part',      // exactly minute hour day-of-month month day-of-week
            sloppyRanges: true,  // accept `a/n`, which croner otherwise rejects
        });
        out.push(JSON.stringify({ runs: cron.nextRuns(count, new Date(start)).map((d) => d.toISOString()) }));
    } catch (error) {
        out.push(JSON.stringify({ error: String(error?.message ?? error) }));
    }
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
