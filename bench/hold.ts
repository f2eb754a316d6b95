// Benchmark: holding BENCH_PARTNERSHIPS active partnerships (default 10,000), each with 5 members, 3
// open commitments and an evidence request (5 open workflows each), all created through the API (8
// clients at once), on the whole system as `npm start` runs it (TEMPORAL_SERVER=postgres for the
// Temporal server on PostgreSQL). Reports the creation rates; the first reviews' reminders, spread
// over BENCH_SPREAD_SECONDS after creation, and how late each copy went out; then, once everything is
// quiet, the memory and CPU of the API and worker process, of the Temporal server and of PostgreSQL
// over a minute, and the databases' sizes. Run: npm run bench:hold; figures in BENCHMARKS.md.
process.env.TZ = 'UTC';

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { connectSql, say } from './database.js';
import { createHoldings, type LoadResult } from './load.js';
import { processTree, serverPids, systemCpu } from './processes.js';
import { withBenchSystem } from './system.js';

const PARTNERSHIPS = Number(process.env.BENCH_PARTNERSHIPS ?? 10_000);
const SPREAD_S = Number(process.env.BENCH_SPREAD_SECONDS ?? 300);
/** Seconds allowed for creating the partnerships before their reminders start to fall due. */
const CREATE_BUDGET_S = Number(process.env.BENCH_CREATE_BUDGET_SECONDS ?? Math.ceil(PARTNERSHIPS / 10) + 120);
const IDLE_S = 60;
const MEMBERS = 5;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const rate = (r: LoadResult) => `${r.perSecond.toFixed(1)}/s (p99 ${r.p99} ms)`;

// The benchmark is one procedure read top to bottom (seed, measure, report) whose steps share what
// was seeded, so it stays one block (over 100 lines) rather than functions passing it around.
await withBenchSystem(async (system, dir) => {
  const headers = { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' };
  const sql = await connectSql(system.databaseUrl);
  try {
    const created = Date.now();
    // One review instant for all; partnership n is reminded at remindFrom + n/N × SPREAD_S.
    const remindFrom = created + CREATE_BUDGET_S * 1000;
    const reviewAt = remindFrom + (SPREAD_S + 600) * 1000;
    say(`creating ${PARTNERSHIPS} partnerships; their reminders fall due from ${CREATE_BUDGET_S} s from now, over ${SPREAD_S} s`);
    const { partnerships, commitments, evidence } = await createHoldings(
      system.apiUrl,
      headers,
      sql,
      {
        count: PARTNERSHIPS,
        name: 'Hold',
        firstReviewAt: new Date(reviewAt).toISOString(),
        reminderOffsets: ['PT{{spread}}S'],
        spread: { from: SPREAD_S + 600, to: 600 },
      },
      (what, r) => {
        say(`${what}: ${rate(r)}`);
        // A reminder already past when its partnership's workflow plans it is skipped, by design.
        if (what === 'partnerships' && Date.now() > remindFrom)
          say(`the partnerships took longer than the ${CREATE_BUDGET_S} s budget: the first reminders were skipped`);
      },
      say,
    );
    const createdIn = (Date.now() - created) / 1000;

    const copies = PARTNERSHIPS * MEMBERS;
    const sentReminders = async () =>
      Number((await sql.query(`SELECT count(*) FROM email_outbox WHERE template = 'review-reminder' AND status = 'sent'`)).rows[0].count);
    const giveUp = remindFrom + (SPREAD_S + 300) * 1000;
    for (let sent = await sentReminders(); sent < copies && Date.now() < giveUp; sent = await sentReminders()) {
      say(`reminders: ${sent} of ${copies} sent`);
      await new Promise((r) => setTimeout(r, 15_000));
    }
    const lateness = (
      await sql.query(
        `SELECT extract(epoch FROM sent_at - due_at) AS late FROM email_outbox WHERE template = 'review-reminder' AND status = 'sent' ORDER BY 1`,
      )
    ).rows.map((r) => Number(r.late));
    const q = (p: number) => lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))] ?? Number.NaN;

    // Quiet: nothing falls due before the review instant. Wait until the last reminders' work is done
    // (the three together under 5 % of a core over 10 s; at the latest, a minute and a half before
    // the review instant), then measure a minute.
    const pids = await serverPids(dir);
    const settling = Date.now();
    const quietBy = reviewAt - (IDLE_S + 90) * 1000;
    for (let last = await systemCpu(pids); ; ) {
      await new Promise((r) => setTimeout(r, 10_000));
      const now = await systemCpu(pids);
      const busy = (now.own - last.own + now.temporal - last.temporal + now.postgres - last.postgres) / 10;
      last = now;
      if (busy < 0.05 || Date.now() > quietBy) break;
      say(`settling: ${(busy * 100).toFixed(0)} % of a core busy (API and worker, Temporal, PostgreSQL together)`);
    }
    const settledIn = (Date.now() - settling) / 1000;
    const before = await systemCpu(pids);
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const after = await systemCpu(pids);
    const postgres = await processTree(pids.postgres);
    const temporal = await processTree(pids.temporal);
    const cpu = (a: number, b: number) => `${(((b - a) / IDLE_S) * 100).toFixed(1)} %`;

    const size = async (db: string) => Number((await sql.query('SELECT pg_database_size($1) AS n', [db])).rows[0].n);
    const tandemSize = await size('tandem');
    const temporalSize =
      process.env.TEMPORAL_SERVER === 'postgres'
        ? (await size('temporal')) + (await size('temporal_visibility'))
        : (await stat(path.join(dir, 'temporal', 'temporal.db'))).size +
          (await stat(path.join(dir, 'temporal', 'temporal.db-wal')).catch(() => ({ size: 0 }))).size;
    const open = Number(
      (
        await sql.query(
          `SELECT (SELECT count(*) FROM partnership WHERE status = 'active') + (SELECT count(*) FROM commitment WHERE status = 'open')
                + (SELECT count(*) FROM evidence_request WHERE status = 'open') AS n`,
        )
      ).rows[0].n,
    );

    console.log(`\n| Holding ${PARTNERSHIPS} partnerships (${open} open partnerships, commitments and evidence requests) | |\n|---|---:|`);
    console.log(`| partnerships created through the API, 8 clients | ${rate(partnerships)} |`);
    console.log(`| commitments created | ${rate(commitments)} |`);
    console.log(`| evidence requests created | ${rate(evidence)} |`);
    console.log(`| everything created in | ${createdIn.toFixed(0)} s |`);
    console.log(
      `| first reviews' reminders sent (of ${copies}), lateness p50 / p99 / max | ${lateness.length}: ${q(0.5).toFixed(1)} / ${q(0.99).toFixed(1)} / ${q(1).toFixed(1)} s |`,
    );
    console.log(`| quiet (under 5 % of a core) after the last reminder | ${settledIn.toFixed(0)} s |`);
    const memory = process.memoryUsage();
    console.log(
      `| API and worker process: RSS (V8 heap), CPU while idle | ${mib(memory.rss)} (${mib(memory.heapUsed)}), ${cpu(before.own, after.own)} |`,
    );
    console.log(
      `| Temporal ${process.env.TEMPORAL_SERVER === 'postgres' ? 'server' : 'dev server'}: PSS, CPU while idle | ${mib(temporal.pssBytes)}, ${cpu(before.temporal, after.temporal)} |`,
    );
    console.log(
      `| PostgreSQL (${postgres.processes} processes): PSS, CPU while idle | ${mib(postgres.pssBytes)}, ${cpu(before.postgres, after.postgres)} |`,
    );
    console.log(`| Tandem's database | ${mib(tandemSize)} |`);
    console.log(`| Temporal's ${process.env.TEMPORAL_SERVER === 'postgres' ? 'databases' : 'SQLite file'} | ${mib(temporalSize)} |`);
  } finally {
    await sql.end();
  }
});
