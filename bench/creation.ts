// Benchmark: creating what people set up, through the API (8 clients at once), on the whole system
// as `npm start` runs it (TEMPORAL_SERVER=postgres for the Temporal server on PostgreSQL):
// BENCH_PARTNERSHIPS partnerships (default 1,000) of 5 members sharing one district and one partner,
// as a cohort's do, then 3 commitments and an evidence request in each. For each kind: the rate, and
// the CPU time one item costs the API-and-worker process, the Temporal server and PostgreSQL (on a
// machine with few cores, their sum is what limits the rate). The creation half of bench:hold, short
// enough to measure a change before and after. Run: npm run bench:creation; figures in BENCHMARKS.md.
process.env.TZ = 'UTC';

import { connectSql, say } from './database.js';
import { createHoldings, type LoadResult } from './load.js';
import { cpuPerItem, serverPids, systemCpu } from './processes.js';
import { withBenchSystem } from './system.js';

const PARTNERSHIPS = Number(process.env.BENCH_PARTNERSHIPS ?? 1_000);

const rate = (r: LoadResult) => `${r.perSecond.toFixed(1)}/s (p50 ${r.p50} ms, p99 ${r.p99} ms)`;

await withBenchSystem(async (system, dir) => {
  const headers = { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' };
  const sql = await connectSql(system.databaseUrl);
  try {
    const pids = await serverPids(dir);
    const rows: string[] = [];
    let before = await systemCpu(pids);
    say(`creating ${PARTNERSHIPS} partnerships, ${3 * PARTNERSHIPS} commitments, ${PARTNERSHIPS} evidence requests`);
    // Reviews a year away: nothing falls due while the benchmark runs.
    const firstReviewAt = new Date(Date.now() + 365 * 86_400_000).toISOString();
    await createHoldings(
      system.apiUrl,
      headers,
      sql,
      { count: PARTNERSHIPS, name: 'Create', firstReviewAt, reminderOffsets: ['P7D'] },
      async (what, r) => {
        // The work a creation starts (the first activities, the invitations) may outlast its answer.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const after = await systemCpu(pids);
        const ms = cpuPerItem(before, after, r.requests, 1);
        say(`${what}: ${rate(r)}`);
        rows.push(`| ${what} | ${rate(r)} | ${ms.own} / ${ms.temporal} / ${ms.postgres} ms |`);
        before = await systemCpu(pids);
      },
      say,
    );
    console.log(
      `\n| Created through the API, 8 clients (${PARTNERSHIPS} partnerships of 5 members) | per second (p50, p99) | CPU per item: API and worker / Temporal / PostgreSQL |\n|---|---:|---:|`,
    );
    for (const row of rows) console.log(row);
  } finally {
    await sql.end();
  }
});
