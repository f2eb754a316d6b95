// Benchmark: a quarter-start burst. N partnerships × M members whose first review reminders all fall
// due at one instant (N × M copies), on the whole system as `npm start` runs it (embedded PostgreSQL,
// the Temporal server of TEMPORAL_SERVER, the real worker) but with its mail sent to a capture in a
// process of its own, as a host sends to its relay (BENCH_MAIL=in-process for `npm start`'s own
// capture, on the worker's thread): time until the last copy is sent and
// lateness p50/p99; then, in the same run on the same server, the ceiling: as many timers firing at
// one instant as there are partnerships (one reminder activity each sends its partnership's copies),
// each running one no-op activity, three times (BENCH_CEILINGS) so that its spread is known. Run: npm run
// bench:burst (BENCH_PARTNERSHIPS, BENCH_MEMBERS; BENCH_WORKERS=2 for a second worker; TEMPORAL_SERVER=postgres
// for the Temporal server on PostgreSQL); figures go to BENCHMARKS.md.
process.env.TZ = 'UTC';

import os from 'node:os';
import { partnershipWorkflowId } from '../workflows/ids.js';
import { partnershipWorkflow } from '../workflows/partnerships/partnership.js';
import { startCeilingWorker } from './ceiling-worker.js';
import { connectSql, say, seedActivePartnerships } from './database.js';
import { cpuPerItem, serverPids, systemCpu } from './processes.js';
import { withBenchSystem } from './system.js';

const PARTNERSHIPS = Number(process.env.BENCH_PARTNERSHIPS ?? 1000);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10);
const COPIES = PARTNERSHIPS * MEMBERS;
/** Time to start every workflow and send every invitation before the instant. */
const LEAD_MS = Number(process.env.BENCH_LEAD_SECONDS ?? Math.max(60, PARTNERSHIPS / 5)) * 1000;
const CEILING_QUEUE = 'bench-ceiling';
/** How many times the ceiling is measured, and how long before its instant its timers are started. */
const CEILINGS = Number(process.env.BENCH_CEILINGS ?? 3);
const CEILING_LEAD_MS = Number(process.env.BENCH_CEILING_LEAD_SECONDS ?? Math.max(30, PARTNERSHIPS / 20)) * 1000;

const stats = (lateness: number[]) => {
  const sorted = [...lateness].sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN) / 1000;
  return { p50: at(0.5), p99: at(0.99), last: at(1) };
};

await withBenchSystem(
  async (system, scratchDir) => {
    // What a copy costs each part of the system in CPU, from the instant to the last copy: on two busy
    // cores a burst's seconds move with whatever else runs, its CPU a copy much less.
    const pids = await serverPids(scratchDir);
    type Cpu = Awaited<ReturnType<typeof systemCpu>>;
    /** The CPU used so far, read at `at`. */
    const cpuAt = (at: number) =>
      new Promise<Cpu>((resolve, reject) => setTimeout(() => systemCpu(pids).then(resolve, reject), Math.max(0, at - Date.now())));
    // The burst: every partnership's first review an hour after the instant, reminded an hour before.
    const instant = Date.now() + LEAD_MS;
    const sql = await connectSql(system.databaseUrl);
    say(`seeding ${PARTNERSHIPS} partnerships × ${MEMBERS} members; the instant is in ${LEAD_MS / 1000} s`);
    await seedActivePartnerships(sql, { label: 'Burst', partnerships: PARTNERSHIPS, members: MEMBERS, reminderOffset: 'PT1H' });
    await sql.query(`
    INSERT INTO review (id, partnership_id, sequence, scheduled_at, created_at)
      SELECT gen_random_uuid(), id, 1, to_timestamp(${(instant + 3_600_000) / 1000}), now() FROM partnership WHERE name LIKE 'Burst %';
  `);
    const ids = (await sql.query(`SELECT id FROM partnership WHERE name LIKE 'Burst %'`)).rows.map((r) => r.id as string);
    const started = Date.now();
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids.slice(i, i + 50).map((id) =>
          system.temporal.workflow.start(partnershipWorkflow, {
            workflowId: partnershipWorkflowId(id),
            taskQueue: 'tandem',
            args: [{ partnershipId: id }],
          }),
        ),
      );
    }
    say(`started ${ids.length} workflows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const count = async (template: string) =>
      Number((await sql.query(`SELECT count(*) FROM email_outbox WHERE template = $1 AND status = 'sent'`, [template])).rows[0].count);
    const atInstant = cpuAt(instant);
    while (Date.now() < instant) {
      await new Promise((r) => setTimeout(r, Math.min(5000, instant - Date.now())));
      say(`before the instant: ${await count('review-invitation')} of ${COPIES} invitations sent`);
    }
    for (;;) {
      const sent = await count('review-reminder');
      say(`${((Date.now() - instant) / 1000).toFixed(0)} s after the instant: ${sent} of ${COPIES} reminders sent`);
      if (sent >= COPIES) break;
      if (Date.now() - instant > 20 * 60_000) throw new Error('the burst did not finish in 20 minutes');
      await new Promise((r) => setTimeout(r, 2000));
    }
    const burstCpu = cpuPerItem(await atInstant, await systemCpu(pids), COPIES, 2);
    const rows = (await sql.query(`SELECT extract(epoch FROM sent_at) * 1000 AS sent FROM email_outbox WHERE template = 'review-reminder'`))
      .rows;
    const burst = stats(rows.map((r) => Number(r.sent) - instant));
    await sql.end();

    // The ceiling, on the same server: a timer per partnership (each of whose reminders is one timer
    // and one activity sending its members' copies), each running one no-op activity. Measured
    // CEILINGS times (default 3), one after another, so that its spread on this machine is known.
    let fired: number[] = [];
    let allFired: Cpu | undefined;
    let atCeiling: Promise<Cpu> | undefined;
    const worker = await startCeilingWorker({
      temporalAddress: system.temporalAddress,
      taskQueue: CEILING_QUEUE,
      workflows: new URL('../workflows/bench/ceiling.ts', import.meta.url),
      activities: {
        noop: async () => {
          fired.push(Date.now());
          if (fired.length === PARTNERSHIPS) allFired = await systemCpu(pids);
        },
      },
    });
    const ceilings: (ReturnType<typeof stats> & { cpu: ReturnType<typeof cpuPerItem> })[] = [];
    for (let round = 1; round <= CEILINGS; round++) {
      fired = [];
      allFired = undefined;
      const at = Date.now() + CEILING_LEAD_MS;
      atCeiling = cpuAt(at);
      for (let i = 0; i < PARTNERSHIPS; i += 100) {
        await Promise.all(
          Array.from({ length: Math.min(100, PARTNERSHIPS - i) }, (_, k) =>
            system.temporal.workflow.start('ceilingWorkflow', {
              workflowId: `ceiling-${round}-${i + k}`,
              taskQueue: CEILING_QUEUE,
              args: [{ at }],
            }),
          ),
        );
      }
      if (Date.now() >= at) throw new Error(`starting ${PARTNERSHIPS} timers took longer than BENCH_CEILING_LEAD_SECONDS`);
      say(`ceiling ${round} of ${CEILINGS}: started ${PARTNERSHIPS} timers`);
      while (fired.length < PARTNERSHIPS) {
        if (Date.now() - at > 20 * 60_000) throw new Error('the ceiling did not finish in 20 minutes');
        await new Promise((r) => setTimeout(r, 2000));
        if (Date.now() > at)
          say(`${((Date.now() - at) / 1000).toFixed(0)} s after the ceiling's instant: ${fired.length} of ${PARTNERSHIPS} fired`);
      }
      const ceilingStart = await atCeiling;
      ceilings.push({
        ...stats(fired.map((t) => t - at)),
        cpu: cpuPerItem(ceilingStart, allFired ?? (await systemCpu(pids)), PARTNERSHIPS, 1),
      });
    }
    await worker.stop();

    // The median of the ceilings is the one the burst is compared with; all are printed.
    const ceiling = [...ceilings].sort((a, b) => a.last - b.last)[Math.floor(ceilings.length / 2)] as ReturnType<typeof stats>;
    const ratio = ceiling.last / burst.last;
    console.log(`\n| ${PARTNERSHIPS} × ${MEMBERS} (${COPIES} copies) | last sent | p50 late | p99 late |\n|---|---:|---:|---:|`);
    console.log(`| reminders | ${burst.last.toFixed(1)} s | ${burst.p50.toFixed(1)} s | ${burst.p99.toFixed(1)} s |`);
    for (const [i, c] of ceilings.entries()) {
      console.log(
        `| ceiling ${i + 1} (${PARTNERSHIPS} timers + no-op activity) | ${c.last.toFixed(1)} s | ${c.p50.toFixed(1)} s | ${c.p99.toFixed(1)} s |`,
      );
    }
    const parts = (c: ReturnType<typeof cpuPerItem>) =>
      `${c.own} ms this process (worker and API), ${c.postgres} ms PostgreSQL, ${c.temporal} ms the Temporal server; ${c.machine} ms the whole machine`;
    console.log(
      `\nCPU a copy of the burst: ${parts(burstCpu)} (${os.cpus().length} cores; the rest of it is the mail relay's and anything else's).`,
    );
    for (const [i, c] of ceilings.entries()) console.log(`CPU a timer of ceiling ${i + 1}: ${parts(c.cpu)}.`);
    console.log(
      `\nTandem delivers at ${ratio.toFixed(2)} of the median ceiling (time for its last / time for the burst's last); ` +
        `against the fastest and slowest ceilings: ${(Math.min(...ceilings.map((c) => c.last)) / burst.last).toFixed(2)}–${(Math.max(...ceilings.map((c) => c.last)) / burst.last).toFixed(2)}.`,
    );
  },
  { mail: 'relay' },
);
