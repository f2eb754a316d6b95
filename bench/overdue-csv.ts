// Benchmark: GET /reports/overdue-commitments.csv exporting 100,000 overdue commitments over HTTP,
// read by the client as it arrives. Measures the time to the last byte and the server's memory
// while it streams (heap and RSS sampled every 10 ms, against the level before the export).
// Run: npm run bench:csv. Figures go to BENCHMARKS.md.
process.env.TZ = 'UTC';

import { createApiKey } from '../lib/auth/api-keys.js';
import { createDb } from '../lib/db/client.js';
import { benchServer, connectSql, say, seedCommitments, withBenchDatabase } from './database.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MB = 1024 * 1024;

await withBenchDatabase(async (url) => {
  const sql = await connectSql(url);
  const t0 = Date.now();
  say(`seeding 220 partnerships and ${ROWS.toLocaleString('en-US')} commitments, all past due`);
  await seedCommitments(sql, { partnerships: 220, cohorts: 10, commitments: ROWS, statuses: ['open'], allPast: true });
  const { n } = (await sql.query(`SELECT count(*)::int AS n FROM commitment WHERE status = 'overdue'`)).rows[0];
  say(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${n} overdue`);
  await sql.end();

  const db = createDb(url);
  const admin = (await createApiKey(db, { name: 'bench admin', role: 'admin' })).secret;
  const server = await benchServer(db);
  const base = `http://localhost:${server.port}`;

  const results: { seconds: number; lines: number; mb: number; heapPeak: number; rssPeak: number }[] = [];
  for (let run = 0; run <= RUNS; run++) {
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    if (run === 0) say(`heap in use before the first export: ${(heap0 / MB).toFixed(1)} MB`);
    const rss0 = process.memoryUsage().rss;
    let heapPeak = 0;
    let rssPeak = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      heapPeak = Math.max(heapPeak, m.heapUsed - heap0);
      rssPeak = Math.max(rssPeak, m.rss - rss0);
    }, 10);
    const start = performance.now();
    const res = await fetch(`${base}/reports/overdue-commitments.csv`, { headers: { authorization: `Bearer ${admin}` } });
    if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}`);
    let lines = 0;
    let bytes = 0;
    // Counted chunk by chunk, never kept: the client holds no more than the server.
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines++;
    }
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    if (lines - 1 !== n) throw new Error(`exported ${lines - 1} rows, expected ${n}`);
    // The first run warms up the connection pool and the JIT; it is not counted.
    if (run > 0) results.push({ seconds, lines: lines - 1, mb: bytes / MB, heapPeak: heapPeak / MB, rssPeak: rssPeak / MB });
    say(
      `${run === 0 ? 'warm-up' : `run ${run}`}: ${lines - 1} rows, ${(bytes / MB).toFixed(1)} MB in ${seconds.toFixed(2)} s; heap +${(heapPeak / MB).toFixed(1)} MB, RSS +${(rssPeak / MB).toFixed(1)} MB at most`,
    );
  }
  const median = <K extends keyof (typeof results)[number]>(k: K) =>
    results.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)] as number;
  const max = <K extends keyof (typeof results)[number]>(k: K) => Math.max(...results.map((r) => r[k]));
  console.log(
    '\n| Rows | Size | Median time | Rows/s | Heap growth (median, max) | RSS growth (median, max) |\n|---:|---:|---:|---:|---:|---:|',
  );
  console.log(
    `| ${median('lines').toLocaleString('en-US')} | ${median('mb').toFixed(1)} MB | ${median('seconds').toFixed(2)} s | ${Math.round(median('lines') / median('seconds')).toLocaleString('en-US')} | ${median('heapPeak').toFixed(1)} MB, ${max('heapPeak').toFixed(1)} MB | ${median('rssPeak').toFixed(1)} MB, ${max('rssPeak').toFixed(1)} MB |`,
  );
  await server.close(1000);
  await db.$disconnect();
});
