// Benchmark: GET /reports/overdue-commitments over 100,000 commitments, through HTTP, with the
// authentication, tenancy and pagination a real call has. Run: npm run bench:overdue
// Prints progress while seeding, then the latency per query shape; figures go to BENCHMARKS.md.
process.env.TZ = 'UTC';

import { createApiKey } from '../lib/auth/api-keys.js';
import { createDb } from '../lib/db/client.js';
import { benchServer, connectSql, say, seedCommitments, withBenchDatabase } from './database.js';

const COMMITMENTS = Number(process.env.BENCH_COMMITMENTS ?? 100_000);
const PARTNERSHIPS = 220; // ten cohorts of twenty-two districts
const COHORTS = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 200);

await withBenchDatabase(async (url) => {
  const sql = await connectSql(url);
  const t0 = Date.now();
  say(`seeding ${PARTNERSHIPS} partnerships in ${COHORTS} cohorts and ${COMMITMENTS.toLocaleString('en-US')} commitments`);
  await seedCommitments(sql, {
    partnerships: PARTNERSHIPS,
    cohorts: COHORTS,
    commitments: COMMITMENTS,
    statuses: ['open', 'done', 'done', 'dropped'],
  });
  const counts = await sql.query(`SELECT status, count(*)::int AS n FROM commitment GROUP BY status ORDER BY status`);
  say(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${counts.rows.map((r) => `${r.n} ${r.status}`).join(', ')}`);
  const cohort = (await sql.query(`SELECT id FROM cohort ORDER BY name LIMIT 1`)).rows[0].id as string;
  const district = (await sql.query(`SELECT district_id FROM partnership WHERE cohort_id = $1 LIMIT 1`, [cohort])).rows[0]
    .district_id as string;
  await sql.end();

  const db = createDb(url);
  const admin = (await createApiKey(db, { name: 'bench admin', role: 'admin' })).secret;
  const coordinator = (await createApiKey(db, { name: 'bench coordinator', role: 'coordinator', cohortId: cohort })).secret;
  const districtKey = (await createApiKey(db, { name: 'bench district', role: 'district', organizationId: district })).secret;
  const server = await benchServer(db);
  const base = `http://localhost:${server.port}`;

  const shapes: [string, string, string][] = [
    ['admin, all partnerships, first page of 50', admin, '/reports/overdue-commitments'],
    ['admin, 30+ days overdue', admin, '/reports/overdue-commitments?minDaysOverdue=30'],
    ['coordinator, own cohort (22 partnerships)', coordinator, '/reports/overdue-commitments'],
    ['district staff, own district', districtKey, '/reports/overdue-commitments'],
    [
      'admin, filtered by cohort and 7–60 days',
      admin,
      `/reports/overdue-commitments?cohortId=${cohort}&minDaysOverdue=7&maxDaysOverdue=60`,
    ],
    ['admin, page 3 (cursor), 200 per page', admin, '/reports/overdue-commitments?limit=200'],
  ];
  const results: { shape: string; total: number; median: number; p95: number; max: number }[] = [];
  for (const [shape, key, url] of shapes) {
    let target = url;
    let total = 0;
    if (shape.includes('page 3')) {
      for (let i = 0; i < 2; i++) {
        const res = (await (await fetch(`${base}${target}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
          nextCursor: string;
        };
        target = `${url}&cursor=${res.nextCursor}`;
      }
    }
    for (let i = 0; i < 10; i++) await fetch(`${base}${target}`, { headers: { authorization: `Bearer ${key}` } });
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const res = await fetch(`${base}${target}`, { headers: { authorization: `Bearer ${key}` } });
      const body = (await res.json()) as { total: number };
      times.push(performance.now() - start);
      if (res.status !== 200) throw new Error(`${shape}: ${res.status} ${JSON.stringify(body)}`);
      total = body.total;
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
    results.push({ shape, total, median: at(0.5), p95: at(0.95), max: at(1) });
    say(`${shape}: ${total} match, median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms`);
  }
  console.log('\n| Query | Matching | Median | p95 | Max |\n|---|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.shape} | ${r.total.toLocaleString('en-US')} | ${r.median.toFixed(1)} ms | ${r.p95.toFixed(1)} ms | ${r.max.toFixed(1)} ms |`,
    );
  }
  await server.close(1000);
  await db.$disconnect();
});
