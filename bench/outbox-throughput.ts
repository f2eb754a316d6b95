// Benchmark: 10,000 reminder emails through the outbox (record, claim, SMTP, mark sent) to the local
// SMTP capture server, once over pooled SMTP connections and once with a connection per message.
// Run: npm run bench:outbox. Prints progress per thousand; figures go to BENCHMARKS.md.
process.env.TZ = 'UTC';

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { renderMail } from '../core/mail/message.js';
import { asRecipients, notify } from '../core/mail/notify.js';
import { reviewReminder } from '../core/mail/templates.js';
import { createDb } from '../lib/db/client.js';
import { startMailCapture } from '../lib/mail/capture.js';
import { createMailer } from '../lib/mail/mailer.js';
import { connectSql, say, seedActivePartnerships, withBenchDatabase } from './database.js';

const EMAILS = Number(process.env.BENCH_EMAILS ?? 10_000);
const MEMBERS = 10;
const PARTNERSHIPS = 100;
/** Reminders in flight at once, as a worker runs several reminder activities side by side. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/** notify() sends up to this many copies of one reminder side by side. */
const COPIES_AT_ONCE = 4;

// The benchmark is one procedure read top to bottom (seed, measure, report) whose steps share what
// was seeded, so it stays one block (over 100 lines) rather than functions passing it around.
await withBenchDatabase(async (url, dir) => {
  const sql = await connectSql(url);
  await seedActivePartnerships(sql, { label: 'Bench', partnerships: PARTNERSHIPS, members: MEMBERS, reminderOffset: 'P14D' });
  await sql.end();

  const db = createDb(url);
  const partnerships = await db.partnership.findMany({ include: { members: { include: { person: true } } }, orderBy: { name: 'asc' } });
  const scheduledAt = Date.parse('2027-03-16T20:30:00Z');
  const results: { mode: string; inFlight: number; seconds: number; perSecond: number; rssMb: number }[] = [];

  // The last run sends the same mail straight over SMTP: what the outbox itself costs.
  // Each way once with many reminders at a time (as a busy worker) and once with one (4 sends in flight),
  // where pooling is compared at equal concurrency.
  const modes = [
    { mode: 'outbox, pooled (4 connections)', pool: true, outbox: true, reminders: CONCURRENCY },
    { mode: 'outbox, a connection per message', pool: false, outbox: true, reminders: CONCURRENCY },
    { mode: 'outbox, pooled (4 connections)', pool: true, outbox: true, reminders: 1 },
    { mode: 'outbox, a connection per message', pool: false, outbox: true, reminders: 1 },
    { mode: 'SMTP alone, pooled (no outbox)', pool: true, outbox: false, reminders: CONCURRENCY },
  ];
  for (const [run, { mode, pool, outbox, reminders }] of modes.entries()) {
    const capture = await startMailCapture({ dir: path.join(dir, `mail-${run}`), port: 0 });
    const mailer = createMailer(capture.url, 'Tandem <tandem@bench.example>', { pool });
    const ctx = {
      db,
      mailer,
      publicUrl: 'http://bench',
      giveUpAfterMs: 86_400_000,
      wake: async () => {},
      heartbeat: () => {},
      // The links people get sign them in; here a plain link stands in for each copy's.
      taskLinks: async (people: { id: string }[], target: string) => new Map(people.map((p) => [p.id, `http://bench${target}`])),
    };
    // One notice per partnership and reminder, each copied to the partnership's ten members.
    const notices = Array.from({ length: EMAILS / MEMBERS }, (_, i) => {
      const p = partnerships[i % PARTNERSHIPS] as (typeof partnerships)[number];
      const index = Math.floor(i / PARTNERSHIPS);
      const target = `/p/${p.id}`;
      const render = (timeZone: string, link = `http://bench${target}`) =>
        reviewReminder({ partnershipName: p.name, label: 'quarterly review', sequence: index + 1, scheduledAt, timeZone, link });
      if (!outbox) {
        const send = (m: (typeof p.members)[number]) =>
          mailer.send({
            to: m.person.email,
            ...renderMail(render(p.timeZone)),
            messageId: `<bench.${run}.${p.id}.${index}.${m.personId}@tandem>`,
          });
        return async () => {
          for (let c = 0; c < p.members.length; c += COPIES_AT_ONCE) await Promise.all(p.members.slice(c, c + COPIES_AT_ONCE).map(send));
          return { sent: p.members.length };
        };
      }
      return () =>
        notify(ctx, {
          messageKey: `bench:${run}:${p.id}:reminder:${index}`,
          template: 'review-reminder',
          about: p,
          dueAt: scheduledAt - 14 * 86_400_000,
          recipients: asRecipients(p.members),
          target,
          render,
        });
    });
    const inFlight = reminders * COPIES_AT_ONCE;
    say(`${mode}: sending ${EMAILS.toLocaleString('en-US')} emails, ${reminders} reminders (up to ${inFlight} sends) at a time`);
    let done = 0;
    let peakRss = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: reminders }, async () => {
        for (let next = notices.shift(); next; next = notices.shift()) {
          const copies = await next();
          if (copies.sent !== MEMBERS) throw new Error(`expected ${MEMBERS} copies sent, got ${JSON.stringify(copies)}`);
          done += MEMBERS;
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
          if (done % 1000 === 0) say(`  ${done.toLocaleString('en-US')} sent`);
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const arrived = (await readdir(capture.dir)).filter((f) => f.endsWith('.eml')).length;
    const sent = outbox
      ? await db.emailOutbox.count({ where: { messageKey: { startsWith: `bench:${run}:` }, status: 'sent', attempts: 1 } })
      : EMAILS;
    if (arrived !== EMAILS || sent !== EMAILS) throw new Error(`${mode}: ${arrived} arrived, ${sent} recorded sent, expected ${EMAILS}`);
    results.push({ mode, inFlight, seconds, perSecond: EMAILS / seconds, rssMb: peakRss / 2 ** 20 });
    say(`${mode}: ${seconds.toFixed(1)} s, ${(EMAILS / seconds).toFixed(0)} emails/s; all ${arrived} arrived, each sent once`);
    mailer.close();
    await capture.stop();
  }
  console.log('\n| Run | Sends in flight | Emails | Time | Emails per second | Peak RSS |\n|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.mode} | ${r.inFlight} | ${EMAILS.toLocaleString('en-US')} | ${r.seconds.toFixed(1)} s | ${r.perSecond.toFixed(0)} | ${r.rssMb.toFixed(0)} MB |`,
    );
  }
  await db.$disconnect();
});
