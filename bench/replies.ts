// Benchmark: answers by reply. On the whole system as `npm start` runs it (with MAIL_REPLY_DOMAIN set),
// BENCH_PARTNERSHIPS partnerships (default 200; 5 members each) hold their first review, pledging one
// commitment each; every member is prompted to reflect. Then DKIM-signed replies go through
// `receiveReply` (the code behind both doors: parse, DMARC with mailauth against the bench's DNS zone,
// reading, the same command as the page, the answer by mail), 16 at a time: first one reflection per
// member, then "done" to every commitment (a workflow update each). Run: npm run bench:replies.
process.env.TZ = 'UTC';
process.env.MAIL_REPLY_DOMAIN = 'reply.bench.example';

import { generateKeyPairSync } from 'node:crypto';
import type { DNSResolver } from 'mailauth';
import nodemailer from 'nodemailer';
import { receiveReply } from '../core/replies/receive.js';
import { createLogger } from '../lib/logger.js';
import { connectSql, percentile, say } from './database.js';
import { createPartnerships } from './load.js';
import { withBenchSystem } from './system.js';

const PARTNERSHIPS = Number(process.env.BENCH_PARTNERSHIPS ?? 200);
const AT_ONCE = 16;
const DOMAIN = 'replies.example';

const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
const zone: Record<string, string[]> = {
  [`sel._domainkey.${DOMAIN}`]: [`v=DKIM1; k=rsa; p=${key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`],
  [`_dmarc.${DOMAIN}`]: ['v=DMARC1; p=reject'],
  [DOMAIN]: ['v=spf1 -all'],
};
// The Internet's DNS is out of reach here: the zone stands in for it, answering at once.
const resolver: DNSResolver = async (name, rrtype) => {
  const found = rrtype === 'TXT' ? zone[name.toLowerCase()] : undefined;
  if (!found) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return found.map((r) => [r]);
};
const signer = nodemailer.createTransport({
  streamTransport: true,
  buffer: true,
  dkim: { domainName: DOMAIN, keySelector: 'sel', privateKey: key.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() },
});
const signed = async (from: string, to: string, text: string) =>
  (await signer.sendMail({ from, to, subject: 'Re: your message', text: `${text}\n\nOn Mon, Tandem wrote:\n> asked\n` })).message as Buffer;

// The benchmark is one procedure read top to bottom (seed, measure, report) whose steps share what
// was seeded, so it stays one block (over 100 lines) rather than functions passing it around.
await withBenchSystem(async (system) => {
  const headers = { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' };
  const sql = await connectSql(system.databaseUrl);
  try {
    say(`creating ${PARTNERSHIPS} partnerships of 5 members at ${DOMAIN}`);
    await createPartnerships(system.apiUrl, headers, {
      count: PARTNERSHIPS,
      name: 'Replies',
      firstReviewAt: new Date(Date.now() + 3_600_000).toISOString(),
      reminderOffsets: ['P1D'],
    });
    const reviews = (
      await sql.query(
        `SELECT p.id, r.id AS review, lead.email AS lead FROM partnership p
           JOIN review r ON r.partnership_id = p.id AND r.sequence = 1
           JOIN partnership_member m ON m.partnership_id = p.id AND m.role = 'district_lead'
           JOIN person lead ON lead.id = m.person_id`,
      )
    ).rows as { id: string; review: string; lead: string }[];
    say('recording each first review as held, with one commitment for its district lead');
    const due = new Date(Date.now() + 30 * 86_400_000).toISOString();
    for (let i = 0; i < reviews.length; i += 8) {
      await Promise.all(
        reviews.slice(i, i + 8).map(async ({ id, review, lead }) => {
          for (let attempt = 1; ; attempt++) {
            const res = await fetch(`${system.apiUrl}/partnerships/${id}/reviews/${review}/outcome`, {
              method: 'POST',
              headers,
              body: JSON.stringify({
                outcome: 'held',
                commitments: [{ ownerEmail: lead, side: 'district', description: 'Share the walkthrough data', dueAt: due }],
              }),
            });
            if (res.ok) return;
            if (attempt === 60) throw new Error(`could not record review ${review} as held: ${res.status} ${await res.text()}`);
            // The review's workflow may not have planned it yet.
            await new Promise((r) => setTimeout(r, 500));
          }
        }),
      );
    }
    // Every reflection asked for and every commitment pledged gets a copy with a reply address.
    for (;;) {
      const asked = (await sql.query('SELECT (SELECT count(*) FROM reflection)::int AS r')).rows[0];
      // Reflections are asked of the members when each review's reflection workflow starts.
      const wanted = { reflection: Math.max(asked.r as number, PARTNERSHIPS), commitment: PARTNERSHIPS };
      const counts = (
        await sql.query(`SELECT reply_kind, count(*)::int AS n FROM email_outbox WHERE reply_to IS NOT NULL GROUP BY reply_kind`)
      ).rows as { reply_kind: string; n: number }[];
      const n = (k: string) => counts.find((c) => c.reply_kind === k)?.n ?? 0;
      if (n('reflection') >= wanted.reflection && n('commitment') >= wanted.commitment) break;
      say(`waiting for the copies with reply addresses: ${n('reflection')} prompts, ${n('commitment')} commitment notices`);
      await new Promise((r) => setTimeout(r, 3000));
    }
    const deps = {
      db: system.db,
      temporal: system.temporal,
      logger: createLogger('warn', 'bench'),
      taskQueue: 'tandem',
      mailer: system.mailer,
      publicUrl: system.publicUrl,
      mailGiveUpAfterMs: 86_400_000,
      replyDomain: 'reply.bench.example',
      taskLinks: { linkTtlMs: 86_400_000, grantTtlMs: 3_600_000 },
      resolver,
    };
    const results: string[] = [];
    for (const kind of ['reflection', 'commitment'] as const) {
      const copies = (
        await sql.query(
          `SELECT DISTINCT ON (reply_subject_id, person_id) recipient, reply_to FROM email_outbox WHERE reply_kind = $1 AND reply_to IS NOT NULL`,
          [kind],
        )
      ).rows as { recipient: string; reply_to: string }[];
      const text =
        kind === 'reflection'
          ? "What worked: the visits\nWhat didn't: the data was late\nHow to improve: send it earlier"
          : 'done, sent Friday';
      const messages = await Promise.all(copies.map((c) => signed(c.recipient, c.reply_to, text)));
      say(`${messages.length} ${kind} replies, ${AT_ONCE} at a time`);
      const latencies: number[] = [];
      const outcomes = new Map<string, number>();
      const start = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: AT_ONCE }, async () => {
          for (let i = next++; i < messages.length; i = next++) {
            const t = performance.now();
            const { outcome } = await receiveReply(deps, messages[i] as Buffer, { rcptTo: [copies[i]?.reply_to as string] });
            latencies.push(performance.now() - t);
            outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
            if ((i + 1) % 250 === 0) say(`${i + 1} of ${messages.length}`);
          }
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      latencies.sort((a, b) => a - b);
      results.push(
        `| ${kind === 'reflection' ? 'a reflection (3 sections)' : '"done" to a commitment (workflow update)'} | ${messages.length} | ${(messages.length / seconds).toFixed(1)} | ${percentile(latencies, 0.5).toFixed(0)} ms | ${percentile(latencies, 0.99).toFixed(0)} ms | ${[...outcomes].map(([o, n]) => `${n} ${o}`).join(', ')} |`,
      );
    }
    console.log(`\n| reply | replies | per second | p50 | p99 | outcomes |\n|---|---:|---:|---:|---:|---|`);
    for (const r of results) console.log(r);
  } finally {
    await sql.end();
  }
});
