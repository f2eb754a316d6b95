import { describe, expect, it } from 'vitest';
import { p as paragraph } from '../../core/mail/message.js';
import { REDACTED_TOKEN, redactSentCopies } from '../../core/mail/redact-links.js';
import { findTaskLink } from '../../core/people/task-links.js';
import { TEST_PUBLIC_URL } from '../support/auth.js';
import { memberNotice, useMailServices } from '../support/mail-services.js';

const MINUTE = 60_000;

/**
 * A copy kept as it was sent holds working sign-ins (its links' tokens) for a day: once sent, the
 * mail sweep replaces them (core/mail/redact-links.ts). On the real PostgreSQL, whose regular
 * expressions do the work.
 */
describe('redacting the links of sent copies', () => {
  const mail = useMailServices();
  const db = () => mail.database.db;
  const redact = (batch = 100, sentBefore = new Date(Date.now() - 10 * MINUTE)) =>
    redactSentCopies(db(), { publicUrl: TEST_PUBLIC_URL, sentBefore, batch });
  const tokensIn = (s: string | null | undefined) => [...(s ?? '').matchAll(/[?&](?:amp;)?t=([A-Za-z0-9_-]+)/g)].map((m) => m[1]);

  /** A message to a partnership's two members, with a task link and a link of someone's own in it. */
  async function sent(key: string) {
    const { run } = await memberNotice(mail, key, (link) => [
      paragraph(`Open ${link} to answer.`),
      paragraph('The recording: https://video.example/watch?v=abc&t=30s'),
    ]);
    expect(await run()).toEqual({ sent: 2 });
    return db().emailOutbox.findMany({ where: { messageKey: key }, orderBy: { recipient: 'asc' } });
  }
  const sentAgo = (ids: string[], ms: number) =>
    db().emailOutbox.updateMany({ where: { id: { in: ids } }, data: { sentAt: new Date(Date.now() - ms) } });

  it('replaces the tokens in text, HTML and message data of copies sent long enough ago, and leaves the rest of them as it was', async () => {
    const [first, second] = await sent('redact:old');
    if (!first || !second) throw new Error('two copies');
    const before = tokensIn(first.text);
    expect(before).toHaveLength(2); // its own link's token, and the video's `t=30s`
    const token = before[0] as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // The link works until it is used or expires: that is what a dump would have given away.
    expect(await findTaskLink(db(), token)).not.toBeNull();
    expect(first.html).toContain(`t=${token}`);
    expect(JSON.stringify(first.message)).toContain(`t=${token}`);

    await sentAgo([first.id, second.id], 11 * MINUTE);
    expect(await redact()).toBeGreaterThanOrEqual(2);
    const after = await db().emailOutbox.findUniqueOrThrow({ where: { id: first.id } });
    for (const body of [after.text, after.html, JSON.stringify(after.message)]) {
      expect(body).not.toContain(token);
      expect(body).toContain(`t=${REDACTED_TOKEN}`);
      // Someone's own link is not Tandem's: its `t=` stays.
      expect(body).toContain('https://video.example/watch?v=abc&');
      expect(body).toMatch(/t=30s/);
    }
    // Everything but the token is as it was: the page it led to, whom it was for.
    expect(after.text).toBe(first.text.replace(token, REDACTED_TOKEN));
    expect(after.html).toBe(first.html.replaceAll(token, REDACTED_TOKEN));
    expect(after.message).toEqual(JSON.parse(JSON.stringify(first.message).replace(token, REDACTED_TOKEN)));
    expect(after).toMatchObject({ status: 'sent', linksRedacted: true, subject: first.subject, recipient: first.recipient });
    // The recipient's own copy, the one in their mailbox, keeps its working link.
    const received = mail.smtp.received.find((m) => m.envelopeTo.includes(first.recipient) && m.mail.subject === 'About redact:old');
    expect(received?.mail.text).toContain(token);
    expect(await findTaskLink(db(), token)).not.toBeNull();
  });

  it('leaves copies sent within the last minutes, held, failed, bounced and unconfirmed ones; redacts dropped ones, and each copy once', async () => {
    const [recent] = await sent('redact:recent');
    const rows = await sent('redact:states');
    const [held, failed] = rows;
    const [dropped] = await sent('redact:dropped');
    const [bounced, unconfirmed] = await sent('redact:bounced');
    if (!recent || !held || !failed || !dropped || !bounced || !unconfirmed) throw new Error('copies');
    await sentAgo([recent.id], 2 * MINUTE);
    await sentAgo([held.id, failed.id, dropped.id, bounced.id, unconfirmed.id], 60 * MINUTE);
    for (const [row, status] of [
      [held, 'held'],
      [failed, 'failed'],
      [dropped, 'dropped'],
      [bounced, 'bounced'],
      [unconfirmed, 'unconfirmed'],
    ] as const) {
      await db().emailOutbox.update({ where: { id: row.id }, data: { status } });
    }
    // Every copy sent before is redacted first, until a sweep finds nothing left.
    while ((await redact()) > 0);
    const now = await db().emailOutbox.findMany({
      where: { id: { in: [recent.id, held.id, failed.id, dropped.id, bounced.id, unconfirmed.id] } },
    });
    const byId = new Map(now.map((r) => [r.id, r]));
    for (const kept of [recent, held, failed, bounced, unconfirmed]) {
      expect(byId.get(kept.id)).toMatchObject({ linksRedacted: false, text: kept.text, html: kept.html });
    }
    expect(byId.get(dropped.id)).toMatchObject({
      linksRedacted: true,
      text: dropped.text.replace(tokensIn(dropped.text)[0] as string, REDACTED_TOKEN),
    });
    // Nothing is left to redact: a sweep changes nothing more.
    expect(await redact()).toBe(0);
  });

  it('redacts in batches, and two sweeps at once take different copies', async () => {
    while ((await redact()) > 0);
    const copies = (await Promise.all(['redact:b1', 'redact:b2', 'redact:b3'].map(sent))).flat();
    await sentAgo(
      copies.map((c) => c.id),
      30 * MINUTE,
    );
    const [a, b] = await Promise.all([redact(2), redact(2)]);
    expect((a ?? 0) + (b ?? 0)).toBe(4);
    expect(await redact(100)).toBe(2);
    const left = await db().emailOutbox.findMany({ where: { id: { in: copies.map((c) => c.id) } } });
    expect(left.every((r) => r.linksRedacted && tokensIn(r.text)[0] === REDACTED_TOKEN)).toBe(true);
  });
});
