// Benchmark: the API under load, on the whole system as `npm start` runs it (TEMPORAL_SERVER=postgres
// for the Temporal server on PostgreSQL). BENCH_PARTNERSHIPS partnerships (default 1,000; 5 members,
// 3 commitments each, a third of them overdue) are created through the API by 8 clients at once (the
// creation rate is reported); then, at 50 connections for BENCH_SECONDS each (default 10): GET one
// partnership, GET a different partnership each time, the overdue-commitments report, and POST an
// outcome (a different review each time; a fifth of them, at most 100, then from one connection), beside an Express hello-world on the same machine in the
// same run. autocannon runs in a process of its own. Run: npm run bench:api; figures in BENCHMARKS.md.
process.env.TZ = 'UTC';

import pg from 'pg';
import { say } from './database.js';
import { createPartnerships, helloWorld, type LoadResult, load } from './load.js';
import { withBenchSystem } from './system.js';

const PARTNERSHIPS = Number(process.env.BENCH_PARTNERSHIPS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
await withBenchSystem(async (system) => {
  const headers = { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' };
  const sql = new pg.Client({ connectionString: system.databaseUrl });
  await sql.connect();
  try {
    say(`creating ${PARTNERSHIPS} partnerships through the API, 8 clients at once`);
    const created = await createPartnerships(system.apiUrl, headers, {
      count: PARTNERSHIPS,
      name: 'Load',
      firstReviewAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      reminderOffsets: ['P14D', 'P2D'],
    });
    say(`created ${created.requests} in ${created.seconds.toFixed(1)} s: ${created.perSecond.toFixed(1)}/s, p99 ${created.p99} ms`);

    const copies = PARTNERSHIPS * 5;
    for (;;) {
      const sent = Number(
        (await sql.query(`SELECT count(*) FROM email_outbox WHERE template = 'review-invitation' AND status = 'sent'`)).rows[0].count,
      );
      if (sent >= copies) break;
      say(`waiting for the invitations to go out: ${sent} of ${copies}`);
      await new Promise((r) => setTimeout(r, 5000));
    }
    // Three commitments per partnership for the overdue report, a third of them overdue; written as
    // rows (their deadline workflows are not what this measures).
    await sql.query(`
      INSERT INTO commitment (id, partnership_id, owner_id, side, description, due_at, status)
      SELECT gen_random_uuid(), p.id, m.person_id, 'district', 'Commitment ' || k,
             now() + ((k - 2) * interval '20 days'), CASE WHEN k = 1 THEN 'overdue' ELSE 'open' END::"CommitmentStatus"
      FROM partnership p JOIN partnership_member m ON m.partnership_id = p.id AND m.role = 'district_lead',
           generate_series(1, 3) k`);
    const rows = (
      await sql.query(
        `SELECT p.id, r.id AS review FROM partnership p JOIN review r ON r.partnership_id = p.id AND r.sequence = 1 ORDER BY random()`,
      )
    ).rows as { id: string; review: string }[];

    const hello = await helloWorld();
    const results: [string, LoadResult][] = [];
    const measure = async (label: string, job: Record<string, unknown>) => {
      const r = await load({ connections: 50, duration: SECONDS, headers, ...job });
      say(`${label}: ${r.perSecond.toFixed(0)}/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.non2xx} non-2xx, ${r.errors} errors`);
      results.push([label, r]);
    };
    try {
      await measure('Express hello-world', { url: hello.url });
      await measure('GET /partnerships/:id, one', { url: system.apiUrl, paths: [`/partnerships/${rows[0]?.id}`] });
      await measure(`GET /partnerships/:id, ${rows.length} different`, {
        url: system.apiUrl,
        paths: rows.map((r) => `/partnerships/${r.id}`),
      });
      await measure('GET /reports/overdue-commitments', { url: system.apiUrl, paths: ['/reports/overdue-commitments'] });
      // Each review takes one outcome: most at 50 connections, the rest one after another (one person).
      const alone = rows.splice(0, Math.min(100, Math.floor(rows.length / 5)));
      const outcomes = (of: typeof rows, connections: number) => ({
        url: system.apiUrl,
        method: 'POST',
        connections,
        amount: of.length,
        paths: of.map((r) => `/partnerships/${r.id}/reviews/${r.review}/outcome`),
        body: JSON.stringify({ outcome: 'skipped', reason: 'Snow day' }),
      });
      await measure(`POST …/reviews/:id/outcome, ${rows.length} different`, outcomes(rows, 50));
      await measure(`POST …/reviews/:id/outcome, ${alone.length} different, 1 connection`, outcomes(alone, 1));
      await measure('Express hello-world, again', { url: hello.url });
    } finally {
      hello.child.kill();
    }
    const base = Math.min(...results.filter(([l]) => l.startsWith('Express')).map(([, r]) => r.perSecond));
    console.log(
      `\n| ${PARTNERSHIPS} partnerships, 50 connections | requests/s | p50 | p99 | of hello-world | non-2xx |\n|---|---:|---:|---:|---:|---:|`,
    );
    console.log(`| POST /partnerships (8 clients) | ${created.perSecond.toFixed(1)} | ${created.p50} ms | ${created.p99} ms | | 0 |`);
    for (const [label, r] of results) {
      console.log(
        `| ${label} | ${r.perSecond.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ${(r.perSecond / base).toFixed(2)} | ${r.non2xx + r.errors} |`,
      );
    }
  } finally {
    await sql.end();
  }
});
