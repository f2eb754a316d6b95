// Benchmark: the cohort dashboard (GET /dashboard, the page, and GET /reports/partnership-health, its
// API) for a coordinator's cohort of 22 partnerships and an admin's 1,000, over HTTP with a real
// session and a real key. Run: npm run bench:dashboard. Figures go to BENCHMARKS.md.
process.env.TZ = 'UTC';

import { createApiKey } from '../lib/auth/api-keys.js';
import { createDb } from '../lib/db/client.js';
import { benchServer, benchSessionCookie, connectSql, say, seedCommitments, withBenchDatabase } from './database.js';

const PARTNERSHIPS = Number(process.env.BENCH_PARTNERSHIPS ?? 1000);
const COHORT_SIZE = 22;
const RUNS = Number(process.env.BENCH_RUNS ?? 200);

// The benchmark is one procedure read top to bottom (seed, measure, report) whose steps share what
// was seeded, so it stays one block (over 100 lines) rather than functions passing it around.
await withBenchDatabase(async (url) => {
  const sql = await connectSql(url);
  const t0 = Date.now();
  const cohorts = Math.ceil(PARTNERSHIPS / COHORT_SIZE);
  say(`seeding ${PARTNERSHIPS} partnerships in ${cohorts} cohorts, with members, reviews, reflections and commitments`);
  await seedCommitments(sql, { partnerships: PARTNERSHIPS, cohorts, commitments: PARTNERSHIPS * 6, statuses: ['open', 'done', 'done'] });
  // Four members each; seven reviews a quarter apart (six past: held, held, missed, held, held, held;
  // one upcoming); the members asked to reflect on every held review, half of them answering.
  await sql.query(`
    WITH p AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM partnership),
         o AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM person)
    INSERT INTO partnership_member (partnership_id, person_id, role)
    SELECT p.id, o.id, (ARRAY['district_lead','partner_lead','participant','executive_sponsor'])[k]::"MemberRole"
    FROM p CROSS JOIN generate_series(1, 4) k JOIN o ON o.n = (p.n - 1) * 4 + k;
    INSERT INTO review (id, partnership_id, sequence, scheduled_at, status, outcome_at, reflections_closed_at)
    SELECT gen_random_uuid(), p.id, s, now() - ((6 - s) * interval '91 days') - interval '10 days',
           CASE WHEN s = 7 THEN 'scheduled' WHEN s = 3 THEN 'missed' ELSE 'held' END::"ReviewStatus",
           CASE WHEN s < 7 THEN now() - ((6 - s) * interval '91 days') - interval '10 days' END,
           CASE WHEN s < 7 AND s <> 3 THEN now() - ((6 - s) * interval '91 days') + interval '4 days' END
    FROM partnership p CROSS JOIN generate_series(1, 7) s;
    INSERT INTO reflection (id, review_id, person_id, prompted_at, submitted_at, what_worked)
    SELECT gen_random_uuid(), r.id, m.person_id, r.scheduled_at,
           CASE WHEN m.role IN ('district_lead', 'participant') THEN r.scheduled_at + interval '2 days' END,
           CASE WHEN m.role IN ('district_lead', 'participant') THEN 'The walkthroughs' END
    FROM review r JOIN partnership_member m ON m.partnership_id = r.partnership_id WHERE r.status = 'held';
    ANALYZE;
  `);
  const count = async (table: string) => (await sql.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;
  say(
    `seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${await count('partnership')} partnerships, ${await count('review')} reviews, ${await count('reflection')} reflections, ${await count('commitment')} commitments`,
  );
  // The partnerships fall 21 or 22 to a cohort: the coordinator's is one of 22.
  const cohort = (await sql.query(`SELECT cohort_id FROM partnership GROUP BY cohort_id ORDER BY count(*) DESC, cohort_id LIMIT 1`)).rows[0]
    .cohort_id as string;
  const inCohort = (await sql.query(`SELECT count(*)::int AS n FROM partnership WHERE cohort_id = $1`, [cohort])).rows[0].n as number;
  const admin = (
    await sql.query(
      `INSERT INTO person (id, email, name, is_admin) VALUES (gen_random_uuid(), 'admin@bench.example', 'Admin', true) RETURNING id, email`,
    )
  ).rows[0];
  const coordinator = (
    await sql.query(
      `INSERT INTO person (id, email, name) VALUES (gen_random_uuid(), 'coordinator@bench.example', 'Coordinator') RETURNING id, email`,
    )
  ).rows[0];
  await sql.query(`INSERT INTO cohort_coordinator (person_id, cohort_id) VALUES ($1, $2)`, [coordinator.id, cohort]);
  await sql.end();

  const db = createDb(url);
  const server = await benchServer(db);
  const base = `http://localhost:${server.port}`;
  const cookies = { admin: await benchSessionCookie(db, admin), coordinator: await benchSessionCookie(db, coordinator) };
  const keys = {
    admin: (await createApiKey(db, { name: 'bench admin', role: 'admin' })).secret,
    coordinator: (await createApiKey(db, { name: 'bench coordinator', role: 'coordinator', cohortId: cohort })).secret,
  };
  const shapes: [string, string, Record<string, string>, string][] = [
    [`page, coordinator, one cohort (${inCohort})`, '/dashboard', { cookie: cookies.coordinator }, 'text/html'],
    [`page, admin, every partnership (${PARTNERSHIPS})`, '/dashboard', { cookie: cookies.admin }, 'text/html'],
    [
      `API, coordinator key, one cohort (${inCohort})`,
      '/reports/partnership-health',
      { authorization: `Bearer ${keys.coordinator}` },
      'json',
    ],
    [
      `API, admin key, every partnership (${PARTNERSHIPS})`,
      '/reports/partnership-health',
      { authorization: `Bearer ${keys.admin}` },
      'json',
    ],
  ];
  const rows: string[] = [];
  for (const [shape, path, headers, type] of shapes) {
    const once = async () => {
      const res = await fetch(`${base}${path}`, { headers });
      const body = await res.text();
      if (res.status !== 200 || !(res.headers.get('content-type') ?? '').includes(type)) {
        throw new Error(`${shape}: ${res.status} ${res.headers.get('content-type')} ${body.slice(0, 300)}`);
      }
      return body.length;
    };
    for (let i = 0; i < 10; i++) await once();
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      bytes = await once();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
    say(`${shape}: p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, ${(bytes / 1024).toFixed(0)} KiB`);
    rows.push(
      `| ${shape} | ${at(0.5).toFixed(1)} ms | ${at(0.99).toFixed(1)} ms | ${at(1).toFixed(1)} ms | ${(bytes / 1024).toFixed(0)} KiB |`,
    );
  }
  console.log('\n| Request | p50 | p99 | Max | Size |\n|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
  await server.close(0);
  await db.$disconnect();
});
