// Benchmark: webhook deliveries. On the whole system as `npm start` runs it, an in-process HTTPS
// receiver (answering 200 at once, verifying nothing: the bench measures Tandem's side) gets the events
// of BENCH_PARTNERSHIPS partnerships (default 200), recorded through the API (the relay wakes the
// subscriptions' workflows). Live: every pause, to one subscription, as it happens (the lag from each
// event to its delivery). Backlog: every resumption waits while eleven subscriptions are paused; then
// one is resumed, then ten at once (deliveries per second from the resumption to the last delivery).
// Run: npm run bench:webhooks.
process.env.TZ = 'UTC';
process.env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = 'true';

import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startWebhookReceiver } from '../test/support/webhook-receiver.js';
import { connectSql, percentile, say } from './database.js';
import { createPartnerships } from './load.js';
import { withBenchSystem } from './system.js';

const PARTNERSHIPS = Number(process.env.BENCH_PARTNERSHIPS ?? 200);
const AT_ONCE = 16;

const receiver = await startWebhookReceiver();
const caPath = path.join(os.tmpdir(), `tandem-bench-webhooks-ca-${process.pid}.pem`);
await writeFile(caPath, receiver.ca);
process.env.WEBHOOK_CA_PATH = caPath;

// The benchmark is one procedure read top to bottom (seed, measure, report) whose steps share what
// was seeded, so it stays one block (over 100 lines) rather than functions passing it around.
try {
  await withBenchSystem(async (system) => {
    const headers = { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' };
    const api = (method: string, p: string, body?: unknown) =>
      fetch(`${system.apiUrl}${p}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const sql = await connectSql(system.databaseUrl);
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
      const first = await subscribe(['partnership.paused', 'partnership.resumed']);
      const others = await Promise.all(Array.from({ length: 10 }, () => subscribe(['partnership.resumed'])));
      const rows: string[] = [];
      const lagsOf = async (subs: string[], type: string) =>
        (
          await sql.query<{ ms: number }>(
            `SELECT extract(epoch FROM d.delivered_at - e.occurred_at) * 1000 AS ms
             FROM webhook_delivery d JOIN partnership_event e ON e.id = d.event_id
             WHERE d.subscription_id = ANY($1::uuid[]) AND d.type = $2`,
            [subs, type],
          )
        ).rows
          .map((r) => Number(r.ms))
          .sort((a, b) => a - b);
      const act = async (action: 'pause' | 'resume') => {
        let next = 0;
        await Promise.all(
          Array.from({ length: AT_ONCE }, async () => {
            for (let i = next++; i < ids.length; i = next++) {
              const res = await api('POST', `/partnerships/${ids[i]}/${action}`, action === 'pause' ? { reason: 'bench' } : undefined);
              if (res.status !== 200) throw new Error(`${action} ${ids[i]}: ${res.status} ${await res.text()}`);
            }
          }),
        );
      };
      const delivered = async (expected: number, before: number) => {
        for (;;) {
          const got = receiver.accepted().length - before;
          if (got >= expected) return;
          say(`${got} of ${expected} delivered`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      };
      const setStatus = (subs: string[], status: 'active' | 'paused') =>
        Promise.all(subs.map(async (id) => (await api('PATCH', `/webhooks/${id}`, { status })).status));

      // 1. Live: each pause delivered as it happens, to one subscription.
      say(`pausing ${ids.length} partnerships, ${AT_ONCE} requests at a time, one subscription listening`);
      let before = receiver.accepted().length;
      let start = performance.now();
      await act('pause');
      await delivered(ids.length, before);
      let seconds = (performance.now() - start) / 1000;
      const lags = await lagsOf([first], 'partnership.paused');
      rows.push(
        `| live: ${ids.length} pauses as they happen, 1 subscription | ${ids.length} | ${(ids.length / seconds).toFixed(1)} (the pace of the pauses) | ${percentile(lags, 0.5).toFixed(0)} ms | ${percentile(lags, 0.99).toFixed(0)} ms |`,
      );

      // 2. Backlog: the resumptions wait while the subscriptions are paused, then go when they resume.
      await setStatus([first, ...others], 'paused');
      say(`resuming ${ids.length} partnerships while the 11 subscriptions are paused`);
      await act('resume');
      for (;;) {
        const waiting = Number((await sql.query(`SELECT count(*) AS n FROM webhook_delivery WHERE status = 'pending'`)).rows[0]?.n);
        if (waiting >= ids.length * 11) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      for (const [what, subs] of [
        ['backlog, 1 subscription', [first]],
        ['backlog, 10 subscriptions at once', others],
      ] as const) {
        const expected = ids.length * subs.length;
        before = receiver.accepted().length;
        start = performance.now();
        await setStatus([...subs], 'active');
        await delivered(expected, before);
        seconds = (performance.now() - start) / 1000;
        const attempts = (
          await sql.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM webhook_attempt a JOIN webhook_delivery d ON d.id = a.delivery_id WHERE d.subscription_id = ANY($1::uuid[]) AND d.type = $2',
            [subs, 'partnership.resumed'],
          )
        ).rows[0]?.n;
        rows.push(
          `| ${what}: ${expected} waiting, then resumed | ${expected} | ${(expected / seconds).toFixed(1)} | - | - (${attempts} attempts) |`,
        );
      }
      const ids2 = receiver.accepted().map((r) => r.id);
      if (new Set(ids2).size !== ids2.length) throw new Error('a delivery was accepted twice');
      console.log('\n| run | deliveries | per second | lag p50 | lag p99 |\n|---|---:|---:|---:|---:|');
      for (const r of rows) console.log(r);
    } finally {
      await sql.end();
    }
  });
} finally {
  await receiver.stop();
}
