// Benchmark: what the mail sweep's redaction of sent copies' links costs (core/mail/redact-links.ts).
// BENCH_COPIES sent copies (default 10,000, a quarter-start burst) of a real reminder, each with its own
// sign-in token, are written as rows beside BENCH_OUTBOX copies redacted by earlier sweeps (default
// 200,000: the outbox of a few quarters); then they are redacted as the sweep does, 500 a statement,
// each statement timed. Run: npm run bench:redact.
process.env.TZ = 'UTC';

import { randomBytes, randomUUID } from 'node:crypto';
import { renderMail } from '../core/mail/message.js';
import { redactSentCopies } from '../core/mail/redact-links.js';
import { reviewReminder } from '../core/mail/templates.js';
import { createDb } from '../lib/db/client.js';
import { connectSql, percentile, say, withBenchDatabase } from './database.js';

const COPIES = Number(process.env.BENCH_COPIES ?? 10_000);
const OUTBOX = Number(process.env.BENCH_OUTBOX ?? 200_000);
const BATCH = 500;
const PUBLIC_URL = 'https://tandem.bench.example';

await withBenchDatabase(async (url) => {
  const db = createDb(url);
  const sql = await connectSql(url);
  say(`writing ${OUTBOX.toLocaleString('en-US')} copies redacted before`);
  await sql.query(
    `INSERT INTO email_outbox (id, idempotency_key, message_key, template, recipient, subject, text, html, status, sent_at, links_redacted)
     SELECT gen_random_uuid(), 'before:' || g, 'before:' || g, 'review-reminder', 'r' || g || '@bench.example', 'Reminder',
            repeat('A reminder, sent and redacted. ', 40), repeat('<p>A reminder, sent and redacted.</p>', 40), 'sent',
            now() - interval '30 days', true
     FROM generate_series(1, $1::int) g`,
    [OUTBOX],
  );
  say(`writing ${COPIES.toLocaleString('en-US')} sent copies of a reminder, each with its own token`);
  const sentAt = new Date(Date.now() - 3_600_000);
  for (let i = 0; i < COPIES; i += 1000) {
    const data = Array.from({ length: Math.min(1000, COPIES - i) }, (_, k) => {
      const link = `${PUBLIC_URL}/p/${randomUUID()}?t=${randomBytes(32).toString('base64url')}&u=${randomUUID()}`;
      const message = reviewReminder({
        partnershipName: 'Bench literacy',
        label: 'quarterly review',
        sequence: 2,
        scheduledAt: Date.parse('2027-03-16T20:30:00Z'),
        timeZone: 'America/Chicago',
        link,
      });
      const key = `bench:redact:${i + k}`;
      return {
        idempotencyKey: key,
        messageKey: key,
        template: 'review-reminder',
        recipient: `r${i + k}@bench.example`,
        ...renderMail(message, { timeZone: 'America/Chicago', unsubscribeUrl: `${PUBLIC_URL}/unsubscribe/x`, partnershipName: 'Bench' }),
        message: message as object,
        status: 'sent' as const,
        sentAt,
      };
    });
    await db.emailOutbox.createMany({ data });
  }
  await sql.query('ANALYZE email_outbox');
  const size = (
    await sql.query(
      `SELECT avg(length(text) + length(html) + length(message::text))::int AS bytes FROM email_outbox WHERE NOT links_redacted`,
    )
  ).rows[0];
  say(`${COPIES.toLocaleString('en-US')} copies written, ${size.bytes} bytes each on average (text, HTML, message)`);
  const took: number[] = [];
  let redacted = 0;
  const start = performance.now();
  for (;;) {
    const t0 = performance.now();
    const n = await redactSentCopies(db, { publicUrl: PUBLIC_URL, sentBefore: new Date(), batch: BATCH });
    if (n === 0) break;
    took.push(performance.now() - t0);
    redacted += n;
    if (redacted % 2000 === 0) say(`  ${redacted.toLocaleString('en-US')} redacted`);
  }
  const seconds = (performance.now() - start) / 1000;
  const left = Number((await sql.query(`SELECT count(*) FROM email_outbox WHERE text ~ 't=[A-Za-z0-9_-]{40,}'`)).rows[0].count);
  if (redacted !== COPIES || left !== 0) throw new Error(`${redacted} redacted, ${left} still with a token, of ${COPIES}`);
  const sorted = [...took].sort((a, b) => a - b);
  say(`redacted ${redacted.toLocaleString('en-US')} in ${seconds.toFixed(1)} s: ${(redacted / seconds).toFixed(0)} copies/s`);
  console.log(
    `\n| Copies | Beside, redacted before | Statements of ${BATCH} | Total | Copies per second | Statement p50 | Statement max |\n|---:|---:|---:|---:|---:|---:|---:|`,
  );
  console.log(
    `| ${COPIES.toLocaleString('en-US')} | ${OUTBOX.toLocaleString('en-US')} | ${took.length} | ${seconds.toFixed(1)} s | ${(redacted / seconds).toFixed(0)} | ${percentile(sorted, 0.5).toFixed(0)} ms | ${(sorted.at(-1) ?? 0).toFixed(0)} ms |`,
  );
  await sql.end();
  await db.$disconnect();
});
