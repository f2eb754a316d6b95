// Benchmark: the API under load, on the whole system as `npm start` runs it (TEMPORAL_SERVER=postgres
// for the Temporal server on PostgreSQL). BENCH_PARTNERSHIPS partnerships (default 1,000; 5 members,
// 3 commitments each, a third of them overdue) are created through the API by 8 clients at once (the
// creation rate is reported); then, at 50 connections for BENCH_SECONDS each (default 10): GET one
// partnership, GET a different partnership each time (alone, and beside ten writes a second), the
// overdue-commitments report, the update ceiling (bench/update-ceiling.ts), and POST an
// outcome (a different review each time; a fifth of them, at most 100, then from one connection), beside an Express hello-world on the same machine in the
// same run. Measuring starts once the system has come to rest after the setup, and each GET row
// after BENCH_WARMUP_SECONDS (default 3) of the same requests, not counted. autocannon runs in a
// process of its own. Run: npm run bench:api; figures in BENCHMARKS.md.
// BENCH_PROFILE=<part of a row's label> writes a CPU profile of the system's process (API and worker)
// during each row it names, e.g. BENCH_PROFILE='different' → bench-profile-<row>.cpuprofile (open it
// in Chrome's DevTools or speedscope).
process.env.TZ = 'UTC';

import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type pg from 'pg';
import { connectSql, say } from './database.js';
import { createPartnerships, helloWorld, type LoadResult, load } from './load.js';
import { cpuPerItem, serverPids, systemCpu, untilQuiet } from './processes.js';
import { withBenchSystem } from './system.js';
import { updateCeiling } from './update-ceiling.js';

const PARTNERSHIPS = Number(process.env.BENCH_PARTNERSHIPS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
// The benchmark is one procedure read top to bottom (seed, measure, report) whose steps share what
// was seeded, so it stays one block (over 100 lines) rather than functions passing it around.
await withBenchSystem(async (system, dir) => {
  const headers = { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' };
  const sql = await connectSql(system.databaseUrl);
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

    // The partnerships' creation leaves work behind (their workflows' tasks, the last invitations'
    // marks, the mail sweep): the first row measured after it paid for it (BENCHMARKS.md, 2026-12-07).
    const pids = await serverPids(dir);
    await untilQuiet(pids, say);
    const hello = await helloWorld();
    const results: [string, LoadResult][] = [];
    const measure = async (label: string, job: Record<string, unknown>) => {
      // Reads are measured after WARMUP seconds of the same reads, not counted: the first row after
      // the setup otherwise pays the setup's garbage and the route's first compilation (its p99
      // 104-147 ms against 56-59 ms for the same row measured again; BENCHMARKS.md, 2026-12-07).
      const warmup = (job.method ?? 'GET') === 'GET' ? WARMUP : 0;
      const r = await profiled(label, () => load({ connections: 50, duration: SECONDS, headers, warmup, ...job }));
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
      // Every write forgets the reads of the last second (api/partnerships/recent-reads.ts): the same
      // reads while one client changes a partnership's name ten times a second.
      const writer = writeEvery(100, `${system.apiUrl}/partnerships/${rows[0]?.id}`);
      await measure(`GET /partnerships/:id, ${rows.length} different, 10 writes a second beside`, {
        url: system.apiUrl,
        paths: rows.map((r) => `/partnerships/${r.id}`),
      });
      say(`writes beside the reads: ${await writer.stop()}`);
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
      // What the server and worker answer at best, the way an outcome is answered (one update, one
      // local activity), measured just before the outcomes so that the machine is in the same state.
      let ceilingCpu = await systemCpu(pids);
      const ceiling = await updateCeiling(system.temporalAddress, system.temporal, rows.length, 50, async () => {
        ceilingCpu = await systemCpu(pids);
      });
      const perUpdate = cpuPerItem(ceilingCpu, await systemCpu(pids), rows.length);
      say(
        `the update ceiling: ${ceiling.perSecond.toFixed(0)}/s, p50 ${ceiling.p50} ms, p99 ${ceiling.p99} ms, ${ceiling.errors} errors; ` +
          `CPU per update: ${perUpdate.own} ms this process, ${perUpdate.temporal} ms the Temporal server, ${perUpdate.postgres} ms PostgreSQL`,
      );
      results.push([`Temporal update answered by a no-op local activity, ${rows.length} different, 50 at once (the ceiling)`, ceiling]);
      // What an outcome costs each process, with the work that follows it (the next review planned,
      // its mail sent): where the CPU goes decides what to make cheaper.
      const cpuBefore = await systemCpu(pids);
      await measure(`POST …/reviews/:id/outcome, ${rows.length} different`, outcomes(rows, 50));
      // What one person meets depends on what the system is still doing for others: the 50-connection
      // run leaves minutes of mail behind it. So the single person is measured once that is done, twice:
      // back to back (each outcome meets the previous one's mail and planning) and alone (each after
      // the previous one's follow-on is over: the system does nothing else).
      await settled(sql);
      const cpuAfter = await systemCpu(pids);
      const ms = cpuPerItem(cpuBefore, cpuAfter, rows.length);
      say(
        `CPU per outcome with its follow-on work: ${ms.own} ms this process (API, worker, mail capture), ${ms.temporal} ms the Temporal server, ${ms.postgres} ms PostgreSQL (Temporal's databases included)`,
      );
      const paced = alone.splice(0, alone.length / 2);
      await measure(`POST …/reviews/:id/outcome, ${alone.length} different, 1 connection, back to back`, outcomes(alone, 1));
      await settled(sql);
      results.push([`POST …/reviews/:id/outcome, ${paced.length} different, one at a time, the system idle`, await onePersonAlone(paced)]);
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

  /** One client changing a partnership's name every `everyMs` (one write at a time) until stopped; how many it made. */
  function writeEvery(everyMs: number, url: string) {
    let stopped = false;
    let writes = 0;
    const loop = (async () => {
      while (!stopped) {
        const next = performance.now() + everyMs;
        const res = await fetch(url, { method: 'PATCH', headers, body: JSON.stringify({ name: `Load ${writes}` }) });
        if (!res.ok) throw new Error(`a write was refused: ${res.status} ${await res.text()}`);
        writes++;
        await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        await loop;
        return writes;
      },
    };
  }

  /** Outcomes one after another, each once the previous one's follow-on mail has all gone. */
  async function onePersonAlone(of: { id: string; review: string }[]): Promise<LoadResult> {
    const took: number[] = [];
    const started = performance.now();
    for (const r of of) {
      const before = (await sql.query(`SELECT count(*) FROM email_outbox WHERE partnership_id = $1 AND status = 'sent'`, [r.id])).rows[0]
        .count;
      const t0 = performance.now();
      const res = await fetch(`${system.apiUrl}/partnerships/${r.id}/reviews/${r.review}/outcome`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ outcome: 'skipped', reason: 'Snow day' }),
      });
      took.push(performance.now() - t0);
      if (!res.ok) throw new Error(`an outcome was refused: ${res.status} ${await res.text()}`);
      await settled(sql, r.id, Number(before));
    }
    const sorted = [...took].sort((a, b) => a - b);
    const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0);
    say(`one person alone: ${of.length} outcomes, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
    const seconds = took.reduce((a, b) => a + b, 0) / 1000;
    return {
      requests: of.length,
      perSecond: of.length / seconds,
      p50: at(0.5),
      p99: at(0.99),
      non2xx: 0,
      errors: 0,
      seconds: (performance.now() - started) / 1000,
    };
  }
});

/** Runs `work`, under the V8 profiler when BENCH_PROFILE names this row. */
async function profiled<T>(label: string, work: () => Promise<T>): Promise<T> {
  const wanted = process.env.BENCH_PROFILE;
  if (!wanted || !label.includes(wanted)) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    const file = `bench-profile-${label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.cpuprofile`;
    await writeFile(file, JSON.stringify(profile));
    say(`CPU profile of "${label}": ${file}`);
    session.disconnect();
  }
}

/**
 * Waits until the system's follow-on work is done (of one partnership, or of all): no copy pending and
 * the count of sent copies unchanged for a while; for one partnership, more sent than `before` (a
 * skipped review's cancellations).
 */
async function settled(sql: pg.Client, partnershipId?: string, before = -1): Promise<number> {
  const where = partnershipId ? 'WHERE partnership_id = $1' : '';
  const args = partnershipId ? [partnershipId] : [];
  let last = -1;
  let quiet = 0;
  for (let polls = 0; ; polls++) {
    const { rows } = await sql.query(
      `SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'sent') AS sent
       FROM email_outbox ${where}`,
      args,
    );
    const sent = Number(rows[0].sent);
    quiet = rows[0].pending === '0' && sent === last && sent > before ? quiet + 1 : 0;
    // One partnership: still for 300 ms; all: still for 2 s.
    if (quiet >= (partnershipId ? 3 : 4)) return sent;
    if (!partnershipId && polls % 20 === 19) say(`waiting for the follow-on mail: ${rows[0].pending} copies pending`);
    last = sent;
    await new Promise((r) => setTimeout(r, partnershipId ? 100 : 500));
  }
}
