// Benchmark: webhook deliveries. On the whole system as `npm start` runs it, an in-process HTTPS
// receiver (answering 200 at once, verifying nothing: the bench measures Tandem's side) gets the events
// of BENCH_PARTNERSHIPS partnerships (default 200): first every pause, to one subscription (its
// deliveries go one at a time, in order); then every resumption, to ten subscriptions at once. Each
// event is recorded through the API; the relay wakes the subscriptions' workflows. Figures: deliveries
// per second from the first request to the last delivery, and the lag from each event to its delivery.
// Run: npm run bench:webhooks.
process.env.TZ = 'UTC';
process.env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = 'true';

import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startWebhookReceiver } from '../test/support/webhook-receiver.js';
import { say } from './database.js';
import { createPartnerships } from './load.js';
import { withBenchSystem } from './system.js';

const PARTNERSHIPS = Number(process.env.BENCH_PARTNERSHIPS ?? 200);
const AT_ONCE = 16;

const receiver = await startWebhookReceiver();
const caPath = path.join(os.tmpdir(), `tandem-bench-webhooks-ca-${process.pid}.pem`);
await writeFile(caPath, receiver.ca);
process.env.WEBHOOK_CA_PATH = caPath;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

try {
  await withBenchSystem(async (system) => {
    const headers = { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' };
    const api = (method: string, p: string, body?: unknown) =>
      fetch(`${system.apiUrl}${p}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const sql = new pg.Client({ connectionString: system.databaseUrl });
    await sql.connect();
    try {
      say(`creating ${PARTNERSHIPS} partnerships`);
      await createPartnerships(system.apiUrl, headers, {
        count: PARTNERSHIPS,
        name: 'Webhooks',
        firstReviewAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        reminderOffsets: ['P1D'],
      });
      const ids = (await sql.query<{ id: string }>('SELECT id FROM partnership ORDER BY created_at')).rows.map((r) => r.id);
      const subscribe = async (events: string[]) => {
        const res = await api('POST', '/webhooks', { url: receiver.url, events });
        if (res.status !== 201) throw new Error(`could not subscribe: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { id: string }).id;
      };
      const pauses = [await subscribe(['partnership.paused'])];
      const resumptions = await Promise.all(Array.from({ length: 10 }, () => subscribe(['partnership.resumed'])));
      const rows: string[] = [];
      for (const [what, action, subs] of [
        ['every pause, to 1 subscription', 'pause', pauses],
        ['every resumption, to 10 subscriptions', 'resume', resumptions],
      ] as const) {
        const expected = ids.length * subs.length;
        const before = receiver.accepted().length;
        say(`${action}: ${ids.length} partnerships, ${AT_ONCE} requests at a time; ${expected} deliveries expected`);
        const start = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: AT_ONCE }, async () => {
            for (let i = next++; i < ids.length; i = next++) {
              const res = await api('POST', `/partnerships/${ids[i]}/${action}`, action === 'pause' ? { reason: 'bench' } : undefined);
              if (res.status !== 200) throw new Error(`${action} ${ids[i]}: ${res.status} ${await res.text()}`);
            }
          }),
        );
        for (;;) {
          const got = receiver.accepted().length - before;
          if (got >= expected) break;
          say(`${got} of ${expected} delivered`);
          await new Promise((r) => setTimeout(r, 1000));
        }
        const seconds = (performance.now() - start) / 1000;
        const lags = (
          await sql.query<{ ms: number }>(
            `SELECT extract(epoch FROM d.delivered_at - e.occurred_at) * 1000 AS ms
             FROM webhook_delivery d JOIN partnership_event e ON e.id = d.event_id WHERE d.subscription_id = ANY($1::uuid[])`,
            [subs],
          )
        ).rows
          .map((r) => Number(r.ms))
          .sort((a, b) => a - b);
        const attempts = (
          await sql.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM webhook_attempt a JOIN webhook_delivery d ON d.id = a.delivery_id WHERE d.subscription_id = ANY($1::uuid[])',
            [subs],
          )
        ).rows[0]?.n;
        rows.push(
          `| ${what} | ${expected} | ${(expected / seconds).toFixed(1)} | ${percentile(lags, 0.5).toFixed(0)} ms | ${percentile(lags, 0.99).toFixed(0)} ms | ${attempts} |`,
        );
      }
      const ids2 = receiver.accepted().map((r) => r.id);
      if (new Set(ids2).size !== ids2.length) throw new Error('a delivery was accepted twice');
      console.log('\n| events | deliveries | per second | lag p50 | lag p99 | attempts |\n|---|---:|---:|---:|---:|---:|');
      for (const r of rows) console.log(r);
    } finally {
      await sql.end();
    }
  });
} finally {
  await receiver.stop();
}
